"""The commands against the real broker: missing topics, produce, run and inspect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from pipeline.io.admin import admin_client
from pipeline.kafka_settings import KafkaSettings

pytestmark = pytest.mark.kafka
SAMPLES = sorted((Path(__file__).resolve().parents[2] / "data" / "samples").glob("*.json"))


def newsevents(*args: str, timeout: int = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_a_missing_topic_is_one_clear_line(kafka_bootstrap: str, topic_factory: Callable[[str], str]) -> None:
    existing = topic_factory("cli-in")
    result = newsevents("run", "-b", kafka_bootstrap, "-i", existing, "-o", "no-such-events", "-d", "no-such-dead")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"newsevents: error: topic 'no-such-events', 'no-such-dead' does not exist at {kafka_bootstrap} "
        "(create it with: newsevents topics create no-such-events no-such-dead)"
    ]


def test_produce_run_and_inspect_the_samples(
    kafka_bootstrap: str, topic_factory: Callable[[str], str], tmp_path: Path
) -> None:
    source, events, dead = topic_factory("cli-articles"), topic_factory("cli-events"), topic_factory("cli-dead")
    produced = newsevents("produce", *map(str, SAMPLES), "-t", source, "-b", kafka_bootstrap)
    assert produced.returncode == 0, produced.stderr
    assert f"published {len(SAMPLES)} records" in produced.stdout

    ran = newsevents(
        "run", "-b", kafka_bootstrap, "-i", source, "-o", events, "-d", dead, "--bounded", "--output-dir", str(tmp_path)
    )
    assert ran.returncode == 0, ran.stderr
    assert "balanced" in ran.stdout and "NOT balanced" not in ran.stdout

    from_topic = newsevents("inspect", "-t", events, "-b", kafka_bootstrap, "-f", "json", "--max-wait", "2")
    from_files = newsevents("inspect", str(tmp_path / "events-*.avro"), "-f", "json")
    topic_ids = sorted(json.loads(line)["event_id"] for line in from_topic.stdout.splitlines())
    file_ids = sorted(json.loads(line)["event_id"] for line in from_files.stdout.splitlines())
    assert topic_ids == file_ids and len(topic_ids) > 20

    table = newsevents("inspect", str(tmp_path / "events-*.avro"), "--type", "STRIKE", "-n", "3")
    assert table.returncode == 0 and "STRIKE" in table.stdout and "3 records" in table.stdout


def sasl(bootstrap: str) -> str:
    """scripts/kafka-local serves SASL_PLAINTEXT (PLAIN) on the port after the controller's."""
    host, _, port = bootstrap.rpartition(":")
    return f"{host}:{int(port) + 2}"


def test_a_run_authenticates_with_a_digit_only_password_from_a_properties_file(
    kafka_bootstrap: str, topic_factory: Callable[[str], str], tmp_path: Path
) -> None:
    source, events, dead = topic_factory("sasl-in"), topic_factory("sasl-events"), topic_factory("sasl-dead")
    properties = tmp_path / "client.properties"
    properties.write_text(
        f"bootstrap.servers={sasl(kafka_bootstrap)}\n"
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
        'username="newsevents" password="20261201";\n'
    )
    produced = newsevents("produce", str(SAMPLES[0]), "-t", source, "--kafka-config", str(properties))
    assert produced.returncode == 0, produced.stderr
    ran = newsevents("run", "-i", source, "-o", events, "-d", dead, "--bounded", "--kafka-config", str(properties))
    assert ran.returncode == 0, ran.stderr
    assert "20261201" not in ran.stdout + ran.stderr
    listed = newsevents("inspect", "-t", events, "-f", "json", "--max-wait", "2", "--kafka-config", str(properties))
    assert len(listed.stdout.splitlines()) > 3


def test_a_wrong_password_is_reported_as_rejected_credentials(kafka_bootstrap: str) -> None:
    env = {
        "NEWSEVENTS_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "NEWSEVENTS_KAFKA_SASL_MECHANISM": "PLAIN",
        "NEWSEVENTS_KAFKA_SASL_PLAIN_USERNAME": "newsevents",
        "NEWSEVENTS_KAFKA_SASL_PLAIN_PASSWORD": "not-the-password",
    }
    result = newsevents("topics", "list", "-b", sasl(kafka_bootstrap), env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"newsevents: error: Kafka at {sasl(kafka_bootstrap)} rejected the credentials (SASL PLAIN as 'newsevents'): "
        "SaslAuthenticationFailedError: Authentication failed: Invalid username or password"
    ]
    assert "not-the-password" not in result.stderr


def test_an_output_topic_too_small_for_the_records_is_refused_at_start(
    kafka: KafkaSettings, kafka_bootstrap: str, topic_factory: Callable[[str], str]
) -> None:
    source, dead = topic_factory("tiny-in"), topic_factory("tiny-dead")
    events = f"tiny-events-{os.getpid()}"
    admin = admin_client(kafka)
    try:
        admin.create_topics([NewTopic(events, 1, 1, topic_configs={"max.message.bytes": "2000"})])
    finally:
        admin.close()
    try:
        result = newsevents("run", "-b", kafka_bootstrap, "-i", source, "-o", events, "-d", dead)
    finally:
        admin = admin_client(kafka)
        admin.delete_topics([events])
        admin.close()
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"newsevents: error: topic '{events}' accepts records of at most 1,488 bytes (max.message.bytes, less "
        "overhead); newsevents needs at least 17,408"
    ]


def test_an_upsert_topic_is_created_compacted(kafka: KafkaSettings, kafka_bootstrap: str) -> None:
    name = f"cli-aggregates-{uuid.uuid4().hex[:8]}"
    created = newsevents("topics", "create", name, "--compacted", "-p", "1", "-b", kafka_bootstrap)
    assert created.returncode == 0 and f"created: {name}" in created.stdout, created.stderr
    client = admin_client(kafka)
    try:
        found = client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)], config_filter="all")
        assert found["topic"][name]["cleanup.policy"]["value"] == "compact"
    finally:
        client.delete_topics([name])
        client.close()
