"""The gold set: issue targets, and a ratchet that fails when any score drops below the best
level reached (tests/gold/baseline.json; raise it with `python scripts/evaluate.py --ratchet`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pipeline.nlp.evaluation import Report, below_baseline, evaluate_directory
from pipeline.nlp.extractor import EventExtractor

pytestmark = pytest.mark.model
GOLD = Path(__file__).resolve().parents[1] / "gold"
TOLERANCE = 1e-4  # rounding of the stored figures


@pytest.fixture(scope="module")
def report(extractor: EventExtractor) -> Report:
    return evaluate_directory(extractor, GOLD / "articles")


def test_gold_set_covers_every_event_type(report: Report) -> None:
    from pipeline.nlp.ontology import EVENT_TYPES

    annotated = {name for name, counts in report.by_type.items() if counts.tp + counts.fn > 0}
    assert annotated == set(EVENT_TYPES) - {"OTHER"}


@pytest.mark.parametrize(
    ("metric", "target"),
    [("micro_f1", 0.90), ("date_accuracy", 0.90), ("speaker_accuracy", 0.90), ("casualty_accuracy", 0.90)],
)
def test_issue_targets(report: Report, metric: str, target: float) -> None:
    assert report.metrics()[metric] >= target


def test_no_score_falls_below_the_ratchet(report: Report) -> None:
    baseline: dict[str, float] = json.loads((GOLD / "baseline.json").read_text())
    assert below_baseline(report.metrics(), baseline, TOLERANCE) == {}


@pytest.mark.parametrize("name", ["heldout", "blind"])
def test_later_annotated_sets_do_not_regress(extractor: EventExtractor, name: str) -> None:
    """Sets annotated before their first run: no issue target, but no score may fall below its best."""
    current = evaluate_directory(extractor, GOLD / name).metrics()
    baseline: dict[str, float] = json.loads((GOLD / f"{name}-baseline.json").read_text())
    assert below_baseline(current, baseline, TOLERANCE) == {}
