"""End to end: the real python-telegram-bot Application against a local fake Bot API server."""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from bots.chat.router import Router
from bots.chat.settings import ChatSettings
from bots.telegram.bot import TelegramFrontend
from bots.telegram.render import answer_html, light_markup_to_html, split_message
from bots.telegram.translate import BotIdentity
from knowledge.errors import UserError
from knowledge.retrieval import Retriever
from tests.bots.telegram.fake_telegram import BOT, FakeTelegram
from tests.conftest import FIXTURES, SHARED

SAMPLES = json.loads((FIXTURES / "telegram_updates.json").read_text())["payloads"]
GROUP = -1001160242915
ALICE = 408258968


def entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram marks in ``text``: a leading command, and @usernames (offsets in UTF-16 units)."""
    found = []
    for match in re.finditer(r"^/\w{1,32}(?:@\w{5,32})?|(?<![\w@])@\w{5,32}(?!\w)", text, re.ASCII):
        offset = len(text[:match.start()].encode("utf-16-le")) // 2
        found.append({"type": "bot_command" if match.group().startswith("/") else "mention", "offset": offset,
                      "length": len(match.group().encode("utf-16-le")) // 2})
    return found


def private_message(text: str, user: int = ALICE) -> dict[str, Any]:
    update = copy.deepcopy(SAMPLES["de_private_chat_text_message"])  # a real private text update
    update["message"].update(text=text, date=int(time.time()), entities=entities(text))
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = user
    return update


def group_message(text: str, user: int = ALICE, reply_to_bot: bool = False) -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": 77, "date": int(time.time()), "text": text, "entities": entities(text),
                               "chat": {"id": GROUP, "title": "Investors", "type": "supergroup"},
                               "from": {"id": user, "is_bot": False, "first_name": "Alice", "language_code": "en"}}
    if reply_to_bot:
        message["reply_to_message"] = {"message_id": 70, "date": int(time.time()), "from": BOT, "text": "earlier",
                                       "chat": message["chat"]}
    return {"message": message}


async def wait_for(fake: FakeTelegram, method: str = "sendMessage", count: int = 1) -> list[dict[str, Any]]:
    return await asyncio.to_thread(fake.wait_for, method, count)


async def eventually(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def test_startup_registers_commands_in_two_languages(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    assert [c.method for c in fake.calls][:1] == ["getMe"]
    registered = fake.sent("setMyCommands")
    assert len(registered) == 2 and registered[1]["language_code"] == "zh"
    assert {c["command"] for c in registered[0]["commands"]} >= {"start", "help", "ask", "profile", "forget"}
    assert bot.me == BotIdentity(BOT["id"], "RoundtableTestBot")  # the front-end's own, from getMe


async def test_private_question_gets_an_html_answer(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.push(private_message("Why do leveraged ETFs lose value over time?"))
    (sent,) = await wait_for(fake)
    assert sent["chat_id"] == str(ALICE) and sent["parse_mode"] == "HTML"
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert "<b>Sources</b>" in sent["text"] and "<b>Risk R5:" in sent["text"]
    assert "<i>Automated educational assistant" in sent["text"]


async def test_group_transcript(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.push(group_message("what is diversification?"))                      # chatter: ignored
    fake.push(group_message("/ask@OtherBot what is diversification?"))        # another bot's command
    fake.push(group_message("/ask@RoundtableTestBot what is diversification?"))
    fake.push(group_message("and bonds?", reply_to_bot=True))
    await wait_for(fake, count=4)
    await asyncio.sleep(0.3)
    sent = in_chat(fake, GROUP)  # updates run concurrently, so the two answers may arrive in either order
    assert len(sent) == 2 and all(s["reply_parameters"]["message_id"] == 77 for s in sent)
    texts = sorted(s["text"].lower() for s in sent)
    assert any("diversification.md" in t for t in texts) and any("bond" in t for t in texts)
    notes = in_chat(fake, ALICE)  # each answer's suitability note goes to the asker privately
    assert len(notes) == 2 and all("haven't taken the risk questionnaire" in n["text"] for n in notes)


def in_chat(fake: FakeTelegram, chat_id: int) -> list[dict[str, Any]]:
    return [s for s in fake.sent() if int(s["chat_id"]) == chat_id]


async def test_a_member_the_bot_cannot_message_gets_one_neutral_line(fake: FakeTelegram,
                                                                    bot: TelegramFrontend) -> None:
    fake.never_started.add(ALICE)
    fake.push(group_message("/ask what is diversification?"))
    await wait_for(fake, count=3)  # the answer, the refused private note, the neutral line
    await asyncio.sleep(0.3)
    answer, line = in_chat(fake, GROUP)
    assert "<b>Sources</b>" in answer["text"]
    assert line["text"] == "I have sent you a private note (open a chat with me if you did not get it)."


async def test_mentions_are_read_from_entities_not_substrings(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.push(group_message("@roundtabletestbot_fan what is diversification?"))  # another account
    code = group_message("the bot is @RoundtableTestBot, what is diversification?")
    code["message"]["entities"] = [{"type": "code", "offset": 11, "length": 18}]  # named in code: not a mention
    fake.push(code)
    fake.push(group_message("/frobnicate@RoundtableTestBot"))                   # addressed: unknown command said so
    fake.push(group_message("/help@OtherBot"))                                  # another bot's command
    fake.push(group_message("@ROUNDTABLETESTBOT what is a bond?"))              # a mention, in any case
    await wait_for(fake, count=3)  # two replies in the group, one suitability note in private
    await asyncio.sleep(0.3)
    sent = in_chat(fake, GROUP)
    assert len(sent) == 2 and len(fake.sent()) == 3
    unknown = [s["text"] for s in sent if s["text"].startswith("I don't know")]
    assert unknown == ["I don't know /frobnicate. Try /help."]
    assert any("bond" in s["text"].lower() and "<b>Sources</b>" in s["text"] for s in sent)


async def test_user_text_is_escaped(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.push(private_message("/x<b>y</b>"))
    (sent,) = await wait_for(fake)
    assert sent["text"] == "I don't know /xbyb. Try /help."  # user markup is neither echoed nor rendered


async def test_profile_moves_to_a_private_chat_and_runs_on_buttons(fake: FakeTelegram, bot: TelegramFrontend,
                                                                   router: Router) -> None:
    fake.push(group_message("/profile"))
    (invite,) = await wait_for(fake)
    button = invite["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == "https://t.me/RoundtableTestBot?start=profile"
    fake.push(private_message("/start profile"))
    first = (await wait_for(fake, count=2))[1]
    assert first["text"].startswith("<b>1/8</b>")
    choice = first["reply_markup"]["inline_keyboard"][-1][0]["callback_data"]
    fake.push({"callback_query": {"id": "cb1", "from": {"id": ALICE, "is_bot": False, "first_name": "Alice"},
                                  "chat_instance": "ci", "data": choice,
                                  "message": {"message_id": 1001, "date": int(time.time()), "text": first["text"],
                                              "chat": {"id": ALICE, "type": "private", "first_name": "Alice"}}}})
    (edited,) = await wait_for(fake, "editMessageText")
    assert (await wait_for(fake, "answerCallbackQuery"))[0]["callback_query_id"] == "cb1"
    assert edited["text"].startswith("<b>2/8</b>") and edited["message_id"] == "1001"


async def test_settings_need_an_admin(fake: FakeTelegram, bot: TelegramFrontend, router: Router) -> None:
    fake.push(group_message("/settings quota 5", user=111))
    (refused,) = await wait_for(fake)
    assert "Only group admins" in refused["text"]
    fake.admins.add(222)
    fake.push(group_message("/settings quota 5", user=222))
    saved = (await wait_for(fake, count=2))[1]
    assert "Saved" in saved["text"] and router.chat_settings.get(f"telegram:{GROUP}").quota_per_hour == 5
    assert len(fake.sent("getChatMember")) == 2


async def test_settings_addressed_to_the_bot_by_name_still_check_admins(fake: FakeTelegram, bot: TelegramFrontend,
                                                                        router: Router) -> None:
    fake.admins.add(333)
    fake.push(group_message("/settings@RoundtableTestBot quota 4", user=333))
    (saved,) = await wait_for(fake)
    assert "Saved" in saved["text"] and router.chat_settings.get(f"telegram:{GROUP}").quota_per_hour == 4


async def test_anonymous_admin_is_trusted_without_a_lookup(fake: FakeTelegram, bot: TelegramFrontend,
                                                           router: Router) -> None:
    message = copy.deepcopy(SAMPLES["anonymous_admin"])  # real payload: GroupAnonymousBot posting as the group
    message.pop("forward_date", None)
    message.pop("forward_from_chat", None)
    message.pop("forward_origin", None)
    message.update(text="/settings mentions off", date=int(time.time()),
                   entities=[{"type": "bot_command", "offset": 0, "length": 9}])
    fake.push({"message": message})
    (saved,) = await wait_for(fake)
    assert "Saved" in saved["text"] and fake.sent("getChatMember") == []
    assert router.chat_settings.get(f"telegram:{message['chat']['id']}").answer_mentions is False


async def test_lifecycle_added_removed_and_migrated(fake: FakeTelegram, bot: TelegramFrontend,
                                                    router: Router) -> None:
    member = {"user": BOT, "status": "member"}
    left = {"user": BOT, "status": "left"}
    chat = {"id": -599075523, "title": "test", "type": "group"}
    who = {"id": ALICE, "is_bot": False, "first_name": "Alice"}
    fake.push({"my_chat_member": {"chat": chat, "from": who, "date": int(time.time()),
                                  "old_chat_member": left, "new_chat_member": member}})
    (hello,) = await wait_for(fake)
    assert "I'm <b>Roundtable</b>" in hello["text"]
    router.chat_settings.save(ChatSettings("telegram:-599075523", quota_per_hour=9))
    migrate = copy.deepcopy(SAMPLES["migrate"])  # real payload: group -> supergroup
    fake.push({"message": migrate})
    assert await eventually(lambda: router.chat_settings.get("telegram:-1001555296434").quota_per_hour == 9)
    fake.push({"my_chat_member": {"chat": {"id": -1001555296434, "title": "t", "type": "supergroup"}, "from": who,
                                  "date": int(time.time()), "old_chat_member": member, "new_chat_member": left}})
    assert await eventually(lambda: router.chat_settings.get("telegram:-1001555296434").quota_per_hour == 20)


async def test_sticker_in_private_gets_a_hint(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    sticker = copy.deepcopy(SAMPLES["sticker"])  # a real sticker message
    sticker["date"] = int(time.time())
    fake.push({"message": sticker})
    (hint,) = await wait_for(fake)
    assert "only read text" in hint["text"]


async def test_rate_limit_is_retried(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    fake.push(private_message("/help"))
    started = time.monotonic()
    sends = await wait_for(fake, count=2)
    assert time.monotonic() - started >= 1.0  # retry_after honoured
    assert sends[0]["text"] == sends[1]["text"]


async def test_server_errors_are_retried_with_backoff(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    # An error status is Telegram saying the send failed and posted nothing, so sending again is safe.
    fake.fail_next("sendMessage", 502, "Bad Gateway")
    fake.fail_next("sendMessage", 500, "Internal Server Error")
    fake.push(private_message("/help"))
    sends = await wait_for(fake, count=3)
    assert sends[0]["text"] == sends[2]["text"] and "/profile" in sends[2]["text"]


async def test_persistent_failure_becomes_an_apology_with_a_reference(fake: FakeTelegram, bot: TelegramFrontend,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    for _ in range(4):  # every attempt fails: the update is given up, logged, and apologised for
        fake.fail_next("sendMessage", 500, "Internal Server Error")
    fake.push(private_message("/help"))
    sends = await wait_for(fake, count=5)
    assert "something went wrong on my side (reference" in sends[4]["text"]
    assert "unexpected error in telegram update" in caplog.text


async def test_bad_token_is_a_clear_error(fake: FakeTelegram, router: Router) -> None:
    frontend = TelegramFrontend(router, "999:not-the-right-token-at-all-for-this-server", api_url=fake.url)
    with pytest.raises(UserError, match="rejected ROUNDTABLE_TELEGRAM_TOKEN"):
        await frontend.start()


def test_long_answers_split_on_paragraphs_under_the_limit() -> None:
    text = "\n\n".join(f"<b>Paragraph {i}</b> " + "word " * 300 for i in range(10))
    pieces = split_message(text)
    assert len(pieces) > 1 and all(len(p) <= 4096 for p in pieces)
    assert "".join(p.replace("\n\n", "") for p in pieces) == text.replace("\n\n", "")
    assert all(p.count("<b>") == p.count("</b>") for p in pieces)
    giant = split_message("x&amp;" * 2000)
    assert all(len(p) <= 4096 and not p.endswith("&amp") for p in giant)


def test_html_rendering_escapes_corpus_and_user_strings(notes_retriever: Callable[[str], Retriever]) -> None:
    assert light_markup_to_html("**Hi** <script>") == "<b>Hi</b> &lt;script&gt;"
    advisor = Advisor(notes_retriever, GroundedComposer(), SqlProfileStore.open(
        "sqlite://", Fernet.generate_key()))
    from advisor.types import Question

    rendered = answer_html(advisor.answer(Question("what is a P/E ratio & why does it matter?")))
    assert rendered.count("<b>") == rendered.count("</b>") and "<i>" in rendered


async def test_channel_posts_edits_and_new_members_are_handled_quietly(fake: FakeTelegram,
                                                                       bot: TelegramFrontend) -> None:
    now = int(time.time())
    channel = {"id": -1002236736395, "title": "Test", "type": "channel"}
    fake.push({"channel_post": {"message_id": 5, "date": now, "chat": channel, "sender_chat": channel,
                                "text": "/ask what is an ETF?"}})
    edited = group_message("/ask what is an ETF?")["message"]
    fake.push({"edited_message": {**edited, "edit_date": now}})
    fake.push({"message": {"message_id": 9, "date": now, "chat": edited["chat"], "from": edited["from"],
                           "new_chat_members": [{"id": 555, "is_bot": False, "first_name": "Newcomer"}]}})
    fake.push(private_message("/help"))  # a marker: once this is answered, the others have been processed
    (only,) = await wait_for(fake)
    await asyncio.sleep(0.3)
    assert len(fake.sent()) == 1 and "/profile" in only["text"]


async def test_overlong_message_gets_a_polite_limit(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.push(private_message("why " * 1200))
    (sent,) = await wait_for(fake)
    assert "the limit is 1000" in sent["text"]


SPEC = SHARED / "telegram" / "bot_api_spec" / "api.json"


@pytest.mark.skipif(not SPEC.exists(), reason="../shared Bot API spec is not available")
async def test_every_call_matches_the_bot_api_spec(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.push(group_message("/profile"))
    fake.push(private_message("/start profile"))
    fake.push(private_message("what is an index fund?"))
    fake.admins.add(222)
    fake.push(group_message("/settings quota 9", user=222))
    await wait_for(fake, count=4)
    methods = json.loads(SPEC.read_text())["methods"]
    for call in fake.calls:
        spec = methods[call.method]
        fields = spec.get("fields", [])  # methods with no parameters (getMe) have none
        names = {field["name"] for field in fields}
        required = {field["name"] for field in fields if field.get("required")}
        assert set(call.params) <= names, (call.method, set(call.params) - names)
        assert required <= set(call.params), (call.method, required - set(call.params))


async def test_images_go_out_as_photos(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    from telegram import Message

    from bots.chat.messages import Outgoing

    origin = Message.de_json(private_message("chart please")["message"], bot.app.bot)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    await bot.send(origin, Outgoing("Your portfolio chart", image=png))
    (photo,) = fake.sent("sendPhoto")
    assert photo["multipart"] is True and photo["bytes"] > len(png)
    assert fake.sent()[-1]["text"] == "Your portfolio chart"


async def test_webhook_mode_receives_updates_over_http(fake: FakeTelegram, router: Router) -> None:
    import socket
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    frontend = TelegramFrontend(router, fake.token, api_url=fake.url)
    await frontend.start(webhook_url="https://bot.example.org/roundtable-hook", listen="127.0.0.1", port=port)
    try:
        (hook,) = fake.sent("setWebhook")
        assert hook["url"] == "https://bot.example.org/roundtable-hook"
        assert hook["secret_token"] == frontend.webhook_secret and len(hook["secret_token"]) >= 32
        body = json.dumps({"update_id": 1, **private_message("/privacy")}).encode()

        def post(secret: str | None) -> int:
            headers = {"Content-Type": "application/json"}
            if secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            request = urllib.request.Request(f"http://127.0.0.1:{port}/roundtable-hook", data=body, headers=headers)
            try:
                return int(urllib.request.urlopen(request, timeout=10).status)
            except urllib.error.HTTPError as exc:
                return exc.code

        assert await asyncio.to_thread(post, None) == 403  # forged deliveries are refused
        assert await asyncio.to_thread(post, "guess") == 403
        assert await asyncio.to_thread(post, frontend.webhook_secret) == 200
        (sent,) = await wait_for(fake)
        assert "/forget deletes your data" in sent["text"]
    finally:
        await frontend.stop()
