"""A cheap check that a text is English before the English model reads it."""

from __future__ import annotations

import re

# Frequent English function words; news English hits several per sentence.
_FUNCTION_WORDS = frozenset(
    "the of and to in a is that for on was with as by at from it said has have are were be "
    "an its his her their this which who not but had after been will would".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_SHARE = 0.08


def looks_english(text: str, sample_chars: int = 4000) -> bool:
    """True when English function words make up a plausible share of the words."""
    words = _WORD.findall(text[:sample_chars].lower())
    if not words:
        return False
    if len(words) < 8:
        return any(w in _FUNCTION_WORDS for w in words) or all(w.isascii() for w in words)
    hits = sum(1 for w in words if w in _FUNCTION_WORDS)
    return hits / len(words) >= MIN_SHARE
