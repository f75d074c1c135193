"""The lexicon holds no word list nothing reads; the chain's declared stages are real modules."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from pipeline.nlp.chain import STAGES
from pipeline.nlp.lexicon import Lexicon, load_lexicon

PIPELINE = Path(__file__).resolve().parents[2] / "pipeline"


def test_every_lexicon_key_is_read_by_a_rule() -> None:
    code = "\n".join(p.read_text("utf-8") for p in PIPELINE.rglob("*.py"))  # fields are declared without a dot
    unread = [name for name in Lexicon.model_fields if not re.search(rf"\.{name}\b", code)]
    assert unread == []


def test_the_lexicon_loads_and_a_fix_is_a_verb_lemma() -> None:
    lexicon = load_lexicon()
    assert lexicon.lemma_fixes["staged"] == "stage"
    assert lexicon.in_class("three gunmen", "armed_group")
    assert not lexicon.in_class("three farmers", "armed_group")


def test_every_stage_names_a_module_and_the_chain_lists_them_in_order() -> None:
    chain = importlib.import_module("pipeline.nlp.chain")
    doc = chain.__doc__ or ""
    positions = []
    for stage in STAGES:
        importlib.import_module(stage.module)
        found = re.search(rf"\b{stage.name} \(", doc)
        assert found is not None, stage.name
        positions.append(found.start())
    assert positions == sorted(positions)
