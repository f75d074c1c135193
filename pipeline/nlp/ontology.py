"""The event ontology and word lists, loaded once from the YAML files in `data/`."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property, lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from spacy.tokens import Token

EVENT_TYPES = (
    "TALKS", "STATEMENT", "STRIKE", "CLASH", "CASUALTIES", "DEMAND", "PROPOSAL", "AGREEMENT",
    "ACCUSATION", "REJECTION", "THREAT", "PROTEST", "SUPPORT", "INVITATION", "RELEASE",
    "WITHDRAWAL", "CEASEFIRE", "AID", "HUMANITARIAN", "ARREST", "SANCTION", "MOBILIZATION",
    "INVESTIGATION", "OTHER",
)  # fmt: skip


class TriggerContext(BaseModel):
    """What must be around a verb for it to trigger (any one of the lists suffices)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    preps: list[str] = []
    deps: list[str] = []
    objects: list[str] = []
    subjects: list[str] = []


class EventTypeSpec(BaseModel):
    """One type of the ontology, as written in ontology.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    definition: str
    story_family: str | None = None
    plover: str | None = None
    cameo: str | None = None
    prior: float = Field(ge=0.0, le=1.0)
    verbs: list[str] = []
    nouns: list[str] = []
    phrases: list[str] = []
    speech: list[str] = []
    modes: dict[str, str] = {}
    nominal_policy: Literal["eventive", "always"] = "eventive"
    exclude_objects: list[str] = []
    requires: dict[str, TriggerContext] = {}
    excludes: dict[str, TriggerContext] = {}


class Ontology(BaseModel):
    """The whole ontology; validated so that a typo in the YAML fails loudly at load time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    types: dict[str, EventTypeSpec]

    @model_validator(mode="after")
    def _known_types(self) -> Ontology:
        unknown = set(self.types) - set(EVENT_TYPES)
        if unknown:
            raise ValueError(f"ontology types not in the event schema: {sorted(unknown)}")
        return self

    @cached_property
    def story_families(self) -> dict[str, str]:
        """Event type -> its story family, for the types that have one."""
        return {name: spec.story_family for name, spec in self.types.items() if spec.story_family}

    @cached_property
    def verb_types(self) -> dict[str, list[str]]:
        """Verb lemma -> event types it can trigger, in ontology order."""
        return _index((name, spec.verbs) for name, spec in self.types.items())

    @cached_property
    def noun_types(self) -> dict[str, list[str]]:
        return _index((name, spec.nouns) for name, spec in self.types.items())

    @cached_property
    def phrase_types(self) -> dict[str, list[str]]:
        return _index((name, spec.phrases) for name, spec in self.types.items())

    def is_speech(self, event_type: str, lemma: str) -> bool:
        return lemma in self.types[event_type].speech

    def mode(self, event_type: str, lemma: str) -> str | None:
        return self.types[event_type].modes.get(lemma)


class VerbObjectRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    absorbs: frozenset[str] = frozenset()
    yields_to: frozenset[str] = frozenset()


class Lexicon(BaseModel):
    """Word lists the rules read (lexicon.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    light_verbs: frozenset[str]
    light_verb_particles: dict[str, str]
    container_nouns: frozenset[str]
    temporal_preps: frozenset[str]
    planning_predicates: frozenset[str]
    deliberation_verbs: frozenset[str]
    state_actor_nouns: frozenset[str]
    lemma_overrides: dict[str, str]

    def lemma(self, token: Token) -> str:
        """The token's lemma, mended where the model is known to slip."""
        return self.lemma_overrides.get(token.lower_, token.lemma_.lower())

    verb_object_rules: dict[str, VerbObjectRule]
    occurrence_verbs: frozenset[str]
    terminative_verbs: frozenset[str]
    planning_verbs: frozenset[str]
    hypothetical_modals: frozenset[str]
    future_modals: frozenset[str]
    concessions: frozenset[str]
    absorbing_types: frozenset[str]
    violent_types: frozenset[str]
    retaliation_verbs: frozenset[str]
    media_outlets: list[str]
    group_anaphors: frozenset[str]
    actor_nouns: frozenset[str]
    attribution_preps: frozenset[str]
    qualifiers: dict[str, list[str]]
    killed_verbs: frozenset[str]
    injured_verbs: frozenset[str]
    killed_adjectives: frozenset[str]
    injured_adjectives: frozenset[str]
    death_nouns: frozenset[str]
    injury_nouns: frozenset[str]
    victim_nouns: frozenset[str]
    vague_numbers: frozenset[str]
    cumulative_cues: list[str]
    demonyms: dict[str, str]
    territories: dict[str, str]
    promo_prefixes: list[str]
    title_words: frozenset[str]
    english_function_words: frozenset[str]

    @cached_property
    def media_outlets_lower(self) -> frozenset[str]:
        return frozenset(name.lower() for name in self.media_outlets)


def _index(pairs: Iterable[tuple[str, list[str]]]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for event_type, lemmas in pairs:
        for lemma in lemmas:
            index.setdefault(lemma, []).append(event_type)
    return index


def _read_yaml(name: str) -> object:
    text = resources.files("pipeline.nlp").joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def load_ontology() -> Ontology:
    return Ontology.model_validate(_read_yaml("ontology.yaml"))


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    return Lexicon.model_validate(_read_yaml("lexicon.yaml"))
