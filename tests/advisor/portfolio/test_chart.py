"""The snapshot chart is a real PNG of a sensible size, whatever the snapshot holds."""

from __future__ import annotations

import struct
from datetime import date

from advisor.market.data import SymbolInfo
from advisor.market.fake import FakeMarketData, daily_bars
from advisor.portfolio.chart import _allocation, snapshot_chart
from advisor.portfolio.holdings import Holding
from advisor.portfolio.snapshot import take_snapshot

TODAY = date(2024, 5, 3)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_MAGIC and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def portfolio(holdings: int) -> tuple[FakeMarketData, list[Holding]]:
    series = {f"S{i:02d}": daily_bars([20.0 + i + (d % (i + 2)) for d in range(280)], TODAY)
              for i in range(holdings)}
    series["SPY"] = daily_bars([400.0 + (d % 7) for d in range(280)], TODAY)
    return FakeMarketData(series, {"SPY": SymbolInfo("SPY", "SPDR S&P 500")}), \
        [Holding(f"S{i:02d}", 10 + i) for i in range(holdings)]


def test_a_25_holding_chart_is_a_png_of_sensible_size() -> None:
    market, lots = portfolio(25)
    snap = take_snapshot(lots, market, today=TODAY)
    png = snapshot_chart(snap, snap.value_series)
    assert png_size(png) == (900, 440)
    assert 10_000 < len(png) < 500_000
    # Twelve bars at most: the eleven largest and "Other" summing the rest, so the weights still add to 1.
    bars = _allocation(snap)
    assert len(bars) == 12 and bars[-1][0] == "Other (14)"
    assert abs(sum(w for _, w in bars) - 1) < 1e-9


def test_a_chart_without_prices_or_history_still_draws() -> None:
    market, lots = portfolio(2)
    market.fail = True
    snap = take_snapshot(lots, market, today=TODAY)
    assert snap.market_value is None and snap.value_series == ()
    png = snapshot_chart(snap, snap.value_series)
    assert png_size(png) == (900, 440)
    empty = take_snapshot([], market, today=TODAY)
    assert png_size(snapshot_chart(empty, [])) == (900, 440)


def test_the_line_covers_the_last_six_months_only() -> None:
    market, lots = portfolio(1)
    snap = take_snapshot(lots, market, today=TODAY)
    assert (snap.value_series[-1][0] - snap.value_series[0][0]).days > 300  # a year of history...
    short = snapshot_chart(snap, snap.value_series[-140:])  # 7 months: the chart shows six either way
    full = snapshot_chart(snap, snap.value_series)
    assert full == short
