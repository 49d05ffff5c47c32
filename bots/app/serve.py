"""The main job's event loop: scheduler and chat front-ends together, until Ctrl-C, SIGTERM or end of input."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from rich.console import Console

from bots.app.settings import Settings
from bots.console.chat import run_console

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bots.app.composition import App
    from bots.chat.router import Router

_IMPORTED = time.perf_counter()


class Frontend(Protocol):
    async def stop(self) -> None: ...


def seconds_since_start() -> float:
    """Wall time since the operating system started this process, imports and interpreter start-up included.

    Linux reports when the process started (/proc/self/stat, in clock ticks since boot); elsewhere this
    falls back to the time since this module was imported.
    """
    try:
        with open("/proc/self/stat", encoding="ascii") as stat, open("/proc/uptime", encoding="ascii") as uptime:
            # Field 22 (starttime); counting starts after the command name, which may itself hold spaces.
            started = int(stat.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
            return float(uptime.read().split()[0]) - started
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


class RouterWhenBuilt:
    """The router, for bots that connect while the app is still being built: every use waits until it exists.

    Connecting first makes the bots reachable sooner (Discord shows its commands, Telegram starts polling); a
    question asked in those first seconds is acknowledged at once and answered when the app is ready. A wait on
    the event loop's thread (a Discord autocomplete, say) can only happen in those first seconds."""

    def __init__(self) -> None:
        self._built = threading.Event()
        self._router: Router | None = None
        self._error: BaseException | None = None

    def set(self, router: Router) -> None:
        self._router = router
        self._built.set()

    def fail(self, error: BaseException) -> None:
        self._error = error
        self._built.set()

    def __getattr__(self, name: str) -> Any:
        self._built.wait()
        if self._router is None:
            raise RuntimeError("Roundtable did not start") from self._error
        return getattr(self._router, name)


async def serve(settings: Settings, out: Console, err: Console, build: Callable[[], App]) -> None:
    """Everything in one asyncio loop: scheduler, chat front-ends; stops on Ctrl-C, SIGTERM or end of input.

    Telegram and Discord run side by side when both tokens are set; with neither, the terminal chat runs.
    ``build`` (the stores, the research corpus and the embedding model's warm-up) runs in a thread while the
    bots connect; "ready" is printed once both are done."""
    from jobs.records import stop_records
    from jobs.scheduler import build_scheduler, describe, uninstall

    scheduler = build_scheduler(settings.sqlalchemy_url)
    scheduler.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signame in ("SIGINT", "SIGTERM"):
        loop.add_signal_handler(getattr(signal, signame), stop.set)
    frontends: list[Frontend] = []
    slot = RouterWhenBuilt()
    router = cast("Router", slot)

    def build_then_set() -> App:  # set from the building thread: a wait on the loop's thread must end without it
        try:
            app_ = build()
        except BaseException as exc:
            slot.fail(exc)
            raise
        slot.set(app_.router)
        return app_

    building = asyncio.ensure_future(asyncio.to_thread(build_then_set))
    app_: App | None = None
    telegram: Any = None
    discord: Any = None
    try:
        if settings.telegram_token:
            from bots.telegram.bot import TelegramFrontend

            telegram = TelegramFrontend(router, settings.telegram_token.get_secret_value(),
                                        api_url=settings.telegram_api_url)
            frontends.append(telegram)
            secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
            await telegram.start(webhook_url=settings.telegram_webhook_url, port=settings.telegram_webhook_port,
                                 webhook_secret=secret)
        if settings.discord_token:
            from bots.discord.bot import DiscordFrontend

            discord = DiscordFrontend(router, settings.discord_token.get_secret_value(),
                                      guild_id=settings.discord_guild_id, api_url=settings.discord_api_url,
                                      shards=settings.discord_shards)
            frontends.append(discord)
            await discord.start()
        app_ = await building
        start_briefings(app_, scheduler, out, telegram=telegram, discord=discord, console=not frontends)
        start_track_records(app_, scheduler)
        # Everything loaded so far lives as long as the process: moved out of the collector's sight, a full
        # collection no longer walks it (measured: the slow tail of a cached portfolio snapshot, 70-85 ms, goes).
        gc.collect()
        gc.freeze()
        if frontends:
            names = " and ".join(type(f).__name__.removesuffix("Frontend") for f in frontends)
            err.print(f"Roundtable ready in {seconds_since_start():.1f} s ({names}; "
                      f"{describe(scheduler)}). Press Ctrl-C to stop.")
            await stop.wait()
        else:
            err.print(f"Roundtable ready in {seconds_since_start():.1f} s (terminal chat, no bot token set; "
                      f"{describe(scheduler)}).")
            console = asyncio.create_task(asyncio.to_thread(run_console, app_.router, out,
                                                             images=settings.home / "charts"))
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({console, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
    except BaseException as exc:
        slot.fail(exc)  # nothing waits for a router that will never come
        raise
    finally:
        for frontend in reversed(frontends):
            await frontend.stop()
        if app_ is not None and app_.activity is not None:  # after the front-ends: their last messages count
            await asyncio.to_thread(app_.activity.close)
        scheduler.shutdown(wait=False)
        uninstall()
        stop_records()


def start_track_records(app_: App, scheduler: AsyncIOScheduler) -> None:
    """The daily track-record job (after the US close): it records each shared portfolio's value index and
    grades public calls, for /leaderboard."""
    from advisor.community.keeper import RecordKeeper
    from jobs.records import start_records

    community = app_.router.community
    if community.records is not None and community.sharing is not None:
        start_records(scheduler, RecordKeeper(community.records.store, community.sharing.store, app_.markets.market))


def start_briefings(app_: App, scheduler: AsyncIOScheduler, out: Console, *, telegram: Any = None,
                    discord: Any = None, console: bool = False) -> None:
    """Scheduled briefings go out through the running front-ends (the terminal chat prints its own), and a
    /brief change reschedules its chat at once. One database query and the job store's read: ready stays fast."""
    from jobs.scheduler import refresh
    from jobs.scheduler import start_briefings as start

    router = app_.router

    def migrated(platform: str) -> Callable[[str, str], None]:
        return lambda old, new: router.chat_migrated(f"{platform}:{old}", f"{platform}:{new}")

    if telegram is not None:
        from bots.telegram.briefings import TelegramBriefingSender

        app_.senders["telegram"] = TelegramBriefingSender.from_frontend(telegram, on_migrated=migrated("telegram"))
    if discord is not None:
        from bots.discord.briefings import DiscordBriefingSender

        app_.senders["discord"] = DiscordBriefingSender.from_frontend(discord)
    if console:
        from bots.console.briefings import ConsoleBriefingSender

        app_.senders["console"] = ConsoleBriefingSender(out, app_.settings.home / "charts")
    if router.briefs is not None:
        router.briefs.refresh = refresh
    start(scheduler, app_.briefings)
