"""Article pass, memory: what the reader remembers while reading an article, in reading order.

Who was last named, who spoke last, which types were reported, and the time of the scene the
previous sentence set. It resolves pronouns and definite descriptions ("he", "the group") to the
most recent fitting entity, which is enough for news prose where the speaker of one paragraph is
the "he" of the next. It is explicit state, one per article, updated after each sentence by
`remember`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from pipeline.nlp.lexicon import Pronouns
from pipeline.nlp.types import Actor, EntityInfo, EventTime, ExtractedEvent, Role

GROUP_LABELS = frozenset({"ORG", "GPE", "NORP"})


@dataclass
class ArticleContext:
    """Running memory over the sentences of one article, in reading order."""

    group_anaphors: frozenset[str]
    pronouns: Pronouns
    media: frozenset[str] = frozenset()  # outlets are never "the group" ("told CNN that the group ...")
    last_person: EntityInfo | None = None
    last_group: EntityInfo | None = None
    last_org: EntityInfo | None = None  # "the group", "the movement" name organisations only
    last_speaker: EntityInfo | None = None
    speaker_affiliation: dict[str, EntityInfo] = field(default_factory=dict)
    reported_types: set[str] = field(default_factory=set)
    # The time a sentence fixed, by (paragraph, sentence index), for the sentence after it.
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
        pronouns = self.pronouns
        if in_quote and lowered in pronouns.first_singular:
            return self.last_speaker
        if in_quote and lowered in pronouns.first_plural and self.last_speaker is not None:
            return self.speaker_affiliation.get(self.last_speaker.canonical, self.last_speaker)
        if lowered in pronouns.person:
            return self.last_person
        if lowered in self.group_anaphors:
            return self.last_org
        if lowered in pronouns.group:
            return self.last_group
        return None

    def remember(
        self, span: Span, entity_at: Callable[[Token], EntityInfo | None], events: Iterable[ExtractedEvent]
    ) -> None:
        """After a sentence: its entity mentions in reading order, its speakers, its types."""
        previous = None
        for token in span:
            entity = entity_at(token)
            if entity is not None and entity is not previous:  # once per mention, in reading order
                self.note_mention(entity, is_subject=token.dep_ in ("nsubj", "nsubjpass"))
            previous = entity
        for event in events:
            self.reported_types.add(event.event_type)
            if event.quote is None or event.quote.reporting_verb is None:
                continue
            speaker = next((a for a in event.actors if a.role is Role.SPEAKER and a.label), None)
            if speaker is None:
                continue
            affiliation = next(
                (a for a in event.actors if a.role is Role.SOURCE and a.label in ("ORG", "NORP", "GPE")), None
            )
            self.note_speaker(_as_entity(speaker), _as_entity(affiliation) if affiliation else None)


def _as_entity(actor: Actor) -> EntityInfo:
    return EntityInfo(
        actor.text, actor.label or "", actor.canonical or actor.text, actor.start, actor.end, actor.country_code
    )
