"""Build the events of one sentence from its triggers and parse."""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Token

from pipeline.nlp.casualties import CasualtyFinding, attributed_source, combine, find_casualties, scope_claim
from pipeline.nlp.confidence import confidence
from pipeline.nlp.context import ArticleContext
from pipeline.nlp.document import ParsedArticle, Sentence
from pipeline.nlp.filters import is_absorbed, is_eventive
from pipeline.nlp.merging import Draft, apply_verb_object_rules, merge_events
from pipeline.nlp.modality import ModalityReading, is_negated, read_modality
from pipeline.nlp.ontology import Lexicon, Ontology
from pipeline.nlp.quotes import QuoteSpan, is_quote_only, quote_spans
from pipeline.nlp.roles import RoleContext, find_actors, unique_actors
from pipeline.nlp.speech import build_quote, continued_quote, has_content
from pipeline.nlp.syntax import clause_subject, governing_predicate
from pipeline.nlp.timex import TimeResolver
from pipeline.nlp.timing import SentenceTimes, TimeAttacher
from pipeline.nlp.triggers import Trigger, TriggerFinder
from pipeline.nlp.types import (
    Actor,
    ArticleText,
    CasualtyClaim,
    EntityInfo,
    ExtractedEvent,
    Flag,
    Modality,
    Role,
    Section,
)

# A negated future of these types is a refusal: "will not withdraw" is a REJECTION.
CONCESSION_TYPES = frozenset({"AGREEMENT", "WITHDRAWAL", "RELEASE", "TALKS", "CEASEFIRE"})
REFUSAL_MODALS = frozenset({"will", "would", "can", "could", "shall"})
# Events whose casualty figures belong to them ("the strike killed 12").
CASUALTY_CARRIERS = frozenset({"CASUALTIES", "STRIKE", "CLASH"})
_BACKGROUND_MS = 30 * 86_400_000

_FINITE_TAGS = frozenset({"VBZ", "VBP", "VBD", "MD"})
_FUTURE_AUXILIARIES = frozenset({"will", "would", "shall"})


@dataclass(frozen=True, slots=True)
class Scene:
    """What every event of one sentence is built from."""

    sentence: Sentence
    parsed: ParsedArticle
    rc: RoleContext
    quotes: list[QuoteSpan]
    times: SentenceTimes
    claim: CasualtyClaim | None
    published_ms: int
    inferred: bool
    incident: bool  # the sentence reports an attack or a clash
    entities: tuple[EntityInfo, ...]  # resolved entities of the sentence, shared by its events


class SentenceEventBuilder:
    def __init__(self, ontology: Ontology, lexicon: Lexicon, finder: TriggerFinder, times: TimeResolver) -> None:
        self._ontology = ontology
        self._lexicon = lexicon
        self._finder = finder
        speech = frozenset(lemma for spec in ontology.types.values() for lemma in spec.speech)
        self._attacher = TimeAttacher(times, speech, lexicon)

    def build(
        self, sentence: Sentence, parsed: ParsedArticle, context: ArticleContext, article: ArticleText
    ) -> list[ExtractedEvent]:
        if sentence.section is Section.SUBHEAD and sum(t.is_alpha for t in sentence.span) < 3:
            return []  # a section label ("Protests", "KEY POINTS"), not a report
        published_ms = article.published_at_ms
        inferred = article.published_at_inferred
        sent = sentence.span
        quotes = quote_spans(sent.text, sentence.start)
        findings = find_casualties(sent, self._lexicon)
        triggers = self._candidates(sentence, findings)
        rc = RoleContext(
            entity_at=lambda token: parsed.entity_at(sentence.segment_index, token),
            context=context,
            offset=sentence.offset,
            in_quote=lambda token: any(q.start <= sentence.offset + token.idx < q.end for q in quotes),
            event_heads=frozenset(t.head.i for t in triggers),
            temporal_preps=self._lexicon.temporal_preps,
            actor_nouns=self._lexicon.actor_nouns,
        )
        times = self._attacher.prepare(sentence, frozenset(t.head.i for t in triggers), published_ms, context)
        drafts = self._drafts(triggers, times.dated, _verbless_headline(sentence))
        claim = combine(findings)
        if claim is not None:
            claim = replace(claim, reported_by=attributed_source(sent) or claim.reported_by)
        scene = Scene(
            sentence, parsed, rc, quotes, times, claim, published_ms, inferred,
            incident=any(t.event_type in ("STRIKE", "CLASH") for t in triggers),  # "killed in the blast"
            entities=tuple(parsed.entities_in(sentence)),
        )  # fmt: skip
        built = [(d, self._event(d, scene)) for d in drafts]
        events = merge_events(built)
        self._attacher.remember(sentence, events, context)
        _update_context(sentence, parsed, context, events)
        return events

    def _candidates(self, sentence: Sentence, findings: list[CasualtyFinding]) -> list[Trigger]:
        headline = sentence.section is Section.HEADLINE
        triggers = {t.head.i: t for t in self._finder.find(sentence.span, headline=headline)}
        for token in sentence.span:
            # "would not disarm": a negated future of a concession is a refusal - unless it
            # ends an event, which then goes on ("would not stop its strikes").
            if (
                token.pos_ == "VERB"
                and token.lemma_.lower() in self._lexicon.concessions
                and token.i not in triggers
                and is_negated(token)
                and _agentive(clause_subject(token)[0], self._lexicon)
                and not _ends_an_event(token, frozenset(triggers), self._lexicon)
            ):
                triggers[token.i] = Trigger("REJECTION", token, token.i, token.i + 1, token.lemma_.lower(), False)
        for finding in findings:
            token = finding.trigger
            existing = triggers.get(token.i)
            if existing is None or existing.event_type not in CASUALTY_CARRIERS:
                triggers[token.i] = Trigger(
                    "CASUALTIES", token, token.i, token.i + 1, token.lemma_.lower(), token.pos_ != "VERB"
                )
        return sorted(triggers.values(), key=lambda t: t.start)

    def _drafts(self, triggers: list[Trigger], dated: frozenset[int], fragment: bool) -> list[Draft]:
        demand_heads = [t.head for t in triggers if t.event_type == "DEMAND"]
        heads = frozenset(t.head.i for t in triggers)
        drafts = []
        for trigger in triggers:
            spec = self._ontology.types[trigger.event_type]
            predicate = governing_predicate(trigger.head) if trigger.nominal else trigger.head
            reading = read_modality(trigger.head, predicate, self._lexicon, demand_heads, heads)
            stopper = _stopping_verb(trigger, self._lexicon)
            continuing = stopper is not None and is_negated(stopper)
            if stopper is not None and not continuing and trigger.event_type in self._lexicon.violent_types:
                continue  # "the fighting will stop", "press Israel to halt the attacks": no new violence
            if continuing:
                # "the bombardment had not stopped": it goes on; "would not stop its strikes": it will.
                future = reading.modal is not None
                reading = ModalityReading(
                    Modality.PLANNED if future else Modality.ASSERTED, False, reading.modal, False
                )
            eventive = continuing or is_eventive(
                trigger, spec, self._lexicon, dated=trigger.head.i in dated,
                demanded=reading.modality is Modality.DEMANDED, trigger_heads=heads, fragment=fragment,
            )  # fmt: skip
            if not eventive:
                continue
            if (
                trigger.event_type == "REJECTION"
                and trigger.lemma in self._lexicon.concessions
                and not _is_refusal(reading)
            ):
                continue
            event_type, modality = self._retype(trigger, predicate, reading)
            if event_type == "THREAT" and trigger.lemma == "warn" and not self._announces_harm(trigger, triggers):
                event_type = "STATEMENT"  # "warned that famine was spreading"
            drafts.append(Draft(trigger, event_type, modality, predicate, reading))
        absorbers = [d.trigger for d in drafts if d.event_type in self._lexicon.absorbing_types]
        # States and casualty figures stay events even inside an accusation or a warning.
        drafts = [
            d
            for d in drafts
            if self._ontology.types[d.event_type].nominal_policy == "always" or not is_absorbed(d.trigger, absorbers)
        ]
        return apply_verb_object_rules(drafts, self._lexicon)

    def _announces_harm(self, warning: Trigger, triggers: list[Trigger]) -> bool:
        """A warning threatens when it names someone ('warned Hamas') or announces harm:
        a violent event or a verb of retaliation in what it says."""
        verb = warning.head
        if any(c.dep_ in ("dobj", "dative") for c in verb.children):
            return True
        said = [t for c in verb.children if c.dep_ in ("ccomp", "xcomp", "advcl") for t in c.subtree]
        harmful = self._lexicon.violent_types | {"THREAT", "SANCTION", "ARREST", "REJECTION"}
        if any(t.i == tr.head.i and tr.event_type in harmful for t in said for tr in triggers):
            return True
        # "warned that it would oppose ...": the warner announcing its own action
        own_future = any(
            t.pos_ == "VERB"
            and any(c.dep_ == "aux" and c.lower_ in ("will", "would", "'ll", "wo") for c in t.children)
            and any(c.dep_ == "nsubj" and c.pos_ == "PRON" for c in t.children)
            for t in said
        )
        return own_future or any(t.lemma_ in self._lexicon.retaliation_verbs for t in said)

    def _retype(self, trigger: Trigger, predicate: Token, reading: ModalityReading) -> tuple[str, Modality]:
        event_type, modality = trigger.event_type, reading.modality
        if _is_refusal(reading) and (trigger.lemma in self._lexicon.concessions or event_type in CONCESSION_TYPES):
            return "REJECTION", Modality.ASSERTED
        if event_type == "REJECTION" and modality is Modality.PLANNED and reading.modal in _FUTURE_AUXILIARIES:
            return event_type, Modality.ASSERTED  # "said they would boycott it": the refusal is made now
        # "could target Hamas leaders", "will launch strikes": a threat, not a strike.
        # Only the agent's own modal makes a threat; "if it resumes operations" is a condition.
        possible = modality in (Modality.HYPOTHETICAL, Modality.PLANNED) and not reading.conditional
        if (
            possible
            and event_type in self._lexicon.violent_types
            and (not trigger.nominal or predicate.lemma_ in self._lexicon.light_verbs | self._lexicon.terminative_verbs)
        ):
            return "THREAT", Modality.ASSERTED
        return event_type, modality

    def _event(self, draft: Draft, scene: Scene) -> ExtractedEvent:
        sentence, parsed, rc, quotes, claim = scene.sentence, scene.parsed, scene.rc, scene.quotes, scene.claim
        trigger = draft.trigger
        spec = self._ontology.types[draft.event_type]
        original = trigger.event_type
        speech = not trigger.nominal and (self._ontology.is_speech(original, trigger.lemma) or original == "STATEMENT")
        statement = speech and original == "STATEMENT"
        actors = find_actors(trigger.head, draft.predicate, trigger.nominal, speech, statement, draft.event_type, rc)
        quote = None
        if speech and (statement or has_content(trigger.head, quotes, sentence.offset)):
            quote, extra = build_quote(trigger.head, actors, quotes, sentence.span, sentence.offset, rc)
            actors += extra
        elif is_quote_only(sentence.span.text) and rc.context.last_speaker is not None:
            quote = continued_quote(quotes, rc.context)
        actors = unique_actors(actors)
        if draft.event_type == "PROTEST" and _by_a_state(actors, self._lexicon):
            # "Manila summoned the ambassador to protest": a diplomatic complaint, not a rally.
            draft = replace(draft, event_type="ACCUSATION")
            spec = self._ontology.types[draft.event_type]
        flags: list[str] = []
        if not any(a.role is Role.LOCATION for a in actors):
            dateline_actor = _dateline_location(sentence, parsed, scene.entities)
            if dateline_actor is not None:
                actors.append(dateline_actor)
                flags.append(Flag.DATELINE_LOCATION)
        event_time = self._attacher.time_for(scene.times, trigger, draft.predicate, draft.modality, draft.event_type)
        casualties = None
        if claim is not None and draft.event_type in CASUALTY_CARRIERS:
            casualties = scope_claim(
                claim, sentence.span.text, event_time, scene.published_ms, self._lexicon, scene.incident
            )
        if event_time.start_ms < scene.published_ms - _BACKGROUND_MS:
            flags.append(Flag.BACKGROUND)
        if scene.inferred:
            flags.append(Flag.PUBLISHED_AT_INFERRED)
        head_span = sentence.span.doc[trigger.start : trigger.end]
        return ExtractedEvent(
            event_type=draft.event_type,
            modality=draft.modality,
            section=sentence.section,
            sentence_text=sentence.span.text,
            sentence_start=sentence.start,
            sentence_end=sentence.end,
            trigger_text=head_span.text,
            trigger_lemma=trigger.lemma,
            trigger_start=sentence.offset + head_span.start_char,
            trigger_end=sentence.offset + head_span.end_char,
            time=event_time,
            confidence=confidence(spec.prior, actors, event_time.method, sentence.section),
            mode=self._ontology.mode(original, trigger.lemma),
            plover=spec.plover,
            cameo=spec.cameo,
            entities=scene.entities,
            actors=tuple(actors),
            quote=quote,
            casualties=casualties,
            flags=tuple(flags),
        )


def _by_a_state(actors: list[Actor], lexicon: Lexicon) -> bool:
    sources = [a for a in actors if a.role is Role.SOURCE]
    return bool(sources) and all(
        a.label == "GPE" or a.text.split()[-1].lower() in lexicon.state_actor_nouns for a in sources
    )


def _verbless_headline(sentence: Sentence) -> bool:
    return sentence.section is Section.HEADLINE and not any(
        t.tag_ in _FINITE_TAGS and t.pos_ in ("VERB", "AUX") for t in sentence.span
    )


def _agentive(subject: Token | None, lexicon: Lexicon) -> bool:
    """Can refuse: a person, group or country ('Hamas will not disarm'), not 'the aggression'."""
    if subject is None:
        return False
    if subject.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or subject.pos_ == "PRON":
        return True
    lemma = subject.lemma_.lower()
    return lemma in lexicon.actor_nouns or lemma in lexicon.group_anaphors or lemma in lexicon.victim_nouns


def _stopping_verb(trigger: Trigger, lexicon: Lexicon) -> Token | None:
    """'stop' in 'the fighting will stop' or 'would not stop its strikes'."""
    head = trigger.head
    governs = head.dep_ in ("nsubj", "nsubjpass", "dobj") and head.head.lemma_ in lexicon.terminative_verbs
    return head.head if trigger.nominal and governs else None


def _ends_an_event(verb: Token, heads: frozenset[int], lexicon: Lexicon) -> bool:
    """A verb of stopping whose object is an event: what it says is about that event."""
    return verb.lemma_.lower() in lexicon.terminative_verbs and any(
        c.dep_ in ("dobj", "nsubjpass", "xcomp") and c.i in heads for c in verb.children
    )


def _is_refusal(reading: ModalityReading) -> bool:
    return reading.negated and (reading.refused or (reading.modal or "") in REFUSAL_MODALS)


def _dateline_location(sentence: Sentence, parsed: ParsedArticle, entities: tuple[EntityInfo, ...]) -> Actor | None:
    dateline = parsed.dateline
    if dateline is None or sentence.segment.start != dateline.end:
        return None
    if any(e.label in ("GPE", "LOC", "FAC") for e in entities):
        return None
    return Actor(
        Role.LOCATION, dateline.city, dateline.start, dateline.start + len(dateline.city), dateline.city, "GPE", None
    )


def _update_context(
    sentence: Sentence, parsed: ParsedArticle, context: ArticleContext, events: list[ExtractedEvent]
) -> None:
    previous = None
    for token in sentence.span:
        entity = parsed.entity_at(sentence.segment_index, token)
        if entity is not None and entity is not previous:  # once per mention, in reading order
            context.note_mention(entity, is_subject=token.dep_ in ("nsubj", "nsubjpass"))
        previous = entity
    for event in events:
        if event.quote is None or event.quote.reporting_verb is None:
            continue
        speaker = next((a for a in event.actors if a.role is Role.SPEAKER and a.label), None)
        if speaker is None:
            continue
        affiliation = next(
            (a for a in event.actors if a.role is Role.SOURCE and a.label in ("ORG", "NORP", "GPE")), None
        )
        context.note_speaker(_as_entity(speaker), _as_entity(affiliation) if affiliation else None)


def _as_entity(actor: Actor) -> EntityInfo:
    return EntityInfo(
        actor.text, actor.label or "", actor.canonical or actor.text, actor.start, actor.end, actor.country_code
    )
