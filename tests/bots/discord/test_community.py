"""Community features on Discord (issue 14): who a message names and answers, reactions reaching the router, and
private notes to other members by DM. The unit tests read captured payloads; the end-to-end ones run the real
front-end against the local fake Discord (REST and gateway)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
import pytest

from bots.chat.messages import Incoming, Outgoing
from bots.chat.router import COMMANDS, Router
from bots.discord import community_commands, translate
from bots.discord.bot import DiscordFrontend, RoundtableBot
from bots.discord.community_commands import CommunityCog
from tests.bots.discord import payloads
from tests.bots.discord.fake_discord import (
    GUILD_MESSAGE_REACTIONS_INTENT,
    IDENTIFY,
    SEND,
    FakeDiscord,
    fixture,
)
from tests.bots.discord.payloads import BOB, BOT_ID, guild
from tests.bots.discord.recorder import Recorder, offline_bot
from tests.helpers import Spy

CAROL, DAVE = 183312554389405697, 562268917771413264  # members of the captured guild
OPEN_DM = "POST /users/@me/channels"


async def until(condition: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


# -- what the router is told ----------------------------------------------------------------------------------


async def test_a_reply_names_the_post_and_its_author_and_mentions_come_in_the_order_written(
        bot: RoundtableBot) -> None:
    assert bot.user is not None
    server = guild(bot._connection)
    # Bob replies to Carol (the reply pings her, so Discord lists her among the mentions) and names Dave, then
    # the bot, then Dave again.
    message = payloads.message(bot._connection, f"<@{DAVE}> <@!{BOT_ID}> what does <@{DAVE}> hold?",
                               replying_to=CAROL, mentions=(CAROL, DAVE, BOT_ID), in_guild=server)
    msg = translate.from_message(message, bot.user)
    assert msg is not None and msg.mentions_bot
    assert (msg.username, msg.mentioned) == ("bob", (str(DAVE),))
    assert (msg.reply_to_user_id, msg.reply_to_message_id) == (str(CAROL), "732582724170285000")


async def test_a_plain_post_names_nobody(bot: RoundtableBot) -> None:
    assert bot.user is not None
    msg = translate.from_message(payloads.message(bot._connection, "index funds, anyone?",
                                                  in_guild=guild(bot._connection)), bot.user)
    assert msg is not None and (msg.mentioned, msg.reply_to_user_id, msg.reply_to_message_id) == ((), "", "")


def test_a_captured_reaction_reads_as_a_reaction_to_its_post() -> None:
    data = fixture("MessageReactionAdd")["d"]  # a real capture: 😊 on message 679003565884440580
    event = discord.RawReactionActionEvent(data, discord.PartialEmoji.from_dict(data["emoji"]), "REACTION_ADD")
    msg = translate.from_reaction(event, BOT_ID)
    assert msg is not None
    assert (msg.reaction, msg.message_id, msg.user_id, msg.chat_id, msg.chat_kind, msg.text) == (
        "😊", "679003565884440580", "123456789012345678", "185949590652977152", "group", "")
    assert msg.reply_to_user_id == ""  # message_author_id 0: Discord did not say who wrote the post
    assert translate.from_reaction(event, 123456789012345678) is None  # the bot's own reaction
    removed = discord.RawReactionActionEvent(data, discord.PartialEmoji.from_dict(data["emoji"]), "REACTION_REMOVE")
    assert translate.from_reaction(removed, BOT_ID) is None


# -- through the gateway --------------------------------------------------------------------------------------


@pytest.fixture
async def frontend(discord_fake: FakeDiscord, router: Router) -> Any:
    running = DiscordFrontend(router, discord_fake.token, guild_id=payloads.GUILD_ID, api_url=discord_fake.api_url)
    await running.start()
    await running.ready.wait()
    yield running
    await running.stop()


async def test_reactions_are_asked_for_and_reach_the_router_with_the_posts_author(
        discord_fake: FakeDiscord, frontend: DiscordFrontend, router: Router,
        monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy()
    monkeypatch.setattr(router, "handle", spy)
    (identify,) = discord_fake.calls_to(IDENTIFY)
    assert identify.json["intents"] & GUILD_MESSAGE_REACTIONS_INTENT  # or Discord would send no reactions
    post = discord_fake.message("Diversify across asset classes, not just across tech stocks.",
                                author=payloads.user(CAROL, "carol"))
    await until(lambda: len(spy.seen) == 1)  # the post itself: chatter the router observes
    discord_fake.reaction(post, "👍", user=payloads.user(DAVE, "dave"))
    discord_fake.reaction(post, "🔥", user=payloads.user(DAVE, "dave"), author_known=False)
    await until(lambda: len(spy.seen) == 3)
    thumbs, fire = sorted(spy.seen[1:], key=lambda m: m.reaction != "👍")
    assert (thumbs.reaction, thumbs.message_id, thumbs.user_id, thumbs.reply_to_user_id, thumbs.username) == (
        "👍", post["id"], str(DAVE), str(CAROL), "dave")
    assert (fire.reaction, fire.reply_to_user_id, fire.text, fire.chat_kind) == ("🔥", "", "", "group")
    assert discord_fake.calls_to(SEND) == [] and not discord_fake.unexpected


async def test_notes_for_other_members_go_by_dm_and_a_closed_dm_loses_nothing_else(
        discord_fake: FakeDiscord, frontend: DiscordFrontend, router: Router, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    discord_fake.closed_dms.add(CAROL)  # Carol takes no DMs from server members

    def answers(msg: Incoming) -> list[Outgoing]:
        if msg.reaction:
            return [Outgoing("Your post was marked helpful.", recipient=str(BOB))]
        notes = [Outgoing("Bob's portfolio changed: **bonds 40% -> 20%**. Following is not advice.",
                          recipient=member) for member in (str(CAROL), str(DAVE))]
        return [*notes, Outgoing("Noted.")]

    monkeypatch.setattr(router, "handle", Spy(answers))
    caplog.set_level(logging.INFO, logger="bots.discord.delivery")
    post = discord_fake.message("rebalanced my portfolio today", author=payloads.user(BOB, "bob"))
    await discord_fake.wait_for_async(SEND, 3)  # Carol's refused attempt, Dave's DM and the channel reply
    dms = {int(call.json["recipient_id"]): call.response["id"] for call in discord_fake.calls_to(OPEN_DM)}
    sends = {int(call.params["channel_id"]): call for call in discord_fake.calls_to(SEND)}
    assert sends[int(dms[CAROL])].status == 403 and sends[int(dms[DAVE])].status == 200
    assert "**bonds 40% -> 20%**" in sends[int(dms[DAVE])].json["content"]
    in_channel = sends[int(post["channel_id"])]
    assert in_channel.json["content"] == "Noted."
    assert str(in_channel.json["message_reference"]["message_id"]) == post["id"]  # it answers Bob's post
    assert f"note to member {CAROL}" in caplog.text and "dropped" in caplog.text
    # A reaction's note reaches its member too (the reacted post's author here).
    discord_fake.reaction(post, "👍", user=payloads.user(DAVE, "dave"))
    await discord_fake.wait_for_async(OPEN_DM, 3)
    await discord_fake.wait_for_async(SEND, 4)
    last = discord_fake.calls_to(SEND)[-1]
    assert last.json["content"] == "Your post was marked helpful." and last.status == 200
    assert len([c for c in discord_fake.calls_to(SEND) if int(c.params["channel_id"]) == int(post["channel_id"])]) == 1
    assert not discord_fake.unexpected



# -- the community slash commands -----------------------------------------------------------------------------

COMMUNITY = {"follow": "follow a shared portfolio", "unfollow": "stop following", "leaderboard": "track records",
             "quiz": "a question", "points": "your points", "top": "the helpers", "helpful": "mark a post helpful"}


def community_cog(bot: RoundtableBot) -> CommunityCog:
    cog = bot.get_cog("CommunityCog")
    assert isinstance(cog, CommunityCog)
    return cog


async def test_only_the_community_commands_the_router_has_are_offered(router: Router,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(community_commands, "COMMANDS", {k: v for k, v in COMMANDS.items() if k not in COMMUNITY})
    without = await offline_bot(router)  # a router without the community features
    assert not {c.name for c in without.tree.get_commands()} & {*COMMUNITY, "Mark as helpful"}
    monkeypatch.setattr(community_commands, "COMMANDS", {**COMMANDS, **COMMUNITY})
    full = await offline_bot(router)
    slash = {c.name for c in full.tree.get_commands(type=discord.AppCommandType.chat_input)}
    menus = {c.name for c in full.tree.get_commands(type=discord.AppCommandType.message)}
    assert slash >= set(COMMUNITY) - {"helpful"} and menus == {"Mark as helpful"}
    follow = full.tree.get_command("follow")
    assert follow is not None and follow.to_dict(full.tree)["options"][0]["type"] == 6  # a user option


async def test_a_member_option_reaches_the_router_as_a_mention(bot: RoundtableBot, sent: Recorder, router: Router,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(lambda msg: [Outgoing("You now follow bob's shared portfolio. Following is not advice.")])
    monkeypatch.setattr(router, "handle", spy)
    bob = discord.User(state=bot._connection, data=payloads.user(BOB, "bob"))  # type: ignore[arg-type]
    cog = community_cog(bot)
    await cog.follow.callback(cog, payloads.command(bot._connection, "follow"), member=bob)  # type: ignore[arg-type]
    market = bot.get_cog("MarketCog")
    view = market.view  # type: ignore[union-attr]
    await view.callback(market, payloads.command(bot._connection, "portfolio", subcommand="view"), member=bob)
    followed, viewed = spy.seen
    assert (followed.text, followed.mentioned, followed.chat_kind) == (f"/follow <@{BOB}>", (str(BOB),), "group")
    assert (viewed.text, viewed.mentioned, viewed.chat_kind) == (f"/portfolio view <@{BOB}>", (str(BOB),), "group")
    assert not any(ack.ephemeral for ack in sent.acknowledgements())  # sharing is a group act: public


async def test_mark_as_helpful_is_a_quiet_helpful_reply_to_that_message(bot: RoundtableBot, sent: Recorder,
                                                                        router: Router,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(lambda msg: [Outgoing("Thanks: marked as helpful.")])
    monkeypatch.setattr(router, "handle", spy)
    post = payloads.message(bot._connection, "A bond's price falls when rates rise.", author=CAROL,
                            in_guild=guild(bot._connection))
    await community_cog(bot).helpful(payloads.command(bot._connection, "Mark as helpful"), post)
    (marked,) = spy.seen
    assert (marked.text, marked.reply_to_user_id, marked.reply_to_message_id) == ("/helpful", str(CAROL),
                                                                                 str(post.id))
    assert marked.chat_kind == "group" and marked.user_id == str(payloads.ALICE)
    (reply,) = sent.messages()
    assert sent.acknowledgements()[0].ephemeral and reply.ephemeral and reply.content == "Thanks: marked as helpful."
