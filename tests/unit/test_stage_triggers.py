"""Stage 2, trigger candidates, on hand-built parses: one lemma, several types, told apart by the
context patterns of the ontology; phrases cover their words; glued participles are no acts."""

from __future__ import annotations

import pytest
import spacy
from pipeline.nlp.language import add_lemma_fixes
from pipeline.nlp.lexicon import load_lexicon
from pipeline.nlp.ontology import load_ontology
from pipeline.nlp.triggers import TriggerFinder

from tests.docs import NLP, parse


@pytest.fixture(scope="module")
def finder() -> TriggerFinder:
    return TriggerFinder(NLP, load_ontology(), load_lexicon())


def types(finder: TriggerFinder, *rows: str) -> list[tuple[str, str]]:
    doc = parse(*rows)
    return [(t.event_type, t.text) for t in finder.find(doc[:])]


@pytest.mark.parametrize(
    ("taken", "expected"),
    [
        ("village village NOUN NN", "CLASH"),  # a place taken: territory
        ("rifles rifle NOUN NNS", "INTERCEPTION"),  # weapons taken: an attack prevented
        ("journalist journalist NOUN NN", "ARREST"),  # a person taken: an arrest
        ("cattle cattle NOUN NNS", "COERCION"),  # goods taken: a confiscation
    ],
)
def test_one_verb_four_types_by_what_is_taken(finder: TriggerFinder, taken: str, expected: str) -> None:
    found = types(
        finder,
        "Fighters fighter NOUN NNS nsubj 1",
        "seized seize VERB VBD ROOT 1",
        "a a DET DT det 3",
        f"{taken} dobj 1",
    )
    assert found == [(expected, "seized")]


def test_a_participle_glued_to_a_name_is_no_act(finder: TriggerFinder) -> None:
    found = types(
        finder,
        "Kremlin Kremlin PROPN NNP compound 2",
        "- - PUNCT HYPH punct 2",
        "backed back VERB VBN amod 3",
        "militias militia NOUN NNS nsubj 4",
        "regrouped regroup VERB VBD ROOT 4",
    )
    assert ("SUPPORT", "backed") not in found


def test_a_labour_strike_is_a_protest_and_an_air_strike_is_not(finder: TriggerFinder) -> None:
    labour = types(
        finder,
        "Dockers docker NOUN NNS nsubj 1",
        "began begin VERB VBD ROOT 1",
        "a a DET DT det 3",
        "strike strike NOUN NN dobj 1",
    )
    assert labour == [("PROTEST", "strike")]
    bombing = types(
        finder,
        "An an DET DT det 2",
        "air air NOUN NN compound 2",
        "strike strike NOUN NN nsubj 3",
        "hit hit VERB VBD ROOT 3",
        "depot depot NOUN NN dobj 3",
    )
    assert ("STRIKE", "air strike") in bombing
    assert all(t != "PROTEST" for t, _ in bombing)


def test_a_phrase_covers_its_words(finder: TriggerFinder) -> None:
    found = types(
        finder,
        "Inmates inmate NOUN NNS nsubj 1",
        "began begin VERB VBD ROOT 1",
        "a a DET DT det 4",
        "hunger hunger NOUN NN compound 4",
        "strike strike NOUN NN dobj 1",
    )
    assert found == [("PROTEST", "hunger strike")]  # not also a famine ("hunger")


def test_a_water_cannon_turned_on_a_boat_is_no_crowd_dispersal(finder: TriggerFinder) -> None:
    rows = [
        "Guards guard NOUN NNS nsubj 1",
        "fired fire VERB VBD ROOT 1",
        "water water NOUN NN compound 3",
        "cannon cannon NOUN NN dobj 1",
        "at at ADP IN prep 1",
    ]
    at_crowd = types(finder, *rows, "marchers marcher NOUN NNS pobj 4")
    at_boat = types(finder, *rows, "trawler trawler NOUN NN pobj 4")
    assert at_crowd == [("DISPERSAL", "fired")]
    assert at_boat == [("STRIKE", "fired")]


def test_the_lemma_fixes_component_mends_a_verb_for_every_later_stage() -> None:
    nlp = spacy.blank("en", vocab=NLP.vocab)  # a blank pipeline of its own, on the docs' vocabulary
    add_lemma_fixes(nlp, load_lexicon())
    add_lemma_fixes(nlp, load_lexicon())  # idempotent
    doc = parse("Farmers farmer NOUN NNS nsubj 1", "staged stag VERB VBD ROOT 1", "sit sit NOUN NN dobj 1")
    fixed = nlp.get_pipe("newsevents_lemma_fixes")(doc)
    assert [t.lemma_ for t in fixed] == ["farmer", "stage", "sit"]
    noun = nlp.get_pipe("newsevents_lemma_fixes")(parse("stages stage NOUN NNS ROOT 0"))
    assert noun[0].lemma_ == "stage"  # only verbs are mended
