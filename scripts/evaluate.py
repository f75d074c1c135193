"""Extraction quality on the gold set: per-type precision, recall and F1, and accuracy of dates,
speakers, casualty figures, modality and sources.

    python scripts/evaluate.py                  # the development set (tests/gold/articles)
    python scripts/evaluate.py --set blind      # a set annotated before any run on it
    python scripts/evaluate.py --errors         # and every miss, extra and wrong attribute
    python scripts/evaluate.py --ratchet        # accept the current figures as the set's reference
    python scripts/evaluate.py --set stories    # story links: B-cubed and pairwise F1 (tests/gold/stories)
    python scripts/evaluate.py --set wide       # codebook classes of single sentences, against a lexicon

Sets: `gold` (developed against), `heldout` (5 articles, first run before tuning, since seen)
and `blind` (6 articles, first run recorded in the README, since seen). `stories` scores the
links between mentions of one event across articles, against the exact-match rule. `wide`
(1,197 sentences labelled with ACLED and PLOVER classes, tests/gold/wide) scores hit rate and
precision per standard and class family, beside a 30-line lemma lexicon in the same run.
Every set with a reference prints the figures that moved since it (the ratchet's tolerance is
pipeline/nlp/ratchet.py's TOLERANCE).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.nlp.codebook_evaluation import (
    STANDARDS,
    CodebookReport,
    NaiveLexicon,
    event_predictions,
    load_labelled,
    score_codebooks,
)
from pipeline.nlp.evaluation import Report, evaluate_directory
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.models import DEFAULT_MODEL
from pipeline.nlp.ratchet import TOLERANCE, changes, held, reference_of
from pipeline.nlp.types import ArticleText
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
WIDE = (GOLD_DIR / "wide", GOLD_DIR / "wide-baseline.json")
NAIVE_LEXICON = GOLD_DIR / "naive-lexicon.yaml"
# Single sentences carry no date: one publication time for all (a Wednesday).
WIDE_PUBLISHED_MS = 1_759_917_600_000


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


def evaluate_wide(model: str) -> tuple[CodebookReport, CodebookReport, int]:
    """The extractor and the naive lexicon on the wide set, with the same model, in one run."""
    extractor = EventExtractor.load(model)
    sentences = load_labelled(WIDE[0])
    articles = [ArticleText(body=s.text, published_at_ms=WIDE_PUBLISHED_MS) for s in sentences]
    ours = [event_predictions(events) for events in extractor.extract_batch(articles)]
    naive = NaiveLexicon.load(NAIVE_LEXICON)
    theirs = [naive.predict(t.lemma_.lower() for t in doc) for doc in extractor.nlp.pipe(s.text for s in sentences)]
    books = extractor.ontology.books
    return score_codebooks(sentences, ours, books), score_codebooks(sentences, theirs, books), len(sentences)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_wide_report(ours: CodebookReport, naive: CodebookReport, size: int, console: Console, classes: bool) -> None:
    table = Table(title=f"codebook classes on the wide set ({size} sentences)")
    for column in ("standard", "class family", "sentences", "hit rate", "lexicon", "precision", "lexicon"):
        table.add_column(column, justify="left" if column in ("standard", "class family") else "right")
    for standard in STANDARDS:
        mine, theirs = ours.scores[standard], naive.scores[standard]
        rows = [("all", mine.overall, theirs.overall)]
        rows += [(f, mine.families[f], theirs.families[f]) for f in sorted(mine.families)]
        for family, tally, baseline in rows:
            table.add_row(
                standard if family == "all" else "",
                family,
                str(tally.labelled),
                _pct(tally.hit_rate),
                _pct(baseline.hit_rate),
                _pct(tally.precision),
                _pct(baseline.precision),
                style="bold" if family == "all" else None,
            )
    console.print(table)
    if classes:
        detail = Table(title="per class: hit rate (sentences) and precision (events said)")
        for column in ("standard", "class", "sentences", "hit rate", "lexicon", "said", "precision", "lexicon"):
            detail.add_column(column, justify="left" if column in ("standard", "class") else "right")
        for standard in STANDARDS:
            mine, theirs = ours.scores[standard], naive.scores[standard]
            for name in sorted(set(mine.classes) | set(theirs.classes)):
                a, b = mine.classes[name], theirs.classes[name]
                detail.add_row(
                    standard, name, str(a.labelled), _pct(a.hit_rate), _pct(b.hit_rate),
                    str(a.predicted), _pct(a.precision), _pct(b.precision),
                )  # fmt: skip
        console.print(detail)


def print_changes(metrics: dict[str, float], reference_path: Path, console: Console) -> None:
    """The figures that moved since the stored reference, the held ones marked."""
    if not reference_path.exists():
        console.print(f"no reference yet ({reference_path.relative_to(ROOT)}): --ratchet stores one")
        return
    reference = json.loads(reference_path.read_text())
    moved = changes(metrics, reference)
    if not moved:
        console.print("no figure moved since the reference")
        return
    table = Table(title=f"moved since {reference_path.relative_to(ROOT)} (held figures may drop {TOLERANCE} at most)")
    for column in ("figure", "reference", "now", "change", ""):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for change in moved:
        beyond = held(change.name) and change.reference is not None and change.delta < -TOLERANCE
        flag = "BELOW TOLERANCE" if beyond else ("held" if held(change.name) else "")
        table.add_row(change.name, _pct(change.reference), _pct(change.now), f"{change.delta:+.3f}", flag)
    console.print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="list every miss, extra and wrong attribute")
    parser.add_argument("--ratchet", action="store_true", help="store the current figures as the set's reference")
    parser.add_argument("--classes", action="store_true", help="wide set: also the figures per class")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument(
        "--set", dest="name", choices=[*sorted(SETS), "stories", "wide"], default="gold", help="which set"
    )
    args = parser.parse_args()
    console = Console()
    if args.name == "wide":
        ours, naive, size = evaluate_wide(args.model)
        print_wide_report(ours, naive, size, console, args.classes)
        if args.errors:
            for line in [*ours.misses, *ours.wrong]:
                console.print(line, markup=False, highlight=False, soft_wrap=True)
        return _reference(ours.metrics(), WIDE[1], console, args.ratchet)
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
    return _reference(report.metrics(), baseline, console, args.ratchet)


def _reference(metrics: dict[str, float], path: Path, console: Console, ratchet: bool) -> int:
    print_changes(metrics, path, console)
    if ratchet:
        path.write_text(json.dumps(reference_of(metrics), indent=1) + "\n")
        console.print(f"reference written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
