"""Stage 8, time: attach time expressions to the events of a sentence, by the dependency parse.

In: the sentence's time mentions, each event's trigger, predicate, modality and type, and the
time the previous sentence fixed. Out: an `EventTime` per event.

An expression belongs to the event whose trigger or verb it modifies ("talks ... on Wednesday",
"Tuesday's session"), or to a verb the event inherits time from (the light verb of a noun, the
verb a participle hangs off). A reported clause does not inherit the time of the reporting verb:
in "said on Tuesday that Israel would withdraw" Tuesday is when it was said.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token

from pipeline.nlp.context import ArticleContext
from pipeline.nlp.document import Sentence
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.offsets import OffsetLink, find_offset_links
from pipeline.nlp.ontology import Ontology
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
# A date that lands on a plain noun in one of these slots dates the clause, not the noun:
# "fired at crowds in Nairobi and other towns on Monday".
_ARGUMENT_DEPS = frozenset({"conj", "dobj", "nsubj", "nsubjpass", "attr"})
_PAST_TAGS = frozenset({"VBD", "VBN"})
_DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class SentenceTimes:
    mentions: list[TimeMention]
    anchors: list[Token]
    published_ms: int
    carried: EventTime | None  # time of the previous sentence of the paragraph
    dated: frozenset[int]  # tokens a time expression is attached to
    offsets: list[OffsetLink]  # "two days after ...": dates that follow from another clause's


class TimeAttacher:
    def __init__(self, resolver: TimeResolver, ontology: Ontology, lexicon: Lexicon) -> None:
        self._resolver = resolver
        self._ontology = ontology
        self._speech = frozenset(lemma for spec in ontology.types.values() for lemma in spec.speech)
        self._lexicon = lexicon

    def prepare(
        self, sentence: Sentence, trigger_heads: frozenset[int], published_ms: int, context: ArticleContext
    ) -> SentenceTimes:
        mentions = find_time_mentions(sentence.span, sentence.offset)
        doc = sentence.span.doc
        anchors = [self._anchor(doc, m, trigger_heads, sentence.span.start) for m in mentions]
        carried = context.paragraph_time.get((sentence.segment.paragraph, sentence.index - 1)) if not mentions else None
        # "its October 7, 2023 attack": an event noun hanging off the date is dated too.
        apposed = {
            head
            for head in trigger_heads
            if doc[head].dep_ in ("appos", "compound") and any(m.first <= doc[head].head.i <= m.last for m in mentions)
        }
        dated = frozenset(a.i for a in anchors) | apposed
        offsets = find_offset_links(sentence.span, self._lexicon)
        return SentenceTimes(mentions, anchors, published_ms, carried, dated, offsets)

    def _anchor(self, doc: Doc, mention: TimeMention, trigger_heads: frozenset[int], sent_start: int) -> Token:
        """The word a time expression modifies: 'on Wednesday' -> the verb or noun it hangs off."""
        lead = doc[mention.first - 1] if mention.first > sent_start else None
        if lead is not None and lead.pos_ == "ADP":
            before = doc[lead.i - 1] if lead.i > sent_start else None
            if before is not None and before.pos_ == "VERB" and before.lemma_ in self._speech:
                return before  # "said on Tuesday (that) ...": when it was said
            if lead.dep_ in ("prep", "agent"):
                # The preposition tells what the expression modifies, even when the parser
                # mangles the date itself ("on August 4, 2020").
                return _climb(lead, trigger_heads)
        return _climb(doc[mention.root], trigger_heads)

    def time_for(
        self, times: SentenceTimes, trigger: Trigger, predicate: Token, modality: Modality, event_type: str
    ) -> EventTime:
        hosts = _hosts(trigger.head, predicate, self._lexicon)
        for host in hosts:
            # A planned event looks ahead from its own words only: "demanded on Wednesday an
            # inquiry" dates the demand, in the past; "expected at the talks on Thursday" ahead.
            planned = (modality is Modality.PLANNED and host.i in (trigger.head.i, predicate.i)) or (
                modality is Modality.DEMANDED and host.i == trigger.head.i
            )
            for mention, anchor in zip(times.mentions, times.anchors, strict=True):
                if anchor.i == host.i:
                    resolved = self._resolver.resolve(mention, times.published_ms, prefer_future=planned)
                    if resolved is not None and not _after_the_fact(resolved, predicate, modality, times):
                        return resolved
                if _hangs_off(host, trigger.head, mention):
                    # The date names the event's own time, whatever preposition leads it.
                    resolved = self._resolver.resolve(replace(mention, lead=None), times.published_ms)
                    if resolved is not None:
                        return resolved
        shifted = self._offset_time(times, hosts)
        if shifted is not None:
            return shifted
        if event_type == self._ontology.roles.casualty_report:
            reported = self._report_time(times, predicate)
            if reported is not None:
                return reported
        if times.carried is not None and modality is Modality.ASSERTED and self._ontology.has(event_type, "continues"):
            carried = times.carried
            return EventTime(
                carried.start_ms, carried.end_ms, carried.granularity, carried.anchor_text, TimeMethod.CONTEXT
            )
        return EventTime(day_start_ms(times.published_ms), None, Granularity.DAY, None, TimeMethod.PUBLICATION_DATE)

    def _offset_time(self, times: SentenceTimes, hosts: list[Token]) -> EventTime | None:
        """A day that follows from the other side of an offset link: the main clause is `days`
        after the subordinate one, so either date gives the other."""
        host_ids = {h.i for h in hosts}
        for link in times.offsets:
            if link.sub in host_ids:
                base, shift = self._own_day(times, link.main), -link.days
            elif link.main in host_ids:
                base, shift = self._own_day(times, link.sub), link.days
            else:
                continue
            if base is not None:
                start = base.start_ms + shift * _DAY_MS
                return EventTime(start, None, Granularity.DAY, f"{link.text} {base.anchor_text}", TimeMethod.RELATIVE)
        return None

    def _own_day(self, times: SentenceTimes, token_index: int) -> EventTime | None:
        resolved = self._attached_time(times, token_index)
        return resolved if resolved is not None and resolved.granularity is Granularity.DAY else None

    def _attached_time(self, times: SentenceTimes, token_index: int) -> EventTime | None:
        """The time an expression attached to this very token gives, if any."""
        for mention, anchor in zip(times.mentions, times.anchors, strict=True):
            if anchor.i == token_index:
                resolved = self._resolver.resolve(mention, times.published_ms)
                if resolved is not None:
                    return resolved
        return None

    def _report_time(self, times: SentenceTimes, predicate: Token) -> EventTime | None:
        """A toll is as of its report: "11 were killed, the commission said on Tuesday"."""
        reporters = [
            w for w in (predicate.head, *predicate.children) if w.i != predicate.i and w.lemma_ in self._speech
        ]
        for reporter in reporters:
            resolved = self._attached_time(times, reporter.i)
            if resolved is not None:
                return replace(resolved, method=TimeMethod.CONTEXT)
        return None

    def remember(self, sentence: Sentence, events: list[ExtractedEvent], context: ArticleContext) -> None:
        """Keep the day of this sentence's scene for the next sentence of the paragraph: the time
        of an event of a type that a next sentence continues (or that it carried itself)."""
        for event in events:
            dated = event.time.method is not TimeMethod.PUBLICATION_DATE
            continued = self._ontology.has(event.event_type, "continues")
            if dated and continued and event.modality is Modality.ASSERTED:
                context.paragraph_time[(sentence.segment.paragraph, sentence.index)] = event.time
                return


def _hangs_off(host: Token, trigger: Token, mention: TimeMention) -> bool:
    """The host depends on the date expression itself: "its October 7, 2023 attack" (the trigger
    apposed to the date), "since November 2024, when the government suspended talks" (a relative
    clause of the date)."""
    inside = mention.first <= host.head.i <= mention.last
    apposed = host.i == trigger.i and host.dep_ in ("appos", "compound")
    return inside and (apposed or host.dep_ == "relcl")


def _after_the_fact(resolved: EventTime, predicate: Token, modality: Modality, times: SentenceTimes) -> bool:
    """A date after publication cannot be when a reported past act happened: in "invited them
    to a dialogue next month" the month belongs to the dialogue, not to the inviting."""
    past = predicate.tag_ in _PAST_TAGS and not any(
        c.dep_ == "aux" and c.lower_ in ("will", "would", "to") for c in predicate.children
    )
    return modality is Modality.ASSERTED and past and resolved.start_ms >= day_start_ms(times.published_ms) + _DAY_MS


def _climb(token: Token, trigger_heads: frozenset[int]) -> Token:
    current = token
    for _ in range(8):
        plain_noun = current is not token and current.pos_ in ("NOUN", "PROPN") and current.dep_ in _ARGUMENT_DEPS
        if (current.dep_ not in _MODIFIER_DEPS and not plain_noun) or current.head.i == current.i:
            return current
        current = current.head
        if current.dep_ != "prep" and (current.pos_ in ("VERB", "AUX") or current.i in trigger_heads):
            return current
    return current


def _hosts(head: Token, predicate: Token, lexicon: Lexicon) -> list[Token]:
    """Words whose time an event takes, nearest first: its trigger, a relative clause saying
    it happened ('a strike that killed 68 on April 28'), its verb, and the verbs above those
    through argument, control and participle links."""
    hosts = [head]
    hosts += [c for c in head.children if c.dep_ in ("relcl", "acl") and c.pos_ == "VERB"]
    hosts.append(predicate)
    # The occasion of the verb: "pledged ... at a conference in Geneva last week".
    hosts += [
        o
        for p in predicate.children
        if p.dep_ == "prep" and p.lower_ in lexicon.preps.occasion
        for o in p.children
        if o.dep_ == "pobj"
    ]
    current = predicate
    for _ in range(4):
        participle = current.tag_ == "VBG" or any(c.dep_ == "aux" and c.lower_ == "to" for c in current.children)
        own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in current.children)
        if current.dep_ == "conj" and own_subject:
            break  # "X agreed last month, but talks made no progress": a clause of its own
        simultaneous = any(
            c.dep_ in ("mark", "advmod") and c.lower_ in lexicon.simultaneous_marks for c in current.children
        )
        if current.dep_ in _INHERIT_DEPS or (current.dep_ == "advcl" and (participle or simultaneous)):
            current = current.head
            hosts.append(current)
        else:
            break
    return hosts
