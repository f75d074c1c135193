"""Whole runs on the local runner: archives in, Avro files out, every article accounted for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import fastavro
import pytest
from pipeline.aggregates import event_country
from pipeline.config import AggregateSettings, ArchiveSourceSettings, ExtractionSettings, RunConfig
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.ontology import load_ontology
from pipeline.runner import run
from pipeline.schemas import load_schema

from pipeline import metrics as m
from tests.conftest import RUNNERS

GOOD = [
    {
        "id": "g1",
        "title": "Jets strike Rafah",
        "published_at": "2025-10-08T10:00:00Z",
        "body": "Israeli jets struck Rafah on Tuesday, killing at least 12 people, the health ministry said.",
    },
    {
        "id": "g2",
        "published_at": "2025-10-08T10:00:00Z",
        "body": "Hamas negotiators met Egyptian mediators in Cairo on Monday. Both sides said the talks were useful.",
    },
    {"id": "g3", "body": "The weather in the city was mild and the markets were calm."},
]
BAD = [b"{broken", b'{"id": "x"}', b'{"id": 1, "body": "b"}']
FNAPI = "--runner=FnApiRunner"


def write_archive(directory: Path, extra: list[bytes] | None = None) -> str:
    path = directory / "articles.jsonl"
    lines = [json.dumps(a).encode() for a in GOOD] + BAD + (extra or [])
    path.write_bytes(b"\n".join(lines) + b"\n")
    return str(path)


_KINDS = {"events": "event", "dead-letter": "dead_letter", "aggregates": "aggregate", "stories": "story"}


def read_avro(pattern: str, directory: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(directory.glob(pattern)):
        with path.open("rb") as handle:
            name = next(kind for prefix, kind in _KINDS.items() if pattern.startswith(prefix))
            reader = fastavro.reader(handle, reader_schema=load_schema(name))
            records.extend(reader)  # type: ignore[arg-type]
    return records


@pytest.fixture(scope="module", params=RUNNERS)
def backfill(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[m.RunSummary, Path]:
    directory = tmp_path_factory.mktemp("backfill")
    pattern = write_archive(directory)
    out = directory / "out"
    config = RunConfig(
        source=ArchiveSourceSettings(pattern=pattern), output_dir=str(out), aggregates=AggregateSettings(), stories=True
    )
    return run(config, [f"--runner={request.param}"]), out


def test_every_article_is_accounted_for(backfill: tuple[m.RunSummary, Path]) -> None:
    summary, _ = backfill
    assert summary.get(m.ARTICLES_READ) == 6
    assert summary.get(m.ARTICLES_WITH_EVENTS) == 2
    assert summary.get(m.ARTICLES_WITHOUT_EVENTS) == 1
    assert summary.get(m.ARTICLES_DEAD_LETTERED) == 3
    assert summary.balanced


def test_events_are_written_and_read_back_with_the_schema(backfill: tuple[m.RunSummary, Path]) -> None:
    summary, out = backfill
    events = read_avro("events-*.avro", out)
    assert len(events) == summary.get(m.EVENTS_EXTRACTED) > 0
    assert {e["article_id"] for e in events} == {"g1", "g2"}
    strike = next(e for e in events if e["event_type"] == "STRIKE" and e["section"] == "BODY")
    assert strike["provenance"]["path"].endswith("articles.jsonl") and strike["provenance"]["line"] == 1
    assert strike["event_time"]["start"].date().isoformat() == "2025-10-07"
    assert strike["casualties"]["killed"] == 12


def test_a_backfill_writes_one_final_count_per_window_type_and_country(backfill: tuple[m.RunSummary, Path]) -> None:
    # The archive's events are dated 2025 and read now: none may be dropped as late data.
    _, out = backfill
    hour = 3_600_000
    expected: dict[tuple[int, str, str | None], int] = {}
    for event in read_avro("events-*.avro", out):
        if event["modality"] == "ASSERTED":
            start = int(event["event_time"]["start"].timestamp() * 1000) // hour * hour
            key = (start, event["event_type"], event_country(event))
            expected[key] = expected.get(key, 0) + 1
    aggregates = read_avro("aggregates-*.avro", out)
    found = {
        (int(a["window_start"].timestamp() * 1000), a["event_type"], a["country"]): a["events"] for a in aggregates
    }
    assert expected and found == expected
    assert len(aggregates) == len(found), "a key was counted twice"
    assert all(a["final"] and a["timing"] == "ON_TIME" for a in aggregates)


def test_dead_letters_keep_raw_input_stage_and_reason(backfill: tuple[m.RunSummary, Path]) -> None:
    _, out = backfill
    letters = read_avro("dead-letter-*.avro", out)
    assert sorted((d["provenance"]["line"], d["error_kind"], d["raw_payload"]) for d in letters) == [
        (4, "invalid_json", b"{broken"),
        (5, "missing_field", b'{"id": "x"}'),
        (6, "wrong_type", b'{"id": 1, "body": "b"}'),
    ]
    assert {d["stage"] for d in letters} == {"DECODE"}


def test_a_rerun_produces_the_same_event_and_story_ids(backfill: tuple[m.RunSummary, Path], tmp_path: Path) -> None:
    _, first_out = backfill
    pattern = write_archive(tmp_path)
    config = RunConfig(source=ArchiveSourceSettings(pattern=pattern), output_dir=str(tmp_path / "out"), stories=True)
    run(config, [FNAPI])
    first = {(e["event_id"], e["story_id"]) for e in read_avro("events-*.avro", first_out)}
    second = {(e["event_id"], e["story_id"]) for e in read_avro("events-*.avro", tmp_path / "out")}
    assert first == second and first
    assert any(story for _, story in first)


def test_a_backfill_links_events_into_stories_files(backfill: tuple[m.RunSummary, Path]) -> None:
    summary, out = backfill
    events = read_avro("events-*.avro", out)
    stories = read_avro("stories-*.avro", out)
    assert stories and summary.get(m.STORIES_MADE) == len(stories)
    families = load_ontology().story_families
    linkable = [e for e in events if e["event_type"] in families and not _running_total(e)]
    assert linkable and all(e["story_id"] for e in linkable)
    assert summary.get(m.EVENTS_IN_STORIES) == len(linkable)
    members = {story["story_id"]: set(story["member_event_ids"]) for story in stories}
    for e in linkable:
        assert e["event_id"] in members[e["story_id"]]
    # The headline and the body of the Rafah article report one strike: one group, one main mention.
    strikes = [e for e in events if e["article_id"] == "g1" and e["event_type"] == "STRIKE"]
    assert {e["section"] for e in strikes} == {"HEADLINE", "BODY"}
    assert len({e["event_group_id"] for e in strikes}) == 1 and len({e["story_id"] for e in strikes}) == 1
    assert [e["section"] for e in strikes if e["main_mention"]] == ["BODY"]
    assert all(e["story_id"] is None for e in events if e["event_type"] not in families)


def _running_total(event: dict[str, Any]) -> bool:
    return bool(event["casualties"]) and event["casualties"]["scope"] == "CUMULATIVE"


def test_an_extractor_failure_dead_letters_only_that_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner_name: str
) -> None:
    real_batch, real_one = EventExtractor.extract_batch, EventExtractor.extract

    def flaky_batch(self: EventExtractor, articles: list[Any], batch_size: int = 64) -> list[Any]:
        if any("EXPLODE" in a.body for a in articles):
            raise RuntimeError("batch broke")
        return real_batch(self, articles, batch_size)

    def flaky_one(self: EventExtractor, article: Any) -> Any:
        if "EXPLODE" in article.body:
            raise RuntimeError("this article breaks the extractor")
        return real_one(self, article)

    monkeypatch.setattr(EventExtractor, "extract_batch", flaky_batch)
    monkeypatch.setattr(EventExtractor, "extract", flaky_one)
    pattern = write_archive(tmp_path, [b'{"id": "boom", "body": "EXPLODE now."}'])
    config = RunConfig(source=ArchiveSourceSettings(pattern=pattern), output_dir=str(tmp_path / "out"))
    summary = run(config, [f"--runner={runner_name}"])
    letters = read_avro("dead-letter-*.avro", tmp_path / "out")
    extract_letters = [d for d in letters if d["stage"] == "EXTRACT"]
    assert [(d["article_id"], d["error_kind"]) for d in extract_letters] == [("boom", "extraction_failed")]
    assert "this article breaks the extractor" in extract_letters[0]["message"]
    assert summary.get(m.ARTICLES_WITH_EVENTS) == 2 and summary.balanced


def test_an_unreadable_archive_becomes_a_dead_letter(tmp_path: Path, runner_name: str) -> None:
    (tmp_path / "broken.jsonl.gz").write_bytes(b"this is not gzip")
    config = RunConfig(source=ArchiveSourceSettings(pattern=str(tmp_path / "*.gz")), output_dir=str(tmp_path / "out"))
    summary = run(config, [f"--runner={runner_name}"])
    letters = read_avro("dead-letter-*.avro", tmp_path / "out")
    assert [(d["stage"], d["error_kind"]) for d in letters] == [("READ", "unreadable_archive")]
    assert summary.get(m.ARTICLES_READ) == 1 and summary.balanced


def test_hard_bodies_never_break_the_run(tmp_path: Path, runner_name: str) -> None:
    """Empty, punctuation-only, non-English, control characters, 1 MB and over 1 MB bodies:
    each ends as events, as an article without events or as a dead letter with its reason."""
    sentence = "Israeli jets struck Rafah on Monday, killing at least 12 people, medics said. "
    bodies = {
        "empty": "",
        "blank": "  \n\t ",
        "punctuation": "... !!! ---",
        "french": "Les forces ont frappé la ville lundi, selon des secouristes.",
        "controls": "Talks\x00 resumed\x07 in Cairo\x1b on Monday.",
        "megabyte": (sentence * 20_000)[:1_000_000],
        "too-large": "word " * 250_000,
    }
    lines = [
        json.dumps({"id": key, "body": body, "published_at": "2025-10-08T10:00:00Z"}).encode()
        for key, body in bodies.items()
    ]
    (tmp_path / "hard.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    config = RunConfig(
        source=ArchiveSourceSettings(pattern=str(tmp_path / "hard.jsonl")), output_dir=str(tmp_path / "out")
    )
    summary = run(config, [f"--runner={runner_name}"])
    letters = {d["article_id"]: d["error_kind"] for d in read_avro("dead-letter-*.avro", tmp_path / "out")}
    with_events = {e["article_id"] for e in read_avro("events-*.avro", tmp_path / "out")}
    assert letters == {
        "empty": "empty_field",
        "blank": "empty_field",
        "punctuation": "unusable_text",
        "too-large": "body_too_large",
    }
    assert with_events == {"controls", "megabyte"}
    assert summary.get(m.ARTICLES_WITHOUT_EVENTS) == 1  # the French article
    assert summary.balanced


def test_the_progress_counter_sees_every_article_of_a_local_run(tmp_path: Path, runner_name: str) -> None:
    from pipeline import progress

    pattern = write_archive(tmp_path)
    before = progress.articles_done()
    config = RunConfig(source=ArchiveSourceSettings(pattern=pattern), output_dir=str(tmp_path / "out"))
    summary = run(config, [f"--runner={runner_name}"])
    assert progress.articles_done() - before == summary.get(m.ARTICLES_READ) == 6


def test_two_local_worker_processes_give_the_same_events_as_one(tmp_path: Path) -> None:
    """Bounded runs scale out on one machine with FnApiRunner's worker processes (Prism runs
    a single SDK worker); the events must be the same, id for id."""
    pattern = write_archive(tmp_path)
    runs = {"one": [FNAPI], "two": [FNAPI, "--direct_num_workers=2", "--direct_running_mode=multi_processing"]}
    ids, summaries = {}, {}
    for name, args in runs.items():
        summaries[name] = run(
            RunConfig(source=ArchiveSourceSettings(pattern=pattern), output_dir=str(tmp_path / name)), args
        )
        ids[name] = sorted(e["event_id"] for e in read_avro("events-*.avro", tmp_path / name))
    assert ids["one"] == ids["two"] and ids["one"]
    assert summaries["two"].balanced and summaries["two"].get(m.ARTICLES_READ) == 6


def test_a_backfill_with_nlp_processes_of_its_own_writes_the_same_events(tmp_path: Path) -> None:
    pattern = write_archive(tmp_path)
    written = {}
    for processes in (1, 2):
        out = tmp_path / f"out-{processes}"
        config = RunConfig(
            source=ArchiveSourceSettings(pattern=pattern),
            output_dir=str(out),
            extraction=ExtractionSettings(nlp_processes=processes),
        )
        summary = run(config, [FNAPI])
        assert summary.balanced and summary.get(m.ARTICLES_DEAD_LETTERED) == 3
        events = read_avro("events-*.avro", out)
        written[processes] = sorted(({**e, "processed_at": None} for e in events), key=lambda e: e["event_id"])
    assert written[1] and written[2] == written[1]
