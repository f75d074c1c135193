"""A story as the schemas/story.avsc record."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipeline.stories.facts import CODE_FIELDS, DAY_MS
from pipeline.stories.linking import Story

MAX_MEMBER_IDS = 1_000
SCHEMA_VERSION = "1"


def story_record(story: Story, casualty_type: str) -> dict[str, Any]:
    """The record for `story`. Its type is its mentions' most frequent one, casualty reports
    (`casualty_type`) counting only when nothing else is there; its codebook mapping is that of
    the first mention of that type."""
    mentions = story.mentions
    types = Counter(m.event_type for m in mentions)
    ranked = sorted(types, key=lambda name: (-types[name], name))
    main_type = next((name for name in ranked if name != casualty_type), ranked[0])
    main = next(m for m in sorted(mentions, key=lambda m: m.order) if m.event_type == main_type)
    codes = dict(zip(CODE_FIELDS, main.codes, strict=True))
    evidence = story.evidence
    dated = evidence.dated_low is not None and evidence.dated_high is not None
    if evidence.dated_low is not None and evidence.dated_high is not None:
        low, high = evidence.dated_low, evidence.dated_high
    else:  # nothing dates it: the days it was published on
        low = min(m.published_at_ms for m in mentions) // DAY_MS
        high = max(m.published_at_ms for m in mentions) // DAY_MS
    point = next((m.point for m in mentions if m.point is not None), None)
    by_article = sorted({(m.published_at_ms, m.article_id) for m in mentions})
    return {
        "schema_version": SCHEMA_VERSION,
        "story_id": story.story_id,
        "story_family": story.family,
        "event_type": main_type,
        "event_types": ranked,
        **codes,
        "first_seen": min(m.published_at_ms for m in mentions),
        "last_seen": max(m.published_at_ms for m in mentions),
        "event_time_start": low * DAY_MS,
        "event_time_end": (high + 1) * DAY_MS,
        "dated": dated,
        "location": {"name": point[0], "latitude": point[1], "longitude": point[2]} if point else None,
        "countries": sorted(evidence.countries),
        "places": sorted(evidence.cities | evidence.regions),
        "actors": sorted(evidence.actors),
        "mention_count": len(mentions),
        "article_count": len(story.groups),
        "source_count": len({m.source for m in mentions if m.source}),
        "sources": sorted({m.source for m in mentions if m.source}),
        "article_ids": [article_id for _, article_id in by_article],
        "casualties": _casualties(story),
        "member_event_ids": [m.event_id for m in mentions[:MAX_MEMBER_IDS]],
    }


def _casualties(story: Story) -> dict[str, Any] | None:
    claims = [m for m in story.mentions if m.killed is not None or m.injured is not None]
    if not claims:
        return None
    killed = [m.killed for m in claims if m.killed is not None]
    injured = [m.injured for m in claims if m.injured is not None]
    return {
        "killed_low": min(killed, default=None),
        "killed_high": max(killed, default=None),
        "injured_low": min(injured, default=None),
        "injured_high": max(injured, default=None),
        "conflicting": _conflicting(claims),
        "claims": [
            {
                "killed": m.killed,
                "injured": m.injured,
                "claimed_by": m.claimed_by,
                "source": m.source,
                "article_id": m.article_id,
                "event_id": m.event_id,
                "published_at": m.published_at_ms,
            }
            for m in claims
        ],
    }


def _conflicting(claims: list[Any]) -> bool:
    # A toll rises as the dead are counted; figures published on the same day that disagree
    # are rival claims (a ministry and a militia, two hospitals).
    by_day: dict[int, set[int]] = {}
    for claim in claims:
        if claim.killed is not None:
            by_day.setdefault(claim.published_at_ms // DAY_MS, set()).add(claim.killed)
    return any(len(figures) > 1 for figures in by_day.values())
