"""Broker checks and topic admin, with one-line errors for what a user can fix."""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import socket
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import (
    AuthorizationError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    SaslAuthenticationFailedError,
    TopicAlreadyExistsError,
    UnsupportedSaslMechanismError,
)

from pipeline.errors import UserError
from pipeline.io.outage import describe
from pipeline.io.sasl_check import sasl_rejection
from pipeline.kafka_settings import KafkaSettings

# A broker that accepts TCP connections gets this long for the Kafka handshake (SASL included),
# so that a rejection on a loaded machine is seen as one: at 10 s, a handshake behind a busy
# broker (CI, beside a streaming run) was once reported as an unreachable broker.
CONNECT_TIMEOUT_MS = 30_000
# Whether anything listens at the bootstrap addresses is known much sooner.
TCP_PROBE_TIMEOUT_S = 5.0
# A record batch and its record headers take this much beside the key and value.
RECORD_OVERHEAD_BYTES = 512


def describe_kafka_error(kafka: KafkaSettings, err: KafkaError, doing: str) -> UserError:
    """A one-line UserError for a failure of `doing` that says which kind of failure it was."""
    servers = kafka.bootstrap_servers
    if isinstance(err, SaslAuthenticationFailedError | UnsupportedSaslMechanismError):
        return rejected_credentials(kafka, _reason(err))
    if isinstance(err, AuthorizationError):
        return UserError(f"Kafka at {servers} does not allow {doing} ({kafka.describe_auth()}): {_reason(err)}")
    if isinstance(err, KafkaConnectionError | KafkaTimeoutError):
        return UserError(f"cannot reach a Kafka broker at {servers} within {CONNECT_TIMEOUT_MS // 1000}s")
    return UserError(f"{doing} at {servers} failed: {_reason(err)}")


def rejected_credentials(kafka: KafkaSettings, reason: str) -> UserError:
    return UserError(f"Kafka at {kafka.bootstrap_servers} rejected the credentials ({kafka.describe_auth()}): {reason}")


def _unreachable(servers: str) -> UserError | None:
    """A UserError when no bootstrap address accepts a TCP connection: said at once, rather
    than after kafka-python's retries for the whole connect limit."""
    failures = []
    for server in servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            socket.create_connection((host.strip("[]") or "localhost", int(port)), TCP_PROBE_TIMEOUT_S).close()
            return None
        except (OSError, ValueError) as err:
            failures.append(f"{server.strip()}: {err.strerror if isinstance(err, OSError) and err.strerror else err}")
    return UserError(f"cannot reach a Kafka broker at {servers} ({'; '.join(failures)})")


def _reason(err: BaseException) -> str:
    # "[Error 58] SaslAuthenticationFailedError: ..." as "SaslAuthenticationFailedError: ...",
    # the same words as the reason taken from kafka-python's log.
    return describe(_ERROR_CODE.sub("", str(err), count=1)) if _ERROR_CODE.match(str(err)) else describe(err)


_ERROR_CODE = re.compile(r"\[Error -?\d+\] ")


# The broker's reason, wherever kafka-python's message wraps it ("... Connection lost: [Error
# 58] SaslAuthenticationFailedError: SaslAuthenticationFailedError: Authentication failed: ...").
_AUTH_FAILURE = re.compile(r"(SaslAuthenticationFailedError|UnsupportedSaslMechanismError)(?:: \1)?: ([^()\n]+)")


class _AuthFailureListener(logging.Handler):
    """kafka-python reports a broker's SASL rejection only in its log, then times out as if the
    broker were unreachable; this handler keeps the broker's reason."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)  # a failed re-authentication is a warning
        self.reason: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        match = _AUTH_FAILURE.search(record.getMessage())
        if match and self.reason is None:
            self.reason = f"{match.group(1)}: {match.group(2).strip()}"


_ACTIVE_LISTENERS: list[_AuthFailureListener] = []
_ACTIVE_LOCK = threading.Lock()


def _seen_on_close(error: object) -> None:
    if not isinstance(error, SaslAuthenticationFailedError | UnsupportedSaslMechanismError):
        return
    match = _AUTH_FAILURE.search(" ".join(str(error).split()))
    reason = f"{match.group(1)}: {match.group(2).strip()}" if match else describe(error)
    with _ACTIVE_LOCK:
        for listener in _ACTIVE_LISTENERS:
            if listener.reason is None:
                listener.reason = reason


@functools.cache
def _watch_connection_closes() -> None:
    """kafka-python 3 closes a connection with the broker's SASL rejection, but it logs the
    rejection only if the broker's own close has not been read first; under load it often has,
    and the client then retries until its limit as if the broker were unreachable. So the
    rejection is taken where the connection is closed with it (a wrapper on the close)."""
    try:
        from kafka.net.connection import KafkaConnection
    except ImportError:  # another kafka-python layout: the log listener alone
        return
    original = KafkaConnection.close

    def close(self: Any, error: object = None) -> Any:
        _seen_on_close(error)
        return original(self, error)

    KafkaConnection.close = close


@contextlib.contextmanager
def _listening_for_auth_failures() -> Iterator[_AuthFailureListener]:
    # Every kafka-python logger: which one reports the rejection depends on where the
    # handshake fails (connection, manager).
    _watch_connection_closes()
    logger = logging.getLogger("kafka")
    listener = _AuthFailureListener()
    with _ACTIVE_LOCK:
        _ACTIVE_LISTENERS.append(listener)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(listener)
    logger.setLevel(logging.WARNING)
    logger.propagate = False  # the CLI keeps kafka-python's own log quiet
    try:
        yield listener
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE_LISTENERS.remove(listener)
        logger.removeHandler(listener)
        logger.setLevel(level)
        logger.propagate = propagate


def admin_client(kafka: KafkaSettings, timeout_ms: int = CONNECT_TIMEOUT_MS) -> KafkaAdminClient:
    """A connected admin client, or a UserError that tells unreachable from rejected."""
    config: dict[str, Any] = kafka.config_for("admin")
    config.setdefault("client_id", "newsevents-admin")
    config.update(request_timeout_ms=timeout_ms, bootstrap_timeout_ms=timeout_ms)
    unreachable = _unreachable(kafka.bootstrap_servers)
    if unreachable is not None:
        raise unreachable
    rejected = sasl_rejection(config, timeout_ms / 1000)
    if rejected is not None:
        raise rejected_credentials(kafka, rejected)
    with _listening_for_auth_failures() as auth:
        try:
            return KafkaAdminClient(**config)
        except KafkaError as err:
            if auth.reason is not None:
                raise rejected_credentials(kafka, auth.reason) from None
            raise describe_kafka_error(kafka, err, "connecting") from None


def require_topics(kafka: KafkaSettings, topics: Iterable[str]) -> None:
    """Raise UserError naming every topic that does not exist."""
    wanted = [t for t in dict.fromkeys(topics) if t]
    client = admin_client(kafka)
    try:
        existing = set(client.list_topics())
    except KafkaError as err:
        raise describe_kafka_error(kafka, err, "listing topics") from None
    finally:
        client.close()
    missing = [t for t in wanted if t not in existing]
    if missing:
        names = ", ".join(f"'{t}'" for t in missing)
        raise UserError(
            f"topic {names} does not exist at {kafka.bootstrap_servers} "
            f"(create it with: newsevents topics create {' '.join(missing)})"
        )


def record_limits(kafka: KafkaSettings, topics: Iterable[str]) -> dict[str, int]:
    """The largest value each topic takes: its max.message.bytes and the producer's
    max_request_size, less the batch overhead."""
    names = list(dict.fromkeys(topics))
    producer_limit = kafka.producer.max_request_size or 1_048_576
    client = admin_client(kafka)
    try:
        found = client.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name, configs={"max.message.bytes": None}) for name in names],
            config_filter="all",
        )
    except KafkaError as err:
        raise describe_kafka_error(kafka, err, "reading topic configs") from None
    finally:
        client.close()
    limits = {}
    for name in names:
        entry = found.get("topic", {}).get(name, {}).get("max.message.bytes", {})
        topic_limit = int(entry["value"]) if entry.get("value") else producer_limit
        limits[name] = min(topic_limit, producer_limit) - RECORD_OVERHEAD_BYTES
    return limits


def create_topics(
    kafka: KafkaSettings, topics: Iterable[str], partitions: int, replication: int = 1, *, compacted: bool = False
) -> list[str]:
    """Create the topics that do not exist yet; returns the names created. A compacted topic
    keeps the newest record of each key: the shape of an upsert topic (aggregates)."""
    configs = {"cleanup.policy": "compact"} if compacted else {}
    client = admin_client(kafka)
    try:
        existing = set(client.list_topics())
        new = [
            NewTopic(t, partitions, replication, topic_configs=configs)
            for t in dict.fromkeys(topics)
            if t not in existing
        ]
        if new:
            with contextlib.suppress(TopicAlreadyExistsError):  # created concurrently: fine
                client.create_topics(new)
        return [t.name for t in new]
    except KafkaError as err:
        raise describe_kafka_error(kafka, err, "creating topics") from None
    finally:
        client.close()
