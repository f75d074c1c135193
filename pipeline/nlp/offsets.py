"""Dates given relative to another event of the sentence: "withdrew on Monday, two days after
troops launched a counter-offensive", "collapsed a week after it was signed on March 3".

An offset link ties two clauses (or a clause and an event noun) by "N units after/before"; when
one side has a date, the other side's date follows from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from pipeline.nlp.casualties import parse_number
from pipeline.nlp.lexicon import Lexicon

_UNIT_DAYS = {"hour": 0, "day": 1, "week": 7, "month": 30, "year": 365}
_ARTICLES = frozenset({"a", "an", "one"})


@dataclass(frozen=True, slots=True)
class OffsetLink:
    """`main` happened `days` days after `sub` (negative: before it)."""

    main: int  # doc index of the main clause's verb
    sub: int  # doc index of the subordinate verb or event noun
    days: int
    text: str  # "two days after"


def find_offset_links(sent: Span, lexicon: Lexicon) -> list[OffsetLink]:
    links = []
    for word in sent:
        if word.lower_ not in ("after", "before") or word.dep_ not in ("mark", "prep"):
            continue
        # The parser hangs "two days" on "after" or on the clause it opens.
        candidates = [*word.children, *(c for c in word.head.children if c.i < word.i)]
        duration = next((c for c in candidates if c.dep_ == "npadvmod"), None)
        days = _days(duration, lexicon) if duration is not None else None
        if duration is None or days is None:
            continue
        if word.dep_ == "mark":
            sub, main = word.head, word.head.head
        else:
            obj = next((c for c in word.children if c.dep_ in ("pobj", "pcomp")), None)
            if obj is None:
                continue
            sub, main = obj, word.head
        if sub.i == main.i:
            continue
        sign = 1 if word.lower_ == "after" else -1
        text = sent.doc[duration.left_edge.i : word.i + 1].text
        links.append(OffsetLink(main.i, sub.i, sign * days, text))
    return links


def _days(duration: Token, lexicon: Lexicon) -> int | None:
    """'two days' -> 2, 'a week' -> 7, 'hours' -> 0; 'days' or 'several weeks' -> None."""
    unit = _UNIT_DAYS.get(duration.lemma_.lower())
    if unit is None:
        return None
    if unit == 0:
        return 0  # "hours after": the same day
    count_word = next((c for c in duration.children if c.dep_ in ("nummod", "det", "quantmod")), None)
    if count_word is None:
        return None
    count = 1 if count_word.lower_ in _ARTICLES else parse_number(count_word.text, lexicon)
    return count * unit if count is not None else None
