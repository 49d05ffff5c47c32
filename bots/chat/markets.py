"""The market commands of the chat core: /quote, /chart and /portfolio.

Like the rest of the router these are platform-free: they read ``Incoming`` and return ``Outgoing``. Every
number shown carries its as-of time and source; missing data says "not available", never 0. Portfolios are
personal: in a group, /portfolio answers with a button to the private chat and reveals nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from advisor.market.data import MarketDataError
from advisor.market.desk import QuoteDesk, QuoteLine, QuoteReport
from bots.chat.messages import Button, Incoming, Outgoing
from knowledge.errors import UserError

log = logging.getLogger(__name__)

QUOTE_USAGE = "Usage: /quote SYMBOL... e.g. /quote AAPL 0700.HK BTC-USD (up to 10)."
CHART_USAGE = "Usage: /chart SYMBOL [1m|6m|1y|5y], e.g. /chart AAPL 1y."


def money(value: float | None, currency: str = "") -> str:
    if value is None:
        return "not available"
    digits = 2 if abs(value) >= 1 else 4  # FX rates and penny prices need more places
    text = f"{value:,.{digits}f}"
    return f"{text} {currency}".strip()


def signed(value: float | None, pct: float | None) -> str:
    if value is None:
        return "change not available"
    arrow = "▲" if value > 0 else "▼" if value < 0 else "■"
    share = f" ({pct:+.2%})" if pct is not None else ""
    return f"{arrow} {value:+,.{2 if abs(value) >= 0.01 else 4}f}{share}"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def quote_text(line: QuoteLine) -> str:
    q = line.quote
    if q.day_low is not None and q.day_high is not None:
        day = f"day range {money(q.day_low)}–{money(q.day_high)}"
    else:
        day = "day range not available"
    if line.risk is None:
        risk = "risk class not available (too little price history)"
    elif line.risk.overridden:
        risk = f"risk {line.risk.level} ({line.risk.overridden.replace('_', ' ')}: R5 whatever its history says)"
    else:
        risk = (f"risk {line.risk.level} (SRRI {line.risk.srri}: {line.risk.volatility:.1%} volatility over "
                f"{line.risk.window})")
    stale = " · **stale**: the source is unreachable, this is the last price I have" if q.stale else ""
    return (f"**{q.name} ({q.symbol})** {money(q.price, q.currency)} {signed(q.change, q.change_pct)}\n"
            f"{day} · {risk}\nas of {when(q.as_of)} · source: {q.source}{stale}")


def report_text(report: QuoteReport) -> str:
    parts = [quote_text(line) for line in report.lines]
    parts += [error.error for error in report.errors]
    if report.lines:
        parts.append("Prices are for information only, not a recommendation. Past performance does not predict "
                     "future results.")
    return "\n\n".join(parts)


class MarketCommands:
    def __init__(self, desk: QuoteDesk) -> None:
        self.desk = desk

    def quote(self, msg: Incoming, args: str) -> list[Outgoing]:
        if not args.strip():
            return [Outgoing(QUOTE_USAGE)]
        report = self.desk.quotes(args)
        log.info("quote on %s: %d found, %d errors", msg.platform, len(report.lines), len(report.errors))
        return [Outgoing(report_text(report))]

    def chart(self, msg: Incoming, args: str) -> list[Outgoing]:
        words = args.split()
        if not 1 <= len(words) <= 2:
            return [Outgoing(CHART_USAGE)]
        try:
            chart = self.desk.chart(words[0], words[1] if len(words) > 1 else "")
        except MarketDataError as exc:
            return [Outgoing(str(exc))]
        except UserError as exc:
            return [Outgoing(f"{exc} {CHART_USAGE}")]
        stale = " (stale: the source is unreachable)" if chart.stale else ""
        return [Outgoing(f"**{chart.name} ({chart.symbol})**, {chart.period}. Source: {chart.source}{stale}. "
                         "Past performance does not predict future results.", image=chart.png)]


def private_only(what: str) -> Outgoing:
    return Outgoing(f"{what} is private, so let's do it in a private chat.",
                    buttons=(Button("Open a private chat", deep_link="portfolio"),))
