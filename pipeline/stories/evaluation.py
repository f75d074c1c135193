"""Story quality on an annotated set: B-cubed and pairwise precision, recall and F1 of the
story links, against the exact-match rule (same type, same day, same country) on the same
events. Gold mentions are matched to extracted events by sentence piece and type, as the
extraction sets are; only matched mentions are scored, and the share matched is reported."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from pipeline.aggregates import event_country
from pipeline.articles import parse_rfc3339_ms
from pipeline.model import Article, Provenance, RawRecord
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.ontology import load_ontology
from pipeline.nlp.types import ArticleText
from pipeline.records import event_record
from pipeline.stories.facts import DAY_MS, epoch_ms
from pipeline.stories.grouping import group_mentions
from pipeline.stories.linking import link_records


@dataclass(frozen=True, slots=True)
class GoldMention:
    article_id: str
    piece: str
    event_type: str
    story: str


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass(frozen=True, slots=True)
class StoryReport:
    gold_mentions: int
    matched: int
    gold_stories: int
    linked: dict[str, Scores]  # "bcubed" and "pairwise" for the stories step
    exact_match: dict[str, Scores]  # the same for the exact-match rule
    errors: tuple[str, ...]


def load_articles(directory: Path) -> tuple[list[Article], list[GoldMention]]:
    articles, mentions = [], []
    for path in sorted((directory / "articles").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        raw = RawRecord(payload=b"", provenance=Provenance.archive(str(path), 1))
        published = parse_rfc3339_ms(doc["published_at"])
        articles.append(
            Article(doc["id"], doc["body"], published, False, raw, doc.get("title"), None, doc.get("source"))
        )
        mentions += [GoldMention(doc["id"], e["s"], e["type"], e["story"]) for e in doc["events"]]
    return articles, mentions


def extract_records(extractor: EventExtractor, articles: list[Article]) -> list[dict[str, Any]]:
    """Event records of every article, with mention groups, as the pipeline writes them."""
    families = load_ontology().story_families
    texts = [ArticleText(a.body, a.published_at_ms, a.title, a.language) for a in articles]
    records: list[dict[str, Any]] = []
    for article, events in zip(articles, extractor.extract_batch(texts), strict=True):
        built = [event_record(article, e, processed_at_ms=0, extractor_version=extractor.version) for e in events]
        records += group_mentions(built, families)
    return records


def evaluate_stories(extractor: EventExtractor, directory: Path) -> StoryReport:
    articles, gold = load_articles(directory)
    records = extract_records(extractor, articles)
    assigned, _ = link_records(records, load_ontology().story_families)
    matches = match_mentions(gold, records)
    gold_of = {i: gold[i].story for i in matches}
    linked = {i: assigned.get(r["event_id"], f"unlinked:{r['event_id']}") for i, r in matches.items()}
    exact = {i: exact_match_key(r) for i, r in matches.items()}
    errors = [
        f"{gold[i].article_id}: '{gold[i].piece}' ({gold[i].event_type}, gold {gold[i].story}) -> story {linked[i][:8]}"
        for i in matches
    ]
    return StoryReport(
        gold_mentions=len(gold),
        matched=len(matches),
        gold_stories=len({m.story for m in gold}),
        linked={"bcubed": bcubed(gold_of, linked), "pairwise": pairwise(gold_of, linked)},
        exact_match={"bcubed": bcubed(gold_of, exact), "pairwise": pairwise(gold_of, exact)},
        errors=tuple(sorted(errors)),
    )


def match_mentions(gold: list[GoldMention], records: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Gold mention index -> the extracted record it matches: same article, a sentence holding
    the piece, the same type (else the same story family); each record used once."""
    families = load_ontology().story_families
    used: set[str] = set()
    matches: dict[int, dict[str, Any]] = {}
    for same_type in (True, False):
        for index, mention in enumerate(gold):
            if index in matches:
                continue
            for record in records:
                if record["event_id"] in used or record["article_id"] != mention.article_id:
                    continue
                if mention.piece not in record["sentence"]["text"]:
                    continue
                if same_type and record["event_type"] != mention.event_type:
                    continue
                family = families.get(record["event_type"])
                if not same_type and (family is None or family != families.get(mention.event_type)):
                    continue
                matches[index] = record
                used.add(record["event_id"])
                break
    return matches


def exact_match_key(record: dict[str, Any]) -> tuple[str, int, str | None]:
    """GDELT's rule: one event per type, day and country."""
    return (str(record["event_type"]), epoch_ms(record["event_time"]["start"]) // DAY_MS, event_country(record))


def bcubed(gold: Mapping[int, Hashable], found: Mapping[int, Hashable]) -> Scores:
    """B-cubed over the items both clusterings hold: per item, the share of its found cluster
    in its gold cluster (precision) and the other way round (recall), averaged."""
    items = list(gold)
    if not items:
        return Scores(0.0, 0.0)
    precision = recall = 0.0
    for item in items:
        same_found = {o for o in items if found[o] == found[item]}
        same_gold = {o for o in items if gold[o] == gold[item]}
        both = len(same_found & same_gold)
        precision += both / len(same_found)
        recall += both / len(same_gold)
    return Scores(precision / len(items), recall / len(items))


def pairwise(gold: Mapping[int, Hashable], found: Mapping[int, Hashable]) -> Scores:
    """Precision and recall of the pairs of items put in one cluster."""
    pairs = list(combinations(list(gold), 2))
    found_pairs = {p for p in pairs if found[p[0]] == found[p[1]]}
    gold_pairs = {p for p in pairs if gold[p[0]] == gold[p[1]]}
    both = len(found_pairs & gold_pairs)
    return Scores(both / len(found_pairs) if found_pairs else 0.0, both / len(gold_pairs) if gold_pairs else 0.0)
