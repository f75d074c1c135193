"""Direct quotes in a sentence, and the outlet or audience a statement was made to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Token

from pipeline.nlp.syntax import children, first_child

_CURLY = re.compile(r"“([^”]*)”")
_STRAIGHT = re.compile(r'"([^"]*)"')
_ADDRESSEE_VERBS = frozenset({"speak", "talk", "tell", "say", "write"})


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


def addressee(verb: Token) -> Token | None:
    """'reporters' in 'told reporters', 'Al Jazeera' in 'speaking to Al Jazeera' or
    'in an interview with CNN', 'AFP' in 'cited by AFP'."""
    if verb.lemma_ == "tell":
        obj = first_child(verb, "dobj", "dative")
        if obj is not None:
            return obj
    for prep in children(verb, "prep"):
        found = _prep_object(prep, ("to",))
        if found:
            return found
    for clause in [*children(verb, "advcl", "xcomp", "conj"), *children(verb.head, "advcl")]:
        if clause.lemma_ in _ADDRESSEE_VERBS and clause.i != verb.i:
            for prep in children(clause, "prep"):
                found = _prep_object(prep, ("to", "with"))
                if found:
                    return found
    for prep in children(verb, "prep"):
        if prep.lower_ == "in":
            noun = first_child(prep, "pobj")
            if noun is not None and noun.lemma_ in ("interview", "statement", "post", "briefing"):
                for inner in children(noun, "prep"):
                    found = _prep_object(inner, ("with", "to", "on"))
                    if found:
                        return found
    subject = first_child(verb, "nsubj")
    if subject is not None:
        for clause in children(subject, "acl"):
            agent = first_child(clause, "agent")
            if clause.lemma_ in ("cite", "quote") and agent is not None:
                obj = first_child(agent, "pobj")
                if obj is not None:
                    return obj
    return None


def _prep_object(prep: Token, preps: tuple[str, ...]) -> Token | None:
    if prep.lower_ not in preps:
        return None
    return first_child(prep, "pobj")
