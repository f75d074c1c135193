"""Stage 4, modality: asserted, planned, hypothetical, negated or demanded.

In: a trigger, its predicate, the demand triggers of the sentence. Out: a `ModalityReading`.
Read off the parse around the predicate: negation, modal auxiliaries, conditional clauses,
planning verbs ("expected to", "set to") and demand verbs governing the event.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.syntax import path_from
from pipeline.nlp.types import Modality

# Labels that keep a demanded thing inside the demand: "called for a ceasefire and the
# release of ...", "urged Israel to withdraw", "demanded that troops pull out".
_DEMAND_PATH = frozenset({"dobj", "pobj", "prep", "conj", "xcomp", "ccomp", "appos", "cc", "advcl"})


@dataclass(frozen=True, slots=True)
class ModalityReading:
    modality: Modality
    negated: bool
    modal: str | None  # the modal or planning word that decided it, if any
    refused: bool  # inside "refuse to" / "decline to"
    conditional: bool = False  # inside an "if" / "unless" clause


def read_modality(
    trigger: Token, predicate: Token, lexicon: Lexicon, demand_heads: list[Token], trigger_heads: frozenset[int]
) -> ModalityReading:
    """Modality of the event whose trigger is `trigger` and whose verb is `predicate`.

    `trigger_heads` are the events of the sentence: a demand does not reach through another
    event ("an inquiry into a strike" demands the inquiry, not the strike).
    """
    negated = is_negated(trigger, lexicon) or (predicate.i != trigger.i and is_negated(predicate, lexicon))
    modal = _modal(predicate, lexicon)
    refused = predicate.dep_ == "xcomp" and predicate.head.lemma_ in lexicon.refusal_verbs
    if negated:
        return ModalityReading(Modality.NEGATED, True, modal, refused)
    if _in_conditional(predicate, lexicon) or _unspecific(trigger):
        return ModalityReading(Modality.HYPOTHETICAL, False, modal, refused, conditional=True)
    if any(_demanded_by(head, trigger, trigger_heads, lexicon) for head in demand_heads):
        return ModalityReading(Modality.DEMANDED, False, modal, refused)
    if _deliberated(trigger, predicate, lexicon):
        return ModalityReading(Modality.HYPOTHETICAL, False, "deliberated", refused)
    if modal is not None and modal in lexicon.modals.hypothetical and not _reported_future(predicate, modal, lexicon):
        return ModalityReading(Modality.HYPOTHETICAL, False, modal, refused)
    if modal is not None or _planned(predicate, trigger, lexicon):
        return ModalityReading(Modality.PLANNED, False, modal or "planned", refused)
    return ModalityReading(Modality.ASSERTED, False, None, refused)


def _deliberated(trigger: Token, predicate: Token, lexicon: Lexicon) -> bool:
    """'weighs sanctions', 'is considering pulling out': only weighed, not decided."""
    if predicate.i != trigger.i and lexicon.lemma(predicate) in lexicon.deliberation_verbs:
        return True
    return trigger.dep_ in ("xcomp", "ccomp") and lexicon.lemma(trigger.head) in lexicon.deliberation_verbs


def _unspecific(trigger: Token) -> bool:
    """'any deal', 'any future agreement': no particular event, only a possible one."""
    return trigger.pos_ in ("NOUN", "PROPN") and any(c.dep_ == "det" and c.lower_ == "any" for c in trigger.children)


def is_negated(token: Token, lexicon: Lexicon) -> bool:
    negative_dets = lexicon.negative_determiners
    for child in token.children:
        dep = child.dep_
        if dep == "neg" or (dep == "det" and child.lower_ in negative_dets):
            return True
        if dep in ("nsubj", "nsubjpass") and (
            child.lower_ in lexicon.negative_subjects
            or any(d.dep_ == "det" and d.lower_ in negative_dets for d in child.children)
        ):
            return True  # "neither side has accepted it", "no one claimed the attack"
        if dep in ("aux", "auxpass") and any(g.dep_ == "neg" for g in child.children):
            return True
    return False


def _modal(predicate: Token, lexicon: Lexicon) -> str | None:
    """The modal auxiliary of the predicate or of the verb it is the complement of."""
    current = predicate
    for _ in range(3):
        for child in current.children:
            if child.dep_ in ("aux", "auxpass") and child.tag_ == "MD":
                return lexicon.modals.forms.get(child.lower_, child.lower_)
            if child.dep_ == "aux" and child.lower_ == "going":
                return "will"
        if current.dep_ in ("xcomp", "conj") and current.head.pos_ in ("VERB", "AUX", "ADJ"):
            current = current.head
        elif _purpose(current):
            current = current.head  # "would send troops to help secure it": the purpose shares the send's modal
        else:
            break
    return None


def _purpose(verb: Token) -> bool:
    """An infinitive of purpose: 'sent troops to secure the area'."""
    return verb.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _planned(predicate: Token, trigger: Token, lexicon: Lexicon) -> bool:
    """'expected to resume', 'set to meet', 'plans to withdraw', 'expected at the talks',
    'exchanges were being prepared'."""
    if predicate.i != trigger.i and predicate.lemma_ in lexicon.planning_predicates:
        return True
    current = predicate
    for _ in range(3):
        complement = current.dep_ in ("xcomp", "ccomp") or _purpose(current)
        if complement and lexicon.lemma(current.head) in lexicon.planning_verbs:
            return True
        if _needed_by(current, lexicon):
            return True  # "needed 2,500 more officers to push back the gangs"
        if current.dep_ in ("xcomp", "conj") or _purpose(current):
            current = current.head
        else:
            return False
    return False


def _needed_by(verb: Token, lexicon: Lexicon) -> bool:
    """An infinitive on the object of a verb of planning or need: 'needed officers to push back'."""
    if verb.dep_ not in ("acl", "relcl") or not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return False
    holder = verb.head
    return holder.dep_ in ("dobj", "nsubjpass") and lexicon.lemma(holder.head) in lexicon.planning_verbs


def _in_conditional(predicate: Token, lexicon: Lexicon) -> bool:
    """The predicate sits in an 'if' clause, or governs one."""
    current = predicate
    for _ in range(4):
        if any(c.dep_ == "mark" and c.lower_ in lexicon.conditional_marks for c in current.children):
            return True
        if current.dep_ in ("advcl", "ccomp", "xcomp", "conj") and current.head.i != current.i:
            current = current.head
        else:
            break
    return False


def _reported_future(predicate: Token, modal: str, lexicon: Lexicon) -> bool:
    """'would' in reported speech is a future in the past: 'said it would be joined by'."""
    if modal != "would":
        return False
    head = predicate
    for _ in range(3):
        if head.dep_ == "ccomp" and head.head.pos_ == "VERB":
            return not _in_conditional(predicate, lexicon)
        if head.dep_ in ("conj", "xcomp"):
            head = head.head
        else:
            return False
    return False


def _demanded_by(demand_head: Token, trigger: Token, trigger_heads: frozenset[int], lexicon: Lexicon) -> bool:
    """The trigger is what the demand asks for: below it, but not through a parallel verb
    ('conj'), a verb of stopping ('urged Israel to halt the attacks') or another event."""
    if demand_head.i == trigger.i:
        return False
    path = path_from(demand_head, trigger)
    if path is None or not 0 < len(path) <= 5 or not set(path) <= _DEMAND_PATH or path[0] == "conj":
        return False
    current = trigger
    while current.head.i != demand_head.i:
        parent = current.head
        # A coordinated sibling ("a withdrawal and a ceasefire") does not block; an embedding event does.
        if current.dep_ != "conj" and (parent.i in trigger_heads or parent.lemma_ in lexicon.terminative_verbs):
            return False
        current = parent
    return True
