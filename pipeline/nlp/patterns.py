"""Trigger contexts as spaCy DependencyMatcher patterns.

The ontology writes a context in a short form (`objects: [town, city]`, `preps: [for]`, ...).
Each entry compiles here into DependencyMatcher patterns anchored on the trigger's lemma, so the
matching is spaCy's own: "captured the town" matches `CLASH|capture`'s object pattern,
"captured the suspect" does not. The patterns are plain DependencyMatcher patterns (a test
runs spaCy's DependencyMatcher on them); they are matched from the trigger (AnchoredPatterns).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from spacy.tokens import Token

from pipeline.nlp.ontology import Ontology, TriggerContext

Pattern = list[dict[str, Any]]
_ANCHOR = "trigger"


def lemma_forms(word: str) -> list[str]:
    """Lemma and surface forms to accept for one word (the tagger sometimes leaves 'talks')."""
    forms = {word, word.lower(), word.title()}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    forms.add(word + "s")
    return sorted(forms)


def _words(words: list[str]) -> dict[str, Any]:
    return {"IN": sorted({form for word in words for form in lemma_forms(word)})}


def _node(name: str, parent: str, attrs: dict[str, Any], rel: str = ">") -> dict[str, Any]:
    return {"LEFT_ID": parent, "REL_OP": rel, "RIGHT_ID": name, "RIGHT_ATTRS": attrs}


def _single(objects: list[str]) -> list[str]:
    return [o for o in objects if " " not in o]


def _object_patterns(anchor: dict[str, Any], objects: list[str]) -> Iterator[Pattern]:
    """'captured the town', 'fled from their homes', 'most of the drones', 'rubber bullets',
    'a state of emergency'."""
    single = _single(objects)
    if single:
        words = _words(single)
        yield [anchor, _node("obj", _ANCHOR, {"DEP": {"IN": ["dobj", "nsubjpass", "xcomp"]}, "LEMMA": words})]
        yield [  # "sent food and medicine": a coordinated object counts too
            anchor,
            _node("obj", _ANCHOR, {"DEP": {"IN": ["dobj", "nsubjpass"]}}),
            _node("and", "obj", {"DEP": "conj", "LEMMA": words}),
        ]
        yield [
            anchor,
            _node("prep", _ANCHOR, {"DEP": {"IN": ["prep", "agent"]}}),
            _node("obj", "prep", {"DEP": "pobj", "LEMMA": words}),
        ]
        yield [
            anchor,
            _node("obj", _ANCHOR, {"DEP": {"IN": ["dobj", "nsubjpass"]}}),
            _node("of", "obj", {"DEP": "prep", "LOWER": "of"}),
            _node("part", "of", {"DEP": "pobj", "LEMMA": words}),
        ]
    for phrase in objects:
        parts = phrase.split()
        if len(parts) == 2:  # "rubber bullet": the head with its modifier
            head = {"DEP": {"IN": ["dobj", "nsubjpass", "pobj"]}, "LEMMA": _words([parts[1]])}
            yield [
                anchor,
                _node("obj", _ANCHOR, head, ">>"),
                _node("mod", "obj", {"LOWER": {"IN": lemma_forms(parts[0])}}),
            ]
        elif len(parts) == 3 and parts[1] == "of":  # "state of emergency"
            head = {"DEP": {"IN": ["dobj", "nsubjpass", "pobj"]}, "LEMMA": _words([parts[0]])}
            yield [
                anchor,
                _node("obj", _ANCHOR, head, ">>"),
                _node("of", "obj", {"DEP": "prep", "LOWER": "of"}),
                _node("part", "of", {"DEP": "pobj", "LEMMA": _words([parts[2]])}),
            ]


def context_patterns(anchor_attrs: dict[str, Any], context: TriggerContext) -> list[Pattern]:
    """Every DependencyMatcher pattern one context compiles to (any one matching suffices)."""
    anchor = {"RIGHT_ID": _ANCHOR, "RIGHT_ATTRS": anchor_attrs}
    patterns: list[Pattern] = []
    if context.preps:
        preps = {"IN": context.preps}
        patterns.append([anchor, _node("prep", _ANCHOR, {"DEP": {"IN": ["prep", "prt", "advmod"]}, "LOWER": preps})])
        # "asks the force for more troops": the preposition hangs off the object
        patterns.append(
            [anchor, _node("obj", _ANCHOR, {"DEP": "dobj"}), _node("prep", "obj", {"DEP": "prep", "LOWER": preps})]
        )
    if context.deps:
        patterns.append([anchor, _node("dep", _ANCHOR, {"DEP": {"IN": context.deps}})])
    patterns += _object_patterns(anchor, context.objects)
    if context.places:
        places = {"ENT_TYPE": {"IN": ["GPE", "LOC", "FAC"]}}
        patterns.append([anchor, _node("obj", _ANCHOR, {"DEP": {"IN": ["dobj", "nsubjpass"]}, **places})])
        patterns.append(
            [anchor, _node("prep", _ANCHOR, {"DEP": "prep"}), _node("obj", "prep", {"DEP": "pobj", **places})]
        )
    if context.within:
        patterns.append([anchor, _node("part", _ANCHOR, {"LEMMA": _words(context.within)}, ">>")])
    for own in context.patterns:
        patterns.append([anchor, *own])
    if context.subjects:
        words = _words(context.subjects)
        patterns.append([anchor, _node("subj", _ANCHOR, {"DEP": "nsubj", "LEMMA": words})])
        patterns.append(  # "was hit by rockets"
            [anchor, _node("by", _ANCHOR, {"DEP": "agent"}), _node("subj", "by", {"DEP": "pobj", "LEMMA": words})]
        )
        patterns.append(  # "thousands of residents fled"
            [
                anchor,
                _node("subj", _ANCHOR, {"DEP": "nsubj"}),
                _node("prep", "subj", {"DEP": "prep"}),
                _node("part", "prep", {"DEP": "pobj", "LEMMA": words}),
            ]
        )
    if context.modifiers:
        mods = {"DEP": {"IN": ["compound", "amod", "poss", "nmod", "npadvmod"]}, "LEMMA": _words(context.modifiers)}
        patterns.append([anchor, _node("mod", _ANCHOR, mods)])
    if context.heads:
        heads = {"LEMMA": _words(context.heads)}
        patterns.append([anchor, _node("head", _ANCHOR, heads, "<")])
        patterns.append(  # "went on strike"
            [anchor, _node("prep", _ANCHOR, {"DEP": "prep"}, "<"), _node("head", "prep", heads, "<")]
        )
    return patterns


_LISTS = ("preps", "deps", "objects", "subjects", "modifiers", "heads", "within")


def expand(context: TriggerContext, word_classes: dict[str, frozenset[str]]) -> TriggerContext:
    """The context with each "@name" entry replaced by the lexicon's word class of that name
    ("@people": the nouns for people), so that one list serves many contexts."""
    updates: dict[str, list[str]] = {}
    for field in _LISTS:
        words: list[str] = getattr(context, field)
        if not any(w.startswith("@") for w in words):
            continue
        expanded: list[str] = []
        for word in words:
            if not word.startswith("@"):
                expanded.append(word)
            elif word[1:] in word_classes:
                expanded += sorted(word_classes[word[1:]])
            else:
                raise ValueError(f"the ontology names an unknown word class {word!r} (lexicon.yaml, word_classes)")
        updates[field] = expanded
    return context.model_copy(update=updates) if updates else context


class AnchoredPatterns:
    """DependencyMatcher patterns of one context, matched from one known anchor token.

    spaCy's DependencyMatcher finds every match in a whole doc: it first runs each node's token
    pattern over every token. Here the anchor is the trigger already found, so only its
    neighbourhood is searched, node by node along the patterns' relations (the `>`, `<` and
    `>>` operators, and the token attributes, the patterns of this module use). Same patterns,
    same answers (a test compares the two on many parses), at a small fraction of the cost."""

    def __init__(self, patterns: list[Pattern]) -> None:
        self._patterns = [[_compiled(node) for node in pattern[1:]] for pattern in patterns]

    def fits(self, anchor: Token) -> bool:
        return any(_search(nodes, 0, {_ANCHOR: anchor}) for nodes in self._patterns)


_Node = tuple[str, str, str, tuple[tuple[str, Any], ...]]  # left id, operator, right id, attributes
_ATTRIBUTES = {
    "LEMMA": lambda t: t.lemma_,
    "LOWER": lambda t: t.lower_,
    "DEP": lambda t: t.dep_,
    "ENT_TYPE": lambda t: t.ent_type_,
    "POS": lambda t: t.pos_,
    "TAG": lambda t: t.tag_,
    "ORTH": lambda t: t.orth_,
}


def _compiled(node: dict[str, Any]) -> _Node:
    unknown = set(node["RIGHT_ATTRS"]) - set(_ATTRIBUTES)
    if unknown or node["REL_OP"] not in (">", "<", ">>"):
        raise ValueError(f"a trigger context uses what anchored matching does not know: {node}")
    attrs = tuple(
        (key, frozenset(want["IN"]) if isinstance(want, dict) else want) for key, want in node["RIGHT_ATTRS"].items()
    )
    return node["LEFT_ID"], node["REL_OP"], node["RIGHT_ID"], attrs


def _related(token: Token, operator: str) -> list[Token]:
    if operator == ">":
        return list(token.children)
    if operator == "<":
        return [token.head] if token.head.i != token.i else []
    return [t for t in token.subtree if t.i != token.i]  # ">>": any descendant


def _search(nodes: list[_Node], index: int, bound: dict[str, Token]) -> bool:
    if index == len(nodes):
        return True
    left, operator, right, attrs = nodes[index]
    for candidate in _related(bound[left], operator):
        if _fits_node(candidate, attrs) and _search(nodes, index + 1, {**bound, right: candidate}):
            return True
    return False


def _fits_node(token: Token, attrs: tuple[tuple[str, Any], ...]) -> bool:
    for key, want in attrs:
        value = _ATTRIBUTES[key](token)
        if (value not in want) if isinstance(want, frozenset) else value != want:
            return False
    return True


class ContextMatcher:
    """Which trigger tokens have the context their type and lemma require (or exclude): the
    contexts' DependencyMatcher patterns, matched from the trigger (AnchoredPatterns)."""

    def __init__(self, ontology: Ontology, word_classes: dict[str, frozenset[str]]) -> None:
        self._contexts: dict[str, AnchoredPatterns] = {}
        for event_type, spec in ontology.types.items():
            kinds = (
                ("requires", spec.requires),
                ("excludes", spec.excludes),
                ("noun_requires", spec.noun_requires),
                ("noun_excludes", spec.noun_excludes),
            )
            for kind, contexts in kinds:
                for lemma, written in contexts.items():
                    patterns = context_patterns({}, expand(written, word_classes))
                    if patterns:
                        self._contexts[f"{kind}|{event_type}|{lemma}"] = AnchoredPatterns(patterns)
            for mode, written in spec.mode_contexts.items():  # on any trigger of the type
                patterns = context_patterns({}, expand(written, word_classes))
                if patterns:
                    self._contexts[f"mode|{event_type}|{mode}"] = AnchoredPatterns(patterns)

    def mode(self, token: Token, event_type: str, modes: list[str]) -> str | None:
        """The first of a type's context modes that fits the trigger, if any."""
        for mode in modes:
            if self.fits(token, "mode", event_type, mode):
                return mode
        return None

    def has(self, kind: str, event_type: str, lemma: str) -> bool:
        """Whether the ontology gives (type, lemma) a context of this kind."""
        return f"{kind}|{event_type}|{lemma}" in self._contexts

    def fits(self, token: Token, kind: str, event_type: str, lemma: str) -> bool:
        """True when the context `kind` (requires, excludes, noun_requires, noun_excludes, mode)
        of (type, lemma) is around the token."""
        return self._contexts[f"{kind}|{event_type}|{lemma}"].fits(token)
