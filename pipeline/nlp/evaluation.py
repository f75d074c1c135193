"""Score extracted events against the annotated gold set (tests/gold)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from pipeline.articles import parse_rfc3339_ms
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleText, ExtractedEvent, Role


@dataclass(frozen=True, slots=True)
class GoldEvent:
    sentence: str  # a piece of the sentence text, unique in the article
    event_type: str
    modality: str
    day: date | None
    sources: tuple[str, ...] = ()
    speaker: str | None = None
    casualties: tuple[int | None, int | None] | None = None  # (killed, injured) when annotated


@dataclass(frozen=True, slots=True)
class GoldArticle:
    id: str
    article: ArticleText
    events: tuple[GoldEvent, ...]


def load_gold(directory: Path) -> list[GoldArticle]:
    return [_article(yaml.safe_load(path.read_text("utf-8"))) for path in sorted(directory.glob("*.yaml"))]


def _article(doc: dict[str, Any]) -> GoldArticle:
    events = tuple(_event(e) for e in doc["events"])
    text = ArticleText(body=doc["body"], published_at_ms=parse_rfc3339_ms(doc["published_at"]), title=doc.get("title"))
    return GoldArticle(doc["id"], text, events)


def _event(doc: dict[str, Any]) -> GoldEvent:
    casualties = (doc.get("killed"), doc.get("injured")) if ("killed" in doc or "injured" in doc) else None
    day = date.fromisoformat(doc["date"]) if doc.get("date") else None
    return GoldEvent(
        doc["s"],
        doc["type"],
        doc.get("modality", "ASSERTED"),
        day,
        tuple(doc.get("source") or ()),
        doc.get("speaker"),
        casualties,
    )


@dataclass
class Accuracy:
    correct: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.correct += int(ok)

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    by_type: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    dates: Accuracy = field(default_factory=Accuracy)
    speakers: Accuracy = field(default_factory=Accuracy)
    casualties: Accuracy = field(default_factory=Accuracy)
    modality: Accuracy = field(default_factory=Accuracy)
    sources: Accuracy = field(default_factory=Accuracy)
    errors: list[str] = field(default_factory=list)

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.by_type.values():
            total.tp += counts.tp
            total.fp += counts.fp
            total.fn += counts.fn
        return total

    def metrics(self) -> dict[str, float]:
        """Flat, rounded metrics: what the ratchet compares."""
        found = {
            "micro_f1": self.micro.f1,
            "micro_precision": self.micro.precision,
            "micro_recall": self.micro.recall,
            "date_accuracy": self.dates.value,
            "speaker_accuracy": self.speakers.value,
            "casualty_accuracy": self.casualties.value,
            "modality_accuracy": self.modality.value,
            "source_accuracy": self.sources.value,
        }
        for name, counts in sorted(self.by_type.items()):
            found[f"{name}.precision"] = counts.precision
            found[f"{name}.recall"] = counts.recall
            found[f"{name}.f1"] = counts.f1
        return {k: round(v, 4) for k, v in found.items()}


def evaluate_directory(extractor: EventExtractor, directory: Path) -> Report:
    """Extract every gold article of a directory in one batch and score the result."""
    gold = load_gold(directory)
    results = extractor.extract_batch([article.article for article in gold])
    return score(gold, {article.id: events for article, events in zip(gold, results, strict=True)})


def below_baseline(
    metrics: dict[str, float], baseline: dict[str, float], tolerance: float = 1e-4
) -> dict[str, tuple[float, float]]:
    """Metrics under their stored best (now, best): what a ratchet refuses."""
    return {
        name: (metrics.get(name, 0.0), best)
        for name, best in baseline.items()
        if metrics.get(name, 0.0) < best - tolerance
    }


def score(gold: list[GoldArticle], extracted: dict[str, list[ExtractedEvent]]) -> Report:
    report = Report()
    for article in gold:
        _score_article(article, extracted.get(article.id, []), report)
    return report


def _score_article(article: GoldArticle, events: list[ExtractedEvent], report: Report) -> None:
    """Pair gold and found events of the same type and sentence; pairs whose sources agree first."""
    pairs = sorted(
        (
            (not _source_ok(expected, found), g, f)
            for g, expected in enumerate(article.events)
            for f, found in enumerate(events)
            if found.event_type == expected.event_type and expected.sentence in found.sentence_text
        ),
        key=lambda pair: pair[0],
    )
    gold_used: dict[int, int] = {}
    found_used: set[int] = set()
    for _, g, f in pairs:
        if g not in gold_used and f not in found_used:
            gold_used[g] = f
            found_used.add(f)
    for g, expected in enumerate(article.events):
        if g not in gold_used:
            report.by_type[expected.event_type].fn += 1
            report.errors.append(f"{article.id}: missed {expected.event_type} in '{expected.sentence}'")
            continue
        report.by_type[expected.event_type].tp += 1
        _score_attributes(article.id, expected, events[gold_used[g]], report)
    for f, extra in enumerate(events):
        if f not in found_used:
            report.by_type[extra.event_type].fp += 1
            report.errors.append(
                f"{article.id}: extra {extra.event_type} '{extra.trigger_text}' in '{extra.sentence_text[:70]}'"
            )


def _score_attributes(article_id: str, expected: GoldEvent, found: ExtractedEvent, report: Report) -> None:
    where = f"{article_id}: {expected.event_type} '{expected.sentence}'"
    if expected.day is not None:
        got = datetime.fromtimestamp(found.time.start_ms / 1000, tz=UTC).date()
        report.dates.add(got == expected.day)
        if got != expected.day:
            report.errors.append(f"{where}: date {got} ({found.time.method}) != {expected.day}")
    if expected.speaker is not None:
        speaker = _speaker(found)
        ok = speaker is not None and _same_name(expected.speaker, speaker)
        report.speakers.add(ok)
        if not ok:
            report.errors.append(f"{where}: speaker {speaker!r} != {expected.speaker!r}")
    if expected.casualties is not None:
        claim = found.casualties
        figures = (claim.killed, claim.injured) if claim else None
        report.casualties.add(figures == expected.casualties)
        if figures != expected.casualties:
            report.errors.append(f"{where}: casualties {figures} != {expected.casualties}")
    report.modality.add(found.modality.value == expected.modality)
    if found.modality.value != expected.modality:
        report.errors.append(f"{where}: modality {found.modality.value} != {expected.modality}")
    if expected.sources:
        ok = _source_ok(expected, found)
        report.sources.add(ok)
        if not ok:
            names = [a.canonical or a.text for a in found.actors if a.role in (Role.SOURCE, Role.SPEAKER)]
            report.errors.append(f"{where}: sources {names} lack {list(expected.sources)}")


def _speaker(event: ExtractedEvent) -> str | None:
    if event.quote is not None and event.quote.speaker:
        return event.quote.speaker
    actor = next((a for a in event.actors if a.role is Role.SPEAKER), None)
    return (actor.canonical or actor.text) if actor else None


def _source_ok(expected: GoldEvent, found: ExtractedEvent) -> bool:
    names = [n for a in found.actors if a.role in (Role.SOURCE, Role.SPEAKER) for n in (a.text, a.canonical) if n]
    return any(_same_name(g, n) for g in expected.sources for n in names)


def _normal(name: str) -> str:
    name = re.sub(r"['’]s\b", "", name.lower())
    return re.sub(r"\b(the|a|an)\b", " ", name).strip()


def _same_name(gold: str, found: str) -> bool:
    a, b = " ".join(_normal(gold).split()), " ".join(_normal(found).split())
    return bool(a) and bool(b) and (a in b or b in a)
