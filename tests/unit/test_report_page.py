"""The report page's HTML: every story with its mentions, claims and quotes; record text that
cannot break out of its element; chart specs that survive embedding; nothing to fetch."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from pipeline.report.data import ReportData, report_data
from pipeline.report.page import CSP, render_page

from tests.report_records import casualties, event, quote, story

HOSTILE = '</script><img src=x onerror="alert(1)">'


class _Elements(HTMLParser):
    """Start tags with their attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def having(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(wanted[k] in (attrs.get(k) or "").split() for k in wanted)
        ]


def _parse(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def data() -> ReportData:
    said = f"Jets struck Rafah {HOSTILE}, the ministry said."
    events = [
        event("e1", story_id="s1", sentence=said, casualties=casualties(10, conflicting=True, note=HOSTILE)),
        event("e2", story_id="s1", article_id="a2", casualties=casualties(12)),
        event("e3", story_id="s2", event_type="TALKS"),
        event("q1", event_type="STATEMENT", sentence=said, quote=quote(HOSTILE, speaker=HOSTILE)),
        event("q2", event_type="STATEMENT", article_id="a3", quote=quote("Nothing to add", direct=False)),
    ]
    stories = [story("s1", conflicting=False, place=HOSTILE, mentions=2), story("s2", event_type="TALKS")]
    return report_data(events, stories)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return {"data": {"values": [{"label": HOSTILE}]}, "mark": "point"}


@pytest.fixture(scope="module")
def page(data: ReportData, spec: dict[str, Any]) -> str:
    return render_page(data, {"timeline": spec}, "window.vegaEmbed = function () {};", f"report {HOSTILE}")


def test_record_text_never_becomes_markup(page: str) -> None:
    assert HOSTILE not in page
    assert "&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    elements = _parse(page)
    assert elements.having("img") == []
    # The bundle, one spec, the embedding code: no script was opened or closed by the data.
    assert len(elements.scripts) == 3


def test_a_chart_spec_comes_back_whole_from_the_page(page: str, spec: dict[str, Any]) -> None:
    tags = [text for attrs, text in _parse(page).scripts if attrs.get("id") == "spec-timeline"]
    assert len(tags) == 1 and json.loads(tags[0]) == spec


def test_charts_without_a_spec_are_a_note_not_an_empty_box(page: str) -> None:
    elements = _parse(page)
    assert [attrs["data-chart"] for attrs in elements.having("div", **{"class": "chart"})] == ["timeline"]
    assert "No asserted events in this run." in page and "No events with a place in this run." in page


def test_the_page_may_request_nothing(page: str) -> None:
    policies = [a for a in _parse(page).having("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert [p["content"] for p in policies] == [CSP]
    assert "default-src 'none'" in CSP and "connect-src" not in CSP  # default-src covers fetches


def test_every_story_has_its_mentions_claims_and_quotes(page: str) -> None:
    elements = _parse(page)
    assert [a["data-story-id"] for a in elements.having("article", **{"class": "story"})] == ["s1", "s2"]
    assert sorted(a["data-event-id"] for a in elements.having("tr", **{"class": "mention"})) == ["e1", "e2", "e3"]
    # q1 shares e1's sentence, so it is a quote of story s1; q2 is in the other quotes.
    story_part = page[page.index('id="story-s1"') : page.index('id="story-s2"')]
    assert 'data-event-id="q1"' in story_part and 'data-event-id="q2"' not in story_part
    other_part = page[page.index('id="other-quotes"') :]
    assert 'data-event-id="q2"' in other_part and "reported speech" in other_part


def test_conflicting_claims_are_flagged_in_the_claims_table(page: str) -> None:
    elements = _parse(page)
    rows = elements.having("tr", **{"class": "claim"})
    flagged = elements.having("tr", **{"class": "conflict"})
    assert sorted(r["data-event-id"] for r in rows) == ["e1", "e2"]
    assert [r["data-event-id"] for r in flagged] == ["e1"]
    assert '2 claims, <span class="flag">1 flagged</span>' in page


def test_the_trigger_is_marked_in_its_sentence(page: str) -> None:
    assert "Jets <mark>struck</mark> Rafah" in page
