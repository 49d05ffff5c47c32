"""A small market for briefing tests: real ``Quote`` objects from the fake provider, closing on Monday
2 March 2026 (New York is on EST until 8 March), and the bundled notes behind the in-memory retriever."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from advisor.briefing.compose import BriefingComposer
from advisor.briefing.subscription import Subscription
from advisor.market.data import Quote, SymbolInfo
from advisor.market.fake import FakeMarketData, daily_bars
from knowledge.retrieval import Retriever

DAY = date(2026, 3, 2)
# previous close, last close: the moves are round numbers so the tests can say them out loud
CLOSES: dict[str, tuple[float, float]] = {
    "^GSPC": (5000.0, 5061.5),  # +1.23 %
    "^IXIC": (16000.0, 15920.0),  # -0.50 %
    "^DJI": (40000.0, 40100.0),  # +0.25 %
    "AAPL": (200.0, 193.8),  # -3.10 %: the day's biggest move
    "MSFT": (400.0, 404.0),  # +1.00 %
    "NVDA": (100.0, 101.5),  # +1.50 %
    "SPY": (500.0, 499.0),  # -0.20 %
    "TSLA": (250.0, 248.0),  # -0.80 %
    "XOM": (100.0, 100.5),  # +0.50 %
    "BTC-USD": (60000.0, 61200.0),  # +2.00 %
    "0700.HK": (400.0, 402.0),  # +0.50 %
}
NAMES = {"AAPL": "Apple Inc.", "^GSPC": "S&P 500", "0700.HK": "Tencent Holdings"}


@pytest.fixture
def market() -> FakeMarketData:
    infos = {s: SymbolInfo(s, NAMES.get(s, s), "HKD" if s.endswith(".HK") else "USD") for s in CLOSES}
    return FakeMarketData({s: daily_bars(list(c), DAY) for s, c in CLOSES.items()}, infos)


@pytest.fixture
def notes(notes_retriever: Callable[[str], Retriever]) -> Retriever:
    return notes_retriever("research")


@pytest.fixture
def composer(notes: Retriever) -> BriefingComposer:
    return BriefingComposer(notes)


@pytest.fixture
def quotes_for(market: FakeMarketData, composer: BriefingComposer) -> Callable[[Subscription], dict[str, Quote]]:
    """What the runner does once per run: one quotes request for the chat's symbols."""
    return lambda sub: market.quotes(composer.symbols(sub))
