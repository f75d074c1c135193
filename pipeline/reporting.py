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
    (m.DEAD_LETTERS_WRITTEN, "dead letters written to Kafka"),
    ("kafka_partitions_committed", "partitions committed"),
)


def print_summary(summary: m.RunSummary, seconds: float, console: Console) -> None:
    table = Table(title=f"run metrics ({seconds:.1f}s)", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, label in _ROWS:
        if name in summary.counters or name in (
            m.ARTICLES_READ,
            m.ARTICLES_WITH_EVENTS,
            m.ARTICLES_WITHOUT_EVENTS,
            m.ARTICLES_DEAD_LETTERED,
        ):
            table.add_row(label, f"{summary.get(name):,}")
    verdict = "[green]balanced[/]" if summary.balanced else "[red]NOT balanced[/]"
    table.add_row("read = with + without + dead-lettered", verdict)
    console.print(table)
