"""Which Beam runner a run uses, and running a pipeline to its end.

Without --runner: streaming runs use Prism when it is installed (it fires windows and
finalizes bundles while the job runs), else FnApiRunner; bounded runs use FnApiRunner, which
can also spread work over local processes (--direct_num_workers=N
--direct_running_mode=multi_processing). `--runner=PrismRunner` asks for Prism explicitly. Any
other runner (DataflowRunner, ...) and its options pass through unchanged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.runner import PipelineState

from pipeline import graph
from pipeline.config import KafkaSourceSettings, RunConfig
from pipeline.errors import RunFailed, UserError, fatal_reason
from pipeline.metrics import RunSummary, summarize
from pipeline.prism import find_prism, prism_job_server

LOGGER = logging.getLogger("newsevents")
PRISM = "PrismRunner"
FNAPI = "FnApiRunner"


@dataclass(frozen=True, slots=True)
class RunnerChoice:
    """The runner a run uses; `prism` is the binary when the CLI starts Prism itself."""

    name: str
    args: tuple[str, ...]
    prism: str | None = None


def _option(args: list[str], name: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == f"--{name}" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
    return None


def _without(args: list[str], *names: str) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if any(arg == f"--{n}" for n in names):
            skip = True
            continue
        if not any(arg.startswith(f"--{n}=") for n in names):
            kept.append(arg)
    return kept


def choose_runner(beam_args: list[str], *, streaming: bool) -> RunnerChoice:
    """The runner and its Beam arguments for the pass-through `beam_args`."""
    args = list(beam_args)
    runner = _option(args, "runner")
    location = _option(args, "prism_location")
    if runner is None:
        binary = find_prism(location) if (streaming or location) else None
        if binary is not None:
            return RunnerChoice(PRISM, tuple(_without(args, "prism_location")), binary)
        if streaming:
            LOGGER.warning(
                "Prism is not installed (make setup builds it): streaming on FnApiRunner, which writes "
                "to Kafka and files per bundle but fires no windows"
            )
        return RunnerChoice(FNAPI, (*args, f"--runner={FNAPI}"))
    if runner.lower() in ("prismrunner", "prism"):
        binary = find_prism(location)
        if binary is None:
            raise RunFailed("--runner=PrismRunner: Prism is not installed (run make setup, or give --prism_location)")
        return RunnerChoice(PRISM, tuple(_without(args, "runner", "prism_location")), binary)
    return RunnerChoice(runner, tuple(args))


def pipeline_options(beam_args: list[str], *, streaming: bool) -> PipelineOptions:
    """Beam options for the pass-through `beam_args` (Prism's endpoint left at its default)."""
    return options_for(choose_runner(beam_args, streaming=streaming), streaming=streaming)


def options_for(choice: RunnerChoice, *, streaming: bool, job_endpoint: str | None = None) -> PipelineOptions:
    """Beam options for a run; with Prism, the portable runner on its endpoint, in LOOPBACK."""
    args = list(choice.args)
    if choice.prism is not None:
        args = [*args, "--runner=PortableRunner", f"--job_endpoint={job_endpoint or 'localhost:8073'}"]
        if _option(args, "environment_type") is None:
            args.append("--environment_type=LOOPBACK")
    if streaming and "--streaming" not in args:
        args.append("--streaming")
    return PipelineOptions(args)


@contextmanager
def _runner_services(choice: RunnerChoice) -> Iterator[str | None]:
    """Starts what the runner needs on this machine (Prism's job server) and stops it after."""
    with ExitStack() as stack:
        yield stack.enter_context(prism_job_server(choice.prism)) if choice.prism else None


def run(config: RunConfig, beam_args: list[str]) -> RunSummary:
    """Build and run the pipeline; returns once it finishes (bounded runs) or is stopped.

    Raises:
        RunFailed: with a one-line reason when the pipeline fails.
    """
    streaming = not config.bounded
    choice = choose_runner(beam_args, streaming=streaming)
    if streaming and config.aggregates is not None and choice.name == FNAPI:
        raise UserError(
            "aggregates in streaming need a runner that fires windows while the job runs (Prism: make setup "
            "builds it; Dataflow, Flink); FnApiRunner fires them only at the end of input"
        )
    if isinstance(config.source, KafkaSourceSettings):
        run_id = uuid.uuid4().hex
        config = config.model_copy(update={"source": config.source.model_copy(update={"run_id": run_id})})
    with _runner_services(choice) as endpoint:
        options = options_for(choice, streaming=streaming, job_endpoint=endpoint)
        pipeline = beam.Pipeline(options=options)
        graph.build(pipeline, config)
        try:
            result = pipeline.run()
            state = result.wait_until_finish()
        except (UserError, KeyboardInterrupt):
            raise
        except Exception as err:
            raise RunFailed(_one_line(err)) from err
        if state is not None and state != PipelineState.DONE:
            raise RunFailed(f"the pipeline ended in state {state} on {choice.name}")
        return summarize(result)


def _one_line(error: Exception) -> str:
    """Our own fatal reason when the failure carries one, else the first line of the error."""
    reason = fatal_reason(error)
    if reason is not None:
        return reason
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return f"the pipeline failed: {type(error).__name__}: {lines[0][:300] if lines else 'no message'}"
