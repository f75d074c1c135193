"""Attach time expressions to the events of a sentence, by the dependency parse.

An expression belongs to the event whose trigger or verb it modifies ("talks ... on Wednesday",
"Tuesday's session"), or to a verb the event inherits time from (the light verb of a noun, the
verb a participle hangs off). A reported clause does not inherit the time of the reporting verb:
in "said on Tuesday that Israel would withdraw" Tuesday is when it was said.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from pipeline.nlp.context import ArticleContext
from pipeline.nlp.document import Sentence
from pipeline.nlp.timex import TimeMention, TimeResolver, day_start_ms, find_time_mentions
from pipeline.nlp.triggers import Trigger
from pipeline.nlp.types import EventTime, ExtractedEvent, Granularity, Modality, TimeMethod

# Labels climbed from a time expression to the word it modifies.
_MODIFIER_DEPS = frozenset(
    {
        "pobj",
        "prep",
        "npadvmod",
        "tmod",
        "poss",
        "compound",
        "nummod",
        "appos",
        "det",
        "case",
        "nmod",
        "quantmod",
        "amod",
        "advmod",
        "pcomp",
    }
)
# Labels through which an event inherits the time of the word above it.
_INHERIT_DEPS = frozenset({"xcomp", "conj", "acl", "pcomp", "prep", "pobj", "dobj", "nsubjpass", "nsubj"})
# Types of events that a following sentence usually continues ("... on Monday. Three died.").
_CONTINUING_TYPES = frozenset(
    {"STRIKE", "CLASH", "CASUALTIES", "ARREST", "RELEASE", "PROTEST", "WITHDRAWAL", "AID", "MOBILIZATION"}
)


@dataclass(frozen=True, slots=True)
class SentenceTimes:
    mentions: list[TimeMention]
    anchors: list[Token]
    published_ms: int
    carried: EventTime | None  # time of the previous sentence of the paragraph

    @property
    def dated(self) -> frozenset[int]:
        return frozenset(a.i for a in self.anchors)


class TimeAttacher:
    def __init__(self, resolver: TimeResolver) -> None:
        self._resolver = resolver

    def prepare(
        self, sentence: Sentence, trigger_heads: frozenset[int], published_ms: int, context: ArticleContext
    ) -> SentenceTimes:
        mentions = find_time_mentions(sentence.span, sentence.offset)
        doc = sentence.span.doc
        anchors = [_anchor(doc[m.root], trigger_heads) for m in mentions]
        carried = context.paragraph_time.get((sentence.segment.paragraph, sentence.index - 1))
        return SentenceTimes(mentions, anchors, published_ms, carried)

    def time_for(
        self, times: SentenceTimes, trigger: Trigger, predicate: Token, modality: Modality, event_type: str
    ) -> EventTime:
        prefer_future = modality in (Modality.PLANNED, Modality.DEMANDED)
        for host in _hosts(trigger.head, predicate):
            for mention, anchor in zip(times.mentions, times.anchors, strict=True):
                if anchor.i == host.i:
                    resolved = self._resolver.resolve(mention, times.published_ms, prefer_future=prefer_future)
                    if resolved is not None:
                        return resolved
        if times.carried is not None and modality is Modality.ASSERTED and event_type in _CONTINUING_TYPES:
            return EventTime(
                times.carried.start_ms,
                times.carried.end_ms,
                times.carried.granularity,
                times.carried.anchor_text,
                TimeMethod.CONTEXT,
            )
        return EventTime(day_start_ms(times.published_ms), None, Granularity.DAY, None, TimeMethod.PUBLICATION_DATE)

    def remember(self, sentence: Sentence, events: list[ExtractedEvent], context: ArticleContext) -> None:
        for event in events:
            if (
                event.time.method not in (TimeMethod.PUBLICATION_DATE, TimeMethod.CONTEXT)
                and event.time.granularity is Granularity.DAY
                and event.modality is Modality.ASSERTED
            ):
                context.paragraph_time[(sentence.segment.paragraph, sentence.index)] = event.time
                return


def _anchor(token: Token, trigger_heads: frozenset[int]) -> Token:
    """The word a time expression modifies: 'on Wednesday' -> the verb or noun it hangs off."""
    current = token
    for _ in range(8):
        if current.dep_ not in _MODIFIER_DEPS or current.head.i == current.i:
            return current
        current = current.head
        if current.dep_ != "prep" and (current.pos_ in ("VERB", "AUX") or current.i in trigger_heads):
            return current
    return current


def _hosts(head: Token, predicate: Token) -> list[Token]:
    hosts = [head, predicate]
    current = predicate
    for _ in range(4):
        participle = current.tag_ == "VBG" or any(c.dep_ == "aux" and c.lower_ == "to" for c in current.children)
        if current.dep_ in _INHERIT_DEPS or (current.dep_ == "advcl" and participle):
            current = current.head
            hosts.append(current)
        else:
            break
    return hosts
