"""Outages are waited out with growing back-off, for as long as the limit allows; a fatal
reason survives the trip through a runner's error text."""

from __future__ import annotations

import pytest
from kafka.errors import KafkaTimeoutError
from pipeline.errors import BrokerUnavailable, FatalRunError, SinkRejected, fatal_reason
from pipeline.io.outage import MAX_BACKOFF_S, OutageClock, describe


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_failures_back_off_more_and_more_up_to_a_cap() -> None:
    clock = FakeClock()
    outage = OutageClock(300, "reading 'articles'", "h:9092", clock)
    delays = [outage.failed(ConnectionError("refused")) for _ in range(8)]
    assert delays == sorted(delays) and delays[0] < delays[-1] == MAX_BACKOFF_S


def test_an_outage_longer_than_the_limit_is_fatal_with_a_one_line_reason() -> None:
    clock = FakeClock()
    outage = OutageClock(30, "writing to 'events'", "h:9092", clock)
    outage.failed(TimeoutError("no metadata\nafter 10s"))
    clock.now += 29
    outage.failed(TimeoutError("still nothing"))
    clock.now += 2
    with pytest.raises(BrokerUnavailable) as caught:
        outage.failed(TimeoutError("still nothing"))
    reason = caught.value.reason
    assert reason.startswith("Kafka at h:9092 has not answered for 31s (writing to 'events': TimeoutError")
    assert "outage limit is 30s (--outage-limit)" in reason and "\n" not in reason


def test_a_success_ends_the_outage() -> None:
    clock = FakeClock()
    outage = OutageClock(30, "reading", "h:9092", clock)
    outage.failed(OSError("down"))
    clock.now += 25
    outage.ok()
    clock.now += 25
    outage.failed(OSError("down again"))  # a new outage: 0 s so far, not 50
    assert outage.down_for == 0 and outage.remaining() == 30


@pytest.mark.parametrize("error", [BrokerUnavailable("gone for 301s"), SinkRejected("topic 'e' refused 3 records")])
def test_the_fatal_reason_is_found_in_a_runners_traceback_text(error: FatalRunError) -> None:
    assert fatal_reason(error) == error.reason
    wrapped = RuntimeError(
        "Pipeline job-001 failed in state FAILED: Traceback (most recent call last):\n"
        f'  File "sink.py", line 9, in finish_bundle\n{type(error).__name__}: {error}\n'
    )
    assert fatal_reason(wrapped) == error.reason
    assert fatal_reason(RuntimeError(repr(str(error)))) == error.reason  # escaped inside a repr


def test_an_error_without_a_fatal_reason_has_none() -> None:
    assert fatal_reason(RuntimeError("worker lost")) is None


def test_a_reason_framed_twice_by_a_runner_comes_out_once() -> None:
    error = SinkRejected("topic 'e' does not exist")
    beam_style = SinkRejected(f"{error} [while running 'WriteEvents/ToKafka']")
    assert beam_style.reason == "topic 'e' does not exist"
    assert fatal_reason(RuntimeError(f"[newsevents-fatal] {error} [x] [/newsevents-fatal]")) == error.reason


def test_an_error_is_described_once_by_name() -> None:
    assert describe(KafkaTimeoutError("Failed to update metadata")) == "KafkaTimeoutError: Failed to update metadata"
    assert describe(TimeoutError("no\nreply")) == "TimeoutError: no reply"
    assert describe(OSError()) == "OSError"
