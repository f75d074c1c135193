"""Stories: mentions of one real event across articles. A StoryBook holds the open stories of
one story family and links each new mention group to the best fitting one, or opens a story.

Decisions are made one mention group at a time, in `MentionFacts.order` within a batch, so the
same input in the same order gives the same stories. A story's id is derived from its first
mention group, so a replay (the same event ids again) changes nothing and keeps its ids.
Stories close when no mention has joined them for `idle_days` of publication time past their
time tolerance; the book forgets them, so memory stays bounded in a stream.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from pipeline.stories.evidence import TOLERANCE_DAYS, Evidence, compatible, score
from pipeline.stories.facts import DAY_MS, MentionFacts, mention_facts
from pipeline.stories.grouping import group_id

STORY_ID_NAMESPACE = uuid.UUID("0c9e2b7a-51f4-4a86-b3d2-7e6a1f40c8d5")
# Across articles, place and day must agree (0.25 + 0.15 at least), or one of them with
# actors, trigger words or a back reference: outlets differ in everything but the facts.
LINK_THRESHOLD = 0.5
DEFAULT_IDLE_DAYS = 3


def story_id(first_group_id: str) -> str:
    return str(uuid.uuid5(STORY_ID_NAMESPACE, first_group_id))


@dataclass(slots=True)
class Story:
    """One real-world event and the mentions that report it."""

    story_id: str
    family: str
    evidence: Evidence
    mentions: list[MentionFacts] = field(default_factory=list)
    groups: dict[str, set[str]] = field(default_factory=dict)  # article id -> its mention groups
    last_published_ms: int = 0

    def add(self, mention: MentionFacts, group: str) -> None:
        self.evidence.add(mention)
        self.mentions.append(mention)
        self.groups.setdefault(mention.article_id, set()).add(group)
        self.last_published_ms = max(self.last_published_ms, mention.published_at_ms)


@dataclass(slots=True)
class StoryBook:
    """The open stories of one family, and which mention group belongs to which."""

    family: str
    idle_days: int = DEFAULT_IDLE_DAYS
    stories: dict[str, Story] = field(default_factory=dict)
    story_of_group: dict[str, str] = field(default_factory=dict)
    seen_events: set[str] = field(default_factory=set)
    newest_published_ms: int = 0
    changed: set[str] = field(default_factory=set)  # stories the last `link` changed

    def link(self, mentions: Iterable[MentionFacts]) -> dict[str, str]:
        """Link a batch of mentions, a mention group at a time (its mentions' evidence merged,
        so a headline with no place is judged with its article's lede); returns event id ->
        story id for the mentions not seen before, and leaves the changed stories in `changed`."""
        self.changed = set()
        groups: dict[str, list[MentionFacts]] = {}
        for mention in sorted(mentions, key=lambda m: m.order):
            if mention.event_id not in self.seen_events:
                groups.setdefault(mention.event_group_id or group_id(mention.event_id), []).append(mention)
        assigned: dict[str, str] = {}
        for group, members in groups.items():
            story = self._story_for(group, members)
            for mention in members:
                story.add(mention, group)
                self.seen_events.add(mention.event_id)
                self.newest_published_ms = max(self.newest_published_ms, mention.published_at_ms)
                assigned[mention.event_id] = story.story_id
            self.story_of_group[group] = story.story_id
            self.changed.add(story.story_id)
        return assigned

    def _story_for(self, group: str, members: list[MentionFacts]) -> Story:
        known = self.story_of_group.get(group)
        if known is not None and known in self.stories:
            return self.stories[known]
        evidence = Evidence.of(members)
        article = members[0].article_id
        best, best_score = None, LINK_THRESHOLD
        for story in self.stories.values():
            # The article already told this story's event apart from the group's.
            if story.groups.get(article, set()) - {group}:
                continue
            if compatible(story.evidence, evidence):
                value = score(story.evidence, evidence)
                if value > best_score or (value == best_score and best is None):
                    best, best_score = story, value
        if best is not None:
            return best
        story = Story(story_id(group), self.family, Evidence(self.family))
        self.stories[story.story_id] = story
        return story

    def expire(self) -> list[Story]:
        """Close the stories nothing can join any more; returns them."""
        closed = []
        for story in list(self.stories.values()):
            horizon = TOLERANCE_DAYS.get(story.evidence.granularity, 1) + self.idle_days
            if self.newest_published_ms - story.last_published_ms > horizon * DAY_MS:
                closed.append(self.stories.pop(story.story_id))
        for story in closed:
            for groups in story.groups.values():
                for group in groups:
                    self.story_of_group.pop(group, None)
            self.seen_events.difference_update(m.event_id for m in story.mentions)
        return closed


def link_records(
    records: Iterable[dict[str, Any]], families: dict[str, str], idle_days: int = DEFAULT_IDLE_DAYS
) -> tuple[dict[str, str], list[Story]]:
    """Bounded linking of event records that already carry their mention groups: event id ->
    story id, and every story (open or closed). One book per family, mentions in order, the
    same decisions a stream makes when it sees the records in that order."""
    by_family: dict[str, list[MentionFacts]] = {}
    for record in records:
        facts = mention_facts(record, families)
        if facts is not None:
            by_family.setdefault(facts.family, []).append(facts)
    assigned: dict[str, str] = {}
    stories: list[Story] = []
    for family in sorted(by_family):
        book = StoryBook(family, idle_days)
        for _, article in groupby(sorted(by_family[family], key=lambda m: m.order), key=lambda m: m.article_id):
            assigned.update(book.link(list(article)))
            stories.extend(book.expire())
        stories.extend(book.stories.values())
    return assigned, stories
