"""On the model's own attribute_ruler and lemmatizer, the indexed ruler and the remembering
lemmatizer leave every token of every evaluation set as the stock ones do (tag, POS, morphology,
lemma, dependency)."""

from __future__ import annotations

from pathlib import Path

import spacy
from pipeline.nlp.attributes import INDEXED, STOCK, index_attribute_ruler
from pipeline.nlp.codebook_evaluation import load_labelled
from pipeline.nlp.evaluation import load_gold
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.lemmatizer import REMEMBERING, remember_lemmas
from pipeline.nlp.models import DEFAULT_MODEL

GOLD = Path(__file__).resolve().parents[1] / "gold"
# Words the model's exceptions are about, in sentences of our own.
EXCEPTIONS = [
    "Let's see whether they're gon na sign, y'all.",
    "It ai n't settled, and there is nothin' to add.",
    "That was what I did; do you have it?  Which is it?",
    "The envoy  did not come.\n\nHe has had enough.",
]


def _texts() -> list[str]:
    texts = list(EXCEPTIONS)
    for directory in ("articles", "heldout", "blind"):
        for gold in load_gold(GOLD / directory):
            texts.extend(part for part in (gold.article.title, gold.article.body) if part)
    texts.extend(sentence.text for sentence in load_labelled(GOLD / "wide"))
    return texts


def test_every_token_of_the_evaluation_sets_is_annotated_alike(extractor: EventExtractor) -> None:
    assert INDEXED in extractor.nlp.pipe_names and STOCK not in extractor.nlp.pipe_names
    assert REMEMBERING in extractor.nlp.pipe_names and "lemmatizer" not in extractor.nlp.pipe_names
    stock = spacy.load(DEFAULT_MODEL)
    indexed = spacy.load(DEFAULT_MODEL)
    assert index_attribute_ruler(indexed) and remember_lemmas(indexed)
    texts = _texts()
    assert len(texts) > 1_000
    compared = 0
    for expected, got in zip(stock.pipe(texts), indexed.pipe(texts), strict=True):
        assert [(t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in got] == [
            (t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in expected
        ], got.text[:80]
        compared += len(got)
    assert compared > 30_000
