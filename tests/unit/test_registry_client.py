"""The registry client's edges, without a registry: wire headers, pickling for Beam workers,
and a registry that does not answer (waited out, then the run fails; never a dead letter)."""

from __future__ import annotations

import pickle
import socket
import time

import pytest
from pipeline.errors import InvalidRecord
from pipeline.io.registry import RegistryUnavailable, WriterSchemas, schema_id_of, subject_for


def test_the_wire_header_gives_the_schema_id_and_anything_else_gives_none() -> None:
    assert schema_id_of(b"\x00\x00\x00\x01\x02rest") == 258
    assert schema_id_of(b"\x02\x00\x00\x01\x02rest") is None
    assert schema_id_of(b"\x00\x00") is None
    assert subject_for("events") == "events-value"


def test_writer_schemas_travel_to_workers_without_their_client() -> None:
    schemas = WriterSchemas("http://127.0.0.1:9/apis/ccompat/v7", outage_limit_s=12)
    copy = pickle.loads(pickle.dumps(schemas))
    assert copy.url == schemas.url and copy.__getstate__() == {"url": schemas.url, "outage_limit_s": 12}


def test_a_record_without_a_header_is_invalid_input() -> None:
    with pytest.raises(InvalidRecord) as raised:
        WriterSchemas("http://127.0.0.1:9").decode(b"\x02abc", None)
    assert raised.value.kind == "invalid_avro"


def test_a_registry_that_does_not_answer_fails_the_run_after_the_outage_limit() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    schemas = WriterSchemas(f"http://127.0.0.1:{port}/apis/ccompat/v7", outage_limit_s=1.5)
    started = time.monotonic()
    with pytest.raises(RegistryUnavailable) as raised:
        schemas.get(7)
    assert 1.5 <= time.monotonic() - started < 30
    assert "has not answered for" in raised.value.reason and "outage limit is 2s" in raised.value.reason
