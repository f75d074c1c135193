"""Article pass, entities: aliases, label voting, canonical names, codes, places.

Mentions of one entity ("Abdel Fattah al-Sisi", "Sisi") are clustered within the article; the
cluster takes the label most of its mentions got (the small model tags "Trump" as ORG in some
sentences and PERSON in others) and its longest mention as canonical name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.places import CountryCoder, Gazetteer
from pipeline.nlp.types import EntityInfo, GeoPoint

NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# When votes tie, prefer the label that carries more information downstream.
_LABEL_RANK = {"PERSON": 5, "GPE": 4, "ORG": 3, "NORP": 2, "LOC": 1, "FAC": 0}
_POSSESSIVE = re.compile(r"(?:['’]s?)$")


@dataclass(frozen=True, slots=True)
class Mention:
    """A raw NER mention with absolute offsets (`key` identifies it within the article)."""

    key: tuple[int, int]  # (segment index, start char in the segment)
    text: str
    label: str
    start: int
    end: int


def clean_name(text: str, titles: frozenset[str]) -> str:
    """Mention text without a leading 'the', a trailing possessive or leading `titles`."""
    name = _POSSESSIVE.sub("", text.strip()).strip(' ,.;:"“”')
    words = name.split()
    while len(words) > 1 and (words[0].lower() in titles or words[0].lower() == "the"):
        words = words[1:]
    return " ".join(words)


def name_tokens(name: str, particles: frozenset[str]) -> tuple[str, ...]:
    """Comparable tokens of a name: lowercase, hyphen-split, `particles` dropped."""
    parts = re.split(r"[\s\-‐]+", name.lower())
    return tuple(p for p in parts if p and p not in particles)


def acronym(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def _is_alias(
    short: str, short_tokens: tuple[str, ...], long: str, long_tokens: tuple[str, ...], *, long_is_person: bool
) -> bool:
    """True if `short` names the same entity as `long` (their `name_tokens` given).

    People are named by part of their name ("Sisi" for "Abdel Fattah al-Sisi"); places and
    organisations only by acronym ("UN"), since "Gaza" is not "Gaza City".
    """
    if not short_tokens or len(short_tokens) >= len(long_tokens):
        return False
    if long_is_person and set(short_tokens) <= set(long_tokens):
        return True
    bare = short.replace(".", "")
    return bare.isupper() and len(bare) >= 2 and bare == acronym(long)


class EntityResolver:
    """Resolves all mentions of one article together."""

    def __init__(self, countries: CountryCoder, gazetteer: Gazetteer, lexicon: Lexicon) -> None:
        self._countries = countries
        self._gazetteer = gazetteer
        self._titles = lexicon.title_words
        self._particles = lexicon.name_particles

    def resolve(self, mentions: Sequence[Mention]) -> dict[tuple[int, int], EntityInfo]:
        named = [m for m in mentions if m.label in NAMED_LABELS and clean_name(m.text, self._titles)]
        clusters = _cluster(named, self._titles, self._particles)
        article_countries = frozenset(
            code
            for m in named
            if m.label in ("GPE", "NORP")
            and (code := self._countries.code(clean_name(m.text, self._titles))) is not None
        )
        resolved: dict[tuple[int, int], EntityInfo] = {}
        for members in clusters:
            canonical = max((clean_name(m.text, self._titles) for m in members), key=lambda n: (len(n), n))
            label = _vote(members)
            country, geo = self._place(canonical, label, article_countries)
            for m in members:
                resolved[m.key] = EntityInfo(
                    text=m.text,
                    label=label,
                    canonical=canonical,
                    start=m.start,
                    end=m.end,
                    country_code=country,
                    geo=geo,
                )
        return resolved

    def _place(self, name: str, label: str, article_countries: frozenset[str]) -> tuple[str | None, GeoPoint | None]:
        if label not in PLACE_LABELS and label != "NORP":
            return None, None
        country = self._countries.code(name)
        if label == "NORP" or (country is not None and label == "GPE"):
            # A country, demonym or territory: coded, but not a point on the map.
            return country, None
        geo = self._gazetteer.lookup(name, article_countries)
        if geo is not None:
            return geo.country_code, geo
        return country, None


def _cluster(mentions: Iterable[Mention], titles: frozenset[str], particles: frozenset[str]) -> list[list[Mention]]:
    """Group mentions by name: exact names first, then shorter names into longer ones."""
    by_name: dict[str, list[Mention]] = {}
    for m in mentions:
        by_name.setdefault(clean_name(m.text, titles).lower(), []).append(m)
    # Each name's display form, tokens and vote, once: every pair of names is compared below.
    display = {name: _display(members, titles) for name, members in by_name.items()}
    tokens = {name: name_tokens(shown, particles) for name, shown in display.items()}
    person = {name: _vote(members) == "PERSON" for name, members in by_name.items()}
    names = sorted(by_name, key=lambda n: (-len(tokens[n]), n))
    owner: dict[str, str] = {}
    owners: list[str] = []  # names that own themselves, in the order of `names`
    for name in names:
        candidates = [
            long
            for long in owners
            if _is_alias(display[name], tokens[name], display[long], tokens[long], long_is_person=person[long])
        ]
        if candidates:
            # Several long forms contain the short one: take the one mentioned most often.
            owner[name] = max(candidates, key=lambda n: (len(by_name[n]), n))
        else:
            owner[name] = name
            owners.append(name)
    grouped: dict[str, list[Mention]] = {}
    for name, members in by_name.items():
        grouped.setdefault(owner[name], []).extend(members)
    return list(grouped.values())


def _display(members: list[Mention], titles: frozenset[str]) -> str:
    return clean_name(members[0].text, titles)


def _vote(members: Sequence[Mention]) -> str:
    counts = Counter(m.label for m in members)
    return max(counts, key=lambda label: (counts[label], _LABEL_RANK.get(label, -1)))
