"""Scheduled briefings for console chats ("console:group"): printed in the terminal.

In `roundtable run` (the terminal chat) a briefing appears in the chat like any message from the bot; in
`roundtable brief run-due` it is printed to standard output. Charts are saved as PNG files, as in the chat.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bots.console.render import text_markup


class ConsoleBriefingSender:
    """A ``jobs.delivery.BriefingSender`` for the terminal. A terminal has no rate limit worth the name."""

    platform = "console"
    per_second = 100.0

    def __init__(self, console: Console, images: Path | None = None) -> None:
        self.console = console
        self.images = images
        self._lock = threading.Lock()  # two briefings printed at once would interleave their lines

    async def deliver(self, chat_id: str, text: str, image: bytes | None = None) -> None:
        with self._lock:
            self.console.print(f"[bold cyan]roundtable (briefing to console:{escape(chat_id)})>[/bold cyan] "
                               f"{text_markup(text)}")
            if image is not None:
                self.console.print(f"   [dim]{escape(self._save(chat_id, image))}[/dim]")

    def _save(self, chat_id: str, png: bytes) -> str:
        if self.images is None:
            return "(a chart; the terminal has nowhere to save it)"
        self.images.mkdir(parents=True, exist_ok=True)
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in chat_id)[:40]
        path = self.images / f"briefing-{safe}-{datetime.now():%Y%m%d-%H%M%S-%f}.png"
        path.write_bytes(png)
        return f"chart saved to {path}"
