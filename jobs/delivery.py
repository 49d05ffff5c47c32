"""How a scheduled job reaches a chat: each front-end provides a ``BriefingSender`` (jobs never import a chat
platform). Senders raise ``ChatGoneError`` when the bot can no longer post there (removed, chat deleted):
the chat is then unsubscribed. ``RetryAfterError`` carries the platform's own wait."""

from __future__ import annotations

from typing import Protocol


class ChatGoneError(Exception):
    """The bot was removed from the chat, or the chat no longer exists."""


class RetryAfterError(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"rate limited: retry after {seconds:g} s")
        self.seconds = seconds


class BriefingSender(Protocol):
    platform: str  # "telegram", "discord", "console": the chat key's prefix
    per_second: float  # sustained broadcast rate this platform allows a bot

    async def deliver(self, chat_id: str, text: str, image: bytes | None = None) -> None:
        """Post ``text`` (light markup: **bold** only), with ``image`` (PNG) when given, to the chat."""
        ...
