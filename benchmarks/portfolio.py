"""Portfolio snapshot and chart timings, and the number of market-data requests a snapshot makes.

    python benchmarks/portfolio.py [--holdings 25] [--runs 20]

The portfolio: ``--holdings`` symbols (a fifth in EUR, a fifth in HKD, the rest in USD) with 400 days of
seeded random-walk closes, FX pairs and SPY, served by ``FakeMarketData`` from memory (the "warm cache" case:
no network, no database). Prints the median and p95 of ``take_snapshot`` and of ``snapshot_chart``, and the
requests per snapshot counted by the fake (target: one quotes and one batched history request).
Targets (issue 8): snapshot <= 100 ms, chart <= 400 ms for 25 holdings.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date

from common import percentile  # also puts the repository on sys.path

os.environ.setdefault("MPLCONFIGDIR", "/tmp/roundtable-bench-mpl")

from advisor.market.data import SymbolInfo
from advisor.market.fake import FakeMarketData, daily_bars
from advisor.portfolio.chart import snapshot_chart
from advisor.portfolio.holdings import Holding
from advisor.portfolio.snapshot import take_snapshot

TODAY = date(2024, 5, 3)
DAYS = 290  # weekdays in 400 calendar days, roughly


def walk(rng: random.Random, start: float, volatility: float) -> list[float]:
    closes = [start]
    for _ in range(DAYS - 1):
        closes.append(closes[-1] * (1 + rng.gauss(0, volatility)))
    return closes


def market(holdings: int) -> tuple[FakeMarketData, list[Holding]]:
    rng = random.Random(8)
    series, infos, lots = {}, {}, []
    for i in range(holdings):
        currency = "EUR" if i % 5 == 1 else "HKD" if i % 5 == 2 else "USD"
        symbol = f"S{i:02d}" + {"EUR": ".DE", "HKD": ".HK", "USD": ""}[currency]
        series[symbol] = daily_bars(walk(rng, rng.uniform(10, 500), rng.uniform(0.005, 0.03)), TODAY)
        infos[symbol] = SymbolInfo(symbol, f"Company {i}", currency)
        lots.append(Holding(symbol, rng.randint(1, 200), rng.uniform(5, 400), date(2023, 9, 1 + i % 28)))
    series["SPY"] = daily_bars(walk(rng, 500, 0.01), TODAY)
    series["EURUSD=X"] = daily_bars(walk(rng, 1.08, 0.004), TODAY)
    series["USDHKD=X"] = daily_bars(walk(rng, 7.8, 0.0005), TODAY)  # only the inverse pair exists for HKD
    return FakeMarketData(series, infos), lots


def timed(runs: int, work: object) -> list[float]:
    assert callable(work)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--holdings", type=int, default=25)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    fake, lots = market(args.holdings)
    snapshot = take_snapshot(lots, fake, today=TODAY, profile_level="C3")
    print(f"{args.holdings} holdings: one snapshot made {fake.calls['quotes']} quotes and {fake.calls['history']} "
          f"history request(s); the history request asked for {len(fake.requested[-1][1])} symbols")
    print(f"valued {sum(h.market_value is not None for h in snapshot.holdings)}/{args.holdings}, "
          f"risk SRRI {snapshot.risk.srri} over {snapshot.risk.returns} returns, warnings: {len(snapshot.warnings)}")
    snapshot_chart(snapshot, snapshot.value_series)  # first draw loads fonts
    for name, work in (("snapshot", lambda: take_snapshot(lots, fake, today=TODAY, profile_level="C3")),
                       ("chart", lambda: snapshot_chart(snapshot, snapshot.value_series))):
        times = timed(args.runs, work)
        print(f"{name:9s} median {statistics.median(times):6.1f} ms   p95 {percentile(times, 95):6.1f} ms   "
              f"({args.runs} runs)")
    png = snapshot_chart(snapshot, snapshot.value_series)
    print(f"chart PNG: {len(png) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
