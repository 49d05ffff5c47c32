"""`roundtable brief ...`: scheduled market briefings for operators and cron-style deployments.

CHAT is a chat key ("telegram:-1001234567890", "discord:123", "console:group") or a bare id with ``--platform``
(default telegram). Telegram group ids are negative and are taken as they are: `brief set -1001234567890` needs
no `--`, because these commands pass an unknown "option" through as an argument (no option here is a digit).
`brief run-due` is what a crontab calls every minute (or every few) instead of `roundtable run`'s scheduler; the
database's send ledger makes it exactly-once however many of them run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from bots.app.cli_common import JsonOpt, err, guarded, load_settings, out
from knowledge.errors import UserError

if TYPE_CHECKING:
    from advisor.briefing.store import SqlBriefingStore
    from advisor.briefing.subscription import Subscription
    from bots.app.settings import Settings
    from jobs.briefings import Briefings, RunResult

brief_app = typer.Typer(help="Scheduled market briefings: set, off, list, preview, run-due.", no_args_is_help=True)

# Telegram's group ids are negative ("-1001234567890"): an unknown short "option" is kept as an argument.
NEGATIVE_IDS = {"ignore_unknown_options": True}
PLATFORMS = ("telegram", "discord", "console")
CHAT_IDS = {"telegram": re.compile(r"-?\d{1,20}"), "discord": re.compile(r"\d{1,20}"),
            "console": re.compile(r"[\w-]{1,64}")}

ChatArg = Annotated[str, typer.Argument(metavar="CHAT", help="A chat key (telegram:-1001234567890, discord:123, "
                                        "console:group) or a bare id with --platform.")]
PlatformOpt = Annotated[str | None, typer.Option("--platform", "-p", help="telegram, discord or console, for a "
                                                 "bare CHAT id (default telegram).")]
NowOpt = Annotated[str | None, typer.Option("--now", help="The instant to act as of, ISO 8601 with an offset, "
                                            "e.g. 2026-03-09T13:30:00+00:00 (no offset = UTC; default: now).")]


def chat_key(chat: str, platform: str | None = None) -> str:
    """The chat key for CHAT (a key, or a bare id on ``platform``); a ``UserError`` saying what is wrong."""
    prefix, colon, rest = chat.strip().partition(":")
    if colon and prefix.lower() in PLATFORMS:
        if platform is not None and platform.lower() != prefix.lower():
            raise UserError(f"{chat!r} is a {prefix} chat, but --platform says {platform}.")
        platform, chat_id = prefix.lower(), rest
    else:
        platform, chat_id = (platform or "telegram").lower(), chat.strip()
    if platform not in PLATFORMS:
        raise UserError(f"Unknown platform {platform[:20]!r}; use telegram, discord or console.")
    if not CHAT_IDS[platform].fullmatch(chat_id):
        shape = {"telegram": "a number (groups are negative, e.g. -1001234567890)",
                 "discord": "a channel id (a positive number)", "console": "a word, e.g. group"}[platform]
        raise UserError(f"{chat_id[:40]!r} is not a {platform} chat id: it should be {shape}.")
    return f"{platform}:{chat_id}"


def parse_now(text: str | None) -> datetime:
    """``--now``: ISO 8601; an instant without an offset is taken as UTC."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--now {text[:40]!r} is not an ISO 8601 time; use e.g. 2026-03-09T08:30:00-04:00.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def subscription_json(sub: Subscription) -> dict[str, Any]:
    from advisor.briefing.subscription import format_days

    return {"chat": sub.chat_key, "enabled": sub.enabled, "time": f"{sub.time:%H:%M}", "timezone": sub.zone,
            "days": format_days(sub.days), "market": sub.market, "watchlist": list(sub.watchlist),
            "chart": sub.chart}


def open_store(settings: Settings) -> SqlBriefingStore:
    from bots.app.stores import open_briefing_store

    return open_briefing_store(settings)


def open_briefings(settings: Settings) -> Briefings:
    """The briefing service with the research corpus for spotlights (loaded on first use of the bundled notes)."""
    from bots.app.cli import ensure_default_corpus
    from bots.app.composition import open_briefings as open_

    with err.status("Loading the research notes…"):
        briefings, research = open_(settings)
        ensure_default_corpus(research, settings, settings.collection, sync=False)
    return briefings


@brief_app.command("set", context_settings=NEGATIVE_IDS)
@guarded
def brief_set(chat: ChatArg, platform: PlatformOpt = None,
              at: Annotated[str | None, typer.Option("--time", help="Local time HH:MM (default 08:30).")] = None,
              tz: Annotated[str | None, typer.Option("--tz", help="IANA zone, e.g. Europe/London (default: the "
                                                     "market's own zone).")] = None,
              days: Annotated[str | None, typer.Option("--days", help="mon-fri (default), daily, mon,wed,fri…")]
              = None,
              market: Annotated[str | None, typer.Option("--market", help="US (default), HK, CN, UK or EU.")] = None,
              watch: Annotated[str | None, typer.Option("--watch", help="The watchlist, comma-separated, e.g. "
                                                        "AAPL,0700.HK (replaces it; \"\" clears it).")] = None,
              chart: Annotated[bool | None, typer.Option("--chart/--no-chart", help="Add a chart image.")] = None,
              ) -> None:
    """Turn a chat's briefing on, or change it; what is not given keeps its value (or the default)."""
    from dataclasses import replace

    from advisor.briefing.subscription import Subscription, parse_days, parse_market, parse_time, parse_zone
    from bots.chat.briefs import watch as add_symbols

    key = chat_key(chat, platform)
    store = open_store(load_settings())
    sub = store.get(key) or Subscription(key)
    try:
        sub = replace(sub, enabled=True,
                      time=parse_time(at) if at is not None else sub.time,
                      timezone=parse_zone(tz) if tz is not None else sub.timezone,
                      days=parse_days(days) if days is not None else sub.days,
                      market=parse_market(market) if market is not None else sub.market,
                      chart=chart if chart is not None else sub.chart)
        if watch is not None:
            sub = replace(sub, watchlist=add_symbols((), [watch]) if watch.strip() else ())
    except ValueError as exc:
        raise UserError(str(exc)) from None
    saved = store.save(sub)
    out.print(f"[bold]{escape(key)}[/bold]\n{escape(saved.describe())}")


@brief_app.command("off", context_settings=NEGATIVE_IDS)
@guarded
def brief_off(chat: ChatArg, platform: PlatformOpt = None) -> None:
    """Stop a chat's briefing (its settings are kept: `brief set CHAT` turns it back on)."""
    from dataclasses import replace

    key = chat_key(chat, platform)
    store = open_store(load_settings())
    sub = store.get(key)
    if sub is None:
        raise UserError(f"{key} has no briefing; nothing to turn off.")
    if sub.enabled:
        store.save(replace(sub, enabled=False))
    out.print(f"{escape(key)}: briefing off" + ("" if sub.enabled else " (it already was)") + ".")


@brief_app.command("list")
@guarded
def brief_list(as_json: JsonOpt = False) -> None:
    """The chats whose briefing is on."""
    subs = list(open_store(load_settings()).enabled())
    if as_json:
        print(json.dumps({"subscriptions": [subscription_json(sub) for sub in subs]}, ensure_ascii=False))
        return
    if not subs:
        out.print("No chat has a briefing on. Start one with `roundtable brief set CHAT`.")
    for sub in subs:
        line = subscription_json(sub)
        watch = ",".join(line["watchlist"]) or "-"
        out.print(escape(f"{sub.chat_key}  {line['time']} {line['timezone']} {line['days']}  {sub.market}  "
                         f"watch {watch}" + ("  chart" if sub.chart else "")))


@brief_app.command("preview", context_settings=NEGATIVE_IDS)
@guarded
def brief_preview(chat: ChatArg, platform: PlatformOpt = None, as_json: JsonOpt = False, now: NowOpt = None,
                  chart: Annotated[str | None, typer.Option("--chart", metavar="PNG", help="Also write the chart "
                                                            "image here (when the chat has charts on).")] = None,
                  ) -> None:
    """What a chat would receive at --now (its settings, or the defaults when it has none); nothing is sent."""
    from advisor.briefing.subscription import Subscription

    key = chat_key(chat, platform)
    moment = parse_now(now)
    settings = load_settings()
    sub = open_store(settings).get(key)
    if sub is None:
        err.print(f"{escape(key)} has no briefing; previewing the defaults.")
        sub = Subscription(key)
    briefing = open_briefings(settings).compose(sub, moment)
    if chart is not None and briefing.chart is not None:
        from pathlib import Path

        Path(chart).write_bytes(briefing.chart)
        err.print(f"Chart written to {escape(chart)}.")
    if as_json:
        print(json.dumps(briefing.to_json(), ensure_ascii=False))
    else:
        out.print(escape(briefing.text).replace("**", ""))


@brief_app.command("run-due")
@guarded
def brief_run_due(now: NowOpt = None) -> None:
    """Send every briefing due at --now through the configured platforms (Telegram and Discord when their tokens
    are set; console chats print here), one line per chat. Exit 1 when a send failed."""
    import asyncio

    moment = parse_now(now)
    settings = load_settings()
    briefings = open_briefings(settings)
    results = asyncio.run(run_due(settings, briefings, moment))
    for result in results:
        print(result.line(), flush=True)
    if not results:
        err.print(f"No briefing is due at {moment.isoformat()}.")
    if any(result.status == "failed" for result in results):
        raise typer.Exit(1)


async def run_due(settings: Settings, briefings: Briefings, now: datetime) -> list[RunResult]:
    """One run with a sender per configured platform: console chats print here; Telegram and Discord bots are
    logged in for this run only and closed after it."""
    from contextlib import AsyncExitStack
    from dataclasses import replace

    from bots.console.briefings import ConsoleBriefingSender
    from jobs.delivery import BriefingSender

    senders: dict[str, BriefingSender] = {"console": ConsoleBriefingSender(out, settings.home / "charts")}
    store = briefings.store

    def moved(platform: str) -> Callable[[str, str], None]:
        return lambda old, new: store.move(f"{platform}:{old}", f"{platform}:{new}")

    async with AsyncExitStack() as stack:
        if settings.telegram_token:
            from bots.telegram.briefings import TelegramBriefingSender

            senders["telegram"] = await stack.enter_async_context(TelegramBriefingSender.standalone(
                settings.telegram_token.get_secret_value(), api_url=settings.telegram_api_url,
                on_migrated=moved("telegram")))
        if settings.discord_token:
            from bots.discord.briefings import DiscordBriefingSender

            senders["discord"] = await stack.enter_async_context(DiscordBriefingSender.standalone(
                settings.discord_token.get_secret_value(), api_url=settings.discord_api_url))
        return await replace(briefings, senders=senders).run_due(now)
