"""Throughput of extraction, as ratios to raw spaCy on the same text, cores and run.

    python scripts/bench_extract.py [--words 150000] [--repeats 3] [--skip-pipeline]

Baselines: `nlp.pipe` of the same model, as shipped, over the same paragraphs (what any
spaCy-based coder pays at least), in one process and with `n_process=2`. Measured: the extractor
alone (segmentation, rules, entities, time), and the whole Beam pipeline on an archive of the
same articles, in one process and in two worker processes; each pipeline is set against the
baseline with the same number of processes. Then again once running: each backfill, and its
baseline, less its own run on the first quarter of the corpus, so that start-up and finish
cancel, as on a large backfill. Also printed: the share of sentences that hold a trigger
candidate, here and in each evaluation set (the most a trigger-first parse could skip is the
rest), peak memory, and the extractor's cost per word as articles grow 1x, 2x and 4x longer.
Nothing here can fail.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import spacy
from pipeline.config import ArchiveSourceSettings, ExtractionSettings, RunConfig
from pipeline.logs import quiet_third_party_logs
from pipeline.nlp.codebook_evaluation import load_labelled
from pipeline.nlp.evaluation import load_gold
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.models import DEFAULT_MODEL
from pipeline.nlp.segment import segment_article
from pipeline.nlp.triggers import TriggerFinder
from pipeline.nlp.types import ArticleText
from pipeline.runner import run
from rich.console import Console
from rich.table import Table
from spacy.language import Language

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


class DescendantMemory:
    """Peak RSS (VmHWM) of every process below this one, sampled from /proc while a run lasts:
    Beam workers and the NLP processes of `--nlp-processes` (children of a forkserver, which
    getrusage does not reach). Linux only; elsewhere it finds nothing and says so."""

    def __init__(self, every_s: float = 0.25) -> None:
        self._every_s = every_s
        self.peaks_mb: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> DescendantMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self._every_s):
            parents = {}
            for entry in Path("/proc").glob("[0-9]*"):
                try:
                    stat = (entry / "stat").read_text()
                    parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
            for pid in parents:
                ancestor = parents.get(pid)
                for _ in range(8):
                    if ancestor in (None, me, 0, 1):
                        break
                    ancestor = parents.get(ancestor)
                if ancestor != me:
                    continue
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        peak = int(line.split()[1]) / 1024
                        self.peaks_mb[pid] = max(self.peaks_mb.get(pid, 0.0), peak)


def _backfill(config: RunConfig, beam_args: list[str]) -> None:
    """A backfill's process; it ends as `newsevents backfill` does, without waiting for the
    threads of an NLP pool that outlives the run."""
    run(config, beam_args)
    os._exit(0)


def pipeline_seconds(
    articles: list[ArticleText],
    beam_args: list[str],
    nlp_processes: int = 1,
    peaks_mb: list[float] | None = None,
    *,
    in_process: bool = False,
) -> float:
    """Seconds for a backfill of `articles`, in a process of its own as `newsevents backfill`
    runs, so that every run pays its own start-up (imports, model, gazetteer); the peak RSS of
    each process it started goes into `peaks_mb`, largest first. `in_process`: in this one
    (for a profiler)."""
    with tempfile.TemporaryDirectory() as directory, DescendantMemory() as sampled:
        archive = Path(directory) / "articles.jsonl"
        with archive.open("w") as handle:
            for index, article in enumerate(articles):
                handle.write(json.dumps({"id": f"a{index}", "title": article.title, "body": article.body,
                                         "published_at": "2025-10-08T10:00:00Z"}) + "\n")  # fmt: skip
        config = RunConfig(
            source=ArchiveSourceSettings(pattern=str(archive)),
            output_dir=str(Path(directory) / "out"),
            extraction=ExtractionSettings(nlp_processes=nlp_processes),
        )
        started = time.perf_counter()
        if in_process:
            run(config, beam_args)
        else:
            backfill = multiprocessing.get_context("spawn").Process(target=_backfill, args=(config, beam_args))
            backfill.start()
            backfill.join()
            if backfill.exitcode != 0:
                raise RuntimeError(f"the backfill ended with exit code {backfill.exitcode}")
        seconds = time.perf_counter() - started
    if peaks_mb is not None:
        peaks_mb.extend(sorted(sampled.peaks_mb.values(), reverse=True))
    return seconds


def trigger_sentence_share(extractor: EventExtractor, finder: TriggerFinder, paragraphs: list[str]) -> tuple[int, int]:
    """(sentences holding at least one trigger candidate, all sentences) over the paragraphs."""
    sentences = [sent for doc in extractor.nlp.pipe(paragraphs, batch_size=64) for sent in doc.sents]
    return sum(1 for sent in sentences if finder.find(sent)), len(sentences)


def evaluation_texts() -> list[tuple[str, list[str]]]:
    """The paragraphs of each evaluation set, and the wide set's sentences."""
    gold = ROOT / "tests" / "gold"
    sets = []
    for name in ("articles", "heldout", "blind"):
        found = [g.article for g in load_gold(gold / name)]
        sets.append((f"{name} set", [s.text for a in found for s in segment_article(a.title, a.body)[0]]))
    sets.append(("wide set (single sentences)", [sentence.text for sentence in load_labelled(gold / "wide")]))
    return sets


def longer(articles: list[ArticleText], factor: int) -> list[ArticleText]:
    """Each article's body `factor` times over, as paragraphs, with as many words in all."""
    grown = [replace(a, body="\n\n".join([a.body] * factor)) for a in articles]
    return grown[: max(1, len(grown) // factor)]


def steady_table(steady: list[Steady], words: int, quarter_words: int) -> Table:
    """Throughput once running: each backfill's time on the corpus less its time on a quarter
    of it (so start-up and finish cancel), against the baseline's, less the same; and the
    start-up and finish that leaves in the quarter's run."""
    table = Table(title="once running: the whole corpus less a run on its first quarter (start-up and finish cancel)")
    columns = ("what", "seconds, quarter", "of which start and finish", "words/s once running", "ratio to raw spaCy")
    for column in (*columns, "baseline"):
        table.add_column(column, justify="left" if column in ("what", "baseline") else "right")
    for label, seconds, started, baseline, baseline_quarter, name in steady:
        running = max(seconds - started, 1e-9)
        rate = (words - quarter_words) / running
        table.add_row(
            label,
            f"{started:.2f}",
            f"{started - quarter_words / rate:.1f}",
            f"{rate:,.0f}",
            f"{max(baseline - baseline_quarter, 1e-9) / running:.2f}",
            f"{name}, less its own run on the quarter",
        )
    return table


def peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


Row = tuple[str, float, float, str]  # what, seconds, baseline seconds, baseline name
# what, seconds on the corpus and on its quarter, the baseline's two, the baseline's name
Steady = tuple[str, float, float, float, float, str]
TWO_WORKERS = [
    "--direct_num_workers=2",
    "--direct_running_mode=multi_processing",
    "--default_sdk_harness_log_level=WARNING",
]


def backfill_runs(
    articles: list[ArticleText], stock: Language, raw: float, raw2: float, repeats: int
) -> tuple[list[Row], list[Steady], dict[str, list[float]]]:
    """Each backfill on the corpus, and again on its first quarter: the difference is what the
    other three quarters cost once running, without start-up and finish, as on a large
    backfill. The baselines are run on the quarter too. Also the peak RSS of each process a
    backfill started."""
    few = quarter(articles)
    few_paragraphs = paragraphs_of(few)
    raw_few = median_seconds(lambda: list(stock.pipe(few_paragraphs, batch_size=64)), repeats)
    raw2_few = median_seconds(lambda: list(stock.pipe(few_paragraphs, batch_size=64, n_process=2)), repeats)
    backfills = [
        ("newsevents backfill, 1 process", [], 1, "1 process", raw, raw_few, "1 process"),
        ("newsevents backfill, 2 worker processes", TWO_WORKERS, 1, "2 Beam worker processes", raw2, raw2_few,
         "n_process=2"),
        ("newsevents backfill, 1 worker, --nlp-processes 2", [], 2, "1 worker, --nlp-processes 2", raw2, raw2_few,
         "n_process=2"),
    ]  # fmt: skip
    rows: list[Row] = []
    steady: list[Steady] = []
    memory: dict[str, list[float]] = {}
    for label, beam_args, nlp_processes, watched, baseline, baseline_few, name in backfills:
        seconds = pipeline_seconds(articles, beam_args, nlp_processes, peaks_mb=memory.setdefault(watched, []))
        rows.append((f"{label} (incl. start-up)", seconds, baseline, name))
        started = pipeline_seconds(few, beam_args, nlp_processes)
        steady.append((label, seconds, started, baseline, baseline_few, name))
    return rows, steady, memory


def trigger_shares(extractor: EventExtractor, paragraphs: list[str]) -> Table:
    shares = Table(title="sentences holding a trigger candidate (a trigger-first parse could skip only the rest)")
    for column in ("text", "sentences", "with a candidate", "share"):
        shares.add_column(column, justify="left" if column == "text" else "right")
    finder = TriggerFinder(extractor.nlp, extractor.ontology, extractor.lexicon)
    for name, texts in [("this corpus", paragraphs), *evaluation_texts()]:
        with_trigger, sentences = trigger_sentence_share(extractor, finder, texts)
        shares.add_row(name, f"{sentences:,}", f"{with_trigger:,}", f"{with_trigger / max(sentences, 1):.0%}")
    return shares


def cost_per_word(extractor: EventExtractor, articles: list[ArticleText], repeats: int) -> Table:
    scaling = Table(title="extractor cost per word as articles grow (same words in all)")
    for column in ("article length", "words/s", "cost per word vs 1x"):
        scaling.add_column(column, justify="right")
    base_cost = None
    for factor in (1, 2, 4):
        grown = longer(articles, factor)
        cost = median_seconds(lambda grown=grown: extractor.extract_batch(grown), repeats) / words_of(grown)
        base_cost = base_cost or cost
        scaling.add_row(f"{factor}x", f"{1 / cost:,.0f}", f"{cost / base_cost:.2f}")
    return scaling


def quarter(articles: list[ArticleText]) -> list[ArticleText]:
    """The first quarter of the corpus: big enough that every process has started and every
    batch size is reached."""
    return articles[: len(articles) // 4]


def words_of(articles: list[ArticleText]) -> int:
    return sum(len(a.body.split()) + len((a.title or "").split()) for a in articles)


def paragraphs_of(articles: list[ArticleText]) -> list[str]:
    return [s.text for a in articles for s in segment_article(a.title, a.body)[0]]


def main() -> int:
    # Worker processes inherit this: BatchElements' timing fit warns on tiny samples.
    os.environ.setdefault("PYTHONWARNINGS", "ignore::RuntimeWarning")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=150_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-pipeline", action="store_true", help="no backfills")
    parser.add_argument(
        "--backfills-only", action="store_true", help="the baselines and the backfills only (for a large corpus)"
    )
    args = parser.parse_args()
    quiet_third_party_logs()
    console = Console(width=120)

    extractor = EventExtractor.load()
    articles = corpus(args.words)
    words = words_of(articles)
    paragraphs = paragraphs_of(articles)
    console.print(
        f"{len(articles)} articles, {words:,} words, {len(paragraphs):,} paragraphs; model {extractor.version}"
    )

    # The baseline is the model as shipped; the extractor's copy has its attribute_ruler
    # indexed and its lemmatizer remembering (same annotations) and the lemma fixes added.
    stock = spacy.load(DEFAULT_MODEL)
    raw = median_seconds(lambda: list(stock.pipe(paragraphs, batch_size=64)), args.repeats)
    raw2 = median_seconds(lambda: list(stock.pipe(paragraphs, batch_size=64, n_process=2)), args.repeats)
    rows: list[Row] = [
        ("raw spaCy nlp.pipe, model as shipped, 1 process (baseline)", raw, raw, "1 process"),
        ("raw spaCy nlp.pipe, model as shipped, n_process=2", raw2, raw2, "n_process=2"),
    ]
    if not args.backfills_only:
        own = median_seconds(lambda: list(extractor.nlp.pipe(paragraphs, batch_size=64)), args.repeats)
        extracted = median_seconds(lambda: extractor.extract_batch(articles), args.repeats)
        rows.append(("the extractor's spaCy pipeline alone (indexed attribute_ruler, remembering lemmatizer, "
                     "lemma fixes)", own, raw, "1 process"))  # fmt: skip
        rows.append(("extractor.extract_batch, 1 process", extracted, raw, "1 process"))
    steady: list[Steady] = []
    memory: dict[str, list[float]] = {}
    if not args.skip_pipeline:
        backfill_rows, steady, memory = backfill_runs(articles, stock, raw, raw2, args.repeats)
        rows += backfill_rows

    table = Table(title="extraction throughput (median of runs; pipelines once)")
    for column in ("what", "seconds", "words/s", "ratio to raw spaCy", "baseline"):
        table.add_column(column, justify="left" if column in ("what", "baseline") else "right")
    for label, seconds, baseline, name in rows:
        table.add_row(label, f"{seconds:.2f}", f"{words / seconds:,.0f}", f"{baseline / seconds:.2f}", name)
    console.print(table)
    if steady:
        console.print(steady_table(steady, words, words_of(quarter(articles))))
    for run_name, peaks in memory.items():
        shown = ", ".join(f"{peak:,.0f}" for peak in peaks) if peaks else "none seen (not Linux?)"
        console.print(f"peak RSS of the processes the backfill started ({run_name}), MB: {shown}")
    if not args.backfills_only:
        console.print(trigger_shares(extractor, paragraphs))
        console.print(cost_per_word(extractor, articles, args.repeats))
    console.print(
        f"peak RSS: this process (model, extractor, corpus) {peak_rss_mb(resource.RUSAGE_SELF):,.0f} MB; "
        f"largest child process (a backfill, a Beam worker or an n_process=2 spaCy worker) "
        f"{peak_rss_mb(resource.RUSAGE_CHILDREN):,.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
