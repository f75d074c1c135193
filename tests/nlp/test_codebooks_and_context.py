"""Model-level behaviour of ontology 2.0, in words of no evaluation set: the codebook classes a
report lands in, word senses, the time a scene carries and the speaker a parse leaves detached."""

from __future__ import annotations

import pytest
from pipeline.nlp.types import Role

from tests.nlp.conftest import Extract, day, names, only

pytestmark = pytest.mark.model


SHELLING, ABDUCTED = "Shelling/artillery/missile attack", "Abduction/forced disappearance"
TAKEN, RETAKEN = "Non-state actor overtakes territory", "Government regains territory"


@pytest.mark.parametrize(
    ("sentence", "event_type", "plover", "acled"),
    [
        ("Warplanes struck a fuel depot outside the port overnight.", "STRIKE", "ASSAULT", "Air/drone strike"),
        ("A suicide bomber blew himself up at a busy checkpoint.", "STRIKE", "ASSAULT", "Suicide bomb"),
        ("Artillery shells landed in a crowded market square.", "STRIKE", "ASSAULT", SHELLING),
        ("A roadside bomb hit a minibus on the coast road.", "STRIKE", "ASSAULT", "Remote explosive/landmine/IED"),
        ("Gunmen snatched eight traders from a bus near the border.", "ABDUCTION", "ASSAULT", ABDUCTED),
        ("Insurgents overran the district headquarters after a night of fighting.", "CLASH", "COERCE", TAKEN),
        ("Government soldiers retook the river port from the rebels.", "CLASH", "COERCE", RETAKEN),
        ("Nurses staged a sit-in outside the health ministry.", "PROTEST", "PROTEST", "Peaceful protest"),
        ("Dock workers went on strike over unpaid wages.", "PROTEST", "PROTEST", "Peaceful protest"),
        ("Rioters torched two buses and stoned the police station.", "RIOT", "PROTEST", "Violent demonstration"),
        ("Soldiers looted shops in the old town.", "DESTRUCTION", "COERCE", "Looting/property destruction"),
        ("Engineers defused a bomb hidden under a bridge.", "INTERCEPTION", None, "Disrupted weapons use"),
        ("The rebels set up a new base in the hills.", "BASE", "MOBILIZE", "Headquarters or base established"),
        ("The junta declared a state of emergency in the capital.", "COERCION", "COERCE", "Other"),
        ("The cabinet lifted the night curfew in three provinces.", "CONCESSION", "RETREAT", None),
        ("Parliament lifted the ban on two opposition parties.", "CONCESSION", "CONCEDE", None),
        ("Lima expelled two diplomats from the embassy.", "REDUCE_RELATIONS", "SANCTION", None),
        ("The two navies began sharing intelligence on smuggling routes.", "COOPERATION", "COOPERATE", None),
        ("Aid agencies airlifted tents and medicine to the flooded valley.", "AID", "AID", None),
        ("The foreign minister telephoned his Kenyan counterpart.", "TALKS", "CONSULT", None),
        ("The militia signalled readiness to join the talks.", "PROPOSAL", "AGREE", None),
    ],
)
def test_a_report_lands_in_its_codebook_classes(
    extract: Extract, sentence: str, event_type: str, plover: str | None, acled: str | None
) -> None:
    event = only(extract(sentence), event_type)
    assert (event.plover, event.acled_sub_event_type) == (plover, acled)
    assert event.cameo is None or plover is not None or event.cameo == "01"


@pytest.mark.parametrize(
    ("sentence", "absent"),
    [
        ("Cotton futures rallied sharply in New York on Monday.", "PROTEST"),
        ("The striker fired a shot past the keeper in the final minute.", "STRIKE"),
        ("The UAE-backed forces regrouped near the coast.", "SUPPORT"),
        ("The strike will go on until the demands are met.", "TALKS"),
        ("Prisoners began a hunger strike last week.", "HUMANITARIAN"),
        ("Engineers demonstrated a new water pump at the fair.", "PROTEST"),
    ],
)
def test_a_word_in_another_sense_is_not_that_event(extract: Extract, sentence: str, absent: str) -> None:
    assert absent not in {e.event_type for e in extract(sentence)}


def test_freeing_villages_is_retaking_them_and_freeing_captives_is_a_release(extract: Extract) -> None:
    assert only(extract("The army freed four villages from the insurgents."), "CLASH").mode == "retake"
    assert {e.event_type for e in extract("The rebels freed four aid workers.")} == {"RELEASE"}


def test_a_scene_dated_in_one_sentence_dates_the_next_of_its_paragraph(extract: Extract) -> None:
    events = extract("On Thursday afternoon, fishermen blocked the harbour road. Police detained six of them.")
    assert day(only(events, "PROTEST")) == day(only(events, "ARREST")) == "2025-10-02"


def test_a_sentence_with_its_own_time_keeps_it(extract: Extract) -> None:
    events = extract("On Thursday, fishermen blocked the harbour road. On Saturday police detained six of them.")
    assert day(only(events, "ARREST")) == "2025-10-04"


def test_a_new_paragraph_starts_a_new_scene(extract: Extract) -> None:
    events = extract("On Thursday, fishermen blocked the harbour road.\n\nPolice detained six of them.")
    assert only(events, "ARREST").time.method.value == "PUBLICATION_DATE"


def test_a_speaker_after_the_verb_is_the_speaker(extract: Extract) -> None:
    statement = only(extract("The convoy never reached the camp, said the Red Cross."), "STATEMENT")
    assert any("Red Cross" in name for name in names(statement, Role.SPEAKER))


def test_a_casualty_figure_takes_the_class_of_its_incident(extract: Extract) -> None:
    events = extract("Drones hit a wedding party, killing nine guests.")
    assert only(events, "CASUALTIES").acled_sub_event_type == only(events, "STRIKE").acled_sub_event_type
    assert only(events, "STRIKE").acled_sub_event_type == "Air/drone strike"
