"""Streaming latency: articles produced at a fixed rate, Kafka to the events topic, on Prism.

    python scripts/bench_stream.py [--rate 10] [--seconds 60] [--bootstrap HOST:PORT]

Starts a local broker (scripts/kafka-local, on a free 127.0.0.1 port, stopped by its PID at
the end) unless --bootstrap is given, then `newsevents run` on Prism. After a warm-up (the model
loads, the first bundle is written), it produces `rate` articles a second for `seconds`
seconds, each with its send time as the record time, and reads the events topic with a second
client (confluent-kafka) while it does. It prints, per article, the latency from the article's
record time to its first event record's time (the sink's send), and to the moment this
consumer saw it, as p50/p95/p99, and the run's peak RSS. Nothing here can fail a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from confluent_kafka import Consumer, Producer
from pipeline.config import KafkaSettings
from pipeline.io.admin import create_topics
from pipeline.io.avro_codec import AvroCodec
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
WARM_UP_TIMEOUT_S = 240
DRAIN_TIMEOUT_S = 60
# Our own words: short wire items with one event or more each.
BODIES = (
    "Negotiators from both sides met in Doha on Monday to discuss a truce, officials said.",
    "Police detained dozens of protesters outside parliament, the interior ministry said.",
    "An air strike hit a school near the border, killing three people, medics said.",
    "The foreign minister accused the neighbouring government of shelling border villages.",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def local_broker() -> Iterator[str]:
    """A broker of our own for the bench, stopped by the PID its script recorded."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        args = ["--port", str(port), "--data-dir", data_dir]
        subprocess.run([str(ROOT / "scripts" / "kafka-local"), "start", *args], check=True, timeout=900)
        try:
            yield f"127.0.0.1:{port}"
        finally:
            subprocess.run([str(ROOT / "scripts" / "kafka-local"), "stop", "--data-dir", data_dir], timeout=120)


def article(article_id: str, index: int) -> bytes:
    published = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    body = BODIES[index % len(BODIES)]
    return json.dumps({"id": article_id, "body": body, "published_at": published, "source": "bench"}).encode()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class EventWatcher:
    """Reads the events topic; remembers, per article id, its first event's record time and
    when this consumer saw it (both in ms)."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._consumer = Consumer(
            {"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4().hex}", "auto.offset.reset": "earliest"}
        )
        self._consumer.subscribe([topic])
        self._codec = AvroCodec("event")
        self.first: dict[str, tuple[int, int]] = {}

    def poll(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            message = self._consumer.poll(min(left, 0.05))
            if message is None or message.error() or message.value() is None:
                continue
            seen_ms = int(time.time() * 1000)
            record = self._codec.decode(message.value() or b"")
            _, written_ms = message.timestamp()
            self.first.setdefault(str(record["article_id"]), (written_ms, seen_ms))

    def close(self) -> None:
        self._consumer.close()


def run_bench(bootstrap: str, rate: float, seconds: float, console: Console) -> None:
    tag = uuid.uuid4().hex[:8]
    articles, events, dead = (f"bench-{name}-{tag}" for name in ("articles", "events", "dead"))
    create_topics(KafkaSettings(bootstrap_servers=bootstrap), [articles, events, dead], partitions=1)
    command = [
        sys.executable, "-m", "pipeline", "run", "-b", bootstrap, "-i", articles, "-o", events, "-d", dead,
        "--group-id", f"bench-{tag}", "--checkpoint-seconds", "1", "--", "--runner=PrismRunner",
    ]  # fmt: skip
    watcher = EventWatcher(bootstrap, events)
    with tempfile.TemporaryFile() as stderr:
        job = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            sent = _drive(bootstrap, articles, job, watcher, rate, seconds, console)
        except TimeoutError as err:
            stderr.seek(0)
            raise SystemExit(f"{err}:\n{stderr.read().decode()[-2000:]}") from None
        finally:
            watcher.close()
            job.terminate()
            try:
                job.wait(60)
            except subprocess.TimeoutExpired:
                job.kill()
    report(sent, watcher.first, f"{rate:g} articles/s for {seconds:g}s", console)


def _drive(
    bootstrap: str,
    topic: str,
    job: subprocess.Popen[bytes],
    watcher: EventWatcher,
    rate: float,
    seconds: float,
    console: Console,
) -> dict[str, int]:
    """Warm up, then produce at `rate`; returns each article's send time (ms)."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
    started = time.monotonic()
    producer.produce(topic, article("warm-up", 0))
    producer.flush(10)
    while "warm-up" not in watcher.first:
        if job.poll() is not None or time.monotonic() - started > WARM_UP_TIMEOUT_S:
            raise TimeoutError(f"the run gave no event within {WARM_UP_TIMEOUT_S}s")
        watcher.poll(0.5)
    console.print(f"warm-up: first event after {time.monotonic() - started:.1f}s (model load, first bundle)")
    sent: dict[str, int] = {}
    total = int(rate * seconds)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"producing {rate:g} articles/s", total=total)
        begin = time.monotonic()
        for index in range(total):
            article_id = f"b{index}"
            sent_ms = int(time.time() * 1000)
            producer.produce(topic, article(article_id, index), timestamp=sent_ms)
            producer.poll(0)
            sent[article_id] = sent_ms
            progress.advance(task)
            watcher.poll(max(0.0, begin + (index + 1) / rate - time.monotonic()))
    producer.flush(10)
    drain_until = time.monotonic() + DRAIN_TIMEOUT_S
    while time.monotonic() < drain_until and not set(sent) <= set(watcher.first):
        watcher.poll(0.5)
    return sent


def report(sent: dict[str, int], first: dict[str, tuple[int, int]], load: str, console: Console) -> None:
    written = [(first[a][0] - t) / 1000 for a, t in sent.items() if a in first]
    seen = [(first[a][1] - t) / 1000 for a, t in sent.items() if a in first]
    table = Table(title=f"article-to-event latency, {load}, Prism, local broker")
    for column in ("measured to", "p50 s", "p95 s", "p99 s", "max s", "mean s"):
        table.add_column(column, justify="left" if column == "measured to" else "right")
    for label, values in (("event record written (its timestamp)", written), ("seen by a consumer", seen)):
        if values:
            cells = [percentile(values, q) for q in (0.5, 0.95, 0.99)] + [max(values), statistics.fmean(values)]
            table.add_row(label, *(f"{v:.2f}" for v in cells))
    console.print(table)
    console.print(f"{len(written)} of {len(sent)} articles produced events within {DRAIN_TIMEOUT_S}s of the last send")
    console.print(f"peak RSS of the run's CLI process (Beam worker included): {_children_peak_rss_mb():,.0f} MB")


def _children_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=10.0, help="articles per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--bootstrap", help="a broker to use instead of starting one (127.0.0.1 only)")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONWARNINGS", "ignore::RuntimeWarning")
    console = Console(width=120)
    if args.bootstrap:
        run_bench(args.bootstrap, args.rate, args.seconds, console)
    else:
        with local_broker() as bootstrap:
            run_bench(bootstrap, args.rate, args.seconds, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
