"""Which candidate triggers become events.

A noun such as "talks" or "plan" is often only a reference ("the basis of the talks"). It is an
event mention when the parse shows an occurrence: the object of a light verb ("held talks"), the
subject of an occurrence verb ("the truce collapsed"), a dated mention ("Tuesday's session"), a
headline fragment, or the thing a demand asks for.
"""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.nlp.ontology import EventTypeSpec, Lexicon
from pipeline.nlp.syntax import path_from
from pipeline.nlp.triggers import Trigger

# Dependency labels through which an absorbing trigger (accuse, reject, threaten, praise,
# invite) owns what follows: "accused Israel of breaking two ceasefires".
_ABSORB_PATH = frozenset(
    {
        "xcomp",
        "ccomp",
        "pcomp",
        "prep",
        "pobj",
        "dobj",
        "acl",
        "compound",
        "amod",
        "nsubj",
        "aux",
        "conj",
        "appos",
        "relcl",
    }
)


def is_eventive(
    trigger: Trigger,
    spec: EventTypeSpec,
    lexicon: Lexicon,
    *,
    dated: bool,
    demanded: bool,
    trigger_heads: frozenset[int],
) -> bool:
    if not trigger.nominal or spec.nominal_policy == "always" or demanded or dated:
        return True
    head = trigger.head
    if head.dep_ == "ROOT":
        return True  # headline and bullet fragments: "Protests in Paris"
    if head.dep_ in ("compound", "amod", "nmod"):
        if head.head.i in trigger_heads or head.head.pos_ not in ("NOUN", "PROPN"):
            return False  # "ceasefire talks", "peace plan": the modifier is not the event
        head = head.head  # "aid trucks entered Gaza": judge the phrase by its head
    while head.dep_ in ("conj", "appos") and head.head.i != head.i:
        head = head.head
    return _occurrence_context(head, lexicon)


def _occurrence_context(head: Token, lexicon: Lexicon) -> bool:
    governor = head.head
    if head.dep_ in ("dobj", "nsubjpass", "attr", "oprd", "dative") and governor.lemma_ in lexicon.light_verbs:
        return True
    if head.dep_ == "pobj" and governor.dep_ in ("prep", "agent"):
        verb = governor.head
        if verb.lemma_ in lexicon.light_verbs or (verb.dep_ == "prt" and verb.head.lemma_ in lexicon.light_verbs):
            return True
    return head.dep_ in ("nsubj", "nsubjpass") and governor.lemma_ in lexicon.occurrence_verbs


def is_absorbed(trigger: Trigger, absorbers: list[Trigger]) -> bool:
    """True when the trigger is the content of an accusation, rejection, threat, praise or invitation."""
    for absorber in absorbers:
        if absorber.head.i == trigger.head.i:
            continue
        path = path_from(absorber.head, trigger.head)
        if path and path[0] != "conj" and set(path) <= _ABSORB_PATH:
            return True
    return False
