"""Beam options and running a pipeline to the end."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline import graph
from pipeline.config import RunConfig
from pipeline.metrics import RunSummary, summarize


def pipeline_options(beam_args: list[str], *, streaming: bool) -> PipelineOptions:
    """Beam options from the pass-through arguments, with a local default that never downloads.

    Without --runner, the local runner is FnApiRunner (Beam's default would first try to fetch
    the Prism binary from GitHub); with --prism_location it is Prism. Any other runner
    (DataflowRunner, FlinkRunner, SparkRunner, ...) and its options pass through unchanged.
    """
    args = list(beam_args)
    if not any(arg == "--runner" or arg.startswith("--runner=") for arg in args):
        prism = any(arg.startswith("--prism_location") for arg in args)
        args.append("--runner=PrismRunner" if prism else "--runner=FnApiRunner")
    if streaming and "--streaming" not in args:
        args.append("--streaming")
    return PipelineOptions(args)


def run(config: RunConfig, beam_args: list[str]) -> RunSummary:
    """Build and run the pipeline; returns once it finishes (bounded runs) or is stopped."""
    options = pipeline_options(beam_args, streaming=not config.bounded)
    pipeline = beam.Pipeline(options=options)
    graph.build(pipeline, config)
    result = pipeline.run()
    result.wait_until_finish()
    return summarize(result)
