"""The local Discord fake, proved with discord.py itself: a plain ``commands.Bot`` pointed at it as stack.md says
(Route.BASE, then DEFAULT_GATEWAY from GET /gateway/bot in setup_hook) logs in, syncs, answers and closes."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.bots.discord.fake_discord import (
    BOT_ID,
    CALLBACK,
    CLOSED,
    EPHEMERAL,
    FOLLOWUP,
    GUILD_ID,
    IDENTIFY,
    MESSAGE_CONTENT_INTENT,
    SEND,
    SYNC_GUILD,
    FakeDiscord,
)

MEMBER = {"id": "134127815531560960", "username": "test", "discriminator": "5520", "avatar": None}


class AnswerView(discord.ui.View):
    @discord.ui.button(label="Got it", custom_id="got-it")
    async def got_it(self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]) -> None:
        await interaction.response.edit_message(content="thanks", view=None)


class ProbeBot(commands.Bot):
    """The smallest bot that exercises every path the Roundtable front-end needs."""

    def __init__(self) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=discord.Intents.default(),
                         allowed_mentions=discord.AllowedMentions.none(), guild_ready_timeout=0.05)
        self.ready = threading.Event()
        self.heard: list[str] = []  # texts of messages that mentioned the bot
        self.chatter: list[str] = []  # texts of other messages, as the bot received them
        self.failures: list[BaseException] = []

        @app_commands.command(description="Echo a word, privately")
        async def echo(interaction: discord.Interaction, word: str) -> None:
            await interaction.response.send_message(f"echo {word}", ephemeral=True, view=AnswerView())

        @app_commands.command(description="A slow answer")
        async def slow(interaction: discord.Interaction, topic: str, depth: int = 1) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(embed=discord.Embed(title=topic, description=f"depth {depth}"))

        portfolio = app_commands.Group(name="portfolio", description="Portfolios")

        @portfolio.command(description="Show a holding")
        async def show(interaction: discord.Interaction, symbol: str) -> None:
            await interaction.response.send_message(f"holding {symbol}")

        for command in (echo, slow, portfolio):
            self.tree.add_command(command)

        @self.tree.error
        async def on_app_command_error(interaction: discord.Interaction, error: Exception) -> None:
            self.failures.append(error)

    async def setup_hook(self) -> None:
        _, url, _ = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        guild = discord.Object(GUILD_ID)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_ready(self) -> None:
        self.ready.set()

    async def on_message(self, message: discord.Message) -> None:
        if message.author.id == BOT_ID:
            return
        if self.user in message.mentions:
            self.heard.append(message.content)
            await message.reply("heard you")
        else:
            self.chatter.append(message.content)


class BotThread:
    """Runs a bot on its own event loop, so the test can block on the fake while the bot works."""

    def __init__(self, bot: commands.Bot, token: str) -> None:
        self.bot, self.token = bot, token
        self.error: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            async with self.bot:
                await self.bot.start(self.token)

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc

    def stop(self) -> None:
        if self.loop is not None and not self.bot.is_closed():
            asyncio.run_coroutine_threadsafe(self.bot.close(), self.loop).result(10)
        self.thread.join(10)
        assert not self.thread.is_alive(), "the bot did not stop"


@pytest.fixture
def discord_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDiscord]:
    with FakeDiscord() as server:
        monkeypatch.setattr(Route, "BASE", server.api_url)
        monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)  # restored after
        yield server


@pytest.fixture
def probe(discord_fake: FakeDiscord) -> Iterator[ProbeBot]:
    bot = ProbeBot()
    runner = BotThread(bot, discord_fake.token)
    runner.thread.start()
    try:
        assert bot.ready.wait(10), f"no on_ready; bot error: {runner.error!r}"
        yield bot
    finally:
        runner.stop()
    assert runner.error is None, runner.error


def test_login_identify_ready_and_guild_sync(discord_fake: FakeDiscord, probe: ProbeBot) -> None:
    (identify,) = discord_fake.calls_to(IDENTIFY)
    assert identify.json["token"] == discord_fake.token
    assert identify.json["intents"] == discord.Intents.default().value  # no privileged message-content intent
    assert not identify.json["intents"] & MESSAGE_CONTENT_INTENT
    assert identify.query["compress"]  # asked for compression; plain text frames served anyway
    (sync,) = discord_fake.calls_to(SYNC_GUILD)
    assert sync.params["guild_id"] == str(GUILD_ID)
    assert sync.json == [command.to_dict(probe.tree) for command in probe.tree.get_commands(guild=sync_guild())]
    by_name = {command["name"]: command for command in sync.json}
    depth = by_name["slow"]["options"][1]
    assert (depth["name"], depth["type"], depth["required"]) == ("depth", 4, False)  # integer, optional
    assert by_name["portfolio"]["options"][0]["type"] == 1  # a sub-command
    echoed = {command["name"]: command for command in sync.response}  # what discord.py parsed into AppCommands
    assert echoed.keys() == {"echo", "slow", "portfolio"}
    assert all(c["application_id"] == str(BOT_ID) and c["guild_id"] == str(GUILD_ID) for c in echoed.values())
    guild = probe.get_guild(GUILD_ID)
    assert guild is not None and guild.me is not None and guild.me.id == BOT_ID
    assert probe.application_id == BOT_ID
    assert not discord_fake.unexpected, [call.route for call in discord_fake.unexpected]


def sync_guild() -> discord.Object:
    return discord.Object(GUILD_ID)


def test_slash_command_with_an_ephemeral_answer_and_a_button(discord_fake: FakeDiscord, probe: ProbeBot) -> None:
    interaction = discord_fake.slash("echo", {"word": "hello"}, user=MEMBER)
    (callback,) = discord_fake.wait_for(CALLBACK)
    assert callback.query == {"with_response": "1"}
    assert callback.json["type"] == 4 and callback.json["data"]["content"] == "echo hello"
    assert callback.json["data"]["flags"] == EPHEMERAL
    button = callback.json["data"]["components"][0]["components"][0]
    assert button["custom_id"] == "got-it"

    discord_fake.click(callback.response["resource"]["message"], "got-it", user=MEMBER)
    (_, edit) = discord_fake.wait_for(CALLBACK, count=2)
    assert edit.json["type"] == 7 and edit.json["data"]["content"] == "thanks"
    assert [call.route for call in discord_fake.responses(interaction)] == [CALLBACK]
    assert not probe.failures


def test_deferred_answer_then_follow_up_with_an_embed(discord_fake: FakeDiscord, probe: ProbeBot) -> None:
    interaction = discord_fake.slash("slow", {"topic": "bonds", "depth": 2}, user=MEMBER)
    (follow_up,) = discord_fake.wait_for(FOLLOWUP)
    defer, _ = discord_fake.responses(interaction)
    assert defer.route == CALLBACK and defer.json == {"type": 5}
    assert defer.response["interaction"]["response_message_loading"] is True
    assert follow_up.query["wait"] == "1"
    assert follow_up.json["embeds"][0] == {"title": "bonds", "description": "depth 2", "type": "rich",
                                          "flags": 0}
    # Discord turns the first follow-up after a "thinking" defer into the original message.
    assert follow_up.response["id"] == defer.response["interaction"]["response_message_id"]
    assert not probe.failures


def test_sub_command_of_a_group(discord_fake: FakeDiscord, probe: ProbeBot) -> None:
    discord_fake.slash("portfolio show", {"symbol": "VTI"})
    (callback,) = discord_fake.wait_for(CALLBACK)
    assert callback.json["data"]["content"] == "holding VTI"


def test_a_mention_is_heard_and_chatter_arrives_without_its_text(discord_fake: FakeDiscord, probe: ProbeBot) -> None:
    discord_fake.message("just chatting about lunch")
    question = discord_fake.message(f"<@{BOT_ID}> what is a bond?")
    (reply,) = discord_fake.wait_for(SEND)
    assert probe.heard == [f"<@{BOT_ID}> what is a bond?"]
    assert probe.chatter == [""]  # no message-content intent: Discord blanks messages that do not mention the bot
    assert reply.json["content"] == "heard you"
    assert str(reply.json["message_reference"]["message_id"]) == question["id"]
    assert reply.json["allowed_mentions"] == {"parse": []}

    discord_fake.message("and what about stocks?", reply_to=reply.response)
    discord_fake.wait_for(SEND, count=2)
    assert probe.heard[-1] == "and what about stocks?"


def test_the_bot_closes_the_gateway_cleanly(discord_fake: FakeDiscord) -> None:
    bot = ProbeBot()
    runner = BotThread(bot, discord_fake.token)
    runner.thread.start()
    assert bot.ready.wait(10)
    runner.stop()
    (closed,) = discord_fake.wait_for(CLOSED, timeout=5)  # the fake notes it just after the bot returns
    # The bot sent a close frame itself. Client.close() asks for 1000, but with aiohttp 3.14 the gateway reader
    # wakes first and sends 4000 (discord.py 2.7.1, gateway.py poll_event): both are the bot's own clean close.
    assert closed.json["code"] in (1000, 4000)
    assert runner.error is None


def test_a_wrong_token_is_refused_at_login(discord_fake: FakeDiscord) -> None:
    runner = BotThread(ProbeBot(), "MTIz.Gnope0.this-is-not-the-token-the-fake-knows-000")
    runner.thread.start()
    runner.thread.join(10)
    assert isinstance(runner.error, discord.LoginFailure)
    assert not discord_fake.calls_to(IDENTIFY)


def test_refusals_follow_discord(discord_fake: FakeDiscord, probe: ProbeBot) -> None:
    discord_fake.fail_next(SEND, 403, 50013, "Missing Permissions")
    discord_fake.message(f"<@{BOT_ID}> hello?")
    (refused,) = discord_fake.wait_for(SEND)
    assert refused.status == 403 and refused.response == {"message": "Missing Permissions", "code": 50013}

    late = discord_fake.slash("echo", {"word": "late"})
    discord_fake.expire(late)
    (callback,) = discord_fake.wait_for(CALLBACK)
    assert callback.status == 404 and callback.response["code"] == 10062
    deadline = time.monotonic() + 5
    while not probe.failures and time.monotonic() < deadline:  # the bot reads the 404 just after the fake sent it
        time.sleep(0.01)
    (failure,) = probe.failures
    assert isinstance(failure, app_commands.CommandInvokeError) and isinstance(failure.original, discord.NotFound)
