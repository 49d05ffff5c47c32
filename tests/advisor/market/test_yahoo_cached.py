"""The production stack, offline: ``MarketDataCache`` over ``YahooMarketData`` over the local fake Yahoo (recorded
answers, tests/fixtures/yahoo), with the cache in a SQLite file and an injected clock.

The fake serves each symbol's 2020 recording whatever period is asked for, so quotes carry the recorded prices and
market times (21-22 February 2025). The clock starts on Monday 24 February 2025 at 15:00 UTC: New York (10:00) and
London (15:00) are trading, so a quote lasts a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from advisor.market.cache import MarketDataCache
from advisor.market.desk import QuoteDesk
from advisor.market.yahoo import YahooMarketData
from advisor.portfolio.holdings import Holding
from advisor.portfolio.snapshot import SourceMark, take_snapshot
from tests.advisor.market.fake_yahoo import FakeYahoo, ToFake, charts, recorded
from tests.helpers import Clock

MONDAY = datetime(2025, 2, 24, 15, 0, tzinfo=UTC)
RECORDED = ["AAPL", "BABA", "BTC-USD", "OCDO.L"]


@pytest.fixture
def fake() -> Iterator[FakeYahoo]:
    server = FakeYahoo()
    server.charts = charts("historical-via-chart", *RECORDED)
    server.searches = {"APPL": recorded("search-AAPL")}  # a member's typo; Yahoo's search offers Apple for it
    yield server
    server.close()  # a second close, after a test stopped it, is harmless


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


def cache_over(fake: FakeYahoo, clock: Clock, tmp_path: Path) -> MarketDataCache:
    yahoo = YahooMarketData(session=ToFake(fake.base), cache_dir=tmp_path / "yfinance", deadline=5.0, retries=1,
                            backoff=0.01)
    return MarketDataCache(yahoo, create_engine(f"sqlite:///{tmp_path / 'market.db'}"), clock)


@pytest.fixture
def cache(fake: FakeYahoo, clock: Clock, tmp_path: Path) -> MarketDataCache:
    return cache_over(fake, clock, tmp_path)


def go_down(fake: FakeYahoo, how: str) -> None:
    if how == "stopped":
        fake.close()  # connections are refused
    else:
        fake.errors_to_serve = 10**6  # up, but every chart request gets HTTP 500


def test_quotes_carry_the_recorded_names_currencies_and_times(fake: FakeYahoo, cache: MarketDataCache) -> None:
    quotes = cache.quotes(RECORDED)

    assert {s: (q.name, q.currency, q.price, q.source, q.stale) for s, q in quotes.items()} == {
        "AAPL": ("Apple Inc.", "USD", 245.55, "yahoo", False),
        "BABA": ("Alibaba Group Holding Limited", "USD", 143.75, "yahoo", False),
        "BTC-USD": ("Bitcoin USD", "USD", 96468.94, "yahoo", False),
        "OCDO.L": ("Ocado Group plc", "GBP", pytest.approx(3.093), "yahoo", False),  # 309.3 pence
    }
    assert quotes["AAPL"].as_of == datetime(2025, 2, 21, 21, 0, 2, tzinfo=UTC)  # Friday's close in New York
    assert quotes["OCDO.L"].as_of == datetime(2025, 2, 21, 17, 30, 19, tzinfo=UTC)
    assert quotes["BTC-USD"].as_of == datetime(2025, 2, 22, 9, 59, tzinfo=UTC)  # crypto trades on Saturday
    assert fake.chart_requests() == dict.fromkeys(RECORDED, 1)  # one request per symbol


def test_a_second_request_within_the_ttl_costs_no_http_request(fake: FakeYahoo, cache: MarketDataCache,
                                                               clock: Clock, tmp_path: Path) -> None:
    first = cache.quotes(RECORDED)
    asked = len(fake.requests)
    clock.advance(seconds=50)

    again = cache.quotes(RECORDED)
    from_another_process = cache_over(fake, clock, tmp_path).quotes(RECORDED)  # same file, nothing in memory

    assert again == first
    assert from_another_process == first
    assert len(fake.requests) == asked
    clock.advance(seconds=11)  # past the minute: asked again
    cache.quotes(["AAPL"])
    assert fake.chart_requests()["AAPL"] == 2


@pytest.mark.parametrize("how", ["stopped", "answering 500"])
def test_during_an_outage_the_cache_serves_what_it_has_marked_stale(fake: FakeYahoo, cache: MarketDataCache,
                                                                     clock: Clock, how: str) -> None:
    quotes = cache.quotes(["AAPL", "BABA"])
    history = cache.history(["AAPL"], date(2020, 1, 1))["AAPL"]
    go_down(fake, how)
    clock.advance(minutes=10)  # past the quotes' minute and the bars' five minutes
    asked = len(fake.requests)

    during = cache.quotes(["AAPL", "BABA"])
    bars = cache.history(["AAPL"], date(2020, 1, 1))["AAPL"]

    assert during == {s: replace(q, stale=True) for s, q in quotes.items()}  # same prices and as-of times
    assert (bars.bars, bars.as_of, bars.stale) == (history.bars, history.as_of, True)
    if how == "answering 500":
        assert len(fake.requests) > asked  # the cache did ask, and Yahoo failed
        fake.errors_to_serve = 0  # Yahoo is back: after its 30 s rest the cache asks again and the mark goes
        clock.advance(seconds=31)
        assert cache.quotes(["AAPL"])["AAPL"].stale is False


def test_a_snapshot_during_an_outage_is_partial_and_says_so(fake: FakeYahoo, cache: MarketDataCache,
                                                            clock: Clock) -> None:
    cache.quotes(["AAPL", "BABA"])  # earlier /quote requests; OCDO.L was never asked for
    go_down(fake, "stopped")
    clock.advance(minutes=10)
    holdings = [Holding("AAPL", 10, 150.0, date(2024, 3, 1)), Holding("BABA", 4, None, None),
                Holding("OCDO.L", 100, 5.0, None)]

    snapshot = take_snapshot(holdings, cache, "USD", profile_level="C3", user="member-1")

    assert [(h.symbol, h.price, h.market_value, h.stale) for h in snapshot.holdings] == [
        ("AAPL", 245.55, pytest.approx(2455.5), True), ("BABA", 143.75, pytest.approx(575.0), True),
        ("OCDO.L", None, None, False)]  # never cached: missing, not zero
    assert snapshot.market_value == pytest.approx(3030.5)
    assert snapshot.cost_basis is None  # BABA has no purchase price
    assert (snapshot.risk.volatility, snapshot.risk.srri, snapshot.suitability.match) == (None, None, "unknown")
    assert snapshot.sources == (SourceMark("yahoo", "quotes", datetime(2025, 2, 21, 21, 0, 2, tzinfo=UTC), True),)
    warnings = " ".join(snapshot.warnings)
    assert "AAPL, BABA are stale" in warnings
    assert "No price for OCDO.L" in warnings
    assert "Price history: Market data from yahoo is unavailable" in warnings
    text = snapshot.to_text()
    assert "**OCDO.L** 100: price n/a" in text
    assert "prices from yahoo as of 2025-02-21 21:00 UTC (stale)" in text
    assert snapshot.to_json()["total"]["market_value"] == 3030.5


def test_a_snapshot_with_nothing_cached_during_an_outage_lists_the_holdings(fake: FakeYahoo,
                                                                             cache: MarketDataCache) -> None:
    go_down(fake, "stopped")

    snapshot = take_snapshot([Holding("AAPL", 10, 150.0, None)], cache, "USD")

    assert [(h.symbol, h.quantity, h.price) for h in snapshot.holdings] == [("AAPL", 10, None)]
    assert snapshot.market_value is None
    assert snapshot.warnings[0].startswith("Prices: Market data from yahoo is unavailable right now")
    assert "Data: none could be fetched." in snapshot.to_text()


def test_an_unknown_symbol_is_an_error_with_suggestions_not_a_crash(fake: FakeYahoo, cache: MarketDataCache) -> None:
    report = QuoteDesk(cache).quotes("APPL, baba")

    assert [line.quote.symbol for line in report.lines] == ["BABA"]
    assert [(e.input, e.suggestions[:1]) for e in report.errors] == [("APPL", ("AAPL",))]
    assert "I don't know the symbol APPL (yahoo has no such symbol). Did you mean AAPL (Apple Inc.)" in \
        report.errors[0].error
    assert report.to_json()["errors"][0]["input"] == "APPL"
    asked = fake.chart_requests()["APPL"]
    assert asked >= 1  # Yahoo was asked and said 404 (yfinance itself asks once more after an HTTP error)

    again = QuoteDesk(cache).quotes("APPL")

    assert [e.input for e in again.errors] == ["APPL"]
    assert fake.chart_requests()["APPL"] == asked  # the cache remembers the 404 for ten minutes


def test_a_symbol_without_bars_in_the_risk_window_is_still_quoted(fake: FakeYahoo, cache: MarketDataCache) -> None:
    # /quote asks for five years of history ending 21 February 2025 for the risk class; the recording's bars are
    # from January 2020, so none fall in that window (as for a long-suspended listing).
    first = QuoteDesk(cache).quotes("BABA")
    assert [line.quote.symbol for line in first.lines] == ["BABA"]

    again = QuoteDesk(cache).quotes("BABA")

    assert [line.quote.symbol for line in again.lines] == ["BABA"]
    assert again.errors == ()
