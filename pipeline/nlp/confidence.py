"""Event confidence, as documented on the `confidence` field of schemas/event.avsc."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.nlp.types import Actor, Role, Section, TimeMethod


def confidence(prior: float, actors: Sequence[Actor], method: TimeMethod, section: Section) -> float:
    """prior of the type (ontology.yaml) x role factor (1.0 with a SOURCE or SPEAKER, else 0.85)
    x time factor (0.9 on the publication-date fallback) x section factor (0.9 outside the body,
    where headlines and bullets paraphrase)."""
    role = 1.0 if any(a.role in (Role.SOURCE, Role.SPEAKER) for a in actors) else 0.85
    timing = 0.9 if method is TimeMethod.PUBLICATION_DATE else 1.0
    placement = 1.0 if section is Section.BODY else 0.9
    return round(prior * role * timing * placement, 3)
