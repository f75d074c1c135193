"""Stage, merging: when two triggers of one sentence are one event, keep one.

- The verb-object rules of the lexicon: "signed a declaration" is one AGREEMENT, "approved
  sanctions" one SANCTION.
- A trigger nested under a trigger of the same type is the same event: "hosted a meeting",
  "meet ... to discuss". The outer one stays and takes the inner one's actors and, if it has
  none of its own, its time.
- Otherwise two events of one type in one sentence are one event unless their sources differ
  ("Russia and Ukraine" swapping is one RELEASE; Hamas freeing and Israel releasing are two).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Token

from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.modality import ModalityReading
from pipeline.nlp.syntax import path_from
from pipeline.nlp.triggers import Trigger
from pipeline.nlp.types import ExtractedEvent, Modality, Role, TimeMethod

# Links through which a trigger is part of the event above it (not "conj": a parallel event;
# not "ccomp": something said).
_NESTED_PATH = frozenset(
    {
        "dobj",
        "pobj",
        "prep",
        "xcomp",
        "advcl",
        "acl",
        "compound",
        "appos",
        "attr",
        "nsubjpass",
        "npadvmod",
        "amod",
        "aux",
    }
)


@dataclass(frozen=True, slots=True)
class Draft:
    """A trigger that passed the filters, with its type and modality decided."""

    trigger: Trigger
    event_type: str
    modality: Modality
    predicate: Token
    reading: ModalityReading


def apply_verb_object_rules(drafts: list[Draft], lexicon: Lexicon) -> list[Draft]:
    dropped: set[int] = set()
    for verb in drafts:
        rule = lexicon.verb_object_rules.get(verb.event_type)
        if rule is None or verb.trigger.nominal:
            continue
        for noun in drafts:
            if noun is verb or not noun.trigger.nominal or not _object_of(noun.trigger.head, verb.trigger.head):
                continue
            if noun.event_type in rule.absorbs:
                dropped.add(noun.trigger.head.i)
            elif noun.event_type in rule.yields_to:
                dropped.add(verb.trigger.head.i)
    return [d for d in drafts if d.trigger.head.i not in dropped]


def _object_of(noun: Token, verb: Token) -> bool:
    """'declaration' in 'signed a declaration', 'sanctions' in 'approved a package of sanctions'."""
    path = path_from(verb, noun)
    return path is not None and path[0] in ("dobj", "nsubjpass") and set(path) <= {"dobj", "nsubjpass", "prep", "pobj"}


def merge_events(pairs: list[tuple[Draft, ExtractedEvent]]) -> list[ExtractedEvent]:
    kept: list[tuple[Draft, ExtractedEvent]] = []
    for draft, event in pairs:
        index = next((i for i, (d, e) in enumerate(kept) if _same_event(d, e, draft, event)), None)
        if index is None:
            kept.append((draft, event))
            continue
        outer_draft, outer_event = kept[index]
        if _nested(draft, outer_draft) or len(event.actors) <= len(outer_event.actors):
            kept[index] = (outer_draft, _absorb(outer_event, event))
        else:
            kept[index] = (draft, _absorb(event, outer_event))
    return [event for _, event in kept]


def _same_event(d1: Draft, e1: ExtractedEvent, d2: Draft, e2: ExtractedEvent) -> bool:
    if e1.event_type != e2.event_type:
        return False
    if _nested(d1, d2) or _nested(d2, d1):
        return True
    return e1.modality is e2.modality and not _distinct_sources(e1, e2)


def _nested(inner: Draft, outer: Draft) -> bool:
    path = path_from(outer.trigger.head, inner.trigger.head)
    if not path or path[0] == "conj" or not set(path) <= _NESTED_PATH:
        return False
    # A clause with a subject of its own is a separate event: "Hamas frees ... as Israel releases".
    clause_heads = [t for t in inner.trigger.head.ancestors if t.i != outer.trigger.head.i][: len(path) - 1]
    return not any(
        c.dep_ in ("nsubj", "nsubjpass")
        for t in [inner.trigger.head, *clause_heads]
        if t.pos_ == "VERB"
        for c in t.children
    )


def _absorb(kept: ExtractedEvent, other: ExtractedEvent) -> ExtractedEvent:
    seen = {(a.role, a.start, a.end) for a in kept.actors}
    actors = kept.actors + tuple(a for a in other.actors if (a.role, a.start, a.end) not in seen)
    time = kept.time
    if kept.time.method is TimeMethod.PUBLICATION_DATE and other.time.method is not TimeMethod.PUBLICATION_DATE:
        time = other.time
    return replace(kept, actors=actors, time=time, casualties=kept.casualties or other.casualties)


def _distinct_sources(a: ExtractedEvent, b: ExtractedEvent) -> bool:
    def names(event: ExtractedEvent) -> set[str]:
        return {(x.canonical or x.text).lower() for x in event.actors if x.role in (Role.SOURCE, Role.SPEAKER)}

    first, second = names(a), names(b)
    return bool(first) and bool(second) and not first & second
