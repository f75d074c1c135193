"""A second, independent Kafka client (confluent-kafka / librdkafka) to check what we wrote."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from pipeline.io.avro_codec import AvroCodec


def produce(
    bootstrap: str,
    topic: str,
    payloads: list[bytes],
    timestamps_ms: list[int] | None = None,
    max_bytes: int = 1_000_000,
) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "message.max.bytes": max_bytes})
    for index, payload in enumerate(payloads):
        key = _key(payload)
        if timestamps_ms is None:
            producer.produce(topic, value=payload, key=key)
        else:
            producer.produce(topic, value=payload, key=key, timestamp=timestamps_ms[index])
    assert producer.flush(30) == 0


def _key(payload: bytes) -> bytes | None:
    try:
        value = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        return None
    return str(value["id"]).encode("utf-8", "backslashreplace")


def consume_all(
    bootstrap: str, topic: str, expect_at_least: int = 0, timeout_s: float = 60.0
) -> list[tuple[bytes, bytes]]:
    """(key, value) of every record in the topic; waits up to timeout_s for expect_at_least."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"check-{time.time_ns()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    records: list[tuple[bytes, bytes]] = []
    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                if len(records) >= expect_at_least and time.monotonic() - quiet_since > 3:
                    break
                continue
            assert message.error() is None, message.error()
            records.append((message.key(), message.value()))
            quiet_since = time.monotonic()
    finally:
        consumer.close()
    return records


def decode(records: list[tuple[bytes, bytes]], schema: str) -> list[dict[str, Any]]:
    codec = AvroCodec(schema)
    framed = AvroCodec(schema, confluent_schema_id=0)
    return [framed.decode(v) if v[:1] == b"\x00" else codec.decode(v) for _, v in records]


_COORDINATOR_MOVING = {
    KafkaError.NOT_COORDINATOR,
    KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
    KafkaError.COORDINATOR_NOT_AVAILABLE,
}


def committed(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int]:
    """Committed offsets of a group; retries while a fresh broker's coordinator is loading."""
    deadline = time.monotonic() + 60
    while True:
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
        try:
            found = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=20)
            return {tp.partition: tp.offset for tp in found}
        except KafkaException as err:
            # A broker that just (re)started moves or loads its group coordinator: wait for it.
            moving = err.args[0].code() in _COORDINATOR_MOVING
            if not (err.args[0].retriable() or moving) or time.monotonic() > deadline:
                raise
            time.sleep(1)
        finally:
            consumer.close()


def end_offsets(bootstrap: str, topic: str, partitions: int) -> dict[int, int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "offsets-probe"})
    try:
        return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=20)[1] for p in range(partitions)}
    finally:
        consumer.close()


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str, every_s: float = 1.0) -> None:
    """Poll `condition` until it holds; fail the test after `timeout_s` (every loop is bounded)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")


def descendants(pid: int) -> list[int]:
    """PIDs of every live process below `pid` (from /proc: children of children too)."""
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        try:
            with open(f"/proc/{parent}/task/{parent}/children") as handle:
                children = [int(c) for c in handle.read().split()]
        except OSError:
            continue
        found += children
        pending += children
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@dataclass
class CliRun:
    """A `newsevents` command running in a session of its own, its stderr in a file."""

    process: subprocess.Popen[bytes]
    stderr_path: Path

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def signal(self, signum: int) -> None:
        os.kill(self.process.pid, signum)

    def kill_hard(self) -> None:
        """kill -9 of the whole process group: a crash, no shutdown, no flush."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def wait(self, timeout_s: float) -> int:
        return self.process.wait(timeout=timeout_s)


@contextmanager
def newsevents_cli(args: list[str], log_dir: Path) -> Iterator[CliRun]:
    """Start `newsevents ARGS`; whatever still runs at the end is killed, with its children."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stderr_path = log_dir / f"newsevents-{time.time_ns()}.stderr"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", *args],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
            env={**os.environ, "COLUMNS": "200"},
        )
    run = CliRun(process, stderr_path)
    try:
        yield run
    finally:
        if process.poll() is None:
            children = descendants(process.pid)
            os.killpg(process.pid, signal.SIGKILL)
            for child in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
            process.wait(timeout=30)


def article_ids(bootstrap: str, topic: str, expect: int = 0, timeout_s: float = 10) -> list[str]:
    records = consume_all(bootstrap, topic, expect_at_least=expect, timeout_s=timeout_s)
    return [e["article_id"] for e in decode(records, "event")]


def fully_committed(bootstrap: str, group: str, topic: str, partitions: int = 3) -> bool:
    """Every partition that has records is committed up to its end."""
    done = committed(bootstrap, group, topic, partitions)
    return all(done.get(p) == end for p, end in end_offsets(bootstrap, topic, partitions).items() if end > 0)


def read_to_end(bootstrap: str, topic: str, partitions: int, timeout_s: float = 120.0) -> list[tuple[bytes, bytes]]:
    """Every record of the topic up to the end offsets it has now, partition by partition.

    Unlike consume_all, this cannot stop early while one partition is still unavailable (as
    after a broker restart): it reads until each partition reaches its end offset, or fails.
    """
    deadline = time.monotonic() + timeout_s
    ends: dict[int, int] = {}
    while len(ends) < partitions:
        try:
            ends = end_offsets(bootstrap, topic, partitions)
        except KafkaException:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"check-{time.time_ns()}", "enable.auto.commit": False}
    )
    records: list[tuple[bytes, bytes]] = []
    try:
        consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions) if ends[p] > 0])
        reached = dict.fromkeys(range(partitions), 0)
        while any(reached[p] < ends[p] for p in range(partitions)):
            assert time.monotonic() < deadline, f"read only {reached} of {ends} in {timeout_s:.0f}s"
            message = consumer.poll(0.5)
            if message is None:
                continue
            assert message.error() is None, message.error()
            records.append((message.key(), message.value()))
            reached[message.partition()] = message.offset() + 1
    finally:
        consumer.close()
    return records
