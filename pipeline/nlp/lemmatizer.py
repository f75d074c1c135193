"""spaCy's lemmatizer, with each answer remembered as a string's hash.

The model's rule lemmatizer already keeps its answers per (word, POS, morphology), but it still
builds a Token, reads its strings and stores the lemma as a new string for every token of every
doc: 6% of the shipped model's time in `make profile`. Its answer depends on nothing but
those three values, so this component reads them for a whole doc at once (`Doc.to_array`), looks
the lemma's hash up, and asks the stock lemmatizer only for combinations it has not seen. Tokens
that already have a lemma (the attribute_ruler sets some) keep it, as the stock one does unless
told to overwrite. A test compares every token's lemma with the stock lemmatizer's over every
evaluation set.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

STOCK = "lemmatizer"
REMEMBERING = "newsevents_lemmatizer"
_COLUMNS: list[int | str] = ["ORTH", "POS", "MORPH", "LEMMA"]  # what an answer depends on, and the lemma already set
# Modes whose answer is a function of (word, POS, morphology) alone.
_PURE_MODES = frozenset({"rule", "lookup"})
# Distinct (word, POS, morphology) combinations remembered, about 150 bytes each: a long stream
# meets ever more words, and memory must stay bounded (the rest are asked for each time).
_MAX_CACHED = 100_000


class RememberingLemmatizer:
    """Same lemmas as the spaCy lemmatizer it wraps; see the module docstring."""

    def __init__(self, stock: Lemmatizer) -> None:
        self._stock = stock
        self._overwrite = bool(stock.overwrite)
        self._lemmas: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        lemmas = self._lemmas
        for i, (orth, pos, morph, lemma) in enumerate(doc.to_array(_COLUMNS).tolist()):
            if lemma and not self._overwrite:
                continue
            key = (orth, pos, morph)
            found = lemmas.get(key)
            if found is None:
                found = strings.add(self._stock.lemmatize(doc[i])[0])
                self._forget_if_full()
                lemmas[key] = found
            doc[i].lemma = found
        return doc

    def _forget_if_full(self) -> None:
        # The stock lemmatizer keeps its own unbounded cache of answers; both start over when full.
        if len(self._lemmas) >= _MAX_CACHED:
            self._lemmas.clear()
            self._stock.cache.clear()


@Language.factory(REMEMBERING, requires=["token.pos", "token.morph"], assigns=["token.lemma"])
def make_remembering_lemmatizer(nlp: Language, name: str) -> RememberingLemmatizer:
    stock = nlp.get_pipe(STOCK)
    assert isinstance(stock, Lemmatizer)
    return RememberingLemmatizer(stock)


def remember_lemmas(nlp: Language) -> bool:
    """Put the remembering lemmatizer in the stock one's place; False (stock kept) when the
    pipeline has no lemmatizer or one whose answers may depend on more than the token's word,
    POS and morphology. Idempotent."""
    if REMEMBERING in nlp.pipe_names:
        return True
    if STOCK not in nlp.pipe_names:
        return False
    stock = nlp.get_pipe(STOCK)
    if not isinstance(stock, Lemmatizer) or stock.mode not in _PURE_MODES:
        return False
    nlp.add_pipe(REMEMBERING, after=STOCK)
    nlp.remove_pipe(STOCK)
    return True
