"""Offset links ("two days after ...") read off a given parse, without a model."""

from __future__ import annotations

import pytest
import spacy
from pipeline.nlp.lexicon import load_lexicon
from pipeline.nlp.offsets import find_offset_links
from spacy.tokens import Doc

VOCAB = spacy.blank("en").vocab  # English lexical attributes (lower case), no model


def parsed(words: list[str], heads: list[int], deps: list[str], lemmas: list[str]) -> Doc:
    return Doc(VOCAB, words=words, heads=heads, deps=deps, lemmas=lemmas)


def test_a_clause_after_another_by_days() -> None:
    # "Rebels left two days after troops attacked", with "days" on "after" (mark of the clause).
    doc = parsed(
        ["Rebels", "left", "two", "days", "after", "troops", "attacked"],
        [1, 1, 3, 4, 6, 6, 1],
        ["nsubj", "ROOT", "nummod", "npadvmod", "mark", "nsubj", "advcl"],
        ["rebel", "leave", "two", "day", "after", "troop", "attack"],
    )
    (link,) = find_offset_links(doc[:], load_lexicon())
    assert (link.main, link.sub, link.days, link.text) == (1, 6, 2, "two days after")


def test_a_week_before_an_event_noun() -> None:
    # "Police struck a week before the vote": "before" as a preposition with "week" on it.
    doc = parsed(
        ["Police", "struck", "a", "week", "before", "the", "vote"],
        [1, 1, 3, 4, 1, 6, 4],
        ["nsubj", "ROOT", "det", "npadvmod", "prep", "det", "pobj"],
        ["police", "strike", "a", "week", "before", "the", "vote"],
    )
    (link,) = find_offset_links(doc[:], load_lexicon())
    assert (link.main, link.sub, link.days) == (1, 6, -7)


@pytest.mark.parametrize("duration", [["several", "days"], ["days"]])
def test_a_vague_duration_gives_no_link(duration: list[str]) -> None:
    words = ["Rebels", "left", *duration, "after", "troops", "attacked"]
    n = len(duration)
    unit = n + 1  # index of "days"
    heads = [1, 1, *([unit] * (n - 1)), n + 2, n + 4, n + 4, 1]
    deps = ["nsubj", "ROOT", *(["amod"] * (n - 1)), "npadvmod", "mark", "nsubj", "advcl"]
    lemmas = ["rebel", "leave", *duration[:-1], "day", "after", "troop", "attack"]
    assert find_offset_links(parsed(words, heads, deps, lemmas)[:], load_lexicon()) == []
