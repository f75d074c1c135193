"""Where a worker's time goes, in one run: start-up, the model's components, and a profile of a
one-process backfill by step. The README's account of the pipeline's cost quotes this.

    python scripts/profile_backfill.py [--words 30000]

1. Start-up of a worker, part by part (its imports timed in a fresh process).
2. Each component of the model as shipped, and of the extractor's own copy of it, run alone
   over the same paragraphs (`nlp.pipe` of each component in turn), as shares of the whole.
3. A one-process backfill under cProfile: the share of the run spent in each named step, and
   the extraction rules' share by stage. cProfile slows Python code far more than spaCy's
   compiled code, so these shares overstate the Python steps; they say where time goes, not
   how fast it goes. Nothing here can fail.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import time
from collections.abc import Callable

import spacy
from pipeline.logs import quiet_third_party_logs
from pipeline.nlp import places
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.lexicon import load_lexicon
from pipeline.nlp.models import DEFAULT_MODEL
from pipeline.nlp.ontology import load_ontology
from rich.console import Console
from rich.table import Table
from spacy.language import Language

from bench_extract import corpus, paragraphs_of, pipeline_seconds

RULES = "extraction rules and article passes"
# Steps of a backfill, each the cumulative time of the functions named (file suffix, function).
STEPS: list[tuple[str, list[tuple[str, str]]]] = [
    ("extractor start-up (model, ontology, gazetteer)", [("pipeline/nlp/extractor.py", "load")]),
    ("spaCy model (nlp.pipe)", [("spacy/language.py", "pipe")]),
    (RULES, [("pipeline/nlp/extractor.py", "_events"), ("pipeline/nlp/document.py", "build")]),
    ("decoding articles", [("pipeline/transforms/decode.py", "process")]),
    ("pickling through the Reshuffle", [("", "<built-in method _pickle.dumps>")]),
    ("EncodeEvents (records, mention groups, Avro)", [("pipeline/transforms/encode.py", "process")]),
    ("  of which Avro encoding", [("pipeline/io/avro_codec.py", "encode")]),
    ("writing Avro files", [("pipeline/io/avro_files.py", "process"), ("pipeline/io/avro_files.py", "finish_bundle")]),
]
# The rules' stages (pipeline/nlp/chain.py), each the cumulative time of the functions named.
RULE_STAGES: list[tuple[str, list[tuple[str, str]]]] = [
    ("entities: NER spans resolved over the article", [("pipeline/nlp/document.py", "build")]),
    ("casualty figures", [("pipeline/nlp/casualties.py", "find_casualties")]),
    ("trigger candidates", [("pipeline/nlp/triggers.py", "candidates")]),
    ("eventiveness, modality, retyping (drafts)", [("pipeline/nlp/chain.py", "_drafts")]),
    (
        "roles, quotes and speakers",
        [
            ("pipeline/nlp/roles.py", "find_actors"),
            ("pipeline/nlp/speech.py", "build_quote"),
            ("pipeline/nlp/speech.py", "reporting_speaker"),
        ],
    ),
    ("time", [("pipeline/nlp/timing.py", "prepare"), ("pipeline/nlp/timing.py", "time_for")]),
    ("codebook mapping", [("pipeline/nlp/mapping.py", "map_event")]),
    ("article memory", [("pipeline/nlp/context.py", "remember"), ("pipeline/nlp/timing.py", "remember")]),
]


def seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# A fresh Python process imports what a Beam worker imports: Beam, then the extraction step.
_IMPORTS = """
import time
started = time.perf_counter()
import apache_beam.runners.worker.sdk_worker_main
beam = time.perf_counter()
import pipeline.transforms.extract
print(beam - started, time.perf_counter() - beam)
"""


def start_up(console: Console) -> None:
    table = Table(title="worker start-up, part by part (seconds)")
    table.add_column("part")
    table.add_column("seconds", justify="right")
    found = subprocess.run([sys.executable, "-c", _IMPORTS], capture_output=True, text=True, check=True, timeout=120)
    beam, extraction = (float(part) for part in found.stdout.split())
    table.add_row("import Beam's worker (a fresh process)", f"{beam:.2f}")
    table.add_row("then import spaCy and the extraction step", f"{extraction:.2f}")
    places.shared_gazetteer.cache_clear()
    parts = [
        ("spaCy model", lambda: spacy.load(DEFAULT_MODEL)),
        ("ontology and lexicon", lambda: (load_ontology.__wrapped__(), load_lexicon.__wrapped__())),  # type: ignore[attr-defined]
        ("gazetteer index (cached on disk when it can be)", places.shared_gazetteer),
        ("country coder", lambda: places.CountryCoder(load_lexicon())),
    ]
    for name, work in parts:
        table.add_row(name, f"{seconds(work):.2f}")
    console.print(table)


def components(console: Console, paragraphs: list[str], extractor: EventExtractor) -> None:
    def timed(nlp: Language) -> dict[str, float]:
        found = {}
        started = time.perf_counter()
        docs = [nlp.make_doc(text) for text in paragraphs]
        found["tokenizer"] = time.perf_counter() - started
        for name, component in nlp.pipeline:
            started = time.perf_counter()
            pipe = getattr(component, "pipe", None)
            docs = list(pipe(docs, batch_size=64)) if pipe else [component(doc) for doc in docs]
            found[name] = time.perf_counter() - started
        return found

    shipped = timed(spacy.load(DEFAULT_MODEL))
    own = timed(extractor.nlp)
    total = sum(shipped.values())
    table = Table(title="model components run one after another (share of the shipped model's total)")
    for column in ("component", "model as shipped", "extractor's copy"):
        table.add_column(column, justify="left" if column == "component" else "right")
    for name in dict.fromkeys([*shipped, *own]):
        cells = [f"{found[name] / total:.0%}" if name in found else "-" for found in (shipped, own)]
        table.add_row(name, *cells)
    table.add_row("total", "100%", f"{sum(own.values()) / total:.0%}")
    console.print(table)


def backfill_profile(console: Console, words: int) -> None:
    articles = corpus(words)
    profile = cProfile.Profile()
    profile.enable()
    pipeline_seconds(articles, [], in_process=True)
    profile.disable()
    entries = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = max(cumulative for (_, _, _, cumulative, _) in entries.values())
    table = Table(title=f"one-process backfill under cProfile ({len(articles)} articles): share of the run per step")
    table.add_column("step")
    table.add_column("share", justify="right")
    for step, functions in STEPS:
        table.add_row(step, f"{_spent(entries, functions) / total:.1%}")
    console.print(table)
    rules = _spent(entries, dict(STEPS)[RULES])
    stages = Table(title="the extraction rules by stage under cProfile: share of the rules")
    stages.add_column("stage")
    stages.add_column("share", justify="right")
    for stage, functions in RULE_STAGES:
        stages.add_row(stage, f"{_spent(entries, functions) / rules:.0%}")
    console.print(stages)


def _spent(
    entries: dict[tuple[str, int, str], tuple[int, int, float, float, object]], functions: list[tuple[str, str]]
) -> float:
    """Cumulative seconds of the functions named (file suffix, function name)."""
    return sum(
        cumulative
        for (path, _, function), (_, _, _, cumulative, _) in entries.items()
        for suffix, wanted in functions
        if function == wanted and path.endswith(suffix)
    )


def main() -> int:
    os.environ.setdefault("PYTHONWARNINGS", "ignore::RuntimeWarning")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=30_000)
    args = parser.parse_args()
    quiet_third_party_logs()
    console = Console(width=120)
    start_up(console)
    extractor = EventExtractor.load()
    paragraphs = paragraphs_of(corpus(args.words))
    components(console, paragraphs, extractor)
    backfill_profile(console, args.words)
    return 0


if __name__ == "__main__":
    sys.exit(main())
