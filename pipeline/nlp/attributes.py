"""spaCy's attribute_ruler, with its rules looked up instead of matched.

The model's attribute_ruler maps each fine tag to its POS and morphology and then applies
some 30 exceptions ("'s" after "let", "ai n't", determiners used as pronouns). It runs a
Matcher with all 179 rules over every token, and that cost 18% of the whole model's time here,
more than the parser. The rules are nearly all one token, and nearly all name the exact tag or
word they need, so each token needs to check only the rules filed under its tag and its word,
plus the few that name neither. What a rule sets is applied exactly as spaCy applies it, in
the ruler's own order (later rules win), so the tokens come out the same: a test compares
every token's attributes with the stock ruler over every evaluation set.

Rules of a kind this index cannot read (an operator, a predicate other than equality, IN,
NOT_IN and REGEX) leave the stock ruler in place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

STOCK = "attribute_ruler"
INDEXED = "newsevents_attribute_ruler"

# The token attributes a rule may test, read for a whole doc at once with `Doc.to_array`
# (strings come as their hashes; rules see the strings).
_READABLE = {"TAG": "TAG", "LOWER": "LOWER", "DEP": "DEP", "IS_SPACE": "IS_SPACE", "ORTH": "ORTH", "TEXT": "ORTH"}
_FLAGS = frozenset({"IS_SPACE"})  # read as 0/1; every other attribute is a string's hash
# Attributes whose exact value files a rule (anything else is checked for every token).
_KEYS = ("TAG", "LOWER", "ORTH", "TEXT")
# Distinct (tag, word, dependency, space) combinations remembered, about 200 bytes each: a long
# stream meets ever more words, and memory must stay bounded (the rest are looked up each time).
_MAX_CACHED = 50_000

Features = tuple[Any, ...]
Test = Callable[[Features], bool]


class UnreadableRule(ValueError):
    """A rule the index does not know how to test."""


def _test(name: str, wanted: Any, at: int) -> Test:
    if not isinstance(wanted, dict):
        return lambda features: features[at] == wanted
    if len(wanted) != 1:
        raise UnreadableRule(f"{name}: {wanted}")
    ((op, value),) = wanted.items()
    if op == "IN":
        chosen = frozenset(value)
        return lambda features: features[at] in chosen
    if op == "NOT_IN":
        excluded = frozenset(value)
        return lambda features: features[at] not in excluded
    if op == "REGEX":
        regex = re.compile(value)
        return lambda features: isinstance(features[at], str) and regex.search(features[at]) is not None
    raise UnreadableRule(f"{name}: {op}")


@dataclass(frozen=True)
class _Rule:
    """One pattern of the ruler: its order (the ruler's attribute id), the token it sets
    (offset from the match start, never negative) and a test per token."""

    order: int
    target: int
    tests: tuple[tuple[Test, ...], ...]

    def matches_at(self, features: list[Features], start: int) -> bool:
        if start + len(self.tests) > len(features):
            return False
        return all(test(features[start + i]) for i, tests in enumerate(self.tests) for test in tests)


def _keys(token_pattern: dict[str, Any]) -> list[tuple[str, Any]]:
    """The exact values under which a rule is filed, or [] when it names none."""
    for name in _KEYS:
        wanted = token_pattern.get(name)
        if isinstance(wanted, str):
            return [(name, wanted)]
        if isinstance(wanted, dict) and set(wanted) == {"IN"}:
            return [(name, value) for value in wanted["IN"]]
    return []


class IndexedAttributeRuler:
    """Same rules and results as a spaCy AttributeRuler; see the module docstring."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self._attrs: list[dict[int, Any]] = list(ruler.attrs)
        rules = [ruler.matcher.get(str(order))[1] for order in range(len(self._attrs))]
        names = sorted({name for patterns in rules for pattern in patterns for tok in pattern for name in tok})
        unknown = [name for name in names if name not in _READABLE]
        if unknown:
            raise UnreadableRule(f"attributes {unknown}")
        # Each token is read once, for the attributes some rule tests, in this order.
        self._columns: list[int | str] = [_READABLE[name] for name in names]
        self._hashed = tuple(name not in _FLAGS for name in names)
        at = {name: i for i, name in enumerate(names)}
        self._filed: dict[tuple[int, Any], list[_Rule]] = {}
        self._unfiled: list[_Rule] = []
        for order, patterns in enumerate(rules):
            for pattern in patterns:
                index = ruler.indices[order]
                rule = _Rule(
                    order,
                    index if index >= 0 else len(pattern) + index,
                    tuple(tuple(_test(name, wanted, at[name]) for name, wanted in tok.items()) for tok in pattern),
                )
                keys = [(at[name], value) for name, value in _keys(pattern[0])]
                for key in keys:
                    self._filed.setdefault(key, []).append(rule)
                if not keys:
                    self._unfiled.append(rule)
        self._filing = sorted({position for position, _ in self._filed})
        self._merged: dict[tuple[int, ...], dict[int, Any]] = {}
        self._seen: dict[Features, tuple[tuple[int, ...], tuple[_Rule, ...]]] = {}

    def __call__(self, doc: Doc) -> Doc:
        keys = [tuple(row) for row in doc.to_array(self._columns).tolist()] if len(doc) else []
        features: list[Features] = []  # as strings, made only when a longer rule needs them
        # Every rule is matched before any is applied, as the Matcher does.
        orders: list[list[int]] = [[] for _ in keys]
        for start, key in enumerate(keys):
            known = self._seen.get(key)
            if known is None:
                known = self._first_token_matches(key, self._strings(doc, key))
            alone, longer = known
            orders[start].extend(alone)
            if longer and not features:
                features = [self._strings(doc, k) for k in keys]
            for rule in longer:
                if rule.matches_at(features, start):
                    orders[start + rule.target].append(rule.order)
        for token, found in zip(doc, orders, strict=True):
            if found:
                set_token_attrs(token, self._merged_attrs(found))
        return doc

    def _strings(self, doc: Doc, key: Features) -> Features:
        strings = doc.vocab.strings
        return tuple(strings[value] if hashed else bool(value) for value, hashed in zip(key, self._hashed, strict=True))

    def _first_token_matches(self, key: Features, features: Features) -> tuple[tuple[int, ...], tuple[_Rule, ...]]:
        """The one-token rules a token with these features matches (their orders), and the
        longer rules whose first token it fits; kept per distinct features, which repeat."""
        alone: list[int] = []
        longer: list[_Rule] = []
        for rule in self._candidates(features):
            if len(rule.tests) == 1:
                if rule.matches_at([features], 0):
                    alone.append(rule.order)
            elif all(test(features) for test in rule.tests[0]):
                longer.append(rule)
        known = (tuple(alone), tuple(longer))
        if len(self._seen) < _MAX_CACHED:
            self._seen[key] = known
        return known

    def _candidates(self, features: Features) -> Iterable[_Rule]:
        for position in self._filing:
            yield from self._filed.get((position, features[position]), ())
        yield from self._unfiled

    def _merged_attrs(self, orders: list[int]) -> dict[int, Any]:
        """What the rules set, merged in the ruler's order (spaCy applies matches sorted by
        rule, later over earlier); cached per set of rules."""
        key = tuple(sorted(set(orders)))
        merged = self._merged.get(key)
        if merged is None:
            merged = {}
            for order in key:
                merged.update(self._attrs[order])
            if len(self._merged) < _MAX_CACHED:
                self._merged[key] = merged
        return merged


@Language.factory(
    INDEXED,
    requires=["token.tag", "token.dep"],
    assigns=["token.pos", "token.morph", "token.lemma", "token.tag", "token.dep"],
)
def make_indexed_attribute_ruler(nlp: Language, name: str) -> IndexedAttributeRuler:
    stock = nlp.get_pipe(STOCK)
    assert isinstance(stock, AttributeRuler)
    return IndexedAttributeRuler(stock)


def index_attribute_ruler(nlp: Language) -> bool:
    """Put the indexed ruler in the stock one's place; False (stock kept) when the pipeline
    has no attribute_ruler or one with rules the index cannot read. Idempotent."""
    if INDEXED in nlp.pipe_names:
        return True
    if STOCK not in nlp.pipe_names:
        return False
    try:
        nlp.add_pipe(INDEXED, after=STOCK)
    except UnreadableRule:
        return False
    nlp.remove_pipe(STOCK)
    return True
