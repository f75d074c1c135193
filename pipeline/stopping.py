"""A clean stop: the first SIGINT or SIGTERM asks the readers to stop claiming records; the
second one forces the stop.

The request is a file that appears, so that every worker on this machine sees it: DoFns run in
the CLI process (FnApiRunner, Prism's loopback worker) or in worker processes of their own
(`--direct_running_mode=multi_processing`). Readers check it between polls; a reader that sees
it ends its restriction where it is, its bundle finishes normally (sinks flush, files close),
and the finalizer commits what was written. Cluster runners have their own drain (Dataflow's
`drain` truncates the readers' restrictions).
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType


class ForcedStop(KeyboardInterrupt):
    """The second signal: stop now, without waiting for in-flight bundles."""


@dataclass(frozen=True, slots=True)
class StopFile:
    """Seen by readers: a stop has been requested once `path` exists."""

    path: str | None

    def requested(self) -> bool:
        return self.path is not None and os.path.exists(self.path)


@dataclass
class StopRequest:
    """What the signal handlers recorded: which signal asked to stop, if any."""

    stop_file: StopFile
    signal_name: str | None = None
    _count: int = field(default=0, repr=False)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        del frame
        self._count += 1
        if self._count > 1:
            raise ForcedStop
        self.signal_name = signal.Signals(signum).name
        if self.stop_file.path is not None:
            Path(self.stop_file.path).touch()


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """SIGINT and SIGTERM request a clean stop while the block runs; handlers are restored after."""
    directory = tempfile.mkdtemp(prefix="newsevents-run-")
    request = StopRequest(StopFile(os.path.join(directory, "stop")))
    previous = {sig: signal.signal(sig, request.on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield request
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        Path(directory, "stop").unlink(missing_ok=True)
        os.rmdir(directory)
