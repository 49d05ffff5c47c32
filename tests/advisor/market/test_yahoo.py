"""YahooMarketData against a local fake Yahoo that serves real recorded answers (tests/fixtures/yahoo/SOURCE.md).

yfinance is pointed at the fake by a requests.Session that rewrites every URL to 127.0.0.1; everything between
(yfinance's cookie and crumb dance, its session handling) is the real thing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from advisor.market.data import MarketDataUnavailableError, PartialMarketDataError
from advisor.market.yahoo import YahooMarketData
from tests.advisor.market.fake_yahoo import CurlToFake, FakeYahoo, ToFake, charts, closed_port, recorded


@pytest.fixture
def fake() -> Iterator[FakeYahoo]:
    server = FakeYahoo()
    yield server
    server.close()


def provider(fake_or_base: FakeYahoo | str, tmp_path: Path, **options: Any) -> YahooMarketData:
    base = fake_or_base if isinstance(fake_or_base, str) else fake_or_base.base
    options = {"deadline": 10.0, "backoff": 0.01, **options}
    return YahooMarketData(session=ToFake(base), cache_dir=tmp_path / "yfinance", **options)


def test_history_for_several_symbols_is_one_call_with_one_chart_request_each(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.charts = charts("historical-via-chart", "AAPL", "BABA", "BTC-USD", "EURUSD=X", "WSKT.JK")
    yahoo = provider(fake, tmp_path)

    found = yahoo.history(["AAPL", "BABA", "BTC-USD", "EURUSD=X", "WSKT.JK"], date(2020, 1, 1), date(2020, 1, 3))

    assert fake.chart_requests() == {"AAPL": 1, "BABA": 1, "BTC-USD": 1, "EURUSD=X": 1, "WSKT.JK": 1}
    aapl = found["AAPL"]
    # Bar.close is the adjusted close (72.716 recorded, raw close 75.0875); open is scaled by the same factor.
    assert [bar.day for bar in aapl.bars] == [date(2020, 1, 2)]
    assert aapl.bars[0].close == pytest.approx(72.71605682373047)
    assert aapl.bars[0].open == pytest.approx(74.05999755859375 * 72.71605682373047 / 75.0875015258789)
    assert aapl.bars[0].volume == 135480400
    assert (aapl.currency, aapl.source, aapl.stale) == ("USD", "yahoo", False)
    # Its as-of is that day's 16:00 close in New York (the last bar is not the market day).
    assert aapl.as_of == datetime(2020, 1, 2, 21, 0, tzinfo=UTC)
    # Crypto trades every day: three bars; Jakarta's bar stamped 02:00 UTC is 2 January local time.
    assert [bar.day for bar in found["BTC-USD"].bars] == [date(2020, 1, 1), date(2020, 1, 2), date(2020, 1, 3)]
    assert [bar.day for bar in found["WSKT.JK"].bars] == [date(2020, 1, 2)]
    assert found["WSKT.JK"].currency == "IDR"
    assert found["EURUSD=X"].bars[-1].close == pytest.approx(1.1171437501907349)


def test_history_is_cut_to_the_asked_days(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.charts = charts("historical-via-chart", "BTC-USD")

    found = provider(fake, tmp_path).history(["BTC-USD"], date(2020, 1, 2), date(2020, 1, 2))

    assert [(bar.day, round(bar.close, 2)) for bar in found["BTC-USD"].bars] == [(date(2020, 1, 2), 6985.47)]


def test_a_year_of_dividend_adjusted_bars(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.charts = {"MSFT": recorded("historical-via-chart-MSFT-dividends-2021-02-01-to-2022-01-31.csv")}

    bars = provider(fake, tmp_path).history(["MSFT"], date(2021, 2, 1), date(2022, 1, 31))["MSFT"].bars

    assert len(bars) == 252
    assert (bars[0].day, bars[-1].day) == (date(2021, 2, 1), date(2022, 1, 28))
    assert bars[0].close == pytest.approx(231.1864776611328)  # adjusted; the raw close was 239.65
    assert bars[-1].close == pytest.approx(299.8661193847656)


def test_quotes_carry_name_currency_time_and_previous_close(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.charts = charts("chart", "BABA", "BTC-USD", "EURUSD=X", "WSKT.JK")
    fake.charts["AAPL"] = recorded("chart-AAPL-2025-02-01-to-2025-02-02-includePrePost-false-interval-1m")

    quotes = provider(fake, tmp_path).quotes(["AAPL", "BABA", "BTC-USD", "EURUSD=X", "WSKT.JK"])

    aapl = quotes["AAPL"]
    assert (aapl.name, aapl.currency, aapl.price) == ("Apple Inc.", "USD", 244.87)
    assert (aapl.day_low, aapl.day_high) == (243.16, 246.01)
    assert aapl.as_of == datetime(2025, 2, 19, 21, 0, 1, tzinfo=UTC)  # regularMarketTime 1739998801
    assert aapl.previous_close == 244.47  # meta.previousClose, not chartPreviousClose (236, before the period)
    assert aapl.change == pytest.approx(0.40)
    # Without meta.previousClose it is the last close before the market day. The fake serves the 2020 recording
    # whatever the period, so for BABA that is 2 January 2020 (raw close 219.77).
    assert quotes["BABA"].previous_close == pytest.approx(219.77000427246094)
    assert quotes["BABA"].name == "Alibaba Group Holding Limited"
    assert (quotes["BTC-USD"].name, quotes["BTC-USD"].price) == ("Bitcoin USD", 97208.17)
    assert (quotes["EURUSD=X"].name, quotes["EURUSD=X"].currency) == ("EUR/USD", "USD")
    # longName wins over Yahoo's mangled shortName ("WSKT.JK,0P0000XQCT,0").
    assert (quotes["WSKT.JK"].name, quotes["WSKT.JK"].currency) == ("PT Waskita Karya (Persero) Tbk", "IDR")
    assert all(q.source == "yahoo" and not q.stale and q.as_of.tzinfo is not None for q in quotes.values())


def test_pence_become_pounds(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.charts = charts("chart", "OCDO.L")
    yahoo = provider(fake, tmp_path)

    quote = yahoo.quotes(["OCDO.L"])["OCDO.L"]
    fake.charts = charts("historical-via-chart", "OCDO.L")
    history = yahoo.history(["OCDO.L"], date(2020, 1, 1), date(2020, 1, 3))["OCDO.L"]

    # Recorded in GBp: price 305.3, day range 299.1-306.507, the 2 Jan 2020 close 1259.5 pence.
    assert (quote.currency, quote.name) == ("GBP", "Ocado Group plc")
    assert quote.price == pytest.approx(3.053)
    assert (quote.day_low, quote.day_high) == (pytest.approx(2.991), pytest.approx(3.06507))
    assert history.currency == "GBP"
    assert history.bars[0].close == pytest.approx(12.595)
    assert history.bars[0].volume == 728520  # shares, not money: unchanged


def test_unknown_symbols_are_left_out(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.charts = charts("chart", "BABA")
    yahoo = provider(fake, tmp_path)

    assert list(yahoo.quotes(["BABA", "NOSUCH"])) == ["BABA"]
    assert yahoo.history(["NOSUCH"], date(2020, 1, 1)) == {}
    assert fake.chart_requests()["NOSUCH"] >= 1  # it was asked, and Yahoo said 404


def test_server_errors_are_retried(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.charts = charts("chart", "BABA")
    fake.errors_to_serve = 2

    quotes = provider(fake, tmp_path, retries=2).quotes(["BABA"])

    assert fake.errors_to_serve == 0  # both 500s were served before the answer
    assert quotes["BABA"].price == 125.79


def test_a_server_that_keeps_failing_is_an_outage(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.charts = charts("chart", "BABA")
    fake.errors_to_serve = 1000

    with pytest.raises(MarketDataUnavailableError, match="HTTP 500"):
        provider(fake, tmp_path, retries=1).quotes(["BABA"])


def test_a_hanging_server_is_cut_off_at_the_deadline(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.charts = charts("chart", "BABA")
    fake.hang_cookie = True
    yahoo = provider(fake, tmp_path, deadline=1.0)

    started = time.monotonic()
    with pytest.raises(MarketDataUnavailableError) as raised:
        yahoo.quotes(["BABA", "AAPL"])

    assert time.monotonic() - started < 2.0
    assert "no answer within 1 s" in str(raised.value)


def test_connection_refused_is_an_outage_not_a_requests_error(tmp_path: Path) -> None:
    yahoo = provider(closed_port(), tmp_path, retries=1)

    with pytest.raises(MarketDataUnavailableError) as quotes_error:
        yahoo.quotes(["AAPL"])
    with pytest.raises(MarketDataUnavailableError) as history_error:
        yahoo.history(["AAPL", "MSFT"], date(2020, 1, 1))

    for error in (quotes_error.value, history_error.value):
        assert type(error) is MarketDataUnavailableError
        assert "could not be reached" in str(error)
        assert error.__cause__ is None and error.__context__ is None  # no requests exception rides along
    assert yahoo.lookup("apple") == []


class Collect(logging.Handler):
    """A handler without a level of its own, like the log file's: only logger levels and filters stop records."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def yfinance(self) -> list[tuple[str, str]]:
        return [(r.levelname, r.getMessage()) for r in self.records if r.name == "yfinance"]


@pytest.fixture
def logged() -> Iterator[Collect]:
    root, handler = logging.getLogger(), Collect()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)  # what bots/app/logs.py sets up
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("yfinance").setLevel(logging.NOTSET)


def test_yfinance_complaints_from_our_threads_stay_out_of_the_log(tmp_path: Path, logged: Collect) -> None:
    yahoo = provider(closed_port(), tmp_path, retries=0)

    with pytest.raises(MarketDataUnavailableError):
        yahoo.quotes(["AAPL"])
    logging.getLogger("yfinance").warning("from a thread of someone else's")

    assert logged.yfinance() == [("WARNING", "from a thread of someone else's")]
    logged.records.clear()
    logging.getLogger("yfinance").setLevel(logging.DEBUG)  # asked for, they are there: its cookie fallback
    with pytest.raises(MarketDataUnavailableError):
        yahoo.quotes(["AAPL"])
    complaints = [(level, text) for level, text in logged.yfinance() if "failed" in text]
    assert complaints and {level for level, _ in complaints} == {"DEBUG"}


def test_no_request_for_an_empty_question(fake: FakeYahoo, tmp_path: Path) -> None:
    yahoo = provider(fake, tmp_path)

    assert yahoo.quotes([]) == {}
    assert yahoo.history(["AAPL"], date(2020, 1, 3), date(2020, 1, 1)) == {}  # start after end
    assert yahoo.lookup("   ") == []
    assert fake.requests == []


def test_some_symbols_failing_keeps_the_ones_that_answered(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.charts = charts("chart", "BABA", "BTC-USD")
    yahoo = provider(fake, tmp_path, retries=0, workers=1)
    yahoo.quotes(["BABA"])  # warm yfinance's cookie and crumb, so the one error below lands on a chart request
    fake.errors_to_serve = 2  # yfinance asks once more itself after an HTTP error: both answers fail

    with pytest.raises(PartialMarketDataError) as raised:
        yahoo.quotes(["BABA", "BTC-USD"])

    assert list(raised.value.found) == ["BTC-USD"]
    assert raised.value.failed == ("BABA",)


def test_lookup_reads_yahoo_search(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.searches = {"AAPL": recorded("search-AAPL"), "EUR": recorded("search-EUR"),
                     "broken": recorded("search-badResult.fake")}
    yahoo = provider(fake, tmp_path)

    apple = yahoo.lookup("AAPL", limit=3)
    euro = yahoo.lookup("EUR")

    # Options contracts are not suggestions; the ETF stays.
    assert [(i.symbol, i.name, i.kind, i.exchange) for i in apple] == [
        ("AAPL", "Apple Inc.", "equity", "NASDAQ"), ("AAPU", "Direxion Daily AAPL Bull 2X Shares", "etf", "NASDAQ")]
    assert [i.symbol for i in euro] == ["EURUSD=X", "EURHUF=X", "EURCHF=X", "GBPEUR=X", "EURRUB=X"]
    assert {i.kind for i in euro} == {"fx"}
    assert all(i.currency == "" for i in apple + euro)  # search names no currency: unknown, not USD
    assert yahoo.lookup("broken") == []  # a result without a symbol is not a suggestion
    assert yahoo.lookup("zzzz-nothing") == []


def test_a_curl_cffi_session_behaves_the_same(fake: FakeYahoo, tmp_path: Path) -> None:
    fake.charts = charts("chart", "BABA")
    yahoo = YahooMarketData(session=CurlToFake(fake.base), cache_dir=tmp_path, backoff=0.01)
    refused = YahooMarketData(session=CurlToFake(closed_port()), cache_dir=tmp_path, backoff=0.01)

    assert list(yahoo.quotes(["BABA", "NOSUCH"])) == ["BABA"]
    with pytest.raises(MarketDataUnavailableError) as raised:  # curl_cffi's ConnectionError stays inside
        refused.quotes(["BABA"])
    assert type(raised.value) is MarketDataUnavailableError
