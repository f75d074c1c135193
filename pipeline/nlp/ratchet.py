"""The ratchet over evaluation figures: a stored reference per set, a tolerance, and what changed.

Only aggregate figures are held (micro precision, recall and F1, the attribute accuracies; for
the wide set, hit rate and precision per standard and class family): a fix may trade a little of
one type for more of another, and the report shows every figure that moved, per type too, so
the trade is seen. A figure falls through the ratchet when it drops more than `TOLERANCE` below
its reference; `scripts/evaluate.py --ratchet` accepts the current figures as the new reference.
"""

from __future__ import annotations

from dataclasses import dataclass

TOLERANCE = 0.01
HELD = (
    "micro_f1",
    "micro_precision",
    "micro_recall",
    "date_accuracy",
    "speaker_accuracy",
    "casualty_accuracy",
    "modality_accuracy",
    "source_accuracy",
)


@dataclass(frozen=True, slots=True)
class Change:
    name: str
    reference: float | None
    now: float | None

    @property
    def delta(self) -> float:
        return (self.now or 0.0) - (self.reference or 0.0)


def held(name: str) -> bool:
    """Whether the ratchet holds a figure: the aggregates, never a single type's."""
    return name in HELD or (name.endswith((".hit_rate", ".precision")) and name.count(".") == 2)


def changes(metrics: dict[str, float], reference: dict[str, float]) -> list[Change]:
    """Every figure that differs from its reference (or is new, or gone), held ones first."""
    names = sorted(set(metrics) | set(reference), key=lambda n: (not held(n), n))
    return [
        Change(name, reference.get(name), metrics.get(name))
        for name in names
        if reference.get(name) is None or metrics.get(name) is None or abs(metrics[name] - reference[name]) >= 1e-4
    ]


def regressions(metrics: dict[str, float], reference: dict[str, float], tolerance: float = TOLERANCE) -> list[Change]:
    """Held figures more than `tolerance` below their reference (or missing)."""
    return [
        change
        for change in changes(metrics, reference)
        if held(change.name) and change.reference is not None and change.delta < -tolerance
    ]


def reference_of(metrics: dict[str, float]) -> dict[str, float]:
    """What to store as the reference: the held figures."""
    return {name: value for name, value in sorted(metrics.items()) if held(name)}
