"""The main job's event loop: scheduler and chat front-ends together, until Ctrl-C, SIGTERM or end of input."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import time
from collections.abc import Callable
from typing import Protocol

from rich.console import Console

from bots.app.composition import App
from bots.app.settings import Settings
from bots.console.chat import run_console

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


async def serve(app_: App, settings: Settings, out: Console, err: Console,
                warm_up: Callable[[], None] | None = None) -> None:
    """Everything in one asyncio loop: scheduler, chat front-ends; stops on Ctrl-C, SIGTERM or end of input.

    Telegram and Discord run side by side when both tokens are set; with neither, the terminal chat runs.
    ``warm_up`` (loading the embedding model and indexes) runs in a thread while the bots connect, and
    "ready" is printed once both are done."""
    from jobs.scheduler import build_scheduler, describe

    scheduler = build_scheduler(settings.sqlalchemy_url)
    scheduler.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signame in ("SIGINT", "SIGTERM"):
        loop.add_signal_handler(getattr(signal, signame), stop.set)
    frontends: list[Frontend] = []
    warming = asyncio.ensure_future(asyncio.to_thread(warm_up)) if warm_up is not None else None
    try:
        if settings.telegram_token:
            from bots.telegram.bot import TelegramFrontend

            telegram = TelegramFrontend(app_.router, settings.telegram_token.get_secret_value(),
                                        api_url=settings.telegram_api_url)
            frontends.append(telegram)
            secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
            await telegram.start(webhook_url=settings.telegram_webhook_url, port=settings.telegram_webhook_port,
                                 webhook_secret=secret)
        if settings.discord_token:
            from bots.discord.bot import DiscordFrontend

            discord = DiscordFrontend(app_.router, settings.discord_token.get_secret_value(),
                                      guild_id=settings.discord_guild_id, api_url=settings.discord_api_url,
                                      shards=settings.discord_shards)
            frontends.append(discord)
            await discord.start()
        if warming is not None:
            await warming
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
    finally:
        for frontend in reversed(frontends):
            await frontend.stop()
        scheduler.shutdown(wait=False)
