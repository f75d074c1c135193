"""Split an article into headline, subheads, bullet items and body paragraphs.

spaCy's sentence splitter runs on each segment separately: the small model otherwise joins a
headline or a bullet without final punctuation to the next line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.nlp.types import Section, Segment

# Longest text handed to spaCy at once; longer paragraphs are cut at a sentence end.
MAX_SEGMENT_CHARS = 10_000
SUBHEAD_MAX_WORDS = 14

_LINE = re.compile(r"[^\n\r]+")
_BULLET = re.compile(r"^(?:[-•*‣▪–—·◦]|\d{1,2}[.)])\s+")
_TERMINAL = tuple(".!?\"”’'…:;)]")
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'’.\-]+(?: [A-Z][A-Z'’.\-]+){0,3}"  # CAIRO, GAZA CITY, KHAN YOUNIS
    r"(?:,\s*[A-Z][A-Za-z'’.\-]+(?: (?:of|the|and|[A-Z][A-Za-z'’.\-]+)){0,4})?)"  # , Gaza Strip / , Republic of Congo
    r"\s*(?:\((?P<agency>[^)]{1,40})\))?"  # (Reuters)
    r"\s*(?:[:—–]|--?)\s+"
)


@dataclass(frozen=True, slots=True)
class Dateline:
    """The place line that opens a wire story ("CAIRO, Egypt:")."""

    place: str
    start: int
    end: int
    agency: str | None = None

    @property
    def city(self) -> str:
        return self.place.split(",")[0].strip().title()


def segment_article(
    title: str | None, body: str, promo_prefixes: tuple[str, ...] = ()
) -> tuple[list[Segment], Dateline | None]:
    """Segments of the article in reading order, and its dateline if it has one."""
    segments: list[Segment] = []
    if title and title.strip():
        stripped = title.strip()
        segments.append(Segment(Section.HEADLINE, stripped, title.index(stripped), -1))
    dateline: Dateline | None = None
    body_paragraphs = 0
    paragraph = 0
    for match in _LINE.finditer(body):
        start, text = _strip(match.start(), match.group())
        if not text or _is_promo(text, promo_prefixes):
            continue
        bullet = _BULLET.match(text)
        if bullet:
            start, text = _strip(start + bullet.end(), text[bullet.end() :])
            section = Section.BULLET
        elif _looks_like_subhead(text):
            section = Section.SUBHEAD
        else:
            section = Section.BODY
            if dateline is None and body_paragraphs == 0:
                dateline, start, text = _split_dateline(start, text)
            body_paragraphs += 1
        if text:
            for chunk_start, chunk in _chunks(start, text):
                segments.append(Segment(section, chunk, chunk_start, paragraph))
            paragraph += 1
    return segments, dateline


def _strip(start: int, text: str) -> tuple[int, str]:
    stripped = text.strip()
    return (start + text.index(stripped), stripped) if stripped else (start, "")


def _is_promo(text: str, prefixes: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(lowered.startswith(prefix) for prefix in prefixes) and (":" in lowered[:24] or len(lowered.split()) <= 3)


def _looks_like_subhead(text: str) -> bool:
    if text.endswith(_TERMINAL):
        return False
    return len(text.split()) <= SUBHEAD_MAX_WORDS


def _split_dateline(start: int, text: str) -> tuple[Dateline | None, int, str]:
    match = _DATELINE.match(text)
    if not match or len(match.group("place").split(",")[0]) < 3:
        return None, start, text
    dateline = Dateline(
        place=match.group("place").strip(),
        start=start,
        end=start + match.end(),
        agency=match.group("agency"),
    )
    return dateline, start + match.end(), text[match.end() :]


def _chunks(start: int, text: str) -> list[tuple[int, str]]:
    """Cut text longer than MAX_SEGMENT_CHARS at sentence ends (or spaces) near the limit."""
    pieces: list[tuple[int, str]] = []
    offset = 0
    while len(text) - offset > MAX_SEGMENT_CHARS:
        window = text[offset : offset + MAX_SEGMENT_CHARS]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 2 if cut > MAX_SEGMENT_CHARS // 2 else window.rfind(" ") + 1
        if cut <= 0:
            cut = MAX_SEGMENT_CHARS
        pieces.append((start + offset, text[offset : offset + cut]))
        offset += cut
    pieces.append((start + offset, text[offset:]))
    return [(chunk_start, chunk) for chunk_start, chunk in pieces if chunk.strip()]
