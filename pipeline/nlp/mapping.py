"""Stage 9, codebook mapping: where an event lands in PLOVER 2021, CAMEO and ACLED.

In: the event's type, mode, actors and the types of its sentence. Out: a `Mapping`. The type and
mode decide (ontology.yaml: `plover`, `acled`, `cameo`, `mode_mappings`); where they cannot - a
shooting is an ACLED Attack on civilians but an Armed clash between armed groups - the
ontology's `acled_refinements` choose from the actors' classes (lexicon.yaml, `actor_classes`).
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.ontology import AcledRefinement, Mapping, Ontology
from pipeline.nlp.types import Actor, Role


def map_event(
    ontology: Ontology,
    lexicon: Lexicon,
    event_type: str,
    mode: str | None,
    actors: Iterable[Actor],
    sentence_types: frozenset[str],
) -> Mapping:
    mapping = ontology.mapping(event_type, mode)
    listed = list(actors)
    for refinement in ontology.acled_refinements:
        if _applies(refinement, lexicon, event_type, mode, listed, sentence_types):
            acled = refinement.acled
            return mapping.model_copy(
                update={"acled_sub_event_type": acled, "acled_event_type": ontology.books.acled_event_type[acled]}
            )
    return mapping


def _applies(
    refinement: AcledRefinement,
    lexicon: Lexicon,
    event_type: str,
    mode: str | None,
    actors: list[Actor],
    sentence_types: frozenset[str],
) -> bool:
    if event_type not in refinement.types:
        return False
    if refinement.modes is not None and mode not in refinement.modes:
        return False
    if refinement.with_types and not sentence_types & set(refinement.with_types):
        return False
    if refinement.source is not None and not _has(actors, Role.SOURCE, refinement.source, lexicon):
        return False
    return refinement.target is None or _has(actors, Role.TARGET, refinement.target, lexicon)


def _has(actors: list[Actor], role: Role, actor_class: str, lexicon: Lexicon) -> bool:
    return any(a.role is role and lexicon.in_class(a.text, actor_class) for a in actors)
