"""The event ontology (data/ontology.yaml): what each type is, its traits, triggers and mappings.

Code never names an event type. It asks the ontology which types have a trait ("violent",
"continues", ...) or which type plays a part in a rule (`roles`: the type a refused concession
becomes, ...). The loader checks the types against the symbols of schemas/event.avsc and every
mapping against the codebooks (data/codebooks.yaml), so a typo fails at load time.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.schemas import schema_json

Trait = Literal[
    "violent", "incident", "casualties", "continues", "absorbs", "place_source", "concession", "demand", "harm",
    "governs_events", "by_crowds",
]  # fmt: skip


def _schema_event_types() -> tuple[str, ...]:
    field = next(f for f in schema_json("event")["fields"] if f["name"] == "event_type")
    return tuple(field["type"]["symbols"])


# The event types are the symbols of event.avsc's EventType: the contract decides, code follows.
EVENT_TYPES: tuple[str, ...] = _schema_event_types()
EventType = StrEnum("EventType", [(name, name) for name in EVENT_TYPES])  # type: ignore[misc]


class Codebooks(BaseModel):
    """PLOVER 2021, CAMEO roots and ACLED, as far as the ontology maps to them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    plover: dict[str, dict[str, Any]]
    cameo: dict[str, list[str]]
    acled: dict[str, list[str]]

    @cached_property
    def acled_event_type(self) -> dict[str, str]:
        """ACLED sub-event type -> its event type."""
        return {sub: event_type for event_type, subs in self.acled.items() for sub in subs}

    def plover_modes(self, plover: str) -> list[str]:
        modes: list[str] = self.plover[plover]["modes"]
        return modes

    def check(
        self, where: str, plover: str | None, plover_mode: str | None, acled: str | None, cameo: str | None
    ) -> None:
        if plover is not None and plover not in self.plover:
            raise ValueError(f"{where}: {plover!r} is not a PLOVER 2021 type")
        if plover_mode is not None and (plover is None or plover_mode not in self.plover_modes(plover)):
            raise ValueError(f"{where}: {plover_mode!r} is not a mode of PLOVER {plover}")
        if acled is not None and acled not in self.acled_event_type:
            raise ValueError(f"{where}: {acled!r} is not an ACLED sub-event type")
        if cameo is not None:
            if cameo not in self.cameo:
                raise ValueError(f"{where}: {cameo!r} is not a CAMEO root")
            targets = self.cameo[cameo]
            if (plover is None and targets) or (plover is not None and plover not in targets):
                raise ValueError(f"{where}: CAMEO root {cameo} does not map to PLOVER {plover}")


class TriggerContext(BaseModel):
    """What must be around a trigger (any one entry suffices); compiled to DependencyMatcher
    patterns by pipeline/nlp/patterns.py."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    preps: list[str] = []  # a preposition or particle child: "press for", "walk out"
    deps: list[str] = []  # a child with this relation: "ask ... to" (xcomp)
    objects: list[str] = []  # the lemma of its object, passive subject or prepositional object
    subjects: list[str] = []  # the lemma of its subject (or of the "of" phrase of a quantity subject)
    modifiers: list[str] = []  # the lemma of a compound, adjective or possessive before a noun
    heads: list[str] = []  # the lemma of the verb a noun depends on ("staged a strike", "went on strike")
    places: bool = False  # its object names a place (a GPE, LOC or FAC entity): "took Kupiansk"
    within: list[str] = []  # a lemma anywhere below it: "fired shells loaded with chlorine"
    # DependencyMatcher patterns of its own, for what the short form cannot say (two conditions
    # at once): nodes after the first name the trigger as "trigger" (LEFT_ID).
    patterns: list[list[dict[str, Any]]] = []


class ModeMapping(BaseModel):
    """Mappings of one mode that differ from its type's; a key set to null clears the type's value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    plover: str | None = None
    plover_mode: str | None = None
    acled: str | None = None
    cameo: str | None = None


class Mapping(BaseModel):
    """Where one event lands in the codebooks."""

    model_config = ConfigDict(frozen=True)

    plover: str | None
    plover_mode: str | None
    acled_event_type: str | None
    acled_sub_event_type: str | None
    cameo: str | None


class EventTypeSpec(BaseModel):
    """One type of the ontology, as written in ontology.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    definition: str
    traits: frozenset[Trait] = frozenset()
    story_family: str | None = None
    plover: str | None = None
    plover_mode: str | None = None
    acled: str | None = None
    cameo: str | None = None
    prior: float = Field(ge=0.0, le=1.0)
    verbs: list[str] = []
    nouns: list[str] = []
    phrases: list[str] = []
    speech: list[str] = []
    modes: dict[str, str] = {}
    mode_mappings: dict[str, ModeMapping] = {}
    nominal_policy: Literal["eventive", "always"] = "eventive"
    exclude_objects: list[str] = []
    requires: dict[str, TriggerContext] = {}  # for verbs and phrases
    excludes: dict[str, TriggerContext] = {}
    noun_requires: dict[str, TriggerContext] = {}  # for nouns: "strike" is a PROTEST with "teachers'"
    noun_excludes: dict[str, TriggerContext] = {}
    # Modes told by context rather than by the trigger word, tried in order ("fired shells loaded
    # with chlorine" is chemical whatever the verb); the first that fits wins over `modes`.
    mode_contexts: dict[str, TriggerContext] = {}

    def mapped(self, mode: str | None, codebooks: Codebooks) -> Mapping:
        values = {"plover": self.plover, "plover_mode": self.plover_mode, "acled": self.acled, "cameo": self.cameo}
        override = self.mode_mappings.get(mode) if mode is not None else None
        if override is not None:
            values.update({key: getattr(override, key) for key in override.model_fields_set})
        acled = values["acled"]
        return Mapping(
            plover=values["plover"],
            plover_mode=values["plover_mode"],
            acled_event_type=codebooks.acled_event_type.get(acled) if acled else None,
            acled_sub_event_type=acled,
            cameo=values["cameo"],
        )


class Roles(BaseModel):
    """The types the rules produce themselves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    casualty_report: str
    refusal: str
    threat: str
    statement: str
    complaint: str
    harmless_warning: str


class AcledRefinement(BaseModel):
    """An ACLED sub-event chosen from an event's actors (and the other types of its sentence)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    types: list[str]
    modes: list[str | None] | None = None
    source: str | None = None
    target: str | None = None
    with_types: list[str] = []
    acled: str


class Ontology(BaseModel):
    """The whole ontology; validated so that a typo in the YAML fails loudly at load time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    roles: Roles
    types: dict[str, EventTypeSpec]
    acled_refinements: list[AcledRefinement] = []
    codebooks: Codebooks | None = None  # set by the loader, from codebooks.yaml

    @model_validator(mode="after")
    def _consistent(self) -> Ontology:
        unknown = set(self.types) - set(EVENT_TYPES)
        if unknown:
            raise ValueError(f"ontology types not in the event schema: {sorted(unknown)}")
        named = {
            *self.roles.model_dump().values(),
            *(t for r in self.acled_refinements for t in r.types + r.with_types),
        }
        if named - set(self.types):
            raise ValueError(f"roles or refinements name types the ontology lacks: {sorted(named - set(self.types))}")
        for name, spec in self.types.items():
            if set(spec.mode_mappings) - set(spec.modes.values()) - set(spec.mode_contexts):
                raise ValueError(f"{name}: mode_mappings for modes it never gives: {set(spec.mode_mappings)}")
        if self.codebooks is not None:
            self._check_mappings(self.codebooks)
        return self

    def _check_mappings(self, codebooks: Codebooks) -> None:
        for name, spec in self.types.items():
            for mode in (None, *spec.mode_mappings):
                mapped = spec.mapped(mode, codebooks) if mode is None or mode in spec.mode_mappings else None
                if mapped is None:
                    continue
                where = f"ontology type {name}" + (f", mode {mode}" if mode else "")
                codebooks.check(where, mapped.plover, mapped.plover_mode, mapped.acled_sub_event_type, mapped.cameo)
        for refinement in self.acled_refinements:
            codebooks.check("acled_refinements", None, None, refinement.acled, None)

    @property
    def books(self) -> Codebooks:
        if self.codebooks is None:
            raise ValueError("the ontology was loaded without its codebooks")
        return self.codebooks

    def has(self, event_type: str, trait: Trait) -> bool:
        return trait in self.types[event_type].traits

    @cached_property
    def story_families(self) -> dict[str, str]:
        """Event type -> its story family, for the types that have one."""
        return {name: spec.story_family for name, spec in self.types.items() if spec.story_family}

    @cached_property
    def verb_types(self) -> dict[str, list[str]]:
        """Verb lemma -> event types it can trigger, those that need a context for it first
        (the specific reading before the general one), then in ontology order."""
        return self._specific_first((name, _single(spec.verbs)) for name, spec in self.types.items())

    @cached_property
    def noun_types(self) -> dict[str, list[str]]:
        return self._specific_first((name, _single(spec.nouns)) for name, spec in self.types.items())

    @cached_property
    def phrase_types(self) -> dict[str, list[str]]:
        """Phrases, and the verbs and nouns written in several words ("sit-in", "turn down")."""
        return self._specific_first(
            (name, spec.phrases + _multi(spec.verbs) + _multi(spec.nouns)) for name, spec in self.types.items()
        )

    def _specific_first(self, pairs: Iterable[tuple[str, list[str]]]) -> dict[str, list[str]]:
        index = _index(pairs)

        def general(event_type: str, lemma: str) -> bool:
            spec = self.types[event_type]
            return lemma not in spec.requires and lemma not in spec.noun_requires

        return {lemma: sorted(types, key=lambda t: general(t, lemma)) for lemma, types in index.items()}

    def is_speech(self, event_type: str, lemma: str) -> bool:
        return lemma in self.types[event_type].speech

    def mode(self, event_type: str, lemma: str) -> str | None:
        return self.types[event_type].modes.get(lemma)

    def mapping(self, event_type: str, mode: str | None) -> Mapping:
        return self.types[event_type].mapped(mode, self.books)


def _single(words: list[str]) -> list[str]:
    return [w for w in words if " " not in w and "-" not in w]


def _multi(words: list[str]) -> list[str]:
    return [w for w in words if " " in w or "-" in w]


def _index(pairs: Iterable[tuple[str, list[str]]]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for event_type, lemmas in pairs:
        for lemma in lemmas:
            types = index.setdefault(lemma, [])
            if event_type not in types:
                types.append(event_type)
    return index


# libyaml's loader when PyYAML was built with it: the same documents, read 10x faster (a
# third of a second less at every worker's start-up).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_data(name: str) -> Any:
    text = resources.files("pipeline.nlp").joinpath("data", name).read_text("utf-8")
    return yaml.load(text, Loader=_LOADER)


def ontology_from(document: dict[str, Any], codebooks: Codebooks | None = None) -> Ontology:
    """An ontology from its YAML document, checked against the codebooks (the packaged ones by default)."""
    books = codebooks or load_codebooks()
    return Ontology.model_validate({**document, "codebooks": books})


@lru_cache(maxsize=1)
def load_codebooks() -> Codebooks:
    return Codebooks.model_validate(read_data("codebooks.yaml"))


@lru_cache(maxsize=1)
def load_ontology() -> Ontology:
    return ontology_from(read_data("ontology.yaml"))
