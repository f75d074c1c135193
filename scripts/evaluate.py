"""Extraction quality on the gold set: per-type precision, recall and F1, and accuracy of dates,
speakers, casualty figures, modality and sources.

    python scripts/evaluate.py                  # the development set (tests/gold/articles)
    python scripts/evaluate.py --set blind      # a set annotated before any run on it
    python scripts/evaluate.py --errors         # and every miss, extra and wrong attribute
    python scripts/evaluate.py --ratchet        # raise the set's stored baseline where it improved
    python scripts/evaluate.py --set stories    # story links: B-cubed and pairwise F1 (tests/gold/stories)

Sets: `gold` (developed against), `heldout` (5 articles, first run before tuning, since seen)
and `blind` (6 articles, first run recorded in the README, since seen). `stories` scores the
links between mentions of one event across articles, against the exact-match rule.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.nlp.evaluation import Report, evaluate_directory
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.models import DEFAULT_MODEL
from pipeline.stories.evaluation import StoryReport, evaluate_stories
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
STORIES_DIR = GOLD_DIR / "stories"


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


def print_story_report(report: StoryReport, console: Console) -> None:
    console.print(
        f"gold mentions matched to extracted events: {report.matched}/{report.gold_mentions} "
        f"({report.gold_stories} gold stories); only matched mentions are scored"
    )
    table = Table(title="story links on the stories set")
    for column in ("rule", "B-cubed P", "B-cubed R", "B-cubed F1", "pairwise P", "pairwise R", "pairwise F1"):
        table.add_column(column, justify="right" if column != "rule" else "left")
    for rule, scores in (
        ("newsevents stories", report.linked),
        ("exact match (type, day, country)", report.exact_match),
    ):
        b, p = scores["bcubed"], scores["pairwise"]
        table.add_row(rule, *(f"{v:.3f}" for v in (b.precision, b.recall, b.f1, p.precision, p.recall, p.f1)))
    console.print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="list every miss, extra and wrong attribute")
    parser.add_argument("--ratchet", action="store_true", help="raise the stored baseline where the scores improved")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--set", dest="name", choices=[*sorted(SETS), "stories"], default="gold", help="which set")
    args = parser.parse_args()
    console = Console()
    if args.name == "stories":
        story_report = evaluate_stories(EventExtractor.load(args.model), STORIES_DIR)
        if story_report.matched == 0:
            console.print("no gold mention matched an extracted event: nothing to score")
            return 1
        print_story_report(story_report, console)
        if args.errors:
            for line in story_report.errors:
                console.print(line, markup=False, highlight=False, soft_wrap=True)
        return 0
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
