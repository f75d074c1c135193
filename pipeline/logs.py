"""Logging for the command line: third-party chatter off, real problems still shown, and the
workers' tracebacks kept in a log file rather than printed over the CLI's one-line messages."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from pipeline.errors import FATAL_MARK

_TRACEBACK = "Traceback (most recent call last)"


class _DropKnownNoise(logging.Filter):
    """Beam warns at import that optional GCP libraries are missing, which is expected here;
    and it logs a failed bundle with its traceback, which for our own fatal errors the CLI
    reports itself, in one line (errors.FatalRunError frames that reason)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        return "apitools not found" not in message and FATAL_MARK not in message + (record.exc_text or "")


def quiet_third_party_logs() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_DropKnownNoise())
    # kafka-python logs every retry of a refused connection; our errors say it in one line.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    logging.getLogger("apache_beam").setLevel(logging.ERROR)
    logging.getLogger("__main__").setLevel(logging.WARNING)


class WorkerLog:
    """Where a run's worker tracebacks went; the file exists only once one was written."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self.path: str | None = None

    def write(self, text: str) -> None:
        with self._lock:
            if self._file is None:
                descriptor, self.path = tempfile.mkstemp(prefix="newsevents-worker-", suffix=".log")
                self._file = os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace")
            self._file.write(text if text.endswith("\n") else text + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()


class _DivertingStderr:
    """sys.stderr during a run: Beam's SDK worker prints a failed bundle's traceback straight
    to sys.stderr (sdk_worker._execute); with an in-process worker that is the CLI's own
    terminal. Those go to the worker log; everything else passes through."""

    def __init__(self, stream: Any, log: WorkerLog) -> None:
        self._stream = stream
        self._log = log

    def write(self, text: str) -> int:
        if text.lstrip().startswith(_TRACEBACK):
            self._log.write(text)
            return len(text)
        written: int = self._stream.write(text)
        return written

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, ...
        return getattr(self._stream, name)


class _DivertTracebackRecords(logging.Filter):
    """Beam's log records of a failed bundle, with their tracebacks, go to the worker log."""

    def __init__(self, log: WorkerLog) -> None:
        super().__init__()
        self._log = log

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("apache_beam"):
            return True
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if _TRACEBACK not in text:
            return True
        self._log.write(f"{record.levelname} {record.name}: {text}")
        return False


@contextmanager
def worker_tracebacks_to_file() -> Iterator[WorkerLog]:
    """While a run lasts, keep worker tracebacks out of the terminal and in a log file.

    After a failed run the diversion stays: the CLI is about to exit, and the in-process
    worker's threads report the torn-down job a moment later."""
    log = WorkerLog()
    divert = _DivertTracebackRecords(log)
    handlers = logging.getLogger().handlers
    for handler in handlers:
        handler.addFilter(divert)
    original, sys.stderr = sys.stderr, _DivertingStderr(sys.stderr, log)
    hook = threading.excepthook

    def thread_failed(args: threading.ExceptHookArgs) -> None:
        # e.g. the loopback worker's job thread when the runner tears the failed job down
        name = args.thread.name if args.thread is not None else "?"
        trace = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        log.write(f"Exception in thread {name}:\n{trace}")

    threading.excepthook = thread_failed
    yield log
    threading.excepthook = hook
    sys.stderr = original
    for handler in handlers:
        handler.removeFilter(divert)
    log.close()
