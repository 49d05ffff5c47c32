"""End to end: /quote, /chart and /portfolio through the real PTB Application and the fake Bot API server,
on the bundled offline market sample (prices to 2018-04-11) and an in-memory portfolio store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.market.csvdir import offline_market_data
from advisor.market.desk import QuoteDesk
from advisor.portfolio.holdings import MemoryHoldingsStore
from advisor.portfolio.service import Portfolios
from advisor.profiles import SqlProfileStore
from bots.chat.markets import MarketCommands, money
from bots.chat.messages import Outgoing
from bots.chat.router import COMMANDS, Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from bots.telegram.bot import COMMANDS_ZH, TelegramFrontend
from knowledge.retrieval import Retriever
from tests.bots.telegram.fake_telegram import UPLOAD_MARKERS, FakeTelegram
from tests.bots.telegram.test_telegram import ALICE, GROUP, SPEC, group_message, private_message, wait_for

PNG = b"\x89PNG\r\n\x1a\n"
ME = f"telegram:{ALICE}"


@pytest.fixture
def portfolios(tmp_path: Path) -> Portfolios:
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    desk = QuoteDesk(offline_market_data())
    return Portfolios(MemoryHoldingsStore(), desk, profiles)


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], portfolios: Portfolios) -> Router:
    profiles = portfolios.profiles
    assert isinstance(profiles, SqlProfileStore)
    return Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles,
                  ChatSettingsStore(profiles.engine), FixedCollections({"research"}),
                  markets=MarketCommands(portfolios.desk, portfolios))


def with_document(update: dict[str, Any], file_id: str, name: str, size: int | None, mime: str = "text/csv",
                  caption: str | None = None) -> dict[str, Any]:
    """``update``'s message turned into a file sent to the chat (a caption instead of text)."""
    message = update["message"]
    message.pop("text", None)
    message.pop("entities", None)
    message["document"] = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": name,
                           "mime_type": mime}
    if size is not None:
        message["document"]["file_size"] = size
    if caption is not None:
        message["caption"] = caption
    return update


def private_file(fake: FakeTelegram, file_id: str, content: bytes, name: str = "holdings.csv",
                 mime: str = "text/csv", caption: str | None = None) -> dict[str, Any]:
    fake.files[file_id] = content
    return with_document(private_message(""), file_id, name, len(content), mime, caption)


def methods(fake: FakeTelegram) -> list[str]:
    return [c.method for c in fake.calls]


async def test_commands_are_described_in_chinese_too() -> None:
    assert list(COMMANDS_ZH) == list(COMMANDS)  # Chinese-language apps show the same menu, in the same order


async def test_quote_in_a_group_shows_price_as_of_and_source(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    quote = offline_market_data().quotes(["AAPL"])["AAPL"]
    fake.push(group_message("/quote AAPL"))
    (sent,) = await wait_for(fake)
    assert int(sent["chat_id"]) == GROUP and sent["reply_parameters"]["message_id"] == 77
    assert f"<b>{quote.name} (AAPL)</b> {money(quote.price, quote.currency)}" in sent["text"]
    assert "as of 2018-04-11" in sent["text"] and "source: offline sample" in sent["text"]


async def test_chart_is_a_photo_then_its_caption_text(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.push(group_message("/chart AAPL 1y"))
    (text,) = await wait_for(fake)
    (photo,) = fake.sent("sendPhoto")
    assert photo["multipart"] is True and photo["uploads"]["photo"].content.startswith(PNG)
    assert int(photo["chat_id"]) == GROUP and photo["reply_parameters"]["message_id"] == 77  # the photo answers
    assert methods(fake).index("sendPhoto") < methods(fake).index("sendMessage")
    assert "(AAPL)</b>, 1y" in text["text"] and "offline sample" in text["text"] and "reply_parameters" not in text


async def test_portfolio_in_a_group_only_offers_the_private_chat(fake: FakeTelegram, bot: TelegramFrontend,
                                                                portfolios: Portfolios) -> None:
    fake.push(group_message("/portfolio add AAPL 10 150"))
    (sent,) = await wait_for(fake)
    (button,) = sent["reply_markup"]["inline_keyboard"][0]
    assert button["url"] == "https://t.me/RoundtableTestBot?start=portfolio"
    assert "AAPL" not in sent["text"] and portfolios.holdings(ME) == []


async def test_csv_file_in_private_is_imported_and_bad_lines_named(fake: FakeTelegram, bot: TelegramFrontend,
                                                                  portfolios: Portfolios) -> None:
    csv = b"symbol,quantity,cost,date\r\nAAPL,10,150,2017-05-01\r\nJPM,-3,90,2017-01-01\r\nAMZN,2,900.5,\r\n"
    fake.push(private_file(fake, "f-1", csv))
    (report,) = await wait_for(fake)
    assert "Imported 2 holdings" in report["text"] and "1 row skipped" in report["text"]
    assert "line 3: The quantity of JPM must be more than zero" in report["text"]
    assert fake.sent("getFile") == [{"file_id": "f-1"}] and len(fake.sent("downloadFile")) == 1
    assert {(h.symbol, h.quantity) for h in portfolios.holdings(ME)} == {("AAPL", 10), ("AMZN", 2)}


async def test_a_captioned_file_is_imported_whatever_its_name(fake: FakeTelegram, bot: TelegramFrontend,
                                                             portfolios: Portfolios) -> None:
    fake.push(private_file(fake, "f-2", b"symbol,quantity,cost,date\nGE,4,20,\n", name="mine.txt",
                           mime="text/plain", caption="/portfolio import"))
    (report,) = await wait_for(fake)
    assert "Imported 1 holding " in report["text"] and [h.symbol for h in portfolios.holdings(ME)] == ["GE"]


async def test_export_sends_a_document_that_imports_again(fake: FakeTelegram, bot: TelegramFrontend,
                                                          portfolios: Portfolios) -> None:
    portfolios.add(ME, ["AAPL", "10", "150", "2017-05-01"])
    portfolios.add(ME, ["WMT", "3.5"])
    before = portfolios.holdings(ME)
    fake.push(private_message("/portfolio export"))
    (text,) = await wait_for(fake)
    (document,) = fake.sent("sendDocument")
    assert methods(fake).index("sendDocument") < methods(fake).index("sendMessage")
    upload = document["uploads"]["document"]
    assert upload.filename == "portfolio.csv" and "/portfolio import reads it back" in text["text"]
    portfolios.clear(ME)
    fake.push(private_file(fake, "f-3", upload.content, name=upload.filename))
    (_, report) = await wait_for(fake, count=2)
    assert "Imported 2 holdings" in report["text"] and portfolios.holdings(ME) == before


async def test_snapshot_in_private_is_a_chart_and_the_figures(fake: FakeTelegram, bot: TelegramFrontend,
                                                              portfolios: Portfolios) -> None:
    portfolios.add(ME, ["AAPL", "10", "150"])
    portfolios.add(ME, ["XOM", "20", "80"])
    fake.push(private_message("/portfolio snapshot"))
    (text,) = await asyncio.to_thread(fake.wait_for, "sendMessage", 1, 60.0)  # a chart takes a moment
    (photo,) = fake.sent("sendPhoto")
    assert photo["uploads"]["photo"].content.startswith(PNG) and int(photo["chat_id"]) == ALICE
    assert "<b>Risk</b>" in text["text"] and "offline sample" in text["text"]


async def test_a_file_over_the_limit_is_refused_before_downloading(fake: FakeTelegram,
                                                                  bot: TelegramFrontend) -> None:
    size = 2 * 1024 * 1024
    fake.push(with_document(private_message(""), "big", "holdings.csv", size))
    (refused,) = await wait_for(fake)
    assert f"That file is {size / 1e6:.1f} MB" in refused["text"] and "up to 1 MB" in refused["text"]
    assert "getFile" not in methods(fake) and "downloadFile" not in methods(fake)


async def test_a_file_of_unknown_size_is_measured_by_get_file_first(fake: FakeTelegram,
                                                                   bot: TelegramFrontend) -> None:
    fake.files["quiet"] = content = b"symbol,quantity,cost,date\n" + b"AAPL,1,1,\n" * 150_000
    fake.push(with_document(private_message(""), "quiet", "holdings.csv", None))  # the message gave no size
    (refused,) = await wait_for(fake)
    assert f"That file is {len(content) / 1e6:.1f} MB" in refused["text"]
    assert "getFile" in methods(fake) and "downloadFile" not in methods(fake)


async def test_other_files_in_private_get_a_hint(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.push(private_file(fake, "pdf", b"%PDF-1.4", name="statement.pdf", mime="application/pdf"))
    (hint,) = await wait_for(fake)
    assert "only read text messages, and CSV files for /portfolio import" in hint["text"]
    assert "getFile" not in methods(fake)


async def test_files_in_a_group_are_not_even_downloaded(fake: FakeTelegram, bot: TelegramFrontend,
                                                        portfolios: Portfolios) -> None:
    fake.files["g-1"] = b"symbol,quantity,cost,date\nAAPL,10,150,\n"
    fake.push(with_document(group_message(""), "g-1", "holdings.csv", 40, caption="/portfolio import"))
    fake.push(private_message("/privacy"))  # a marker: once this is answered, the file has been seen
    await wait_for(fake, count=2)
    await asyncio.sleep(0.3)
    # The caption is read (every group message is moderated, captions included), so the command in it gets
    # the pointer to a private chat; the file itself is never fetched.
    pointer, privacy = sorted(fake.sent(), key=lambda sent: int(sent["chat_id"]))
    assert int(pointer["chat_id"]) < 0 and "private chat" in pointer["text"]
    assert "/forget deletes your data" in privacy["text"] and len(fake.sent()) == 2
    assert "getFile" not in methods(fake) and "downloadFile" not in methods(fake)
    assert portfolios.holdings(ME) == []


async def test_a_private_document_the_platform_refuses_falls_back_to_one_line(fake: FakeTelegram,
                                                                             bot: TelegramFrontend) -> None:
    from telegram import Message

    fake.never_started.add(ALICE)
    origin = Message.de_json(group_message("/x")["message"], bot.app.bot)
    await bot.send(origin, Outgoing("Your file", file=("portfolio.csv", b"symbol\n"), private=True,
                                    private_fallback="Open a private chat with me first."))
    (refused,) = fake.sent("sendDocument")
    (line,) = fake.sent()
    assert int(refused["chat_id"]) == ALICE and int(line["chat_id"]) == GROUP
    assert line["text"] == "Open a private chat with me first."


@pytest.mark.skipif(not SPEC.exists(), reason="../shared Bot API spec is not available")
async def test_market_calls_match_the_bot_api_spec(fake: FakeTelegram, bot: TelegramFrontend,
                                                   portfolios: Portfolios) -> None:
    portfolios.add(ME, ["AAPL", "10", "150"])
    fake.push(private_message("/portfolio export"))
    fake.push(private_message("/chart AAPL 6m"))
    fake.push(private_file(fake, "f-4", b"symbol,quantity,cost,date\nGE,4,20,\n"))
    await asyncio.to_thread(fake.wait_for, "sendMessage", 3, 60.0)
    spec = json.loads(SPEC.read_text())["methods"]
    checked = set()
    for call in fake.calls:
        if call.method == "downloadFile":
            continue  # a plain GET of the file URL, not a Bot API method
        fields = spec[call.method].get("fields", [])
        sent = (set(call.params) - UPLOAD_MARKERS) | set(call.params.get("uploads", {}))
        assert sent <= {f["name"] for f in fields}, (call.method, sent)
        assert {f["name"] for f in fields if f.get("required")} <= sent, call.method
        checked.add(call.method)
    assert {"sendPhoto", "sendDocument", "getFile"} <= checked
