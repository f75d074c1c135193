"""Prism, Beam's reference portable runner, as a child process of the CLI.

`make setup` builds it from the Go module proxy at the Beam version pinned in pyproject.toml
(scripts/install-prism) into `.local/bin/prism`. The CLI starts it on a free port for each run
and submits the pipeline to it with a LOOPBACK environment, so the DoFns run in this process.
Its process is ours: it gets a session of its own (a Ctrl-C in the terminal reaches only the
CLI, which stops the run cleanly), it is stopped when the run ends, and the kernel kills it if
the CLI dies (PR_SET_PDEATHSIG), so no runner is ever left behind.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import UserError

ENV_BINARY = "NEWSEVENTS_PRISM"
_PROJECT_BINARY = Path(__file__).resolve().parents[1] / ".local" / "bin" / "prism"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
_PR_SET_PDEATHSIG = 1


def find_prism(explicit: str | None = None) -> str | None:
    """The Prism binary: --prism_location, $NEWSEVENTS_PRISM, the project's .local/bin, PATH."""
    if explicit is not None:
        if not _executable(explicit):
            raise UserError(f"--prism_location {explicit} is not an executable file")
        return explicit
    for candidate in (os.environ.get(ENV_BINARY), str(_PROJECT_BINARY)):
        if candidate and _executable(candidate):
            return candidate
    return shutil.which("prism")


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@contextmanager
def prism_job_server(binary: str) -> Iterator[str]:
    """Start Prism, yield its job endpoint, and stop it (and only it) afterwards."""
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="newsevents-prism-", suffix=".log", delete=False)  # noqa: SIM115
    command = [binary, "--job_port", str(port), "--serve_http=false", "--log_level=warn"]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    try:
        _wait_until_listening(process, port, log.name)
        yield f"localhost:{port}"
    finally:
        _stop(process)
        log.close()
        os.unlink(log.name)


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log_path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = Path(log_path).read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise UserError(f"Prism exited at start (code {process.returncode}): {tail[0][:200]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise UserError(f"Prism did not listen on port {port} within {START_TIMEOUT_S:.0f}s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)
