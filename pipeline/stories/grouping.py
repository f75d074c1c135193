"""Mention groups: the headline, the lede and later recaps of one event within one article.
Each event record gets an `event_group_id` shared with the other mentions of its event, and one
record of each group is its main mention."""

from __future__ import annotations

import uuid
from typing import Any

from pipeline.stories.evidence import Evidence, compatible, score
from pipeline.stories.facts import MentionFacts, mention_facts

GROUP_ID_NAMESPACE = uuid.UUID("6f1d3c52-8a4e-4d1b-9c57-2f0e9b8a7d31")
# Within one article, mentions of one kind of event are one event unless their times or places
# conflict: an outlet that reports two strikes tells them apart by where or when they were.
# Sections in the order a reader meets them; the first body mention (the lede) is the main one.
_MAIN_SECTION_RANK = {"BODY": 0, "SUBHEAD": 1, "BULLET": 2, "HEADLINE": 3}


def group_id(first_event_id: str) -> str:
    return str(uuid.uuid5(GROUP_ID_NAMESPACE, first_event_id))


def group_mentions(records: list[dict[str, Any]], families: dict[str, str]) -> list[dict[str, Any]]:
    """The records of one article with `event_group_id` and `main_mention` set (new dicts)."""
    facts = {r["event_id"]: mention_facts(r, families) for r in records}
    ordered = sorted(records, key=lambda r: (r["sentence"]["start"], r["trigger"]["start"], r["event_id"]))
    groups: list[tuple[Evidence, list[str]]] = []
    group_of: dict[str, int] = {}
    for record in ordered:
        mention = facts[record["event_id"]]
        if mention is None:
            continue
        best = _best_group(groups, mention)
        if best is None:
            groups.append((Evidence(mention.family), []))
            best = len(groups) - 1
        groups[best][0].add(mention)
        groups[best][1].append(mention.event_id)
        group_of[mention.event_id] = best
    mains = {_main(members, facts) for _, members in groups}
    out = []
    for record in records:
        index = group_of.get(record["event_id"])
        first = groups[index][1][0] if index is not None else record["event_id"]
        main = record["event_id"] in mains if index is not None else True
        out.append({**record, "event_group_id": group_id(first), "main_mention": main})
    return out


def _best_group(groups: list[tuple[Evidence, list[str]]], mention: MentionFacts) -> int | None:
    best, best_score = None, 0.0
    alone = Evidence.of([mention])
    for index, (evidence, _) in enumerate(groups):
        if compatible(evidence, alone):
            value = score(evidence, alone)
            if value >= best_score:  # a later, equally good group wins: the nearer one in the text
                best, best_score = index, value
    return best


def _main(members: list[str], facts: dict[str, MentionFacts | None]) -> str:
    def rank(event_id: str) -> tuple[int, int, int]:
        mention = facts[event_id]
        assert mention is not None
        return (_MAIN_SECTION_RANK.get(mention.section, 0), mention.sentence_start, mention.trigger_start)

    return min(members, key=rank)
