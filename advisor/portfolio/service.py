"""The portfolio feature as members and operators use it: ``add``, ``remove``, ``list``, ``import``, ``export``,
``clear`` and ``snapshot`` for one user, with the words they type parsed here once for the chat commands and
the CLI alike.

A symbol is checked against the market data before it is stored: an unknown one is refused with "did you
mean" suggestions, never swapped for another company. When the source cannot be reached the holding is kept
anyway (nothing a member typed is lost) and the reply says it could not be checked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from advisor.market.data import MarketDataError
from advisor.market.desk import QuoteDesk
from advisor.market.symbols import normalise_symbol
from advisor.portfolio.csvio import export_csv, import_csv
from advisor.portfolio.holdings import Holding, HoldingError, HoldingsStore
from advisor.portfolio.snapshot import Snapshot, take_snapshot
from advisor.profiles import ProfileStore
from knowledge.errors import UserError

log = logging.getLogger(__name__)

ADD_USAGE = "Usage: add SYMBOL QUANTITY [PRICE] [DATE], e.g. add AAPL 10 150.25 2024-03-01 (price per unit)."
REMOVE_USAGE = "Usage: remove SYMBOL [QUANTITY] (without a quantity the whole holding goes)."
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
DAY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


@dataclass
class ImportReport:
    added: int = 0
    merged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    unchecked: bool = False  # the market data could not be reached to check the symbols

    def text(self) -> str:
        imported = self.added + self.merged
        parts = [f"Imported {plural(imported, 'holding')} ({self.merged} merged into ones you had)."]
        if self.unchecked:
            parts.append("I could not reach the market data to check the symbols; they are kept as written.")
        if self.problems:
            parts.append(f"{plural(len(self.problems), 'row')} skipped:")
            parts += [f"line {line}: {message}" for line, message in self.problems[:20]]
            if len(self.problems) > 20:
                parts.append(f"... and {len(self.problems) - 20} more.")
        return "\n".join(parts)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def number(text: str, what: str) -> float:
    if not NUMBER.fullmatch(text):
        raise HoldingError(f"The {what} {text!r} is not a plain number (write it like 1234.5).")
    return float(text)


def day(text: str) -> date:
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise HoldingError(f"The date {text!r} does not exist; write it as YYYY-MM-DD.") from None


def parse_add(args: Sequence[str]) -> Holding:
    """``SYMBOL QUANTITY [PRICE] [DATE]`` (a lone date after the quantity is the date, not a price)."""
    if not 2 <= len(args) <= 4:
        raise HoldingError(ADD_USAGE)
    symbol, quantity, rest = normalise_symbol(args[0]), number(args[1], "quantity"), list(args[2:])
    bought = day(rest.pop()) if rest and DAY.fullmatch(rest[-1]) else None
    if len(rest) > 1 or (rest and not NUMBER.fullmatch(rest[0])):
        raise HoldingError(f"I read {' '.join(rest)!r} as the price but it is not a number. {ADD_USAGE}")
    cost = number(rest[0], "price") if rest else None
    return Holding(symbol, quantity, cost, bought)


class Portfolios:
    def __init__(self, store: HoldingsStore, desk: QuoteDesk, profiles: ProfileStore, *,
                 base_currency: str = "USD", benchmark: str = "SPY") -> None:
        self.store = store
        self.desk = desk
        self.profiles = profiles
        self.base_currency = base_currency
        self.benchmark = benchmark

    def _unknown(self, symbols: Sequence[str]) -> tuple[list[str], bool]:
        """Which of ``symbols`` the market data does not know, and whether it could be asked at all."""
        try:
            found = self.desk.market.quotes(list(symbols))
        except MarketDataError as exc:
            log.warning("symbols not checked: market data unavailable (%s)", type(exc).__name__)
            return [], False
        if any(q.stale for q in found.values()):
            return [], False  # the source is down: a missing symbol may be unknown or just unreachable
        return [s for s in symbols if s not in found], True

    def add(self, user: str, args: Sequence[str]) -> str:
        holding = parse_add(args)
        unknown, checked = self._unknown([holding.symbol])
        if unknown:
            raise UserError(self.desk.unknown(holding.symbol).error)
        merged = self.store.add(user, holding)
        now = self.store.get(user, holding.symbol)
        note = "" if checked else " (I could not reach the market data to check the symbol; kept as written)"
        if merged and now is not None:
            cost = f" at an average {now.cost:,.4g} per unit" if now.cost is not None else \
                " (the average price is unknown: one lot has no price; add it again with one to fix that)"
            return f"Merged into your {holding.symbol} holding: you now have {now.quantity:,g}{cost}{note}."
        return f"Added {holding.quantity:,g} {holding.symbol}{note}."

    def remove(self, user: str, args: Sequence[str]) -> str:
        if not 1 <= len(args) <= 2:
            raise HoldingError(REMOVE_USAGE)
        symbol = normalise_symbol(args[0])
        quantity = number(args[1], "quantity") if len(args) == 2 else None
        if not self.store.remove(user, symbol, quantity):
            raise HoldingError(f"You have no {symbol} holding. /portfolio list shows what you have.")
        left = self.store.get(user, symbol)
        return f"Removed. You now have {left.quantity:,g} {symbol}." if left else f"Removed {symbol}."

    def holdings(self, user: str) -> list[Holding]:
        return self.store.all(user)

    def clear(self, user: str) -> int:
        return self.store.clear(user)

    def export(self, user: str) -> bytes:
        return export_csv(self.store.all(user))

    def import_csv(self, user: str, data: bytes) -> ImportReport:
        """Good rows are kept even when others fail; rows with symbols no source knows are reported."""
        parsed = import_csv(data, normalise_symbol)
        report = ImportReport(problems=list(parsed.problems))
        unknown, checked = self._unknown(list(dict.fromkeys(h.symbol for h in parsed.holdings)))
        report.unchecked = not checked
        keep = []
        for line, holding in zip(parsed.lines, parsed.holdings, strict=True):
            if holding.symbol in unknown:
                report.problems.append((line, self.desk.unknown(holding.symbol).error))
            else:
                keep.append(holding)
        report.problems.sort()
        merged = self.store.add_many(user, keep) if keep else []
        report.merged = sum(merged)
        report.added = len(merged) - report.merged
        return report

    def snapshot(self, user: str, base_currency: str | None = None) -> Snapshot:
        profile = self.profiles.get(user)
        return take_snapshot(self.store.all(user), self.desk.market, base_currency or self.base_currency,
                             self.benchmark, profile_level=profile.level if profile else None, user=user)
