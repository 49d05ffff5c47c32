"""Scheduled briefings to Discord channels: the ``jobs.delivery.BriefingSender`` for Discord.

Inside ``roundtable run`` the sender borrows the running bot (``from_bot``): a channel the gateway has cached
tells what the bot may do there, so a chart is left out where Attach Files is missing, as the bot does for
replies. For ``roundtable brief run-due`` it logs in over REST only (``standalone``: ``Client.login`` gives
an HTTP client; no gateway connection, so nothing is cached) and posts to a partial channel: one request per
message, and the send itself reports a channel that is gone.

A briefing is rendered as the bot renders a text reply with a chart (``render.contents`` / ``render.files``):
the light markup as Discord markdown with everything else escaped, split under 2,000 characters, the chart
attached to the first message. No mention in it ever pings anyone (``NO_MENTIONS``).

Discord's refusals for the runner: 403 (Missing Access, Missing Permissions) and 404 (Unknown Channel) ->
``ChatGoneError``; a rate limit discord.py does not wait out itself -> ``RetryAfterError``. A standalone
sender waits up to ``MAX_WAIT`` seconds for a 429 (discord.py's own handling), longer waits go back to the
runner so one slow channel does not hold up the others.
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

import discord
from discord.abc import Messageable

from bots.chat.messages import Outgoing
from bots.discord import render
from bots.discord.bot import DEFAULT_API_URL, DiscordFrontend, log_in
from bots.discord.render import NO_MENTIONS
from jobs.delivery import ChatGoneError, RetryAfterError

log = logging.getLogger(__name__)

# Seconds of 429 a standalone sender waits out itself before handing it to the runner (discord.py's least).
MAX_WAIT = 30.0
MISSING_PERMISSIONS = 50013


class DiscordBriefingSender:
    """Posts briefings to Discord channels (``chat_id`` is the channel's id as text)."""

    platform = "discord"
    # Discord allows 50 requests a second per bot and 5 messages per 5 s in one channel (one briefing a day
    # is far below that). A briefing is one message, two when it is longer than 2,000 characters, so 20
    # briefings a second are at most 40 requests, leaving room for the slash commands' answers, which share
    # the same global limit. 1,000 channels take under a minute.
    per_second = 20.0

    def __init__(self, client: discord.Client, *, owns_client: bool = False, token: str = "",
                 api_url: str = DEFAULT_API_URL) -> None:
        self.client = client
        self.owns_client = owns_client  # standalone: this sender logs in and closes the HTTP session
        self.token = token
        self.api_url = api_url.rstrip("/")

    @classmethod
    def from_bot(cls, bot: discord.Client) -> DiscordBriefingSender:
        """The running bot's sender (a started ``RoundtableBot``: its HTTP client and channel cache)."""
        return cls(bot)

    @classmethod
    def from_frontend(cls, frontend: DiscordFrontend) -> DiscordBriefingSender:
        return cls(frontend.bot)

    @classmethod
    def standalone(cls, token: str, *, api_url: str = DEFAULT_API_URL) -> DiscordBriefingSender:
        """A REST-only sender for ``roundtable brief run-due``; use it as ``async with`` (login, then close).
        ``api_url`` is ``settings.discord_api_url`` (a REST proxy, or a test fake)."""
        client = discord.Client(intents=discord.Intents.none(), allowed_mentions=NO_MENTIONS,
                                max_ratelimit_timeout=MAX_WAIT)
        return cls(client, owns_client=True, token=token, api_url=api_url)

    async def __aenter__(self) -> DiscordBriefingSender:
        if self.owns_client:
            await log_in(self.client, self.token, self.api_url)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        if self.owns_client:
            await self.client.close()

    # -- delivering ----------------------------------------------------------------------------------

    async def deliver(self, chat_id: str, text: str, image: bytes | None = None) -> None:
        channel, permissions = self._channel(int(chat_id))
        if permissions is not None and not permissions.send_messages:
            raise ChatGoneError(f"no Send Messages permission in discord channel {chat_id}")
        chart = image if permissions is None or permissions.attach_files else None
        if image is not None and chart is None:
            log.warning("discord channel %s: no Attach Files permission; briefing sent without its chart", chat_id)
        for message in messages(text, chart):
            try:
                await self._post(channel, message)
            except discord.Forbidden as exc:
                if permissions is not None or "files" not in message or exc.code != MISSING_PERMISSIONS:
                    raise ChatGoneError(_why(exc)) from exc
                # Sent blind (nothing cached): the missing permission may be Attach Files alone, and the
                # text may still pass, as the bot's replies go without their chart there.
                log.warning("discord channel %s refused the chart (%s); sending the briefing without it",
                            chat_id, exc.text)
                await self._post_or_gone(channel, {k: v for k, v in message.items() if k != "files"})

    def _channel(self, channel_id: int) -> tuple[Messageable, discord.Permissions | None]:
        """The cached channel and the bot's permissions there, or a partial channel (permissions unknown)."""
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, Messageable):
            return self.client.get_partial_messageable(channel_id), None  # not cached (or not a text channel)
        if isinstance(channel, discord.abc.GuildChannel | discord.Thread) and channel.guild.me is not None:
            return channel, channel.permissions_for(channel.guild.me)
        return channel, None

    async def _post_or_gone(self, channel: Messageable, message: dict[str, Any]) -> None:
        try:
            await self._post(channel, message)
        except discord.Forbidden as exc:
            raise ChatGoneError(_why(exc)) from exc

    async def _post(self, channel: Messageable, message: dict[str, Any]) -> None:
        """One message; Discord's answers other than 403 translated for the runner."""
        if not message:
            return  # a chart-only message whose chart was left out
        try:
            await channel.send(**message, allowed_mentions=NO_MENTIONS)
        except discord.NotFound as exc:
            raise ChatGoneError(_why(exc)) from exc
        except discord.RateLimited as exc:
            raise RetryAfterError(exc.retry_after) from exc
        except discord.HTTPException as exc:
            if exc.status == 429:  # discord.py gave up: its retries are spent, or a 429 it does not retry
                raise RetryAfterError(_retry_after(exc)) from exc
            raise


def messages(text: str, image: bytes | None) -> list[dict[str, Any]]:
    """The messages of one briefing, as the bot renders a text reply with a chart: content pieces, the chart
    attached to the first."""
    reply = Outgoing(text, image=image)
    texts, _ = render.contents(reply, embeds_allowed=True)  # a text reply has no embeds
    sends: list[dict[str, Any]] = [{"content": piece} for piece in texts]
    attached = render.files(reply)
    if attached:
        sends = sends or [{}]
        sends[0]["files"] = attached
    return sends


def _why(exc: discord.HTTPException) -> str:
    return f"{exc.status} {exc.code}: {exc.text}"


def _retry_after(exc: discord.HTTPException) -> float:
    """Discord's wait, from the Retry-After header (seconds); a minute when it gave none."""
    header = exc.response.headers.get("Retry-After") if exc.response is not None else None
    try:
        return float(header) if header else 60.0
    except ValueError:
        return 60.0
