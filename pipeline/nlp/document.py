"""An article after spaCy: its segments, parsed docs, sentences and resolved entities."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from pipeline.nlp.entities import EntityResolver, Mention
from pipeline.nlp.quotes import unbalanced_quotes
from pipeline.nlp.segment import Dateline
from pipeline.nlp.types import EntityInfo, Section, Segment

MAX_QUOTE_MERGE = 4
_POSSESSIVE_INSIDE = re.compile(r"['’]s\s")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence (or several, merged while a quote stays open) of one segment."""

    span: Span
    segment: Segment
    segment_index: int
    index: int  # position in the article

    @property
    def text(self) -> str:
        """The span's text, sliced from the segment's, which the doc was made of (Span.text and
        Doc.text join their tokens one by one)."""
        return self.segment.text[self.span.start_char : self.span.end_char]

    @property
    def offset(self) -> int:
        """Absolute offset of the doc's first character."""
        return self.segment.start

    @property
    def start(self) -> int:
        return self.segment.start + self.span.start_char

    @property
    def end(self) -> int:
        return self.segment.start + self.span.end_char

    @property
    def section(self) -> Section:
        return self.segment.section


@dataclass
class ParsedArticle:
    segments: list[Segment]
    docs: list[Doc]
    dateline: Dateline | None
    entities: dict[tuple[int, int], EntityInfo]
    _token_entities: list[dict[int, EntityInfo]]

    @classmethod
    def build(
        cls, segments: list[Segment], docs: list[Doc], dateline: Dateline | None, resolver: EntityResolver
    ) -> ParsedArticle:
        mentions: list[Mention] = []
        spans_by_doc: list[list[tuple[Span, tuple[int, int]]]] = []
        for index, (segment, doc) in enumerate(zip(segments, docs, strict=True)):
            spans = []
            for ent in doc.ents:
                for part in _split_possessive(ent):
                    key = (index, part.start_char)
                    spans.append((part, key))
                    mentions.append(
                        Mention(
                            key, part.text, part.label_, segment.start + part.start_char, segment.start + part.end_char
                        )
                    )
            spans_by_doc.append(spans)
        entities = resolver.resolve(mentions)
        token_entities: list[dict[int, EntityInfo]] = []
        for spans in spans_by_doc:
            by_token: dict[int, EntityInfo] = {}
            for part, key in spans:
                info = entities.get(key)
                if info is not None:
                    for i in range(part.start, part.end):
                        by_token[i] = info
            token_entities.append(by_token)
        return cls(segments, docs, dateline, entities, token_entities)

    def entity_at(self, segment_index: int, token: Token) -> EntityInfo | None:
        return self._token_entities[segment_index].get(token.i)

    def sentences(self) -> list[Sentence]:
        sentences: list[Sentence] = []
        for index, (segment, doc) in enumerate(zip(self.segments, self.docs, strict=True)):
            for span in merge_open_quotes(list(doc.sents)):
                sentences.append(Sentence(span, segment, index, len(sentences)))
        return sentences

    def entities_in(self, sentence: Sentence) -> list[EntityInfo]:
        seen: dict[int, EntityInfo] = {}
        lookup = self._token_entities[sentence.segment_index]
        for token in sentence.span:
            info = lookup.get(token.i)
            if info is not None:
                seen.setdefault(info.start, info)
        return list(seen.values())


def merge_open_quotes(sents: list[Span]) -> list[Span]:
    """Join sentences while a quotation opened in them is still open (at most a few)."""
    merged: list[Span] = []
    index = 0
    while index < len(sents):
        start, end = sents[index].start, sents[index].end
        steps = 0
        while (
            unbalanced_quotes(sents[index].doc[start:end].text) and index + 1 < len(sents) and steps < MAX_QUOTE_MERGE
        ):
            index += 1
            steps += 1
            end = sents[index].end
        merged.append(sents[index].doc[start:end])
        index += 1
    return merged


def _split_possessive(ent: Span) -> list[Span]:
    """'Trump’s Middle East' (one ORG to the small model) -> 'Trump', 'Middle East'."""
    for token in ent:
        if token.lower_ in ("’s", "'s") and ent.start < token.i < ent.end - 1:
            left = ent.doc[ent.start : token.i]
            right = ent.doc[token.i + 1 : ent.end]
            left_span = Span(ent.doc, left.start, left.end, label=ent.label_)
            right_span = Span(ent.doc, right.start, right.end, label=ent.label_)
            return [left_span, right_span]
    if ent.end > ent.start + 1 and ent[-1].lower_ in ("’s", "'s"):
        return [Span(ent.doc, ent.start, ent.end - 1, label=ent.label_)]
    return [ent]
