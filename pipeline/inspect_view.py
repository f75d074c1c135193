"""Read events (or dead letters) back from Avro files or a topic, for people to look at."""

from __future__ import annotations

import glob
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import fastavro
from kafka import KafkaConsumer
from rich.console import Console
from rich.table import Table

from pipeline.errors import InvalidRecord, UserError
from pipeline.io.avro_codec import AvroCodec
from pipeline.io.registry import WriterSchemas, schema_id_of
from pipeline.kafka_settings import KafkaSettings


def records_from_files(pattern: str) -> Iterator[dict[str, Any]]:
    paths = sorted(glob.glob(pattern)) or ([pattern] if not any(ch in pattern for ch in "*?[") else [])
    if not paths:
        raise UserError(f"no Avro files match '{pattern}'")
    for path in paths:
        try:
            with open(path, "rb") as handle:
                yield from fastavro.reader(handle)  # type: ignore[misc]
        except (OSError, ValueError) as err:
            raise UserError(f"cannot read {path}: {err}") from None


def records_from_topic(
    kafka: KafkaSettings,
    topic: str,
    schema: str,
    max_wait_s: float,
    limit: int | None,
    registry: WriterSchemas | None = None,
) -> Iterator[dict[str, Any]]:
    """Records of a topic from its beginning, until it has been quiet for `max_wait_s`.

    Registry-framed values are read with the schema their writer registered when `registry`
    is given (whatever kind of record they are), else with our own schema of `schema`.
    """
    codec = AvroCodec(schema)
    framed = AvroCodec(schema, confluent_schema_id=0)
    consumer = KafkaConsumer(
        topic, **kafka.config_for("consumer"), group_id=None, auto_offset_reset="earliest", enable_auto_commit=False,
        consumer_timeout_ms=int(max_wait_s * 1000),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + max(30.0, max_wait_s * 10)
        for count, message in enumerate(consumer, start=1):
            value: bytes = message.value or b""
            yield _decoded(value, codec, framed, registry)
            if (limit is not None and count >= limit) or time.monotonic() > deadline:
                break
    finally:
        consumer.close()


def _decoded(value: bytes, codec: AvroCodec, framed: AvroCodec, registry: WriterSchemas | None) -> dict[str, Any]:
    if schema_id_of(value) is None:
        return codec.decode(value)
    if registry is None:
        return framed.decode(value)
    try:
        record = registry.decode(value, None)
    except InvalidRecord as err:
        raise UserError(f"cannot read a record: {err.message}") from None
    if not isinstance(record, dict):
        raise UserError("a registry-framed value is not an Avro record")
    return record


def as_json(record: dict[str, Any]) -> str:
    return json.dumps(record, default=_json_default, ensure_ascii=False)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def event_table(records: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, show_lines=False, expand=True)
    for column, style in (
        ("date", "cyan"),
        ("type", "bold"),
        ("modality", ""),
        ("who", "green"),
        ("whom / where", "yellow"),
        ("details", ""),
        ("sentence", "dim"),
    ):
        table.add_column(column, style=style, overflow="fold")
    for record in records:
        table.add_row(*_event_row(record))
    return table


def dead_letter_table(records: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, expand=True)
    for column in ("stage", "reason", "message", "article", "from", "input"):
        table.add_column(column, overflow="fold")
    for r in records:
        prov = r["provenance"]
        where = (
            f"{prov['topic']}[{prov['partition']}]@{prov['offset']}"
            if prov["kind"] == "KAFKA"
            else f"{prov['path']}:{prov['line']}"
        )
        table.add_row(r["stage"], r["error_kind"], r["message"], r.get("article_id") or "", where, _input_size(r))
    return table


def aggregate_table(records: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, expand=True)
    for column in ("window", "type", "country", "events", "articles", "sources", "killed", "injured", "firing"):
        table.add_column(column, overflow="fold", justify="left" if column in ("window", "type", "firing") else "right")
    for r in sorted(records, key=lambda a: (a["window_start"], a["event_type"], a.get("country") or "")):
        start = r["window_start"]
        window = start.strftime("%Y-%m-%d %H:%M") if isinstance(start, datetime) else str(start)
        minutes = _minutes(r["window_start"], r["window_end"])
        firing = f"{r['timing'].lower()} #{r['pane_index']}" + (" (final)" if r.get("final") else "")
        table.add_row(
            f"{window} +{minutes}m", r["event_type"], r.get("country") or "-", *(
                f"{r[k]:,}" for k in ("events", "articles", "sources", "killed", "injured")
            ), firing,
        )  # fmt: skip
    return table


def story_table(records: list[dict[str, Any]], title: str) -> Table:
    table = Table(
        title=title,
        caption="day?: no mention dates it (publication day); killed !: rival figures of one day",
        expand=True,
    )
    for column in ("day", "type", "place", "arts", "srcs", "ments", "killed", "story"):
        table.add_column(
            column,
            overflow="fold",
            justify="right" if column in ("arts", "srcs", "ments") else "left",
            no_wrap=column in ("day", "story", "type"),
        )
    for r in sorted(records, key=lambda story: (story["event_time_start"], story["event_type"], story["story_id"])):
        casualties = r.get("casualties") or {}
        low, high = casualties.get("killed_low"), casualties.get("killed_high")
        killed = "-" if low is None else f"{low}" if low == high else f"{low}-{high}"
        if casualties.get("conflicting"):
            killed += "!"
        place = (r.get("location") or {}).get("name") or ", ".join(r.get("countries") or []) or "-"
        table.add_row(
            f"{_day(r['event_time_start'])}{'' if r.get('dated') else '?'}", r["event_type"], place,
            str(r["article_count"]), str(r["source_count"]), str(r["mention_count"]), killed, r["story_id"][:8],
        )  # fmt: skip
    return table


def _day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return datetime.fromtimestamp(int(value) / 1000, UTC).strftime("%Y-%m-%d")


def _minutes(start: Any, end: Any) -> int:
    if isinstance(start, datetime) and isinstance(end, datetime):
        return int((end - start).total_seconds() // 60)
    return int((end - start) // 60000)


def _input_size(letter: dict[str, Any]) -> str:
    """How big the failed input was, and whether the dead letter holds only its start."""
    size = letter.get("raw_size", -1)
    if size is None or size < 0:  # written before dead letters recorded the size
        size = len(letter["raw_payload"])
    return f"{size:,} B" + (" (cut)" if letter.get("raw_truncated") else "")


def _event_row(record: dict[str, Any]) -> list[str]:
    when = record["event_time"]
    start = when["start"]
    date = start.strftime("%Y-%m-%d") if isinstance(start, datetime) else str(start)
    if when["granularity"] in ("MONTH", "YEAR", "WEEK", "RANGE"):
        date += f" ({when['granularity'].lower()})"
    actors = record["actors"]
    who = _names(actors, ("SPEAKER", "SOURCE"))
    whom = _names(actors, ("TARGET",))
    where = _names(actors, ("LOCATION",))
    details = []
    if record.get("quote"):
        details.append(f"“{_short(record['quote']['text'], 60)}”")
    if record.get("casualties"):
        c = record["casualties"]
        figures = ", ".join(f"{k} {c[k]:,}" for k in ("killed", "injured") if c[k] is not None)
        details.append(
            f"{figures or c['figure_text']} ({c['scope'].lower()})" + (" ⚠ conflicting" if c["conflicting"] else "")
        )
    mode = f" / {record['event_mode']}" if record.get("event_mode") else ""
    return [
        date,
        record["event_type"] + mode,
        record["modality"].lower(),
        who,
        " @ ".join(x for x in (whom, where) if x),
        "; ".join(details),
        _short(record["sentence"]["text"], 110),
    ]


def _names(actors: list[dict[str, Any]], roles: tuple[str, ...]) -> str:
    names = [a["canonical"] or a["text"] for a in actors if a["role"] in roles]
    return ", ".join(dict.fromkeys(names))


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def print_records(records: list[dict[str, Any]], fmt: str, title: str, console: Console) -> None:
    if fmt == "json":
        for record in records:
            console.print(as_json(record), markup=False, highlight=False, soft_wrap=True)
        return
    if records and "raw_payload" in records[0]:
        console.print(dead_letter_table(records, title))
    elif records and "window_start" in records[0]:
        console.print(aggregate_table(records, title))
    elif records and "story_id" in records[0] and "member_event_ids" in records[0]:
        console.print(story_table(records, title))
    else:
        console.print(event_table(records, title))
