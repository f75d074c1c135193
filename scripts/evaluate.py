"""Extraction quality on the gold set: per-type precision, recall and F1, and accuracy of dates,
speakers, casualty figures, modality and sources.

    python scripts/evaluate.py                  # the development set (tests/gold/articles)
    python scripts/evaluate.py --set blind      # a set annotated before any run on it
    python scripts/evaluate.py --errors         # and every miss, extra and wrong attribute
    python scripts/evaluate.py --ratchet        # raise the set's stored baseline where it improved

Sets: `gold` (developed against), `heldout` (5 articles, first run before tuning, since seen)
and `blind` (6 articles, first run recorded in the README, since seen).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.nlp.evaluation import Report, evaluate_directory
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.models import DEFAULT_MODEL
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "tests" / "gold"
# name -> (articles, stored baseline)
SETS = {
    "gold": (GOLD_DIR / "articles", GOLD_DIR / "baseline.json"),
    "heldout": (GOLD_DIR / "heldout", GOLD_DIR / "heldout-baseline.json"),
    "blind": (GOLD_DIR / "blind", GOLD_DIR / "blind-baseline.json"),
}


def evaluate(model: str = DEFAULT_MODEL, directory: Path = SETS["gold"][0]) -> Report:
    return evaluate_directory(EventExtractor.load(model), directory)


def print_report(report: Report, console: Console, name: str = "gold") -> None:
    table = Table(title=f"event types on the {name} set")
    for column in ("type", "gold", "found", "precision", "recall", "F1"):
        table.add_column(column, justify="right" if column != "type" else "left")
    for name, counts in sorted(report.by_type.items()):
        gold, found = counts.tp + counts.fn, counts.tp + counts.fp
        table.add_row(
            name, str(gold), str(found), f"{counts.precision:.2f}", f"{counts.recall:.2f}", f"{counts.f1:.2f}"
        )
    micro = report.micro
    table.add_row(
        "micro",
        str(micro.tp + micro.fn),
        str(micro.tp + micro.fp),
        f"{micro.precision:.3f}",
        f"{micro.recall:.3f}",
        f"{micro.f1:.3f}",
        style="bold",
    )
    console.print(table)
    accuracies = {
        "dates": report.dates,
        "speakers": report.speakers,
        "casualty figures": report.casualties,
        "modality": report.modality,
        "sources": report.sources,
    }
    for label, accuracy in accuracies.items():
        console.print(
            f"{label + ' accuracy':<28} {accuracy.value:.3f}  ({accuracy.correct}/{accuracy.total} matched events)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="list every miss, extra and wrong attribute")
    parser.add_argument("--ratchet", action="store_true", help="raise the stored baseline where the scores improved")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--set", dest="name", choices=sorted(SETS), default="gold", help="which annotated set")
    args = parser.parse_args()
    console = Console()
    directory, baseline = SETS[args.name]
    report = evaluate(args.model, directory)
    print_report(report, console, args.name)
    if args.errors:
        for line in report.errors:
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    if args.ratchet:
        current = report.metrics()
        stored = json.loads(baseline.read_text()) if baseline.exists() else {}
        merged = {k: max(v, stored.get(k, 0.0)) for k, v in current.items()}
        baseline.write_text(json.dumps(dict(sorted(merged.items())), indent=1) + "\n")
        console.print(f"baseline written to {baseline.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
