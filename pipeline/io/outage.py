"""Riding out outages of a service (Kafka, the schema registry): how long it has been failing,
logged, bounded by a limit."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from pipeline.errors import BrokerUnavailable, FatalRunError

LOGGER = logging.getLogger("newsevents.kafka")
# Log a continuing outage at most this often, so that a long one is visible but not noisy.
LOG_EVERY_S = 10.0
MAX_BACKOFF_S = 5.0


class OutageClock:
    """Tracks one client's unbroken run of failures.

    `failed()` returns how long to back off before the next try, and raises `error`
    (BrokerUnavailable by default) once the failures have lasted longer than `limit_s`; `ok()`
    ends the outage.
    """

    def __init__(
        self,
        limit_s: float,
        what: str,
        servers: str,
        clock: Callable[[], float] = time.monotonic,
        *,
        service: str = "Kafka",
        error: type[FatalRunError] = BrokerUnavailable,
    ) -> None:
        self.limit_s = limit_s
        self._what = what
        self._servers = servers
        self._clock = clock
        self._service = service
        self._error = error
        self._since: float | None = None
        self._logged_at: float | None = None
        self._failures = 0

    @property
    def down_for(self) -> float:
        return 0.0 if self._since is None else self._clock() - self._since

    def ok(self) -> None:
        if self._since is not None and self._logged_at is not None:
            LOGGER.warning("%s at %s is back after %.0fs (%s)", self._service, self._servers, self.down_for, self._what)
        self._since = None
        self._logged_at = None
        self._failures = 0

    def failed(self, error: object) -> float:
        """Record a failure; returns the back-off in seconds.

        Raises:
            FatalRunError: (the clock's `error`) the failures have lasted longer than the limit.
        """
        now = self._clock()
        if self._since is None:
            self._since = now
        self._failures += 1
        down = now - self._since
        if down > self.limit_s:
            raise self._error(
                f"{self._service} at {self._servers} has not answered for {down:.0f}s ({self._what}: {_brief(error)}); "
                f"the outage limit is {self.limit_s:.0f}s (--outage-limit)"
            )
        if self._logged_at is None or now - self._logged_at >= LOG_EVERY_S:
            self._logged_at = now
            LOGGER.warning(
                "%s at %s unreachable for %.0fs (%s: %s); retrying for up to %.0fs",
                self._service,
                self._servers,
                down,
                self._what,
                _brief(error),
                self.limit_s,
            )
        return min(MAX_BACKOFF_S, 0.2 * 2 ** min(self._failures, 5))

    def remaining(self) -> float:
        return max(0.0, self.limit_s - self.down_for)


def _brief(error: object) -> str:
    return describe(error)[:300]


def describe(error: object) -> str:
    """`Name: message` on one line (kafka-python's messages often start with the name already)."""
    text = " ".join(str(error).split())
    if not isinstance(error, BaseException):
        return text
    name = type(error).__name__
    return text if text.startswith(name) else f"{name}: {text}" if text else name
