"""The market commands as transcripts: /quote, /chart and /portfolio in groups and private chats, on the bundled
offline sample (real prices to 2018-04-11) and on a fake source that can go down."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.market.csvdir import offline_market_data
from advisor.market.data import MarketData
from advisor.market.desk import QuoteDesk
from advisor.market.fake import FakeMarketData, daily_bars
from advisor.market.pricerisk import PriceRisk
from advisor.portfolio.holdings import SqlHoldingsStore
from advisor.portfolio.service import Portfolios
from advisor.profiles import SqlProfileStore
from bots.chat.markets import MarketCommands
from bots.chat.messages import Incoming, Outgoing
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever

PNG = b"\x89PNG\r\n\x1a\n"


def make_router(retriever: Callable[[str], Retriever], tmp_path: Path, market: MarketData) -> Router:
    key = Fernet.generate_key()
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", key)
    desk = QuoteDesk(market, PriceRisk(market))
    portfolios = Portfolios(SqlHoldingsStore(profiles.engine, key), desk, profiles)
    advisor = Advisor(retriever, GroundedComposer(), profiles, price_risk=desk.price_risk)
    return Router(advisor, profiles, ChatSettingsStore(profiles.engine), FixedCollections({"research"}),
                  markets=MarketCommands(desk, portfolios))


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> Router:
    return make_router(notes_retriever, tmp_path, offline_market_data())


def say(router: Router, text: str = "", *, user: str = "1", kind: str = "group", **extra: object) -> list[Outgoing]:
    return router.handle(Incoming("telegram", "-100" if kind == "group" else user, kind,  # type: ignore[arg-type]
                                  user, f"user{user}", text, **extra))  # type: ignore[arg-type]


def test_quote_shows_price_change_as_of_source_and_risk(router: Router) -> None:
    [reply] = say(router, "/quote $aapl, SPY")
    assert "**Apple Inc. (AAPL)** 172.44 USD ▼ -0.81 (-0.47%)" in reply.text
    assert "as of 2018-04-11 16:00 EDT · source: offline sample" in reply.text
    assert "risk R5 (SRRI 6: 24.5% volatility over 3.0y of weekly returns)" in reply.text
    assert "SPDR S&P 500 ETF Trust (SPY)" in reply.text and "day range not available" in reply.text  # not 0
    assert "Past performance does not predict future results" in reply.text


def test_unknown_and_malformed_symbols_get_suggestions_never_a_substitute(router: Router) -> None:
    [reply] = say(router, "/quote APPL")
    assert "I don't know the symbol APPL" in reply.text and "Did you mean AAPL (Apple Inc.)?" in reply.text
    assert "172.44" not in reply.text  # Apple's price is not shown for a symbol nobody asked for
    [junk] = say(router, "/quote <b>x</b>!!")
    assert "is not a symbol" in junk.text
    assert say(router, "/quote")[0].text.startswith("Usage: /quote SYMBOL")


def test_quote_questions_are_routed_to_quotes(router: Router) -> None:
    [reply] = say(router, "/ask what is the price of AAPL?")
    assert reply.answer is None and "**Apple Inc. (AAPL)** 172.44 USD" in reply.text


def test_chart_is_a_png_with_source(router: Router) -> None:
    [reply] = say(router, "/chart AAPL 1y")
    assert reply.image is not None and reply.image.startswith(PNG) and len(reply.image) > 10_000
    assert "Source: offline sample" in reply.text
    assert "use one of 1m, 6m, 1y, 5y" in say(router, "/chart AAPL 3w")[0].text
    assert "I don't know the symbol ZZZZ" in say(router, "/chart ZZZZ")[0].text


def test_portfolio_in_a_group_reveals_and_stores_nothing(router: Router) -> None:
    say(router, "/portfolio add AAPL 10 150", kind="private")
    for command in ("/portfolio", "/portfolio add MSFT 5", "/portfolio snapshot", "/ask how is my portfolio doing?"):
        [reply] = say(router, command)
        assert reply.buttons[0].deep_link == "portfolio" and "AAPL" not in reply.text
    assert "MSFT" not in say(router, "/portfolio list", kind="private")[0].text
    [start] = say(router, "/start portfolio", kind="private")
    assert start.text.startswith("**Your portfolio**")


def test_portfolio_add_merge_list_snapshot_and_forget(router: Router) -> None:
    assert say(router, "/portfolio add AAPL 10 150 2017-01-03", kind="private")[0].text == "Added 10 AAPL."
    merged = say(router, "/portfolio add aapl 10 170", kind="private")[0].text
    assert merged == "Merged into your AAPL holding: you now have 20 at an average 160 per unit."
    assert "Did you mean AAPL" in say(router, "/portfolio add APPL 1", kind="private")[0].text
    assert "in the future" in say(router, "/portfolio add SPY 1 100 2099-01-01", kind="private")[0].text
    assert "more than zero" in say(router, "/portfolio add SPY -1", kind="private")[0].text
    # The second lot had no date, so the merged holding's date is unknown rather than made up.
    assert say(router, "/portfolio list", kind="private")[0].text == "**Your holdings**\nAAPL: 20 at 160.00"
    [snapshot] = say(router, "/portfolio snapshot", kind="private")
    assert "**AAPL** 20 x 172.44 USD = 3,448.80 (100.0%), P&L +248.80 (+7.8%)" in snapshot.text
    assert "offline sample" in snapshot.text and snapshot.image is not None and snapshot.image.startswith(PNG)
    [forgot] = say(router, "/forget", kind="private")
    assert "portfolio" in forgot.text
    assert "empty" in say(router, "/portfolio list", kind="private")[0].text


def test_portfolio_import_export_and_clear(router: Router) -> None:
    csv = b"\xef\xbb\xbfsymbol,quantity,cost,date\r\nGOOG,2,900,2017-06-01\r\nNOPE1,1,1,\r\nJPM,x,1,\r\nWMT,3,,\r\n"
    [report] = say(router, "/portfolio import", kind="private", attachment=csv, attachment_name="p.csv")
    assert report.text.startswith("Imported 2 holdings (0 merged")
    assert "line 3: I don't know the symbol NOPE1" in report.text and "line 4: quantity 'x'" in report.text
    [export] = say(router, "/portfolio export", kind="private")
    assert export.file is not None and export.file[1] == b"symbol,quantity,cost,date\nGOOG,2,900,2017-06-01\nWMT,3,,\n"
    pasted = say(router, "/portfolio import\nsymbol,quantity,cost,date\nSPY,1,200,", kind="private")[0].text
    assert pasted.startswith("Imported 1 holding (")
    [ask] = say(router, "/portfolio clear", kind="private")
    assert ask.buttons[0].action == "portfolio:clear"
    assert say(router, kind="private", action="portfolio:clear")[0].text == "Done: 3 holdings deleted."


def test_an_outage_is_reported_not_crashed_and_nothing_is_lost(notes_retriever: Callable[[str], Retriever],
                                                               tmp_path: Path) -> None:
    market = FakeMarketData({"AAPL": daily_bars([100.0 + i for i in range(300)], date(2026, 11, 27))})
    router = make_router(notes_retriever, tmp_path, market)
    market.fail = True
    assert "unavailable right now" in say(router, "/quote AAPL")[0].text
    kept = say(router, "/portfolio add AAPL 10 150", kind="private")[0].text
    assert kept == "Added 10 AAPL (I could not reach the market data to check the symbol; kept as written)."
    [snapshot] = say(router, "/portfolio snapshot", kind="private")
    assert "AAPL" in snapshot.text and "unavailable" in snapshot.text
    market.fail = False
    assert "P&L" in say(router, "/portfolio snapshot", kind="private")[0].text
