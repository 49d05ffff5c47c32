"""The snapshot as a short chat message: **bold** is the only markup (each front-end renders it its own way).

Every number is followed, at the end of the message, by where it came from and as of when (rule G1), and a
missing number is written as missing, never as 0.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.portfolio.snapshot import Snapshot

MISSING = "n/a"
DISCLAIMER = ("Past performance does not predict future results. Not investment advice: an automated "
              "education assistant's summary of your own entries.")


def money(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.2f}"


def signed(value: float | None) -> str:
    return MISSING if value is None else f"{value:+,.2f}"


def percent(value: float | None, sign: bool = False) -> str:
    if value is None:
        return MISSING
    return f"{value:+.1%}" if sign else f"{value:.1%}"


def price(value: float) -> str:
    return f"{value:,.2f}" if value >= 1 else f"{value:.4g}"  # a penny stock or a coin keeps its digits


def quantity(value: float) -> str:
    return f"{value:,.10g}"


def moment(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M %Z").strip()


def snapshot_text(snapshot: Snapshot) -> str:
    base = snapshot.base_currency
    lines = [f"**Portfolio snapshot** (values in {base})"]
    for h in snapshot.holdings:
        if h.price is None:
            lines.append(f"**{h.symbol}** {quantity(h.quantity)}: price {MISSING}")
            continue
        line = f"**{h.symbol}** {quantity(h.quantity)} x {price(h.price)} {h.currency}"
        if h.market_value is None:
            lines.append(f"{line}: value in {base} {MISSING}")
            continue
        line += f" = {money(h.market_value)} ({percent(h.weight)})"
        if h.pnl is not None:
            line += f", P&L {signed(h.pnl)} ({percent(h.pnl_pct, sign=True)})"
        lines.append(line)
    pnl = MISSING if snapshot.pnl is None else f"{signed(snapshot.pnl)} ({percent(snapshot.pnl_pct, True)})"
    lines.append(f"**Total** {money(snapshot.market_value)} {base}, cost {money(snapshot.cost_basis)}, P&L {pnl}")
    risk = snapshot.risk
    if risk.volatility is not None:
        beta = MISSING if risk.beta is None else f"{risk.beta:.2f}"
        lines.append(f"**Risk** over the last {risk.returns} trading days: volatility {percent(risk.volatility)} a "
                     f"year, largest fall {percent(risk.max_drawdown)}, beta {beta} against {snapshot.benchmark}: "
                     f"SRRI {risk.srri}, {risk.level}")
    else:
        lines.append(f"**Risk**: {MISSING} (not enough price history)")
    if snapshot.largest_weight is not None and snapshot.hhi is not None:
        lines.append(f"**Concentration**: largest holding {percent(snapshot.largest_weight)}, "
                     f"Herfindahl index {snapshot.hhi:.2f}")
    lines.append(f"**Suitability**: {snapshot.suitability.note}")
    shown = [w for w in snapshot.warnings if w not in snapshot.suitability.note]
    if shown:
        lines.append("**Warnings**")
        lines += [f"- {w}" for w in shown]
    if snapshot.sources:
        data = "; ".join(f"{'prices' if s.data == 'quotes' else 'history'} from {s.source} as of {moment(s.as_of)}"
                         + (" (stale)" if s.stale else "") for s in snapshot.sources)
        lines.append(f"Data: {data}.")
    else:
        lines.append("Data: none could be fetched.")
    lines.append(DISCLAIMER)
    return "\n".join(lines)
