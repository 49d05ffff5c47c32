"""A fake sharing store and a small market for track-record tests. The keeper needs only ``all_shared()`` (its
``SharedSource`` seam), so an in-memory dict stands in for ``ShareStore`` and lets a test rebalance in one line."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time

from advisor.community.types import Segment, SharedPortfolio
from advisor.market import fake
from advisor.market.data import Bar
from advisor.market.fake import FakeMarketData
from advisor.types import RiskLevel

START = date(2026, 6, 1)  # a Monday


def weekdays(count: int, start: date = START) -> list[date]:
    return fake.weekdays(count, start)


def after_close(day: date) -> datetime:
    """An hour after the fake market's close (21:00 UTC): that day's bar is complete."""
    return datetime.combine(day, time(22, 0), UTC)


def market(closes: Mapping[str, Sequence[float]], start: date = START) -> FakeMarketData:
    """One bar per weekday from ``start`` for each symbol."""
    return FakeMarketData({symbol: [Bar(day, close) for day, close in zip(weekdays(len(series), start), series,
                                                                          strict=True)]
                           for symbol, series in closes.items()})


def fake_close(symbol: str, day: date) -> datetime:
    return datetime.combine(day, time(21, 0), UTC)


@dataclass
class FakeShares:
    """``all_shared()`` as ``ShareStore`` exposes it: what is shared now."""

    shared: dict[tuple[str, str], SharedPortfolio] = field(default_factory=dict)

    def share(self, chat: str, user: str, handle: str, weights: Mapping[str, float], prices: Mapping[str, float],
              at: datetime, risk: RiskLevel | None = "R3") -> SharedPortfolio:
        portfolio = SharedPortfolio(chat, user, handle, at, Segment(at, dict(weights), dict(prices), 1.0), risk)
        self.shared[(chat, user)] = portfolio
        return portfolio

    def rebalance(self, chat: str, user: str, weights: Mapping[str, float], prices: Mapping[str, float],
                  at: datetime) -> None:
        old = self.shared[(chat, user)]
        level = old.segment.level_at(prices)
        assert level is not None
        self.shared[(chat, user)] = replace(old, segment=Segment(at, dict(weights), dict(prices), level))

    def unshare(self, chat: str, user: str) -> None:
        del self.shared[(chat, user)]

    def all_shared(self) -> Iterator[SharedPortfolio]:
        return iter(list(self.shared.values()))
