"""Casualty claims, entity resolution and event time, end to end through the model."""

from __future__ import annotations

import pytest
from pipeline.nlp.types import Role

from tests.nlp.conftest import Extract, day, names, only

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    ("sentence", "killed", "injured", "qualifier", "scope"),
    [
        ("An air strike killed three paramedics in Jabalia on Tuesday.", 3, None, "EXACT", "INCIDENT"),
        ("At least 12 people were killed and 30 wounded in the blast on Monday.", 12, 30, "AT_LEAST", "INCIDENT"),
        ("Since March 2024, the fighting has killed more than 4,500 civilians.", 4500, None, "MORE_THAN", "CUMULATIVE"),
        ("About forty-seven soldiers died in the ambush, officials said.", 47, None, "ABOUT", "INCIDENT"),
        ("Dozens of civilians were wounded, aid workers said.", None, None, "EXACT", "UNKNOWN"),
        ("The death toll rose to 1,200, the ministry said.", 1200, None, "EXACT", "CUMULATIVE"),
    ],
)
def test_casualty_figures(
    extract: Extract, sentence: str, killed: int, injured: int | None, qualifier: str, scope: str
) -> None:
    claim = only(extract(sentence), "CASUALTIES").casualties
    assert claim is not None
    assert (claim.killed, claim.injured, claim.qualifier) == (killed, injured, qualifier)
    assert claim.scope == scope


@pytest.mark.parametrize(
    ("sentence", "killed"),
    [
        ("Gunmen beheaded at least six villagers in the district.", 6),
        ("The ministry opened an inquiry into the deaths of two students.", 2),
        ("Hospital staff put the number of dead at nine.", 9),
        ("Observers put the tally of people killed since the accord at more than 300.", 300),
        # The parser makes "people" the subject of "said"; the figure still belongs to "killed".
        ("A rocket attack on a clinic killed at least 17 people, among them three nurses, witnesses said.", 17),
    ],
)
def test_figures_in_harder_shapes(extract: Extract, sentence: str, killed: int) -> None:
    claim = only(extract(sentence), "CASUALTIES").casualties
    assert claim is not None and claim.killed == killed


def test_reported_by_and_since(extract: Extract) -> None:
    claim = only(
        extract(
            "Since March 2022, the war has killed at least 60,000 people, according to the health ministry in Juba."
        ),
        "CASUALTIES",
    ).casualties
    assert claim is not None
    assert claim.reported_by == "the health ministry"
    assert claim.since_ms is not None


def test_conflicting_figures_are_flagged_on_both_events(extract: Extract) -> None:
    events = extract("War toll climbs to 58,000\nSince the war began in 2023, at least 51,000 people have been killed.")
    claims = [e for e in events if e.event_type == "CASUALTIES"]
    assert len(claims) == 2
    assert all(e.casualties is not None and e.casualties.conflicting for e in claims)
    assert all("CONFLICTING_FIGURES" in e.flags for e in claims)


def test_a_strike_carries_the_figure_of_its_sentence(extract: Extract) -> None:
    strike = only(extract("A drone strike killed five members of one family in Deir al-Balah on Friday."), "STRIKE")
    assert strike.casualties is not None and strike.casualties.killed == 5


def test_aliases_labels_codes_and_places(extract: Extract) -> None:
    events = extract(
        "Egyptian President Abdel Fattah al-Sisi met Donald Trump in Cairo on Monday. "
        "Sisi said Trump had promised that Israeli troops would leave Gaza."
    )
    entities = {e.text: e for event in events for e in event.entities}
    assert entities["Sisi"].canonical == "Abdel Fattah al-Sisi"
    assert entities["Trump"].canonical == "Donald Trump" and entities["Trump"].label == "PERSON"
    assert entities["Egyptian"].country_code == "EGY"
    assert entities["Israeli"].country_code == "ISR"
    assert entities["Cairo"].geo is not None and entities["Cairo"].geo.geonames_id == 360630


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Rebels attacked the town on Tuesday.", "2025-10-07"),
        ("Rebels attacked the town on Wednesday.", "2025-10-08"),
        ("Rebels attacked the town last month.", "2025-09-01"),
        ("Rebels attacked the town on October 7, 2023.", "2023-10-07"),
        ("Rebels attacked the town the night before.", "2025-10-07"),
        ("Rebels attacked the town over the weekend.", "2025-10-04"),
        ("The envoys will meet again on Friday.", "2025-10-10"),
        ("Rebels attacked the town.", "2025-10-08"),
    ],
)
def test_event_dates(extract: Extract, sentence: str, expected: str) -> None:
    events = extract(sentence)
    assert events
    assert day(events[0]) == expected


@pytest.mark.parametrize(
    ("sentence", "event_type", "expected"),
    [
        # A date at the end of a long object still dates the clause.
        ("Police fired tear gas at crowds in the capital and two other towns on Monday.", "DISPERSAL", "2025-10-06"),
        # "when" and "as" clauses happen at the time of the clause they hang off.
        ("The talks collapsed in June when gunmen attacked an army base.", "STRIKE", "2025-06-01"),
        ("Police fired tear gas on Monday as thousands protested in the capital.", "PROTEST", "2025-10-06"),
        # A past act is not dated after publication: next month is the dialogue's, not the invitation's.
        ("The president invited rebel leaders to a dialogue next month.", "INVITATION", "2025-10-08"),
        ("Diplomats are due to meet later this month.", "TALKS", "2025-10-01"),
        # A date relative to another event of the sentence follows from that event's date.
        ("Rebels left the town on Monday, two days after troops launched an offensive.", "STRIKE", "2025-10-04"),
        ("The truce collapsed a week after it was signed on September 3.", "CEASEFIRE", "2025-09-10"),
        # ...and never from the publication date: the vote's day is not given.
        ("Two days before the vote, police arrested the opposition leader.", "ARREST", "2025-10-08"),
        # A toll is as of the day it was reported.
        ("No fewer than 11 villagers died, the rights body said on Tuesday.", "CASUALTIES", "2025-10-07"),
    ],
)
def test_dates_from_the_clause_around_the_event(
    extract: Extract, sentence: str, event_type: str, expected: str
) -> None:
    assert day(only(extract(sentence), event_type)) == expected


def test_a_background_event_keeps_its_own_date_and_is_flagged(extract: Extract) -> None:
    strike = only(extract("The hostages were seized in the attack of October 7, 2023."), "STRIKE")
    assert day(strike) == "2023-10-07"
    assert "BACKGROUND" in strike.flags


def test_the_publication_date_fallback_says_so(extract: Extract) -> None:
    event = only(extract("Hamas rejected the proposal."), "REJECTION")
    assert event.time.method.value == "PUBLICATION_DATE"
    assert event.confidence < only(extract("Hamas rejected the proposal on Monday."), "REJECTION").confidence


def test_dateline_gives_a_location_when_the_sentence_has_none(extract: Extract) -> None:
    strike = only(extract("BEIRUT, Lebanon: Jets struck several buildings overnight."), "STRIKE")
    assert names(strike, Role.LOCATION) == ["Beirut"]
    assert "DATELINE_LOCATION" in strike.flags
