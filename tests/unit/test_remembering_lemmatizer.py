"""The remembering lemmatizer gives the lemmas spaCy's rule lemmatizer gives, on hand-built
docs and tables (no model), keeps lemmas set before it, and stays right when its memory is full."""

from __future__ import annotations

import pytest
import spacy
from pipeline.nlp import lemmatizer
from pipeline.nlp.lemmatizer import REMEMBERING, STOCK, RememberingLemmatizer, remember_lemmas
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token

WORDS = ["Envoys", "staged", "talks", "and", "held", "them", "again", ";", "talks", "stalled", "Hopes", "hoped"]
POS = ["NOUN", "VERB", "NOUN", "CCONJ", "VERB", "PRON", "ADV", "PUNCT", "NOUN", "VERB", "NOUN", "VERB"]
MORPHS = ["Number=Plur", "Tense=Past|VerbForm=Fin", "Number=Plur", "", "Tense=Past|VerbForm=Fin", "Case=Acc",
          "", "", "Number=Plur", "VerbForm=Part", "Number=Plur", "Tense=Past|VerbForm=Fin"]  # fmt: skip


def _nlp(mode: str = "rule", overwrite: bool = False) -> Language:
    nlp = spacy.blank("en")
    stock = nlp.add_pipe(STOCK, config={"mode": mode, "overwrite": overwrite})
    assert isinstance(stock, Lemmatizer)
    lookups = Lookups()
    lookups.add_table("lemma_rules", {"noun": [["s", ""]], "verb": [["ed", ""], ["ed", "e"]]})
    lookups.add_table("lemma_index", {"noun": ["envoy", "talk", "hope"], "verb": ["stage", "hold", "hope", "stall"]})
    lookups.add_table("lemma_exc", {"verb": {"held": ["hold"]}})
    lookups.add_table("lemma_lookup", {"Envoys": "envoy", "held": "hold"})
    stock.initialize(lookups=lookups)
    return nlp


def _doc(nlp: Language, preset: dict[int, str] | None = None) -> Doc:
    lemmas = [(preset or {}).get(i, "") for i in range(len(WORDS))]
    return Doc(nlp.vocab, words=WORDS, pos=POS, morphs=MORPHS, lemmas=lemmas)


@pytest.mark.parametrize("mode", ["rule", "lookup"])
@pytest.mark.parametrize("overwrite", [False, True])
def test_same_lemmas_as_the_stock_lemmatizer(mode: str, overwrite: bool) -> None:
    nlp = _nlp(mode, overwrite)
    stock = nlp.get_pipe(STOCK)
    remembering = RememberingLemmatizer(stock)  # type: ignore[arg-type]
    preset = {1: "perform"}  # as the attribute_ruler sets some lemmas before the lemmatizer
    for _ in range(2):  # the second time from memory
        expected = [t.lemma_ for t in stock(_doc(nlp, preset))]
        assert [t.lemma_ for t in remembering(_doc(nlp, preset))] == expected
    if mode == "rule":
        assert expected[:3] == ["envoy", "perform" if not overwrite else "stage", "talk"]
        assert expected[4] == "hold" and expected[10:] == ["hope", "hope"]


def test_right_lemmas_when_its_memory_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lemmatizer, "_MAX_CACHED", 3)
    nlp = _nlp()
    stock = nlp.get_pipe(STOCK)
    expected = [t.lemma_ for t in stock(_doc(nlp))]
    remembering = RememberingLemmatizer(stock)  # type: ignore[arg-type]
    for _ in range(3):
        assert [t.lemma_ for t in remembering(_doc(nlp))] == expected
    assert len(remembering._lemmas) <= 3 and len(stock.cache) <= len(WORDS)  # type: ignore[attr-defined]


def test_replaces_the_stock_lemmatizer_once_and_only_when_its_answers_are_pure() -> None:
    nlp = _nlp()
    assert remember_lemmas(nlp) and remember_lemmas(nlp)
    assert nlp.pipe_names == [REMEMBERING]
    assert [t.lemma_ for t in nlp(_doc(nlp))][:3] == ["envoy", "stage", "talk"]
    assert not remember_lemmas(spacy.blank("en"))
    custom = spacy.blank("en")
    custom.add_pipe("test_context_lemmatizer", name=STOCK)
    assert not remember_lemmas(custom) and custom.pipe_names == [STOCK]


class _ContextLemmatizer(Lemmatizer):
    """A mode of its own, whose answers may depend on anything."""

    def by_context_lemmatize(self, token: Token) -> list[str]:
        return [token.lower_ if token.i else token.text]


@Language.factory("test_context_lemmatizer")
def _context_lemmatizer(nlp: Language, name: str) -> _ContextLemmatizer:
    return _ContextLemmatizer(nlp.vocab, None, name, mode="by_context")
