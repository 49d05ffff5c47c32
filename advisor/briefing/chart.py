"""A briefing's optional chart: one horizontal bar per line with a move (indices first, then the watchlist's
biggest movers), green up and red down, with the sources and as-of times underneath (rule G1: a chart is a
number too).

Labels are symbols, not names: they are ASCII, so the chart needs no CJK font whatever the chat's language.
Drawn with matplotlib's object API on an Agg canvas (no pyplot, nothing shared between threads), as in
``advisor.market.chart``; imported only when a chat has charts on. Blocking (~100 ms).
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from advisor.briefing.types import Briefing, BriefLine
from advisor.portfolio.render import moment

MAX_BARS = 12  # indices plus the biggest watchlist movers; more stop being readable on a phone
UP, DOWN = "#1a7f37", "#cf222e"


def chart_lines(briefing: Briefing) -> list[BriefLine]:
    """The lines the chart shows, top to bottom: indices, then watchlist movers (already biggest first)."""
    moved = [line for line in briefing.indices + briefing.watchlist
             if line.price is not None and line.change_pct is not None]
    return moved[:MAX_BARS]


def briefing_chart(briefing: Briefing) -> bytes:
    """PNG bytes of the day's moves in ``briefing``; ``ValueError`` when no line has a move to draw."""
    lines = chart_lines(briefing)
    if not lines:
        raise ValueError("a briefing chart needs at least one move")
    moves = [100 * (line.change_pct or 0.0) for line in reversed(lines)]  # barh draws bottom-up
    figure = Figure(figsize=(6, 1.2 + 0.32 * len(lines)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.2, right=0.84, top=1 - 0.45 / figure.get_figheight(),
                           bottom=0.4 / figure.get_figheight())
    bars = axes.barh([line.symbol for line in reversed(lines)], moves,
                     color=[UP if move >= 0 else DOWN for move in moves])
    axes.bar_label(bars, labels=[f"{move:+.2f}%" for move in moves], padding=3, fontsize=8)
    axes.axvline(0, color="#57606a", linewidth=0.8)
    widest = max(abs(move) for move in moves) or 1.0
    axes.set_xlim(-widest * 1.5, widest * 1.5)  # room for the labels on both sides
    # Each bar says its own move, so there is no x axis: text is most of the drawing time.
    axes.set_xticks([])
    axes.tick_params(axis="y", labelsize=8, length=0)
    axes.spines[["top", "right", "bottom", "left"]].set_visible(False)
    axes.set_title(f"{briefing.market} · {briefing.local_date.isoformat()} · change since previous close",
                   loc="left", fontsize=10)
    # One footer line: each source once and the oldest as-of time (glyphs are most of the drawing time).
    names = ", ".join(sorted({line.source or "?" for line in lines}))
    oldest = min((line.as_of for line in lines if line.as_of), default=None)
    stale = " (some prices stale)" if any(line.stale for line in lines) else ""
    data = f"{names}, as of {moment(oldest)}{stale}" if oldest else "no market data"
    figure.text(0.01, 0.02, f"Data: {data}. Past performance does not predict future results.", fontsize=7,
                color="#57606a", va="bottom")
    out = io.BytesIO()
    figure.savefig(out, format="png", pil_kwargs={"compress_level": 1})
    return out.getvalue()
