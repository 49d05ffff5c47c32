"""A symbol's price chart as a PNG: closing prices over a period, with the source and as-of time underneath.

Headless (Agg) and self-contained: each call builds and closes its own figure, so charts can be drawn from
worker threads without pyplot's global state.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from advisor.market.data import History

PERIODS: dict[str, int] = {"1m": 31, "6m": 183, "1y": 366, "5y": 1827}  # calendar days
DEFAULT_PERIOD = "6m"


def period_start(period: str, end: date) -> date:
    return end - timedelta(days=PERIODS[period])


def price_chart(history: History, name: str, period: str) -> bytes:
    """A line chart of ``history``'s closes (already cut to ``period``) as PNG bytes."""
    if len(history.bars) < 2:
        raise ValueError("a chart needs at least two prices")
    days = date2num([bar.day for bar in history.bars])  # type: ignore[no-untyped-call]
    closes = [bar.close for bar in history.bars]
    figure = Figure(figsize=(8, 4.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    rising = closes[-1] >= closes[0]
    colour = "#1a7f37" if rising else "#cf222e"
    axes.plot(days, closes, color=colour, linewidth=1.6)
    axes.fill_between(days, closes, min(closes), color=colour, alpha=0.08)
    change = closes[-1] / closes[0] - 1
    axes.set_title(f"{name} ({history.symbol}) · {period} · {change:+.1%}", loc="left", fontsize=11)
    axes.set_ylabel(history.currency)
    axes.xaxis_date()
    axes.grid(alpha=0.25)
    axes.spines[["top", "right"]].set_visible(False)
    figure.autofmt_xdate()
    stale = " · STALE (provider unreachable)" if history.stale else ""
    figure.text(0.01, 0.01, f"Source: {history.source} · as of {history.as_of:%Y-%m-%d %H:%M %Z}{stale} · "
                "Past performance does not predict future results.", fontsize=7, color="#57606a")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
