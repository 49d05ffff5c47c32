"""What a shared portfolio costs when its owner trades: market-data requests, and the time to publish the change
and write one private note per follower, through the Router (stores in a temp SQLite file; every follower has
a risk profile, read and decrypted for their note).

    python benchmarks/sharing.py [--followers 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from common import ROOT  # noqa: F401  (puts the repository first on sys.path: benchmarks/advisor.py is not the package)
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.community.sharing import Follow, ShareStore
from advisor.composer import GroundedComposer
from advisor.market.desk import QuoteDesk
from advisor.market.fake import FakeMarketData, daily_bars
from advisor.market.pricerisk import PriceRisk
from advisor.portfolio.holdings import SqlHoldingsStore
from advisor.portfolio.service import Portfolios
from advisor.profiles import SqlProfileStore
from advisor.suitability import Profile
from advisor.types import INVESTOR_LEVELS
from bots.chat.community import Community
from bots.chat.markets import MarketCommands
from bots.chat.messages import Incoming
from bots.chat.modstore import ModerationStore
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from bots.chat.sharing import SharingCommands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--followers", type=int, default=1000)
    args = parser.parse_args()
    end = date.today()
    market = FakeMarketData({symbol: daily_bars([price] * 300, end)
                             for symbol, price in {"AAA": 100.0, "BBB": 50.0, "CCC": 20.0, "SPY": 400.0}.items()})
    with tempfile.TemporaryDirectory() as tmp:
        key = Fernet.generate_key()
        profiles = SqlProfileStore.open(f"sqlite:///{Path(tmp) / 'rt.db'}", key)
        desk = QuoteDesk(market, PriceRisk(market))
        portfolios = Portfolios(SqlHoldingsStore(profiles.engine, key), desk, profiles)
        store = ShareStore(profiles.engine)
        sharing = SharingCommands(store, portfolios, moderation=ModerationStore(profiles.engine))
        router = Router(Advisor(lambda _: None, GroundedComposer(), profiles),  # type: ignore[arg-type,return-value]
                        profiles, ChatSettingsStore(profiles.engine), FixedCollections({"research"}),
                        markets=MarketCommands(desk, portfolios), community=Community(sharing=sharing))

        def say(text: str, chat: str = "1", kind: str = "private") -> list[object]:
            return list(router.handle(Incoming("telegram", chat, kind, "1", "Alice", text,  # type: ignore[arg-type]
                                               username="alice")))

        say("/portfolio add AAA 6")
        say("/portfolio add BBB 8")
        before = dict(market.calls)
        say("/portfolio share", chat="-100", kind="group")
        shared = store.shared("telegram:-100", "telegram:1")
        assert shared is not None
        share_calls = {k: market.calls[k] - before[k] for k in before}
        since = datetime.now(UTC) - timedelta(days=2)
        for n in range(args.followers):  # every follower has a risk profile (read, decrypted, per note)
            profiles.save(Profile(f"telegram:{1000 + n}", INVESTOR_LEVELS[n % 5]))
            store.follow(Follow("telegram:-100", f"telegram:{1000 + n}", "telegram:1", 0.10, shared.segment, since))
        before = dict(market.calls)
        started = time.perf_counter()
        replies = say("/portfolio add CCC 50")  # 1000 of CCC: a 50-point change
        elapsed = time.perf_counter() - started
        trade_calls = {k: market.calls[k] - before[k] for k in before}
        notes = sum(1 for r in replies if getattr(r, "recipient", ""))
        started = time.perf_counter()
        say("/portfolio add AAA 0.1")  # a small change: compared, nothing published
        small = time.perf_counter() - started
    print(f"share: market requests {share_calls}")
    print(f"trade with {args.followers} followers: {notes} notes in {elapsed:.2f} s "
          f"(market requests {trade_calls})")
    print(f"small trade (nothing published): {small * 1000:.0f} ms")


if __name__ == "__main__":
    main()
