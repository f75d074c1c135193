"""The direct SASL check reads a broker's verdict on the credentials, against a fake broker on
127.0.0.1 that speaks the two requests and closes the connection right after its answer, as a
Kafka broker does after a rejection."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kafka.protocol.sasl import SaslAuthenticateResponse, SaslHandshakeResponse
from pipeline.io.sasl_check import sasl_rejection

HANDSHAKE, AUTHENTICATE = 17, 36
# What the fake broker answers to each API key; None: it closes without an answer.
Answers = Callable[[int], Any]


def _config(port: int, mechanism: str = "PLAIN", protocol: str = "SASL_PLAINTEXT") -> dict[str, Any]:
    return {
        "bootstrap_servers": [f"127.0.0.1:{port}"],
        "security_protocol": protocol,
        "sasl_mechanism": mechanism,
        "sasl_plain_username": "analyst",
        "sasl_plain_password": "wrong",
    }


def _read(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("client closed")
        data += chunk
    return data


@contextmanager
def fake_broker(answers: Answers) -> Iterator[tuple[int, list[int]]]:
    """A one-connection broker; yields its port and the API keys it was asked."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(10)
    asked: list[int] = []

    def serve() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            try:
                while True:
                    (size,) = struct.unpack(">i", _read(conn, 4))
                    request = _read(conn, size)
                    api_key, _, correlation_id = struct.unpack(">hhi", request[:8])
                    asked.append(api_key)
                    answer = answers(api_key)
                    if answer is None:
                        return
                    answer.with_header(correlation_id=correlation_id)
                    conn.sendall(answer.encode(framed=True, header=True))
                    if getattr(answer, "error_code", 0):
                        return  # a broker closes right after a rejection
            except (ConnectionError, OSError):
                return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], asked
    finally:
        if thread.is_alive():  # wake an accept nobody came to, so that the thread ends now
            with contextlib.suppress(OSError):
                socket.create_connection(server.getsockname(), timeout=1).close()
        thread.join(timeout=10)
        server.close()


def _handshake(mechanisms: list[str]) -> SaslHandshakeResponse:
    return SaslHandshakeResponse(error_code=0, mechanisms=mechanisms, version=1)


def _authenticate(error_code: int, message: str | None) -> SaslAuthenticateResponse:
    return SaslAuthenticateResponse(
        error_code=error_code, error_message=message, auth_bytes=b"", session_lifetime_ms=0, version=1
    )


def test_a_rejection_is_read_although_the_broker_closes_right_after_it() -> None:
    answers = {HANDSHAKE: _handshake(["PLAIN"]), AUTHENTICATE: _authenticate(58, "Authentication failed: bad password")}
    with fake_broker(answers.get) as (port, asked):
        reason = sasl_rejection(_config(port), timeout_s=5)
    assert reason == "SaslAuthenticationFailedError: Authentication failed: bad password"
    assert asked == [HANDSHAKE, AUTHENTICATE]


def test_accepted_credentials_give_no_reason() -> None:
    answers = {HANDSHAKE: _handshake(["SCRAM-SHA-512", "PLAIN"]), AUTHENTICATE: _authenticate(0, None)}
    with fake_broker(answers.get) as (port, asked):
        assert sasl_rejection(_config(port), timeout_s=5) is None
    assert asked == [HANDSHAKE, AUTHENTICATE]


def test_a_mechanism_the_broker_does_not_offer_is_a_rejection() -> None:
    with fake_broker({HANDSHAKE: _handshake(["PLAIN"])}.get) as (port, asked):
        reason = sasl_rejection(_config(port, mechanism="SCRAM-SHA-256"), timeout_s=5)
    assert reason == "UnsupportedSaslMechanismError: the broker offers PLAIN, not SCRAM-SHA-256"
    assert asked == [HANDSHAKE]


def test_no_verdict_when_the_broker_closes_without_answering() -> None:
    with fake_broker({HANDSHAKE: _handshake(["PLAIN"])}.get) as (port, asked):
        assert sasl_rejection(_config(port), timeout_s=5) is None
    assert asked == [HANDSHAKE, AUTHENTICATE]  # asked, then closed: the client's own connection reports it


def test_nothing_is_checked_without_sasl_or_with_a_mechanism_it_cannot_replay() -> None:
    with fake_broker({HANDSHAKE: _handshake(["PLAIN"])}.get) as (port, asked):
        assert sasl_rejection(_config(port, protocol="PLAINTEXT"), timeout_s=5) is None
        assert sasl_rejection(_config(port, mechanism="GSSAPI"), timeout_s=5) is None
    assert asked == []


def test_no_verdict_when_nothing_listens() -> None:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    assert sasl_rejection(_config(port), timeout_s=2) is None
