"""The word lists the rules read (data/lexicon.yaml), in one typed object passed to every stage.

No stage keeps a word list of its own: where a rule needs words, it takes them from here, so
an analyst tunes the rules by editing the YAML, and one list is never written twice.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from pydantic import BaseModel, ConfigDict
from spacy.tokens import Token

from pipeline.nlp.ontology import read_data


class VerbObjectRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    absorbs: frozenset[str] = frozenset()
    yields_to: frozenset[str] = frozenset()


class Pronouns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    person: frozenset[str]  # he, she ...: the last person named
    group: frozenset[str]  # they, it ...: the last organisation or country
    first_singular: frozenset[str]  # inside a quote: the speaker
    first_plural: frozenset[str]  # inside a quote: the speaker's side
    relative: frozenset[str]  # who, which, that

    @cached_property
    def third(self) -> frozenset[str]:
        return self.person | self.group


class Prepositions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    temporal: frozenset[str]  # "after clashes": the noun is an event that happened
    target: frozenset[str]  # "strikes on Gaza"
    counterpart: frozenset[str]  # "talks with Hamas"
    location: frozenset[str]  # "in Kharkiv"
    occasion: frozenset[str]  # "pledged at a conference": the verb takes the occasion's time
    reference: frozenset[str]  # "support under the treaty": a topic, not an occurrence
    attribution: frozenset[str]  # "according to the ministry"


class Modals(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    hypothetical: frozenset[str]
    future: frozenset[str]  # will, shall, 'll: planned
    refusal: frozenset[str]  # "would not disarm": a negated future of these refuses
    announced: frozenset[str]  # "said they would boycott it": a refusal announced is made now
    forms: dict[str, str]  # contracted forms: wo -> will


class Lexicon(BaseModel):
    """Word lists the rules read (lexicon.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    lemma_fixes: dict[str, str]
    light_verbs: frozenset[str]
    light_verb_particles: dict[str, str]
    container_nouns: frozenset[str]
    capacity_nouns: frozenset[str]
    outcome_verbs: frozenset[str]
    preps: Prepositions
    pronouns: Pronouns
    modals: Modals
    planning_predicates: frozenset[str]
    planning_verbs: frozenset[str]
    deliberation_verbs: frozenset[str]
    refusal_verbs: frozenset[str]
    state_actor_nouns: frozenset[str]
    verb_object_rules: dict[str, VerbObjectRule]
    occurrence_verbs: frozenset[str]
    terminative_verbs: frozenset[str]
    conditional_marks: frozenset[str]
    simultaneous_marks: frozenset[str]
    negative_subjects: frozenset[str]
    concessions: frozenset[str]
    retaliation_verbs: frozenset[str]
    content_speech: frozenset[str]
    said_verbs: frozenset[str]
    addressee_verbs: frozenset[str]
    addressee_object_verbs: frozenset[str]
    speech_venues: frozenset[str]
    citing_verbs: frozenset[str]
    mediator_nouns: frozenset[str]
    participant_nouns: dict[str, str]
    media_outlets: list[str]
    group_anaphors: frozenset[str]
    actor_nouns: frozenset[str]
    actor_classes: dict[str, frozenset[str]]
    word_classes: dict[str, frozenset[str]]  # lists the ontology's contexts name as "@name"
    qualifiers: dict[str, list[str]]
    killed_verbs: frozenset[str]
    intransitive_killing: frozenset[str]
    injured_verbs: frozenset[str]
    killed_adjectives: frozenset[str]
    injured_adjectives: frozenset[str]
    death_nouns: frozenset[str]
    injury_nouns: frozenset[str]
    victim_nouns: frozenset[str]
    collective_nouns: frozenset[str]
    cause_nouns: frozenset[str]
    counter_nouns: frozenset[str]
    vague_numbers: frozenset[str]
    quantity_heads: frozenset[str]
    cumulative_cues: list[str]
    demonyms: dict[str, str]
    territories: dict[str, str]
    name_particles: frozenset[str]
    promo_prefixes: list[str]
    title_words: frozenset[str]
    english_function_words: frozenset[str]

    def lemma(self, token: Token) -> str:
        """The token's lemma, lowercased (the pipeline's lemma_fixes component has mended it)."""
        return token.lemma_.lower()

    @cached_property
    def negative_determiners(self) -> frozenset[str]:
        """'no' and the negative subjects, as determiners ("no side", "neither party")."""
        return self.negative_subjects | {"no"}

    @cached_property
    def media_outlets_lower(self) -> frozenset[str]:
        return frozenset(name.lower() for name in self.media_outlets)

    def in_class(self, words: str, actor_class: str) -> bool:
        """True when a phrase names a member of an actor class ('government troops': state)."""
        members = self.actor_classes.get(actor_class, frozenset())
        for word in words.lower().replace("-", " ").split():
            singular = {word, word.removesuffix("s"), word.removesuffix("es"), word.removesuffix("men") + "man"}
            if singular & members:
                return True
        return False


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    return Lexicon.model_validate(read_data("lexicon.yaml"))
