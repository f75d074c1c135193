"""Throughput of extraction, as ratios to raw spaCy on the same text, cores and run.

    python scripts/bench_extract.py [--words 60000] [--repeats 3] [--skip-pipeline]

Baseline: `nlp.pipe` of the same model over the same paragraphs (what any spaCy-based coder
pays at least). Measured: the extractor alone (segmentation, rules, entities, time), and the
whole Beam pipeline on an archive of the same articles, in one process and in two worker
processes. Prints words per second and the ratio to the baseline; nothing here can fail.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.config import ArchiveSourceSettings, RunConfig
from pipeline.logs import quiet_third_party_logs
from pipeline.nlp.evaluation import load_gold
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.segment import segment_article
from pipeline.nlp.types import ArticleText
from pipeline.runner import run
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent


def corpus(target_words: int) -> list[ArticleText]:
    """The gold and sample articles, repeated until the corpus has about `target_words` words."""
    articles = [a.article for d in ("articles", "heldout") for a in load_gold(ROOT / "tests" / "gold" / d)]
    for path in sorted((ROOT / "data" / "samples").glob("*.json")):
        doc = json.loads(path.read_text())
        articles.append(ArticleText(body=doc["body"], title=doc.get("title"), published_at_ms=1_760_000_000_000))
    words = sum(len(a.body.split()) for a in articles)
    return articles * max(1, round(target_words / words))


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def pipeline_seconds(articles: list[ArticleText], beam_args: list[str]) -> float:
    with tempfile.TemporaryDirectory() as directory:
        archive = Path(directory) / "articles.jsonl"
        with archive.open("w") as handle:
            for index, article in enumerate(articles):
                handle.write(json.dumps({"id": f"a{index}", "title": article.title, "body": article.body,
                                         "published_at": "2025-10-08T10:00:00Z"}) + "\n")  # fmt: skip
        config = RunConfig(source=ArchiveSourceSettings(pattern=str(archive)), output_dir=str(Path(directory) / "out"))
        started = time.perf_counter()
        run(config, beam_args)
        return time.perf_counter() - started


def main() -> int:
    # Worker processes inherit this: BatchElements' timing fit warns on tiny samples.
    os.environ.setdefault("PYTHONWARNINGS", "ignore::RuntimeWarning")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=60_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-pipeline", action="store_true")
    args = parser.parse_args()
    quiet_third_party_logs()
    console = Console()

    extractor = EventExtractor.load()
    articles = corpus(args.words)
    words = sum(len(a.body.split()) + len((a.title or "").split()) for a in articles)
    paragraphs = [s.text for a in articles for s in segment_article(a.title, a.body)[0]]
    console.print(
        f"{len(articles)} articles, {words:,} words, {len(paragraphs):,} paragraphs; model {extractor.version}"
    )

    raw = median_seconds(lambda: list(extractor.nlp.pipe(paragraphs, batch_size=64)), args.repeats)
    rows = [("raw spaCy nlp.pipe (baseline)", raw)]
    rows.append(("extractor.extract_batch", median_seconds(lambda: extractor.extract_batch(articles), args.repeats)))
    if not args.skip_pipeline:
        rows.append(("Beam pipeline, FnApiRunner, 1 process (incl. start-up)", pipeline_seconds(articles, [])))
        rows.append(
            (
                "Beam pipeline, FnApiRunner, 2 worker processes (incl. start-up)",
                pipeline_seconds(articles, ["--direct_num_workers=2", "--direct_running_mode=multi_processing"]),
            )
        )

    table = Table(title="extraction throughput (median of runs; pipelines once)")
    for column in ("what", "seconds", "words/s", "ratio to raw spaCy"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for label, seconds in rows:
        table.add_row(label, f"{seconds:.2f}", f"{words / seconds:,.0f}", f"{raw / seconds:.2f}")
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
