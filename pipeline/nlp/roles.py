"""Stage 6, roles: event participants from the dependency parse - source, target, speaker,
location, mediator.

In: a trigger, its predicate and the sentence's `RoleContext` (resolved entities, article memory,
quotes). Out: `Actor`s. Pronouns and "the group" resolve through the article's memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Token

from pipeline.nlp.context import ArticleContext
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.segment import Dateline
from pipeline.nlp.syntax import children, clause_subject, conjuncts, first_child, noun_phrase
from pipeline.nlp.types import Actor, EntityInfo, Role

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
SOURCE_MODIFIER_LABELS = frozenset({"NORP", "GPE", "ORG", "PERSON"})
NON_ACTOR_ENTITIES = frozenset({"DATE", "TIME", "ORDINAL", "PERCENT", "MONEY"})

EntityAt = Callable[[Token], EntityInfo | None]


@dataclass(frozen=True, slots=True)
class RoleContext:
    """What the role rules need besides the trigger."""

    entity_at: EntityAt  # entity covering a token, after article-level resolution
    context: ArticleContext
    offset: int  # absolute character offset of the doc's first character
    in_quote: Callable[[Token], bool]
    lexicon: Lexicon
    event_heads: frozenset[int] = frozenset()  # trigger tokens of the sentence


def find_actors(
    trigger: Token, predicate: Token, nominal: bool, speech: bool, statement: bool, place_source: bool, rc: RoleContext
) -> list[Actor]:
    """Actors of one event. `speech` marks speech acts; `statement` plain statements, whose
    subject is only the SPEAKER (other speech acts - accuse, urge - also have it as SOURCE);
    `place_source`: a country named before a noun trigger is who acted ("Russian strikes")."""
    actors: list[Actor] = []
    if nominal:
        actors += _nominal_roles(trigger, predicate, place_source, rc)
    else:
        actors += _verbal_roles(trigger, speech, statement, rc)
    actors += _location(trigger, predicate, rc)
    return unique_actors(actors)


def _verbal_roles(verb: Token, speech: bool, statement: bool, rc: RoleContext) -> list[Actor]:
    actors: list[Actor] = []
    subject, passive = clause_subject(verb, rc.event_heads if speech else frozenset())
    if subject is None and verb.pos_ in ("NOUN", "PROPN") and verb.i > verb.sent.start:
        subject = verb.doc[verb.i - 1]  # a headline verb read as a noun: the noun before it acts
    agent = first_child(verb, "agent")
    source_role = Role.SPEAKER if statement else Role.SOURCE
    if verb.lemma_ in rc.lexicon.intransitive_killing:
        source_role = Role.TARGET  # "three soldiers died": the subject is the victim
    if subject is not None and not passive:
        actors += _actors_for(subject, source_role, rc)
        if speech and not statement:
            actors += _actors_for(subject, Role.SPEAKER, rc)
    if passive and subject is not None:
        actors += _actors_for(subject, Role.TARGET, rc)
    if agent is not None:
        obj = first_child(agent, "pobj")
        if obj is not None:
            actors += _actors_for(obj, source_role, rc)
    lexicon = rc.lexicon
    for obj in children(verb, "dobj", "dative"):
        role = Role.ADDRESSEE if verb.lemma_ in lexicon.addressee_object_verbs else Role.TARGET
        if speech and role is Role.TARGET and verb.lemma_ in lexicon.said_verbs:
            continue  # what is said is the quote, not a target
        actors += _actors_for(obj, role, rc)
    for prep in children(verb, "prep"):
        obj = first_child(prep, "pobj")
        if obj is None:
            continue
        if (prep.lower_ in lexicon.preps.target and not _is_place(obj, rc)) or prep.lower_ in lexicon.preps.counterpart:
            actors += _actors_for(obj, Role.TARGET, rc)
    return actors


def _nominal_roles(noun: Token, predicate: Token, place_source: bool, rc: RoleContext) -> list[Actor]:
    actors: list[Actor] = []
    lexicon = rc.lexicon
    # "Israeli strikes", "US strikes" name the attacker; "Gaza talks" names a topic.
    modifier_labels = SOURCE_MODIFIER_LABELS if place_source else SOURCE_MODIFIER_LABELS - {"GPE"}
    owners = [g for p in children(noun, "prep") if p.lower_ == "of" for g in children(p, "pobj")]
    for child in [*noun.children, *(c for owner in owners for c in owner.children)]:
        named = child.dep_ in ("amod", "compound", "nmod", "det") and _entity_label(child, rc) in modifier_labels
        acting = child.dep_ == "compound" and child.i < noun.i and child.lemma_.lower() in lexicon.actor_nouns
        if child.dep_ == "poss" or named or acting:
            actors += _actors_for(child, Role.SOURCE, rc)  # "Israeli strikes", "a convoy of WFP trucks"
    for prep in children(noun, "prep"):
        obj = first_child(prep, "pobj")
        if obj is None:
            continue
        if prep.lower_ in lexicon.preps.target and not _is_place(obj, rc):
            actors += _actors_for(obj, Role.TARGET, rc)
        elif prep.lower_ == "between":
            actors += _actors_for(obj, Role.SOURCE, rc)
        elif prep.lower_ == "with":
            actors += _actors_for(obj, Role.TARGET, rc)
        elif prep.lower_ == "by":
            actors += _actors_for(obj, Role.SOURCE, rc)
        elif prep.lower_ == "of" and noun.lemma_ in lexicon.participant_nouns:
            actors += _actors_for(obj, Role(lexicon.participant_nouns[noun.lemma_]), rc)
    has_source = any(a.role is Role.SOURCE for a in actors)
    temporal = noun.dep_ == "pobj" and noun.head.lower_ in lexicon.preps.temporal  # "begin after the ceasefire"
    if not has_source and not temporal and predicate.i != noun.i and predicate.pos_ in ("VERB", "AUX"):
        subject, passive = clause_subject(predicate)
        # "X is expected at the talks": the passive subject of a planning verb takes part.
        takes_part = not passive or predicate.lemma_ in ("expect", "invite", "schedule", "set")
        if subject is not None and takes_part and subject.i != noun.i and not _in_phrase(subject, noun):
            actors += _actors_for(subject, Role.SOURCE, rc)
        agent = first_child(predicate, "agent")
        agent_object = first_child(agent, "pobj") if agent is not None else None
        if agent_object is not None:
            actors += _actors_for(agent_object, Role.SOURCE, rc)  # "was carried out by US forces"
    for mediator in _mediators(noun, lexicon):
        actors += _actors_for(mediator, Role.MEDIATOR, rc)
    return actors


def _mediators(noun: Token, lexicon: Lexicon) -> list[Token]:
    return [t for t in noun.sent if t.lemma_.lower() in lexicon.mediator_nouns and t.pos_ == "NOUN"]


def _location(trigger: Token, predicate: Token, rc: RoleContext) -> list[Actor]:
    """'in Kharkiv' on the trigger or its verb, or on their object ('struck a plant in Kharkiv',
    'talks between the sides in Cairo': the parser often hangs it one noun lower)."""
    heads = [trigger, predicate]
    for head in (trigger, predicate):
        heads += children(head, "dobj")
        heads += [g for prep in children(head, "prep") for g in children(prep, "pobj")]
    for head in heads:
        for prep in children(head, "prep"):
            if prep.lower_ not in rc.lexicon.preps.location:
                continue
            obj = first_child(prep, "pobj")
            if obj is not None and _is_place(obj, rc):
                return _actors_for(obj, Role.LOCATION, rc)
    return []


def actor_for_token(token: Token, role: Role, rc: RoleContext) -> list[Actor]:
    """Actors named by the phrase headed by `token` (and its conjuncts)."""
    return _actors_for(token, role, rc)


def _actors_for(token: Token, role: Role, rc: RoleContext, *, affiliation_only: bool = False) -> list[Actor]:
    """Actors for a noun phrase and the phrases coordinated with it."""
    actors: list[Actor] = []
    for head in conjuncts(token):
        actor, affiliation = _actor(head, role, rc)
        if actor is not None and not affiliation_only:
            actors.append(actor)
        if affiliation is not None and (affiliation_only or role in (Role.SPEAKER, Role.SOURCE)):
            actors.append(affiliation)
    return actors


def _actor(token: Token, role: Role, rc: RoleContext) -> tuple[Actor | None, Actor | None]:
    """The actor a phrase names, and the organisation or country it is affiliated with."""
    doc = token.doc
    if token.ent_type_ in NON_ACTOR_ENTITIES:
        return None, None
    entity = rc.entity_at(token) or _named_apposition(token, rc)
    affiliation = _affiliation(token, entity, rc)
    if entity is not None:
        return _from_entity(entity, role), affiliation
    antecedent = _clause_antecedent(token, rc.lexicon) if not rc.in_quote(token) else None
    if antecedent is not None and rc.entity_at(antecedent) is None:
        return _actor(antecedent, role, rc)  # "the army will not halt its offensive", "parties said they ..."
    if token.pos_ == "PRON" or token.lower_ in rc.context.group_anaphors:
        named = rc.entity_at(antecedent) if antecedent is not None else None
        resolved = (
            named or _earlier_in_sentence(token, rc) or rc.context.resolve(token.lower_, in_quote=rc.in_quote(token))
        )
        if resolved is not None:
            return Actor(
                role,
                token.text,
                rc.offset + token.idx,
                rc.offset + token.idx + len(token),
                resolved.canonical,
                resolved.label,
                resolved.country_code,
            ), affiliation
        if token.pos_ == "PRON":
            return None, affiliation
    if token.pos_ not in ("NOUN", "PROPN", "NUM", "ADJ"):
        return None, affiliation
    start, end = noun_phrase(token, rc.lexicon.quantity_heads)
    while (
        end < len(doc)
        and doc[end].pos_ == "PROPN"
        and doc[end].head.i == token.head.i
        and doc[end].dep_ in ("nsubj", "appos")
    ):
        end += 1  # "the EU naval mission Aspides said", parsed as two subjects
    span = doc[start:end]
    return Actor(role, span.text, rc.offset + span.start_char, rc.offset + span.end_char), affiliation


def _named_apposition(token: Token, rc: RoleContext) -> EntityInfo | None:
    """'Abbas Araghchi' in "Iran's foreign minister Abbas Araghchi" / "the prime minister, X,"."""
    if token.pos_ != "NOUN":
        return None
    for child in token.children:
        if child.dep_ in ("appos", "compound") and child.i > token.i:
            found = rc.entity_at(child)
            if found is not None and found.label == "PERSON":
                return found
    return None


def _earlier_in_sentence(token: Token, rc: RoleContext) -> EntityInfo | None:
    """'Sisi said he ...', 'Hamas said it ...': the nearest fitting entity before the pronoun."""
    lowered = token.lower_
    pronouns = rc.lexicon.pronouns
    if rc.in_quote(token) or lowered in pronouns.first_singular | pronouns.first_plural:
        return None
    wanted = (
        {"PERSON"}
        if lowered in pronouns.person
        else {"ORG"}
        if lowered in rc.context.group_anaphors
        else {"ORG", "GPE", "NORP"}
    )
    for earlier in reversed(list(token.doc[token.sent.start : token.i])):
        entity = rc.entity_at(earlier)
        if entity is None or entity.label not in wanted or rc.in_quote(earlier):
            continue
        if entity.canonical.lower() not in rc.context.media:  # "told CNN that the group ..."
            return entity
    return None


def _clause_antecedent(pronoun: Token, lexicon: Lexicon) -> Token | None:
    """The subject a third-person pronoun points back to inside its own sentence: the subject of
    its clause for a possessive ("the army will not halt its offensive"), else of the clause that
    reports it ("X said they would ..."). None when there is no such noun."""
    if pronoun.pos_ != "PRON" or pronoun.lower_ not in lexicon.pronouns.third:
        return None
    if pronoun.dep_ != "poss" and not (pronoun.dep_ in ("nsubj", "nsubjpass") and pronoun.head.dep_ == "ccomp"):
        return None
    verb = pronoun.head
    for _ in range(6):
        if verb.pos_ in ("VERB", "AUX") and verb.i != pronoun.head.i:
            break
        if verb.head.i == verb.i:
            return None
        verb = verb.head
    for _ in range(3):
        subject = first_child(verb, "nsubj")
        inside = subject is not None and subject.left_edge.i <= pronoun.i <= subject.right_edge.i
        if subject is not None and not inside and subject.pos_ in ("NOUN", "PROPN"):
            return subject
        if verb.dep_ not in ("ccomp", "xcomp", "conj", "advcl") or verb.head.i == verb.i:
            return None
        verb = verb.head
    return None


def _affiliation(token: Token, entity: EntityInfo | None, rc: RoleContext) -> Actor | None:
    """'Hamas' in 'senior Hamas official Fawzi Barhoum', 'Egyptian' in 'Egyptian President Sisi',
    'Armenia' in 'the leaders of Armenia and Azerbaijan'."""
    start, _ = noun_phrase(token, rc.lexicon.quantity_heads)
    of_objects = [
        g for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"
    ]
    for modifier in [*token.doc[start : token.i], *of_objects]:
        if entity is not None and entity.start <= rc.offset + modifier.idx < entity.end:
            continue
        antecedent = _clause_antecedent(modifier, rc.lexicon) if modifier.dep_ == "poss" else None
        found = rc.entity_at(antecedent if antecedent is not None else modifier)  # "its jets": Israel's
        if found is not None and found.label in ("ORG", "NORP", "GPE") and found is not entity:
            return Actor(
                Role.SOURCE, found.text, found.start, found.end, found.canonical, found.label, found.country_code
            )
    return None


def _from_entity(entity: EntityInfo, role: Role) -> Actor:
    return Actor(role, entity.text, entity.start, entity.end, entity.canonical, entity.label, entity.country_code)


def _entity_label(token: Token, rc: RoleContext) -> str | None:
    entity = rc.entity_at(token)
    return entity.label if entity is not None else None


def _is_place(token: Token, rc: RoleContext) -> bool:
    return _entity_label(token, rc) in PLACE_LABELS


def _in_phrase(outer: Token, inner: Token) -> bool:
    """Inner is part of outer's noun phrase (not merely of a clause attached to it)."""
    start, end = noun_phrase(outer)
    return start <= inner.i < end


def unique_actors(actors: list[Actor]) -> list[Actor]:
    """Actors without repeats of the same role on the same span."""
    seen: set[tuple[Role, int, int]] = set()
    kept = []
    for actor in actors:
        key = (actor.role, actor.start, actor.end)
        if key not in seen:
            seen.add(key)
            kept.append(actor)
    return kept


def dateline_actor(dateline: Dateline | None, segment_start: int, entities: tuple[EntityInfo, ...]) -> Actor | None:
    """The dateline's city as the LOCATION of an event in the paragraph it opens, when the
    sentence names no place of its own ("KHARKIV, Ukraine: Drones struck overnight")."""
    if dateline is None or segment_start != dateline.end:
        return None
    if any(e.label in PLACE_LABELS for e in entities):
        return None
    return Actor(
        Role.LOCATION, dateline.city, dateline.start, dateline.start + len(dateline.city), dateline.city, "GPE", None
    )
