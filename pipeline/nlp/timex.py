"""Find time expressions in a sentence and resolve them against the publication time.

dateparser parses the expressions; the news conventions it does not know are applied here:
a bare weekday means the nearest such day (today included) - in the past for what happened,
in the future for what is planned - and a month or year stands for the whole period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dateparser.date import DateDataParser
from spacy.tokens import Span

from pipeline.nlp.types import EventTime, Granularity, TimeMethod

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_DAY_NUMBER = re.compile(r"\b([0-3]?\d)(?:st|nd|rd|th)?\b")
_RELATIVE_WORDS = re.compile(
    r"\b(ago|last|next|this|yesterday|today|tonight|tomorrow|earlier|later|previous|"
    r"before|coming|past|recent)\b",
    re.IGNORECASE,
)
_AFTER_WORDS = frozenset({"before", "earlier", "ago", "later"})
_DURATION_LEAD = frozenset({"for", "within", "during", "every", "each", "per", "over"})
_RANGE_LEAD = frozenset({"since", "from"})
_FIXED_OFFSETS = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
    "yesterday": -1, "last night": -1, "the night before": -1, "the day before": -1,
    "the previous day": -1, "the previous night": -1, "tomorrow": 1,
}  # fmt: skip
_WEEKEND_MODIFIERS = frozenset({"the", "last", "this", "next", "coming", "past", "previous"})
_PERIOD_WORDS = {
    "week": Granularity.WEEK, "month": Granularity.MONTH, "year": Granularity.YEAR,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class TimeMention:
    """A time expression found in a sentence."""

    text: str
    start: int  # absolute character offsets
    end: int
    root: int  # doc index of the expression's syntactic head
    lead: str | None  # preposition in front: since, from, on, in, ...
    first: int = -1  # doc indexes of the expression's first and last token
    last: int = -1


def find_time_mentions(sent: Span, offset: int) -> list[TimeMention]:
    """DATE/TIME entities of the sentence, plus bare weekdays the model missed."""
    mentions: list[TimeMention] = []
    covered: set[int] = set()
    for ent in _joined_dates(sent):
        span = _trim(ent)
        if span is None:
            continue
        lead = span.doc[span.start - 1].lower_ if span.start > sent.start else None
        if lead in _DURATION_LEAD and not _WEEKDAY.search(span.text):
            continue  # "for weeks", "every night": durations, not anchors
        mentions.append(
            TimeMention(
                span.text, offset + span.start_char, offset + span.end_char, span.root.i, lead, span.start, span.end - 1
            )
        )
        covered.update(range(span.start, span.end))
    for token in sent:
        if token.i not in covered and token.lower_ == "weekend":
            first = token.i
            while first - 1 >= sent.start and token.doc[first - 1].lower_ in _WEEKEND_MODIFIERS:
                first -= 1  # "the", "last", "this", "next", "coming", "past"
            span = token.doc[first : token.i + 1]
            lead = token.doc[first - 1].lower_ if first > sent.start else None
            start = offset + span.start_char
            mentions.append(TimeMention(span.text, start, offset + span.end_char, token.i, lead, first, token.i))
            continue
        if token.i not in covered and token.lower_ in WEEKDAYS:
            lead = token.doc[token.i - 1].lower_ if token.i > sent.start else None
            end = offset + token.idx + len(token)
            mentions.append(TimeMention(token.text, offset + token.idx, end, token.i, lead, token.i, token.i))
    return sorted(mentions, key=lambda m: m.start)


def _joined_dates(sent: Span) -> list[Span]:
    """DATE/TIME entities, with 'October 7' + ',' + '2023' (split by the model) joined."""
    dates = [e for e in sent.ents if e.label_ in ("DATE", "TIME")]
    joined: list[Span] = []
    for ent in dates:
        previous = joined[-1] if joined else None
        gap = ent.doc[previous.end : ent.start] if previous is not None else None
        if (
            previous is not None
            and gap is not None
            and gap.text.strip() in (",", "")
            and _YEAR.fullmatch(ent.text.strip())
        ):
            joined[-1] = ent.doc[previous.start : ent.end]
        else:
            joined.append(ent)
    return joined


def _trim(ent: Span) -> Span | None:
    """Drop a trailing possessive and leading 'since'/'from' that the model puts in the entity."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while end > start and doc[end - 1].lower_ in ("'s", "’s", "'", "’"):
        end -= 1
    follows = doc[end + 1] if end + 1 < len(doc) else None
    # "the night" + "before", "two days" + "ago" - but not "two days before the vote", which
    # counts from the vote (pipeline/nlp/offsets.py), not from publication.
    counts_from_now = doc[end].lower_ != "before" or follows is None or follows.is_punct if end < len(doc) else False
    if end < len(doc) and doc[end].lower_ in _AFTER_WORDS and end == ent.end and counts_from_now:
        end += 1
    while start < end and doc[start].lower_ in _RANGE_LEAD:
        start += 1
    if start >= end:
        return None
    text = doc[start:end].text.lower()
    if "year-old" in text or "years old" in text or text.endswith("-old"):
        return None
    return doc[start:end]


class TimeResolver:
    """Resolves expressions like 'on Wednesday', 'last month' or 'since October 2023'."""

    def __init__(self) -> None:
        self._parsers: dict[tuple[int, bool], DateDataParser] = {}
        self._cache: dict[tuple[str, date, bool], tuple[date, date | None, Granularity, TimeMethod] | None] = {}

    def resolve(self, mention: TimeMention, published_ms: int, *, prefer_future: bool = False) -> EventTime | None:
        base = datetime.fromtimestamp(published_ms / 1000, tz=UTC)
        text = mention.text.strip()
        lowered = text.lower()
        key = (lowered, base.date(), prefer_future)
        if key not in self._cache:
            if len(self._cache) > 20_000:
                self._cache.clear()
            # dateparser takes milliseconds per call; articles repeat their dates.
            self._cache[key] = self._resolve_text(lowered, text, base, prefer_future)
        result = self._cache[key]
        if result is None:
            return None
        start, end, granularity, method = result
        if mention.lead in _RANGE_LEAD:
            return EventTime(_ms(start), None, Granularity.RANGE, f"{mention.lead} {text}", TimeMethod.RANGE)
        return EventTime(_ms(start), _ms(end) if end else None, granularity, text, method)

    def _resolve_text(
        self, lowered: str, text: str, base: datetime, prefer_future: bool
    ) -> tuple[date, date | None, Granularity, TimeMethod] | None:
        today = base.date()
        for phrase, days in _FIXED_OFFSETS.items():
            if phrase in lowered:
                return today + timedelta(days=days), None, Granularity.DAY, TimeMethod.RELATIVE
        if lowered.endswith("weekend"):
            return _weekend(today, lowered, prefer_future)
        weekday = _WEEKDAY.search(lowered)
        has_month = any(m in lowered for m in MONTHS) or bool(
            re.search(r"\b(jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?\b", lowered)
        )
        if weekday and not has_month and not _YEAR.search(lowered):
            day = nearest_weekday(today, WEEKDAYS.index(weekday.group(1)), prefer_future)
            return day, None, Granularity.DAY, TimeMethod.RELATIVE
        if not (has_month or _YEAR.search(lowered) or _RELATIVE_WORDS.search(lowered)):
            return None  # "two weeks", "the night": durations or vague words
        return self._parse(lowered, text, base, prefer_future, has_month)

    def _parse(
        self, lowered: str, text: str, base: datetime, prefer_future: bool, has_month: bool
    ) -> tuple[date, date | None, Granularity, TimeMethod] | None:
        # Position words narrow nothing at the granularity kept: "later this month" is the month.
        cleaned = re.sub(r"\b(early|mid|late|later|earlier|the|of|on|in|end|start|beginning|middle)\b", " ", lowered)
        cleaned = cleaned.replace("this month", "0 months ago").strip()
        data = self._parser(base, prefer_future).get_date_data(cleaned)
        if data is None or data.date_obj is None:
            return None
        found = data.date_obj.date()
        period = data.period or "day"
        relative = bool(_RELATIVE_WORDS.search(lowered)) and not _YEAR.search(lowered)
        if period == "week":
            start = found - timedelta(days=found.weekday())
            return start, start + timedelta(days=7), Granularity.WEEK, TimeMethod.RELATIVE
        if period == "month":
            start = found.replace(day=1)
            method = TimeMethod.RELATIVE if relative else TimeMethod.PARTIAL_DATE
            return start, _add_month(start), Granularity.MONTH, method
        if period == "year":
            start = found.replace(month=1, day=1)
            method = TimeMethod.RELATIVE if relative else TimeMethod.PARTIAL_DATE
            return start, start.replace(year=start.year + 1), Granularity.YEAR, method
        has_day = bool(_DAY_NUMBER.search(re.sub(_YEAR, " ", lowered)))
        if has_month and not has_day:
            start = found.replace(day=1)
            return start, _add_month(start), Granularity.MONTH, TimeMethod.PARTIAL_DATE
        method = TimeMethod.RELATIVE if relative else TimeMethod.EXPLICIT_DATE
        return found, None, Granularity.DAY, method

    def _parser(self, base: datetime, prefer_future: bool) -> DateDataParser:
        key = (int(base.timestamp()) // 86400, prefer_future)
        parser = self._parsers.get(key)
        if parser is None:
            if len(self._parsers) > 64:
                self._parsers.clear()
            parser = DateDataParser(
                languages=["en"],
                settings={
                    "RELATIVE_BASE": base.replace(tzinfo=None),
                    "PREFER_DATES_FROM": "future" if prefer_future else "past",
                    "RETURN_TIME_AS_PERIOD": True,
                },
            )
            self._parsers[key] = parser
        return parser


def _weekend(today: date, lowered: str, prefer_future: bool) -> tuple[date, date, Granularity, TimeMethod]:
    """Saturday to Monday: the last one ('over the weekend', 'last weekend') or the coming one
    ('this weekend' ahead, 'next weekend', a planned event)."""
    saturday = 5
    if "next" in lowered or "coming" in lowered:
        start = nearest_weekday(today + timedelta(days=1), saturday, prefer_future=True)
    elif prefer_future or ("this" in lowered and today.weekday() < saturday):
        start = nearest_weekday(today, saturday, prefer_future=True)
    else:
        start = nearest_weekday(today, saturday, prefer_future=False)
    return start, start + timedelta(days=2), Granularity.DAY, TimeMethod.RELATIVE


def nearest_weekday(today: date, weekday: int, prefer_future: bool) -> date:
    """The closest date with that weekday: on or before today, or on or after it when planned."""
    delta = (today.weekday() - weekday) % 7
    if prefer_future:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    return today - timedelta(days=delta)


def day_start_ms(ms: int) -> int:
    day = datetime.fromtimestamp(ms / 1000, tz=UTC).date()
    return _ms(day)


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def _add_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)
