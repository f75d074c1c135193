"""The package's exception types and the catalogue of dead-letter reasons."""

from __future__ import annotations

import re
from enum import StrEnum


class ErrorKind(StrEnum):
    """Machine-readable reasons a record ends in the dead-letter sink (schema field error_kind)."""

    NOT_UTF8 = "not_utf8"
    INVALID_UNICODE = "invalid_unicode"
    INVALID_JSON = "invalid_json"
    NESTED_TOO_DEEP = "nested_too_deep"
    INVALID_AVRO = "invalid_avro"
    NOT_AN_OBJECT = "not_an_object"
    MISSING_FIELD = "missing_field"
    WRONG_TYPE = "wrong_type"
    EMPTY_FIELD = "empty_field"
    BODY_TOO_LARGE = "body_too_large"
    INVALID_TIMESTAMP = "invalid_timestamp"
    UNUSABLE_TEXT = "unusable_text"
    UNREADABLE_ARCHIVE = "unreadable_archive"
    DECODE_FAILED = "decode_failed"
    EXTRACTION_FAILED = "extraction_failed"
    ENCODING_FAILED = "encoding_failed"
    RECORD_TOO_LARGE = "record_too_large"
    UNKNOWN_SCHEMA = "unknown_schema"


class NewsEventsError(Exception):
    """Base class of every error this package raises on purpose."""


class UserError(NewsEventsError):
    """A mistake the user can fix (arguments, unreachable broker, missing topic).

    The CLI prints the message on one line and exits non-zero, without a traceback.
    """


class RunFailed(NewsEventsError):
    """The pipeline failed; the message is one line, the reason (not the runner's traceback)."""


class InvalidRecord(NewsEventsError):
    """An input record that cannot become an article; routed to the dead-letter sink."""

    def __init__(self, kind: ErrorKind, message: str, article_id: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.article_id = article_id


# A fatal error crosses process and runner boundaries as text (Prism and worker processes
# report a failed bundle as a traceback string, sometimes as a repr), so its message is
# framed by markers that the CLI finds again to print one line.
_FATAL_OPEN, _FATAL_CLOSE = "[newsevents-fatal]", "[/newsevents-fatal]"
FATAL_MARK = _FATAL_OPEN
# The innermost framed reason: a runner may have framed an already framed message again.
_FATAL_PATTERN = re.compile(
    re.escape(_FATAL_OPEN) + r" ((?:(?!" + re.escape(_FATAL_OPEN) + r").)+?) " + re.escape(_FATAL_CLOSE)
)


class FatalRunError(NewsEventsError):
    """The run cannot go on (broker gone past the outage limit, topic deleted, records refused).

    Raised inside a bundle, it fails the bundle, so nothing derived from it is committed.
    """

    def __init__(self, message: str) -> None:
        # Beam re-raises a failed step's exception as type(err)(f"{err} [while running ...]"):
        # keep the reason that text already frames.
        self.reason = _framed_reason(message) or " ".join(message.split())
        super().__init__(f"{_FATAL_OPEN} {self.reason} {_FATAL_CLOSE}")


class BrokerUnavailable(FatalRunError):
    """No broker answered for longer than the outage limit."""


class SinkRejected(FatalRunError):
    """The broker refused records for a reason that waiting will not fix."""


def fatal_reason(error: BaseException) -> str | None:
    """The one-line reason of a FatalRunError, also when a runner wrapped it in text."""
    if isinstance(error, FatalRunError):
        return error.reason
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        reason = _framed_reason(str(current))
        if reason is not None:
            return reason
        current = current.__cause__ or current.__context__
    return None


def _framed_reason(text: str) -> str | None:
    match = _FATAL_PATTERN.search(text)
    return re.sub(r"\\(['\"\\])", r"\1", match.group(1)) if match else None
