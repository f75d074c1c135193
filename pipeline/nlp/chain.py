"""The extractor's chain: the stages that turn one parsed sentence into events, in order.

    segmentation (segment.py)            article -> headline, subheads, bullets, paragraphs
    parse (spaCy + lemma fixes)          text -> tokens, lemmas, POS, parse, entities
    entities (entities.py, article)      NER spans -> resolved entities, codes, places
    ---------------------------------------------------------------- per sentence, here:
    1 casualty figures (casualties.py)   sentence -> CasualtyFinding
    2 trigger candidates (triggers.py)   sentence, findings -> Trigger
    3 eventiveness (eventiveness.py)     trigger -> is it an event mention
    4 modality (modality.py)             trigger, predicate -> ModalityReading
    5 retyping (retyping.py)             trigger, reading (, actors) -> type and modality
      merging (merging.py)               drafts -> one draft per event
    6 roles (roles.py)                   trigger, predicate -> Actor
    7 quotes and speakers (speech.py)    speech trigger, quote spans -> Quote, SPEAKER
    8 time (timing.py)                   time mentions, trigger -> EventTime
    9 codebook mapping (mapping.py)      type, mode, actors -> PLOVER / ACLED / CAMEO
   10 confidence (confidence.py)         prior, actors, time, section -> confidence
    ---------------------------------------------------------------- article passes:
    memory (context.py)                  after each sentence: mentions, speakers, types, scene time
    conflicting figures (conflicts.py)   all events -> CONFLICTING_FIGURES flags

`STAGES` lists the same, for documentation and for a test that keeps it true.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.language import Language

from pipeline.nlp.casualties import attributed_source, combine, find_casualties, scope_claim
from pipeline.nlp.confidence import confidence
from pipeline.nlp.context import ArticleContext
from pipeline.nlp.document import ParsedArticle, Sentence
from pipeline.nlp.eventiveness import is_absorbed, is_eventive
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.mapping import map_event
from pipeline.nlp.merging import Draft, apply_verb_object_rules, merge_events
from pipeline.nlp.modality import read_modality
from pipeline.nlp.ontology import Ontology
from pipeline.nlp.quotes import QuoteSpan, is_quote_only, quote_spans
from pipeline.nlp.retyping import Retyper
from pipeline.nlp.roles import RoleContext, dateline_actor, find_actors, unique_actors
from pipeline.nlp.speech import build_quote, continued_quote, has_content, reporting_speaker
from pipeline.nlp.syntax import governing_predicate
from pipeline.nlp.timex import TimeResolver
from pipeline.nlp.timing import SentenceTimes, TimeAttacher
from pipeline.nlp.triggers import Trigger, TriggerFinder
from pipeline.nlp.types import ArticleText, CasualtyClaim, EntityInfo, ExtractedEvent, Flag, Modality, Role, Section

_BACKGROUND_MS = 30 * 86_400_000
_FINITE_TAGS = frozenset({"VBZ", "VBP", "VBD", "MD"})


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    module: str
    reads: str
    gives: str


STAGES: tuple[Stage, ...] = (
    Stage("segmentation", "pipeline.nlp.segment", "article title and body", "segments and dateline"),
    Stage("parse", "pipeline.nlp.language", "segment texts", "spaCy docs with mended lemmas"),
    Stage("entities", "pipeline.nlp.entities", "NER spans of the article", "resolved entities"),
    Stage("casualty figures", "pipeline.nlp.casualties", "sentence", "casualty findings"),
    Stage("trigger candidates", "pipeline.nlp.triggers", "sentence, casualty findings", "triggers"),
    Stage("eventiveness", "pipeline.nlp.eventiveness", "trigger", "event mention or not"),
    Stage("modality", "pipeline.nlp.modality", "trigger, predicate", "modality reading"),
    Stage("retyping", "pipeline.nlp.retyping", "trigger, reading, actors", "type and modality"),
    Stage("merging", "pipeline.nlp.merging", "drafts and events of a sentence", "one per event"),
    Stage("roles", "pipeline.nlp.roles", "trigger, predicate", "actors"),
    Stage("quotes and speakers", "pipeline.nlp.speech", "speech trigger, quote spans", "quote, speaker"),
    Stage("time", "pipeline.nlp.timing", "time mentions, trigger", "event time"),
    Stage("codebook mapping", "pipeline.nlp.mapping", "type, mode, actors", "PLOVER, ACLED, CAMEO"),
    Stage("confidence", "pipeline.nlp.confidence", "prior, actors, time, section", "confidence"),
    Stage("memory", "pipeline.nlp.context", "a sentence's entities and events", "article memory"),
    Stage("conflicting figures", "pipeline.nlp.conflicts", "the article's events", "flags"),
)


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
    incident: bool  # the sentence reports an incident ("killed in the blast")
    entities: tuple[EntityInfo, ...]  # resolved entities of the sentence, shared by its events
    types: frozenset[str]  # the types of the sentence's events


class SentenceChain:
    """The per-sentence stages, wired once per spaCy pipeline."""

    def __init__(self, nlp: Language, ontology: Ontology, lexicon: Lexicon) -> None:
        self._ontology = ontology
        self._lexicon = lexicon
        self._finder = TriggerFinder(nlp, ontology, lexicon)
        self._retyper = Retyper(ontology, lexicon)
        self._times = TimeAttacher(TimeResolver(), ontology, lexicon)

    def events(
        self, sentence: Sentence, parsed: ParsedArticle, context: ArticleContext, article: ArticleText
    ) -> list[ExtractedEvent]:
        if sentence.section is Section.SUBHEAD and sum(t.is_alpha for t in sentence.span) < 3:
            return []  # a section label ("Protests", "KEY POINTS"), not a report
        sent, lexicon = sentence.span, self._lexicon
        quotes = quote_spans(sent.text, sentence.start)
        findings = find_casualties(sent, lexicon)  # 1
        triggers = self._finder.candidates(sent, findings, headline=sentence.section is Section.HEADLINE)  # 2
        heads = frozenset(t.head.i for t in triggers)
        rc = RoleContext(
            entity_at=lambda token: parsed.entity_at(sentence.segment_index, token),
            context=context,
            offset=sentence.offset,
            in_quote=lambda token: any(q.start <= sentence.offset + token.idx < q.end for q in quotes),
            lexicon=lexicon,
            event_heads=heads,
        )
        times = self._times.prepare(sentence, heads, article.published_at_ms, context)
        drafts = self._drafts(triggers, times.dated, _verbless_headline(sentence), context)  # 3, 4, 5
        claim = combine(findings)
        if claim is not None:
            claim = replace(claim, reported_by=attributed_source(sent, lexicon) or claim.reported_by)
        scene = Scene(
            sentence, parsed, rc, quotes, times, claim, article.published_at_ms, article.published_at_inferred,
            incident=any(self._ontology.has(t.event_type, "incident") for t in triggers),
            entities=tuple(parsed.entities_in(sentence)),
            types=frozenset(d.event_type for d in drafts),
        )  # fmt: skip
        events = _with_incident_codes(merge_events([(d, self._event(d, scene)) for d in drafts]), self._ontology)
        self._times.remember(sentence, events, context)
        context.remember(sent, rc.entity_at, events)
        return events

    def _drafts(
        self, triggers: list[Trigger], dated: frozenset[int], fragment: bool, context: ArticleContext
    ) -> list[Draft]:
        ontology, lexicon = self._ontology, self._lexicon
        demand_heads = [t.head for t in triggers if ontology.has(t.event_type, "demand")]
        governing = frozenset(t.head.i for t in triggers if ontology.has(t.event_type, "governs_events"))
        violent = frozenset(t.head.i for t in triggers if ontology.has(t.event_type, "violent"))
        heads = frozenset(t.head.i for t in triggers)
        families = ontology.story_families
        reported = {families[t] for t in context.reported_types if ontology.has(t, "violent") and t in families}
        drafts = []
        for trigger in triggers:
            spec = ontology.types[trigger.event_type]
            predicate = governing_predicate(trigger.head) if trigger.nominal else trigger.head
            reading = read_modality(trigger.head, predicate, lexicon, demand_heads, heads)  # 4
            typed = self._retyper.settle(trigger, predicate, reading)  # 5
            if typed is None:
                continue
            eventive = typed.going_on or is_eventive(  # 3
                trigger, spec, lexicon, dated=trigger.head.i in dated,
                demanded=reading.modality is Modality.DEMANDED, trigger_heads=heads, governing_heads=governing,
                violent_heads=violent, reported_families=frozenset(reported), fragment=fragment,
            )  # fmt: skip
            if ontology.has(trigger.event_type, "violent") and trigger.event_type in families:
                reported.add(families[trigger.event_type])  # "killed in the shelling" after "exchanged fire"
            if not eventive:
                continue
            typed = self._retyper.retype(trigger, predicate, typed, triggers)  # 5
            drafts.append(Draft(trigger, typed.event_type, typed.modality, predicate, typed.reading))
        absorbers = [d.trigger for d in drafts if ontology.has(d.event_type, "absorbs")]
        # States and casualty figures stay events even inside an accusation or a warning.
        drafts = [
            d
            for d in drafts
            if ontology.types[d.event_type].nominal_policy == "always" or not is_absorbed(d.trigger, absorbers)
        ]
        return apply_verb_object_rules(drafts, lexicon)

    def _event(self, draft: Draft, scene: Scene) -> ExtractedEvent:
        ontology, sentence, rc = self._ontology, scene.sentence, scene.rc
        trigger = draft.trigger
        original = trigger.event_type
        statement_type = ontology.roles.statement
        speech = not trigger.nominal and (ontology.is_speech(original, trigger.lemma) or original == statement_type)
        statement = speech and original == statement_type
        place_source = ontology.has(draft.event_type, "place_source")
        actors = find_actors(trigger.head, draft.predicate, trigger.nominal, speech, statement, place_source, rc)  # 6
        if speech and not any(a.role is Role.SPEAKER for a in actors):
            actors += reporting_speaker(trigger.head, sentence.span, rc)  # 7
        quote = None
        if speech and (statement or has_content(trigger.head, scene.quotes, sentence.offset)):
            quote, extra = build_quote(trigger.head, actors, scene.quotes, sentence.span, sentence.offset, rc)
            actors += extra
        elif is_quote_only(sentence.text) and rc.context.last_speaker is not None:
            quote = continued_quote(scene.quotes, rc.context)
        actors = unique_actors(actors)
        event_type = self._retyper.retype_by_actors(draft.event_type, actors)  # 5
        flags: list[str] = []
        if not any(a.role is Role.LOCATION for a in actors):
            located = dateline_actor(scene.parsed.dateline, sentence.segment.start, scene.entities)
            if located is not None:
                actors.append(located)
                flags.append(Flag.DATELINE_LOCATION)
        event_time = self._times.time_for(scene.times, trigger, draft.predicate, draft.modality, event_type)  # 8
        casualties = None
        if scene.claim is not None and ontology.has(event_type, "casualties"):
            casualties = scope_claim(
                scene.claim, sentence.text, event_time, scene.published_ms, self._lexicon, scene.incident
            )
        if event_time.start_ms < scene.published_ms - _BACKGROUND_MS:
            flags.append(Flag.BACKGROUND)
        if scene.inferred:
            flags.append(Flag.PUBLISHED_AT_INFERRED)
        told = trigger.mode if event_type == trigger.event_type else None
        mode = told or ontology.mode(event_type, trigger.lemma)
        mapping = map_event(ontology, self._lexicon, event_type, mode, actors, scene.types)  # 9
        head_span = sentence.span.doc[trigger.start : trigger.end]
        spec = ontology.types[event_type]
        return ExtractedEvent(
            event_type=event_type,
            modality=draft.modality,
            section=sentence.section,
            sentence_text=sentence.text,
            sentence_start=sentence.start,
            sentence_end=sentence.end,
            trigger_text=head_span.text,
            trigger_lemma=trigger.lemma,
            trigger_start=sentence.offset + head_span.start_char,
            trigger_end=sentence.offset + head_span.end_char,
            time=event_time,
            confidence=confidence(spec.prior, actors, event_time.method, sentence.section),  # 10
            mode=mode,
            plover=mapping.plover,
            cameo=mapping.cameo,
            plover_mode=mapping.plover_mode,
            acled_event_type=mapping.acled_event_type,
            acled_sub_event_type=mapping.acled_sub_event_type,
            entities=scene.entities,
            actors=tuple(actors),
            quote=quote,
            casualties=casualties,
            flags=tuple(flags),
        )


def _with_incident_codes(events: list[ExtractedEvent], ontology: Ontology) -> list[ExtractedEvent]:
    """A casualty figure belongs to the incident of its sentence: a report of the dead takes the
    ACLED class of the strike or clash beside it ("jets bombed a village, killing 12")."""
    report = ontology.roles.casualty_report
    incident = next(
        (
            e
            for e in events
            if e.event_type != report and ontology.has(e.event_type, "casualties") and e.acled_sub_event_type
        ),
        None,
    )
    if incident is None:
        return events
    kind, sub = incident.acled_event_type, incident.acled_sub_event_type
    return [
        replace(e, acled_event_type=kind, acled_sub_event_type=sub) if e.event_type == report else e for e in events
    ]


def _verbless_headline(sentence: Sentence) -> bool:
    return sentence.section is Section.HEADLINE and not any(
        t.tag_ in _FINITE_TAGS and t.pos_ in ("VERB", "AUX") for t in sentence.span
    )
