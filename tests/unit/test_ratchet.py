"""The ratchet: aggregates are held within a tolerance, per-type figures move freely but show."""

from __future__ import annotations

from pipeline.nlp.ratchet import TOLERANCE, changes, held, reference_of, regressions


def test_a_held_figure_may_drop_by_the_tolerance_and_no_more() -> None:
    reference = {"micro_f1": 0.90, "date_accuracy": 0.95}
    assert regressions({"micro_f1": 0.90 - TOLERANCE / 2, "date_accuracy": 0.95}, reference) == []
    (fallen,) = regressions({"micro_f1": 0.90 - 2 * TOLERANCE, "date_accuracy": 0.96}, reference)
    assert fallen.name == "micro_f1"
    assert round(fallen.delta, 3) == -0.02


def test_a_held_figure_that_disappears_falls_through() -> None:
    (gone,) = regressions({}, {"micro_f1": 0.9})
    assert (gone.name, gone.now) == ("micro_f1", None)


def test_a_types_figure_is_a_trade_off_shown_not_held() -> None:
    reference = {"micro_f1": 0.9, "STRIKE.recall": 1.0}
    metrics = {"micro_f1": 0.91, "STRIKE.recall": 0.5}
    assert regressions(metrics, reference) == []
    moved = {c.name: round(c.delta, 2) for c in changes(metrics, reference)}
    assert moved == {"micro_f1": 0.01, "STRIKE.recall": -0.5}


def test_wide_set_aggregates_are_held() -> None:
    assert held("acled.all.hit_rate")
    assert held("plover.verbal cooperation.precision")
    assert not held("STRIKE.precision")
    assert reference_of({"acled.Riots.hit_rate": 0.5, "RIOT.f1": 0.4}) == {"acled.Riots.hit_rate": 0.5}
