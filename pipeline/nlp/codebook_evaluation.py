"""Score event detection against sentences labelled with codebook classes (the wide set).

Each sentence carries the ACLED sub-event types and PLOVER 2021 types of the events it reports.
An extracted event counts when it is ASSERTED (a planned, hypothetical, negated or demanded act
is not a claim that it happened) and its mapping has a class in the standard scored:
- hit rate: the share of sentences with a gold class where some event has one of its classes;
- precision: the share of counted events whose class is among the sentence's gold classes (an
  event in a sentence without events is wrong).
Both are given per standard, per class family (ACLED event type, PLOVER quad category) and per
class. The same scoring runs a baseline in the same pass: a lemma lexicon of about 30 lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from pipeline.nlp.ontology import Codebooks
from pipeline.nlp.types import ExtractedEvent, Modality

Standard = Literal["acled", "plover"]
STANDARDS: tuple[Standard, ...] = ("acled", "plover")


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    id: str
    text: str
    acled: frozenset[str]
    plover: frozenset[str]

    def gold(self, standard: Standard) -> frozenset[str]:
        return self.acled if standard == "acled" else self.plover


def load_labelled(directory: Path) -> list[LabelledSentence]:
    sentences: list[LabelledSentence] = []
    for path in sorted(directory.glob("*.yaml")):
        document: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
        for item in document.get("sentences") or []:
            events = item.get("events") or []
            sentences.append(
                LabelledSentence(
                    item["id"],
                    item["text"],
                    frozenset(e["acled"] for e in events if e.get("acled")),
                    frozenset(e["plover"] for e in events if e.get("plover")),
                )
            )
    return sentences


# What a system says of one sentence: one (acled, plover) pair per event it counts.
Prediction = list[tuple[str | None, str | None]]


def event_predictions(events: Iterable[ExtractedEvent]) -> Prediction:
    return [(e.acled_sub_event_type, e.plover) for e in events if e.modality is Modality.ASSERTED]


@dataclass
class Tally:
    hits: int = 0
    labelled: int = 0  # sentences with a gold class (of this family or class)
    correct: int = 0
    predicted: int = 0

    @property
    def hit_rate(self) -> float | None:
        return self.hits / self.labelled if self.labelled else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None


@dataclass
class StandardScore:
    overall: Tally = field(default_factory=Tally)
    families: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    classes: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))


@dataclass
class CodebookReport:
    scores: dict[Standard, StandardScore] = field(default_factory=lambda: {s: StandardScore() for s in STANDARDS})
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        """Flat figures, for the ratchet and the README."""
        found: dict[str, float] = {}
        for standard, score in self.scores.items():
            for name, tally in [("all", score.overall), *score.families.items()]:
                for metric in ("hit_rate", "precision"):
                    value = getattr(tally, metric)
                    if value is not None:
                        found[f"{standard}.{name}.{metric}"] = round(value, 4)
        return found


def family_of(codebooks: Codebooks, standard: Standard, label: str) -> str:
    if standard == "acled":
        return codebooks.acled_event_type[label]
    quad: str = codebooks.plover[label]["quad"]
    return quad


def score_codebooks(
    sentences: Sequence[LabelledSentence], predictions: Sequence[Prediction], codebooks: Codebooks
) -> CodebookReport:
    report = CodebookReport()
    for sentence, prediction in zip(sentences, predictions, strict=True):
        for index, standard in enumerate(STANDARDS):
            said = [pair[index] for pair in prediction if pair[index] is not None]
            _score_one(report, codebooks, standard, sentence, [s for s in said if s is not None])
    return report


def _score_one(
    report: CodebookReport, books: Codebooks, standard: Standard, sentence: LabelledSentence, said: list[str]
) -> None:
    score = report.scores[standard]
    gold = sentence.gold(standard)
    if gold:
        hit = bool(set(said) & gold)
        score.overall.labelled += 1
        score.overall.hits += int(hit)
        for family in {family_of(books, standard, g) for g in gold}:
            in_family = {g for g in gold if family_of(books, standard, g) == family}
            score.families[family].labelled += 1
            score.families[family].hits += int(bool(set(said) & in_family))
        for label in gold:
            score.classes[label].labelled += 1
            score.classes[label].hits += int(label in said)
        if not hit:
            report.misses.append(f"{standard} {sentence.id}: {sorted(gold)} got {sorted(set(said)) or '-'}")
    for label in said:
        ok = label in gold
        for tally in (score.overall, score.families[family_of(books, standard, label)], score.classes[label]):
            tally.predicted += 1
            tally.correct += int(ok)
        if not ok:
            report.wrong.append(f"{standard} {sentence.id}: said {label}, gold {sorted(gold) or '-'}")


@dataclass(frozen=True, slots=True)
class NaiveLexicon:
    """The baseline: a lemma found in the sentence says its classes, whatever surrounds it."""

    entries: dict[str, tuple[str | None, str | None]]

    @classmethod
    def load(cls, path: Path) -> NaiveLexicon:
        document: dict[str, list[str | None]] = yaml.safe_load(path.read_text("utf-8"))
        return cls({lemma: (pair[0], pair[1]) for lemma, pair in document.items()})

    def predict(self, lemmas: Iterable[str]) -> Prediction:
        return [self.entries[lemma] for lemma in lemmas if lemma in self.entries]


def predictions_of(
    sentences: Sequence[LabelledSentence], extract: Callable[[Sequence[str]], list[list[ExtractedEvent]]]
) -> list[Prediction]:
    return [event_predictions(events) for events in extract([s.text for s in sentences])]
