"""The package's exception types and the catalogue of dead-letter reasons."""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    """Machine-readable reasons a record ends in the dead-letter sink (schema field error_kind)."""

    NOT_UTF8 = "not_utf8"
    INVALID_JSON = "invalid_json"
    INVALID_AVRO = "invalid_avro"
    NOT_AN_OBJECT = "not_an_object"
    MISSING_FIELD = "missing_field"
    WRONG_TYPE = "wrong_type"
    EMPTY_FIELD = "empty_field"
    BODY_TOO_LARGE = "body_too_large"
    INVALID_TIMESTAMP = "invalid_timestamp"
    UNUSABLE_TEXT = "unusable_text"
    UNREADABLE_ARCHIVE = "unreadable_archive"
    EXTRACTION_FAILED = "extraction_failed"
    ENCODING_FAILED = "encoding_failed"


class NewsEventsError(Exception):
    """Base class of every error this package raises on purpose."""


class UserError(NewsEventsError):
    """A mistake the user can fix (arguments, unreachable broker, missing topic).

    The CLI prints the message on one line and exits non-zero, without a traceback.
    """


class InvalidRecord(NewsEventsError):
    """An input record that cannot become an article; routed to the dead-letter sink."""

    def __init__(self, kind: ErrorKind, message: str, article_id: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.article_id = article_id


class SinkError(NewsEventsError):
    """A write that did not complete; fails the bundle so that its input is retried."""
