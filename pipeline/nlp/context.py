"""What the reader remembers while reading an article: who was last named, who spoke last.

It resolves pronouns and definite descriptions ("he", "the group") to the most recent fitting
entity, which is enough for news prose where the speaker of one paragraph is the "he" of the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.nlp.types import EntityInfo, EventTime

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers"})
GROUP_PRONOUNS = frozenset({"they", "them", "their", "it", "its"})
FIRST_PERSON_PLURAL = frozenset({"we", "us", "our"})
FIRST_PERSON_SINGULAR = frozenset({"i", "me", "my"})
GROUP_LABELS = frozenset({"ORG", "GPE", "NORP"})


@dataclass
class ArticleContext:
    """Running memory over the sentences of one article, in reading order."""

    group_anaphors: frozenset[str]
    media: frozenset[str] = frozenset()  # outlets are never "the group" ("told CNN that the group ...")
    last_person: EntityInfo | None = None
    last_group: EntityInfo | None = None
    last_org: EntityInfo | None = None  # "the group", "the movement" name organisations only
    last_speaker: EntityInfo | None = None
    speaker_affiliation: dict[str, EntityInfo] = field(default_factory=dict)
    # Time of the dated event of a sentence, by (paragraph, sentence index), for the next one.
    paragraph_time: dict[tuple[int, int], EventTime] = field(default_factory=dict)

    def note_mention(self, entity: EntityInfo, *, is_subject: bool) -> None:
        if entity.canonical.lower() in self.media or entity.text.lower() in self.media:
            return
        if entity.label == "PERSON":
            self.last_person = entity
        elif entity.label in GROUP_LABELS and (is_subject or self.last_group is None):
            self.last_group = entity
        if entity.label == "ORG" and (is_subject or self.last_org is None):
            self.last_org = entity

    def note_speaker(self, speaker: EntityInfo, affiliation: EntityInfo | None) -> None:
        self.last_speaker = speaker
        if speaker.label == "PERSON":
            self.last_person = speaker
        if affiliation is not None:
            self.speaker_affiliation[speaker.canonical] = affiliation

    def resolve(self, word: str, *, in_quote: bool) -> EntityInfo | None:
        """The entity a pronoun or definite description most likely refers to."""
        lowered = word.lower()
        if in_quote and lowered in FIRST_PERSON_SINGULAR:
            return self.last_speaker
        if in_quote and lowered in FIRST_PERSON_PLURAL and self.last_speaker is not None:
            return self.speaker_affiliation.get(self.last_speaker.canonical, self.last_speaker)
        if lowered in PERSON_PRONOUNS:
            return self.last_person
        if lowered in self.group_anaphors:
            return self.last_org
        if lowered in GROUP_PRONOUNS:
            return self.last_group
        return None
