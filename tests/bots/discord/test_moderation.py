"""Group safety on Discord: real discord.py Message objects from captured payloads, the real router with moderation,
and what the bot asks of Discord recorded: DELETE a message, PATCH a member's timeout, the notices it posts, and the
admins' alert when Discord refuses (403 Missing Permissions)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from cryptography.fernet import Fernet
from discord.app_commands import Choice

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from bots.chat.moderation import ModerationCommands
from bots.chat.modstore import ModerationStore
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from bots.discord import translate
from bots.discord.bot import DiscordFrontend, RoundtableBot
from bots.discord.mod_commands import ModerationCog
from knowledge.retrieval import Retriever
from tests.bots.discord import payloads
from tests.bots.discord.fake_discord import (
    DELETE_MESSAGE,
    EDIT_MEMBER,
    IDENTIFY,
    MESSAGE_CONTENT_INTENT,
    SEND,
    FakeDiscord,
)
from tests.bots.discord.payloads import BOB, GUILD_CHANNEL, GUILD_ID, MEMBER_PERMISSIONS, guild
from tests.bots.discord.recorder import Recorder

MEMBER = 562268917771413264  # the captured message's author: a member, not the server's owner (BOB is)
PROMISE = "This fund is guaranteed to double your money, risk-free!"
SCAM = "free signals here https://bit.ly/x1y2z3"
DELETE = "/channels/{channel_id}/messages/{message_id}"
TIMEOUT = "/guilds/{guild_id}/members/{user_id}"
_ids = iter(range(900_100_000_000_000_001, 900_200_000_000_000_000))


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> Router:
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    return Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles,
                  ChatSettingsStore(profiles.engine), FixedCollections({"research"}),
                  moderation=ModerationCommands(ModerationStore(profiles.engine)))


def post_data(content: str, *, author: int = MEMBER, joined: timedelta = timedelta(days=400),
              **extra: Any) -> dict[str, Any]:
    """A MESSAGE_CREATE in the guild's channel from ``author``, a member for ``joined`` (their join time comes
    with the message, as Discord sends it)."""
    data = copy.deepcopy(payloads.MESSAGE)
    data.update(id=str(next(_ids)), content=content, guild_id=str(GUILD_ID), channel_id=str(GUILD_CHANNEL),
                author=payloads.user(author, f"member{author}"), mentions=[],
                timestamp=discord.utils.utcnow().isoformat(), **extra)
    data["member"]["joined_at"] = (discord.utils.utcnow() - joined).isoformat()
    return data


def as_message(bot: RoundtableBot, server: discord.Guild, data: dict[str, Any]) -> discord.Message:
    return discord.Message(state=bot._connection, channel=server.get_channel(GUILD_CHANNEL), data=data)  # type: ignore[arg-type]


def requests(sent: Recorder, method: str, path: str) -> list[dict[str, Any]]:
    return [s.body for s in sent.sent if s.method == method and s.path == path]


def posts(sent: Recorder) -> list[str]:
    channel = f"/channels/{GUILD_CHANNEL}/messages"
    return [s.content for s in sent.sent if s.method == "POST" and s.url.endswith(channel)]


def forbidden() -> discord.Forbidden:
    return discord.Forbidden(SimpleNamespace(status=403, reason="Forbidden"),  # type: ignore[arg-type]
                             {"code": 50013, "message": "Missing Permissions"})


async def test_a_promise_of_returns_gets_a_warning(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection)
    await bot.on_message(as_message(bot, server, post_data(PROMISE)))
    (warning,) = posts(sent)
    assert "promises of returns are not allowed here" in warning
    assert requests(sent, "DELETE", DELETE) == []


async def test_the_owner_and_admins_are_exempt(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection)
    await bot.on_message(as_message(bot, server, post_data(PROMISE, author=BOB)))  # BOB owns the server
    assert posts(sent) == []


async def test_a_scam_link_from_a_new_member_is_deleted(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection)
    data = post_data(SCAM, joined=timedelta(hours=1))
    await bot.on_message(as_message(bot, server, data))
    (deleted,) = [s for s in sent.sent if s.method == "DELETE"]
    assert deleted.url.endswith(f"/channels/{GUILD_CHANNEL}/messages/{data['id']}")
    (notice,) = posts(sent)
    assert notice.startswith("A message was removed") and "bit.ly" not in notice


async def test_without_manage_messages_the_admins_are_alerted(bot: RoundtableBot, sent: Recorder,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bots.discord")
    sent.refuse[DELETE] = forbidden()
    server = guild(bot._connection)
    await bot.on_message(as_message(bot, server, post_data(SCAM, joined=timedelta(hours=1))))
    (alert,) = posts(sent)
    assert alert.startswith("Admins: a message here may break") and "don't have the right" in alert
    assert "Missing Permissions" in caplog.text and "bit.ly" not in caplog.text


async def test_the_third_warning_times_the_member_out(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection)
    for text in (PROMISE, "Honestly, it's a sure thing: zero risk.", "Guaranteed profit, you can't lose."):
        await bot.on_message(as_message(bot, server, post_data(text)))
    (timeout,) = [s for s in sent.sent if s.method == "PATCH" and s.path == TIMEOUT]
    assert timeout.url.endswith(f"/guilds/{GUILD_ID}/members/{MEMBER}")
    until = datetime.fromisoformat(timeout.body["communication_disabled_until"])
    assert timedelta(minutes=59) < until - discord.utils.utcnow() <= timedelta(minutes=60)
    assert "can't post for 60 minutes" in posts(sent)[-1]


async def test_a_refused_timeout_becomes_an_alert(bot: RoundtableBot, sent: Recorder) -> None:
    sent.refuse[TIMEOUT] = forbidden()
    server = guild(bot._connection)
    for text in (PROMISE, "Honestly, it's a sure thing: zero risk.", "Guaranteed profit, you can't lose."):
        await bot.on_message(as_message(bot, server, post_data(text)))
    assert posts(sent)[-1].startswith(f"Admins: member{MEMBER} has reached the warning limit")


async def test_an_edit_that_adds_a_scam_link_is_deleted(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection)
    data = post_data("hello everyone, happy to be here", joined=timedelta(hours=2))
    await bot.on_message(as_message(bot, server, data))
    assert sent.sent == []
    edited = {**data, "content": "hello everyone, join my group t.me/+AbCdEf",
              "edited_timestamp": discord.utils.utcnow().isoformat()}
    await bot.on_raw_message_edit(discord.RawMessageUpdateEvent(edited, as_message(bot, server, edited)))  # type: ignore[arg-type]
    (deleted,) = [s for s in sent.sent if s.method == "DELETE"]
    assert deleted.url.endswith(f"/messages/{data['id']}")


async def test_an_unchanged_edit_is_not_checked_again(bot: RoundtableBot, sent: Recorder) -> None:
    """Discord sends an update when it adds a link preview; the text is the same, so nothing happens twice."""
    server = guild(bot._connection)
    data = post_data(PROMISE)
    original = as_message(bot, server, data)
    await bot.on_message(original)
    update = discord.RawMessageUpdateEvent(data, as_message(bot, server, data))  # type: ignore[arg-type]
    update.cached_message = original
    await bot.on_raw_message_edit(update)
    assert len(posts(sent)) == 1


async def test_a_bare_file_from_a_new_member_is_moderated(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection)
    picture = {"id": "1", "filename": "gains.png", "size": 10, "url": "https://cdn.example/gains.png",
               "proxy_url": "https://cdn.example/gains.png", "content_type": "image/png"}
    data = post_data("", joined=timedelta(minutes=5), attachments=[picture])
    msg = translate.from_message(as_message(bot, server, data), bot._connection.user)  # type: ignore[arg-type]
    assert msg is not None and msg.has_media and msg.text == "" and msg.chat_kind == "group"
    await bot.on_message(as_message(bot, server, data))
    assert [s.method for s in sent.sent if s.method == "DELETE"] == ["DELETE"]


async def test_a_forward_is_read_from_its_snapshot(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection)
    snapshot = {"message": {"type": 0, "content": PROMISE, "embeds": [], "attachments": [],
                            "timestamp": discord.utils.utcnow().isoformat(), "edited_timestamp": None, "flags": 0,
                            "mentions": [], "mention_roles": [], "components": []}}
    data = post_data("", message_snapshots=[snapshot],
                     message_reference={"type": 1, "message_id": "1", "channel_id": "2", "guild_id": "3"})
    msg = translate.from_message(as_message(bot, server, data), bot._connection.user)  # type: ignore[arg-type]
    assert msg is not None and msg.forwarded and msg.text == PROMISE
    await bot.on_message(as_message(bot, server, data))
    assert "promises of returns" in posts(sent)[0]


async def test_review_buttons_carry_the_pressers_permissions(bot: RoundtableBot) -> None:
    message = {**copy.deepcopy(payloads.MESSAGE), "author": payloads.BOT_USER}
    admin = payloads.button_press(bot._connection, "mod:approve:1", message)  # the capture's admin
    assert translate.from_button(admin, "mod:approve:1", private=False).is_admin is True
    data = copy.deepcopy(payloads.INTERACTION)
    data.update(type=3, data={"custom_id": "mod:approve:1", "component_type": 2}, message=message)
    plain = payloads._interaction_data(data, MEMBER, "member", MEMBER_PERMISSIONS, MEMBER_PERMISSIONS, True, "en-US")
    member = discord.Interaction(data=plain, state=bot._connection)  # type: ignore[arg-type]
    assert translate.from_button(member, "mod:approve:1", private=False).is_admin is False


# -- through the gateway: the real front-end connected to the local fake Discord ------------------------------



async def test_through_the_gateway_chatter_is_read_and_edits_and_timeouts_reach_discord(
        discord_fake: FakeDiscord, router: Router) -> None:
    frontend = DiscordFrontend(router, discord_fake.token, guild_id=GUILD_ID, api_url=discord_fake.api_url)
    await frontend.start()
    try:
        await frontend.ready.wait()
        (identify,) = discord_fake.calls_to(IDENTIFY)
        assert identify.json["intents"] & MESSAGE_CONTENT_INTENT  # or Discord would blank this chatter
        newcomer = payloads.user(MEMBER, "newcomer")  # not cached: the message's member part says who it is
        hello = discord_fake.message("hello everyone, happy to be here", author=newcomer,
                                     joined_at=discord.utils.utcnow() - timedelta(hours=1))
        warned = payloads.user(183312554389405697, "eager")  # in the guild, role "test": no Manage Server
        for text in (PROMISE, "Honestly, it's a sure thing: zero risk.", "Guaranteed profit, you can't lose."):
            discord_fake.message(text, author=warned)
            await discord_fake.wait_for_async(SEND, len(discord_fake.calls_to(SEND)) + 1)
        (timeout,) = await discord_fake.wait_for_async(EDIT_MEMBER)
        assert timeout.params["user_id"] == warned["id"] and timeout.json["communication_disabled_until"]
        discord_fake.edit(hello, "hello everyone, join my group t.me/+AbCdEf")
        (deleted,) = await discord_fake.wait_for_async(DELETE_MESSAGE)
        assert deleted.params["message_id"] == hello["id"] and not discord_fake.unexpected
    finally:
        await frontend.stop()


# -- the slash commands and the review queue's buttons -------------------------------------------------------


def in_guild_channel(bot: RoundtableBot, data: dict[str, Any]) -> discord.Interaction[Any]:
    """An interaction in the channel where ``post_data`` messages are posted (the same chat for the router)."""
    data["channel_id"] = data["channel"]["id"] = str(GUILD_CHANNEL)
    return discord.Interaction(data=data, state=bot._connection)  # type: ignore[arg-type]


def mod_cog(bot: RoundtableBot) -> ModerationCog:
    cog = bot.get_cog("ModerationCog")
    assert isinstance(cog, ModerationCog)
    return cog


async def test_modqueue_lists_held_posts_with_buttons_and_an_admin_approves(bot: RoundtableBot,
                                                                           sent: Recorder) -> None:
    assert mod_cog(bot).modqueue.default_permissions == discord.Permissions(manage_guild=True)
    server = guild(bot._connection)
    await bot.on_message(as_message(bot, server, post_data(
        "Insider tip: $QRTX is about to explode, load up now before the news")))
    assert [s.method for s in sent.sent][:1] == ["DELETE"]  # held: out of the channel until an admin decides
    cog: Any = mod_cog(bot)
    await cog.modqueue.callback(cog, in_guild_channel(bot, payloads.command_data("modqueue")))
    (queue,) = [s for s in sent.messages() if s.buttons]
    approve = next(b["custom_id"] for b in queue.buttons if b["custom_id"].startswith("mod:approve:"))
    press = copy.deepcopy(payloads.INTERACTION)
    press.update(type=3, data={"custom_id": approve, "component_type": 2},
                 message={**copy.deepcopy(payloads.MESSAGE), "author": payloads.BOT_USER})
    press = payloads._interaction_data(press, payloads.ALICE, "admin", payloads.ALL_PERMISSIONS,
                                       payloads.ALL_PERMISSIONS, True, "en-US")
    await bot.on_press(in_guild_channel(bot, press), approve, False)
    assert "Approved by the admins" in sent.sent[-1].text()


async def test_modpolicy_options_become_the_routers_command_line(bot: RoundtableBot, sent: Recorder,
                                                                 router: Router) -> None:
    cog: Any = mod_cog(bot)
    member = payloads.command(bot._connection, "modpolicy", subcommand="action", permissions=MEMBER_PERMISSIONS)
    await cog.action.callback(cog, member, category=Choice(name="hype", value="hype"),
                              action=Choice(name="warn", value="warn"))
    assert "Only group admins can change the moderation policy" in sent.messages()[-1].text()
    admin = payloads.command(bot._connection, "modpolicy", subcommand="warns")
    await cog.warns.callback(cog, admin, warnings=2, minutes=30)
    assert sent.messages()[-1].text().startswith("Saved.")
    assert router.moderation is not None
    policy = router.moderation.store.policy(f"discord:{payloads.CHANNEL}")
    assert (policy.warn_limit, policy.mute_minutes) == (2, 30)
