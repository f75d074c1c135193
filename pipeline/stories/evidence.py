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
    size: int = 0

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
        self.size += 1


def coarser(a: str, b: str) -> str:
    rank = {name: i for i, name in enumerate(_COARSENESS)}
    return a if rank.get(a, 1) >= rank.get(b, 1) else b


def day_gap(evidence: Evidence, mention: MentionFacts) -> int:
    """Days between the mention and the event, on dated days when both have them."""
    if mention.dated and evidence.dated_low is not None and evidence.dated_high is not None:
        low, high = evidence.dated_low, evidence.dated_high
    else:
        low, high = evidence.any_low, evidence.any_high
    return max(0, mention.day_low - high, low - mention.day_high)


def compatible(evidence: Evidence, mention: MentionFacts) -> bool:
    """The hard constraints: same family, close enough in time, and no conflicting place."""
    if evidence.family != mention.family:
        return False
    if day_gap(evidence, mention) > TOLERANCE_DAYS.get(coarser(evidence.granularity, mention.granularity), 1):
        return False
    if evidence.countries and mention.countries and not evidence.countries & mention.countries:
        return False
    return not (evidence.cities and mention.cities and not evidence.cities & mention.cities)


def score(evidence: Evidence, mention: MentionFacts) -> float:
    """How strongly the rest of the evidence says the mention reports this event (0 to 1.4)."""
    total = 0.0
    if evidence.cities & mention.cities:
        total += WEIGHT_CITY
    elif evidence.regions & mention.regions or (evidence.cities | evidence.regions) & mention.regions:
        total += WEIGHT_REGION
    elif evidence.countries & mention.countries:
        total += WEIGHT_COUNTRY
    gap = day_gap(evidence, mention)
    both_dated = mention.dated and evidence.dated_low is not None
    total += WEIGHT_SAME_DAY if both_dated and gap == 0 else WEIGHT_NEAR_DAY
    if evidence.actors and mention.actors:
        overlap = len(evidence.actors & mention.actors) / len(evidence.actors | mention.actors)
        total += WEIGHT_ACTORS * min(1.0, 2 * overlap)
    if mention.lemma in evidence.lemmas:
        total += WEIGHT_LEMMA
    if mention.refers_back:
        total += WEIGHT_BACK_REFERENCE
    if mention.killed is not None and evidence.killed and mention.killed >= min(evidence.killed) // 2:
        total += WEIGHT_TOLL  # a toll that rises, or one party's lower figure
    return total
