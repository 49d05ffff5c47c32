"""``roundtable report --html``: one self-contained page (inline CSS, inline SVG charts; no script, no network,
no other file) for a manager who would rather look than read.

Charts: questions by intent, moderation by category, the mood trend (index bars over message volume) and
messages by local hour. Every number a chart shows is also in a table beside it, so the page reads without the
pictures (and a screen reader reads it). A window with no activity gives a short "no activity" page.

The SVGs are drawn with matplotlib's object API on an SVG canvas; text stays text (``svg.fonttype: none``), and
each chart gets its own id salt, so several SVGs inline in one page never share an element id.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from advisor.report.summary import Report

INK, MUTED, ACCENT, UP, DOWN = "#1f2933", "#616e7c", "#3d5a80", "#1a7f37", "#cf222e"
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; margin: 2rem auto;
       max-width: 60rem; padding: 0 1rem; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.sub { color: #616e7c; margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1.2rem 0; }
.card { border: 1px solid #d9e2ec; border-radius: .5rem; padding: .6rem 1rem; min-width: 8rem; }
.card b { display: block; font-size: 1.5rem; }
.row { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.chart svg { max-width: 34rem; height: auto; }
table { border-collapse: collapse; font-size: .95rem; } td, th { padding: .2rem .7rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } tr:nth-child(even) { background: #f5f7fa; }
.empty { border: 1px dashed #9aa5b1; border-radius: .5rem; padding: 2rem; text-align: center; color: #52606d; }
.note { color: #616e7c; font-size: .9rem; }
"""
NOT_A_SIGNAL = "Mood describes this chat's conversation, not the market: it is not a signal to buy or sell."
FOOTER = ("Made by Roundtable from counts only: no message text, and members only as pseudonyms in the audit log. "
          "Education, not investment advice.")


def render_html(report: Report) -> str:
    """The whole page as text."""
    window = f"{_local(report, report.since)} to {_local(report, report.until)} ({report.timezone})"
    head = (f"<h1>Chat report: {escape(report.chat)}</h1>\n<p class=\"sub\">{escape(window)}. Days and hours are "
            f"in {escape(report.timezone)}{_zone_note(report)}.</p>\n")
    if report.empty:
        body = (f"<div class=\"empty\" id=\"no-activity\"><h2>No activity</h2><p>Nothing was recorded for "
                f"{escape(report.chat)} in this window: no questions, moderation, briefings or messages.</p></div>")
    else:
        body = "\n".join([_cards(report), _questions(report), _feedback(report), _moderation(report), _mood(report),
                          _hours(report), _briefings(report)])
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>Roundtable report: {escape(report.chat)}</title><style>{CSS}</style></head>\n"
            f"<body>\n{head}{body}\n<p class=\"note\">{escape(FOOTER)}</p>\n</body></html>\n")


def _local(report: Report, moment: datetime) -> str:
    return f"{moment.astimezone(ZoneInfo(report.timezone)):%a %d %b %Y %H:%M}"


def _zone_note(report: Report) -> str:
    return " (the chat's briefing time zone)" if report.timezone_source == "briefing" else \
        " (the chat has no briefing subscription, so UTC)"


def _cards(report: Report) -> str:
    mood = "-" if report.mood_index is None else f"{report.mood_index:+.0f}"
    cards = [("questions", str(report.questions.total)), ("refused", str(report.questions.refused)),
             ("flagged messages", str(report.moderation.total)), ("messages", f"{report.messages:,}"),
             ("mood index", mood), ("briefings sent", str(report.briefings.sent))]
    inner = "".join(f"<div class=\"card\" id=\"card-{name.replace(' ', '-')}\"><b>{escape(value)}</b>"
                    f"{escape(name)}</div>" for name, value in cards)
    return f"<div class=\"cards\">{inner}</div>"


def _table(caption: str, rows: Sequence[tuple[str, int | str]], table_id: str, value: str = "n") -> str:
    body = "".join(f"<tr><td>{escape(name)}</td><td class=\"n\">{escape(str(value))}</td></tr>" for name, value in rows)
    return (f"<table id=\"{table_id}\"><tr><th>{escape(caption)}</th><th>{escape(value)}</th></tr>{body}"
            "</table>")


def _section(title: str, section_id: str, chart: str, table: str, note: str = "") -> str:
    extra = f"<p class=\"note\">{escape(note)}</p>" if note else ""
    return (f"<section id=\"{section_id}\"><h2>{escape(title)}</h2><div class=\"row\"><div class=\"chart\">"
            f"{chart}</div>{table}</div>{extra}</section>")


def _none(section_id: str, title: str, what: str) -> str:
    return f"<section id=\"{section_id}\"><h2>{escape(title)}</h2><p class=\"note\">{escape(what)}</p></section>"


def _questions(report: Report) -> str:
    q = report.questions
    if not q.total:
        return _none("questions", "Questions", "No questions were asked in this window.")
    chart = _barh(list(q.by_intent.items()), "questions", "questions by intent", ACCENT, "intent")
    rows: list[tuple[str, int | str]] = [*q.by_intent.items(), ("refused", q.refused), ("abstained", q.abstained)]
    rows += [(f"risk {level}", n) for level, n in q.by_risk.items()]
    note = ("Refused: a personal buy/sell call, a price prediction or an injection was declined. Abstained: the "
            "research notes had no grounded answer.")
    return _section(f"Questions ({q.total})", "questions", chart, _table("intent / risk", rows, "questions-table"),
                    note)


def _feedback(report: Report) -> str:
    f = report.feedback
    if not f.total:
        return _none("feedback", "Feedback on answers", "Nobody rated an answer in this window.")
    rows: list[tuple[str, int | str]] = [("👍 helpful", f.up), ("👎 not helpful", f.down)]
    rows += [(f"reason: {reason}", n) for reason, n in f.reasons.items()]
    rows += [(f"intent {intent}", f"{votes['up']} 👍 / {votes['down']} 👎") for intent, votes in f.by_intent.items()]
    chart = _barh([("helpful", f.up), ("not helpful", f.down)], "votes", "feedback on answers", ACCENT, "feedback")
    return _section(f"Feedback on answers ({f.total} votes, {f.up / f.total:.0%} helpful)", "feedback", chart,
                    _table("vote / reason / intent", rows, "feedback-table"),
                    "One vote per member per answer (the latest counts); reasons are optional.")


def _moderation(report: Report) -> str:
    m = report.moderation
    if not m.by_action:
        return _none("moderation", "Moderation", "No message was flagged in this window.")
    chart = _barh(list(m.by_category.items()), "flagged messages", "moderation by category", DOWN, "category") \
        if m.by_category else ""
    rows: list[tuple[str, int | str]] = [*m.by_category.items(), *((f"action: {a}", n) for a, n in m.by_action.items())]
    return _section(f"Moderation ({m.total} flagged)", "moderation", chart,
                    _table("category / action", rows, "moderation-table"),
                    "A message in two categories counts in both.")


def _mood(report: Report) -> str:
    if not report.messages:
        return _none("mood", "Mood trend", "No messages were counted in this window.")
    fmt = "%a %d %b" if report.bucket == "day" else "%d %b %H:00"
    labels = [f"{b.start:{fmt}}" for b in report.mood]
    chart = _mood_chart(labels, [b.mood_index for b in report.mood], [b.messages for b in report.mood])
    rows = [(label, "-" if b.mood_index is None else f"{b.mood_index:+.0f} ({b.messages} msgs)")
            for label, b in zip(labels, report.mood, strict=True) if b.messages]
    share = f"{report.fear_share:.0%}" if report.fear_share is not None else "-"
    return _section(f"Mood trend (index {report.mood_index:+.0f}; {share} fearful)", "mood", chart,
                    _table(report.bucket, rows, "mood-table", "mood (messages)"), NOT_A_SIGNAL)


def _hours(report: Report) -> str:
    if not report.messages:
        return ""
    chart = _bars([f"{h:02d}" for h in range(24)], list(report.hours), "messages by hour", ACCENT,
                  xlabel=f"hour ({report.timezone})")
    rows: list[tuple[str, int | str]] = [(f"{h:02d}:00", report.hours[h]) for h in report.busiest]
    return _section("Busiest hours", "hours", chart, _table(f"busiest ({report.timezone})", rows, "hours-table"))


def _briefings(report: Report) -> str:
    b = report.briefings
    if not (b.sent or b.failed or b.skipped):
        return _none("briefings", "Briefings", "No briefing was sent in this window.")
    rows: list[tuple[str, int | str]] = [("sent", b.sent), ("failed", b.failed), ("skipped", b.skipped)]
    days = ", ".join(f"{day:%a %d %b}" for day in b.dates)
    return (f"<section id=\"briefings\"><h2>Briefings ({b.sent} sent)</h2>{_table('status', rows, 'briefings-table')}"
            f"<p class=\"note\">{escape(days)}</p></section>")


# -- charts ----------------------------------------------------------------------------------------------

def _figure(height: float) -> Figure:
    figure = Figure(figsize=(6.4, height), dpi=100)
    FigureCanvasSVG(figure)
    return figure


def _svg(figure: Figure, salt: str) -> str:
    buffer = io.StringIO()
    # rc_context changes matplotlib's global settings for the save: the report is drawn by the CLI, one thread.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]  # no XML prolog or DOCTYPE inside HTML
    # matplotlib names elements figure_1, axes_1, patch_1 ... in every figure: prefix them so ids stay unique.
    text = re.sub(r'id="((?:figure|axes|patch|line2d|text|matplotlib\.axis|xtick|ytick|legend)_?[\w.]*)"',
                  lambda m: f'id="{salt}-{m.group(1)}"', text)
    return f'<figure class="svg-chart" id="chart-{salt}">{text}</figure>'


def _barh(items: list[tuple[str, int]], xlabel: str, title: str, color: str, salt: str) -> str:
    names, values = [name for name, _ in reversed(items)], [n for _, n in reversed(items)]
    figure = _figure(1.0 + 0.35 * len(items))
    axes = figure.add_subplot()
    bars = axes.barh(names, values, color=color)
    axes.bar_label(bars, padding=3, color=INK)
    axes.set_xlabel(xlabel, color=MUTED)
    axes.set_title(title.capitalize(), fontsize=11, color=INK)
    axes.set_xlim(0, max(values) * 1.15 + 0.5)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.2 of a question
    _plain(axes)
    figure.tight_layout()
    return _svg(figure, salt)


def _bars(labels: list[str], values: list[int], title: str, color: str, *, xlabel: str) -> str:
    figure = _figure(2.6)
    axes = figure.add_subplot()
    axes.bar(labels, values, color=color)
    axes.set_xlabel(xlabel, color=MUTED)
    axes.set_ylabel("messages", color=MUTED)
    axes.set_title(title.capitalize(), fontsize=11, color=INK)
    axes.tick_params(axis="x", labelsize=7)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    _plain(axes)
    figure.tight_layout()
    return _svg(figure, "hours")


def _mood_chart(labels: list[str], index: list[float | None], volume: list[int]) -> str:
    """Mood index bars (green above 0, red below, a gap where nobody spoke), the message volume as a grey line
    drawn over them (the twin axes come second, so the line stays visible across a tall bar)."""
    figure = _figure(3.0)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    volume_axes = axes.twinx()
    volume_axes.plot(positions, volume, color="#9aa5b1", linewidth=1.2, marker="o", markersize=3)
    volume_axes.set_ylabel("messages", color=MUTED)
    volume_axes.set_ylim(0, max(volume) * 1.2 + 1)
    volume_axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # message counts are whole
    axes.bar(positions, [value or 0.0 for value in index], width=0.7,
             color=[UP if (value or 0) >= 0 else DOWN for value in index])
    axes.axhline(0, color=MUTED, linewidth=0.8)
    axes.set_ylim(-100, 100)
    axes.set_ylabel("mood index", color=MUTED)
    step = max(1, len(labels) // 8)  # at most ~8 labels: an hourly series has up to 48
    axes.set_xticks(positions[::step], labels[::step], fontsize=7, rotation=30, ha="right")
    axes.set_title("Mood trend (not a market signal)", fontsize=11, color=INK)
    _plain(axes)
    figure.tight_layout()
    return _svg(figure, "mood")


def _plain(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=MUTED)
