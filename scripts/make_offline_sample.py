"""Build the bundled offline sample (advisor/market/sample/) from real prices in ../shared.

Source: PyPortfolioOpt's test resources (robertmartin8/PyPortfolioOpt, commit 65cabcee11d91777d63628744c36869ec64a1c85,
tests/resources/stock_prices.csv and spy_prices.csv, MIT): adjusted closes of 20 US stocks and SPY. We keep the
last three years of the stock file (2015-04-13 .. 2018-04-11) so 252-day risk and 6-month charts have data.
Those files hold closes only, so Open/High/Low/Volume are written empty: missing, never invented.

Run from the repository root: python scripts/make_offline_sample.py [PRICES_DIR]. Tests do not run it.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRICES = ROOT.parent / "shared" / "data" / "prices" / "pyportfolioopt"
SAMPLE = ROOT / "advisor" / "market" / "sample"
FIRST_DAY, LAST_DAY = "2015-04-13", "2018-04-11"

# Names as the companies were called in 2018, when the sample ends (Facebook has traded as META since 2022).
SYMBOLS = [
    ("AAPL", "Apple Inc.", "NASDAQ", "equity"), ("AMD", "Advanced Micro Devices, Inc.", "NASDAQ", "equity"),
    ("AMZN", "Amazon.com, Inc.", "NASDAQ", "equity"), ("BABA", "Alibaba Group Holding Limited (ADR)", "NYSE", "equity"),
    ("BAC", "Bank of America Corporation", "NYSE", "equity"), ("BBY", "Best Buy Co., Inc.", "NYSE", "equity"),
    ("FB", "Facebook, Inc.", "NASDAQ", "equity"), ("GE", "General Electric Company", "NYSE", "equity"),
    ("GM", "General Motors Company", "NYSE", "equity"), ("GOOG", "Alphabet Inc. (Class C)", "NASDAQ", "equity"),
    ("JPM", "JPMorgan Chase & Co.", "NYSE", "equity"), ("MA", "Mastercard Incorporated", "NYSE", "equity"),
    ("PFE", "Pfizer Inc.", "NYSE", "equity"), ("RRC", "Range Resources Corporation", "NYSE", "equity"),
    ("SBUX", "Starbucks Corporation", "NASDAQ", "equity"), ("SHLD", "Sears Holdings Corporation", "NASDAQ", "equity"),
    ("SPY", "SPDR S&P 500 ETF Trust", "NYSE Arca", "etf"), ("T", "AT&T Inc.", "NYSE", "equity"),
    ("UAA", "Under Armour, Inc. (Class A)", "NYSE", "equity"), ("WMT", "Walmart Inc.", "NYSE", "equity"),
    ("XOM", "Exxon Mobil Corporation", "NYSE", "equity"),
]


def read_closes(path: Path) -> dict[str, dict[str, float]]:
    """{symbol: {day: close}} for the sample's days, from a wide date,SYM1,SYM2,... file."""
    closes: dict[str, dict[str, float]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        symbols = next(reader)[1:]
        for row in reader:
            day = row[0]
            if not FIRST_DAY <= day <= LAST_DAY:
                continue
            for symbol, cell in zip(symbols, row[1:], strict=True):
                if cell.strip():
                    closes.setdefault(symbol, {})[day] = float(cell)
    return closes


def main(prices: Path = PRICES) -> None:
    closes = read_closes(prices / "stock_prices.csv") | read_closes(prices / "spy_prices.csv")
    assert sorted(closes) == sorted(s for s, *_ in SYMBOLS), sorted(closes)
    SAMPLE.mkdir(parents=True, exist_ok=True)
    for symbol, series in sorted(closes.items()):
        with (SAMPLE / f"{symbol}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["Date", "Open", "High", "Low", "Close", "Volume"])
            for day in sorted(series):
                writer.writerow([day, "", "", "", f"{series[day]:.4f}", ""])
    with (SAMPLE / "symbols.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["symbol", "name", "currency", "exchange", "kind"])
        writer.writerows([symbol, name, "USD", exchange, kind] for symbol, name, exchange, kind in SYMBOLS)
    print(f"wrote {len(closes)} price files to {SAMPLE}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PRICES)
