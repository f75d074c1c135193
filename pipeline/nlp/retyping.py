"""Stage 5, modality rewrites and retyping: every rule that changes an event's type is here.

In: a trigger with its modality reading (and, for the last rule, its actors). Out: the type and
modality the event is reported with, or None when the trigger reports no new event. The types
the rules produce are the ontology's `roles`; the types they apply to are found by trait.

- a stopped violent event is no new event ("the fighting will stop"); a violent event that has
  not stopped goes on ("the shelling had not stopped");
- a refused concession is a refusal ("would not withdraw", "refused to release");
- a refusal announced for later is made now ("said they would boycott the vote");
- violence that is only possible or planned by its agent is a threat ("could target X");
- a warning that announces no harm is a plain statement ("warned that famine was spreading");
- a protest made by a state is a diplomatic complaint ("Manila protested").
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.modality import ModalityReading, is_negated
from pipeline.nlp.ontology import Ontology
from pipeline.nlp.triggers import Trigger
from pipeline.nlp.types import Actor, Modality, Role


@dataclass(frozen=True, slots=True)
class Typed:
    event_type: str
    modality: Modality
    reading: ModalityReading
    going_on: bool = False  # an event said not to have stopped: it happened, whatever its noun


class Retyper:
    def __init__(self, ontology: Ontology, lexicon: Lexicon) -> None:
        self._ontology = ontology
        self._lexicon = lexicon

    def settle(self, trigger: Trigger, predicate: Token, reading: ModalityReading) -> Typed | None:
        """Before eventiveness: what stopping verbs and refusals do to the trigger."""
        lexicon, ontology, event_type = self._lexicon, self._ontology, trigger.event_type
        stopper = _stopping_verb(trigger, lexicon)
        going_on = stopper is not None and is_negated(stopper, lexicon)
        if stopper is not None and not going_on and ontology.has(event_type, "violent"):
            return None  # "the fighting will stop", "press Israel to halt the attacks": no new violence
        if going_on:
            # "the bombardment had not stopped": it goes on; "would not stop its strikes": it will.
            future = reading.modal is not None
            reading = ModalityReading(Modality.PLANNED if future else Modality.ASSERTED, False, reading.modal, False)
        if event_type == ontology.roles.refusal and trigger.lemma in lexicon.concessions and not self._refusal(reading):
            return None  # a negated concession that refuses nothing ("has not withdrawn yet")
        return Typed(event_type, reading.modality, reading, going_on)

    def retype(self, trigger: Trigger, predicate: Token, typed: Typed, triggers: list[Trigger]) -> Typed:
        """After eventiveness: refusals, threats and harmless warnings."""
        ontology, lexicon = self._ontology, self._lexicon
        event_type, modality, reading = typed.event_type, typed.modality, typed.reading
        roles = ontology.roles
        concession = trigger.lemma in lexicon.concessions or ontology.has(event_type, "concession")
        if self._refusal(reading) and concession:
            return Typed(roles.refusal, Modality.ASSERTED, reading, typed.going_on)
        if event_type == roles.refusal and modality is Modality.PLANNED and reading.modal in lexicon.modals.announced:
            return Typed(
                event_type, Modality.ASSERTED, reading, typed.going_on
            )  # "said they would boycott it": refused now
        # "could target Hamas leaders", "will launch strikes": a threat, not a strike. Only the
        # agent's own modal makes a threat; "if it resumes operations" is a condition.
        modal = reading.modal in lexicon.modals.hypothetical | lexicon.modals.future  # not a plan or a need
        possible = modality in (Modality.HYPOTHETICAL, Modality.PLANNED) and not reading.conditional and modal
        own_act = not trigger.nominal or predicate.lemma_ in lexicon.light_verbs | lexicon.terminative_verbs
        if possible and ontology.has(event_type, "violent") and own_act:
            return Typed(roles.threat, Modality.ASSERTED, reading, typed.going_on)
        if event_type == roles.threat and trigger.lemma == "warn" and not self._announces_harm(trigger, triggers):
            return Typed(
                roles.harmless_warning, modality, reading, typed.going_on
            )  # "warned that famine was spreading"
        return typed

    def retype_by_actors(self, event_type: str, actors: list[Actor]) -> str:
        """After roles: 'Manila summoned the ambassador to protest' is a diplomatic complaint."""
        if self._ontology.has(event_type, "by_crowds") and _by_a_state(actors, self._lexicon):
            return self._ontology.roles.complaint
        return event_type

    def _refusal(self, reading: ModalityReading) -> bool:
        return reading.negated and (reading.refused or (reading.modal or "") in self._lexicon.modals.refusal)

    def _announces_harm(self, warning: Trigger, triggers: list[Trigger]) -> bool:
        """A warning threatens when it names someone ('warned Hamas') or announces harm: a
        violent or harmful event or a verb of retaliation in what it says."""
        verb = warning.head
        if any(c.dep_ in ("dobj", "dative") for c in verb.children):
            return True
        said = [t for c in verb.children if c.dep_ in ("ccomp", "xcomp", "advcl") for t in c.subtree]
        ontology = self._ontology
        if any(
            t.i == tr.head.i and (ontology.has(tr.event_type, "violent") or ontology.has(tr.event_type, "harm"))
            for t in said
            for tr in triggers
        ):
            return True
        # "warned that it would oppose ...": the warner announcing its own action
        own_future = any(
            t.pos_ == "VERB"
            and any(
                c.dep_ == "aux" and c.lower_ in self._lexicon.modals.announced | self._lexicon.modals.future
                for c in t.children
            )
            and any(c.dep_ == "nsubj" and c.pos_ == "PRON" for c in t.children)
            for t in said
        )
        return own_future or any(t.lemma_ in self._lexicon.retaliation_verbs for t in said)


def _stopping_verb(trigger: Trigger, lexicon: Lexicon) -> Token | None:
    """'stop' in 'the fighting will stop' or 'would not stop its strikes'."""
    head = trigger.head
    governs = head.dep_ in ("nsubj", "nsubjpass", "dobj") and head.head.lemma_ in lexicon.terminative_verbs
    return head.head if trigger.nominal and governs else None


def _by_a_state(actors: list[Actor], lexicon: Lexicon) -> bool:
    sources = [a for a in actors if a.role is Role.SOURCE]
    return bool(sources) and all(
        a.label == "GPE" or a.text.split()[-1].lower() in lexicon.state_actor_nouns for a in sources
    )
