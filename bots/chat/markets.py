"""The market commands of the chat core: /quote, /chart and /portfolio.

Like the rest of the router these are platform-free: they read ``Incoming`` and return ``Outgoing``. Every
number shown carries its as-of time and source; missing data says "not available", never 0. Portfolios are
personal: in a group, /portfolio answers with a button to the private chat and reveals nothing.
"""

from __future__ import annotations

import logging

from advisor.market.data import MarketDataError
from advisor.market.desk import QuoteDesk, QuoteLine, QuoteReport
from advisor.portfolio.csvio import export_csv
from advisor.portfolio.render import moment, price
from advisor.portfolio.service import Portfolios
from bots.chat.messages import Button, Incoming, Outgoing
from knowledge.errors import UserError

log = logging.getLogger(__name__)

PORTFOLIO_HELP = """**Your portfolio** (private; only you see it)
/portfolio add SYMBOL QTY [PRICE] [DATE] — record a holding (price paid per unit; a repeat add merges)
/portfolio remove SYMBOL [QTY] — remove some or all of a holding
/portfolio list — what you hold
/portfolio snapshot [CCY] — value, P&L, weights, risk and a chart (optionally in another currency: EUR, HKD...)
/portfolio import — a CSV with symbol,quantity,cost,date (cost = price paid per unit): send it as a file
  with this caption, or paste its lines after the command
/portfolio export — your holdings as that CSV
/portfolio clear — delete every holding
/forget deletes your portfolio together with everything else I keep about you."""
QUOTE_USAGE = "Usage: /quote SYMBOL... e.g. /quote AAPL 0700.HK BTC-USD (up to 10)."
CHART_USAGE = "Usage: /chart SYMBOL [1m|6m|1y|5y], e.g. /chart AAPL 1y."


def money(value: float | None, currency: str = "") -> str:
    return "not available" if value is None else f"{price(value)} {currency}".strip()


def signed(value: float | None, pct: float | None) -> str:
    if value is None:
        return "change not available"
    arrow = "▲" if value > 0 else "▼" if value < 0 else "■"
    share = f" ({pct:+.2%})" if pct is not None else ""
    return f"{arrow} {value:+,.{2 if abs(value) >= 0.01 else 4}f}{share}"


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
            f"{day} · {risk}\nas of {moment(q.as_of)} · source: {q.source}{stale}")


def report_text(report: QuoteReport) -> str:
    parts = [quote_text(line) for line in report.lines]
    parts += [error.error for error in report.errors]
    if report.lines:
        parts.append("Prices are for information only, not a recommendation. Past performance does not predict "
                     "future results.")
    return "\n\n".join(parts)


class MarketCommands:
    def __init__(self, desk: QuoteDesk, portfolios: Portfolios) -> None:
        self.desk = desk
        self.portfolios = portfolios

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


    # -- /portfolio --------------------------------------------------------------------------------

    def portfolio(self, msg: Incoming, args: str) -> list[Outgoing]:
        if msg.chat_kind == "group":
            # Nothing about the member's holdings, not even whether they have any, is said in a group.
            return [Outgoing("Portfolios are private, so let's look at yours in a private chat.",
                             buttons=(Button("Open a private chat", deep_link="portfolio"),))]
        first_line, _, pasted = args.partition("\n")
        words = first_line.split()
        command, rest = (words[0].lower(), words[1:]) if words else ("help", [])
        user = msg.user_key
        try:
            if command == "add":
                return [Outgoing(self.portfolios.add(user, rest))]
            if command == "remove":
                return [Outgoing(self.portfolios.remove(user, rest))]
            if command == "list":
                return [Outgoing(self._list(user))]
            if command == "snapshot":
                return [self._snapshot(user, rest)]
            if command == "export":
                return [self._export(user)]
            if command == "import":
                return [self._import(msg, pasted)]
            if command == "clear":
                return [Outgoing("Delete every holding in your portfolio? This cannot be undone.",
                                 buttons=(Button("Yes, delete them all", action="portfolio:clear"),))]
        except UserError as exc:
            return [Outgoing(str(exc))]
        return [Outgoing(PORTFOLIO_HELP)]

    def on_button(self, msg: Incoming, action: str) -> list[Outgoing]:
        if action == "clear" and msg.chat_kind == "private":
            removed = self.portfolios.clear(msg.user_key)
            return [Outgoing(f"Done: {removed} holdings deleted." if removed else "Your portfolio was already empty.")]
        return [Outgoing("That button has expired.")]

    def forget(self, user: str) -> bool:
        return self.portfolios.store.delete(user)

    def _list(self, user: str) -> str:
        holdings = self.portfolios.holdings(user)
        if not holdings:
            return "Your portfolio is empty. Add a holding with /portfolio add AAPL 10 150."
        lines = ["**Your holdings**"]
        for h in holdings:
            cost = f" at {money(h.cost)}" if h.cost is not None else ", price paid not given"
            bought = f", bought {h.bought.isoformat()}" if h.bought else ""
            lines.append(f"{h.symbol}: {h.quantity:,g}{cost}{bought}")
        return "\n".join(lines)

    def _snapshot(self, user: str, args: list[str]) -> Outgoing:
        if len(args) > 1:
            return Outgoing("Usage: /portfolio snapshot [CCY], e.g. /portfolio snapshot EUR.")
        snapshot = self.portfolios.snapshot(user, args[0] if args else None)
        if not snapshot.holdings:
            return Outgoing("Your portfolio is empty. Add a holding with /portfolio add AAPL 10 150.")
        from advisor.portfolio.chart import snapshot_chart  # matplotlib loads on the first chart only

        try:
            png: bytes | None = snapshot_chart(snapshot, snapshot.value_series)
        except Exception as exc:  # the numbers are the answer; a chart that fails must not take them along
            log.warning("snapshot chart failed (%s)", type(exc).__name__)
            png = None
        return Outgoing(snapshot.to_text(), image=png)

    def _export(self, user: str) -> Outgoing:
        holdings = self.portfolios.holdings(user)  # one read: the check and the file come from it
        if not holdings:
            return Outgoing("Your portfolio is empty; there is nothing to export.")
        return Outgoing("Your holdings as CSV (symbol,quantity,cost,date); /portfolio import reads it back.",
                        file=("portfolio.csv", export_csv(holdings)))

    def _import(self, msg: Incoming, pasted: str) -> Outgoing:
        data = msg.attachment if msg.attachment is not None else pasted.encode()
        if not data.strip():
            return Outgoing("Send the CSV as a file with the caption /portfolio import, or paste its lines after "
                            "the command (first line: symbol,quantity,cost,date).")
        report = self.portfolios.import_csv(msg.user_key, data)
        log.info("portfolio import on %s: %d added, %d merged, %d problems", msg.platform, report.added,
                 report.merged, len(report.problems))
        return Outgoing(report.text())
