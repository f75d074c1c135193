"""Small helpers over spaCy's dependency parse, shared by the role, modality and time rules."""

from __future__ import annotations

from functools import cache

from spacy.strings import get_string_id
from spacy.tokens import Token

# Relative pronouns are told by their tag (who, whom, which, relative "that"), not a word list.
RELATIVE_TAGS = frozenset({"WDT", "WP", "WP$"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
OBJECT_DEPS = frozenset({"dobj", "dative", "attr", "oprd"})
# Modifiers that belong to a noun phrase when it is quoted as an actor.
_NP_LEFT_DEPS = frozenset(
    {"det", "amod", "compound", "poss", "nummod", "quantmod", "nmod", "case", "punct", "predet", "advmod"}
)


def governing_predicate(token: Token) -> Token:
    """The verb a noun mention depends on: 'talks' in 'joined the talks' -> 'joined'.

    Walks up through conjunctions, prepositions and argument relations; returns the token
    itself when it is a verb or heads nothing verbal.
    """
    current = token
    for _ in range(6):
        if current.pos_ in ("VERB", "AUX") and current.dep_ not in ("amod", "compound"):
            return current
        if current.dep_ == "ROOT" or current.head.i == current.i:
            return current
        if (
            current.dep_ in ("conj", "appos", "pobj", "prep", "compound", "agent")
            or current.dep_ in SUBJECT_DEPS | OBJECT_DEPS
        ):
            current = current.head
            continue
        return current
    return current


def under_without(token: Token) -> bool:
    """'without reporting casualties': the word names something absent, not an event."""
    return any(a.lower_ == "without" for a in list(token.ancestors)[:3])


def path_from(ancestor: Token, token: Token) -> list[str] | None:
    """Dependency labels on the way down from `ancestor` to `token`, or None if not above it."""
    labels: list[str] = []
    current = token
    for _ in range(40):
        if current.i == ancestor.i:
            return list(reversed(labels))
        if current.head.i == current.i:
            return None
        labels.append(current.dep_)
        current = current.head
    return None


def children(token: Token, *deps: str) -> list[Token]:
    ids = _label_ids(deps)
    return [c for c in token.children if c.dep in ids]


def first_child(token: Token, *deps: str) -> Token | None:
    ids = _label_ids(deps)
    for c in token.children:
        if c.dep in ids:
            return c
    return None


@cache
def _label_ids(labels: tuple[str, ...]) -> frozenset[int]:
    """Labels as the ids tokens store (`Token.dep`): comparing ids spares making each child's
    label a string, on the rules' most frequent path. Few distinct tuples: callers name them."""
    return frozenset(get_string_id(label) for label in labels)


def conjuncts(token: Token) -> list[Token]:
    """The token and the tokens coordinated with it ('Cairo and Hamas')."""
    return [token, *[c for c in token.conjuncts if c.i != token.i]]


def clause_subject(verb: Token, skip: frozenset[int] = frozenset()) -> tuple[Token | None, bool]:
    """Subject of a verb and whether it is passive, inheriting across conj/xcomp/advcl/relcl.

    Subjects in `skip` (events, for a speech verb: "the bombardment had not stopped, reporting
    three bodies" is reported by the spokesman) are passed over to the clause above.
    """
    current = verb
    for _ in range(5):
        subject = first_child(current, "nsubj", "csubj")
        if subject is not None and subject.i in skip and current.dep_ in ("ccomp", "advcl", "conj", "xcomp"):
            current = current.head
            continue
        if subject is not None and subject.tag_ in RELATIVE_TAGS and current.dep_ in ("relcl", "acl"):
            return current.head, False  # "Trump, who proposed the plan" -> Trump
        if subject is not None:
            return subject, False
        passive = first_child(current, "nsubjpass")
        if passive is not None and passive.tag_ in RELATIVE_TAGS and current.dep_ in ("relcl", "acl"):
            return current.head, True
        if passive is not None:
            return passive, True
        if current.dep_ == "conj" and current.head.pos_ in ("VERB", "AUX"):
            current = current.head
        elif current.dep_ == "xcomp":
            # Object control: "urged Israel to withdraw" -> Israel withdraws.
            obj = first_child(current.head, "dobj")
            if obj is not None:
                return obj, False
            # Raising: "Hamas is set to free", "X was forced to withdraw" -> Hamas frees.
            subject = first_child(current.head, "nsubj", "nsubjpass")
            if subject is not None and subject.tag_ not in RELATIVE_TAGS:
                return subject, False
            current = current.head
        elif current.dep_ == "acomp" and current.head.pos_ in ("AUX", "VERB"):
            current = current.head  # "diplomats are due to meet", "is ready to sign"
        elif current.dep_ in ("relcl", "acl") and current.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return current.head, current.tag_ == "VBN"
        elif current.dep_ in ("advcl", "pcomp") and current.head.pos_ in ("VERB", "AUX"):
            current = current.head
        elif current.dep_ == "pcomp" and current.head.lower_ == "of":
            # "accused Israel of breaking" -> Israel breaks.
            obj = first_child(current.head.head, "dobj")
            return obj, False
        elif current.dep_ == "pcomp" and current.head.dep_ == "prep" and current.head.head.pos_ in ("VERB", "AUX"):
            current = current.head.head  # "announced after hosting talks" -> who announced hosted
        else:
            return None, False
    return None, False


def noun_phrase(token: Token, quantity_heads: frozenset[str] = frozenset()) -> tuple[int, int]:
    """Token span (start, end) of the noun phrase headed by `token`, without clauses.

    A quantity keeps its 'of' phrase: 'thousands of protesters' (`quantity_heads`: the
    lexicon's words for such quantities; numbers always count).
    """
    if token.lower_ in quantity_heads or token.pos_ == "NUM":
        of = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        obj = first_child(of, "pobj") if of is not None else None
        if obj is not None:
            start, end = noun_phrase(obj, quantity_heads)
            return min(token.i, start), max(end, token.i + 1)
    start = token.i
    for child in token.lefts:
        if child.dep_ in _NP_LEFT_DEPS and child.i < start:
            start = min(start, child.left_edge.i if child.dep_ != "punct" else child.i)
    end = token.i + 1
    for child in token.rights:
        if child.dep_ in ("compound", "nummod") or (child.dep_ == "punct" and child.text in "-‐"):
            end = max(end, child.right_edge.i + 1)
        else:
            break
    return start, end
