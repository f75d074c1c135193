"""The indexed attribute ruler sets what spaCy's AttributeRuler sets, rule for rule, on
hand-built parses (no model)."""

from __future__ import annotations

import pytest
import spacy
from pipeline.nlp import attributes
from pipeline.nlp.attributes import INDEXED, STOCK, IndexedAttributeRuler, index_attribute_ruler
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

RULES = [
    # by tag, then exceptions that must win over it (later rules override earlier ones)
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN", "MORPH": "Number=Sing"}},
    {"patterns": [[{"TAG": "VBD"}]], "attrs": {"POS": "VERB", "MORPH": "Tense=Past|VerbForm=Fin"}},
    {"patterns": [[{"TAG": "DT"}]], "attrs": {"POS": "DET"}},
    {"patterns": [[{"TAG": "VBD", "LOWER": {"IN": ["was", "were"]}}]], "attrs": {"POS": "AUX", "LEMMA": "be"}},
    {"patterns": [[{"DEP": {"NOT_IN": ["det", ""]}, "TAG": {"IN": ["DT"]}}]], "attrs": {"POS": "PRON"}},
    {"patterns": [[{"LOWER": {"REGEX": "^n[ou]thin'$"}}]], "attrs": {"LEMMA": "nothing"}},
    # two tokens, setting the second (index 1) and the first (index -2)
    {"patterns": [[{"DEP": "expl"}, {"LOWER": {"IN": ["was", "is"]}}]], "attrs": {"POS": "VERB"}, "index": 1},
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "go"}, "index": -2},
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"TAG": "_SP", "POS": "SPACE"}},
]

SENTENCES = [
    (["There", "was", "a", "storm"], ["EX", "VBD", "DT", "NN"], ["expl", "ROOT", "det", "attr"]),
    (["That", "was", "nothin'"], ["DT", "VBD", "NN"], ["nsubj", "ROOT", "attr"]),
    (["We", "gon", "na", "see", " "], ["PRP", "VBG", "TO", "VB", "NN"], ["nsubj", "ROOT", "aux", "xcomp", "dep"]),
    (["The", "gate", "opened"], ["DT", "NN", "VBD"], ["det", "nsubj", "ROOT"]),
]


def _nlp_with(rules: list[dict]) -> Language:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    ruler.add_patterns(rules)
    return nlp


def _doc(nlp: Language, words: list[str], tags: list[str], deps: list[str]) -> Doc:
    heads = [next(i for i, d in enumerate(deps) if d == "ROOT")] * len(words)
    return Doc(nlp.vocab, words=words, tags=tags, deps=deps, heads=heads)


def _attributes(doc: Doc) -> list[tuple[str, str, str, str, str]]:
    return [(t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]


def test_same_attributes_as_spacys_ruler_on_every_rule_kind() -> None:
    nlp = _nlp_with(RULES)
    stock = nlp.get_pipe(STOCK)
    indexed = IndexedAttributeRuler(stock)  # type: ignore[arg-type]
    for words, tags, deps in SENTENCES:
        expected = _attributes(stock(_doc(nlp, words, tags, deps)))
        got = _attributes(indexed(_doc(nlp, words, tags, deps)))
        assert got == expected, words
    there = indexed(_doc(nlp, *SENTENCES[0]))
    assert [t.pos_ for t in there] == ["", "VERB", "DET", "NOUN"]  # the exception won over VBD -> AUX
    that = indexed(_doc(nlp, *SENTENCES[1]))
    assert that[0].pos_ == "PRON" and that[2].lemma_ == "nothing"


def test_replaces_the_stock_ruler_in_the_pipeline_once() -> None:
    nlp = _nlp_with(RULES)
    assert index_attribute_ruler(nlp) and index_attribute_ruler(nlp)
    assert nlp.pipe_names == [INDEXED]
    doc = nlp(_doc(nlp, *SENTENCES[3]))
    assert [t.pos_ for t in doc] == ["DET", "NOUN", "VERB"]


def test_rules_it_cannot_read_keep_the_stock_ruler() -> None:
    nlp = _nlp_with([*RULES, {"patterns": [[{"LOWER": "very", "OP": "+"}]], "attrs": {"POS": "ADV"}}])
    assert not index_attribute_ruler(nlp)
    assert nlp.pipe_names == [STOCK]
    assert not index_attribute_ruler(spacy.blank("en"))


def test_remembered_combinations_stay_bounded_and_the_rest_still_match(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attributes, "_MAX_CACHED", 2)
    nlp = _nlp_with(RULES)
    stock = nlp.get_pipe(STOCK)
    indexed = IndexedAttributeRuler(stock)  # type: ignore[arg-type]
    for words, tags, deps in SENTENCES * 2:
        assert _attributes(indexed(_doc(nlp, words, tags, deps))) == _attributes(stock(_doc(nlp, words, tags, deps)))
    assert len(indexed._seen) == 2 and len(indexed._merged) <= 2
