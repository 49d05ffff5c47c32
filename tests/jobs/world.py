"""A small offline world for briefing tests: a subscription store, market data, the composer, recording senders.

Nothing here talks to a network; time is whatever the test travels to."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import create_engine

from advisor.briefing.store import SqlBriefingStore
from advisor.briefing.subscription import Subscription
from advisor.market.data import SymbolInfo
from advisor.market.fake import FakeMarketData, daily_bars
from advisor.types import Language
from jobs.briefings import Briefings, Composer
from jobs.delivery import BriefingSender

# Two closes each (the last one makes the move); the indices of every market a test uses, and a few stocks.
CLOSES = {"^GSPC": (6000.0, 6060.0), "^IXIC": (19000.0, 18810.0), "^DJI": (44000.0, 44110.0),
          "^HSI": (25000.0, 25500.0), "^HSCE": (9000.0, 8955.0),
          "000001.SS": (3900.0, 3880.5), "399001.SZ": (12000.0, 12060.0), "000300.SS": (4500.0, 4522.5),
          "AAPL": (230.0, 234.6), "MSFT": (480.0, 470.4), "NVDA": (180.0, 189.0), "0700.HK": (600.0, 594.0)}
NAMES = {"AAPL": "Apple Inc.", "MSFT": "Microsoft Corporation", "NVDA": "NVIDIA Corporation",
         "0700.HK": "Tencent Holdings"}


def market(last_day: date = date(2026, 11, 27)) -> FakeMarketData:
    infos = {symbol: SymbolInfo(symbol, name, "HKD" if symbol.endswith(".HK") else "USD", kind="equity")
             for symbol, name in NAMES.items()}
    return FakeMarketData({symbol: daily_bars(closes, last_day) for symbol, closes in CLOSES.items()}, infos)


def composer() -> Composer:
    from advisor.briefing.compose import BriefingComposer

    return BriefingComposer(None)  # no research retriever: no spotlight, no Chroma


@dataclass
class Delivery:
    chat_id: str
    text: str
    image: bytes | None
    at: float  # the event loop's clock


@dataclass
class RecordingSender:
    """A platform that records what it delivers; ``failures`` are raised, one per call, before anything lands."""

    platform: str = "telegram"
    per_second: float = math.inf
    failures: list[BaseException] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    calls: int = 0

    async def deliver(self, chat_id: str, text: str, image: bytes | None = None) -> None:
        import asyncio

        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        self.deliveries.append(Delivery(chat_id, text, image, asyncio.get_running_loop().time()))

    @property
    def chats(self) -> list[str]:
        return [delivery.chat_id for delivery in self.deliveries]


@dataclass
class Waits:
    """Stands in for ``asyncio.sleep`` in a run: records every wait and returns at once."""

    seconds: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def store(url: str) -> SqlBriefingStore:
    return SqlBriefingStore(create_engine(url))


def briefings(store: SqlBriefingStore, *senders: BriefingSender, data: FakeMarketData | None = None,
              languages: Mapping[str, Language] | None = None, waits: Waits | None = None) -> Briefings:
    chosen = dict(languages or {})
    return Briefings(store, data or market(), composer(), chosen.get, {s.platform: s for s in senders},
                     sleep=waits or Waits())


def subscribe(store: SqlBriefingStore, chat_key: str, **fields: object) -> Subscription:
    return store.save(Subscription(chat_key, **fields))  # type: ignore[arg-type]
