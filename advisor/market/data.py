"""What market data looks like when it crosses the provider seam, and the seam itself.

A provider answers for the symbols it knows and leaves the others out of its result (the caller reports them
as unknown, with suggestions from ``lookup``); it raises ``MarketDataUnavailableError`` only when it could not
ask at all (an outage, a deadline). FX rates are ordinary series of Yahoo pair symbols (``EURUSD=X``: the
price of one EUR in USD), so a csv folder brings them the same way as stocks.

Errors (all ``UserError``: their messages are written for members):

    MarketDataError
    ├── InvalidSymbolError          not a symbol at all ("$$$", "A B C", 40 characters)
    ├── UnknownSymbolError          well-formed, but no provider knows it (carries suggestions)
    └── MarketDataUnavailableError  the provider could not be reached in time
        └── PartialMarketDataError  some symbols answered before it failed (``found``); a cache stores them
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, Literal, Protocol, TypeVar

from knowledge.errors import UserError

T = TypeVar("T")
SymbolKind = Literal["equity", "etf", "index", "crypto", "fx", "future", "fund", "unknown"]


@dataclass(frozen=True)
class SymbolInfo:
    symbol: str  # Yahoo spelling: "AAPL", "BRK-B", "0700.HK", "BTC-USD", "^GSPC", "EURUSD=X"
    name: str
    currency: str = "USD"
    exchange: str = ""
    kind: SymbolKind = "unknown"


@dataclass(frozen=True)
class Quote:
    symbol: str
    name: str
    price: float
    previous_close: float | None
    day_low: float | None
    day_high: float | None
    currency: str
    as_of: datetime  # timezone-aware: when the price was made, not when we fetched it
    source: str  # "yahoo", "offline sample", "csv:/path"
    stale: bool = False  # served from the cache because the provider could not be reached

    @property
    def change(self) -> float | None:
        return None if self.previous_close is None else self.price - self.previous_close

    @property
    def change_pct(self) -> float | None:
        """A fraction (0.012 is +1.2%), or None without a previous close."""
        if self.previous_close is None or self.previous_close == 0:
            return None
        return self.price / self.previous_close - 1


@dataclass(frozen=True)
class Bar:
    day: date
    close: float
    open: float | None = None
    high: float | None = None
    low: float | None = None
    volume: int | None = None


@dataclass(frozen=True)
class History:
    """Daily bars, oldest first, with no gaps filled in: a missing day is missing."""

    symbol: str
    currency: str
    bars: tuple[Bar, ...]
    source: str
    as_of: datetime  # the last bar's close time (or when it was fetched, for a live session)
    stale: bool = False

    def closes(self) -> dict[date, float]:
        return {bar.day: bar.close for bar in self.bars}

    def since(self, start: date) -> History:
        return History(self.symbol, self.currency, tuple(b for b in self.bars if b.day >= start), self.source,
                       self.as_of, self.stale)


class MarketData(Protocol):
    """The provider seam. Implementations: ``YahooMarketData``, ``CsvMarketData`` (offline sample or csv:DIR),
    ``MarketDataCache`` (wraps any of them) and ``FakeMarketData`` for tests."""

    source: str

    def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        """Latest quotes for the symbols it knows (normalised Yahoo symbols in, same keys out)."""
        ...

    def history(self, symbols: Sequence[str], start: date, end: date | None = None) -> dict[str, History]:
        """Daily bars from ``start`` to ``end`` (inclusive; None = today), in one batched request."""
        ...

    def lookup(self, query: str, limit: int = 5) -> list[SymbolInfo]:
        """Symbols whose symbol or name matches ``query`` best first (for "did you mean" and names)."""
        ...


# Yahoo prices some listings in minor units, spelled in mixed case: London in pence (GBp), Johannesburg in cents
# (ZAc), Tel Aviv in agorot (ILA). Providers report them in the major unit, so every sum and FX rate agrees.
MINOR_UNITS: dict[str, str] = {"GBp": "GBP", "GBX": "GBP", "ZAc": "ZAR", "ZAC": "ZAR", "ILA": "ILS"}


def major_currency(code: str) -> tuple[str, float]:
    """The major currency for ``code`` and what to divide its prices by: ("GBP", 100.0) for "GBp"."""
    if code in MINOR_UNITS:
        return MINOR_UNITS[code], 100.0
    return code.upper(), 1.0


def fx_symbol(base: str, quote: str) -> str:
    """The Yahoo pair whose price is one ``base`` in ``quote``: fx_symbol("EUR", "USD") == "EURUSD=X"."""
    return f"{base.upper()}{quote.upper()}=X"


class MarketDataError(UserError):
    pass


class InvalidSymbolError(MarketDataError):
    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{text!r} is not a symbol: {reason}.")
        self.text = text


class UnknownSymbolError(MarketDataError):
    def __init__(self, symbol: str, suggestions: Sequence[SymbolInfo] = (), source: str = "") -> None:
        hint = ("Did you mean " + " or ".join(f"{s.symbol} ({s.name})" for s in suggestions[:3]) + "?"
                if suggestions else "Check the spelling, or add the exchange suffix (0700.HK, SHEL.L, RY.TO).")
        where = f" ({source} has no such symbol)" if source else ""
        super().__init__(f"I don't know the symbol {symbol}{where}. {hint}")
        self.symbol = symbol
        self.suggestions = tuple(suggestions)


class MarketDataUnavailableError(MarketDataError):
    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"Market data from {source} is unavailable right now ({reason}). Please try again later.")
        self.source = source


class PartialMarketDataError(MarketDataUnavailableError, Generic[T]):
    """Some symbols answered, others failed: ``found`` holds what arrived, ``failed`` the rest."""

    def __init__(self, source: str, reason: str, found: Mapping[str, T], failed: Sequence[str]) -> None:
        super().__init__(source, reason)
        self.found = dict(found)
        self.failed = tuple(failed)
