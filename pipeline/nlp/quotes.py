"""Direct quotes in a sentence, found in its text (quote marks), with their offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Token

_CURLY = re.compile(r"“([^”]*)”")
_STRAIGHT = re.compile(r'"([^"]*)"')


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    text: str
    start: int  # absolute offsets of the text inside the marks
    end: int


def quote_spans(text: str, offset: int) -> list[QuoteSpan]:
    """Text inside curly or straight double quotes; an unclosed quote runs to the end."""
    spans = [QuoteSpan(m.group(1), offset + m.start(1), offset + m.end(1)) for m in _CURLY.finditer(text)]
    spans += [QuoteSpan(m.group(1), offset + m.start(1), offset + m.end(1)) for m in _STRAIGHT.finditer(text)]
    opened = text.rfind("“")
    if opened > text.rfind("”") and opened >= 0:
        spans.append(QuoteSpan(text[opened + 1 :].rstrip(), offset + opened + 1, offset + len(text.rstrip())))
    return sorted((s for s in spans if s.text.strip()), key=lambda s: s.start)


def unbalanced_quotes(text: str) -> bool:
    """True while a quote opened in `text` is not closed (used to merge sentences)."""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def is_quote_only(sent_text: str) -> bool:
    """A sentence that is nothing but a quotation (continuing the previous speaker)."""
    stripped = sent_text.strip()
    return stripped[:1] in ("“", '"') and stripped.rstrip(".!?,")[-1:] in ("”", '"') and stripped.count("“") <= 1


def quotes_for_verb(spans: list[QuoteSpan], verb: Token, sent_offset_of_doc: int) -> list[QuoteSpan]:
    """The quotes a reporting verb introduces: those not containing the verb itself."""
    verb_start = sent_offset_of_doc + verb.idx
    return [s for s in spans if not (s.start <= verb_start < s.end)]
