"""The main job's event loop: scheduler and chat front-ends together, until Ctrl-C, SIGTERM or end of input."""

from __future__ import annotations

import asyncio
import signal
import time

from rich.console import Console

from bots.app.composition import App
from bots.app.settings import Settings
from bots.console.chat import run_console


async def serve(app_: App, settings: Settings, started: float, out: Console, err: Console) -> None:
    """Everything in one asyncio loop: scheduler, chat front-ends; stops on Ctrl-C, SIGTERM or end of input."""
    from jobs.scheduler import build_scheduler, describe

    scheduler = build_scheduler(settings.sqlalchemy_url)
    scheduler.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signame in ("SIGINT", "SIGTERM"):
        loop.add_signal_handler(getattr(signal, signame), stop.set)
    frontend = None
    try:
        if settings.telegram_token:
            from bots.telegram.bot import TelegramFrontend

            frontend = TelegramFrontend(app_.router, settings.telegram_token.get_secret_value(),
                                        api_url=settings.telegram_api_url)
            secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
            await frontend.start(webhook_url=settings.telegram_webhook_url, port=settings.telegram_webhook_port,
                                 webhook_secret=secret)
            err.print(f"Roundtable ready in {time.perf_counter() - started:.1f} s (Telegram; "
                      f"{describe(scheduler)}). Press Ctrl-C to stop.")
            await stop.wait()
        else:
            err.print(f"Roundtable ready in {time.perf_counter() - started:.1f} s (terminal chat, no bot token set; "
                      f"{describe(scheduler)}).")
            console = asyncio.create_task(asyncio.to_thread(run_console, app_.router, out))
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({console, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
    finally:
        if frontend is not None:
            await frontend.stop()
        scheduler.shutdown(wait=False)
