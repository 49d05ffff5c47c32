"""Briefings to Discord channels through the local fake (REST, and the gateway for the running bot): what goes out,
and what Discord's refusals become."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from bots.chat.router import Router
from bots.discord import render
from bots.discord.bot import DiscordFrontend
from bots.discord.briefings import DiscordBriefingSender
from jobs.delivery import BriefingSender, ChatGoneError, RetryAfterError
from knowledge.errors import UserError
from tests.bots.discord.fake_discord import CHANNEL_ID, GUILD_ID, MUTED_CHANNEL_ID, SEND, FakeDiscord

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
BRIEFING = ("**Morning briefing · US market · 2026-03-09**\n\n"
            "S&P 500 5,120.4 (+0.42%) as of 16:00 ET, source: sample_data\n\n"
            "Risk reminder: indices can fall as well as rise. @everyone")
UNKNOWN_CHANNEL = 111111111111111111



@pytest.fixture
async def sender(discord_fake: FakeDiscord) -> AsyncIterator[DiscordBriefingSender]:
    async with DiscordBriefingSender.standalone(discord_fake.token, api_url=discord_fake.api_url) as standalone:
        yield standalone


def sends(fake: FakeDiscord) -> list[tuple[int, str, list[str]]]:
    """Each message the bot tried to post: (status Discord answered, content, attached file names)."""
    return [(call.status, (call.json or {}).get("content", ""), [f.filename for f in call.files])
            for call in fake.calls_to(SEND)]


async def test_it_is_a_briefing_sender(sender: DiscordBriefingSender) -> None:
    as_protocol: BriefingSender = sender
    assert as_protocol.platform == "discord" and 0 < as_protocol.per_second <= 50


async def test_a_text_briefing_is_one_message_rendered_like_a_reply(discord_fake: FakeDiscord,
                                                                   sender: DiscordBriefingSender) -> None:
    await sender.deliver(str(CHANNEL_ID), BRIEFING)
    (call,) = discord_fake.calls_to(SEND)
    assert call.params["channel_id"] == str(CHANNEL_ID) and call.status == 200
    content = call.json["content"]
    assert content == render.light_markup(BRIEFING)
    assert content.startswith("**Morning briefing · US market · 2026-03-09**\n\n")
    assert r"sample\_data" in content and "@\u200beveryone" in content  # escaped, and no ping
    assert call.json["allowed_mentions"] == {"parse": []}
    assert not call.files


async def test_a_long_briefing_is_split_under_discords_limit(discord_fake: FakeDiscord,
                                                             sender: DiscordBriefingSender) -> None:
    text = "\n\n".join(f"**Line {n}** AAPL 189.10 (+1.2%) as of 16:00 ET" for n in range(80))
    await sender.deliver(str(CHANNEL_ID), text)
    pieces = [content for _, content, _ in sends(discord_fake)]
    assert len(pieces) == 2 and all(len(piece) <= render.CONTENT_LIMIT for piece in pieces)
    assert "\n\n".join(pieces) == render.light_markup(text)


async def test_the_chart_is_attached_to_the_first_message(discord_fake: FakeDiscord,
                                                          sender: DiscordBriefingSender) -> None:
    await sender.deliver(str(CHANNEL_ID), BRIEFING, PNG)
    (call,) = discord_fake.calls_to(SEND)
    (upload,) = call.files
    assert upload.filename == "chart.png" and upload.content == PNG
    assert call.json["content"] == render.light_markup(BRIEFING)


async def test_an_unknown_channel_is_gone(discord_fake: FakeDiscord, sender: DiscordBriefingSender) -> None:
    with pytest.raises(ChatGoneError, match="10003"):
        await sender.deliver(str(UNKNOWN_CHANNEL), BRIEFING)
    assert [status for status, _, _ in sends(discord_fake)] == [404]


async def test_a_channel_the_bot_lost_access_to_is_gone(discord_fake: FakeDiscord,
                                                        sender: DiscordBriefingSender) -> None:
    discord_fake.fail_next(SEND, 403, 50001, "Missing Access")
    with pytest.raises(ChatGoneError, match="50001"):
        await sender.deliver(str(CHANNEL_ID), BRIEFING, PNG)
    assert [status for status, _, _ in sends(discord_fake)] == [403]  # not retried without the chart


async def test_a_channel_that_refuses_the_bot_is_gone_after_trying_the_text_alone(
        discord_fake: FakeDiscord, sender: DiscordBriefingSender) -> None:
    with pytest.raises(ChatGoneError, match="50013"):
        await sender.deliver(str(MUTED_CHANNEL_ID), BRIEFING, PNG)
    assert [(status, files) for status, _, files in sends(discord_fake)] == [(403, ["chart.png"]), (403, [])]


async def test_a_channel_that_refuses_only_the_chart_gets_the_text(discord_fake: FakeDiscord,
                                                                   sender: DiscordBriefingSender) -> None:
    discord_fake.fail_next(SEND, 403, 50013, "Missing Permissions")  # Attach Files denied, Send Messages not
    await sender.deliver(str(CHANNEL_ID), BRIEFING, PNG)
    assert [(status, files) for status, _, files in sends(discord_fake)] == [(403, ["chart.png"]), (200, [])]


async def test_a_short_rate_limit_is_waited_out_by_discord_py(discord_fake: FakeDiscord,
                                                              sender: DiscordBriefingSender) -> None:
    discord_fake.rate_limit_next(SEND, 0.3)
    await sender.deliver(str(CHANNEL_ID), BRIEFING)
    assert [status for status, _, _ in sends(discord_fake)] == [429, 200]


async def test_a_long_rate_limit_goes_back_to_the_runner(discord_fake: FakeDiscord,
                                                         sender: DiscordBriefingSender) -> None:
    discord_fake.rate_limit_next(SEND, 45.5)
    started = time.monotonic()
    with pytest.raises(RetryAfterError) as raised:
        await sender.deliver(str(CHANNEL_ID), BRIEFING)
    assert raised.value.seconds == 45.5 and time.monotonic() - started < 5
    assert [status for status, _, _ in sends(discord_fake)] == [429]


async def test_a_429_discord_py_will_not_retry_is_a_retry_after(discord_fake: FakeDiscord,
                                                                sender: DiscordBriefingSender) -> None:
    # No Via header: discord.py takes it for a Cloudflare block and raises at once. With no wait given,
    # the runner is told to wait a minute.
    discord_fake.fail_next(SEND, 429, 0, "You are being blocked from accessing our API temporarily.")
    with pytest.raises(RetryAfterError) as raised:
        await sender.deliver(str(CHANNEL_ID), BRIEFING)
    assert raised.value.seconds == 60


async def test_a_wrong_token_is_a_clear_error(discord_fake: FakeDiscord) -> None:
    with pytest.raises(UserError, match="ROUNDTABLE_DISCORD_TOKEN"):
        async with DiscordBriefingSender.standalone("not-the-token", api_url=discord_fake.api_url):
            pass


async def test_standalone_uses_rest_only(discord_fake: FakeDiscord, sender: DiscordBriefingSender) -> None:
    await sender.deliver(str(CHANNEL_ID), BRIEFING)
    routes = [call.route for call in discord_fake.calls]
    assert routes[-1] == SEND and not [route for route in routes if route.startswith("GATEWAY")]
    assert not discord_fake.unexpected


async def test_inside_the_running_bot_the_cached_channel_decides(discord_fake: FakeDiscord, router: Router) -> None:
    frontend = DiscordFrontend(router, discord_fake.token, guild_id=GUILD_ID, api_url=discord_fake.api_url)
    await frontend.start()
    try:
        await frontend.ready.wait()
        sender = DiscordBriefingSender.from_frontend(frontend)
        assert sender.client is frontend.bot
        await sender.deliver(str(CHANNEL_ID), BRIEFING, PNG)
        (call,) = discord_fake.calls_to(SEND)
        assert call.json["content"] == render.light_markup(BRIEFING) and call.files[0].content == PNG
        # The gateway told the bot it may not post in this channel: nothing is sent, and the chat is gone.
        with pytest.raises(ChatGoneError, match="Send Messages"):
            await sender.deliver(str(MUTED_CHANNEL_ID), BRIEFING)
        assert len(discord_fake.calls_to(SEND)) == 1
    finally:
        await frontend.stop()
