"""The parse stage's own parts: an English check before the model reads a text, and the
component that mends the lemmas the model gets wrong."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp.lexicon import Lexicon

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_SHARE = 0.05  # English prose runs at 30-50%; a headline-like sentence of news can be near 5%
LEMMA_FIXES = "newsevents_lemma_fixes"
_VERBS = frozenset({"VERB", "AUX"})


def looks_english(text: str, function_words: frozenset[str], sample_chars: int = 4000) -> bool:
    """True when English function words make up a plausible share of the words."""
    words = _WORD.findall(text[:sample_chars].lower())
    if not words:
        return False
    if len(words) < 8:
        return any(w in function_words for w in words) or all(w.isascii() for w in words)
    hits = sum(1 for w in words if w in function_words)
    return hits / len(words) >= MIN_SHARE


class LemmaFixes:
    """Sets the mended lemma on the verbs the lexicon lists ("staged" -> "stage"). A dictionary
    lookup per token: spaCy's attribute_ruler did the same with a Matcher pattern per word, at
    a sixth of the parse's cost."""

    def __init__(self, fixes: dict[str, str]) -> None:
        self._fixes = dict(fixes)

    def __call__(self, doc: Doc) -> Doc:
        fixes = self._fixes
        for token in doc:
            lemma = fixes.get(token.lower_)
            if lemma is not None and token.pos_ in _VERBS:
                token.lemma_ = lemma
        return doc


@Language.factory(
    LEMMA_FIXES,
    default_config={"fixes": {}},
    requires=["token.pos", "token.lemma"],
    assigns=["token.lemma"],
)
def make_lemma_fixes(nlp: Language, name: str, fixes: dict[str, str]) -> LemmaFixes:
    return LemmaFixes(fixes)


def add_lemma_fixes(nlp: Language, lexicon: Lexicon) -> None:
    """Mend verb lemmas right after spaCy's lemmatizer, so that every stage reads the mended
    lemma. Idempotent."""
    if LEMMA_FIXES in nlp.pipe_names:
        return
    where = {"after": "lemmatizer"} if "lemmatizer" in nlp.pipe_names else {}
    nlp.add_pipe(LEMMA_FIXES, config={"fixes": dict(lexicon.lemma_fixes)}, **where)  # type: ignore[arg-type]
