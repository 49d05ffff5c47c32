"""The quote and chart features, shared by the chat commands and the CLI: what members type in, reports out.

Nothing is ever substituted: a symbol that no source knows comes back as an error with "did you mean"
suggestions for the member to choose from. One quotes request serves a whole ``/quote A B C``; the risk class
of each symbol comes from its price history (``PriceRisk``), or is missing when the history is too short.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from advisor.market.data import MarketData, MarketDataError, Quote, SymbolInfo, UnknownSymbolError
from advisor.market.pricerisk import PriceRisk, PriceRiskReading
from advisor.market.symbols import normalise_symbol, parse_symbols, suggest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuoteError:
    input: str
    error: str
    suggestions: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"input": self.input, "error": self.error, "suggestions": list(self.suggestions)}


@dataclass(frozen=True)
class QuoteLine:
    quote: Quote
    risk: PriceRiskReading | None

    def to_json(self) -> dict[str, Any]:
        q = self.quote
        risk = None if self.risk is None else {"level": self.risk.level, "srri": self.risk.srri,
                                               "volatility": self.risk.volatility, "window": self.risk.window}
        return {"symbol": q.symbol, "name": q.name, "price": q.price, "change": _round(q.change),
                "change_pct": _round(q.change_pct), "currency": q.currency, "as_of": q.as_of.isoformat(),
                "source": q.source, "stale": q.stale, "day_low": q.day_low, "day_high": q.day_high, "risk": risk}


def _round(value: float | None) -> float | None:
    """Differences of prices carry float noise (-0.8100000000000023); 8 places keep every real digit."""
    return None if value is None else round(value, 8)


@dataclass(frozen=True)
class QuoteReport:
    lines: tuple[QuoteLine, ...]
    errors: tuple[QuoteError, ...]

    def to_json(self) -> dict[str, Any]:
        return {"quotes": [line.to_json() for line in self.lines], "errors": [e.to_json() for e in self.errors]}


@dataclass(frozen=True)
class Chart:
    png: bytes
    symbol: str
    name: str
    period: str
    source: str
    stale: bool


class QuoteDesk:
    def __init__(self, market: MarketData, price_risk: PriceRisk | None = None) -> None:
        self.market = market
        self.price_risk = price_risk or PriceRisk(market)

    def quotes(self, inputs: str | Sequence[str]) -> QuoteReport:
        """Quotes for what a member typed ("AAPL, $msft 0700.hk"); bad and unknown inputs become errors."""
        text = inputs if isinstance(inputs, str) else " ".join(inputs)
        symbols, problems = parse_symbols(text)
        errors = [QuoteError(word, message) for word, message in problems]
        if not symbols and not errors:
            errors.append(QuoteError(text, "Give at least one symbol, e.g. AAPL or 0700.HK."))
        if not symbols:
            return QuoteReport((), tuple(errors))
        try:
            quotes = self.market.quotes(symbols)
        except MarketDataError as exc:
            return QuoteReport((), (*errors, *(QuoteError(s, str(exc)) for s in symbols)))
        # Stale quotes mean the source is down: a symbol missing then is unreachable, not unknown.
        outage = any(q.stale for q in quotes.values())
        errors += [self.unavailable(symbol) if outage else self.unknown(symbol)
                   for symbol in symbols if symbol not in quotes]
        risks = self._risks(list(quotes))
        lines = tuple(QuoteLine(quotes[s], risks.get(s)) for s in symbols if s in quotes)
        return QuoteReport(lines, tuple(errors))

    def unknown(self, symbol: str) -> QuoteError:
        error = UnknownSymbolError(symbol, self.suggestions(symbol), self.market.source)
        return QuoteError(symbol, str(error), tuple(s.symbol for s in error.suggestions))

    def unavailable(self, symbol: str) -> QuoteError:
        return QuoteError(symbol, f"No price for {symbol} right now: {self.market.source} cannot be reached and I "
                                  "have no earlier price for it. Please try again later.")

    def suggestions(self, symbol: str) -> list[SymbolInfo]:
        try:
            return suggest(symbol, self.market.lookup(symbol, limit=10))
        except MarketDataError:
            return []

    def _risks(self, symbols: list[str]) -> dict[str, PriceRiskReading]:
        try:
            return self.price_risk.readings(symbols)
        except MarketDataError as exc:  # the prices are still worth showing without their risk class
            log.warning("risk classes unavailable (%s)", type(exc).__name__)
            return {}

    def chart(self, symbol_text: str, period: str = "") -> Chart:
        """A PNG of one symbol's closes over ``period`` (1m, 6m, 1y, 5y); raises a ``UserError`` for the member."""
        from advisor.market.chart import DEFAULT_PERIOD, PERIODS, price_chart  # matplotlib: on first use only

        period = period.lower() or DEFAULT_PERIOD
        if period not in PERIODS:
            raise MarketDataError(f"Unknown period {period!r}: use one of {', '.join(PERIODS)}.")
        symbol = normalise_symbol(symbol_text)
        quotes = self.market.quotes([symbol])
        if symbol not in quotes:
            raise UnknownSymbolError(symbol, self.suggestions(symbol), self.market.source)
        quote = quotes[symbol]
        end = quote.as_of.date()  # the window ends at the latest price, which may be older than today
        history = self.market.history([symbol], end - timedelta(days=PERIODS[period]), end).get(symbol)
        if history is None or len(history.bars) < 2:
            raise MarketDataError(f"There is not enough price history for {symbol} to draw a {period} chart.")
        return Chart(price_chart(history, quote.name, period), symbol, quote.name, period, history.source,
                     history.stale)
