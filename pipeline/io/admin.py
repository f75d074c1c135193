"""Broker checks and topic admin, with one-line errors for what a user can fix."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError, TopicAlreadyExistsError

from pipeline.config import KafkaSettings
from pipeline.errors import UserError

CONNECT_TIMEOUT_MS = 5000


def admin_client(kafka: KafkaSettings, timeout_ms: int = CONNECT_TIMEOUT_MS) -> KafkaAdminClient:
    config: dict[str, Any] = kafka.client_config()
    config.update(
        request_timeout_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms,
        client_id="newsevents-admin",
    )
    try:
        return KafkaAdminClient(**config)
    except (KafkaConnectionError, KafkaTimeoutError):
        raise UserError(
            f"cannot reach a Kafka broker at {kafka.bootstrap_servers} within {timeout_ms // 1000}s"
        ) from None
    except KafkaError as err:
        raise UserError(f"cannot connect to Kafka at {kafka.bootstrap_servers}: {err}") from None


def require_topics(kafka: KafkaSettings, topics: Iterable[str]) -> None:
    """Raise UserError naming every topic that does not exist."""
    wanted = [t for t in dict.fromkeys(topics) if t]
    client = admin_client(kafka)
    try:
        existing = set(client.list_topics())
    except KafkaError as err:
        raise UserError(f"cannot list topics at {kafka.bootstrap_servers}: {err}") from None
    finally:
        client.close()
    missing = [t for t in wanted if t not in existing]
    if missing:
        names = ", ".join(f"'{t}'" for t in missing)
        raise UserError(
            f"topic {names} does not exist at {kafka.bootstrap_servers} "
            f"(create it with: newsevents topics create {' '.join(missing)})"
        )


def create_topics(kafka: KafkaSettings, topics: Iterable[str], partitions: int, replication: int = 1) -> list[str]:
    """Create the topics that do not exist yet; returns the names created."""
    client = admin_client(kafka)
    try:
        existing = set(client.list_topics())
        new = [NewTopic(t, partitions, replication) for t in dict.fromkeys(topics) if t not in existing]
        if new:
            with contextlib.suppress(TopicAlreadyExistsError):  # created concurrently: fine
                client.create_topics(new)
        return [t.name for t in new]
    except KafkaError as err:
        raise UserError(f"cannot create topics at {kafka.bootstrap_servers}: {err}") from None
    finally:
        client.close()
