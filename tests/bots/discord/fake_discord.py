"""A local fake of Discord (REST API v10 and gateway) on 127.0.0.1, for end-to-end tests of a real discord.py bot.

It runs an aiohttp server on its own event loop in a thread, so sync tests, async tests and a subprocess can all
use it. Payloads are built from real recorded ones (tests/fixtures/discord, see SOURCE.md there).

REST (under /api/v10): the bot's login (GET /users/@me, /oauth2/applications/@me), GET /gateway/bot, command
sync (PUT, echoed with ids), interaction callbacks (discord.py >= 2.5 sends ?with_response=1 and reads the body
only when the Content-Type is exactly application/json), follow-ups and @original edits, channel messages
(JSON or multipart with files), typing, DM channels, GET /channels/{id}, and moderation: DELETE a channel message,
PATCH a member (a timeout's communication_disabled_until). Anything else answers 404 and is
recorded with ``known=False`` (``fake.unexpected``), so a test sees calls nobody planned for.

Gateway (/gateway): HELLO, IDENTIFY -> READY + GUILD_CREATE (guilds of that shard), heartbeats ACKed, RESUME ->
RESUMED. Frames are plain JSON text whatever compression the query asks for (discord.py accepts them).
Like Discord, without the message-content intent a guild message reaches the bot with its text only when it
mentions the bot.

Test controls: ``slash``, ``click``, ``message``, ``edit``, ``reaction`` build real-shaped events and dispatch
them; ``dispatch`` sends any event; ``calls`` / ``wait_for`` / ``responses`` read what the bot did; ``fail_next``,
``rate_limit_next``, ``expire``, ``closed_dms`` make Discord refuse.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "discord"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


_READY = fixture("Ready")["d"]
_GUILD = fixture("GuildCreate")["d"]
BOT_ID = int(_READY["user"]["id"])  # "Reacton": READY's user, its application and a member of the guild
BOT_USER: dict[str, Any] = {k: _READY["user"][k] for k in ("id", "username", "discriminator", "avatar", "bot",
                                                           "flags", "verified", "mfa_enabled")}
APPLICATION_ID = int(_READY["application"]["id"])
GUILD_ID = int(_GUILD["id"])
CHANNEL_ID = 263773872204152833  # "test3": no permission overwrites, so everyone (the bot too) may send
MUTED_CHANNEL_ID = 135197118292819968  # "test1": denies @everyone Send Messages (overwrite deny 2048)
# Well-formed (base64 of the bot id, timestamp part, HMAC part) but never valid at Discord.
TOKEN = "MzQ0NDg3ODMwODI0OTQzNjE4.Gfake0.roundtable-local-fake-discord-token-0000"
MESSAGE_CONTENT_INTENT = 1 << 15
GUILD_MESSAGE_REACTIONS_INTENT = 1 << 10
EPHEMERAL = 64

CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"
FOLLOWUP = "POST /webhooks/{application_id}/{token}"
EDIT = "PATCH /webhooks/{application_id}/{token}/messages/{message_id}"
SEND = "POST /channels/{channel_id}/messages"
DELETE_MESSAGE = "DELETE /channels/{channel_id}/messages/{message_id}"
EDIT_MEMBER = "PATCH /guilds/{guild_id}/members/{user_id}"
SYNC_GUILD = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
SYNC_GLOBAL = "PUT /applications/{application_id}/commands"
IDENTIFY = "GATEWAY IDENTIFY"
CLOSED = "GATEWAY CLOSED"
OPCODES = {1: "HEARTBEAT", 2: "IDENTIFY", 3: "PRESENCE_UPDATE", 4: "VOICE_STATE_UPDATE", 6: "RESUME",
           8: "REQUEST_GUILD_MEMBERS"}
OPTION_TYPES = {str: 3, int: 4, bool: 5, float: 10}  # Discord's application command option types


@dataclass
class Upload:
    field: str
    filename: str
    content: bytes


@dataclass
class Call:
    """One request the bot made (or one gateway frame it sent): ``route`` is the method and path template."""

    route: str
    path: str
    params: dict[str, str] = field(default_factory=dict)  # the template's values, e.g. {"token": ...}
    query: dict[str, str] = field(default_factory=dict)
    json: Any = None  # the JSON body (payload_json for multipart), or a gateway frame's "d"
    files: list[Upload] = field(default_factory=list)
    status: int = 200
    response: Any = None
    known: bool = True
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Session:
    ws: web.WebSocketResponse
    query: dict[str, str]
    shard: tuple[int, int] = (0, 1)
    intents: int = 0
    seq: int = 0
    ready: bool = False


def _snowflakes() -> Callable[[], int]:
    counter = itertools.count(1)
    # Discord ids carry their creation time (ms since 2015) above bit 22: discord.py reads created_at from them.
    return lambda: ((int(time.time() * 1000) - 1420070400000) << 22) | (next(counter) & 0x3FFFFF)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _error(status: int, code: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"message": message, "code": code}


class FakeDiscord:
    def __init__(self, *, token: str = TOKEN, shards: int = 1) -> None:
        self.token = token
        self.shards = shards
        self.calls: list[Call] = []
        self.dispatched: list[tuple[str, dict[str, Any]]] = []
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # guild id (None: global) -> synced commands
        self.messages: dict[int, dict[str, Any]] = {}  # every message the bot created, by id
        self.closed_dms: set[int] = set()  # members who do not accept DMs from server members
        self.ready_at: float | None = None  # when GUILD_CREATE followed READY (time.monotonic)
        self.heartbeat_interval = int(fixture("Hello")["d"]["heartbeat_interval"])
        self._failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._interactions: dict[int, dict[str, Any]] = {}  # id -> {"type", "token", "acked", "expired", ...}
        self._dm_channels: dict[int, dict[str, Any]] = {}  # user id -> DM channel
        self._sessions: list[_Session] = []
        self._pending: list[tuple[str, dict[str, Any]]] = []  # dispatched before any session was ready
        self._snowflake = _snowflakes()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="fake-discord")
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def __enter__(self) -> FakeDiscord:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _stop(self) -> None:
        for session in list(self._sessions):
            await session.ws.close(code=1001)
        assert self._runner is not None
        await self._runner.cleanup()

    # -- reading what the bot did ------------------------------------------------------------------

    def calls_to(self, route: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.route == route]

    @property
    def unexpected(self) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if not call.known]

    def wait_for(self, route: str, count: int = 1, timeout: float = 10.0,
                 where: Callable[[Call], bool] | None = None) -> list[Call]:
        """The first ``count`` calls to ``route`` (that satisfy ``where``), waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = [call for call in self.calls_to(route) if where is None or where(call)]
            if len(found) >= count:
                return found[:count]
            if time.monotonic() > deadline:
                seen = [call.route for call in self.calls if not call.route.startswith("GATEWAY HEARTBEAT")]
                raise AssertionError(f"expected {count} call(s) to {route}, saw {seen}")
            time.sleep(0.01)

    async def wait_for_async(self, route: str, count: int = 1, timeout: float = 10.0,
                             where: Callable[[Call], bool] | None = None) -> list[Call]:
        """``wait_for`` for a test whose bot runs on the test's own event loop (it must not block that loop)."""
        return await asyncio.to_thread(self.wait_for, route, count, timeout, where)

    def responses(self, interaction: dict[str, Any]) -> list[Call]:
        """Everything the bot sent for one interaction: its callback, follow-ups and edits, in order."""
        with self._lock:
            return [call for call in self.calls if call.params.get("token") == interaction["token"]]

    # -- making Discord refuse ---------------------------------------------------------------------

    def fail_next(self, route: str, status: int, code: int, message: str) -> None:
        """The next call to ``route`` gets a Discord error (e.g. 403, 50013, "Missing Permissions")."""
        self._failures.setdefault(route, []).append(_error(status, code, message))

    def rate_limit_next(self, route: str, retry_after: float, *, is_global: bool = False) -> None:
        """The next call to ``route`` gets Discord's 429: ``retry_after`` in the body and the header, and the
        ``Via`` header of Discord's edge (without it discord.py takes a 429 for a Cloudflare ban)."""
        self._failures.setdefault(route, []).append(
            (429, {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global,
                   "code": 0}))

    def expire(self, interaction: dict[str, Any]) -> None:
        """The interaction's 3 s window has passed: its callback answers 404 Unknown interaction."""
        self._interactions[int(interaction["id"])]["expired"] = True

    # -- events -------------------------------------------------------------------------------------

    def dispatch(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Send a dispatch (op 0) to the shard that owns ``data["guild_id"]`` (queued until a session is ready)."""
        self._loop.call_soon_threadsafe(self._dispatch_soon, event, data)
        return data

    def slash(self, command: str, options: dict[str, Any] | None = None, *, user: dict[str, Any] | None = None,
              permissions: int | None = None, channel_id: int = CHANNEL_ID) -> dict[str, Any]:
        """A member runs ``/command`` ("portfolio show" for a sub-command) with these option values."""
        names = command.split()
        values = [{"name": k, "type": OPTION_TYPES[type(v)], "value": v} for k, v in (options or {}).items()]
        for depth, name in enumerate(reversed(names[1:])):  # wrap the options in sub-command (group) levels
            values = [{"name": name, "type": 1 if depth == 0 else 2, "options": values}]
        data = {"id": str(self._command_id(names[0])), "name": names[0], "type": 1, "options": values,
                "guild_id": str(GUILD_ID)}
        return self.dispatch("INTERACTION_CREATE", self._interaction(2, data, user, permissions, channel_id))

    def click(self, message: dict[str, Any], custom_id: str, *, values: list[str] | None = None,
              user: dict[str, Any] | None = None) -> dict[str, Any]:
        """A member clicks a button (or picks ``values`` in a select) on a message the bot sent."""
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": 2 if values is None else 3}
        if values is not None:
            data["values"] = values
        interaction = self._interaction(3, data, user, None, int(message["channel_id"]))
        interaction["message"] = message
        self._interactions[int(interaction["id"])]["message_id"] = int(message["id"])
        return self.dispatch("INTERACTION_CREATE", interaction)

    def message(self, content: str, *, author: dict[str, Any] | None = None, channel_id: int = CHANNEL_ID,
                reply_to: dict[str, Any] | None = None, joined_at: datetime | None = None) -> dict[str, Any]:
        """A member posts ``content`` (``<@BOT_ID>`` in it mentions the bot); ``reply_to`` a bot message replies;
        ``joined_at``: when the author joined the server (Discord sends it with the message's member part)."""
        kind = "MessageCreate.Type19" if reply_to is not None else "MessageCreate.Type0"
        data = copy.deepcopy(fixture(kind)["d"])
        data.update(id=str(self._snowflake()), channel_id=str(channel_id), guild_id=str(GUILD_ID), content=content,
                    timestamp=_now(), nonce=str(self._snowflake()))
        if author is not None:
            data["author"] = author
        if joined_at is not None:
            data["member"]["joined_at"] = joined_at.isoformat()
        data["mentions"] = [BOT_USER] if f"<@{BOT_ID}>" in content else []
        if reply_to is not None:  # a reply pings the author of the message it answers, as Discord's default
            data["referenced_message"] = reply_to
            data["message_reference"] = {"message_id": reply_to["id"], "channel_id": str(channel_id),
                                         "guild_id": str(GUILD_ID)}
            if int(reply_to["author"]["id"]) == BOT_ID and not data["mentions"]:
                data["mentions"] = [BOT_USER]
        return self.dispatch("MESSAGE_CREATE", data)

    def reaction(self, message: dict[str, Any], emoji: str, *, user: dict[str, Any] | None = None,
                 author_known: bool = True) -> dict[str, Any]:
        """A member (``user``: the captured one by default) adds ``emoji`` to ``message`` (as ``message`` or a
        send returned it). ``author_known``: Discord names the post's author (it does in guilds)."""
        data = copy.deepcopy(fixture("MessageReactionAdd")["d"])
        if user is not None:
            data["user_id"], data["member"]["user"] = user["id"], user
        data["member"]["flags"] = 0  # added by Discord after the 2020 capture; discord.py 2.7 requires it
        data.update(message_id=str(message["id"]), channel_id=str(message["channel_id"]), guild_id=str(GUILD_ID),
                    emoji={"name": emoji, "id": None},
                    message_author_id=str(message["author"]["id"]) if author_known else "0")
        return self.dispatch("MESSAGE_REACTION_ADD", data)

    def edit(self, message: dict[str, Any], content: str) -> dict[str, Any]:
        """The member edits a message they posted (``message`` as ``message`` returned it): MESSAGE_UPDATE."""
        return self.dispatch("MESSAGE_UPDATE", {**message, "content": content, "edited_timestamp": _now()})

    def _interaction(self, kind: int, data: dict[str, Any], user: dict[str, Any] | None, permissions: int | None,
                     channel_id: int) -> dict[str, Any]:
        interaction = copy.deepcopy(fixture("InteractionCreate")["d"])
        interaction_id = self._snowflake()
        token = f"interaction-token-{interaction_id}"
        if user is not None:
            interaction["member"]["user"] = user
        if permissions is not None:
            interaction["member"]["permissions"] = str(permissions)
        channel = next(c for c in _GUILD["channels"] if int(c["id"]) == channel_id)
        interaction.update(
            id=str(interaction_id), type=kind, token=token, data=data, application_id=str(APPLICATION_ID),
            guild_id=str(GUILD_ID), channel_id=str(channel_id), channel={**channel, "guild_id": str(GUILD_ID)},
            # Fields Discord added after the 2021 capture; discord.py 2.7 requires attachment_size_limit.
            attachment_size_limit=10 * 1024 * 1024, app_permissions=_GUILD["roles"][0]["permissions"],
            locale="en-US", guild_locale="en-US", context=0, entitlements=[],
            authorizing_integration_owners={"0": str(GUILD_ID)})
        self._interactions[interaction_id] = {"type": kind, "token": token, "acked": False, "expired": False,
                                              "channel_id": channel_id, "original": None}
        return interaction

    def _command_id(self, name: str) -> int:
        for commands in self.commands.values():
            for command in commands:
                if command["name"] == name:
                    return int(command["id"])
        return self._snowflake()

    def _dispatch_soon(self, event: str, data: dict[str, Any]) -> None:
        guild_id = int(data.get("guild_id") or 0)
        targets = [s for s in self._sessions if s.ready and (guild_id >> 22) % s.shard[1] == s.shard[0]]
        if not targets:
            self._pending.append((event, data))
            return
        self.dispatched.append((event, data))
        if event.startswith("MESSAGE_REACTION"):  # like Discord: only to sessions that asked for reactions
            targets = [s for s in targets if s.intents & GUILD_MESSAGE_REACTIONS_INTENT]
        for session in targets:
            self._loop.create_task(self._send_dispatch(session, event, self._as_seen_by(session, event, data)))

    def _as_seen_by(self, session: _Session, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Without the privileged message-content intent Discord blanks guild messages that do not mention the bot."""
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or session.intents & MESSAGE_CONTENT_INTENT or \
                "guild_id" not in data:
            return data
        if any(int(user["id"]) == BOT_ID for user in data.get("mentions", [])):
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    # -- gateway ------------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        session = _Session(ws, dict(request.query))
        self._sessions.append(session)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval},
                                      "s": None, "t": None}))
        close_code = None
        while True:
            frame = await ws.receive()
            if frame.type is WSMsgType.CLOSE:  # the code the bot sent (ws.close_code would be our reply's)
                close_code = frame.data
            if frame.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                break
            if frame.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            op, data = payload.get("op"), payload.get("d")
            self._record(Call(f"GATEWAY {OPCODES.get(op, op)}", "/gateway", query=session.query, json=data))
            if op == 1:
                await ws.send_str(json.dumps({**fixture("HeartbeatAck"), "s": None}))
            elif op == 2:
                await self._identify(session, data)
            elif op == 6:
                session.ready = True
                await self._send_dispatch(session, "RESUMED", {})
        self._sessions.remove(session)
        await ws.close()
        self._record(Call(CLOSED, "/gateway", query=session.query, json={"code": close_code}))
        return ws

    async def _identify(self, session: _Session, data: dict[str, Any]) -> None:
        session.shard = (int(data.get("shard", [0, 1])[0]), int(data.get("shard", [0, 1])[1]))
        session.intents = int(data.get("intents", 0))
        mine = (GUILD_ID >> 22) % session.shard[1] == session.shard[0]
        ready = {"v": 10, "user": BOT_USER, "guilds": [{"id": str(GUILD_ID), "unavailable": True}] if mine else [],
                 "session_id": f"fake-session-{self._snowflake()}", "resume_gateway_url": self.gateway_url,
                 "shard": list(session.shard), "application": {"id": str(APPLICATION_ID),
                                                               "flags": _READY["application"]["flags"]},
                 "private_channels": [], "presences": [], "relationships": [], "user_settings": {}}
        await self._send_dispatch(session, "READY", ready)
        if mine:
            guild = {k: v for k, v in _GUILD.items()
                     if k not in {"presences", "guild_hashes", "embedded_activities", "application_command_counts"}}
            await self._send_dispatch(session, "GUILD_CREATE", guild)
        session.ready = True
        self.ready_at = time.monotonic()
        pending, self._pending = self._pending, []
        for event, pending_data in pending:
            self._dispatch_soon(event, pending_data)

    async def _send_dispatch(self, session: _Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        await session.ws.send_str(json.dumps({"op": 0, "t": event, "s": session.seq, "d": data}))

    # -- REST ---------------------------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await self._body(request)
        call = Call(f"{request.method} {path}", path, query=dict(request.query), json=body, files=files, known=False)
        handler: Callable[[Call], Awaitable[tuple[int, Any]]] | None = None
        for method, template, pattern, found in self._routes():
            match = pattern.fullmatch(path)
            if match and method == request.method:
                call.route, call.params, call.known, handler = f"{method} {template}", match.groupdict(), True, found
                break
        if handler is None:
            status, answer = _error(404, 0, "404: Not Found")
        elif not self._authorised(request, call):
            status, answer = _error(401, 0, "401: Unauthorized")
        elif self._failures.get(call.route):
            status, answer = self._failures[call.route].pop(0)
        else:
            status, answer = await handler(call)
        call.status, call.response = status, answer
        self._record(call)
        if answer is None:
            return web.Response(status=status)
        # Exactly "application/json" (no charset): discord.py parses the body only then.
        headers = {"Content-Type": "application/json"}
        if status == 429 and "retry_after" in answer:  # a rate limit from rate_limit_next, as Discord sends it
            headers.update({"Via": "1.1 google", "Retry-After": str(answer["retry_after"])})
        return web.Response(status=status, body=json.dumps(answer).encode(), headers=headers)

    def _authorised(self, request: web.Request, call: Call) -> bool:
        # Interaction callbacks and webhooks are authorised by the token in their path, not the bot token.
        if call.route.startswith(("POST /interactions", "GET /webhooks", "POST /webhooks", "PATCH /webhooks",
                                  "DELETE /webhooks")):
            return True
        return request.headers.get("Authorization") == f"Bot {self.token}"

    @staticmethod
    async def _body(request: web.Request) -> tuple[Any, list[Upload]]:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            uploads = [Upload(name, value.filename, value.file.read()) for name, value in form.items()
                       if isinstance(value, web.FileField)]
            payload = form.get("payload_json")
            return (json.loads(str(payload)) if payload is not None else None), uploads
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    def _routes(self) -> list[tuple[str, str, re.Pattern[str], Callable[[Call], Awaitable[tuple[int, Any]]]]]:
        table: list[tuple[str, str, Callable[[Call], Awaitable[tuple[int, Any]]]]] = [
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/users/@me", self._answer(BOT_USER)),
            ("GET", "/oauth2/applications/@me", self._answer(self._application())),
            ("GET", "/applications/@me", self._answer(self._application())),
            ("PUT", "/applications/{application_id}/commands", self._sync),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._sync),
            ("GET", "/applications/{application_id}/commands", self._fetch_commands),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._fetch_commands),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._callback),
            ("POST", "/webhooks/{application_id}/{token}", self._followup),
            ("GET", "/webhooks/{application_id}/{token}/messages/{message_id}", self._webhook_message),
            ("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}", self._webhook_message),
            ("DELETE", "/webhooks/{application_id}/{token}/messages/{message_id}", self._webhook_message),
            ("POST", "/channels/{channel_id}/messages", self._send),
            ("POST", "/channels/{channel_id}/typing", self._answer(None, 204)),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._answer(None, 204)),
            ("PATCH", "/guilds/{guild_id}/members/{user_id}", self._edit_member),
            ("GET", "/channels/{channel_id}", self._get_channel),
            ("POST", "/users/@me/channels", self._open_dm),
            # The partial guild list (what `roundtable doctor` reads): the bot's permissions in each server.
            ("GET", "/users/@me/guilds", self._answer([{"id": str(GUILD_ID), "name": _GUILD["name"],
                                                        "permissions": str(_GUILD["roles"][0]["permissions"])}])),
        ]
        return [(method, template, re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)), handler)
                for method, template, handler in table]

    @staticmethod
    def _answer(answer: Any, status: int = 200) -> Callable[[Call], Awaitable[tuple[int, Any]]]:
        async def handler(call: Call) -> tuple[int, Any]:
            return status, answer
        return handler

    def _application(self) -> dict[str, Any]:
        return {"id": str(APPLICATION_ID), "name": BOT_USER["username"], "description": "", "icon": None,
                "bot_public": True, "bot_require_code_grant": False, "owner": BOT_USER, "verify_key": "0" * 64,
                "flags": _READY["application"]["flags"], "team": None, "interactions_endpoint_url": None}

    async def _get_gateway_bot(self, call: Call) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url, "shards": self.shards,
                     "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14_400_000,
                                             "max_concurrency": 1}}

    async def _sync(self, call: Call) -> tuple[int, Any]:
        guild_id = int(call.params["guild_id"]) if "guild_id" in call.params else None
        known = {c["name"]: c["id"] for c in self.commands.get(guild_id, [])}
        echoed = []
        for command in call.json or []:
            command_id = known.get(command["name"]) or str(self._snowflake())
            # Discord echoes an empty description for context-menu commands ("Mark as helpful"), which send none.
            echo = {"type": 1, "description": "", "default_member_permissions": None, "nsfw": False, **command,
                    "id": command_id,
                    "application_id": str(APPLICATION_ID), "version": str(self._snowflake())}
            if guild_id is not None:
                echo["guild_id"] = str(guild_id)
            echoed.append(echo)
        self.commands[guild_id] = echoed
        return 200, echoed

    async def _fetch_commands(self, call: Call) -> tuple[int, Any]:
        return 200, self.commands.get(int(call.params["guild_id"]) if "guild_id" in call.params else None, [])

    def _content(self, body: dict[str, Any] | None, files: list[Upload]) -> dict[str, Any]:
        """The parts of a message the bot chose: text, embeds, components, attachments, flags."""
        body = body or {}
        url = f"http://127.0.0.1:{self.port}/attachments"
        return {"content": body.get("content") or "", "embeds": body.get("embeds") or [],
                "components": body.get("components") or [], "flags": int(body.get("flags") or 0),
                "tts": bool(body.get("tts")),
                "attachments": [{"id": str(self._snowflake()), "filename": u.filename, "size": len(u.content),
                                 "url": f"{url}/{u.filename}", "proxy_url": f"{url}/{u.filename}"} for u in files]}

    def _new_message(self, channel_id: int, body: dict[str, Any] | None, files: list[Upload]) -> dict[str, Any]:
        message = {k: v for k, v in fixture("rest_Message").items() if k != "stickers"}
        message_id = self._snowflake()
        message.update(id=str(message_id), channel_id=str(channel_id), author=BOT_USER, timestamp=_now(),
                       mentions=[], mention_roles=[], mention_everyone=False, **self._content(body, files))
        self.messages[message_id] = message
        return message

    async def _callback(self, call: Call) -> tuple[int, Any]:
        interaction = self._interactions.get(int(call.params["interaction_id"]))
        if interaction is None or interaction["expired"] or interaction["token"] != call.params["token"]:
            return _error(404, 10062, "Unknown interaction")
        if interaction["acked"]:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        interaction["acked"] = True
        kind = int(call.json["type"])
        data = call.json.get("data") or {}
        answer: dict[str, Any] = {"interaction": {"id": call.params["interaction_id"], "type": interaction["type"]},
                                  "resource": {"type": kind}}
        if kind in (4, 5):  # a new message (5: Discord shows "thinking..." until the @original edit)
            message = self._new_message(interaction["channel_id"], data, call.files)
            if kind == 5:
                message["flags"] |= 128  # LOADING
            interaction["original"] = int(message["id"])
            answer["interaction"].update(response_message_id=message["id"], response_message_loading=kind == 5,
                                         response_message_ephemeral=bool(message["flags"] & EPHEMERAL))
            if kind == 4:
                answer["resource"]["message"] = message
        elif kind == 7 and interaction.get("message_id") in self.messages:  # a click edits its message
            message = self.messages[interaction["message_id"]]
            message.update({k: data[k] for k in ("content", "embeds", "components") if k in data})
            answer["resource"]["message"] = message
        return 200, answer

    async def _followup(self, call: Call) -> tuple[int, Any]:
        interaction = self._by_token(call.params["token"])
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        original = self.messages.get(interaction["original"] or 0)
        if original is not None and original["flags"] & 128:
            # Discord: the first follow-up after a "thinking" defer becomes the original message.
            message = original
            message.update({k: v for k, v in self._content(call.json, call.files).items()
                            if k in ("content", "embeds", "components", "attachments")})
            message["flags"] &= ~128
        else:
            message = self._new_message(interaction["channel_id"], call.json, call.files)
        return (200, message) if call.query.get("wait") in ("1", "true", "True") else (204, None)

    async def _webhook_message(self, call: Call) -> tuple[int, Any]:
        interaction = self._by_token(call.params["token"])
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        raw_id = call.params["message_id"]
        message_id = interaction["original"] if raw_id == "@original" else int(raw_id)
        message = self.messages.get(message_id or 0)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if call.route.startswith("DELETE"):
            del self.messages[int(message["id"])]
            return 204, None
        if call.route.startswith("PATCH"):
            edit = call.json or {}
            message.update({k: edit[k] for k in ("content", "embeds", "components") if k in edit})
            message["flags"] = message["flags"] & ~128  # the answer replaced "thinking..."
            message["edited_timestamp"] = _now()
        return 200, message

    def _by_token(self, token: str) -> dict[str, Any] | None:
        return next((i for i in self._interactions.values() if i["token"] == token), None)

    async def _send(self, call: Call) -> tuple[int, Any]:
        channel_id = int(call.params["channel_id"])
        if channel_id == MUTED_CHANNEL_ID:
            return _error(403, 50013, "Missing Permissions")
        dm_user = next((u for u, c in self._dm_channels.items() if int(c["id"]) == channel_id), None)
        if dm_user in self.closed_dms:
            return _error(403, 50007, "Cannot send messages to this user")
        if dm_user is None and not any(int(c["id"]) == channel_id for c in _GUILD["channels"]):
            return _error(404, 10003, "Unknown Channel")
        return 200, self._new_message(channel_id, call.json, call.files)

    async def _edit_member(self, call: Call) -> tuple[int, Any]:
        member = next((m for m in _GUILD["members"] if m["user"]["id"] == call.params["user_id"]), None)
        if member is None:
            return _error(404, 10007, "Unknown Member")
        return 200, {**member, **(call.json or {})}

    async def _get_channel(self, call: Call) -> tuple[int, Any]:
        channel_id = int(call.params["channel_id"])
        for channel in [*_GUILD["channels"], *self._dm_channels.values()]:
            if int(channel["id"]) == channel_id:
                return 200, {**channel, "guild_id": str(GUILD_ID)} if channel["type"] == 0 else channel
        return _error(404, 10003, "Unknown Channel")

    async def _open_dm(self, call: Call) -> tuple[int, Any]:
        user_id = int(call.json["recipient_id"])
        if user_id not in self._dm_channels:
            self._dm_channels[user_id] = {"id": str(self._snowflake()), "type": 1, "last_message_id": None,
                                          "recipients": [{"id": str(user_id), "username": f"member{user_id}",
                                                          "discriminator": "0", "avatar": None}]}
        return 200, self._dm_channels[user_id]
