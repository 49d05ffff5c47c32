"""The Discord front-end (discord.py 2): native events -> Incoming -> Router -> Discord sends.

``RoundtableBot`` is a ``commands.Bot`` that takes the router in its constructor and does its async setup in
``setup_hook`` (cogs, gateway URL, command sync). ``DiscordFrontend`` runs it on the caller's event loop,
next to Telegram and the scheduler: ``start()`` logs in and connects in a background task (never
``client.run()``, which would own the loop), ``stop()`` closes it, and ``ready`` is set once the gateway's
READY has arrived *and* the slash commands are synced. What the router sees is decided in ``translate``,
how replies look in ``render`` and where they go in ``delivery``; rate limits are discord.py's own.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bots.app.logs import report_crash
from bots.chat.messages import Incoming, Outgoing
from bots.chat.router import Router, help_text
from bots.discord import moderation, render, translate
from bots.discord.delivery import Delivery, apart, without_deep_links
from bots.discord.render import NO_MENTIONS
from knowledge.errors import UserError

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://discord.com/api/v10"
APOLOGY = "Sorry, something went wrong on my side (reference {ref}). Please try again in a moment."
EXPIRED = {10062, 10015}  # Unknown interaction (not acknowledged within 3 s), Unknown webhook (token too old)


def intents() -> discord.Intents:
    """Only what the bot uses. One privileged intent, message content: the bot moderates every guild message,
    and without it Discord blanks the text of those that do not mention the bot. It must be switched on in the
    Developer Portal (Bot > Privileged Gateway Intents), or Discord closes the connection (4014). The members
    intent is not needed: a member's join time comes with each of their messages. Reactions (helpful marks, issue
    14) need the guild reactions intent, which is not privileged: nothing to switch on."""
    wanted = discord.Intents.none()
    wanted.guilds = True  # guild join/removal, channels (for permissions), and app commands need guilds
    wanted.guild_messages = True  # messages and their edits (MESSAGE_UPDATE), re-checked by moderation
    wanted.dm_messages = True
    wanted.message_content = True
    wanted.guild_reactions = True  # MESSAGE_REACTION_ADD in servers
    return wanted


def expired(error: BaseException) -> bool:
    """The interaction can no longer be answered: too late to acknowledge, or its token has run out."""
    return isinstance(error, discord.NotFound) and error.code in EXPIRED


async def acknowledge(interaction: discord.Interaction[Any], *, ephemeral: bool, update: bool = False) -> bool:
    """Defer at once (Discord drops an interaction not acknowledged within 3 s); False when it already
    expired (a busy loop delivered it late), in which case it is logged and dropped."""
    try:
        if update:
            await interaction.response.defer()  # a pressed button: "update the message", no new message
        else:
            await interaction.response.defer(thinking=True, ephemeral=ephemeral)
    except discord.NotFound as exc:
        if not expired(exc):
            raise
        log.warning("discord interaction %s expired before it was acknowledged; dropped", interaction.id)
        return False
    return True


class RoundtableBot(commands.Bot):
    def __init__(self, router: Router, *, guild_id: int | None = None, **options: Any) -> None:
        # The bot has no voice features: discord.py's warnings about missing voice libraries are only noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        # Prefix commands are not used (on_message below answers mentions through the router); a prefix is
        # required by commands.Bot, and a mention is the one that never collides with members' text.
        super().__init__(command_prefix=commands.when_mentioned, help_command=None, intents=intents(),
                         allowed_mentions=NO_MENTIONS, **options)
        self.router = router
        self.guild_id = guild_id
        self.commands_ready = asyncio.Event()
        self.synced = False
        self.delivery = Delivery(self.on_press, self.on_interaction_error, client=self)

    # -- setup -----------------------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        await self.add_cogs()
        await self.use_gateway_from_api()
        await self.sync_commands()

    async def add_cogs(self) -> None:
        """The slash commands and their error handler (no network: the tests call this alone)."""
        from bots.discord.brief_commands import BriefCog  # the cogs import this module for its types
        from bots.discord.commands import AskCog
        from bots.discord.community_commands import offer
        from bots.discord.market_commands import MarketCog
        from bots.discord.mod_commands import ModerationCog

        await self.add_cog(AskCog(self))
        await self.add_cog(MarketCog(self))
        await self.add_cog(BriefCog(self))
        await self.add_cog(ModerationCog(self))
        await offer(self)  # the community commands (issue 14) the router has
        self.tree.error(self.on_app_command_error)

    async def use_gateway_from_api(self) -> None:
        """Connect to the gateway the REST API names. A plain Bot never asks and connects to Discord's
        default, which would bypass a proxy or a test fake configured through the API URL."""
        data = await self.http.request(discord.http.Route("GET", "/gateway/bot"))
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(data["url"])

    async def sync_commands(self) -> None:
        if self.guild_id is not None:
            # One guild: updated instantly, for development; global commands take up to an hour to appear.
            guild = discord.Object(self.guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        self.synced = True
        log.info("discord: %d slash commands synced (%s)", len(synced),
                 f"guild {self.guild_id}" if self.guild_id else "global")

    async def on_connect(self) -> None:
        """discord.py dispatches "connect" as READY arrives; "ready" comes only after a further wait for the
        guilds' GUILD_CREATE stream (2 s of silence), which the commands do not need."""
        self._gateway_ready()

    def _gateway_ready(self) -> None:
        if self.synced and not self.commands_ready.is_set():
            self.commands_ready.set()
            log.info("discord front-end ready as %s", self.user)

    # -- slash commands and buttons -------------------------------------------------------------------

    async def answer(self, interaction: discord.Interaction[Any], text: str, *, private: bool = False) -> None:
        """A slash command: acknowledge, ask the router (in a thread: it blocks), send the replies."""
        if await acknowledge(interaction, ephemeral=private):
            await self.serve(interaction, translate.from_interaction(interaction, text, private=private), private)

    async def serve(self, interaction: discord.Interaction[Any], msg: Incoming, private: bool) -> None:
        replies = await asyncio.to_thread(self.router.handle, msg)
        replies = await self._private_instead_of_links(msg, replies)
        await self.delivery.to_interaction(interaction, replies, private=private, public_thinking=not private)

    async def _private_instead_of_links(self, msg: Incoming, replies: Sequence[Outgoing]) -> list[Outgoing]:
        """Telegram's "open a private chat" buttons start the private chat with a /start payload. On Discord
        an ephemeral reply is that private chat, so the payload is served at once, privately, and the
        button dropped."""
        served: list[Outgoing] = []
        for reply in replies:
            served.append(without_deep_links(reply))
            for button in reply.buttons:
                if button.deep_link:
                    private = replace(msg, chat_kind="private", text=f"/start {button.deep_link}")
                    served += [replace(r, private=True) for r in await asyncio.to_thread(self.router.handle,
                                                                                            private)]
        return served

    async def on_press(self, interaction: discord.Interaction[Any], action: str, private: bool) -> None:
        if not await acknowledge(interaction, ephemeral=private, update=True):
            return
        pressed = translate.from_button(interaction, action, private=private)
        # Notes for other members go last, by DM.
        replies, notes = apart(await asyncio.to_thread(self.router.handle, pressed))
        for index, reply in enumerate(replies):
            if index == 0 and reply.answer is None and reply.image is None and reply.file is None \
                    and not reply.new_message:
                await self.delivery.edit_pressed(interaction, reply, private=private)
            else:
                await self.delivery.to_interaction(interaction, [reply], private=private, public_thinking=False)
        await self.delivery.to_members(notes)

    # -- messages -------------------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        if self.user is None:
            return
        msg = translate.from_message(message, self.user)
        if msg is not None:
            await self._handle(message, msg)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """An edit is moderated again (a scam link added after posting). Raw: the message need not be cached.
        Discord also sends an update when it adds a link preview; when the cached text shows no change, that
        one is skipped."""
        before, message = payload.cached_message, payload.message
        if self.user is None or (before is not None and before.content == message.content):
            return
        msg = translate.from_message(message, self.user, edited=True)
        if msg is not None:
            await self._handle(message, msg)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """A member added a reaction (raw: the post need not be cached). It reaches the router like a message
        (helpful marks feed points); what the router says goes to the channel, privately, or to other members."""
        msg = translate.from_reaction(payload, self.user.id) if self.user is not None else None
        if msg is None:
            return
        replies = await asyncio.to_thread(self.router.handle, msg)
        if replies:
            channel = self.get_channel(payload.channel_id) or self.get_partial_messageable(payload.channel_id)
            await self.delivery.to_event(channel if isinstance(channel, discord.abc.Messageable) else None,
                                         payload.user_id, replies)

    async def _handle(self, message: discord.Message, msg: Incoming) -> None:
        replies = await asyncio.to_thread(self.router.handle, msg)  # [] for chatter the bot only observes
        for reply in replies:
            step = reply.enforce
            if step is not None and message.guild is not None:
                done = await moderation.carry_out(self.http, message.guild.id, message.channel.id, step)
                reply = replace(reply, enforce=None) if done else Outgoing(step.fallback)
            if reply.text or reply.answer or reply.image or reply.file:
                await self.delivery.to_message(message, [reply])

    # -- guilds ---------------------------------------------------------------------------------------

    async def on_guild_join(self, guild: discord.Guild) -> None:
        channel = guild.system_channel
        if channel is None or guild.me is None or not channel.permissions_for(guild.me).send_messages:
            log.info("joined discord guild %s; no system channel I may post in, so no introduction", guild.id)
            return
        for piece in render.split_text(render.light_markup(help_text())):
            await channel.send(piece, allowed_mentions=NO_MENTIONS)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Settings are kept per channel (the router's chat), so each channel the guild had is forgotten.
        There are no per-guild jobs (briefings) yet; when there are, they stop here too."""
        channel_ids = [channel.id for channel in guild.channels] + [thread.id for thread in guild.threads]
        await asyncio.to_thread(self._forget_channels, channel_ids)
        log.info("removed from discord guild %s; settings of its %d channels deleted", guild.id,
                 len(channel_ids))

    def _forget_channels(self, channel_ids: Sequence[int]) -> None:
        for channel_id in channel_ids:
            self.router.chat_removed(f"{translate.PLATFORM}:{channel_id}")

    # -- errors ---------------------------------------------------------------------------------------

    async def on_app_command_error(self, interaction: discord.Interaction[Any],
                                   error: app_commands.AppCommandError) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        await self.on_interaction_error(interaction, original)

    async def on_interaction_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:
        """Every failed command or button: expired ones are dropped, the rest logged under a reference."""
        if expired(error):
            log.warning("discord interaction %s expired before the answer was ready; dropped", interaction.id)
            return
        if isinstance(error, app_commands.CheckFailure):
            await self._tell(interaction, str(error) or "You can't use this command here.")
            return
        command = interaction.command.qualified_name if interaction.command else "button"
        await self._tell(interaction, APOLOGY.format(ref=report_crash(error, f"discord /{command}")))

    async def _tell(self, interaction: discord.Interaction[Any], text: str) -> None:
        """A short line to the member, ephemeral where Discord allows it (after a public "thinking..." the
        first follow-up replaces that message, so it shows there)."""
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not tell the member about an error (%s)", exc)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        error = sys.exc_info()[1] or RuntimeError("unknown error")
        reference = report_crash(error, f"discord event {event_method}")
        message = args[0] if args and isinstance(args[0], discord.Message) else None
        if message is not None and not isinstance(error, discord.Forbidden):
            try:
                await message.channel.send(APOLOGY.format(ref=reference), allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                log.warning("could not send the apology for %s", reference)


class ShardedRoundtableBot(RoundtableBot, commands.AutoShardedBot):
    """The same bot over several gateway connections (``shard_count`` of them), for large deployments.
    It is ready once every shard has had its READY."""

    def __init__(self, router: Router, *, guild_id: int | None = None, **options: Any) -> None:
        super().__init__(router, guild_id=guild_id, **options)
        self.connected_shards: set[int] = set()

    async def on_connect(self) -> None:
        pass  # per shard; counted in on_shard_connect

    async def on_shard_connect(self, shard_id: int) -> None:
        self.connected_shards.add(shard_id)
        if len(self.connected_shards) >= (self.shard_count or 1):
            self._gateway_ready()


async def log_in(client: discord.Client, token: str, api_url: str) -> None:
    """Log ``client`` in over REST at ``api_url``; a rejected token is a ``UserError`` saying what to do.

    Route.BASE is discord.py's one switch for the REST base (interaction callbacks and webhooks use it too), and
    it must be set before login: the login call itself (GET /users/@me) already goes there."""
    discord.http.Route.BASE = api_url
    try:
        await client.login(token)
    except BaseException as exc:
        await client.close()  # login opened an HTTP session; do not leak it
        if isinstance(exc, discord.LoginFailure):
            raise UserError("Discord rejected ROUNDTABLE_DISCORD_TOKEN; copy it again from the Developer "
                            "Portal (Bot > Reset Token).") from exc
        raise


class DiscordFrontend:
    def __init__(self, router: Router, token: str, *, guild_id: int | None = None,
                 api_url: str = DEFAULT_API_URL, shards: int | None = None) -> None:
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.bot: RoundtableBot = (ShardedRoundtableBot(router, guild_id=guild_id, shard_count=shards)
                                   if shards else RoundtableBot(router, guild_id=guild_id))
        self.connection: asyncio.Task[None] | None = None

    @property
    def ready(self) -> asyncio.Event:
        """Set once the gateway's READY arrived and the slash commands are synced."""
        return self.bot.commands_ready

    async def start(self) -> None:
        _keep_discord_logs()
        await log_in(self.bot, self.token, self.api_url)  # runs setup_hook: cogs, gateway URL, command sync
        self.connection = asyncio.create_task(self.bot.connect(reconnect=True), name="discord-gateway")
        self.connection.add_done_callback(_connection_ended)

    async def stop(self) -> None:
        await self.bot.close()
        if self.connection is not None:
            try:
                await asyncio.wait_for(self.connection, timeout=10)
            except (TimeoutError, asyncio.CancelledError, discord.DiscordException) as exc:
                log.info("discord gateway task ended with %s", type(exc).__name__)
            self.connection = None


def _connection_ended(task: asyncio.Task[None]) -> None:
    """The gateway connection gave up (bad intents, a revoked token...): say so loudly, not silently."""
    if not task.cancelled() and isinstance(task.exception(), discord.PrivilegedIntentsRequired):
        log.error("Discord refused the message content intent: switch it on in the Developer Portal (Bot > "
                  "Privileged Gateway Intents > Message Content); the bot is offline")
    elif not task.cancelled() and task.exception() is not None:
        reference = report_crash(task.exception() or RuntimeError(), "discord gateway")
        log.error("the discord gateway connection ended (ref %s); the bot is offline", reference)


def _keep_discord_logs() -> None:
    """discord.py logs through a NullHandler: when the app configured no logging, its errors would vanish."""
    if not logging.getLogger().handlers:
        discord.utils.setup_logging(level=logging.WARNING, root=False)
