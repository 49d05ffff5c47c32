"""The arithmetic behind a snapshot: exchange rates over time, the portfolio's daily value series, returns,
maximum drawdown and beta. Pure functions on plain numbers, so the tests can check them by hand.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from advisor.market.data import History, fx_symbol, major_currency


def major_unit(currency: str) -> tuple[str, float]:
    """("GBP", 0.01) for "GBp" (``data.major_currency``, as a scale); (currency, 1.0) for a major unit."""
    unit, divisor = major_currency(currency)
    return unit, 1 / divisor


def fx_pairs(currency: str, base: str) -> list[str]:
    """The pair series that can convert ``currency`` into ``base``: the direct pair, then its inverse."""
    unit, _ = major_unit(currency)
    return [] if unit == base else [fx_symbol(unit, base), fx_symbol(base, unit)]


@dataclass(frozen=True)
class Rate:
    """Base-currency units per unit of a symbol's currency, day by day (the last close on or before a day)."""

    days: tuple[date, ...]  # empty: a constant rate (same currency, maybe a minor unit)
    values: tuple[float, ...]
    scale: float = 1.0
    pair: str | None = None  # the series it came from, for warnings and sources

    @classmethod
    def constant(cls, scale: float = 1.0) -> Rate:
        return cls((), (), scale)

    @classmethod
    def find(cls, currency: str, base: str, histories: Mapping[str, History]) -> Rate | None:
        """The rate from the direct pair if it was served, else from the inverse pair; None when neither was."""
        unit, scale = major_unit(currency)
        if unit == base:
            return cls.constant(scale)
        direct, inverse = fx_symbol(unit, base), fx_symbol(base, unit)
        for pair, invert in ((direct, False), (inverse, True)):
            bars = [b for b in histories[pair].bars if b.close > 0] if pair in histories else []
            if bars:
                values = tuple(1 / b.close if invert else b.close for b in bars)
                return cls(tuple(b.day for b in bars), values, scale, pair)
        return None

    @property
    def first_day(self) -> date | None:
        return self.days[0] if self.days else None

    def latest(self) -> float:
        return self.scale * (self.values[-1] if self.values else 1.0)

    def at(self, day: date) -> float | None:
        """The rate on ``day`` (the last close on or before it); None before the series starts."""
        if not self.days:
            return self.scale
        index = bisect.bisect_right(self.days, day) - 1
        return None if index < 0 else self.scale * self.values[index]


@dataclass(frozen=True)
class Component:
    """One holding in the value series: today's quantity, its closes and the rate into the base currency."""

    quantity: float
    closes: Mapping[date, float]
    rate: Rate


def value_series(components: Sequence[Component]) -> list[tuple[date, float]]:
    """The portfolio's daily value in the base currency with today's quantities.

    Days are the union of the components' trading days, from the first day on which every component (and
    its exchange rate) has a price. A holding whose market is closed on a day keeps its last close: a
    holiday in Hong Kong does not change what the Hong Kong shares are worth on a New York trading day.
    """
    if not components:
        return []
    starts = [min(c.closes) for c in components if c.closes]
    if len(starts) < len(components):
        return []
    starts += [c.rate.first_day for c in components if c.rate.first_day is not None]
    start = max(starts)
    days = sorted({d for c in components for d in c.closes if d >= start})
    last: list[float | None] = [None] * len(components)
    # Seed each component with its last close on or before the start day.
    for i, c in enumerate(components):
        before = [d for d in c.closes if d <= start]
        if before:
            last[i] = c.closes[max(before)]
    series: list[tuple[date, float]] = []
    for day in days:
        total = 0.0
        for i, c in enumerate(components):
            close = c.closes.get(day)
            if close is not None:
                last[i] = close
            rate = c.rate.at(day)
            price = last[i]
            if price is None or rate is None:
                break
            total += c.quantity * price * rate
        else:
            series.append((day, total))
    return series


def simple_returns(values: Sequence[float]) -> list[float]:
    return [b / a - 1 for a, b in pairwise(values) if a > 0]


def max_drawdown(values: Sequence[float]) -> float:
    """The largest fall from a peak to a later trough, as a positive fraction (0.25 is a 25% fall)."""
    peak, worst = float("-inf"), 0.0
    for value in values:
        peak = max(peak, value)
        if peak > 0:
            worst = max(worst, 1 - value / peak)
    return worst


def beta(portfolio: Mapping[date, float], benchmark: Mapping[date, float], minimum: int) -> float | None:
    """Cov(portfolio, benchmark) / Var(benchmark) of daily simple returns between consecutive days on which
    both have a value; None with fewer than ``minimum`` such returns or a flat benchmark."""
    days = sorted(set(portfolio) & set(benchmark))
    pairs = [(portfolio[b] / portfolio[a] - 1, benchmark[b] / benchmark[a] - 1)
             for a, b in pairwise(days) if portfolio[a] > 0 and benchmark[a] > 0]
    if len(pairs) < max(minimum, 2):
        return None
    mean_p = sum(p for p, _ in pairs) / len(pairs)
    mean_b = sum(b for _, b in pairs) / len(pairs)
    covariance = sum((p - mean_p) * (b - mean_b) for p, b in pairs)
    variance = sum((b - mean_b) ** 2 for _, b in pairs)
    return None if variance == 0 else covariance / variance
