"""Trigger contexts as spaCy DependencyMatcher patterns.

The ontology writes a context in a short form (`objects: [town, city]`, `preps: [for]`, ...).
Each entry compiles here into DependencyMatcher patterns anchored on the trigger's lemma, so the
matching is spaCy's own: "captured the town" matches `CLASH|capture`'s object pattern,
"captured the suspect" does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from pipeline.nlp.ontology import Ontology, TriggerContext

Pattern = list[dict[str, Any]]
_ANCHOR = "trigger"
_USER_DATA_KEY = "newsevents.trigger_contexts"


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


def _anchors(lemma: str) -> list[dict[str, Any]]:
    """A trigger is found by its lemma, or by its surface form where the tagger misread a verb."""
    head = lemma.split()[0]
    return [{"LEMMA": {"IN": lemma_forms(head)}}, {"LOWER": {"IN": lemma_forms(head)}}]


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


class ContextMatcher:
    """Which trigger tokens have the context their type and lemma require (or exclude).

    One small DependencyMatcher per (kind, type, lemma), run on a doc only when a candidate of
    the doc asks: one matcher holding every context would run all of its token patterns over
    every token of every doc, a hundred times the work."""

    def __init__(self, vocab: Vocab, ontology: Ontology, word_classes: dict[str, frozenset[str]]) -> None:
        self._matchers: dict[str, DependencyMatcher] = {}
        for event_type, spec in ontology.types.items():
            kinds = (
                ("requires", spec.requires),
                ("excludes", spec.excludes),
                ("noun_requires", spec.noun_requires),
                ("noun_excludes", spec.noun_excludes),
            )
            for kind, contexts in kinds:
                for lemma, written in contexts.items():
                    context = expand(written, word_classes)
                    patterns = [p for anchor in _anchors(lemma) for p in context_patterns(anchor, context)]
                    if patterns:
                        matcher = DependencyMatcher(vocab)
                        matcher.add(_ANCHOR, patterns)
                        self._matchers[f"{kind}|{event_type}|{lemma}"] = matcher
            for mode, written in spec.mode_contexts.items():  # on any trigger of the type
                patterns = context_patterns({}, expand(written, word_classes))
                if patterns:
                    matcher = DependencyMatcher(vocab)
                    matcher.add(_ANCHOR, patterns)
                    self._matchers[f"mode|{event_type}|{mode}"] = matcher

    def mode(self, token: Token, event_type: str, modes: list[str]) -> str | None:
        """The first of a type's context modes that fits the trigger, if any."""
        for mode in modes:
            if self.fits(token, "mode", event_type, mode):
                return mode
        return None

    def has(self, kind: str, event_type: str, lemma: str) -> bool:
        """Whether the ontology gives (type, lemma) a context of this kind."""
        return f"{kind}|{event_type}|{lemma}" in self._matchers

    def fits(self, token: Token, kind: str, event_type: str, lemma: str) -> bool:
        """True when the context `kind` (requires, excludes, noun_requires, noun_excludes) of
        (type, lemma) is around the token."""
        key = f"{kind}|{event_type}|{lemma}"
        return token.i in self._anchors_in(token.doc, key)

    def _anchors_in(self, doc: Doc, key: str) -> frozenset[int]:
        """The tokens of the doc a context fits, once per doc and context (a matcher run on a
        span copies the span into a doc of its own first)."""
        cache: dict[str, frozenset[int]] = doc.user_data.setdefault(f"{_USER_DATA_KEY}.{id(self)}", {})
        found = cache.get(key)
        if found is None:
            found = frozenset(tokens[0] for _, tokens in self._matchers[key](doc))
            cache[key] = found
        return found
