"""Roles from the parse, quotes with their speakers, outlets and continued quotes."""

from __future__ import annotations

import pytest
from pipeline.nlp.types import Role

from tests.nlp.conftest import Extract, names, only

pytestmark = pytest.mark.model


def test_source_target_and_location(extract: Extract) -> None:
    strike = only(extract("Russian drones struck a power plant in Kharkiv on Friday."), "STRIKE")
    assert names(strike, Role.SOURCE)[0] == "Russian drones"
    assert "a power plant" in names(strike, Role.TARGET)
    assert names(strike, Role.LOCATION) == ["Kharkiv"]


def test_passive_agent_is_the_source(extract: Extract) -> None:
    strike = only(extract("The convoy was attacked by gunmen near the border."), "STRIKE")
    assert names(strike, Role.SOURCE) == ["gunmen"]
    assert names(strike, Role.TARGET) == ["The convoy"]


@pytest.mark.parametrize(
    ("sentence", "event_type", "source"),
    [
        ("Police raids in the capital continued for a second day.", "STRIKE", "Police"),
        ("Soldiers retook the town after militia attacks on Friday.", "STRIKE", "militia"),
    ],
)
def test_an_acting_noun_modifier_is_the_source(extract: Extract, sentence: str, event_type: str, source: str) -> None:
    assert names(only(extract(sentence), event_type), Role.SOURCE) == [source]


@pytest.mark.parametrize(
    ("sentence", "event_type", "source"),
    [
        # A possessive points back to its clause's subject, even one that names no entity...
        ("The army will not halt its offensive in the north.", "THREAT", "The army"),
        # ...and past the clause it is part of, to the one that reports it.
        ("Israel said its jets struck a weapons depot near Homs.", "STRIKE", "Israel"),
        ("Opposition parties said they would boycott the vote.", "REJECTION", "Opposition parties"),
    ],
)
def test_pronouns_resolve_inside_their_sentence(extract: Extract, sentence: str, event_type: str, source: str) -> None:
    assert source in names(only(extract(sentence), event_type), Role.SOURCE)


def test_direct_quote_speaker_verb_and_outlet(extract: Extract) -> None:
    event = only(
        extract('"We will not accept any foreign troops," the rebel commander Yusuf Musa told Al Jazeera.'), "STATEMENT"
    )
    assert event.quote is not None
    assert event.quote.direct
    assert event.quote.text == "We will not accept any foreign troops,"
    assert event.quote.speaker == "Yusuf Musa"
    assert event.quote.reporting_verb == "tell"
    assert event.quote.addressee == "Al Jazeera"
    assert "Yusuf Musa" in names(event, Role.SPEAKER)


def test_speaking_to_an_outlet(extract: Extract) -> None:
    event = only(extract('"The siege must end," said Mariam Haddad, speaking to the BBC.'), "STATEMENT")
    assert event.quote is not None and event.quote.addressee == "BBC"


def test_pronoun_speakers_resolve_to_the_last_person(extract: Extract) -> None:
    events = extract("Opposition leader Maria Lopez addressed the crowd on Sunday. She said the vote had been stolen.")
    statement = next(e for e in events if e.event_type == "STATEMENT")
    assert statement.quote is not None and statement.quote.speaker == "Maria Lopez"


def test_a_quote_over_two_sentences_is_one_quote(extract: Extract) -> None:
    events = extract('"The shelling never stops. We have nowhere to go," said Omar Saleh, a farmer.')
    statement = only(events, "STATEMENT")
    assert statement.quote is not None
    assert statement.quote.text.startswith("The shelling never stops.") and "nowhere to go" in statement.quote.text


def test_indirect_speech_keeps_the_reported_clause(extract: Extract) -> None:
    statement = only(extract("The health ministry said hospitals in the north had run out of fuel."), "STATEMENT")
    assert statement.quote is not None and not statement.quote.direct
    assert statement.quote.text == "hospitals in the north had run out of fuel"
    assert statement.quote.speaker is not None and "health ministry" in statement.quote.speaker


def test_title_and_affiliation_of_the_speaker(extract: Extract) -> None:
    statement = only(extract("Senior Hamas official Basem Naim said the group was studying the proposal."), "STATEMENT")
    assert names(statement, Role.SPEAKER) == ["Basem Naim"]
    assert "Hamas" in names(statement, Role.SOURCE)


def test_mediators_of_talks(extract: Extract) -> None:
    talks = only(
        extract("Egyptian and Qatari mediators hosted talks between the two sides in Cairo on Monday."), "TALKS"
    )
    assert names(talks, Role.MEDIATOR)
    assert names(talks, Role.LOCATION) == ["Cairo"]


def test_a_news_outlet_is_never_the_group(extract: Extract) -> None:
    events = extract("Hamas official Ghazi Hamad said in an interview with CNN that the group would not disarm.")
    rejection = only(events, "REJECTION")
    assert names(rejection, Role.SOURCE) == ["Hamas"]
