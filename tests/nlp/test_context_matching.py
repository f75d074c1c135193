"""The ontology's trigger contexts are plain spaCy DependencyMatcher patterns: matching them from
the trigger (AnchoredPatterns) gives exactly what spaCy's DependencyMatcher gives, on every
context of the ontology and every token of real parses."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline.nlp.evaluation import load_gold
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.patterns import AnchoredPatterns, context_patterns, expand
from spacy.matcher import DependencyMatcher

pytestmark = pytest.mark.model
GOLD = Path(__file__).resolve().parents[1] / "gold" / "articles"


def test_anchored_matching_agrees_with_spacys_dependency_matcher(extractor: EventExtractor) -> None:
    texts = [a.article.body for a in load_gold(GOLD)]
    docs = list(extractor.nlp.pipe(texts))
    classes = extractor.lexicon.word_classes
    compared = 0
    for spec in extractor.ontology.types.values():
        contexts = [*spec.requires.values(), *spec.excludes.values(), *spec.noun_requires.values()]
        contexts += [*spec.noun_excludes.values(), *spec.mode_contexts.values()]
        for written in contexts:
            patterns = context_patterns({}, expand(written, classes))
            if not patterns:
                continue
            matcher = DependencyMatcher(extractor.nlp.vocab)
            matcher.add("context", patterns)
            anchored = AnchoredPatterns(patterns)
            for doc in docs:
                by_spacy = {tokens[0] for _, tokens in matcher(doc)}
                assert {t.i for t in doc if anchored.fits(t)} == by_spacy, (written, doc.text[:60])
                compared += 1
    assert compared > 1000
