"""``MarketData`` over a folder of CSV files: how an operator brings a licensed feed's exports (``csv:DIR``), and
how the bundled offline sample is served.

The folder holds one ``SYMBOL.csv`` per Yahoo symbol (``AAPL.csv``, ``0700.HK.csv``, ``EURUSD=X.csv``) with the
columns ``Date,Open,High,Low,Close,Volume`` (``Adj Close`` may be there too; it is read past: a quote is the
price that traded). An optional ``symbols.csv`` (``symbol,name,currency,exchange``, and ``kind`` if wanted) names
them; a missing currency means USD, except for FX and crypto pairs, whose spelling says it (``USDJPY=X`` is in JPY).

Files come from spreadsheets, so reading is forgiving about form (BOM, CRLF, header case and spacing, unsorted or
repeated dates: the last row of a date wins) and strict about numbers: an empty or non-numeric Open, High, Low or
Volume is None, never 0, and a row without a usable Close is skipped (logged once per file).
"""

from __future__ import annotations

import csv
import logging
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TypeVar, cast

from advisor.market.data import (
    Bar,
    History,
    InvalidSymbolError,
    MarketDataError,
    MarketDataUnavailableError,
    Quote,
    SymbolInfo,
    SymbolKind,
    major_currency,
)
from advisor.market.sessions import close_time
from advisor.market.symbols import exchange_of, exchange_suffix, normalise_symbol, quote_currency, suggest, symbol_kind
from advisor.text import normalise

log = logging.getLogger(__name__)
T = TypeVar("T")

OFFLINE_SAMPLE = Path(__file__).parent / "sample"
SYMBOLS_FILE = "symbols.csv"
REQUIRED_COLUMNS = ("Date", "Close")
KINDS: frozenset[str] = frozenset({"equity", "etf", "index", "crypto", "fx", "future", "fund", "unknown"})

HEADER_ALIASES = {"date": "date", "datetime": "date", "open": "open", "high": "high", "low": "low",
                  "close": "close", "adjclose": "adjclose", "volume": "volume"}
THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")  # "1,234.50" from a spreadsheet
ISO_DAY = re.compile(r"(\d{4})[-/](\d{2})[-/](\d{2})")  # 2018-04-11, 2018/04/11, 2018-04-11 00:00:00-04:00


class CsvFormatError(MarketDataError):
    """A file in the folder cannot be read as the format says; the message names the file and the fix."""


def _read_rows(path: Path) -> list[list[str]]:
    """The CSV rows of ``path`` (UTF-8, BOM or not, any line endings), blank lines left out."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFormatError(f"{path.name} is not UTF-8 text (byte 0x{data[error.start]:02x} at position "
                             f"{error.start}); save it as CSV UTF-8.") from None
    return [row for row in csv.reader(text.splitlines()) if any(cell.strip() for cell in row)]


def _header(row: Sequence[str]) -> dict[str, int]:
    """Column positions by canonical name: " Adj_Close " -> "adjclose". The first of a repeated name wins."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = re.sub(r"[\s_]+", "", cell.strip().casefold())
        positions.setdefault(HEADER_ALIASES.get(key, key), index)
    return positions


def _number(cell: str) -> float | None:
    text = cell.strip()
    if not text:
        return None
    if THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return None  # empty, "null", "-", "n/a": missing
    return value if math.isfinite(value) else None


def _price(cell: str) -> float | None:
    value = _number(cell)
    return value if value is not None and value > 0 else None  # a zero price is a gap in the export


def _day(cell: str) -> date | None:
    match = ISO_DAY.match(cell.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def read_bars(path: Path) -> tuple[Bar, ...]:
    """The daily bars of one price file, oldest first, one per date (the last row of a date wins)."""
    rows = _read_rows(path)
    if not rows:
        return ()
    columns = _header(rows[0])
    if not all(name.casefold() in columns for name in REQUIRED_COLUMNS):
        raise CsvFormatError(f"{path.name} needs the columns {' and '.join(REQUIRED_COLUMNS)} (Open, High, Low, "
                             f"Volume and Adj Close are optional); its header is: {','.join(rows[0])}")

    def cell(row: Sequence[str], name: str) -> str:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else ""

    by_day: dict[date, Bar] = {}
    skipped: list[int] = []  # line numbers (the header is line 1)
    for line, row in enumerate(rows[1:], start=2):
        day, close = _day(cell(row, "date")), _price(cell(row, "close"))
        if day is None or close is None:
            skipped.append(line)
            continue
        volume = _number(cell(row, "volume"))
        by_day[day] = Bar(day, close, _price(cell(row, "open")), _price(cell(row, "high")),
                          _price(cell(row, "low")), round(volume) if volume is not None and volume >= 0 else None)
    if skipped and not by_day:
        raise CsvFormatError(f"{path.name} has {len(skipped)} rows but none with a date (YYYY-MM-DD) and a "
                             "positive Close.")
    if skipped:
        log.warning("%s: skipped %d rows without a usable date or Close (first on line %d)", path.name,
                    len(skipped), skipped[0])
    return tuple(by_day[day] for day in sorted(by_day))


def read_symbols_file(path: Path) -> dict[str, SymbolInfo]:
    """``symbols.csv``: names, currencies, exchanges (and kinds) by normalised symbol."""
    rows = _read_rows(path)
    if not rows:
        return {}
    columns = _header(rows[0])
    if "symbol" not in columns:
        raise CsvFormatError(f"{path.name} needs a symbol column (name, currency and exchange are optional); "
                             f"its header is: {','.join(rows[0])}")

    def cell(row: Sequence[str], name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    infos: dict[str, SymbolInfo] = {}
    for line, row in enumerate(rows[1:], start=2):
        try:
            symbol = normalise_symbol(cell(row, "symbol"))
        except InvalidSymbolError as error:
            log.warning("%s line %d skipped: %s", path.name, line, error)
            continue
        # Yahoo's minor units are spelled in mixed case (GBp is pence, ZAc cents): keep a deliberate spelling.
        currency = cell(row, "currency")
        currency = currency.upper() if currency.islower() else currency
        if currency and not re.fullmatch(r"[A-Za-z]{3}", currency):
            log.warning("%s line %d: currency %r is not a 3-letter code; using the default", path.name, line,
                        currency)
            currency = ""
        kind = cell(row, "kind").lower()
        infos[symbol] = SymbolInfo(symbol, cell(row, "name") or symbol, currency or _default_currency(symbol),
                                   cell(row, "exchange") or exchange_of(symbol),
                                   _kind(kind) if kind in KINDS else symbol_kind(symbol))
    return infos


def _kind(text: str) -> SymbolKind:
    kinds: dict[str, SymbolKind] = {"equity": "equity", "etf": "etf", "index": "index", "crypto": "crypto",
                                    "fx": "fx", "future": "future", "fund": "fund"}
    return kinds.get(text, "unknown")


def _default_currency(symbol: str) -> str:
    return quote_currency(symbol) or "USD"


@dataclass(frozen=True)
class _Cached:
    signature: tuple[int, int]  # (mtime_ns, size): a changed file is read again
    value: object


class CsvMarketData:
    """Quotes, history and lookup from a folder of ``SYMBOL.csv`` files, each parsed once per version."""

    def __init__(self, folder: Path, source: str | None = None) -> None:
        if not folder.exists():
            raise MarketDataError(f"The market data folder {folder} does not exist.")
        if not folder.is_dir():
            raise MarketDataError(f"The market data path {folder} is not a folder of SYMBOL.csv files.")
        self.folder = folder
        self.source = source or f"csv:{folder}"
        self._cache: dict[Path, _Cached] = {}
        self._lock = threading.Lock()
        self._said_usd: set[str] = set()

    def _cached(self, path: Path, read: Callable[[Path], T]) -> T | None:
        """``read(path)``, or what it returned last time if the file has not changed since."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise MarketDataUnavailableError(self.source, f"cannot read {path.name}: {error.strerror}") from None
        signature = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            hit = self._cache.get(path)
        if hit is not None and hit.signature == signature:
            return cast(T, hit.value)
        try:
            value = read(path)
        except FileNotFoundError:
            return None  # removed while we looked
        except OSError as error:
            raise MarketDataUnavailableError(self.source, f"cannot read {path.name}: {error.strerror}") from None
        with self._lock:
            self._cache[path] = _Cached(signature, value)
        return value

    def _files(self) -> dict[str, Path]:
        """Price files by normalised symbol ("BRK.B.csv" serves BRK-B), re-listed when the folder changes."""
        return self._cached(self.folder, self._list_folder) or {}

    def _list_folder(self, folder: Path) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() != ".csv" or path.name.lower() == SYMBOLS_FILE or not path.is_file():
                continue
            try:
                symbol = normalise_symbol(path.stem)
            except InvalidSymbolError as error:
                log.warning("%s: %s is not named after a symbol (%s)", self.source, path.name, error)
                continue
            if symbol in files:
                log.warning("%s: %s and %s are both %s; using the first", self.source, files[symbol].name,
                            path.name, symbol)
                continue
            files[symbol] = path
        return files

    def _bars(self, symbol: str) -> tuple[Bar, ...]:
        path = self._files().get(symbol)
        bars = (self._cached(path, read_bars) if path else None) or ()
        named = self._named().get(symbol)
        divisor = major_currency(named.currency)[1] if named else 1.0
        if divisor == 1.0:
            return bars
        return tuple(replace(b, close=b.close / divisor, open=_scaled(b.open, divisor), high=_scaled(b.high, divisor),
                             low=_scaled(b.low, divisor)) for b in bars)  # pence to pounds, like Yahoo

    def _named(self) -> dict[str, SymbolInfo]:
        return self._cached(self.folder / SYMBOLS_FILE, read_symbols_file) or {}

    def info(self, symbol: str) -> SymbolInfo | None:
        """What the folder says about a symbol it has a price file for, or None."""
        if symbol not in self._files():
            return None
        named = self._named().get(symbol)
        if named:
            return replace(named, currency=major_currency(named.currency)[0])
        if exchange_suffix(symbol) and symbol not in self._said_usd:
            self._said_usd.add(symbol)
            log.warning("%s: no currency for %s in %s; assuming USD", self.source, symbol, SYMBOLS_FILE)
        return SymbolInfo(symbol, symbol, _default_currency(symbol), exchange_of(symbol), symbol_kind(symbol))

    def known_symbols(self) -> list[SymbolInfo]:
        """Every symbol with a price file, in symbol order (for suggestions)."""
        return [info for symbol in sorted(self._files()) if (info := self.info(symbol))]

    def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        found: dict[str, Quote] = {}
        for symbol in symbols:
            bars, info = self._bars(symbol), self.info(symbol)
            if not bars or info is None:
                continue
            last, previous = bars[-1], bars[-2] if len(bars) > 1 else None
            found[symbol] = Quote(symbol, info.name, last.close, previous.close if previous else None, last.low,
                                  last.high, info.currency, close_time(symbol, last.day), self.source)
        return found

    def history(self, symbols: Sequence[str], start: date, end: date | None = None) -> dict[str, History]:
        found: dict[str, History] = {}
        for symbol in symbols:
            info = self.info(symbol)
            bars = tuple(b for b in self._bars(symbol) if b.day >= start and (end is None or b.day <= end))
            if bars and info is not None:
                found[symbol] = History(symbol, info.currency, bars, self.source, close_time(symbol, bars[-1].day))
        return found

    def lookup(self, query: str, limit: int = 5) -> list[SymbolInfo]:
        """Symbols and names matching ``query``: exact symbol, symbol prefix, name or name-word prefix, then
        symbol and name containing it, then look-alikes ("APPL" finds AAPL) for "did you mean" lines."""
        needle = normalise(query).removeprefix("$")
        if not needle:
            return []
        ranked: list[tuple[int, str, SymbolInfo]] = []
        for info in self.known_symbols():
            symbol, name = info.symbol.casefold(), normalise(info.name)
            base = symbol.rpartition(".")[0] if exchange_suffix(info.symbol) else symbol
            words = re.split(r"[^\w&]+", name)
            rank = (0 if needle in (symbol, base) else 1 if symbol.startswith(needle)
                    else 2 if name.startswith(needle) or any(w.startswith(needle) for w in words)
                    else 3 if needle in symbol else 4 if needle in name else None)
            if rank is not None:
                ranked.append((rank, info.symbol, info))
        ranked.sort(key=lambda item: item[:2])
        found = [info for _, _, info in ranked[:limit]]
        if len(found) < limit:
            others = [info for info in self.known_symbols() if info not in found]
            found += suggest(query, others, limit=limit - len(found))
        return found


def _scaled(value: float | None, divisor: float) -> float | None:
    return None if value is None else value / divisor


def offline_market_data() -> CsvMarketData:
    """The bundled sample (real adjusted closes of 20 US stocks and SPY, to 2018-04-11): demos and tests."""
    return CsvMarketData(OFFLINE_SAMPLE, source="offline sample")
