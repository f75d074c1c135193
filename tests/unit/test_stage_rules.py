"""Stages 3 to 5 and 9 on hand-built parses: eventiveness, modality, retyping and codebook mapping.
Each rule is checked on the parse it reads, in words of no evaluation set."""

from __future__ import annotations

import pytest
from pipeline.nlp.eventiveness import is_eventive
from pipeline.nlp.lexicon import load_lexicon
from pipeline.nlp.mapping import map_event
from pipeline.nlp.modality import read_modality
from pipeline.nlp.ontology import load_ontology
from pipeline.nlp.retyping import Retyper
from pipeline.nlp.syntax import governing_predicate
from pipeline.nlp.triggers import Trigger
from pipeline.nlp.types import Actor, Modality, Role

from tests.docs import parse

LEXICON = load_lexicon()
ONTOLOGY = load_ontology()

# "Two herders died in fierce clashes."
DIED_IN_CLASHES = (
    "Two two NUM CD nummod 1",
    "herders herder NOUN NNS nsubj 2",
    "died die VERB VBD ROOT 2",
    "in in ADP IN prep 2",
    "fierce fierce ADJ JJ amod 5",
    "clashes clash NOUN NNS pobj 3",
)


def trigger(doc_rows: tuple[str, ...], index: int, event_type: str, *, nominal: bool) -> Trigger:
    doc = parse(*doc_rows)
    token = doc[index]
    return Trigger(event_type, token, index, index + 1, token.lemma_, nominal)


def eventive(t: Trigger, **context: object) -> bool:
    defaults: dict[str, object] = {"dated": False, "demanded": False, "trigger_heads": frozenset({t.head.i})}
    return is_eventive(t, ONTOLOGY.types[t.event_type], LEXICON, **{**defaults, **context})  # type: ignore[arg-type]


def test_an_outcome_set_in_a_violent_noun_reports_it() -> None:
    assert eventive(trigger(DIED_IN_CLASHES, 5, "CLASH", nominal=True))


def test_an_outcome_set_in_violence_already_reported_refers_back() -> None:
    rows = (*DIED_IN_CLASHES[:4], "the the DET DT det 5", "clashes clash NOUN NNS pobj 3")
    clashes = trigger(rows, 5, "CLASH", nominal=True)
    assert eventive(clashes)
    assert not eventive(clashes, reported_families=frozenset({"violence"}))


def test_a_violent_noun_that_only_names_how_an_act_went_is_no_second_event() -> None:
    # "Troops stormed the compound in a night raid": the raid is the storming.
    rows = (
        "Troops troop NOUN NNS nsubj 1",
        "stormed storm VERB VBD ROOT 1",
        "the the DET DT det 3",
        "compound compound NOUN NN dobj 1",
        "in in ADP IN prep 1",
        "a a DET DT det 7",
        "night night NOUN NN compound 7",
        "raid raid NOUN NN pobj 4",
    )
    raid = trigger(rows, 7, "STRIKE", nominal=True)
    assert not eventive(raid, violent_heads=frozenset({1}))


def test_what_an_act_on_events_acts_on_happened() -> None:
    # "Police dispersed the vigil": the vigil took place.
    rows = (
        "Police police NOUN NNS nsubj 1",
        "dispersed disperse VERB VBD ROOT 1",
        "the the DET DT det 3",
        "vigil vigil NOUN NN dobj 1",
    )
    vigil = trigger(rows, 3, "PROTEST", nominal=True)
    assert not eventive(vigil)
    assert eventive(vigil, governing_heads=frozenset({1}))


def test_a_noun_that_names_a_topic_is_no_event() -> None:
    # "They discussed the basis of the truce."
    rows = (
        "They they PRON PRP nsubj 1",
        "discussed discuss VERB VBD ROOT 1",
        "the the DET DT det 3",
        "basis basis NOUN NN dobj 1",
        "of of ADP IN prep 3",
        "the the DET DT det 6",
        "truce truce NOUN NN pobj 4",
    )
    assert not eventive(trigger(rows, 6, "CEASEFIRE", nominal=True))


# "The rebels could shell the valley."
COULD_SHELL = (
    "The the DET DT det 1",
    "rebels rebel NOUN NNS nsubj 3",
    "could could AUX MD aux 3",
    "shell shell VERB VB ROOT 3",
    "the the DET DT det 5",
    "valley valley NOUN NN dobj 3",
)


@pytest.mark.parametrize(
    ("rows", "index", "modality"),
    [
        (COULD_SHELL, 3, Modality.HYPOTHETICAL),
        (
            (
                "Guards guard NOUN NNS nsubj 3",
                "did do AUX VBD aux 3",
                "not not PART RB neg 3",
                "fire fire VERB VB ROOT 3",
            ),
            3,
            Modality.NEGATED,
        ),
        (
            (  # "If the rebels attack, troops respond": the attack is only supposed
                "If if SCONJ IN mark 3",
                "the the DET DT det 2",
                "rebels rebel NOUN NNS nsubj 3",
                "attack attack VERB VBP advcl 5",
                "troops troop NOUN NNS nsubj 5",
                "respond respond VERB VBP ROOT 5",
            ),
            3,
            Modality.HYPOTHETICAL,
        ),
    ],
)
def test_modality_is_read_off_the_parse(rows: tuple[str, ...], index: int, modality: Modality) -> None:
    doc = parse(*rows)
    token = doc[index]
    assert read_modality(token, token, LEXICON, [], frozenset({index})).modality is modality


def test_violence_only_possible_for_its_agent_is_a_threat() -> None:
    shell = trigger(COULD_SHELL, 3, "STRIKE", nominal=False)
    reading = read_modality(shell.head, shell.head, LEXICON, [], frozenset({3}))
    retyper = Retyper(ONTOLOGY, LEXICON)
    typed = retyper.settle(shell, shell.head, reading)
    assert typed is not None
    assert retyper.retype(shell, shell.head, typed, [shell]).event_type == ONTOLOGY.roles.threat


def test_a_refused_concession_is_a_refusal() -> None:
    # "The junta will not free the detainees."
    rows = (
        "The the DET DT det 1",
        "junta junta NOUN NN nsubj 4",
        "will will AUX MD aux 4",
        "not not PART RB neg 4",
        "free free VERB VB ROOT 4",
        "the the DET DT det 6",
        "detainees detainee NOUN NNS dobj 4",
    )
    free = trigger(rows, 4, "RELEASE", nominal=False)
    reading = read_modality(free.head, governing_predicate(free.head), LEXICON, [], frozenset({4}))
    retyper = Retyper(ONTOLOGY, LEXICON)
    typed = retyper.settle(free, free.head, reading)
    assert typed is not None
    assert retyper.retype(free, free.head, typed, [free]).event_type == ONTOLOGY.roles.refusal


def test_a_protest_made_by_a_state_is_a_complaint() -> None:
    state = [Actor(Role.SOURCE, "the foreign ministry", 0, 20)]
    crowd = [Actor(Role.SOURCE, "nurses", 0, 6)]
    retyper = Retyper(ONTOLOGY, LEXICON)
    assert retyper.retype_by_actors("PROTEST", state) == ONTOLOGY.roles.complaint
    assert retyper.retype_by_actors("PROTEST", crowd) == "PROTEST"


def actors(**named: str) -> list[Actor]:
    return [Actor(Role[role.upper()], text, 0, len(text)) for role, text in named.items()]


@pytest.mark.parametrize(
    ("event_type", "mode", "who", "sentence_types", "acled"),
    [
        ("STRIKE", "shooting", actors(source="gunmen", target="worshippers"), set(), "Attack"),
        ("STRIKE", "shooting", actors(source="gunmen", target="a patrol of soldiers"), set(), "Armed clash"),
        ("STRIKE", None, actors(source="a buried mine", target="a lorry"), set(), "Remote explosive/landmine/IED"),
        ("STRIKE", "air", actors(source="jets"), set(), "Air/drone strike"),
        ("CLASH", "capture", actors(source="the army", target="the ridge"), set(), "Government regains territory"),
        (
            "CLASH",
            "capture",
            actors(source="insurgents", target="the ridge"),
            set(),
            "Non-state actor overtakes territory",
        ),
        ("PROTEST", None, actors(source="students"), {"DISPERSAL"}, "Protest with intervention"),
        ("PROTEST", None, actors(source="students"), set(), "Peaceful protest"),
        ("PHYSICAL_ASSAULT", None, actors(source="a mob", target="a driver"), set(), "Mob violence"),
        (
            "CASUALTIES",
            None,
            actors(source="soldiers", target="demonstrators"),
            set(),
            "Excessive force against protesters",
        ),
    ],
)
def test_acled_sub_events_come_from_type_mode_and_actors(
    event_type: str, mode: str | None, who: list[Actor], sentence_types: set[str], acled: str
) -> None:
    mapping = map_event(ONTOLOGY, LEXICON, event_type, mode, who, frozenset({event_type, *sentence_types}))
    assert mapping.acled_sub_event_type == acled
    assert mapping.acled_event_type == ONTOLOGY.books.acled_event_type[acled]
