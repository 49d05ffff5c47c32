"""Mentions and replies in channels, DMs, and the guild lifecycle: real discord.Message and Guild objects
from captured payloads; what the bot sends is recorded."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import discord
import pytest

from bots.discord.bot import RoundtableBot
from bots.discord.render import RISK_COLOURS
from tests.bots.discord.payloads import BOB, BOT_ID, GUILD_CHANNEL, guild, message
from tests.bots.discord.recorder import Recorder

CHANNEL_MESSAGES = "/channels/{channel_id}/messages"
DM_CHANNEL = 777000000000000001  # what the recorder answers for "open a DM"


def channel_posts(sent: Recorder, channel: int = GUILD_CHANNEL) -> list[dict[str, object]]:
    return [s.body for s in sent.messages() if s.url.endswith(f"/channels/{channel}/messages")]


async def test_a_mention_is_answered_in_the_channel_as_a_reply(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection)
    await bot.on_message(message(bot._connection, f"<@{BOT_ID}> what is diversification?", mentions=(BOT_ID,),
                                 in_guild=server))
    (answer,) = channel_posts(sent)
    embed = answer["embeds"][0]  # type: ignore[index]
    assert embed["color"] in {colour.value for colour in RISK_COLOURS.values()}
    assert "diversif" in embed["description"].lower()
    assert answer["message_reference"]["message_id"] == 732582724170285086  # type: ignore[index]
    assert answer["allowed_mentions"] == {"parse": [], "replied_user": False}
    # The asker's own suitability note went to them directly, not to the channel.
    (note,) = channel_posts(sent, DM_CHANNEL)
    assert "risk questionnaire" in str(note["content"])


async def test_chatter_is_only_observed(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection)
    await bot.on_message(message(bot._connection, "", in_guild=server))  # no mention: Discord sends no text
    await bot.on_message(message(bot._connection, "the bot is great", in_guild=server))
    assert sent.sent == []


async def test_a_member_with_closed_dms_gets_a_line_in_the_channel(bot: RoundtableBot, sent: Recorder) -> None:
    closed = discord.Forbidden(SimpleNamespace(status=403, reason="Forbidden"),  # type: ignore[arg-type]
                               {"code": 50007, "message": "Cannot send messages to this user"})
    sent.refuse[f"{discord.http.Route.BASE}/channels/{DM_CHANNEL}/messages"] = closed
    server = guild(bot._connection)
    await bot.on_message(message(bot._connection, f"<@{BOT_ID}> what is diversification?", mentions=(BOT_ID,),
                                 in_guild=server))
    answer, fallback = channel_posts(sent)
    assert answer["embeds"] and "direct messages are closed" in str(fallback["content"])


async def test_without_embed_links_in_a_channel_the_answer_is_plain_text(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection, deny_in_channel=discord.Permissions(embed_links=True).value)
    for _ in range(2):
        await bot.on_message(message(bot._connection, f"<@{BOT_ID}> what is diversification?",
                                     mentions=(BOT_ID,), in_guild=server))
    posts = channel_posts(sent)
    assert posts and not any(post.get("embeds") for post in posts)
    text = "\n".join(str(post["content"]) for post in posts)
    assert "**Risk R2**" in text and "Not investment advice" in text
    assert text.count("Note for server admins: I don't have the Embed Links permission") == 1


async def test_without_send_messages_nothing_is_attempted(bot: RoundtableBot, sent: Recorder,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    server = guild(bot._connection, deny_in_channel=discord.Permissions(send_messages=True).value)
    await bot.on_message(message(bot._connection, f"<@{BOT_ID}> what is beta?", mentions=(BOT_ID,),
                                 in_guild=server))
    assert channel_posts(sent) == [] and "no Send Messages permission" in caplog.text


async def test_a_mentioned_profile_points_to_the_private_command(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection)
    await bot.on_message(message(bot._connection, f"<@{BOT_ID}> /profile", mentions=(BOT_ID,), in_guild=server))
    (reply,) = channel_posts(sent)
    assert "Use /profile here: its replies are visible only to you." in str(reply["content"])
    assert not reply.get("components")  # Telegram's "open a private chat" button has no Discord meaning


async def test_a_dm_is_answered_without_a_mention(bot: RoundtableBot, sent: Recorder) -> None:
    dm = message(bot._connection, "what is diversification?")
    await bot.on_message(dm)
    (answer,) = [s.body for s in sent.messages()]
    assert answer["embeds"] and answer["allowed_mentions"] == {"parse": [], "replied_user": False}


async def test_joining_a_guild_introduces_the_bot_in_the_system_channel(bot: RoundtableBot, sent: Recorder) -> None:
    await bot.on_guild_join(guild(bot._connection))
    (intro,) = channel_posts(sent)
    assert "Roundtable" in str(intro["content"]) and "/ask" in str(intro["content"])
    assert intro["allowed_mentions"] == {"parse": []}


async def test_leaving_a_guild_forgets_its_channels_settings(bot: RoundtableBot, sent: Recorder) -> None:
    server = guild(bot._connection)
    store = bot.router.chat_settings
    key = f"discord:{GUILD_CHANNEL}"
    store.save(replace(store.get(key), quota_per_hour=3))
    other = "discord:1"  # a channel of another guild keeps its settings
    store.save(replace(store.get(other), quota_per_hour=4))
    await bot.on_guild_remove(server)
    assert store.get(key).quota_per_hour == 20 and store.get(other).quota_per_hour == 4


async def test_a_crash_while_answering_a_message_apologises_with_a_reference(
        bot: RoundtableBot, sent: Recorder, caplog: pytest.LogCaptureFixture) -> None:
    server = guild(bot._connection)
    msg = message(bot._connection, f"<@{BOT_ID}> what is beta?", mentions=(BOT_ID,), in_guild=server, author=BOB)
    try:
        raise RuntimeError("index missing")
    except RuntimeError:
        await bot.on_error("on_message", msg)
    (apology,) = channel_posts(sent)
    reference = str(apology["content"]).split("reference ")[1][:8]
    assert reference in caplog.text
