"""The commands against the real broker: missing topics, produce, run and inspect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.kafka
SAMPLES = sorted((Path(__file__).resolve().parents[2] / "data" / "samples").glob("*.json"))


def newsevents(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
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
