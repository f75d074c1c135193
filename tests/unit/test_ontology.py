"""The ontology data file: complete, consistent with the schema and the codebooks, extensible,
and the only home of what a type is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pipeline.nlp.lexicon import load_lexicon
from pipeline.nlp.ontology import EVENT_TYPES, EventType, load_codebooks, load_ontology, ontology_from
from pipeline.schemas import schema_json
from pydantic import ValidationError

NLP_CODE = Path(__file__).resolve().parents[2] / "pipeline" / "nlp"


def _document() -> dict[str, object]:
    document: dict[str, object] = load_ontology().model_dump(exclude={"codebooks"}, exclude_unset=True)
    return document


def test_the_event_types_are_the_schema_symbols() -> None:
    symbols = next(f for f in schema_json("event")["fields"] if f["name"] == "event_type")["type"]["symbols"]
    assert tuple(symbols) == EVENT_TYPES == tuple(member.value for member in EventType)
    assert set(load_ontology().types) == set(EVENT_TYPES)


@pytest.mark.parametrize(
    ("event_type", "mode", "plover", "cameo", "acled"),
    [
        ("TALKS", None, "CONSULT", "04", None),
        ("STATEMENT", None, None, "01", None),
        ("STRIKE", "air", "ASSAULT", "19", "Air/drone strike"),
        ("STRIKE", "suicide", "ASSAULT", "18", "Suicide bomb"),
        ("CLASH", None, "ASSAULT", "19", "Armed clash"),
        ("DEMAND", None, "REQUEST", "10", None),
        ("AGREEMENT", None, "AGREE", "03", "Agreement"),
        ("AGREEMENT", "sign", "SUPPORT", "05", "Agreement"),
        ("CEASEFIRE", None, "RETREAT", "08", "Agreement"),
        ("INVESTIGATION", None, "ACCUSE", "09", None),
        ("PROTEST", "hunger", "PROTEST", "14", "Peaceful protest"),
        ("ARREST", None, "COERCE", "17", "Arrests"),
        ("REDUCE_RELATIONS", "expel", "SANCTION", "16", None),
        ("CONCESSION", None, "CONCEDE", "08", None),
    ],
)
def test_mappings(event_type: str, mode: str | None, plover: str | None, cameo: str | None, acled: str | None) -> None:
    mapping = load_ontology().mapping(event_type, mode)
    assert (mapping.plover, mapping.cameo, mapping.acled_sub_event_type) == (plover, cameo, acled)


def test_every_plover_type_and_acled_sub_event_type_has_a_type_of_ours() -> None:
    ontology, books = load_ontology(), load_codebooks()
    plover: set[str | None] = set()
    acled: set[str | None] = set()
    for name, spec in ontology.types.items():
        for mode in (None, *spec.mode_mappings):
            mapping = ontology.mapping(name, mode)
            plover.add(mapping.plover)
            acled.add(mapping.acled_sub_event_type)
    acled |= {refinement.acled for refinement in ontology.acled_refinements}
    assert set(books.plover) - plover == set()
    assert set(books.acled_event_type) - acled == set()


def test_no_type_maps_to_plover_fight_any_more() -> None:
    assert all(spec.plover != "FIGHT" for spec in load_ontology().types.values())


def test_a_cameo_root_that_plover_maps_elsewhere_fails_loudly() -> None:
    document = _document()
    document["types"]["AGREEMENT"]["cameo"] = "05"  # type: ignore[index]  # 05 is SUPPORT in PLOVER's table
    with pytest.raises(ValidationError, match="CAMEO root 05 does not map to PLOVER AGREE"):
        ontology_from(document)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("plover", "FIGHT", "not a PLOVER 2021 type"),
        ("acled", "Air strike", "not an ACLED sub-event type"),
        ("plover_mode", "naval", "not a mode of PLOVER"),
    ],
)
def test_a_mapping_outside_the_codebooks_fails_loudly(field: str, value: str, message: str) -> None:
    document = _document()
    document["types"]["CLASH"][field] = value  # type: ignore[index]
    with pytest.raises(ValidationError, match=message):
        ontology_from(document)


def test_every_type_but_other_has_triggers_and_a_definition() -> None:
    for name, spec in load_ontology().types.items():
        assert spec.definition
        if name != "OTHER":
            assert spec.verbs or spec.nouns or spec.phrases, name


def test_modes_speech_and_contexts_refer_to_triggers_of_their_type() -> None:
    for name, spec in load_ontology().types.items():
        triggers = set(spec.verbs) | set(spec.nouns) | set(spec.phrases)
        assert set(spec.modes) <= triggers, name
        assert set(spec.speech) <= set(spec.verbs), name
        assert set(spec.requires) | set(spec.excludes) <= triggers, name


def test_roles_and_traits_name_types_the_ontology_has() -> None:
    ontology = load_ontology()
    assert set(ontology.roles.model_dump().values()) <= set(ontology.types)
    assert any(ontology.has(name, "violent") for name in ontology.types)


def test_a_typo_in_the_ontology_fails_loudly() -> None:
    document = _document()
    document["types"]["STRIKES"] = {"definition": "x", "prior": 0.5}  # type: ignore[index]
    with pytest.raises(ValidationError, match="not in the event schema"):
        ontology_from(document)
    document = _document()
    document["types"]["TALKS"]["prior"] = 2.0  # type: ignore[index]
    with pytest.raises(ValidationError):
        ontology_from(document)
    document = _document()
    document["types"]["TALKS"]["traits"] = ["violentt"]  # type: ignore[index]
    with pytest.raises(ValidationError):
        ontology_from(document)


def test_an_analyst_can_add_a_trigger_without_code() -> None:
    document = _document()
    document["types"]["PROTEST"]["verbs"].append("picket-line")  # type: ignore[index]
    document["types"]["PROTEST"]["verbs"].append("sloganeer")  # type: ignore[index]
    extended = ontology_from(document)
    assert extended.verb_types["sloganeer"] == ["PROTEST"]
    assert extended.phrase_types["picket-line"] == ["PROTEST"]  # written in several tokens: a phrase


def test_a_lemma_with_a_required_context_is_tried_first() -> None:
    """'seize' is a CLASH only with a place, and so on: the specific readings come before the general."""
    ontology = load_ontology()
    for lemma, types in ontology.verb_types.items():
        needs = [lemma in ontology.types[t].requires for t in types]
        assert needs == sorted(needs, reverse=True), lemma


def test_no_code_in_the_nlp_core_names_an_event_type() -> None:
    """What a type is lives in ontology.yaml: the rules read traits and roles, never a type's name."""
    types = [name for name in EVENT_TYPES if name != "OTHER"]  # OTHER is also an actor role
    named = re.compile(r"[\"'](" + "|".join(types) + r")[\"']")
    offenders = [
        f"{path.name}: {match.group(0)}"
        for path in sorted(NLP_CODE.glob("*.py"))
        for match in named.finditer(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_lexicon_words_are_strings() -> None:
    lexicon = load_lexicon()
    assert "on" in lexicon.english_function_words  # YAML would read a bare `on` as true
    assert all(isinstance(word, str) for word in lexicon.light_verbs)
    document = yaml.safe_load((NLP_CODE / "data" / "ontology.yaml").read_text("utf-8"))
    for spec in document["types"].values():
        for context in [*(spec.get("requires") or {}).values(), *(spec.get("excludes") or {}).values()]:
            for field, words in context.items():
                if field in ("places", "patterns"):
                    continue  # a flag, and DependencyMatcher patterns
                assert all(isinstance(word, str) for word in words), words
