"""The ontology data file: complete, consistent with the schema, and extensible."""

from __future__ import annotations

import pytest
import yaml
from pipeline.nlp.ontology import EVENT_TYPES, Ontology, load_lexicon, load_ontology
from pipeline.schemas import schema_json
from pydantic import ValidationError


def test_every_schema_symbol_is_defined_in_the_ontology() -> None:
    symbols = next(f for f in schema_json("event")["fields"] if f["name"] == "event_type")["type"]["symbols"]
    assert tuple(symbols) == EVENT_TYPES
    assert set(load_ontology().types) == set(EVENT_TYPES)


@pytest.mark.parametrize(
    ("event_type", "plover", "cameo"),
    [
        ("TALKS", "CONSULT", "04"),
        ("STATEMENT", None, "01"),
        ("STRIKE", "ASSAULT", "19"),
        ("DEMAND", "REQUEST", "10"),
        ("AGREEMENT", "AGREE", "05"),
        ("ACCUSATION", "ACCUSE", "11"),
        ("REJECTION", "REJECT", "12"),
        ("THREAT", "THREATEN", "13"),
        ("PROTEST", "PROTEST", "14"),
        ("RELEASE", "RETREAT", "08"),
        ("ARREST", "COERCE", "17"),
        ("SANCTION", "SANCTION", "16"),
        ("MOBILIZATION", "MOBILIZE", "15"),
        ("AID", "AID", "07"),
    ],
)
def test_mappings(event_type: str, plover: str | None, cameo: str | None) -> None:
    spec = load_ontology().types[event_type]
    assert (spec.plover, spec.cameo) == (plover, cameo)


def test_every_type_but_other_has_triggers_and_a_definition() -> None:
    for name, spec in load_ontology().types.items():
        assert spec.definition
        if name != "OTHER":
            assert spec.verbs or spec.nouns or spec.phrases, name


def test_modes_and_speech_lemmas_refer_to_triggers_of_their_type() -> None:
    for name, spec in load_ontology().types.items():
        triggers = set(spec.verbs) | set(spec.nouns) | set(spec.phrases)
        assert set(spec.modes) <= triggers, name
        assert set(spec.speech) <= set(spec.verbs), name
        assert set(spec.requires) | set(spec.excludes) <= set(spec.verbs) | set(spec.phrases), name


def test_a_typo_in_the_ontology_fails_loudly() -> None:
    document = yaml.safe_load("version: '1'\ntypes:\n  STRIKES:\n    definition: x\n    prior: 0.5\n")
    with pytest.raises(ValidationError, match="not in the event schema"):
        Ontology.model_validate(document)
    with pytest.raises(ValidationError):
        Ontology.model_validate({"version": "1", "types": {"TALKS": {"definition": "x", "prior": 2.0}}})


def test_an_analyst_can_add_a_trigger_without_code() -> None:
    document = load_ontology().model_dump()
    document["types"]["PROTEST"]["verbs"].append("picket")
    extended = Ontology.model_validate(document)
    assert extended.verb_types["picket"] == ["PROTEST"]


def test_lexicon_words_are_strings() -> None:
    lexicon = load_lexicon()
    assert "on" in lexicon.english_function_words  # YAML would read a bare `on` as true
    assert all(isinstance(word, str) for word in lexicon.light_verbs)
