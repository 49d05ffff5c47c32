"""`roundtable report CHAT`: a community manager's picture of one chat over a week (or the window asked for).

CHAT is read as `roundtable brief` reads it (a chat key such as telegram:-1001234567890, or a bare id with
--platform, default telegram). Days and hours are the chat's briefing time zone when it has a briefing, else UTC.
--json prints ``Report.to_json()`` (its keys are documented in ``advisor.report.summary``); --html FILE writes one
self-contained page with charts. A chat the app never recorded anything about is an error (exit 1); a known chat
with a quiet week is a report that says so.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from bots.app.cli_brief import ChatArg, PlatformOpt, chat_key
from bots.app.cli_common import err, guarded, load_settings, out
from knowledge.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from advisor.audit import AuditLog
    from advisor.report.summary import ModerationStep, Report

WEEK = timedelta(days=7)
REPORT_CONTEXT = {"ignore_unknown_options": True}  # Telegram group ids are negative: "-100123" is an argument


def parse_bound(text: str | None, zone: ZoneInfo, *, end: bool) -> datetime | None:
    """A DATE is a whole local day in the report's zone (--since from its start, --until through its end); an ISO
    time is exact (in the report's zone unless it carries an offset)."""
    if text is None:
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            day = datetime.combine(date.fromisoformat(text), datetime.min.time(), zone)
            return datetime.combine(day.date() + timedelta(days=1), datetime.min.time(), zone) if end else day
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"{text[:40]!r} is not a date: use YYYY-MM-DD or an ISO time such as 2026-11-20T08:00Z."
                        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def window(since: str | None, until: str | None, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """[start, end): --until defaults to now, --since to a week before the end."""
    end = parse_bound(until, zone, end=True) or now
    start = parse_bound(since, zone, end=False) or end - WEEK
    if start >= end:
        raise UserError(f"--since ({start.isoformat()}) must come before --until ({end.isoformat()}).")
    return start, end


def moderation_steps(engine: Engine, chat: str, since: datetime, until: datetime) -> list[ModerationStep]:
    from advisor.report.summary import ModerationStep
    from bots.chat.modstore import ModerationStore

    store = ModerationStore(engine)
    return [ModerationStep(entry.at, entry.kind, entry.actor, entry.categories)
            for entry in store.history(chat, since=since, until=until)]


def known_chats(engine: Engine, audit: AuditLog, chat: str) -> tuple[bool, list[str]]:
    """Whether anything was ever recorded about ``chat`` (cheapest tables first; the audit log last, as its chat
    column is not indexed), and, when not, the chats that have activity (for the error message)."""
    from sqlalchemy import exists, select

    from advisor.briefing.store import SqlBriefingStore
    from advisor.report.activity import activity_chats
    from advisor.report.sources import has_activity, has_audit_entries, has_briefings
    from bots.chat.modstore import LogRow, ModerationStore, PolicyRow

    if has_activity(engine, chat) or has_briefings(SqlBriefingStore(engine), chat):
        return True, []
    ModerationStore(engine)  # its tables, so the queries below work on a fresh database
    with engine.connect() as connection:
        for table in (LogRow, PolicyRow):
            if connection.scalar(select(exists().where(table.chat_key == chat))):
                return True, []
    if has_audit_entries(audit, chat):
        return True, []
    return False, activity_chats(engine)


def build(chat: str, since: str | None, until: str | None, now: datetime) -> Report:
    from advisor.audit import AuditLog
    from advisor.briefing.store import SqlBriefingStore
    from advisor.community.feedback import FeedbackStore
    from advisor.db import app_engine
    from advisor.report.activity import read_activity
    from advisor.report.sources import answers, briefing_sends
    from advisor.report.summary import build_report
    from bots.app.stores import key_ring

    settings = load_settings()
    engine = app_engine(settings.sqlalchemy_url)
    ring = key_ring(settings, engine)  # a wrong key stops here, naming the data at stake
    audit = AuditLog.open(settings.sqlalchemy_url, ring)
    briefings = SqlBriefingStore(engine, ring)  # a private chat's watchlist is encrypted
    subscription = briefings.get(chat)
    zone_name = subscription.zone if subscription is not None else None
    start, end = window(since, until, ZoneInfo(zone_name or "UTC"), now)
    feedback = FeedbackStore(engine)
    known, others = known_chats(engine, audit, chat)
    if not known and not feedback.has_chat(chat):
        hint = f" Chats with recorded activity: {', '.join(others[:5])}." if others else ""
        raise UserError(f"Nothing was ever recorded about {chat}: no messages, questions, moderation or briefings. "
                        f"Check the id (Telegram group ids are negative) and --platform.{hint}")
    return build_report(chat, start, end, zone=zone_name, answers=answers(audit, chat, start, end),
                        moderation=moderation_steps(engine, chat, start, end),
                        briefings=briefing_sends(briefings, chat, start, end),
                        activity=read_activity(engine, chat, start, end),
                        feedback=feedback.votes(chat, start, end))


@guarded
def report(
    chat: ChatArg,
    platform: PlatformOpt = None,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="From the start of this day (the "
                                              "report's zone) or an ISO time (default: a week before --until).")]
    = None,
    until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="Through the end of this day or up "
                                              "to an ISO time (default: now).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as one JSON object.")] = False,
    html: Annotated[Path | None, typer.Option("--html", metavar="FILE", help="Also write a self-contained page "
                                              "with charts here.")] = None,
) -> None:
    """A chat's week: questions by intent and risk, refusals, moderation, mood trend, briefings, busiest hours."""
    key = chat_key(chat, platform)
    result = build(key, since, until, datetime.now(UTC))
    if html is not None:
        from advisor.report.html import render_html

        try:
            html.write_text(render_html(result), encoding="utf-8")
        except OSError as exc:
            raise UserError(f"Cannot write {html}: {exc.strerror or exc}.") from exc
        err.print(f"Report page written to {escape(str(html))}.")
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print_report(result)


def print_report(result: Report) -> None:
    zone = ZoneInfo(result.timezone)
    where = "its briefing time zone" if result.timezone_source == "briefing" else "UTC: it has no briefing"
    out.print(f"[bold]{escape(result.chat)}[/bold]  {result.since.astimezone(zone):%a %d %b %Y %H:%M} to "
              f"{result.until.astimezone(zone):%a %d %b %Y %H:%M} {escape(result.timezone)} ({where})")
    if result.empty:
        out.print("No activity in this window: no questions, moderation, briefings or messages.")
        return
    q, m, b = result.questions, result.moderation, result.briefings
    out.print(f"Questions {q.total} (refused {q.refused}, abstained {q.abstained}) · flagged messages {m.total} · "
              f"messages {result.messages:,} · briefings sent {b.sent}"
              + (f" (failed {b.failed})" if b.failed else ""))
    if q.total:
        out.print(_table("Questions by intent", "intent", q.by_intent))
        out.print(_table("Questions by risk", "risk", {k: v for k, v in q.by_risk.items() if v}))
    if result.feedback.total:
        f = result.feedback
        out.print(f"Feedback on answers: {f.up} 👍, {f.down} 👎")
        if f.reasons:
            out.print(_table("Reasons given with 👎", "reason", f.reasons))
    if m.by_action:
        out.print(_table("Moderation by category", "category", m.by_category))
        out.print(_table("Moderation by action", "action", m.by_action))
    if result.messages:
        mood = Table(title=f"Mood trend (by {result.bucket}; not a market signal)")
        for column in (result.bucket, "messages", "mood", "fearful"):
            mood.add_column(column, justify="left" if column == result.bucket else "right")
        fmt = "%a %d %b" if result.bucket == "day" else "%d %b %H:00"
        for bucket in result.mood:
            mood.add_row(f"{bucket.start:{fmt}}", str(bucket.messages),
                         "-" if bucket.mood_index is None else f"{bucket.mood_index:+.0f}", str(bucket.fear))
        out.print(mood)
        busiest = ", ".join(f"{h:02d}:00 ({result.hours[h]:,})" for h in result.busiest)
        out.print(f"Busiest hours ({escape(result.timezone)}): {busiest}")


def _table(title: str, what: str, counts: dict[str, int]) -> Table:
    table = Table(title=title)
    table.add_column(what)
    table.add_column("n", justify="right")
    for name, n in counts.items():
        table.add_row(escape(name), str(n))
    return table
