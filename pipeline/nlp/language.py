"""A cheap check that a text is English before the English model reads it."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_SHARE = 0.08


def looks_english(text: str, function_words: frozenset[str], sample_chars: int = 4000) -> bool:
    """True when English function words make up a plausible share of the words."""
    words = _WORD.findall(text[:sample_chars].lower())
    if not words:
        return False
    if len(words) < 8:
        return any(w in function_words for w in words) or all(w.isascii() for w in words)
    hits = sum(1 for w in words if w in function_words)
    return hits / len(words) >= MIN_SHARE
