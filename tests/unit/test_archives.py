"""Backfill archives: every supported format, with line provenance."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import fastavro
import pytest
from pipeline.io.archives import ArchiveError, iter_archive
from pipeline.io.publish import article_key
from pipeline.schemas import load_schema

ARTICLES = [{"id": f"a{i}", "body": f"Body {i}."} for i in range(3)]


def jsonl() -> bytes:
    return b"\n".join(json.dumps(a).encode() for a in ARTICLES) + b"\n\n"


def avro_file() -> bytes:
    buffer = io.BytesIO()
    records = [
        {**a, "title": None, "url": None, "source": None, "published_at": None, "language": None} for a in ARTICLES
    ]
    fastavro.writer(buffer, load_schema("article"), records)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.jsonl", jsonl()),
        ("a.jsonl.gz", gzip.compress(jsonl())),
        ("a.json", json.dumps(ARTICLES).encode()),
        ("a.avro", avro_file()),
    ],
)
def test_each_format_yields_every_article_with_its_position(name: str, data: bytes) -> None:
    records = list(iter_archive(name, io.BytesIO(data)))
    assert [json.loads(r.payload)["id"] for r in records] == ["a0", "a1", "a2"]
    assert [r.provenance.line for r in records] == [1, 2, 3]
    assert all(r.provenance.path == name and r.provenance.kind == "ARCHIVE" for r in records)


def test_a_bad_line_is_kept_for_the_dead_letters() -> None:
    records = list(iter_archive("a.jsonl", io.BytesIO(b'{"id": "a", "body": "x"}\nnot json\n')))
    assert [r.payload for r in records] == [b'{"id": "a", "body": "x"}', b"not json"]


@pytest.mark.parametrize(("name", "data"), [("a.jsonl.gz", b"not gzip"), ("a.avro", b"not avro"), ("a.csv", b"x,y")])
def test_unreadable_files_raise_archive_error(name: str, data: bytes) -> None:
    with pytest.raises(ArchiveError):
        list(iter_archive(name, io.BytesIO(data)))


def test_samples_are_valid_archives() -> None:
    samples = sorted((Path(__file__).resolve().parents[2] / "data" / "samples").glob("*.json"))
    assert len(samples) >= 6
    for path in samples:
        with path.open("rb") as handle:
            (record,) = list(iter_archive(str(path), handle))
        assert article_key(record.payload) is not None


@pytest.mark.parametrize(
    ("payload", "key"), [(b'{"id": "x"}', b"x"), (b"junk", None), (b'{"id": 3}', None), (b"[]", None)]
)
def test_article_key(payload: bytes, key: bytes | None) -> None:
    assert article_key(payload) == key
