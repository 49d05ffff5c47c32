"""The snapshot's arithmetic on a few numbers each: holidays, exchange rates, drawdown."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from advisor.market.data import Bar, History
from advisor.portfolio.measures import Component, Rate, max_drawdown, value_series

MON, TUE, WED, THU = date(2024, 4, 1), date(2024, 4, 2), date(2024, 4, 3), date(2024, 4, 4)


def history(symbol: str, closes: dict[date, float]) -> History:
    return History(symbol, "USD", tuple(Bar(d, c) for d, c in closes.items()), "fake",
                   datetime(2024, 4, 4, 21, tzinfo=UTC))


def test_a_market_holiday_keeps_the_last_close() -> None:
    us = Component(2, {MON: 10.0, TUE: 11.0, WED: 12.0, THU: 13.0}, Rate.constant())
    hk = Component(10, {MON: 5.0, WED: 6.0, THU: 6.5}, Rate.constant())  # Hong Kong closed on Tuesday
    assert value_series([us, hk]) == [(MON, 20 + 50), (TUE, 22 + 50), (WED, 24 + 60), (THU, 26 + 65)]


def test_the_series_starts_when_every_holding_has_a_price() -> None:
    early = Component(1, {MON: 10.0, TUE: 10.0, WED: 10.0}, Rate.constant())
    late = Component(1, {TUE: 4.0, WED: 5.0}, Rate.constant())
    assert value_series([early, late]) == [(TUE, 14.0), (WED, 15.0)]
    assert value_series([early, Component(1, {}, Rate.constant())]) == []


def test_rates_from_the_direct_pair_the_inverse_or_none() -> None:
    served = {"EURUSD=X": history("EURUSD=X", {MON: 1.10, WED: 1.20}),
              "USDJPY=X": history("USDJPY=X", {MON: 150.0, TUE: 160.0})}
    eur = Rate.find("EUR", "USD", served)
    assert eur is not None and eur.pair == "EURUSD=X"
    assert (eur.at(MON), eur.at(TUE), eur.at(THU), eur.latest()) == (1.10, 1.10, 1.20, 1.20)
    assert eur.at(date(2024, 3, 29)) is None  # before the series: unknown, not 0 and not the latest
    jpy = Rate.find("JPY", "USD", served)
    assert jpy is not None and jpy.pair == "USDJPY=X" and jpy.latest() == pytest.approx(1 / 160)
    assert Rate.find("HKD", "USD", served) is None
    pence = Rate.find("GBp", "GBP", served)
    assert pence is not None and pence.latest() == 0.01 and pence.at(MON) == 0.01


def test_drawdown_is_the_worst_fall_from_an_earlier_peak() -> None:
    assert max_drawdown([100, 120, 90, 110, 60, 130, 125]) == pytest.approx(1 - 60 / 120)
    assert max_drawdown([1, 2, 3]) == 0.0
