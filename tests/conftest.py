"""Shared fixtures. The Kafka broker is real: started once per session by scripts/kafka-local
(on a free 127.0.0.1 port, in a temporary data dir) and stopped by its PID at the end."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pipeline.config import KafkaSettings
from pipeline.io.admin import create_topics

ROOT = Path(__file__).resolve().parent.parent
KAFKA_SCRIPT = ROOT / "scripts" / "kafka-local"
REGISTRY_SCRIPT = ROOT / "scripts" / "registry-local"


def _ephemeral_ports() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port(below_ephemeral: bool = False) -> int:
    """A free port P with P+1 (controller) and P+2 (SASL) free too.

    `below_ephemeral` picks one outside the kernel's ephemeral range, for a broker that is
    restarted: while it is down, a client's outgoing socket could otherwise take its port.
    """
    for _ in range(200):
        if below_ephemeral:
            port = random.randrange(20_000, _ephemeral_ports()[0] - 3)
        else:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
        if all(_bindable(port + extra) for extra in (0, 1, 2)):
            return port
    raise RuntimeError("no free port triple found")


@contextmanager
def _local_service(script: Path, what: str, start_args: list[str], stop_args: list[str]) -> Iterator[None]:
    """A service started by one of our scripts for the session, stopped by PID at its end.
    Fail, never skip, when it does not start: CI must run the tests that need it."""
    started = subprocess.run([str(script), "start", *start_args], capture_output=True, text=True, timeout=900)
    if started.returncode != 0:
        pytest.fail(f"could not start the local {what}:\n{started.stdout}\n{started.stderr}")
    try:
        yield
    finally:
        subprocess.run([str(script), "stop", *stop_args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """HOST:PORT of a running broker: NEWSEVENTS_TEST_BOOTSTRAP if set, else one we start."""
    given = os.environ.get("NEWSEVENTS_TEST_BOOTSTRAP")
    if given:
        yield given
        return
    port = _free_port()
    args = ["--port", str(port), "--data-dir", str(tmp_path_factory.mktemp("kafka"))]
    with _local_service(KAFKA_SCRIPT, "Kafka broker", args, args):
        yield f"127.0.0.1:{port}"


@pytest.fixture(scope="session")
def schema_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a real Confluent-compatible registry (Apicurio, scripts/registry-local) that we
    start: NEWSEVENTS_TEST_REGISTRY if set."""
    given = os.environ.get("NEWSEVENTS_TEST_REGISTRY")
    if given:
        yield given
        return
    port = _free_port(below_ephemeral=True)  # the registry also takes port + 1 (management)
    data_dir = ["--data-dir", str(tmp_path_factory.mktemp("registry"))]
    with _local_service(REGISTRY_SCRIPT, "schema registry", ["--port", str(port), *data_dir], data_dir):
        yield f"http://127.0.0.1:{port}/apis/ccompat/v7"


@pytest.fixture(scope="session")
def kafka(kafka_bootstrap: str) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=kafka_bootstrap)


@pytest.fixture
def topic_factory(kafka: KafkaSettings) -> Iterator[object]:
    """Creates uuid-named topics for one test and deletes them afterwards."""
    created: list[str] = []

    def make(prefix: str, partitions: int = 3) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        create_topics(kafka, [name], partitions)
        created.append(name)
        return name

    yield make
    if created:
        from pipeline.io.admin import admin_client

        client = admin_client(kafka)
        try:
            remaining = [name for name in created if name in set(client.list_topics())]  # a test may delete one
            if remaining:
                client.delete_topics(remaining)
        finally:
            client.close()


@pytest.fixture(scope="session")
def extractor():  # type: ignore[no-untyped-def]
    """The real extractor with the default spaCy model, loaded once per session."""
    from pipeline.nlp.extractor import EventExtractor

    return EventExtractor.load()


RUNNERS = ["FnApiRunner", "PrismRunner"]


@pytest.fixture(scope="session")
def prism_endpoint() -> Iterator[str]:
    """One Prism job server for the session's TestPipelines (runs start their own)."""
    from pipeline.prism import find_prism, prism_job_server

    binary = find_prism()
    if binary is None:
        pytest.fail("Prism is not installed: make setup builds it into .local/bin/prism")
    with prism_job_server(binary) as endpoint:
        yield endpoint


@pytest.fixture(params=RUNNERS)
def runner_name(request: pytest.FixtureRequest) -> str:
    """Each pipeline test runs on both local runners."""
    name: str = request.param
    return name


@pytest.fixture
def beam_options(runner_name: str, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Options for a TestPipeline on `runner_name` (Prism through the session's job server)."""
    from pipeline.runner import choose_runner, options_for

    choice = choose_runner([f"--runner={runner_name}"], streaming=False)
    endpoint = request.getfixturevalue("prism_endpoint") if choice.prism else None
    return options_for(choice, streaming=False, job_endpoint=endpoint)
