"""Portfolio snapshots on small portfolios whose figures can be worked out by hand (and are, below)."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import pytest

from advisor.market.data import History, MarketDataUnavailableError, Quote, SymbolInfo
from advisor.market.fake import FakeMarketData, daily_bars
from advisor.portfolio.holdings import Holding
from advisor.portfolio.snapshot import Snapshot, take_snapshot
from knowledge.errors import UserError

TODAY = date(2024, 5, 3)  # a Friday; the fake's bars are weekdays ending today
# AAA rises to 100, falls to 70 and recovers to 90. With 10 AAA and 5 BBB at a constant 40, the portfolio is
# worth 10 * a + 200: a peak of 1200 and a trough of 900, so the largest fall is 300 / 1200 = 25%.
AAA = [80, 85, 90, 95, 100, 96, 92, 88, 84, 80, 76, 73, 70, 74, 78, 82, 86, 90, 87, 84, 86, 88, 85, 87, 90]
BBB = [40.0] * len(AAA)
DAYS = [bar.day for bar in daily_bars(AAA, TODAY)]


def fake(series: dict[str, Sequence[float]], currencies: dict[str, str] | None = None) -> FakeMarketData:
    infos = {s: SymbolInfo(s, f"{s} name", c) for s, c in (currencies or {}).items()}
    return FakeMarketData({s: daily_bars(closes, TODAY) for s, closes in series.items()}, infos)


def annualised_stdev(values: Sequence[float]) -> float:
    returns = [b / a - 1 for a, b in pairwise(values)]
    return statistics.stdev(returns) * math.sqrt(252)


def test_two_symbols_by_hand() -> None:
    # SPY moves in proportion to the portfolio, so beta is exactly 1.
    market = fake({"AAA": AAA, "BBB": BBB, "SPY": [a + 20 for a in AAA]})
    lots = [Holding("AAA", 10, 75.0, date(2024, 4, 1)), Holding("BBB", 5, 50.0, date(2024, 4, 2))]
    snap = take_snapshot(lots, market, today=TODAY, user="telegram:1")

    aaa, bbb = snap.holdings
    assert (aaa.symbol, aaa.price, aaa.market_value, aaa.cost_basis) == ("AAA", 90, 900, 750)
    assert (aaa.pnl, aaa.pnl_pct) == (pytest.approx(150), pytest.approx(0.20))
    assert (bbb.market_value, bbb.cost_basis, bbb.pnl, bbb.pnl_pct) == (200, 250, -50, pytest.approx(-0.20))
    assert (snap.market_value, snap.cost_basis, snap.pnl) == (1100, 1000, 100)
    assert snap.pnl_pct == pytest.approx(0.10)
    assert aaa.weight == pytest.approx(9 / 11) and bbb.weight == pytest.approx(2 / 11)
    assert snap.largest_weight == pytest.approx(9 / 11)
    assert snap.hhi == pytest.approx((9 / 11) ** 2 + (2 / 11) ** 2)

    values = [10 * a + 5 * 40 for a in AAA]
    assert [v for _, v in snap.value_series] == pytest.approx(values)
    assert snap.risk.returns == len(AAA) - 1
    assert snap.risk.volatility == pytest.approx(annualised_stdev(values))
    assert snap.risk.max_drawdown == pytest.approx(0.25)
    assert snap.risk.beta == pytest.approx(1.0)
    # A volatility this high (the portfolio swings ~2% a day) is in the top SRRI band: 7 -> R5.
    assert snap.risk.volatility > 0.25 and (snap.risk.srri, snap.risk.level) == (7, "R5")
    assert any("less than a year" in w for w in snap.warnings)


def test_beta_of_a_holding_that_moves_twice_as_much_as_the_benchmark() -> None:
    spy = [400 * (1 + 0.01 * math.sin(i)) for i in range(30)]
    doubled = [50.0]
    for a, b in pairwise(spy):
        doubled.append(doubled[-1] * (1 + 2 * (b / a - 1)))
    snap = take_snapshot([Holding("LEV", 3)], fake({"LEV": doubled, "SPY": spy}), today=TODAY)
    assert snap.risk.beta == pytest.approx(2.0)
    assert snap.risk.volatility == pytest.approx(2 * annualised_stdev(spy))


def test_one_quotes_call_and_one_batched_history_call_for_everything() -> None:
    symbols = {f"S{i}": [10.0 + i + (d % 3) for d in range(30)] for i in range(6)}
    market = fake({**symbols, "SAP.DE": [150.0] * 30, "EURUSD=X": [1.1] * 30, "SPY": [500.0 + d for d in range(30)]},
                  {"SAP.DE": "EUR"})
    take_snapshot([Holding(s, 1) for s in [*symbols, "SAP.DE"]], market, today=TODAY)
    assert market.calls == {"quotes": 1, "history": 1, "lookup": 0}
    (_, quoted), (_, asked) = market.requested
    assert set(quoted) == {*symbols, "SAP.DE", "SPY"}  # the benchmark's currency decides the FX pairs
    assert set(asked) == {*symbols, "SAP.DE", "SPY", "EURUSD=X", "USDEUR=X"}  # direct and inverse, one trip


def test_foreign_holdings_are_converted_and_cost_uses_the_purchase_day_rate() -> None:
    eurusd = [1.05 + 0.002 * i for i in range(len(DAYS))]
    market = fake({"AAA": AAA, "SAP.DE": [150.0] * len(DAYS), "EURUSD=X": eurusd, "SPY": AAA},
                  {"SAP.DE": "EUR"})
    bought = DAYS[10]
    saturday = next(d for d in DAYS if d.weekday() == 4) + timedelta(days=1)  # no FX close: Friday's applies
    snap = take_snapshot([Holding("SAP.DE", 4, 120.0, bought), Holding("AAA", 1)], market, today=TODAY)
    sap = next(h for h in snap.holdings if h.symbol == "SAP.DE")
    assert sap.currency == "EUR" and sap.price == 150
    assert sap.market_value == pytest.approx(4 * 150 * eurusd[-1])
    assert sap.cost_basis == pytest.approx(4 * 120 * eurusd[10])
    weekend = take_snapshot([Holding("SAP.DE", 4, 120.0, saturday)], market, today=TODAY)
    assert weekend.holdings[0].cost_basis == pytest.approx(4 * 120 * eurusd[DAYS.index(saturday - timedelta(1))])
    # The value series converts each day at that day's rate.
    assert snap.value_series[0][1] == pytest.approx(4 * 150 * eurusd[0] + AAA[0])


def test_only_the_inverse_pair_and_a_euro_base() -> None:
    usdjpy = [150.0] * len(DAYS)  # there is no JPYUSD=X series: one yen is 1/150 dollars
    market = fake({"7203.T": [3000.0] * len(DAYS), "USDJPY=X": usdjpy, "SPY": AAA, "EURUSD=X": [1.25] * len(DAYS)},
                  {"7203.T": "JPY"})
    snap = take_snapshot([Holding("7203.T", 100, 2500.0)], market, today=TODAY)
    assert snap.holdings[0].market_value == pytest.approx(100 * 3000 / 150)
    assert snap.holdings[0].cost_basis == pytest.approx(100 * 2500 / 150)
    assert any("latest exchange rate" in w and "7203.T" in w for w in snap.warnings)  # no purchase date
    in_euros = take_snapshot([Holding("SPY", 2)], market, base_currency="eur", today=TODAY)
    assert in_euros.base_currency == "EUR"
    assert in_euros.market_value == pytest.approx(2 * AAA[-1] / 1.25)


def test_london_prices_in_pence() -> None:
    market = fake({"SHEL.L": [2850.0] * len(DAYS), "GBPUSD=X": [1.25] * len(DAYS), "SPY": AAA}, {"SHEL.L": "GBp"})
    holding = take_snapshot([Holding("SHEL.L", 100, 2500.0)], market, today=TODAY).holdings[0]
    assert (holding.price, holding.currency) == (2850, "GBp")
    assert holding.market_value == pytest.approx(100 * 28.50 * 1.25)  # pence -> pounds -> dollars
    assert holding.cost_basis == pytest.approx(100 * 25.00 * 1.25)


def test_missing_fx_series_leaves_that_holding_out_of_the_totals() -> None:
    market = fake({"AAA": AAA, "0700.HK": [320.0] * len(DAYS), "SPY": AAA}, {"0700.HK": "HKD"})
    snap = take_snapshot([Holding("AAA", 10, 80.0), Holding("0700.HK", 100, 300.0)], market, today=TODAY)
    tencent = next(h for h in snap.holdings if h.symbol == "0700.HK")
    assert (tencent.price, tencent.currency) == (320, "HKD")  # the price is known...
    assert tencent.market_value is None and tencent.weight is None and tencent.pnl is None  # ...its value is not
    assert snap.market_value == pytest.approx(10 * AAA[-1])
    assert snap.holdings[0].weight == pytest.approx(1.0)
    assert any("No exchange rate into USD for 0700.HK (HKD)" in w for w in snap.warnings)


def test_unknown_symbol_and_missing_cost_are_missing_not_zero() -> None:
    market = fake({"AAA": AAA, "BBB": BBB, "SPY": AAA})
    snap = take_snapshot([Holding("AAA", 10, 80.0), Holding("BBB", 5), Holding("GONE", 3, 12.0)], market,
                         today=TODAY)
    gone = snap.holdings[-1]
    assert gone.symbol == "GONE" and gone.quantity == 3
    assert [gone.price, gone.market_value, gone.cost_basis, gone.pnl, gone.weight] == [None] * 5
    assert snap.market_value == pytest.approx(10 * AAA[-1] + 5 * 40)
    assert snap.cost_basis is None and snap.pnl is None and snap.pnl_pct is None  # BBB's cost is unknown
    assert any("No price for GONE" in w for w in snap.warnings)
    assert any("No purchase price for BBB" in w for w in snap.warnings)
    holdings = snap.to_json()["holdings"]
    assert holdings[-1] == {"symbol": "GONE", "quantity": 3.0, "price": None, "currency": None,
                            "market_value": None, "cost_basis": None, "pnl": None, "pnl_pct": None, "weight": None}
    assert "n/a" in snap.to_text() and "GONE" in snap.to_text()


def test_a_quote_more_than_a_week_old_is_flagged() -> None:
    old = FakeMarketData({"OLD": daily_bars([5.0] * 30, TODAY - timedelta(days=40)), "SPY": daily_bars(AAA, TODAY)})
    snap = take_snapshot([Holding("OLD", 1)], old, today=TODAY)
    assert any("OLD (2024-03-22)" in w and "delisted" in w for w in snap.warnings)


class HistoryOutage(FakeMarketData):
    """Quotes answer, then the provider goes down before the history request."""

    def history(self, symbols: Sequence[str], start: date, end: date | None = None) -> dict[str, History]:
        self.fail = True
        return super().history(symbols, start, end)


def test_outage_in_the_middle_of_a_snapshot_gives_a_partial_one() -> None:
    series = {"AAA": AAA, "SAP.DE": [150.0] * len(DAYS), "EURUSD=X": [1.1] * len(DAYS), "SPY": AAA}
    market = HistoryOutage({s: daily_bars(c, TODAY) for s, c in series.items()},
                           {"SAP.DE": SymbolInfo("SAP.DE", "SAP", "EUR")})
    snap = take_snapshot([Holding("AAA", 10, 80.0), Holding("SAP.DE", 2, 100.0)], market, today=TODAY,
                         profile_level="C3")
    assert market.calls["history"] == 1
    assert snap.market_value == pytest.approx(900)  # AAA only: the euro rate was in the failed request
    assert any("Price history" in w and "unavailable" in w for w in snap.warnings)
    assert any("No exchange rate into USD for SAP.DE" in w for w in snap.warnings)
    risk = snap.to_json()["risk"]
    assert risk == {"volatility": None, "max_drawdown": None, "beta": None, "srri": None, "level": None}
    assert snap.suitability.match == "unknown"
    assert snap.value_series == ()


def test_outage_before_anything_lists_the_holdings_without_values() -> None:
    market = fake({"AAA": AAA, "SPY": AAA})
    market.fail = True
    snap = take_snapshot([Holding("AAA", 10, 80.0)], market, today=TODAY)
    assert market.calls == {"quotes": 1, "history": 0, "lookup": 0}  # no second request to a provider that is down
    assert snap.holdings[0].market_value is None and snap.market_value is None
    assert any("unavailable" in w for w in snap.warnings)
    assert "Data: none could be fetched." in snap.to_text()


class StaleQuotes(FakeMarketData):
    """A cache serving last known prices during an outage."""

    def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        return {s: replace(q, stale=True) for s, q in super().quotes(symbols).items()}


def test_stale_marks_are_flagged_in_sources_warnings_and_text() -> None:
    market = StaleQuotes({"AAA": daily_bars(AAA, TODAY), "SPY": daily_bars(AAA, TODAY)})
    snap = take_snapshot([Holding("AAA", 10)], market, today=TODAY)
    assert snap.market_value == pytest.approx(900)
    sources = snap.to_json()["sources"]
    assert {"source": "fake", "data": "quotes", "as_of": "2024-05-03T21:00:00+00:00", "stale": True} in sources
    assert any("stale" in w and "AAA" in w for w in snap.warnings)
    assert "(stale)" in snap.to_text()


@pytest.mark.parametrize(("level", "match"), [(None, "none"), ("C2", "warn"), ("C4", "warn"), ("C5", "ok")])
def test_suitability_against_the_member_level(level: str | None, match: str) -> None:
    snap = take_snapshot([Holding("AAA", 10)], fake({"AAA": AAA, "SPY": AAA}), today=TODAY,
                         profile_level=level)  # type: ignore[arg-type]
    assert snap.risk.level == "R5"
    assert snap.suitability.match == match
    if match == "warn":
        assert f"above your risk profile {level}" in snap.suitability.note
        assert snap.suitability.note in snap.warnings


def test_a_calm_portfolio_is_within_a_cautious_profile_but_crypto_is_not() -> None:
    calm = [100 * (1 + 0.0005 * (i % 2)) for i in range(60)]  # 0.05% swings: SRRI 2, R1
    market = fake({"BND": calm, "BTC-USD": calm, "SPY": calm})
    bonds = take_snapshot([Holding("BND", 10)], market, today=TODAY, profile_level="C1")
    assert bonds.risk.srri == 2 and bonds.risk.level == "R1"
    assert bonds.suitability.match == "ok"
    coins = take_snapshot([Holding("BTC-USD", 1)], market, today=TODAY, profile_level="C3")
    assert coins.suitability.match == "warn" and "BTC-USD is R5 whatever" in coins.suitability.note


def test_too_little_history_means_no_risk_class() -> None:
    snap = take_snapshot([Holding("NEW", 1)], fake({"NEW": [10.0, 11.0, 10.5, 10.8], "SPY": AAA}), today=TODAY)
    assert snap.risk.volatility is None and snap.risk.srri is None
    assert any("Only 3 daily returns" in w for w in snap.warnings)


def test_json_shape_is_exactly_the_issues() -> None:
    snap = take_snapshot([Holding("AAA", 10, 80.0, date(2024, 4, 1)), Holding("BBB", 5, 30.0)],
                         fake({"AAA": AAA, "BBB": BBB, "SPY": AAA}), today=TODAY, profile_level="C3", user="cli:me")
    data = json.loads(json.dumps(snap.to_json()))
    assert list(data) == ["user", "base_currency", "as_of", "holdings", "total", "risk", "concentration",
                          "suitability", "sources", "warnings"]
    assert all(list(h) == ["symbol", "quantity", "price", "currency", "market_value", "cost_basis", "pnl",
                           "pnl_pct", "weight"] for h in data["holdings"])
    assert list(data["total"]) == ["market_value", "cost_basis", "pnl", "pnl_pct"]
    assert list(data["risk"]) == ["volatility", "max_drawdown", "beta", "srri", "level"]
    assert list(data["concentration"]) == ["largest_weight", "hhi"]
    assert (data["user"], data["base_currency"], data["as_of"]) == ("cli:me", "USD", "2024-05-03T21:00:00+00:00")
    assert data["total"]["market_value"] == 10 * AAA[-1] + 5 * 40
    assert 0 <= data["concentration"]["hhi"] <= 1 and 0 < data["risk"]["max_drawdown"] < 1  # fractions, not %
    assert data["suitability"]["match"] == "warn" and data["suitability"]["member_level"] == "C3"
    assert all(set(s) == {"source", "data", "as_of", "stale"} for s in data["sources"])


def test_text_shows_numbers_then_sources_and_as_of() -> None:
    snap = take_snapshot([Holding("AAA", 10, 80.0)], fake({"AAA": AAA, "SPY": AAA}), today=TODAY)
    text = snap.to_text()
    lines = text.splitlines()
    assert lines[0].startswith("**Portfolio snapshot**")
    assert "**AAA** 10 x 90.00 USD = 900.00 (100.0%), P&L +100.00 (+12.5%)" in lines
    data_line = next(i for i, line in enumerate(lines) if line.startswith("Data:"))
    assert data_line > next(i for i, line in enumerate(lines) if line.startswith("**Total**"))
    assert "prices from fake as of 2024-05-03 21:00 UTC" in lines[data_line]
    assert "Past performance does not predict future results" in text
    assert "<" not in text and "__" not in text  # **bold** is the only markup


def test_empty_portfolio_and_bad_base_currency() -> None:
    market = fake({"SPY": AAA})
    snap = take_snapshot([], market, today=TODAY)
    assert market.calls == {"quotes": 0, "history": 0, "lookup": 0}
    assert snap.market_value is None and snap.holdings == ()
    assert "no holdings" in snap.warnings[0]
    with pytest.raises(UserError, match="not a currency code"):
        take_snapshot([Holding("AAA", 1)], market, base_currency="dollars", today=TODAY)


def test_outage_error_type_is_the_seams() -> None:
    # The snapshot catches the seam's error, not a provider's own exception types.
    assert issubclass(MarketDataUnavailableError, UserError)
    assert isinstance(take_snapshot([Holding("AAA", 1)], fake({"AAA": AAA}), today=TODAY), Snapshot)


def test_a_recent_listing_does_not_cut_the_portfolios_risk_history() -> None:
    market = fake({"AAA": AAA * 4, "IPO": [30.0, 31.0, 29.5, 30.5, 32.0], "SPY": AAA * 4})
    snap = take_snapshot([Holding("AAA", 10), Holding("IPO", 5)], market, today=TODAY)
    assert snap.risk.returns == len(AAA) * 4 - 1  # AAA's whole history, without IPO
    assert snap.risk.volatility == pytest.approx(annualised_stdev([10 * a for a in AAA * 4]))
    assert any("IPO has too short a price history" in w for w in snap.warnings)
    assert snap.market_value == pytest.approx(10 * AAA[-1] + 5 * 32.0)  # still valued and weighted
