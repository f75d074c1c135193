"""Flag casualty figures that disagree within one article (76,183 in a subhead, 67,183 below)."""

from __future__ import annotations

from dataclasses import replace

from pipeline.nlp.types import CasualtyClaim, ExtractedEvent, Flag

# Relative gap two figures for the same count may have before they conflict, by hedge of the
# smaller one: "more than 67,000" and "at least 67,183" agree, 76,183 and 67,183 do not.
_TOLERANCE = {"EXACT": 0.01, "AT_LEAST": 0.05, "MORE_THAN": 0.05, "ABOUT": 0.10, "UP_TO": 0.0, "FEWER_THAN": 0.0}


def mark_conflicts(events: list[ExtractedEvent]) -> list[ExtractedEvent]:
    """Events whose cumulative killed or injured figure disagrees with another one in the article."""
    claims = [
        (i, e.casualties)
        for i, e in enumerate(events)
        if e.casualties is not None and e.casualties.scope == "CUMULATIVE"
    ]
    notes: dict[int, list[str]] = {}
    for i, a in claims:
        for j, b in claims:
            if i == j:
                continue
            for field in ("killed", "injured"):
                if _disagree(a, b, field):
                    notes.setdefault(i, []).append(f"{field} {b.figure_text} in: {events[j].sentence_text[:80]}")
    if not notes:
        return events
    marked = list(events)
    for i, found in notes.items():
        event = events[i]
        assert event.casualties is not None
        claim = replace(event.casualties, conflicting=True, conflict_note="; ".join(dict.fromkeys(found)))
        marked[i] = replace(
            event, casualties=claim, flags=tuple(dict.fromkeys((*event.flags, Flag.CONFLICTING_FIGURES)))
        )
    return marked


def _disagree(a: CasualtyClaim, b: CasualtyClaim, field: str) -> bool:
    x: int | None = getattr(a, field)
    y: int | None = getattr(b, field)
    if x is None or y is None or x == y:
        return False
    low, high = (a, b) if x < y else (b, a)
    low_n, high_n = min(x, y), max(x, y)
    if high_n > 2 * low_n:
        return False  # a different population ("20,000 children" vs "67,000 people")
    gap = (high_n - low_n) / low_n
    tolerance = max(
        _TOLERANCE.get(low.qualifier, 0.01),
        _TOLERANCE.get(high.qualifier, 0.01) if high.qualifier in ("ABOUT",) else 0.0,
    )
    return gap > tolerance
