"""Stage 3, eventiveness: which candidate triggers are events.

In: a trigger, its type's spec, what the sentence and the article know. Out: yes or no.
A noun such as "talks" or "plan" is often only a reference ("the basis of the talks"). It is an
event mention when the parse shows an occurrence: the object of a light verb ("held talks"), the
subject of an occurrence verb ("the truce collapsed"), a dated mention ("Tuesday's session"), a
headline fragment, the thing a demand asks for, the object of an act on events ("broke up the
rally"), or a violent noun a clause is set in ("killed in heavy clashes") that the article has not
reported yet.
"""

from __future__ import annotations

from spacy.tokens import Token

from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.ontology import EventTypeSpec
from pipeline.nlp.syntax import path_from, under_without
from pipeline.nlp.triggers import Trigger

# Dependency labels through which an absorbing trigger (accuse, reject, threaten, praise,
# invite) owns what follows: "accused Israel of breaking two ceasefires".
# (Not "relcl": in "thanked Trump, who had threatened to halt talks" the threat is an event.)
_ABSORB_PATH = frozenset(
    {"xcomp", "ccomp", "pcomp", "prep", "pobj", "dobj", "acl", "compound", "amod", "nsubj", "aux", "conj", "appos"}
)

# Prepositions that set a clause in an event: "killed in heavy clashes", "amid fighting".
_SETTING_PREPS = frozenset({"in", "during", "amid", "amidst"})


def is_eventive(
    trigger: Trigger,
    spec: EventTypeSpec,
    lexicon: Lexicon,
    *,
    dated: bool,
    demanded: bool,
    trigger_heads: frozenset[int],
    governing_heads: frozenset[int] = frozenset(),
    violent_heads: frozenset[int] = frozenset(),
    reported_families: frozenset[str] = frozenset(),
    fragment: bool = False,
) -> bool:
    """`governing_heads`: triggers of types that act on events ("broke up", "dispersed");
    `violent_heads`: triggers of violent types; `reported_families`: the story families of what
    the article has reported before this trigger; `fragment`: the
    sentence is a headline without a finite verb ("India and Pakistan trade fire along
    frontier"), where every event noun that is not a mere modifier is reported."""
    if trigger.nominal and under_without(trigger.head):
        return False
    if (
        not trigger.nominal
        and trigger.head.dep_ == "acl"
        and trigger.head.head.lemma_.lower() in lexicon.capacity_nouns
    ):
        return False  # "the right to protest": a capacity, not a protest
    if not trigger.nominal or spec.nominal_policy == "always" or demanded or dated:
        return True
    head = trigger.head
    if head.dep_ in ("dobj", "nsubjpass") and head.head.i in governing_heads:
        return True  # "police broke up the rally": the rally happened
    if _setting(head, spec, lexicon, reported_families, violent_heads):
        return True
    if head.dep_ == "ROOT" or has_occurrence_clause(head, lexicon):
        return True  # headline fragments; "a ceasefire that took effect", "a strike that killed"
    if head.dep_ in ("compound", "amod", "nmod"):
        if head.head.i in trigger_heads or head.head.pos_ not in ("NOUN", "PROPN"):
            return False  # "ceasefire talks", "peace plan": the modifier is not the event
        head = head.head  # "aid trucks entered Gaza": judge the phrase by its head
    while head.dep_ in ("conj", "appos") and head.head.i != head.i:
        head = head.head
    container = _container(head, lexicon)
    if container is not None:
        if has_occurrence_clause(container, lexicon):
            return True  # "five days of fighting that killed 35"
        head = container  # "held a round of talks": judge the container
    return fragment or _occurrence_context(head, lexicon)


def _indefinite(noun: Token) -> bool:
    return any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children)


def _definite(noun: Token) -> bool:
    return any(c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an", "some", "no") for c in noun.children)


def _setting(
    noun: Token, spec: EventTypeSpec, lexicon: Lexicon, reported_families: frozenset[str], violent_heads: frozenset[int]
) -> bool:
    """'killed in heavy clashes', 'wounded during a raid', 'fled amid fighting': a violent noun
    an outcome is set in reports it. 'Killed in the shelling', after violence was reported,
    refers back to it; 'retook the town in a lightning offensive' names how the retaking went."""
    if "violent" not in spec.traits or noun.dep_ != "pobj" or noun.head.lower_ not in _SETTING_PREPS:
        return False
    verb = noun.head.head
    if verb.lemma_.lower() not in lexicon.outcome_verbs or verb.i in violent_heads:
        return False
    return not (_definite(noun) and spec.story_family in reported_families)


def has_occurrence_clause(noun: Token, lexicon: Lexicon) -> bool:
    """'a ceasefire that took effect', 'the explosion that killed 220': a relative clause whose
    subject is the noun and whose verb says it happened."""
    for clause in noun.children:
        if clause.dep_ not in ("relcl", "acl") or clause.lemma_ not in lexicon.occurrence_verbs:
            continue
        subjects = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subjects or subjects[0].lower_ in ("that", "which", "who"):
            return True
    return False


def _container(head: Token, lexicon: Lexicon) -> Token | None:
    """'round' in 'a round of talks': the noun that holds the event in an 'of' phrase."""
    if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_.lower() in lexicon.container_nouns:
        container: Token = head.head.head
        return container
    if head.dep_ == "pobj" and head.head.lower_ == "in" and head.head.head.ent_type_ == "MONEY":
        amount: Token = head.head.head  # "pledged $250 million in assistance"
        return amount
    return None


def is_light(verb: Token, lexicon: Lexicon) -> bool:
    """A verb whose object is the event itself ('held talks'), with its particle if it needs one."""
    if verb.pos_ not in ("VERB", "AUX") or verb.lemma_ not in lexicon.light_verbs:
        return False
    particle = lexicon.light_verb_particles.get(verb.lemma_)
    return particle is None or any(c.dep_ == "prt" and c.lower_ == particle for c in verb.children)


def _occurrence_context(head: Token, lexicon: Lexicon) -> bool:
    governor = head.head
    if head.dep_ in ("dobj", "nsubjpass", "attr", "oprd", "dative") and is_light(governor, lexicon):
        return True
    if head.dep_ == "dobj" and lexicon.lemma(governor) in lexicon.deliberation_verbs:
        return True  # "weighs sanctions": a possible event (modality says so)
    if head.dep_ == "pobj" and governor.dep_ in ("prep", "agent") and governor.lower_ not in lexicon.preps.reference:
        if governor.lower_ in lexicon.preps.temporal:
            return True  # "after clashes", "during the talks"
        killing = governor.head.lemma_.lower() in lexicon.killed_verbs | lexicon.injured_verbs
        if governor.lower_ in ("in", "during") and killing and _indefinite(head):
            return True  # "killed 15 in a counter-attack" is news; "killed in the assault" refers back
        verb = governor.head
        if is_light(verb, lexicon) or (verb.dep_ == "prt" and is_light(verb.head, lexicon)):
            return True
        if (verb.lemma_ == "part" and verb.head.lemma_ == "take") or (
            verb.lemma_ == "take" and any(c.lemma_ == "part" for c in verb.children)
        ):
            return True  # "took part in the talks"
    return (
        head.dep_ in ("nsubj", "nsubjpass")
        and governor.pos_ in ("VERB", "AUX")
        and governor.lemma_ in lexicon.occurrence_verbs
    )


def is_absorbed(trigger: Trigger, absorbers: list[Trigger]) -> bool:
    """True when the trigger is the content of an accusation, rejection, threat, praise or invitation."""
    for absorber in absorbers:
        if absorber.head.i == trigger.head.i:
            continue
        path = path_from(absorber.head, trigger.head)
        if path and path[0] != "conj" and set(path) <= _ABSORB_PATH:
            return True
    return False
