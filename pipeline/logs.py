"""Logging for the command line: third-party chatter off, real problems still shown."""

from __future__ import annotations

import logging


class _DropKnownNoise(logging.Filter):
    """Beam warns at import that optional GCP libraries are missing; that is expected here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


def quiet_third_party_logs() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_DropKnownNoise())
    # kafka-python logs every retry of a refused connection; our errors say it in one line.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    logging.getLogger("apache_beam").setLevel(logging.ERROR)
    logging.getLogger("__main__").setLevel(logging.WARNING)
