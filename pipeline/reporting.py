"""The end-of-run report: what went in, what came out, and whether the books balance."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pipeline import metrics as m

_ROWS = (
    (m.ARTICLES_READ, "articles read"),
    (m.ARTICLES_WITH_EVENTS, "  with events"),
    (m.ARTICLES_WITHOUT_EVENTS, "  without events"),
    (m.ARTICLES_DEAD_LETTERED, "  dead-lettered"),
    ("dead_letters_read", "    unreadable archives"),
    ("dead_letters_decode", "    invalid input"),
    ("dead_letters_extract", "    extraction failures"),
    ("dead_letters_encode", "    encoding failures"),
    (m.EVENTS_EXTRACTED, "events extracted"),
    (m.EVENTS_WRITTEN_KAFKA, "events written to Kafka"),
    (m.EVENTS_WRITTEN_FILES, "events written to files"),
    (m.DEAD_LETTERS_WRITTEN, "dead letters written to Kafka"),
    (m.DEAD_LETTERS_WRITTEN_FILES, "dead letters written to files"),
    (m.AGGREGATES_EMITTED, "aggregate counts emitted"),
    (m.AGGREGATES_SUPERSEDED, "aggregate counts superseded before writing (a newer one was out)"),
    (m.AGGREGATES_WRITTEN_KAFKA, "aggregate counts written to Kafka"),
    ("aggregate_records_written_files", "aggregate counts written to files"),
    (m.AGGREGATE_EVENTS_TOO_LATE, "events too late for their window (not counted)"),
    (m.AGGREGATE_INPUTS_UNREADABLE, "events-topic records not ours (not counted)"),
    (m.EVENTS_IN_STORIES, "events linked into stories"),
    (m.STORIES_MADE, "stories made"),
    (m.STORIES_WRITTEN_KAFKA, "story records written to Kafka"),
    ("story_records_written_files", "stories written to files"),
    ("files_written", "files written"),
    ("kafka_partitions_committed", "partitions committed"),
)
_ALWAYS = (m.ARTICLES_READ, m.ARTICLES_WITH_EVENTS, m.ARTICLES_WITHOUT_EVENTS, m.ARTICLES_DEAD_LETTERED)


def verdict(summary: m.RunSummary) -> str:
    if summary.balanced is None:
        return "not reported"
    return "balanced" if summary.balanced else "NOT balanced"


def print_summary(summary: m.RunSummary, seconds: float, console: Console) -> None:
    table = Table(title=f"run metrics ({seconds:.1f}s)", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    if not summary.reported:
        table.add_row("counts", "not reported by this runner")
    else:
        for name, label in _ROWS:
            if name in summary.counters or name in _ALWAYS:
                table.add_row(label, f"{summary.get(name):,}")
    colour = {"balanced": "green", "NOT balanced": "red"}.get(verdict(summary), "yellow")
    table.add_row("read = with + without + dead-lettered", f"[{colour}]{verdict(summary)}[/]")
    console.print(table)


def summary_line(summary: m.RunSummary, seconds: float, stopped_by: str | None) -> str:
    """One line for the end of a run: how it ended and its counts."""
    how = f"stopped by {stopped_by}" if stopped_by else "finished"
    if not summary.reported:
        return f"{how} after {seconds:.0f}s; this runner reports no counts"
    return (
        f"{how} after {seconds:.0f}s: {summary.get(m.ARTICLES_READ):,} articles read = "
        f"{summary.get(m.ARTICLES_WITH_EVENTS):,} with events + {summary.get(m.ARTICLES_WITHOUT_EVENTS):,} without "
        f"+ {summary.get(m.ARTICLES_DEAD_LETTERED):,} dead-lettered ({verdict(summary)}); "
        f"{summary.get(m.EVENTS_EXTRACTED):,} events{_aggregates(summary)}"
    )


def _aggregates(summary: m.RunSummary) -> str:
    """The aggregates' part of the line, when the run made any; late events are never silent."""
    if m.AGGREGATES_EMITTED not in summary.counters and m.AGGREGATE_EVENTS_TOO_LATE not in summary.counters:
        return ""
    late = summary.get(m.AGGREGATE_EVENTS_TOO_LATE)
    text = f"; {summary.get(m.AGGREGATES_EMITTED):,} aggregate counts"
    if late:
        plural = late != 1
        text += f", {late:,} event{'s' if plural else ''} too late for {'their' if plural else 'its'} aggregate window"
    unreadable = summary.get(m.AGGREGATE_INPUTS_UNREADABLE)
    if unreadable:
        text += f", {unreadable:,} events-topic record{'s' if unreadable != 1 else ''} not ours (not counted)"
    return text
