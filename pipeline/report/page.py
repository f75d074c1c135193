"""The report as one self-contained HTML page: charts (Vega-Lite specs, drawn by the Vega,
Vega-Lite and vega-embed JavaScript inlined in the page) and plain HTML tables.

Every piece of text from the records is escaped with html.escape; chart specs are embedded as
JSON with `<` escaped, so no record can close a tag. A Content-Security-Policy forbids the
page any request: everything it shows is in the file.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape
from typing import Any

from pipeline.report.data import Claim, Mention, Quote, ReportData, Story

# 'unsafe-eval': Vega compiles its expressions with the Function constructor.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)
EMBED_OPTIONS = {"renderer": "svg", "actions": {"export": True, "source": False, "compiled": False, "editor": False}}

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1b1b;
       margin: 0 auto; max-width: 1100px; padding: 0 24px 48px; background: #fff; }
header { border-bottom: 3px solid #1f77b4; margin-bottom: 8px; }
h1 { font-size: 26px; margin: 24px 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 0 0 6px; }
nav a { margin-right: 14px; }
.muted { color: #666; }
.chart { margin: 8px 0 16px; min-height: 60px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.conflict td { background: #fdecea; }
.flag { color: #b71c1c; font-weight: 600; }
article.story { border: 1px solid #dde3ea; border-left: 5px solid #1f77b4; border-radius: 4px; padding: 10px 14px;
                margin: 14px 0; }
article.story.conflicting { border-left-color: #d62728; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0 10px; }
dl.facts dt { color: #555; }
dl.facts dd { margin: 0; }
mark { background: #fff2a8; padding: 0 1px; }
blockquote { margin: 6px 0; padding: 4px 10px; border-left: 3px solid #bbb; background: #fafafa; }
blockquote .who { display: block; color: #555; font-size: 12px; margin-top: 2px; }
.badge { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 3px; background: #eef2f6;
         color: #333; margin-left: 4px; }
"""

# Draws every chart; window.reportRendered settles when all are drawn (or one failed).
EMBED_SCRIPT = """
(function () {
  const options = %(options)s;
  const charts = Array.from(document.querySelectorAll("div[data-chart]"));
  const drawn = charts.map(function (div) {
    const spec = JSON.parse(document.getElementById("spec-" + div.dataset.chart).textContent);
    return vegaEmbed(div, spec, options).then(function (result) {
      div.dataset.rendered = "true";
      return result;
    });
  });
  window.reportRendered = Promise.all(drawn).then(
    function () { document.body.dataset.rendered = "true"; },
    function (error) { document.body.dataset.rendered = "failed"; console.error("a chart failed: " + error); }
  );
})();
"""


def render_page(data: ReportData, specs: dict[str, dict[str, Any]], javascript: str, title: str) -> str:
    """The whole page. `specs` maps chart id to Vega-Lite spec (timeline, day_type, map, claims);
    a chart without a spec is left out with a note. `javascript` defines `vegaEmbed`."""
    stories_by_id = {s.story_id: s for s in data.stories}
    counted = sum(1 for m in data.mentions if m.counted)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}</style>",
        f"<script>{_script_safe(javascript)}</script>",
        "</head><body>",
        "<header>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="summary">{len(data.stories)} stories, {len(data.mentions)} event records '
        f"({counted} events counted: one per mention group, asserted), {len(data.claims)} casualty claims, "
        f"{len(data.quotes)} quotes; from {data.event_files} events file(s) and {data.story_files} stories "
        "file(s).</p>",
        '<nav><a href="#timeline">Timeline</a><a href="#counts">Counts by day and type</a><a href="#map">Map</a>'
        '<a href="#claims">Casualty claims</a><a href="#stories">Stories</a><a href="#other-quotes">Other quotes</a>'
        "</nav>",
        "</header>",
        _chart_section("timeline", "Timeline of stories", specs, "No stories in this run."),
        _chart_section("counts", "Counts by day and type", specs, "No asserted events in this run.", "day_type"),
        _chart_section("map", "Map of geocoded events", specs, "No events with a place in this run."),
        _claims_section(data.claims, stories_by_id, specs),
        _stories_section(data),
        _other_quotes_section([q for q in data.quotes if q.story_id not in stories_by_id]),
        *(_spec_tag(chart_id, spec) for chart_id, spec in specs.items()),
        f"<script>{EMBED_SCRIPT % {'options': json.dumps(EMBED_OPTIONS)}}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _script_safe(javascript: str) -> str:
    # A script element ends at the first "</script", wherever it stands.
    return javascript.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def _spec_tag(chart_id: str, spec: dict[str, Any]) -> str:
    text = json.dumps(spec, ensure_ascii=False).replace("<", "\\u003c")
    return f'<script type="application/json" id="spec-{escape(chart_id)}">{text}</script>'


def _chart_div(chart_id: str, specs: dict[str, dict[str, Any]], empty: str) -> str:
    if chart_id not in specs:
        return f'<p class="muted">{escape(empty)}</p>'
    return f'<div class="chart" id="chart-{escape(chart_id)}" data-chart="{escape(chart_id)}"></div>'


def _chart_section(
    section_id: str, heading: str, specs: dict[str, dict[str, Any]], empty: str, chart_id: str | None = None
) -> str:
    return (
        f'<section id="{section_id}"><h2>{escape(heading)}</h2>'
        f"{_chart_div(chart_id or section_id, specs, empty)}</section>"
    )


def _text(value: object | None, missing: str = "-") -> str:
    return escape(str(value)) if value not in (None, "") else missing


def _day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _figure(value: int | None) -> str:
    return f"{value:,}" if value is not None else "-"


def _range(low: int | None, high: int | None) -> str:
    if low is None:
        return "-"
    return f"{low:,}" if low == high or high is None else f"{low:,}–{high:,}"


def _story_link(story_id: str | None, stories: dict[str, Story]) -> str:
    if story_id is None or story_id not in stories:
        return "-"
    return f'<a href="#story-{escape(story_id)}">{escape(stories[story_id].label)}</a>'


def _claims_section(claims: tuple[Claim, ...], stories: dict[str, Story], specs: dict[str, dict[str, Any]]) -> str:
    conflicting = sum(1 for c in claims if c.conflicting)
    rows = [
        "<tr><th>story</th><th>article</th><th>source</th><th>published</th><th>killed</th><th>injured</th>"
        "<th>as written</th><th>qualifier</th><th>scope</th><th>claimed by</th><th>as of</th><th>conflict</th></tr>"
    ]
    for c in claims:
        flags = []
        if c.conflicting_in_article:
            flags.append(f'<span class="flag">⚠ in article</span>: {_text(c.conflict_note, "")}')
        if c.conflicting_in_story:
            flags.append('<span class="flag">⚠ in story</span> (figures of one day disagree)')
        rows.append(
            f'<tr class="claim{" conflict" if c.conflicting else ""}" data-event-id="{escape(c.event_id)}">'
            f"<td>{_story_link(c.story_id, stories)}</td><td>{_text(c.article_id)}</td><td>{_text(c.source)}</td>"
            f'<td>{_time(c.published_at)}</td><td class="num">{_figure(c.killed)}</td>'
            f'<td class="num">{_figure(c.injured)}</td><td>{_text(c.figure_text)}</td>'
            f"<td>{_text(c.qualifier.lower())}</td><td>{_text(c.scope.lower())}</td><td>{_text(c.reported_by)}</td>"
            f"<td>{_text(c.as_of)}</td><td>{'<br>'.join(flags) or 'none'}</td></tr>"
        )
    table = f'<table class="claims">{"".join(rows)}</table>' if claims else '<p class="muted">No casualty claims.</p>'
    return (
        '<section id="claims"><h2>Casualty claims</h2>'
        f'<p>{len(claims)} claims, <span class="flag">{conflicting} flagged</span> where figures conflict: '
        "the article gives another figure for the same count, or the story's figures published on one day "
        "disagree (a toll that rises from one day to the next is not a conflict).</p>"
        f"{_chart_div('claims', specs, 'No casualty figures to draw.')}{table}</section>"
    )


def _stories_section(data: ReportData) -> str:
    mentions: dict[str, list[Mention]] = defaultdict(list)
    for mention in data.mentions:
        if mention.story_id is not None:
            mentions[mention.story_id].append(mention)
    quotes: dict[str, list[Quote]] = defaultdict(list)
    for quote in data.quotes:
        if quote.story_id is not None:
            quotes[quote.story_id].append(quote)
    claims: dict[str, list[Claim]] = defaultdict(list)
    for claim in data.claims:
        if claim.story_id is not None:
            claims[claim.story_id].append(claim)
    body = "".join(
        _story_article(s, mentions[s.story_id], quotes[s.story_id], claims[s.story_id]) for s in data.stories
    )
    return (
        '<section id="stories"><h2>Stories</h2>'
        f"<p>{len(data.stories)} stories, by event time. A story is one real event in any number of articles; "
        "its quotes are those said in a sentence that mentions it.</p>"
        f"{body or '<p class=muted>No stories in this run (backfill with --stories).</p>'}</section>"
    )


def _story_article(story: Story, mentions: list[Mention], quotes: list[Quote], claims: list[Claim]) -> str:
    last_day = story.end - timedelta(days=1)
    days = _day(story.start) if last_day <= story.start else f"{_day(story.start)} to {_day(last_day)}"
    dated = "dated by the text" if story.dated else "no mention dates it: publication days"
    casualties = "-"
    if story.killed_low is not None or story.injured_low is not None:
        casualties = (
            f"killed {_range(story.killed_low, story.killed_high)}, "
            f"injured {_range(story.injured_low, story.injured_high)}"
        )
        if story.conflicting:
            casualties += ' <span class="flag">⚠ conflicting figures</span>'
    facts = [
        ("event time", f"{days} ({dated})"),
        ("types", ", ".join(escape(t) for t in story.event_types) + f" (family {escape(story.family)})"),
        ("place", f"{_text(story.place)}; countries: {_text(', '.join(story.countries))}"),
        ("reported", f"first {_time(story.first_seen)}, last {_time(story.last_seen)}"),
        (
            "counts",
            f"{_n(story.mention_count, 'mention')}, {_n(story.article_count, 'article')}, "
            f"{_n(story.source_count, 'source')}",
        ),
        ("sources", _text(", ".join(story.sources))),
        ("articles", _text(", ".join(story.article_ids))),
        ("actors", _text(", ".join(story.actors))),
        ("casualties", casualties),
    ]
    facts_html = "".join(f"<dt>{escape(name)}</dt><dd>{value}</dd>" for name, value in facts)
    return (
        f'<article class="story{" conflicting" if story.conflicting else ""}" id="story-{escape(story.story_id)}" '
        f'data-story-id="{escape(story.story_id)}">'
        f"<h3>{escape(story.label)}</h3>"
        f'<p class="muted">story {escape(story.story_id)}</p>'
        f'<dl class="facts">{facts_html}</dl>'
        f"{_mentions_table(mentions)}{_story_claims(claims)}{_quotes_html(quotes)}</article>"
    )


def _sentence_html(mention: Mention) -> str:
    offset = mention.trigger_offset
    if offset < 0:
        return escape(mention.sentence)
    end = offset + len(mention.trigger)
    text = mention.sentence
    return f"{escape(text[:offset])}<mark>{escape(text[offset:end])}</mark>{escape(text[end:])}"


def _mentions_table(mentions: list[Mention]) -> str:
    if not mentions:
        return '<p class="muted">No mention records of this story in these files.</p>'
    rows = [
        "<tr><th>published</th><th>source</th><th>article</th><th>section</th><th>type</th><th>modality</th>"
        "<th>sentence (trigger marked)</th></tr>"
    ]
    for m in mentions:
        main = '<span class="badge">main</span>' if m.main_mention else ""
        rows.append(
            f'<tr class="mention" data-event-id="{escape(m.event_id)}"><td>{_time(m.published_at)}</td>'
            f"<td>{_text(m.source)}</td><td>{_text(m.title or m.article_id)}</td><td>{_text(m.section.lower())}</td>"
            f"<td>{_text(m.event_type)}{main}</td><td>{_text(m.modality.lower())}</td><td>{_sentence_html(m)}</td></tr>"
        )
    return f'<h4>Mentions ({len(mentions)})</h4><table class="mentions">{"".join(rows)}</table>'


def _story_claims(claims: list[Claim]) -> str:
    if not claims:
        return ""
    items = []
    for c in claims:
        flag = ' <span class="flag">⚠</span>' if c.conflicting else ""
        items.append(
            f"<li>killed {_figure(c.killed)}, injured {_figure(c.injured)} (“{_text(c.figure_text)}”, "
            f"{_text(c.scope.lower())}), claimed by {_text(c.reported_by)} in {_text(c.source)}{flag}</li>"
        )
    return f'<h4>Casualty claims ({len(claims)})</h4><ul class="story-claims">{"".join(items)}</ul>'


def _quotes_html(quotes: Iterable[Quote]) -> str:
    items = [_quote(q) for q in quotes]
    if not items:
        return ""
    return f"<h4>Quotes ({len(items)})</h4>{''.join(items)}"


def _quote(quote: Quote) -> str:
    text = f"“{escape(quote.text)}”" if quote.direct else escape(quote.text)
    how = " ".join(
        part
        for part in (
            _text(quote.speaker, "unattributed"),
            f"({escape(quote.reporting_verb)})" if quote.reporting_verb else "",
            f"to {escape(quote.addressee)}" if quote.addressee else "",
            f"· {escape(quote.source)}" if quote.source else "",
            f"· {_time(quote.published_at)}",
            "" if quote.direct else "· reported speech",
        )
        if part
    )
    return (
        f'<blockquote class="quote" data-event-id="{escape(quote.event_id)}">{text}'
        f'<span class="who">{how}</span></blockquote>'
    )


def _other_quotes_section(quotes: list[Quote]) -> str:
    by_article: dict[str, list[Quote]] = defaultdict(list)
    for quote in quotes:
        by_article[quote.article_id].append(quote)
    blocks = [
        f"<h3>{_text(group[0].title or article_id)} <span class='muted'>({escape(article_id)})</span></h3>"
        + "".join(_quote(q) for q in group)
        for article_id, group in by_article.items()
    ]
    return (
        '<section id="other-quotes"><h2>Other quotes</h2>'
        f"<p>{len(quotes)} quotes said in sentences that mention no story, by article.</p>"
        f"{''.join(blocks)}</section>"
    )
