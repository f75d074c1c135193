"""No input stops the pipeline: generated bad records, run through the real graph on both
local runners, all end as dead letters or articles, and the books balance."""

from __future__ import annotations

import json
from pathlib import Path

import fastavro
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pipeline.config import ArchiveSourceSettings, RunConfig
from pipeline.runner import run
from pipeline.schemas import load_schema

from pipeline import metrics as m
from tests.conftest import RUNNERS
from tests.poison import POISON, bad_records, good_article

KINDS = {kind for _, kind in POISON.values()}


def read(directory: Path, prefix: str) -> list[dict[str, object]]:
    schema = load_schema("event" if prefix == "events" else "dead_letter")
    records: list[dict[str, object]] = []
    for path in sorted(directory.glob(f"{prefix}-*.avro")):
        with path.open("rb") as handle:
            records += list(fastavro.reader(handle, reader_schema=schema))  # type: ignore[arg-type]
    return records


def backfill(lines: list[bytes], directory: Path, runner: str) -> tuple[m.RunSummary, Path]:
    archive = directory / "input.jsonl"
    # One record per line: a payload holding a line break would be two records of an archive.
    archive.write_bytes(b"\n".join(line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines) + b"\n")
    out = directory / "out"
    config = RunConfig(source=ArchiveSourceSettings(pattern=str(archive)), output_dir=str(out))
    return run(config, [f"--runner={runner}"]), out


@pytest.mark.parametrize("runner", RUNNERS)
def test_every_known_poison_input_becomes_a_dead_letter_with_its_reason(tmp_path: Path, runner: str) -> None:
    lines = [payload for payload, _ in POISON.values()] + [good_article("g1")]
    summary, out = backfill(lines, tmp_path, runner)
    letters = read(out, "dead-letter")
    assert sorted(str(d["error_kind"]) for d in letters) == sorted(kind for _, kind in POISON.values())
    huge = next(d for d in letters if d["error_kind"] == "body_too_large")
    assert huge["raw_truncated"] is True and int(huge["raw_size"]) > 1_000_000  # type: ignore[call-overload]
    assert {e["article_id"] for e in read(out, "events")} == {"g1"}
    assert summary.balanced and summary.get(m.ARTICLES_READ) == len(lines)


@pytest.mark.parametrize("runner", RUNNERS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(bad=st.lists(bad_records, min_size=1, max_size=6))
def test_generated_bad_records_never_crash_the_run_and_the_books_balance(
    tmp_path_factory: pytest.TempPathFactory, runner: str, bad: list[bytes]
) -> None:
    directory = tmp_path_factory.mktemp("poison")
    lines = [*bad, good_article("good-1")]
    nonblank = [line for line in lines if line.replace(b"\n", b" ").replace(b"\r", b" ").strip()]
    summary, out = backfill(lines, directory, runner)
    letters = read(out, "dead-letter")
    events = read(out, "events")
    assert summary.get(m.ARTICLES_READ) == len(nonblank)
    assert summary.balanced
    assert len(letters) == summary.get(m.ARTICLES_DEAD_LETTERED)
    assert "good-1" in {e["article_id"] for e in events}
    for letter in letters:
        assert letter["stage"] in ("DECODE", "EXTRACT", "ENCODE") and letter["message"]
        json.dumps(letter, default=str)  # every text field is valid text
