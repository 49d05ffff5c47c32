"""Briefings to Telegram through the local fake Bot API server: what goes out, what Telegram's refusals become, and
the whole way end to end (a group admin's /brief commands, the scheduler's run at 08:30 New York time, one post)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.briefing.store import SqlBriefingStore
from advisor.briefing.subscription import Subscription
from advisor.briefing.types import Briefing
from advisor.composer import GroundedComposer
from advisor.market.csvdir import offline_market_data
from advisor.profiles import SqlProfileStore
from bots.chat.briefs import BriefCommands
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from bots.telegram import retries
from bots.telegram.bot import TelegramFrontend
from bots.telegram.briefings import CAPTION_LIMIT, TelegramBriefingSender, visible_length
from bots.telegram.render import LIMIT
from jobs import scheduler as briefing_jobs
from jobs.delivery import BriefingSender, ChatGoneError, RetryAfterError
from knowledge.errors import UserError
from knowledge.retrieval import Retriever
from tests.bots.telegram.fake_telegram import FakeTelegram
from tests.bots.telegram.test_telegram import ALICE, group_message

GROUP = "-1001160242915"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
BRIEFING = ("**Morning briefing · US market · 2026-03-09**\n\n"
            "S&P 500 5,120.4 (+0.42%) as of 16:00 ET, source: sample <csv>\n\n"
            "Risk reminder: indices can fall as well as rise.")


@pytest.fixture
async def sender(fake: FakeTelegram) -> AsyncIterator[TelegramBriefingSender]:
    async with TelegramBriefingSender.standalone(fake.token, api_url=fake.url) as standalone:
        yield standalone


def sends(fake: FakeTelegram) -> list[str]:
    return [call.method for call in fake.calls if call.method in {"sendMessage", "sendPhoto"}]


def paragraphs(count: int) -> str:
    return "\n\n".join(f"**Line {n}** AAPL 189.10 (+1.2%) as of 16:00 ET, source: sample" for n in range(count))


async def test_it_is_a_briefing_sender(sender: TelegramBriefingSender) -> None:
    as_protocol: BriefingSender = sender
    assert as_protocol.platform == "telegram" and 0 < as_protocol.per_second <= 30


async def test_a_text_briefing_is_one_html_message(fake: FakeTelegram, sender: TelegramBriefingSender) -> None:
    await sender.deliver(GROUP, BRIEFING)
    assert sends(fake) == ["sendMessage"]
    (message,) = fake.sent()
    assert message["chat_id"] == GROUP and message["parse_mode"] == "HTML"
    assert message["text"].startswith("<b>Morning briefing · US market · 2026-03-09</b>\n\n")
    assert "S&amp;P 500" in message["text"] and "sample &lt;csv&gt;" in message["text"]  # escaped, not markup
    assert message["link_preview_options"] == {"is_disabled": True}


async def test_a_long_briefing_is_split_on_paragraphs(fake: FakeTelegram, sender: TelegramBriefingSender) -> None:
    text = paragraphs(120)
    await sender.deliver(GROUP, text)
    pieces = [message["text"] for message in fake.sent()]
    assert len(pieces) == 2 and all(len(piece) <= LIMIT for piece in pieces)
    assert "\n\n".join(pieces) == text.replace("**Line", "<b>Line").replace("** AAPL", "</b> AAPL")
    assert all(piece.startswith("<b>Line") for piece in pieces)  # no paragraph was cut in two


async def test_a_chart_carries_the_briefing_as_its_caption(fake: FakeTelegram,
                                                          sender: TelegramBriefingSender) -> None:
    await sender.deliver(GROUP, BRIEFING, PNG)
    assert sends(fake) == ["sendPhoto"]
    (photo,) = fake.sent("sendPhoto")
    assert photo["chat_id"] == GROUP and photo["parse_mode"] == "HTML"
    assert photo["caption"].startswith("<b>Morning briefing")
    assert photo["uploads"]["photo"].content == PNG


async def test_a_briefing_too_long_for_a_caption_follows_its_chart(fake: FakeTelegram,
                                                                   sender: TelegramBriefingSender) -> None:
    text = paragraphs(20)
    assert visible_length(text.replace("**", "")) > CAPTION_LIMIT
    await sender.deliver(GROUP, text, PNG)
    assert sends(fake) == ["sendPhoto", "sendMessage"]
    (photo,) = fake.sent("sendPhoto")
    assert "caption" not in photo and photo["uploads"]["photo"].content == PNG
    assert fake.sent()[0]["text"].startswith("<b>Line 0</b>")


def test_caption_length_counts_what_members_see() -> None:
    # Tags and entities are not shown; a character outside the BMP counts twice, as Telegram counts.
    assert visible_length("<b>R&amp;D</b> 📈") == len("R&D ") + 2


async def test_a_group_that_forbids_photos_still_gets_the_text(fake: FakeTelegram,
                                                               sender: TelegramBriefingSender) -> None:
    fake.fail_next("sendPhoto", 400, "Bad Request: not enough rights to send photos to the chat")
    await sender.deliver(GROUP, BRIEFING, PNG)
    assert sends(fake) == ["sendPhoto", "sendMessage"]
    assert fake.sent()[0]["text"].startswith("<b>Morning briefing")


@pytest.mark.parametrize(("code", "description"), [
    (403, "Forbidden: bot was kicked from the supergroup chat"),
    (403, "Forbidden: bot was blocked by the user"),
    (400, "Bad Request: chat not found"),
])
async def test_a_chat_the_bot_left_is_gone(fake: FakeTelegram, sender: TelegramBriefingSender, code: int,
                                           description: str) -> None:
    fake.fail_next("sendMessage", code, description)
    with pytest.raises(ChatGoneError):
        await sender.deliver(GROUP, BRIEFING)
    assert sends(fake) == ["sendMessage"]  # refused once, not retried


async def test_other_bad_requests_are_failures_not_departures(fake: FakeTelegram,
                                                              sender: TelegramBriefingSender) -> None:
    fake.fail_next("sendMessage", 400, "Bad Request: have no rights to send a message")
    with pytest.raises(Exception) as raised:
        await sender.deliver(GROUP, BRIEFING)
    assert not isinstance(raised.value, ChatGoneError | RetryAfterError)


async def test_flood_control_becomes_retry_after_with_telegrams_wait(fake: FakeTelegram,
                                                                     sender: TelegramBriefingSender) -> None:
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 17", retry_after=17)
    started = time.monotonic()
    with pytest.raises(RetryAfterError) as raised:
        await sender.deliver(GROUP, BRIEFING)
    assert raised.value.seconds == 17
    assert time.monotonic() - started < 5  # the runner waits, not the sender
    assert sends(fake) == ["sendMessage"]


async def test_a_migrated_group_gets_it_at_its_new_id_and_the_caller_hears(fake: FakeTelegram) -> None:
    fake.migrated[-4001] = -1004001
    moves: list[tuple[str, str]] = []
    async with TelegramBriefingSender.standalone(fake.token, api_url=fake.url,
                                                 on_migrated=lambda old, new: moves.append((old, new))) as sender:
        await sender.deliver("-4001", BRIEFING, PNG)
        assert moves == [("-4001", "-1004001")]
        assert [p["chat_id"] for p in fake.sent("sendPhoto")] == ["-4001", "-1004001"]  # refused, then sent
        await sender.deliver("-4001", "**Tomorrow's briefing**")
    assert [m["chat_id"] for m in fake.sent()] == ["-1004001"]  # straight to the new id
    assert moves == [("-4001", "-1004001")] and sender.migrated == {"-4001": "-1004001"}


async def test_a_retried_briefing_resumes_after_what_was_sent(fake: FakeTelegram, sender: TelegramBriefingSender,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retries, "ATTEMPTS", 1)  # no retries inside the sender: the runner retries
    text = paragraphs(20)
    fake.fail_next("sendMessage", 502, "Bad Gateway")  # an error status: Telegram posted nothing
    with pytest.raises(Exception, match="Bad Gateway"):
        await sender.deliver(GROUP, text, PNG)
    await sender.deliver(GROUP, text, PNG)  # the runner's retry
    assert sends(fake) == ["sendPhoto", "sendMessage", "sendMessage"]  # the chart went once
    await sender.deliver(GROUP, text, PNG)  # a new briefing (say, /brief now) starts from the top
    assert sends(fake)[3:] == ["sendPhoto", "sendMessage"]


async def test_a_send_that_timed_out_is_not_posted_twice(fake: FakeTelegram,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    fake.delay_next("sendMessage", 1.5)  # received by Telegram; the answer comes too late
    async with TelegramBriefingSender.standalone(fake.token, api_url=fake.url, read_timeout=0.5) as sender:
        await sender.deliver(GROUP, BRIEFING)  # at most once: counted as sent, not raised for a retry
    assert sends(fake) == ["sendMessage"]
    assert f"to telegram chat {GROUP} may not have been delivered (TimedOut)" in caplog.text


async def test_a_wrong_token_is_a_clear_error(fake: FakeTelegram) -> None:
    with pytest.raises(UserError, match="ROUNDTABLE_TELEGRAM_TOKEN"):
        async with TelegramBriefingSender.standalone("42:not-the-token", api_url=fake.url):
            pass


async def test_inside_the_running_bot_it_sends_through_the_bots_connection(fake: FakeTelegram, router: Router,
                                                                           bot: TelegramFrontend) -> None:
    sender = TelegramBriefingSender.from_frontend(bot)
    assert sender.bot is bot.app.bot
    await sender.deliver(GROUP, BRIEFING)
    (message,) = fake.sent()
    assert message["chat_id"] == GROUP and message["text"].startswith("<b>Morning briefing")


# -- who may change a group's briefing --------------------------------------------------------------------------


class NoPreview:
    """/brief show and the changes never compose a briefing; a call here would be a bug."""

    def compose(self, sub: Subscription, now: datetime) -> Briefing:
        raise AssertionError("nothing should be composed")


async def test_only_briefing_changes_look_up_the_senders_admin_status(
        fake: FakeTelegram, notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> None:
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    store = SqlBriefingStore(profiles.engine)
    router = Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles,
                    ChatSettingsStore(profiles.engine), FixedCollections({"research"}),
                    briefs=BriefCommands(store, NoPreview()))
    frontend = TelegramFrontend(router, fake.token, api_url=fake.url)
    await frontend.start()
    try:
        fake.push(group_message("/brief show", user=111))  # anyone may look: no getChatMember call
        (shown,) = await replies(fake, 1)
        assert shown.startswith("No briefing is set up") and fake.sent("getChatMember") == []

        fake.push(group_message("/brief on 07:45 Asia/Shanghai", user=111))  # a member: looked up, refused
        refused = (await replies(fake, 2))[1]
        assert refused.startswith("Only group admins can change the briefing") and store.get(CHAT_KEY) is None
        assert [int(call["user_id"]) for call in fake.sent("getChatMember")] == [111]

        fake.admins.add(222)
        fake.push(group_message("/brief@RoundtableTestBot MARKET hk", user=222))  # addressed by name, any case
        saved = (await replies(fake, 3))[2]
        subscription = store.get(CHAT_KEY)
        assert saved.startswith("Saved.") and subscription is not None and subscription.market == "HK"
        assert [int(call["user_id"]) for call in fake.sent("getChatMember")] == [111, 222]
    finally:
        await frontend.stop()


# -- end to end: /brief in a group, then the scheduled run -----------------------------------------------------

EVENING_BEFORE = datetime(2018, 4, 11, 22, 0, tzinfo=UTC)  # Wednesday, 18:00 in New York
DUE = datetime(2018, 4, 12, 12, 30, tzinfo=UTC)  # Thursday 08:30 in New York (EDT), a trading day
CHAT_KEY = f"telegram:{GROUP}"


async def replies(fake: FakeTelegram, count: int) -> list[str]:
    return [message["text"] for message in await asyncio.to_thread(fake.wait_for, "sendMessage", count)]


async def posts_settle(fake: FakeTelegram, quiet: float = 0.5) -> list[str]:
    """The briefing's sends once none came for ``quiet`` seconds."""
    count = -1
    while count != len(sends(fake)):
        count = len(sends(fake))
        await asyncio.sleep(quiet)
    return sends(fake)


async def test_a_group_admin_subscribes_and_the_scheduled_run_posts_once(
        fake: FakeTelegram, notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> None:
    from advisor.briefing.compose import BriefingComposer
    from jobs.briefings import Briefings

    fake.admins.add(ALICE)
    with time_machine.travel(EVENING_BEFORE, tick=True):
        # The app as `roundtable run` wires it: one database, the briefing service behind /brief, the scheduler
        # with its job store, the running bot's sender, and /brief changes rescheduling their chat at once.
        profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
        chat_settings = ChatSettingsStore(profiles.engine)
        store = SqlBriefingStore(profiles.engine)
        senders: dict[str, BriefingSender] = {}
        briefings = Briefings(store, offline_market_data(), BriefingComposer(notes_retriever("research")),
                              lambda key: chat_settings.get(key).language or "en", senders=senders)
        router = Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles, chat_settings,
                        FixedCollections({"research"}), briefs=BriefCommands(store, briefings,
                                                                              refresh=briefing_jobs.refresh))
        frontend = TelegramFrontend(router, fake.token, api_url=fake.url)
        scheduler = briefing_jobs.build_scheduler(f"sqlite:///{tmp_path / 'jobs.db'}")
        scheduler.start(paused=True)  # it keeps its jobs; nothing fires before the clock says so
        await frontend.start()
        try:
            senders["telegram"] = TelegramBriefingSender.from_frontend(frontend)
            briefing_jobs.start_briefings(scheduler, briefings)

            fake.push(group_message("/brief on 08:30 America/New_York", user=ALICE))
            (saved,) = await replies(fake, 1)
            fake.push(group_message("/brief watch AAPL MSFT", user=ALICE))
            watching = (await replies(fake, 2))[1]
            assert saved.startswith("Saved.") and "08:30" in saved and "America/New_York" in saved
            assert watching.startswith("Saved.") and "AAPL" in watching and "MSFT" in watching
            job = scheduler.get_job(f"briefing:{CHAT_KEY}")
            assert job is not None and job.next_run_time == DUE
            before = len(sends(fake))

            with time_machine.travel(DUE + timedelta(seconds=1), tick=True):
                scheduler.resume()  # the scheduler sees its job due, and fires it
                await asyncio.to_thread(fake.wait_for, "sendMessage", before + 1)
                posted = (await posts_settle(fake))[before:]
                assert posted == ["sendMessage"]  # exactly one briefing, in one message (no chart asked for)
                briefing = fake.sent()[-1]
                assert briefing["chat_id"] == str(GROUP) and briefing["parse_mode"] == "HTML"
                assert "AAPL" in briefing["text"] and "MSFT" in briefing["text"]
                assert store.sends(CHAT_KEY) == [(CHAT_KEY, date(2018, 4, 12), "sent", 1)]
                fired = scheduler.get_job(f"briefing:{CHAT_KEY}")
                assert fired is not None and fired.next_run_time == DUE + timedelta(days=1)  # the scheduler ran it

                # A second run at the same instant (a restart, a second instance, an operator's run-due) and
                # the job firing again in the same minute post nothing.
                (again,) = await briefings.run_due(datetime.now(UTC))
                assert again.status == "already sent"
                shared = await briefing_jobs.fire_briefing(CHAT_KEY)
                assert shared is not None and shared.status == "sent"  # the minute's one run, not a new one
                assert (await posts_settle(fake))[before:] == ["sendMessage"]
                assert store.sends(CHAT_KEY) == [(CHAT_KEY, date(2018, 4, 12), "sent", 1)]
        finally:
            scheduler.shutdown(wait=False)
            briefing_jobs.uninstall()
            await frontend.stop()
