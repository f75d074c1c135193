"""Scoring codebook classes on labelled sentences: hit rate, precision, families, baseline."""

from __future__ import annotations

import pytest
from pipeline.nlp.codebook_evaluation import LabelledSentence, NaiveLexicon, score_codebooks
from pipeline.nlp.ontology import load_codebooks


def sentence(ident: str, acled: set[str], plover: set[str]) -> LabelledSentence:
    return LabelledSentence(ident, "text", frozenset(acled), frozenset(plover))


SENTENCES = [
    sentence("a", {"Air/drone strike"}, {"ASSAULT"}),
    sentence("b", {"Peaceful protest"}, {"PROTEST"}),
    sentence("c", set(), {"CONSULT"}),
    sentence("d", set(), set()),  # no event
]


def test_hits_precision_and_families() -> None:
    predictions = [
        [("Air/drone strike", "ASSAULT")],  # right on both
        [("Violent demonstration", "PROTEST")],  # wrong ACLED class, right PLOVER
        [(None, None)],  # an event with no class in either standard: not counted
        [("Armed clash", "ASSAULT")],  # an event where there is none: wrong on both
    ]
    report = score_codebooks(SENTENCES, predictions, load_codebooks())
    acled, plover = report.scores["acled"], report.scores["plover"]
    assert (acled.overall.hits, acled.overall.labelled) == (1, 2)
    assert (acled.overall.correct, acled.overall.predicted) == (1, 3)
    assert (plover.overall.hits, plover.overall.labelled) == (2, 3)
    assert (plover.overall.correct, plover.overall.predicted) == (2, 3)
    assert acled.families["Explosions/Remote violence"].hit_rate == 1.0
    assert acled.families["Protests"].hit_rate == 0.0
    assert acled.families["Riots"].precision == 0.0
    assert plover.families["verbal cooperation"].hit_rate == 0.0
    metrics = report.metrics()
    assert metrics["acled.all.hit_rate"] == 0.5
    assert metrics["plover.all.precision"] == pytest.approx(0.6667)


def test_nothing_said_is_no_precision_figure_not_a_perfect_one() -> None:
    report = score_codebooks(SENTENCES, [[], [], [], []], load_codebooks())
    assert report.scores["acled"].overall.precision is None
    assert "acled.all.precision" not in report.metrics()
    assert report.metrics()["acled.all.hit_rate"] == 0.0


def test_the_naive_lexicon_says_the_class_of_every_lemma_it_knows() -> None:
    lexicon = NaiveLexicon({"clash": ("Armed clash", "ASSAULT"), "meet": (None, "CONSULT")})
    assert lexicon.predict(["rebel", "clash", "with", "army", "meet"]) == [
        ("Armed clash", "ASSAULT"),
        (None, "CONSULT"),
    ]
