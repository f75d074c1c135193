"""How a broker's SASL rejection is caught: where kafka-python closes the connection with it,
whether or not it logged it (it does not when the broker's own close was read first)."""

from __future__ import annotations

from kafka.errors import KafkaConnectionError, SaslAuthenticationFailedError
from kafka.net.connection import KafkaConnection
from pipeline.io import admin


class _Transportless:
    """Just enough of a closed connection for KafkaConnection.close to run on."""

    transport = None

    def connection_lost(self, error: object) -> None:
        self.lost = error


def test_a_rejection_closing_a_connection_reaches_the_listener_in_the_brokers_words() -> None:
    rejection = SaslAuthenticationFailedError(
        "SaslAuthenticationFailedError: Authentication failed: Invalid username or password"
    )
    connection = _Transportless()
    with admin._listening_for_auth_failures() as listener:
        KafkaConnection.close(connection, KafkaConnectionError("closed by the broker"))  # type: ignore[arg-type]
        assert listener.reason is None
        KafkaConnection.close(connection, rejection)  # type: ignore[arg-type]
    assert connection.lost is rejection
    assert listener.reason == "SaslAuthenticationFailedError: Authentication failed: Invalid username or password"


def test_no_listener_is_left_behind() -> None:
    with admin._listening_for_auth_failures():
        pass
    assert admin._ACTIVE_LISTENERS == []
