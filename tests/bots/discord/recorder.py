"""Stand-ins for Discord's HTTP side that record what the bot would send, so the tests run real discord.py
objects (Interaction, Message, Webhook follow-ups, Views) without a network.

Two seams: ``HTTPClient.request`` (channel messages, DMs) and the webhook adapter that interaction callbacks
and follow-ups go through (``discord.webhook.async_.async_context``). Both land in ``Recorder.sent``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import discord
import discord.interactions
import discord.webhook.async_
from discord.webhook.async_ import AsyncWebhookAdapter

from bots.chat.router import Router
from bots.discord.bot import RoundtableBot
from tests.bots.discord import payloads

EPHEMERAL = 64


@dataclass
class Sent:
    """One request the bot made: the route template (e.g. "/channels/{channel_id}/messages") and its body."""

    method: str
    path: str
    url: str
    body: dict[str, Any]
    files: list[str] = field(default_factory=list)

    @property
    def message(self) -> dict[str, Any]:
        """The message part: an interaction callback nests it under "data"."""
        return self.body.get("data") or {} if self.path.endswith("/callback") else self.body

    @property
    def ephemeral(self) -> bool:
        return bool(self.message.get("flags", 0) & EPHEMERAL)

    @property
    def content(self) -> str:
        return str(self.message.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.message.get("embeds") or [])

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [item for row in self.message.get("components") or [] for item in row.get("components", [])]

    def text(self) -> str:
        """Everything a member would read: content, embed descriptions, fields and footers."""
        parts = [self.content]
        for embed in self.embeds:
            parts.append(embed.get("description", ""))
            parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
            parts.append(embed.get("footer", {}).get("text", ""))
        return "\n".join(part for part in parts if part)


class Recorder:
    def __init__(self, bot_user: dict[str, Any], channel_id: int) -> None:
        self.bot_user = bot_user
        self.channel_id = channel_id
        self.sent: list[Sent] = []
        self.refuse: dict[str, discord.HTTPException] = {}  # route path or URL -> Discord's refusal
        self._next_id = 900_000_000_000_000_000

    def acknowledgements(self) -> list[Sent]:
        """Deferrals: "thinking..." (type 5) and "I'll update the message" (type 6)."""
        return [s for s in self.sent if s.path.endswith("/callback") and s.body.get("type") in (5, 6)]

    def messages(self) -> list[Sent]:
        """What created or changed a message (everything but acknowledgements and DM channel lookups)."""
        acks = {id(s) for s in self.acknowledgements()}
        return [s for s in self.sent if s.path != "/users/@me/channels" and id(s) not in acks]

    def _record(self, route: discord.http.Route, body: dict[str, Any] | None, form: list[dict[str, Any]] | None,
                files: Any) -> Sent:
        if form:
            body = next((json.loads(part["value"]) for part in form if part.get("name") == "payload_json"), {})
        names = [file.filename for file in files or []]
        sent = Sent(route.method, route.path, route.url, body or {}, names)
        self.sent.append(sent)
        refusal = self.refuse.get(route.url) or self.refuse.get(route.path)  # one channel, or all
        if refusal is not None:
            raise refusal
        return sent

    def _reply_for(self, sent: Sent, channel_id: int | None = None) -> dict[str, Any]:
        if sent.path.endswith("/callback"):
            return {"interaction": {"id": "1", "type": 2}}
        if sent.path == "/users/@me/channels":
            recipient = {"id": str(sent.body["recipient_id"]), "username": "member", "discriminator": "0",
                         "avatar": None}
            return {"id": "777000000000000001", "type": 1, "recipients": [recipient], "last_message_id": None}
        self._next_id += 1
        message = sent.message
        return {"id": str(self._next_id), "channel_id": str(channel_id or self.channel_id), "type": 0,
                "content": message.get("content") or "", "author": self.bot_user, "embeds": message.get("embeds", []),
                "attachments": [], "mentions": [], "mention_roles": [], "pinned": False, "tts": False,
                "timestamp": "2026-11-28T12:00:00+00:00", "edited_timestamp": None, "mention_everyone": False,
                "flags": message.get("flags", 0), "components": []}

    async def http_request(self, route: discord.http.Route, *, files: Any = None,
                           form: list[dict[str, Any]] | None = None, **kwargs: Any) -> Any:
        """Replaces ``HTTPClient.request``."""
        sent = self._record(route, kwargs.get("json"), form, files)
        return self._reply_for(sent, int(route.channel_id) if route.channel_id else None)

    async def webhook_request(self, route: discord.http.Route, *, payload: dict[str, Any] | None = None,
                              multipart: list[dict[str, Any]] | None = None, files: Any = None,
                              **kwargs: Any) -> Any:
        sent = self._record(route, payload, multipart, files)
        return self._reply_for(sent)


class RecordingAdapter(AsyncWebhookAdapter):
    """Interaction callbacks and follow-ups, recorded instead of sent."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.recorder = recorder

    async def request(self, route: discord.http.Route, session: Any = None, **kwargs: Any) -> Any:
        return await self.recorder.webhook_request(route, **kwargs)


async def offline_bot(router: Router) -> RoundtableBot:
    """The real bot with its cogs, never connected: its state knows the bot user and the application."""
    bot = RoundtableBot(router)
    state = bot._connection
    state.user = discord.ClientUser(state=state, data=payloads.BOT_USER)  # type: ignore[arg-type]
    state.application_id = payloads.BOT_ID
    await bot.add_cogs()
    return bot


def record_sends(bot: RoundtableBot, set_attribute: Callable[[Any, str, Any], None] = setattr) -> Recorder:
    """Route everything ``bot`` sends (REST calls and interaction webhooks) into a ``Recorder``. Tests pass
    ``monkeypatch.setattr`` so the patches end with the test; a benchmark keeps them for its run."""
    recorder = Recorder(payloads.BOT_USER, payloads.CHANNEL)
    set_attribute(bot.http, "request", recorder.http_request)
    context: ContextVar[RecordingAdapter] = ContextVar("recording_webhook_adapter")
    context.set(RecordingAdapter(recorder))  # the caller runs in this context (pytest-asyncio 1.x)
    set_attribute(discord.webhook.async_, "async_context", context)
    set_attribute(discord.interactions, "async_context", context)
    return recorder
