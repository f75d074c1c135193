"""How well a mention fits a set of mentions already judged to be one event: the hard
constraints (time, place, family) and a score from the rest of the evidence. The same rules
serve mention groups within an article and stories across articles; only thresholds differ."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.stories.facts import MentionFacts

# How many days apart two mentions of one event may be dated, by the coarser time granularity:
# a day-dated event reported "late on Monday" by one outlet can be "on Tuesday" in another's
# time zone; a month-dated one spans its month.
TOLERANCE_DAYS = {"DAY": 1, "WEEK": 7, "MONTH": 31, "YEAR": 366, "RANGE": 7, "UNKNOWN": 1}
_COARSENESS = ["DAY", "UNKNOWN", "RANGE", "WEEK", "MONTH", "YEAR"]

# Evidence weights. Place and day carry most: the same kind of event at the same place on the
# same day is how ACLED's coders merge reports. Actors, trigger words, a toll that fits and
# words that point back ("Tuesday's strike") add to them.
WEIGHT_CITY = 0.35
WEIGHT_REGION = 0.25
WEIGHT_COUNTRY = 0.15
WEIGHT_SAME_DAY = 0.25
WEIGHT_NEAR_DAY = 0.1
WEIGHT_ACTORS = 0.2
WEIGHT_LEMMA = 0.1
WEIGHT_BACK_REFERENCE = 0.1
WEIGHT_TOLL = 0.05


@dataclass(slots=True)
class Evidence:
    """What the mentions of one event (a mention group or a story) say, merged."""

    family: str
    granularity: str = "DAY"
    dated_low: int | None = None
    dated_high: int | None = None
    any_low: int = 0
    any_high: int = 0
    countries: set[str] = field(default_factory=set)
    cities: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    actors: set[str] = field(default_factory=set)
    lemmas: set[str] = field(default_factory=set)
    killed: list[int] = field(default_factory=list)
    refers_back: bool = False
    size: int = 0

    @classmethod
    def of(cls, mentions: list[MentionFacts]) -> Evidence:
        evidence = cls(mentions[0].family)
        for mention in mentions:
            evidence.add(mention)
        return evidence

    def merge(self, other: Evidence) -> None:
        """Take in another event's evidence (a mention group joining a story)."""
        if other.size == 0:
            return
        if self.size == 0:
            self.any_low, self.any_high = other.any_low, other.any_high
        else:
            self.any_low, self.any_high = min(self.any_low, other.any_low), max(self.any_high, other.any_high)
        for low, high in ((other.dated_low, other.dated_high),):
            if low is not None and high is not None:
                self.dated_low = low if self.dated_low is None else min(self.dated_low, low)
                self.dated_high = high if self.dated_high is None else max(self.dated_high, high)
        self.granularity = coarser(self.granularity, other.granularity)
        self.countries |= other.countries
        self.cities |= other.cities
        self.regions |= other.regions
        self.actors |= other.actors
        self.lemmas |= other.lemmas
        self.killed += other.killed
        self.refers_back = self.refers_back or other.refers_back
        self.size += other.size

    def add(self, mention: MentionFacts) -> None:
        if self.size == 0:
            self.any_low, self.any_high = mention.day_low, mention.day_high
        else:
            self.any_low, self.any_high = min(self.any_low, mention.day_low), max(self.any_high, mention.day_high)
        if mention.dated:
            self.dated_low = mention.day_low if self.dated_low is None else min(self.dated_low, mention.day_low)
            self.dated_high = mention.day_high if self.dated_high is None else max(self.dated_high, mention.day_high)
        self.granularity = coarser(self.granularity, mention.granularity)
        self.countries |= mention.countries
        self.cities |= mention.cities
        self.regions |= mention.regions
        self.actors |= mention.actors
        if mention.lemma:
            self.lemmas.add(mention.lemma)
        if mention.killed is not None:
            self.killed.append(mention.killed)
        self.refers_back = self.refers_back or mention.refers_back
        self.size += 1


def coarser(a: str, b: str) -> str:
    rank = {name: i for i, name in enumerate(_COARSENESS)}
    return a if rank.get(a, 1) >= rank.get(b, 1) else b


def day_gap(a: Evidence, b: Evidence) -> int:
    """Days between two events: on the days their texts give when both give some, else on
    every day they may be (an undated mention may be up to days before its publication)."""
    if a.dated_low is not None and a.dated_high is not None and b.dated_low is not None and b.dated_high is not None:
        low_a, high_a, low_b, high_b = a.dated_low, a.dated_high, b.dated_low, b.dated_high
    else:
        low_a, high_a, low_b, high_b = a.any_low, a.any_high, b.any_low, b.any_high
    return max(0, low_b - high_a, low_a - high_b)


def compatible(a: Evidence, b: Evidence) -> bool:
    """The hard constraints: same family, close enough in time, and no conflicting place."""
    if a.family != b.family:
        return False
    if day_gap(a, b) > TOLERANCE_DAYS.get(coarser(a.granularity, b.granularity), 1):
        return False
    if a.countries and b.countries and not a.countries & b.countries:
        return False
    return not (a.cities and b.cities and not a.cities & b.cities)


def score(a: Evidence, b: Evidence) -> float:
    """How strongly the rest of the evidence says both report one event (0 to 1.4)."""
    total = 0.0
    if a.cities & b.cities:
        total += WEIGHT_CITY
    elif (a.cities | a.regions) & (b.cities | b.regions):
        total += WEIGHT_REGION
    elif a.countries & b.countries:
        total += WEIGHT_COUNTRY
    both_dated = a.dated_low is not None and b.dated_low is not None
    total += WEIGHT_SAME_DAY if both_dated and day_gap(a, b) == 0 else WEIGHT_NEAR_DAY
    if a.actors and b.actors:
        overlap = len(a.actors & b.actors) / len(a.actors | b.actors)
        total += WEIGHT_ACTORS * min(1.0, 2 * overlap)
    if a.lemmas & b.lemmas:
        total += WEIGHT_LEMMA
    if a.refers_back or b.refers_back:
        total += WEIGHT_BACK_REFERENCE
    if a.killed and b.killed and max(b.killed) >= min(a.killed) // 2:
        total += WEIGHT_TOLL  # a toll that rises, or one party's lower figure
    return total
