"""`newsevents report` end to end: the bundled samples backfilled on FnApiRunner, the report
written by the CLI, and the page opened in a real headless Chromium (Debian's, driven by
Playwright over DevTools). What the page draws is compared with counts made here, directly
from the Avro files, not with the report's own code."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC
from io import BytesIO
from pathlib import Path
from typing import Any

import fastavro
import pytest
from PIL import Image
from pipeline.config import ArchiveSourceSettings, RunConfig
from pipeline.runner import run

from tests.conftest import ROOT

pytestmark = [pytest.mark.model, pytest.mark.browser]

CHROMIUM = os.environ.get("NEWSEVENTS_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium tries the network on start (updates, field trials, sync, QUIC probes).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 60_000
VIEWPORT = {"width": 1280, "height": 1600}
SAMPLES = ROOT / "data" / "samples"
WORLD = ROOT / "pipeline" / "report" / "data" / "countries-110m.json"


@dataclass
class Rendered:
    """What the browser saw, gathered once for the module's tests."""

    html_path: Path
    cli_output: str
    console: list[tuple[str, str]]
    page_errors: list[str]
    requests: list[str]
    failed_requests: list[str]
    status: str
    marks: dict[str, int]
    story_ids: list[str]
    mention_rows: dict[str, int]
    claim_rows: int
    flagged_claim_rows: int
    screenshot: bytes
    map_screenshot: bytes


def _read(directory: Path, prefix: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(directory.glob(f"{prefix}-*.avro")):
        with path.open("rb") as handle:
            records.extend(fastavro.reader(handle))  # type: ignore[arg-type]
    return records


@pytest.fixture(scope="module")
def run_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    config = RunConfig(source=ArchiveSourceSettings(pattern=str(SAMPLES / "*.json")), output_dir=str(out), stories=True)
    summary = run(config, ["--runner=FnApiRunner"])
    assert summary.balanced
    return out


@pytest.fixture(scope="module")
def events(run_output: Path) -> list[dict[str, Any]]:
    records = _read(run_output, "events")
    assert records, "the backfill wrote no events"
    return list({r["event_id"]: r for r in records}.values())


@pytest.fixture(scope="module")
def stories(run_output: Path) -> list[dict[str, Any]]:
    records = _read(run_output, "stories")
    assert records, "the backfill wrote no stories"
    return list({r["story_id"]: r for r in records}.values())


def _mark_selector(chart: str, mark: str) -> str:
    # Vega's SVG renderer gives each mark's group the classes role-mark and <name>_marks, and
    # draws one child element per item.
    return f"#chart-{chart} g.role-mark.{mark}_marks > *"


MARKS = [
    ("timeline", "story_span"),
    ("timeline", "story_start"),
    ("day_type", "cell"),
    ("day_type", "cell_count"),
    ("map", "country"),
    ("map", "place"),
    ("claims", "claim_figure"),
]


@pytest.fixture(scope="module")
def rendered(run_output: Path, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: make setup installs Debian's (scripts/install-chromium)")
    html_path = tmp_path_factory.mktemp("html") / "report.html"
    cli = subprocess.run(
        [sys.executable, "-m", "pipeline", "report", str(run_output), "--output", str(html_path)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    page_url = html_path.as_uri()
    console: list[tuple[str, str]] = []
    page_errors: list[str] = []
    requests: list[str] = []
    failed: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a new, empty profile
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True, timeout=WAIT_MS, viewport=VIEWPORT,
        )  # fmt: skip
        try:
            context.set_default_timeout(WAIT_MS)
            # Anything but the file itself is recorded and refused: the page must need nothing else.
            context.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
            page = context.new_page()
            page.on("console", lambda message: console.append((message.type, message.text)))
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.goto(page_url, wait_until="load", timeout=WAIT_MS)
            page.wait_for_function("document.body.dataset.rendered !== undefined", timeout=WAIT_MS)
            status = page.evaluate("document.body.dataset.rendered")
            marks = {
                f"{chart}.{mark}": page.evaluate(
                    "selector => document.querySelectorAll(selector).length", _mark_selector(chart, mark)
                )
                for chart, mark in MARKS
            }
            story_ids = page.evaluate(
                "() => Array.from(document.querySelectorAll('article.story')).map(a => a.dataset.storyId)"
            )
            mention_rows = page.evaluate(
                """() => Object.fromEntries(Array.from(document.querySelectorAll('article.story')).map(
                    a => [a.dataset.storyId, a.querySelectorAll('tr.mention').length]))"""
            )
            claim_rows = page.evaluate("document.querySelectorAll('table.claims tr.claim').length")
            flagged = page.evaluate("document.querySelectorAll('table.claims tr.claim.conflict').length")
            screenshot = page.screenshot(timeout=WAIT_MS)
            map_screenshot = page.locator("#chart-map").screenshot(timeout=WAIT_MS)
        finally:
            context.close()
    return Rendered(
        html_path=html_path, cli_output=cli.stdout, console=console, page_errors=page_errors, requests=requests,
        failed_requests=failed, status=status, marks=marks, story_ids=story_ids, mention_rows=mention_rows,
        claim_rows=claim_rows, flagged_claim_rows=flagged, screenshot=screenshot, map_screenshot=map_screenshot,
    )  # fmt: skip


def _counted(event: dict[str, Any]) -> bool:
    return bool(event["main_mention"]) and event["modality"] == "ASSERTED"


def test_the_cli_writes_one_file_and_says_what_it_holds(
    rendered: Rendered, events: list[dict[str, Any]], stories: list[dict[str, Any]]
) -> None:
    assert (
        rendered.cli_output.strip() == f"report: {len(stories)} stories, {len(events)} events -> {rendered.html_path}"
    )
    assert rendered.html_path.stat().st_size > 500_000  # the Vega bundle is inside


def test_the_page_renders_without_console_errors_or_warnings(rendered: Rendered) -> None:
    assert rendered.status == "true"
    assert rendered.page_errors == []
    assert [(kind, text) for kind, text in rendered.console if kind in ("error", "warning")] == []


def test_the_page_requests_nothing_outside_itself(rendered: Rendered) -> None:
    assert rendered.requests == [rendered.html_path.as_uri()]
    assert rendered.failed_requests == []


def test_the_timeline_draws_each_story_once(rendered: Rendered, stories: list[dict[str, Any]]) -> None:
    assert rendered.marks["timeline.story_span"] == rendered.marks["timeline.story_start"] == len(stories) > 0


def test_counts_by_day_and_type_have_a_cell_per_day_and_type_with_events(
    rendered: Rendered, events: list[dict[str, Any]]
) -> None:
    cells = {(e["event_time"]["start"].astimezone(UTC).date(), e["event_type"]) for e in events if _counted(e)}
    assert rendered.marks["day_type.cell"] == rendered.marks["day_type.cell_count"] == len(cells) > 0


def test_the_map_draws_every_country_and_a_dot_per_geocoded_place(
    rendered: Rendered, events: list[dict[str, Any]]
) -> None:
    countries = json.loads(WORLD.read_text())["objects"]["countries"]["geometries"]
    places = {
        entity["geo"]["geonames_id"] or (entity["geo"]["name"], entity["geo"]["latitude"], entity["geo"]["longitude"])
        for e in events
        if _counted(e)
        for entity in e["entities"]
        if entity["geo"] and entity["geo"]["precision"] in ("CITY", "REGION")
    }
    assert rendered.marks["map.country"] == len(countries) == 177
    assert rendered.marks["map.place"] == len(places) > 0


def test_the_claims_chart_draws_each_figure_and_the_table_flags_conflicts(
    rendered: Rendered, events: list[dict[str, Any]], stories: list[dict[str, Any]]
) -> None:
    claims = [e for e in events if e["casualties"]]
    figures = sum((c["casualties"]["killed"] is not None) + (c["casualties"]["injured"] is not None) for c in claims)
    conflicting_stories = {s["story_id"] for s in stories if s["casualties"] and s["casualties"]["conflicting"]}
    flagged = [c for c in claims if c["casualties"]["conflicting"] or c["story_id"] in conflicting_stories]
    assert rendered.marks["claims.claim_figure"] == figures > 0
    assert rendered.claim_rows == len(claims)
    assert rendered.flagged_claim_rows == len(flagged) > 0  # the samples hold rival Gaza tolls


def test_every_story_is_listed_with_its_mentions(
    rendered: Rendered, events: list[dict[str, Any]], stories: list[dict[str, Any]]
) -> None:
    assert sorted(rendered.story_ids) == sorted(s["story_id"] for s in stories)
    members = Counter(e["story_id"] for e in events if e["story_id"])
    assert rendered.mention_rows == dict(members)


def _ink(png: bytes) -> tuple[int, float]:
    """Distinct colours, and the share of pixels that are not near-white."""
    image = Image.open(BytesIO(png)).convert("RGB")
    pixels = list(image.getdata())
    inked = sum(1 for r, g, b in pixels if min(r, g, b) < 235)
    return len(set(pixels)), inked / len(pixels)


def test_a_screenshot_shows_the_charts(rendered: Rendered) -> None:
    colours, share = _ink(rendered.screenshot)
    assert colours > 50 and share > 0.03, (colours, share)
    # The map alone: grey country shapes cover a good part of it.
    colours, share = _ink(rendered.map_screenshot)
    assert colours > 20 and share > 0.1, (colours, share)
