"""Risk labels from price history: SRRI bands of weekly volatility, the taxonomy's R5 overrides, and the advisor
using them for the securities a question names."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.market.data import History
from advisor.market.fake import FakeMarketData, daily_bars
from advisor.market.pricerisk import PriceRisk, override_for, weekly_returns
from advisor.profiles import MemoryProfileStore
from advisor.types import Question
from knowledge.retrieval import Retriever

END = date(2018, 4, 13)  # a Friday in 2018, like the offline sample: windows end at the data, not today


def swinging(weekly_move: float, weeks: int) -> list[float]:
    """Daily closes that move up ``weekly_move`` one week and back down the next (flat within a week)."""
    closes: list[float] = []
    price = 100.0
    for week in range(weeks):
        price *= (1 + weekly_move) if week % 2 == 0 else 1 / (1 + weekly_move)
        closes += [price] * 5
    return closes


def test_weekly_returns_take_each_weeks_last_close() -> None:
    bars = daily_bars([100, 101, 102, 103, 104, 110, 111, 112, 113, 99], END)  # two whole weeks
    history = History("X", "USD", bars, "fake", _as_of())
    assert weekly_returns(history) == pytest.approx([99 / 104 - 1])


def test_volatility_bands_follow_srri_and_map_to_r_levels() -> None:
    market = FakeMarketData({"CALM": daily_bars(swinging(0.001, 260), END),
                             "WILD": daily_bars(swinging(0.05, 260), END)})
    readings = PriceRisk(market).readings(["CALM", "WILD"])
    assert market.calls["history"] == 1  # both symbols in one batched request
    # 260 flat weeks alternating up 0.1% and back: 259 weekly returns, computed here independently.
    moves = [1 / 1.001 - 1 if week % 2 else 0.001 for week in range(1, 260)]
    assert readings["CALM"].volatility == pytest.approx(statistics.stdev(moves) * math.sqrt(52))
    assert readings["CALM"].srri == 2 and readings["CALM"].level == "R1"  # about 0.7% a year
    assert readings["WILD"].srri == 7 and readings["WILD"].level == "R5"  # about 36% a year
    assert readings["CALM"].window == "5.0y of weekly returns"
    assert readings["CALM"].as_of is not None and readings["CALM"].as_of.date() == END


def test_shorter_history_says_so_and_under_a_year_gives_no_reading() -> None:
    market = FakeMarketData({"YOUNG": daily_bars(swinging(0.02, 110), END),
                             "NEW": daily_bars(swinging(0.02, 30), END)})
    readings = PriceRisk(market).readings(["YOUNG", "NEW", "UNKNOWN"])
    assert readings["YOUNG"].window == "2.1y of weekly returns"
    assert "NEW" not in readings and "UNKNOWN" not in readings


@pytest.mark.parametrize(("symbol", "topic"), [("BTC-USD", "crypto"), ("ETH-USD", "crypto"), ("TQQQ", "leveraged_etf"),
                                               ("AAPL220121C00025000", "options"), ("GC=F", "futures"),
                                               ("AAPL", None), ("BRK-B", None), ("0700.HK", None)])
def test_taxonomy_overrides_need_no_prices(symbol: str, topic: str | None) -> None:
    assert override_for(symbol) == topic
    market = FakeMarketData({})
    readings = PriceRisk(market).readings([symbol])
    if topic:
        assert readings[symbol].level == "R5" and readings[symbol].overridden == topic
        assert market.calls == {"quotes": 0, "history": 0, "lookup": 0}
    else:
        assert readings == {}


@pytest.fixture
def calm_market() -> FakeMarketData:
    return FakeMarketData({"AAPL": daily_bars(swinging(0.012, 260), END)})  # ~8.7% a year: SRRI 4, R3


def advisor_with(retriever: Callable[[str], Retriever], market: FakeMarketData) -> Advisor:
    return Advisor(retriever, GroundedComposer(), MemoryProfileStore(), price_risk=PriceRisk(market))


def test_a_named_security_is_labelled_from_its_prices(notes_retriever: Callable[[str], Retriever],
                                                      calm_market: FakeMarketData) -> None:
    answer = advisor_with(notes_retriever, calm_market).answer(Question("What are the risks of owning AAPL shares?"))
    assert answer.risk.level == "R3"  # the taxonomy alone says R4 for single stocks
    assert answer.risk.reason.startswith("AAPL: SRRI 4, from a price volatility of 8.")
    assert "a year over 5.0y of weekly returns" in answer.risk.reason
    assert "fake, as of 2018-04-13" in answer.risk.reason  # G1: which data, which window, as of when


def test_the_taxonomy_keeps_r5_words_and_outages_fall_back(notes_retriever: Callable[[str], Retriever],
                                                           calm_market: FakeMarketData) -> None:
    advisor = advisor_with(notes_retriever, calm_market)
    options = advisor.answer(Question("How do options on AAPL work?"))
    assert options.risk.level == "R5" and "SRRI" not in options.risk.reason
    calm_market.fail = True
    fallback = advisor.answer(Question("What are the risks of owning AAPL shares?"))
    assert fallback.risk.level == "R4" and "SRRI" not in fallback.risk.reason


def _as_of() -> datetime:
    return datetime(2018, 4, 13, 20, tzinfo=UTC)


def test_an_answer_does_not_wait_for_slow_prices(notes_retriever: Callable[[str], Retriever],
                                                 calm_market: FakeMarketData) -> None:
    advisor = advisor_with(notes_retriever, calm_market)
    advisor.price_budget = 0.2
    calm_market.delay = 1.0  # every request takes a second: quotes then history would take two
    started = time.perf_counter()
    answer = advisor.answer(Question("What are the risks of owning AAPL shares?"))
    assert time.perf_counter() - started < 1.0
    assert answer.risk.level == "R4" and "SRRI" not in answer.risk.reason  # the taxonomy label, on time


def test_a_reading_is_kept_for_an_hour(calm_market: FakeMarketData, monkeypatch: pytest.MonkeyPatch) -> None:
    import advisor.market.pricerisk as pricerisk

    measured: list[str] = []
    real = pricerisk.measure
    monkeypatch.setattr(pricerisk, "measure", lambda history: measured.append(history.symbol) or real(history))
    now = [0.0]
    risk = PriceRisk(calm_market, clock=lambda: now[0])
    first, second = risk.readings(["AAPL"]), risk.readings(["AAPL"])
    assert first == second and measured == ["AAPL"] and calm_market.calls["history"] == 1
    now[0] = PriceRisk.MEMO_SECONDS + 1  # an hour later the series is read and measured again
    assert risk.readings(["AAPL"]) == first and measured == ["AAPL", "AAPL"]
