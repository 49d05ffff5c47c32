"""Scheduled briefings to Telegram chats: the ``jobs.delivery.BriefingSender`` for Telegram.

One sender works in two places. Inside ``roundtable run`` it borrows the running bot (``from_frontend``), so
briefings share the bot's connection pool and its AIORateLimiter with the live answers. For the operators'
``roundtable brief run-due`` it makes its own bot from the token (``standalone``; an async context manager
that logs in with getMe and closes the connections at the end).

A briefing is rendered exactly like the bot's replies (``render``: the light markup as HTML, split under
Telegram's 4,096 limit). With a chart, the text goes as the photo's caption when it fits Telegram's 1,024
caption limit, otherwise the photo goes first and the text after it, as the bot sends charts.

What Telegram answers becomes what the runner understands:

- the bot was removed, blocked or the chat is gone (403, or 400 "chat not found") -> ``ChatGoneError``;
- flood control (429 beyond the rate limiter's own retries) -> ``RetryAfterError`` with Telegram's wait;
- the group became a supergroup (400 with ``migrate_to_chat_id``) -> the briefing goes to the new chat at once,
  the sender remembers the new id for later briefings, and ``on_migrated(old_id, new_id)`` lets the caller
  move the subscription (``SqlBriefingStore.move``). ``deliver`` then returns normally: the briefing was sent.
- network failures follow the bot's own rule (``retries``): retried here only when Telegram certainly did not
  act on the request, then raised for the runner to retry. A send that timed out waiting for the answer may
  well have arrived, and a briefing is promised at most once, so it is logged and not sent again.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bots.telegram import retries
from bots.telegram.render import light_markup_to_html, split_message
from jobs.delivery import ChatGoneError, RetryAfterError
from knowledge.errors import UserError

if TYPE_CHECKING:
    from bots.telegram.bot import TelegramFrontend

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024  # Telegram counts a caption's visible characters, in UTF-16 code units
# Descriptions of a 400 that mean the chat itself is gone (a 403 always means the bot cannot post there).
GONE = ("chat not found",)
# A group whose members (the bot included) may not post media: the text still goes, without the chart.
NO_MEDIA = ("not enough rights to send photos",)

Migrated = Callable[[str, str], None]  # (old chat id, new chat id)


class TelegramBriefingSender:
    """Posts briefings to Telegram chats (``chat_id`` is Telegram's id as text, e.g. "-1001234567890")."""

    platform = "telegram"
    # Telegram lets a bot send about 30 messages a second across all chats (and 20 a minute in one group,
    # far above one briefing a day). A briefing is at most two messages when it carries a chart that does
    # not fit a caption, so 12 briefings a second stay under 30 messages a second with room left for live
    # answers, which share the same limit. 1,000 chats take under 90 s, well inside the 30-minute grace.
    per_second = 12.0

    def __init__(self, bot: Bot, *, on_migrated: Migrated | None = None, owns_bot: bool = False) -> None:
        self.bot = bot
        self.on_migrated = on_migrated
        self.owns_bot = owns_bot  # standalone: this sender initialises and shuts the bot down
        self.migrated: dict[str, str] = {}  # old chat id -> new chat id, learnt while sending
        # Sends of one briefing already made, so a retried ``deliver`` resumes after them instead of posting
        # the chart twice: (chat id, digest of the briefing) -> messages sent.
        self._progress: dict[tuple[str, str], int] = {}

    @classmethod
    def from_frontend(cls, frontend: TelegramFrontend, *,
                      on_migrated: Migrated | None = None) -> TelegramBriefingSender:
        """The running bot's sender (``frontend``: a started ``TelegramFrontend``; its Application's bot)."""
        return cls(frontend.app.bot, on_migrated=on_migrated)

    @classmethod
    def standalone(cls, token: str, *, api_url: str | None = None, on_migrated: Migrated | None = None,
                   read_timeout: float = 30.0) -> TelegramBriefingSender:
        """A sender with its own bot, for ``roundtable brief run-due``; use it as ``async with``.

        ``api_url`` is ``settings.telegram_api_url`` (a self-hosted Bot API server, or a test fake), handled as
        the front-end handles it. The rate limiter is the bot's (30 a second overall, 20 a minute per group),
        but it does not wait out a 429 itself: the runner gets ``RetryAfterError`` and decides."""
        options: dict[str, Any] = {}
        if api_url:
            base = api_url.rstrip("/")
            options = {"base_url": f"{base}/bot", "base_file_url": f"{base}/file/bot"}
        bot: ExtBot[int] = ExtBot(token, request=HTTPXRequest(connect_timeout=10, read_timeout=read_timeout),
                                   rate_limiter=AIORateLimiter(max_retries=0), **options)
        return cls(bot, on_migrated=on_migrated, owns_bot=True)

    async def __aenter__(self) -> TelegramBriefingSender:
        if self.owns_bot:
            try:
                await self.bot.initialize()
            except InvalidToken as exc:
                raise UserError("Telegram rejected ROUNDTABLE_TELEGRAM_TOKEN; copy it again from @BotFather.") \
                    from exc
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        if self.owns_bot:
            await self.bot.shutdown()

    # -- delivering ----------------------------------------------------------------------------------

    async def deliver(self, chat_id: str, text: str, image: bytes | None = None) -> None:
        target = self.migrated.get(chat_id, chat_id)
        key = (chat_id, _digest(text, image))
        sends = _sends(text, image)
        try:
            await self._send_from(target, sends, key)
        except ChatMigrated as exc:
            # Telegram refused the first message (nothing reached the old group), so all of it goes again.
            new_id = str(exc.new_chat_id)
            log.info("telegram chat %s became %s; briefing sent there", chat_id, new_id)
            self.migrated[chat_id] = new_id
            if self.on_migrated is not None:
                await asyncio.to_thread(self.on_migrated, chat_id, new_id)
            await self._send_from(new_id, sends, key)
        self._progress.pop(key, None)

    async def _send_from(self, chat_id: str, sends: list[_Send], key: tuple[str, str]) -> None:
        for index in range(self._progress.get(key, 0), len(sends)):
            send = sends[index]
            try:
                await self._send(chat_id, send)
            except BadRequest as exc:
                if send.image is None or not _says(exc, NO_MEDIA):
                    raise
                log.info("telegram chat %s does not allow photos; briefing sent without its chart", chat_id)
                if send.caption:
                    await self._send(chat_id, _Send(text=send.caption))
            self._progress[key] = index + 1

    async def _send(self, chat_id: str, send: _Send) -> None:
        """One message, with Telegram's refusals translated for the runner."""
        try:
            await self._post(chat_id, send)
        except RetryAfter as exc:
            raise RetryAfterError(_seconds(exc)) from exc
        except (Forbidden, BadRequest) as exc:
            if isinstance(exc, Forbidden) or _says(exc, GONE):
                raise ChatGoneError(exc.message) from exc
            raise
        except TelegramError as exc:
            if not retries.may_have_been_delivered(exc):
                raise
            # Probably delivered and only the answer was lost: posting it again could show it twice.
            log.warning("a briefing message to telegram chat %s may not have been delivered (%s); not "
                        "sending it again", chat_id, type(exc).__name__)

    async def _post(self, chat_id: str, send: _Send) -> None:
        if send.image is not None:
            await retries.send(self.bot.send_photo, chat_id, send.image, caption=send.caption or None,
                               parse_mode=ParseMode.HTML if send.caption else None)
        else:
            await retries.send(self.bot.send_message, chat_id, send.text, parse_mode=ParseMode.HTML,
                               link_preview_options=LinkPreviewOptions(is_disabled=True))


@dataclass(frozen=True)
class _Send:
    """One Telegram message of a briefing: a photo (with an optional caption) or a piece of text (HTML)."""

    text: str = ""
    image: bytes | None = None
    caption: str = ""


def _sends(text: str, image: bytes | None) -> list[_Send]:
    """The messages one briefing becomes, in order."""
    body = light_markup_to_html(text)
    pieces = [piece for piece in split_message(body) if piece.strip()]
    if image is None:
        return [_Send(text=piece) for piece in pieces]
    if len(pieces) <= 1 and visible_length(body) <= CAPTION_LIMIT:
        return [_Send(image=image, caption=pieces[0] if pieces else "")]
    return [_Send(image=image), *(_Send(text=piece) for piece in pieces)]


def visible_length(body: str) -> int:
    """What Telegram counts against a caption's limit: the text once tags are parsed, in UTF-16 code units."""
    shown = html.unescape(re.sub(r"<[^>]*>", "", body))
    return len(shown.encode("utf-16-le")) // 2


def _digest(text: str, image: bytes | None) -> str:
    return hashlib.sha256(text.encode() + b"\0" + (image or b"")).hexdigest()


def _says(exc: TelegramError, phrases: tuple[str, ...]) -> bool:
    return any(phrase in exc.message.lower() for phrase in phrases)


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # an int today, a timedelta in PTB 23: either is read the same way
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
