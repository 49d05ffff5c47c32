"""Discord messages and interactions as the router sees them (real discord.py objects from captured payloads)."""

from __future__ import annotations

import discord

from bots.discord import translate
from bots.discord.bot import RoundtableBot
from tests.bots.discord.payloads import (
    ALICE,
    BOB,
    BOT_ID,
    GUILD_CHANNEL,
    MEMBER_PERMISSIONS,
    command,
    guild,
    message,
)


def me(bot: RoundtableBot) -> discord.ClientUser:
    assert bot.user is not None
    return bot.user


async def test_a_mention_is_a_question_without_the_mention(bot: RoundtableBot) -> None:
    state = bot._connection
    server = guild(state)
    msg = translate.from_message(message(state, f"<@{BOT_ID}> what is an ETF?", mentions=(BOT_ID,),
                                         in_guild=server), me(bot))
    assert msg is not None
    assert (msg.platform, msg.chat_id, msg.chat_kind, msg.user_id) == ("discord", str(GUILD_CHANNEL), "group",
                                                                       str(BOB))
    assert msg.text == "what is an ETF?" and msg.mentions_bot and not msg.reply_to_bot


async def test_the_nickname_form_and_leftover_punctuation_are_tidied(bot: RoundtableBot) -> None:
    state = bot._connection
    msg = translate.from_message(message(state, f"<@!{BOT_ID}>, what is beta  ?", mentions=(BOT_ID,),
                                         in_guild=guild(state)), me(bot))
    assert msg is not None and msg.text == "what is beta?"


async def test_a_name_that_only_looks_like_the_bot_is_not_a_mention(bot: RoundtableBot) -> None:
    state = bot._connection
    msg = translate.from_message(message(state, "@Roundtable_fan what is beta?", in_guild=guild(state)), me(bot))
    assert msg is not None and not msg.mentions_bot and msg.text == "@Roundtable_fan what is beta?"


async def test_a_reply_to_the_bot_is_addressed_to_it(bot: RoundtableBot) -> None:
    state = bot._connection
    server = guild(state)
    to_bot = translate.from_message(message(state, "and bonds?", replying_to=BOT_ID, in_guild=server), me(bot))
    to_alice = translate.from_message(message(state, "and bonds?", replying_to=ALICE, in_guild=server), me(bot))
    assert to_bot is not None and to_bot.reply_to_bot
    assert to_alice is not None and not to_alice.reply_to_bot


async def test_bots_webhooks_and_the_bot_itself_are_never_answered(bot: RoundtableBot) -> None:
    state = bot._connection
    server = guild(state)
    for msg in (message(state, f"<@{BOT_ID}> hi", mentions=(BOT_ID,), bot_author=True, in_guild=server),
                message(state, f"<@{BOT_ID}> hi", mentions=(BOT_ID,), webhook=True, in_guild=server),
                message(state, "hi", author=BOT_ID, in_guild=server)):
        assert translate.from_message(msg, me(bot)) is None


async def test_a_direct_message_is_private(bot: RoundtableBot) -> None:
    msg = translate.from_message(message(bot._connection, "what is an index fund?"), me(bot))
    assert msg is not None and msg.chat_kind == "private" and msg.text == "what is an index fund?"


async def test_a_slash_command_carries_admin_rights_and_language(bot: RoundtableBot) -> None:
    state = bot._connection
    admin = translate.from_interaction(command(state, "settings", locale="zh-CN"), "/settings quota 5")
    member = translate.from_interaction(command(state, "settings", member=BOB, permissions=MEMBER_PERMISSIONS),
                                        "/settings quota 5")
    assert (admin.is_admin, admin.language, admin.chat_kind, admin.mentions_bot) == (True, "zh", "group", True)
    assert (member.is_admin, member.user_id) == (False, str(BOB))


async def test_private_commands_and_dms_reach_the_router_as_private(bot: RoundtableBot) -> None:
    state = bot._connection
    ephemeral = translate.from_interaction(command(state, "portfolio"), "/portfolio list", private=True)
    in_dm = translate.from_interaction(command(state, "ask", in_guild=False), "/ask what is beta?")
    assert ephemeral.chat_kind == "private" and in_dm.chat_kind == "private" and in_dm.is_admin is None


async def test_an_attachment_alone_has_nothing_to_read(bot: RoundtableBot) -> None:
    assert translate.from_message(message(bot._connection, "   "), me(bot)) is None


async def test_a_message_from_a_guild_not_yet_cached_is_not_a_dm(bot: RoundtableBot) -> None:
    state = bot._connection
    channel = discord.PartialMessageable(state=state, id=GUILD_CHANNEL, guild_id=999,
                                         type=discord.ChannelType.text)
    msg = message(state, "what is beta?")
    msg.channel = channel
    msg.guild = None
    seen = translate.from_message(msg, me(bot))
    assert seen is not None and seen.chat_kind == "group"
