"""An analyst's report of a run's Avro output: one self-contained HTML file.

    out/events-*.avro, out/stories-*.avro -> data.read_run (typed rows)
        -> charts (Altair: Vega-Lite specs, data inline) -> page.render_page (HTML, JS inlined)

Nothing is fetched, at build time or in the page: the Vega, Vega-Lite and vega-embed
JavaScript comes from vl-convert-python's bundle, the country shapes from the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import UserError
from pipeline.report.data import ReportData, country_counts, day_type_counts, place_counts, read_run

# The page's scripts call vegaEmbed only; Vega and Vega-Lite come with it.
BUNDLE_SNIPPET = "window.vegaEmbed = vegaEmbed;"


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """What a written report holds."""

    path: Path
    stories: int
    events: int


def chart_specs(data: ReportData) -> dict[str, dict[str, Any]]:
    """The Vega-Lite spec of each chart that has something to draw, by chart id."""
    from pipeline.report import charts

    specs: dict[str, dict[str, Any]] = {}
    stories = list(data.stories)
    if stories:
        specs["timeline"] = charts.chart_spec(charts.timeline_chart(stories))
    counts = day_type_counts(data.mentions)
    if counts:
        specs["day_type"] = charts.chart_spec(charts.day_type_chart(counts))
    countries = country_counts(data.mentions)
    places = place_counts(data.mentions)
    if countries or places:
        specs["map"] = charts.chart_spec(charts.map_chart(places, countries))
    if any(c.killed is not None or c.injured is not None for c in data.claims):
        specs["claims"] = charts.chart_spec(charts.claims_chart(list(data.claims), stories))
    return specs


def javascript_bundle() -> str:
    """Vega, Vega-Lite (the version Altair writes specs for) and vega-embed, as one script that
    defines `vegaEmbed`; bundled offline by vl-convert."""
    from importlib.metadata import version

    import altair
    import vl_convert

    wanted = ".".join(altair.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    if wanted not in vl_convert.get_vegalite_versions():
        raise UserError(
            f"vl-convert-python {version('vl-convert-python')} has no Vega-Lite {wanted} (Altair "
            f"{altair.__version__} writes specs for it): install the versions in constraints.txt"
        )
    return vl_convert.javascript_bundle(BUNDLE_SNIPPET, vl_version=f"v{wanted}")


def write_report(out_dir: Path, output: Path) -> ReportSummary:
    """Read the run's files in `out_dir` and write the report to `output`."""
    from pipeline.report.page import render_page

    data = read_run(out_dir)
    html = render_page(data, chart_specs(data), javascript_bundle(), f"newsevents report: {out_dir}")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(html, encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot write {output}: {err.strerror or err}") from None
    return ReportSummary(path=output, stories=len(data.stories), events=len(data.mentions))
