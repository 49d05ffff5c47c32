"""What members type, turned into Yahoo symbols: ``$aapl`` -> ``AAPL``, ``brk.b`` -> ``BRK-B``, ``700.hk`` ->
``0700.HK``, ``btc/usd`` -> ``BTC-USD``, ``^gspc`` -> ``^GSPC``, ``eurusd=x`` -> ``EURUSD=X``, ``gc=f`` -> ``GC=F``.

Normalising only respells: it never swaps one company for another. A symbol nobody knows stays as typed, and
``suggest`` offers candidates that the caller shows ("did you mean ...?") without acting on them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from advisor.market.data import InvalidSymbolError, SymbolInfo, SymbolKind
from advisor.text import HOMOGLYPHS, INVISIBLE

MAX_SYMBOL_LENGTH = 20
MAX_SYMBOLS_PER_REQUEST = 10

# Yahoo's exchange suffixes ("0700.HK") and the exchange each one means. A plain symbol trades in the US.
EXCHANGE_SUFFIXES: dict[str, str] = {
    "AS": "Euronext Amsterdam", "AX": "Australian Securities Exchange", "BA": "Buenos Aires Stock Exchange",
    "BE": "Berlin Stock Exchange", "BK": "Stock Exchange of Thailand", "BO": "BSE (Bombay)",
    "BR": "Euronext Brussels", "CN": "Canadian Securities Exchange", "CO": "Nasdaq Copenhagen",
    "DE": "XETRA", "DU": "Dusseldorf Stock Exchange", "F": "Frankfurt Stock Exchange", "HE": "Nasdaq Helsinki",
    "HK": "Hong Kong Stock Exchange", "HM": "Hamburg Stock Exchange", "IL": "London Stock Exchange (IOB)",
    "IR": "Euronext Dublin", "IS": "Borsa Istanbul", "JK": "Indonesia Stock Exchange",
    "JO": "Johannesburg Stock Exchange", "KL": "Bursa Malaysia", "KQ": "KOSDAQ", "KS": "Korea Exchange",
    "L": "London Stock Exchange", "LS": "Euronext Lisbon", "MC": "Bolsa de Madrid", "MI": "Borsa Italiana",
    "MU": "Munich Stock Exchange", "MX": "Mexican Stock Exchange", "NE": "Cboe Canada",
    "NS": "National Stock Exchange of India", "NZ": "New Zealand Exchange", "OL": "Oslo Bors",
    "PA": "Euronext Paris", "SA": "B3 (Sao Paulo)", "SG": "Stuttgart Stock Exchange",
    "SI": "Singapore Exchange", "SS": "Shanghai Stock Exchange", "ST": "Nasdaq Stockholm",
    "SW": "SIX Swiss Exchange", "SZ": "Shenzhen Stock Exchange", "T": "Tokyo Stock Exchange",
    "TA": "Tel Aviv Stock Exchange", "TO": "Toronto Stock Exchange", "TW": "Taiwan Stock Exchange",
    "TWO": "Taipei Exchange", "V": "TSX Venture Exchange", "VI": "Vienna Stock Exchange",
    "WA": "Warsaw Stock Exchange",
}
# Exchanges whose codes are numbers with a fixed shape; anything else there is a typo worth catching early.
NUMERIC_CODES: dict[str, tuple[re.Pattern[str], str]] = {
    "SS": (re.compile(r"\d{6}"), "Shanghai codes have 6 digits, like 600519.SS"),
    "SZ": (re.compile(r"\d{6}"), "Shenzhen codes have 6 digits, like 000001.SZ"),
    "KS": (re.compile(r"\d{6}"), "Korea Exchange codes have 6 digits, like 005930.KS"),
    "KQ": (re.compile(r"\d{6}"), "KOSDAQ codes have 6 digits, like 035720.KQ"),
    "T": (re.compile(r"\d[0-9A-Z]{3}"), "Tokyo codes have 4 characters, like 7203.T"),
    "TW": (re.compile(r"\d{4,6}"), "Taiwan codes have 4 to 6 digits, like 2330.TW"),
}
# Quote currencies that make "XXX-YYY" a crypto pair rather than a class share ("BRK-B") or a hyphenated name.
CRYPTO_QUOTES = frozenset({"USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "CNY", "HKD", "SGD", "KRW", "INR",
                           "USDT", "USDC", "BTC", "ETH"})

SYMBOL_CHARS = re.compile(r"[A-Z0-9.\-^=/&]+")
PLAIN = re.compile(r"[A-Z0-9][A-Z0-9&]*(?:-[A-Z0-9&]+)*")  # AAPL, BRK-B, BAJAJ-AUTO, M&M, BTC-USD
INDEX = re.compile(r"\^[A-Z0-9][A-Z0-9.\-]*")  # ^GSPC, ^N225, ^STOXX50E
FX_PAIR = re.compile(r"(?:[A-Z]{3}){1,2}=X")  # EURUSD=X, or JPY=X (dollars in yen)
FUTURE = re.compile(r"[A-Z0-9]{1,4}=F")  # GC=F, ES=F
CRYPTO = re.compile(r"([A-Z0-9]{2,10})-([A-Z]{3,4})")  # BTC-USD, ETH-EUR
SEPARATORS = re.compile(r"[\s,;、]+")
# Words of company names too common to say which company was meant ("Inc" would match half the list).
NAME_FILLER = frozenset({"INC", "INCORPORATED", "CO", "CORP", "CORPORATION", "COMPANY", "LTD", "LIMITED", "PLC",
                         "GROUP", "HOLDING", "HOLDINGS", "THE", "AND", "TRUST", "ETF", "FUND", "CLASS", "SHARES"})


def _fold(text: str) -> str:
    """Full-width letters to ASCII, invisible characters out, look-alike letters mapped, upper case.

    The parts of ``advisor.text.normalise`` that suit a symbol; its joining of spaced-out letters does not
    ("A B C" is three words here, not "ABC")."""
    folded = INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    folded = folded.lower().translate(HOMOGLYPHS).strip()
    # Only ASCII is upper-cased: "ß".upper() is "SS", which would pass for the letters of a symbol.
    return folded.upper() if folded.isascii() else folded


def _split_suffix(symbol: str) -> tuple[str, str]:
    """("0700", "HK") for "0700.HK"; ("BRK.B", "") when what follows the dot is not an exchange."""
    base, dot, suffix = symbol.rpartition(".")
    if dot and base and suffix in EXCHANGE_SUFFIXES:
        return base, suffix
    return symbol, ""


def _exchange_code(base: str, suffix: str, text: str) -> str:
    """Check and respell the part before an exchange suffix (Hong Kong pads to 4 digits: 700 -> 0700)."""
    if suffix == "HK":
        if not base.isdigit() or not 0 < int(base) < 100000:
            raise InvalidSymbolError(text, "Hong Kong codes are numbers, like 0700.HK")
        return str(int(base)).zfill(4)  # Yahoo drops extra leading zeros: 00700 -> 0700, 09988 -> 9988
    if suffix in NUMERIC_CODES:
        pattern, rule = NUMERIC_CODES[suffix]
        if not pattern.fullmatch(base):
            raise InvalidSymbolError(text, rule)
    return base


def normalise_symbol(text: str) -> str:
    """The Yahoo spelling of what a member typed, or ``InvalidSymbolError`` saying why it cannot be a symbol."""
    symbol = _fold(text)
    if not symbol:
        raise InvalidSymbolError(text, "it is empty")
    if len(symbol.split()) > 1:
        raise InvalidSymbolError(text, "it has several words; send symbols like AAPL or 0700.HK, separated by commas")
    symbol = symbol.removeprefix("$")  # a cashtag: $AAPL
    if not symbol:
        raise InvalidSymbolError(text, "it is empty")
    if len(symbol) > MAX_SYMBOL_LENGTH:
        raise InvalidSymbolError(text, f"it is longer than {MAX_SYMBOL_LENGTH} characters")
    if not SYMBOL_CHARS.fullmatch(symbol):
        bad = sorted({c for c in symbol if not SYMBOL_CHARS.fullmatch(c)})
        raise InvalidSymbolError(text, "it has characters a symbol never has (" + " ".join(bad) + ")")
    if symbol.startswith("^"):
        if not INDEX.fullmatch(symbol):
            raise InvalidSymbolError(text, "an index is a caret and letters, like ^GSPC")
        return symbol
    if symbol.endswith("=X"):
        if not FX_PAIR.fullmatch(symbol):
            raise InvalidSymbolError(text, "a currency pair is two currency codes and =X, like EURUSD=X")
        return symbol
    if symbol.endswith("=F"):
        if not FUTURE.fullmatch(symbol):
            raise InvalidSymbolError(text, "a future is a short code and =F, like GC=F")
        return symbol
    # "brk/b" and "btc/usd" are spelled with a hyphen at Yahoo; so is a class share written with a dot ("BRK.B"),
    # once an exchange suffix ("RY.TO", "BBD.B.TO") has been taken off the end.
    base, suffix = _split_suffix(symbol.replace("/", "-"))
    if not suffix and "." in base and len(base.rpartition(".")[2]) > 1:
        code = base.rpartition(".")[2]
        reason = ("US symbols take no suffix (AAPL, not AAPL.US)" if code == "US"
                  else f".{code} is not an exchange suffix Yahoo uses (0700.HK, SHEL.L, RY.TO)")
        raise InvalidSymbolError(text, reason)
    base = base.replace(".", "-")
    if not PLAIN.fullmatch(base):
        raise InvalidSymbolError(text, "it should be letters or digits, like AAPL, BRK-B or 0700.HK")
    if suffix:
        return f"{_exchange_code(base, suffix, text)}.{suffix}"
    return base


def exchange_suffix(symbol: str) -> str:
    """The exchange suffix of a normalised symbol ("HK" for "0700.HK"), or "" for none."""
    if symbol.startswith("^") or "=" in symbol:
        return ""
    return _split_suffix(symbol)[1]


def symbol_kind(symbol: str) -> SymbolKind:
    """What the spelling alone says about a normalised symbol. Equities, ETFs and funds look alike: "unknown"."""
    if symbol.startswith("^"):
        return "index"
    if symbol.endswith("=X"):
        return "fx"
    if symbol.endswith("=F"):
        return "future"
    pair = CRYPTO.fullmatch(symbol)
    if pair and pair.group(2) in CRYPTO_QUOTES:
        return "crypto"
    return "unknown"


def quote_currency(symbol: str) -> str | None:
    """The currency a pair is priced in, from its spelling: EURUSD=X -> USD, JPY=X -> JPY, BTC-EUR -> EUR."""
    kind = symbol_kind(symbol)
    if kind == "fx":
        return symbol[-5:-2]
    if kind == "crypto":
        return symbol.rpartition("-")[2]
    return None


def exchange_of(symbol: str) -> str:
    """Where a normalised symbol trades, from its spelling: "Hong Kong Stock Exchange", "US", "Crypto", ..."""
    kind = symbol_kind(symbol)
    if kind != "unknown":
        return {"index": "Index", "fx": "FX", "future": "Futures", "crypto": "Crypto"}[kind]
    suffix = exchange_suffix(symbol)
    return EXCHANGE_SUFFIXES[suffix] if suffix else "US"


def _closeness(query: str, info: SymbolInfo) -> float:
    """How alike a typed symbol (or name) is to a known symbol or its name, 0-1."""
    def ratio(a: str, b: str) -> float:
        return difflib.SequenceMatcher(None, a, b).ratio()

    symbol = info.symbol.upper()
    base = _split_suffix(symbol)[0]
    scores = [ratio(query, symbol), ratio(query, base), ratio(query.lstrip("0"), base.lstrip("0"))]
    name = _fold(info.name).upper()
    words = [w for w in re.split(r"[^A-Z0-9&]+", name) if len(w) >= 3 and w not in NAME_FILLER]
    scores += [ratio(query, name), *(ratio(query, w) for w in words)]
    if len(query) >= 3 and any(w.startswith(query) for w in words):
        scores.append(0.9)  # the start of a word of the name: "APPL" no, "APPLE" yes
    return max(scores)


def suggest(symbol: str, known: Iterable[SymbolInfo], limit: int = 3, cutoff: float = 0.6) -> list[SymbolInfo]:
    """Known symbols that look like what was typed, best first, for a "did you mean" line.

    Only ever shown to the member: the caller must not use one in place of the symbol typed. The symbol
    itself is never its own suggestion."""
    query = _fold(symbol).removeprefix("$")
    if not query:
        return []
    scored = [(_closeness(query, info), info) for info in known if info.symbol.upper() != query]
    scored = [(score, info) for score, info in scored if score >= cutoff]
    scored.sort(key=lambda pair: (-pair[0], pair[1].symbol))
    return [info for _, info in scored[:limit]]


def parse_symbols(text: str, limit: int = MAX_SYMBOLS_PER_REQUEST) -> tuple[list[str], list[tuple[str, str]]]:
    """A command's argument string as symbols: ("AAPL, $msft 0700.hk aapl") -> ["AAPL", "MSFT", "0700.HK"].

    Returns the good symbols (de-duplicated, in order, at most ``limit``) and (input, error) pairs for the rest."""
    symbols: list[str] = []
    errors: list[tuple[str, str]] = []
    typed: set[str] = set()
    seen: set[str] = set()  # symbols already answered, kept or over the limit
    for word in (w for w in SEPARATORS.split(text) if w):
        if word in typed:
            continue
        typed.add(word)
        try:
            symbol = normalise_symbol(word)
        except InvalidSymbolError as error:
            errors.append((word, str(error)))
            continue
        if symbol in seen:
            continue
        seen.add(symbol)
        if len(symbols) >= limit:
            errors.append((word, f"Only {limit} symbols per request: ask for {symbol} separately."))
            continue
        symbols.append(symbol)
    return symbols, errors
