"""Hand-built spaCy Docs, so that a stage's rule is tested on a given parse, without the model.

    doc = parse(
        "Rebels  rebel  NOUN NNS nsubj 1",
        "seized  seize  VERB VBD ROOT  1",
        "the     the    DET  DT  det   3",
        "town    town   NOUN NN  dobj  1",
    )

One row per token: text, lemma, POS, tag, dependency label and the index of its head (a root
is its own head). `ents` marks entity spans as (start, end, label).
"""

from __future__ import annotations

import spacy
from spacy.tokens import Doc, Span

NLP = spacy.blank("en")  # English vocabulary and tokenizer, no trained component


def parse(*rows: str, ents: tuple[tuple[int, int, str], ...] = ()) -> Doc:
    fields = [row.split() for row in rows]
    for row, parts in zip(rows, fields, strict=True):
        if len(parts) != 6:
            raise ValueError(f"a row needs text, lemma, POS, tag, dep and head: {row!r}")
    doc = Doc(
        NLP.vocab,
        words=[f[0] for f in fields],
        lemmas=[f[1] for f in fields],
        pos=[f[2] for f in fields],
        tags=[f[3] for f in fields],
        deps=[f[4] for f in fields],
        heads=[int(f[5]) for f in fields],
        sent_starts=[True] + [False] * (len(fields) - 1),
    )
    doc.ents = [Span(doc, start, end, label=label) for start, end, label in ents]
    return doc
