"""Types and modality: what happened, what is planned, supposed, denied or demanded."""

from __future__ import annotations

import pytest

from tests.nlp.conftest import Extract, only

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    ("sentence", "event_type", "modality"),
    [
        ("Israeli jets struck a school in Rafah on Monday.", "STRIKE", "ASSERTED"),
        ("The defence minister said the army could target militant leaders wherever they hide.", "THREAT", "ASSERTED"),
        ("The rebels will attack the capital next week, their commander said.", "THREAT", "ASSERTED"),
        ("Egypt's foreign minister is expected at the talks on Thursday.", "TALKS", "PLANNED"),
        ("The group said it would not disarm.", "REJECTION", "ASSERTED"),
        ("The government refused to release the detainees.", "REJECTION", "ASSERTED"),
        ("Police arrested 14 protesters outside parliament.", "ARREST", "ASSERTED"),
        ("The army did not strike the village, a spokesman insisted.", "STRIKE", "NEGATED"),
        ("A truce could be signed if both sides accept the new maps.", "AGREEMENT", "HYPOTHETICAL"),
        ("The European Union imposed sanctions on three generals.", "SANCTION", "ASSERTED"),
        ("The navy deployed two destroyers to the gulf.", "MOBILIZATION", "ASSERTED"),
        ("The ministry opened an investigation into the shooting.", "INVESTIGATION", "ASSERTED"),
        ("Thousands rallied in the capital to oppose the reform.", "PROTEST", "ASSERTED"),
        ("The prime minister invited both leaders to a summit in Rome.", "INVITATION", "ASSERTED"),
        ("Troops withdrew from the northern town on Sunday.", "WITHDRAWAL", "ASSERTED"),
        ("Fighting broke out between the army and the militia near the airport.", "CLASH", "ASSERTED"),
        ("Aid agencies warned of famine in the besieged region.", "HUMANITARIAN", "ASSERTED"),
        # Relief goods and arms sent are aid.
        ("Germany will deliver four more air defence systems to Kyiv.", "AID", "PLANNED"),
        ("The agency provided food and medicine to 20,000 families.", "AID", "ASSERTED"),
        # Weighed, not decided.
        ("The bloc is weighing new sanctions on the junta.", "SANCTION", "HYPOTHETICAL"),
        # A negative subject negates the verb.
        ("Neither side has accepted the proposal.", "AGREEMENT", "NEGATED"),
        # An announced refusal is made when it is said.
        ("Opposition parties said they would boycott the vote.", "REJECTION", "ASSERTED"),
    ],
)
def test_type_and_modality(extract: Extract, sentence: str, event_type: str, modality: str) -> None:
    event = only(extract(sentence), event_type)
    assert event.modality.value == modality


def test_demanded_events_carry_the_demanded_modality(extract: Extract) -> None:
    events = extract("The opposition called for an immediate ceasefire and the withdrawal of foreign troops.")
    assert only(events, "DEMAND").modality.value == "ASSERTED"
    assert only(events, "CEASEFIRE").modality.value == "DEMANDED"
    assert only(events, "WITHDRAWAL").modality.value == "DEMANDED"


def test_one_sentence_several_events(extract: Extract) -> None:
    events = extract("He accused the army of breaking two truces and insisted that the group wanted firm guarantees.")
    assert {e.event_type for e in events} == {"ACCUSATION", "STATEMENT", "DEMAND"}


def test_what_is_accused_or_threatened_is_not_a_separate_event(extract: Extract) -> None:
    events = extract("The minister warned that the air force would bomb the bridges.")
    assert [e.event_type for e in events] == ["THREAT"]


@pytest.mark.parametrize(
    "sentence",
    [
        "The town sits on a hill above the river.",
        "The talks are the basis of the new plan.",
        "Sanctions are often debated in the committee.",
        "The port is still partly in ruins.",
    ],
)
def test_background_description_yields_no_event(extract: Extract, sentence: str) -> None:
    assert extract(sentence) == []


def test_a_news_outlet_relaying_is_not_a_statement(extract: Extract) -> None:
    events = extract("Explosions were heard in the city overnight, Reuters reported.")
    assert "STATEMENT" not in {e.event_type for e in events}


def test_section_labels_are_not_events(extract: Extract) -> None:
    assert extract("Protests\nKEY POINTS\n") == []


@pytest.mark.parametrize(
    ("sentence", "types"),
    [
        ("The agency warned of famine in the north.", {"STATEMENT", "HUMANITARIAN"}),
        ("The agency warned that cholera was spreading in the camps.", {"STATEMENT"}),
        ("The minister warned that the army would respond with force.", {"THREAT"}),
        ("Rival militias traded mortar fire over the ridge for an hour.", {"CLASH"}),
        ("The guerrillas claimed responsibility for the bombing.", {"STATEMENT"}),
        # Territory handed over without a fight is a withdrawal (ACLED: non-violent transfer).
        ("The rebels will hand over control of the airport to the army.", {"WITHDRAWAL"}),
        ("The rebels handed over two captured soldiers to the Red Cross.", {"RELEASE"}),
        ("Half the population needed food aid, the agency said.", {"STATEMENT"}),
        ("Jets bombed the port, the ministry said, without reporting casualties.", {"STRIKE", "STATEMENT"}),
        ("The two presidents spoke by phone on Sunday.", {"TALKS"}),
        # A state's protest is a diplomatic complaint; "what it called" only labels.
        ("Beijing protested against what it called provocative patrols.", {"ACCUSATION"}),
        ("Thousands of students protested outside parliament.", {"PROTEST"}),
        ("Washington reaffirmed its support for Kyiv.", {"SUPPORT"}),
        ("The company supplied the software for the new port.", set()),
        # A missile fired into the sea is a show of force; drills are too.
        ("Pyongyang fired two cruise missiles into the sea on Friday.", {"MOBILIZATION"}),
        ("The two navies began joint drills in the strait.", {"MOBILIZATION"}),
        ("Tehran lodged a protest with the Swiss envoy.", {"ACCUSATION"}),
        ("Protesters chanted slogans outside the ministry.", {"PROTEST"}),
        # Blocking a road is not a refusal; disputing a figure is.
        # A road blocked by protesters is a protest (PLOVER: obstruct passage), not a refusal.
        ("Farmers blocked a motorway near the capital with tractors.", {"PROTEST"}),
        ("The opposition disputed the official count.", {"REJECTION"}),
        ("Thousands of residents fled on Sunday.", {"HUMANITARIAN"}),
        ("The gunmen fled on Sunday.", set()),
        # Anonymity and capacities are not demands or protests.
        ("The scheme is a trap, said a trader who asked that his name be withheld.", {"STATEMENT"}),
        ("The court upheld the right to protest.", set()),
        # A killing's own event is news when introduced, not when referred back to.
        ("Troops killed eight gunmen in an ambush near the border.", {"STRIKE", "CASUALTIES"}),
        # An outcome set in a violent noun reports it, unless the article reported it already.
        ("Eight people were killed in the ambush.", {"CASUALTIES", "STRIKE"}),
        # Intercepting drones is defence (ACLED: disrupted weapons use), shooting people is not.
        ("Air defences shot down 48 of the 63 drones.", {"INTERCEPTION"}),
        ("Soldiers shot three protesters in the square.", {"STRIKE"}),
        # A treaty named as a framework is not an agreement made.
        ("Paris voiced support for Rome under their defence treaty.", {"SUPPORT"}),
    ],
)
def test_general_distinctions(extract: Extract, sentence: str, types: set[str]) -> None:
    assert {e.event_type for e in extract(sentence)} == types


@pytest.mark.parametrize(
    ("title", "event_type", "source"),
    [
        # Headlinese: the tagger reads the verb as a noun of one long noun phrase.
        ("Riot police fire rubber bullets at students", "STRIKE", "police"),
        ("Serbia and Kosovo sign trade pact", "AGREEMENT", "Kosovo"),
        ("Army bombs rebel camp as insurgents take border post", "STRIKE", "Army"),
        # A verbless headline reports its event nouns.
        ("Rival militias trade fire in Tripoli suburbs", "CLASH", None),
    ],
)
def test_headline_verbs_the_tagger_missed(extract: Extract, title: str, event_type: str, source: str | None) -> None:
    event = only(extract("Officials gave no details.", title=title), event_type)
    if source is not None:
        assert source in [a.canonical or a.text for a in event.actors if a.role.value == "SOURCE"]


def test_the_subject_of_a_raising_adjective_takes_part(extract: Extract) -> None:
    talks = only(extract("Envoys from the two capitals are due to meet in Vienna."), "TALKS")
    assert talks.modality.value == "PLANNED"
    assert "Envoys" in [a.text for a in talks.actors if a.role.value == "SOURCE"]
