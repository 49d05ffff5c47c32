"""What a shared portfolio is, for the parts that read it: /portfolio view, follower notes, track records.

A shared portfolio publishes weights only (never quantities or money). Its performance is a value index that
starts at 1.0 when it is shared: within a segment the published weights are held buy-and-hold from the prices
of the segment's start, and when the member rebalances (their holdings change) a new segment starts at the old
segment's level with the new weights and the prices then. So the index is the return a follower who copied
every published change would have had, before costs; it never uses quantities.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from advisor.types import RISK_LEVELS, RiskLevel


@dataclass(frozen=True)
class Segment:
    start: datetime  # timezone-aware
    weights: Mapping[str, float]  # symbol -> weight, summing to 1
    prices: Mapping[str, float]  # symbol -> price at ``start``, in the symbol's own currency
    level: float  # the index level at ``start`` (1.0 for the first segment)

    def level_at(self, prices: Mapping[str, float]) -> float | None:
        """The index level at ``prices`` (symbol -> price); None when a symbol's price is missing."""
        total = 0.0
        for symbol, weight in self.weights.items():
            now, then = prices.get(symbol), self.prices.get(symbol)
            if now is None or not then:
                return None
            total += weight * now / then
        return self.level * total

    def drifted_weights(self, prices: Mapping[str, float]) -> dict[str, float] | None:
        """The published weights after prices moved (buy-and-hold): what a follower holds now."""
        grown = {}
        for symbol, weight in self.weights.items():
            now, then = prices.get(symbol), self.prices.get(symbol)
            if now is None or not then:
                return None
            grown[symbol] = weight * now / then
        total = sum(grown.values())
        return {symbol: value / total for symbol, value in grown.items()} if total > 0 else None


@dataclass(frozen=True)
class SharedPortfolio:
    chat_key: str  # the group it was shared to
    user_key: str  # the member ("platform:user_id")
    handle: str  # how the group names them: @username, else their display name
    shared_at: datetime  # timezone-aware; when the first segment started
    segment: Segment  # the current weights
    risk: RiskLevel | None  # the portfolio's risk class when last published (None: not enough price history)

    def return_at(self, prices: Mapping[str, float]) -> float | None:
        """Return since sharing, as a fraction (0.05 = +5%), at ``prices``; None when a price is missing."""
        level = self.segment.level_at(prices)
        return None if level is None else level - 1.0


def stored_risk(value: str | None) -> RiskLevel | None:
    """A risk class read back from a database column; None for anything that is not one (never measured)."""
    return next((level for level in RISK_LEVELS if level == value), None)

