"""The snapshot as a PNG: allocation bars on the left, the last six months of portfolio value on the right,
with the as-of time and sources underneath (rule G1: a chart is a number too).

Drawn with matplotlib's object API on an Agg canvas: no pyplot, so no global figure registry, no GUI backend
and nothing shared between threads (the bot draws off the event loop). ``MPLCONFIGDIR`` is set by the caller.
Blocking (~100 ms): call it through ``asyncio.to_thread``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from advisor.portfolio.render import moment
from advisor.portfolio.snapshot import Snapshot

MAX_BARS = 12  # more bars than this stop being readable on a phone; the rest are summed as "Other"
WINDOW = timedelta(days=183)
COLOUR = "#2b6cb0"


def _allocation(snapshot: Snapshot) -> list[tuple[str, float]]:
    weighted = [(h.symbol, h.weight) for h in snapshot.holdings if h.weight is not None]
    weighted.sort(key=lambda item: -item[1])
    if len(weighted) > MAX_BARS:
        rest = sum(w for _, w in weighted[MAX_BARS - 1:])
        weighted = [*weighted[:MAX_BARS - 1], (f"Other ({len(weighted) - MAX_BARS + 1})", rest)]
    return weighted


def _month_starts(first: date, last: date) -> list[date]:
    months = []
    month = date(first.year, first.month, 1)
    while month <= last:
        if month >= first:
            months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def snapshot_chart(snapshot: Snapshot, value_series: Sequence[tuple[date, float]]) -> bytes:
    """PNG bytes: allocation by weight and the value line over the last six months of ``value_series``."""
    # Fixed margins, not constrained layout: measuring every label to place the axes doubles the drawing time.
    figure = Figure(figsize=(9, 4.4), dpi=100)
    FigureCanvasAgg(figure)
    bars, line = figure.subplots(1, 2, width_ratios=(2, 3))
    figure.subplots_adjust(left=0.13, right=0.98, top=0.92, bottom=0.14, wspace=0.28)
    allocation = _allocation(snapshot)
    if allocation:
        # The weight goes in the label ("AAPL 23.1%"): one text per bar instead of a label and an annotation,
        # and no x axis at all. Text is most of the drawing time.
        bars.barh([f"{symbol} {weight:.1%}" for symbol, weight in reversed(allocation)],
                  [weight for _, weight in reversed(allocation)], color=COLOUR)
        bars.tick_params(axis="y", labelsize=8, length=0)
    else:
        bars.text(0.5, 0.5, "no priced holdings", ha="center", va="center", transform=bars.transAxes)
        bars.set_yticks([])
    bars.set_xticks([])
    for side in ("top", "right", "bottom"):
        bars.spines[side].set_visible(False)
    bars.set_title(f"Allocation by value in {snapshot.base_currency}", fontsize=10)

    recent = [(d, v) for d, v in value_series if value_series and d >= value_series[-1][0] - WINDOW]
    if len(recent) >= 2:
        line.plot([d for d, _ in recent], [v for _, v in recent], color=COLOUR, linewidth=1.5)
        months = _month_starts(recent[0][0], recent[-1][0])
        line.set_xticks(months, [m.strftime("%b %y") for m in months])
        line.yaxis.set_major_locator(MaxNLocator(5))
        line.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        line.tick_params(labelsize=8)
    else:
        line.text(0.5, 0.5, "not enough price history", ha="center", va="center", transform=line.transAxes)
    line.set_ylabel(f"value ({snapshot.base_currency})")
    line.set_title("Value over 6 months (today's quantities)", fontsize=10)
    line.grid(alpha=0.3)

    # Glyph rendering is most of the drawing time, so the footer says each source once, with the oldest as-of.
    names = sorted({s.source for s in snapshot.sources})
    oldest = min((s.as_of for s in snapshot.sources), default=None)
    stale = " (some prices stale)" if any(s.stale for s in snapshot.sources) else ""
    data = f"{', '.join(names)}, as of {moment(oldest)}{stale}" if oldest else "no market data"
    figure.text(0.01, 0.02, f"Data: {data}. Past performance does not predict future results.", fontsize=7,
                color="#555555", va="bottom")
    out = io.BytesIO()
    figure.savefig(out, format="png", pil_kwargs={"compress_level": 1})  # zlib level 6 costs ~20 ms more
    # No pyplot, so there is no figure registry to close it in: the figure is garbage once this returns.
    return out.getvalue()
