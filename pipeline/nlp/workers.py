"""Extraction in NLP processes of their own: a pool of processes, each with its own model,
fed batches of articles.

Why: a Beam worker's process also runs its gRPC harness, the Kafka clients and the steps
around extraction, and one Beam worker is one process. A pool lets one worker use every core,
keeps spaCy away from the worker's threads, and isolates crashes: an article that kills its
NLP process (a native fault, memory) breaks the pool, not the worker. The pool is then
replaced, and the batch's articles are tried one at a time; one that breaks the pool on its
own is reported as such, to become a dead letter.

The processes fork from a forkserver, never from the worker itself (forking a process that
has gRPC threads is unsafe). As with any multiprocessing start method but fork, each process
imports the parent's main module, so a script that makes a pool needs the
`if __name__ == "__main__":` guard (the `newsevents` command has it).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from pipeline.nlp.extractor import EventExtractor, Outcome
from pipeline.nlp.types import ArticleText

CRASHED = "the NLP process ended while extracting this article (a native fault or out of memory)"
WATCH_INTERVAL_S = 1.0

# What an NLP process runs on a batch: every article's outcome, and the extractor's version.
Task = Callable[[Sequence[ArticleText]], tuple[str, list[Outcome]]]

_EXTRACTOR: EventExtractor | None = None  # one per NLP process, loaded when it starts


def _process_identity(pid: int) -> str | None:
    """The pid with its start time (field 22 of /proc/PID/stat), so that a reused pid does
    not pass for the process it replaced; None once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[-1].split()
    except OSError:
        return None
    return f"{pid}:{fields[19]}" if len(fields) > 19 else None


def _watch_owner(owner: str | None) -> None:
    """Ends this NLP process once the process that made the pool is gone. Killed with
    SIGKILL, it cannot stop its pool, and the NLP processes (a model each) would otherwise
    wait for work forever: they hold their task queue's write end themselves."""
    pid = int(owner.split(":", 1)[0]) if owner else None
    while pid is not None:
        time.sleep(WATCH_INTERVAL_S)
        if _process_identity(pid) != owner:
            os._exit(1)


def _load(model: str, owner: str | None) -> None:
    global _EXTRACTOR
    threading.Thread(target=_watch_owner, args=(owner,), name="newsevents-owner-watch", daemon=True).start()
    _EXTRACTOR = EventExtractor.load(model)


def loaded_extractor() -> EventExtractor:
    """The extractor of this NLP process (the pool's initializer loads it)."""
    assert _EXTRACTOR is not None, "called outside an NLP process of an ExtractorPool"
    return _EXTRACTOR


def extract_in_process(articles: Sequence[ArticleText]) -> tuple[str, list[Outcome]]:
    """The default task (`EventExtractor.extract_each`, in the NLP process)."""
    extractor = loaded_extractor()
    return extractor.version, extractor.extract_each(articles)


@dataclass(frozen=True, slots=True)
class BatchResult:
    version: str  # the extractor's; empty when no article of the batch could be extracted
    outcomes: list[Outcome]


@dataclass(frozen=True, slots=True)
class PendingBatch:
    articles: list[ArticleText]
    executor: ProcessPoolExecutor
    future: Future[tuple[str, list[Outcome]]]


class ExtractorPool:
    """`processes` NLP processes for `model`, shared by every DoFn instance of a Beam worker."""

    def __init__(self, model: str, processes: int, task: Task = extract_in_process) -> None:
        self._model = model
        self._processes = processes
        self._task = task  # a module-level function: it is pickled by name to the processes
        self._lock = threading.Lock()
        # forkserver: children fork from a server that preloads this module, never from the
        # worker, whose gRPC threads a fork would leave in an unknown state.
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([__name__])
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=self._context,
            initializer=_load,
            initargs=(self._model, _process_identity(os.getpid())),
        )

    @property
    def processes(self) -> int:
        return self._processes

    def submit(self, articles: Sequence[ArticleText]) -> PendingBatch:
        batch = list(articles)
        with self._lock:
            executor = self._executor
        try:
            return PendingBatch(batch, executor, executor.submit(self._task, batch))
        except BrokenProcessPool:
            executor = self._replace(executor)
            return PendingBatch(batch, executor, executor.submit(self._task, batch))

    def result(self, pending: PendingBatch) -> BatchResult:
        """The batch's outcomes. If its pool broke, the articles are tried again one at a time
        in a new pool, and an article that breaks that one alone gets CRASHED."""
        try:
            version, outcomes = pending.future.result()
            return BatchResult(version, outcomes)
        except BrokenProcessPool:
            executor = self._replace(pending.executor)
        version = ""
        outcomes = []
        for article in pending.articles:
            outcome: Outcome = CRASHED
            # Twice: a pool shared by several threads can also break under another's article.
            for _ in range(2):
                try:
                    version, (outcome,) = executor.submit(self._task, [article]).result()
                    break
                except BrokenProcessPool:
                    executor = self._replace(executor)
            outcomes.append(outcome)
        return BatchResult(version, outcomes)

    def _replace(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        """A new pool in place of `broken` (once, however many threads saw it break)."""
        with self._lock:
            if self._executor is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._executor = self._new_executor()
            return self._executor

    def close(self) -> None:
        with self._lock:
            self._executor.shutdown(wait=True, cancel_futures=True)
