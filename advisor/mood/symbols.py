"""The symbols a chat message mentions, spelled the way market data spells them (for a chat's top symbols).

Reuses what the advisor already knows: ``advisor.securities.named_securities`` finds cashtags ($AAPL), upper-case
tickers (NVDA), known names in English and Chinese (tesla, 茅台) and A-share codes; ``advisor.market.names``
turns them into Yahoo symbols. Added here: codes with an exchange suffix ("0700.HK", "shel.l"), which members
paste from quote pages, respelled by ``advisor.market.symbols.normalise_symbol``.
"""

from __future__ import annotations

import re

from advisor.market.data import InvalidSymbolError
from advisor.market.names import yahoo_symbol
from advisor.market.symbols import EXCHANGE_SUFFIXES, normalise_symbol
from advisor.securities import named_securities
from advisor.text import normalise

SUFFIXES = "|".join(sorted((s.lower() for s in EXCHANGE_SUFFIXES), key=len, reverse=True))
SUFFIXED = re.compile(rf"(?<![\w.$])(?:\d{{3,6}}|[a-z]{{1,5}})\.(?:{SUFFIXES})(?![\w.])")
MAX_SYMBOLS_PER_MESSAGE = 10  # a message listing 40 tickers counts for its first ten


def mentioned_symbols(text: str, normalised: str | None = None) -> tuple[str, ...]:
    """Distinct Yahoo symbols in order of first mention: "$aapl and 腾讯, 700.hk" -> ("AAPL", "0700.HK")."""
    normalised = normalise(text) if normalised is None else normalised
    found: dict[str, None] = {}
    for mention in named_securities(text, normalised):
        symbol = yahoo_symbol(mention)
        if symbol:
            found.setdefault(symbol)
    if "." in normalised:
        for match in SUFFIXED.finditer(normalised):
            try:
                found.setdefault(normalise_symbol(match.group()))
            except InvalidSymbolError:
                continue  # "no.l" is not a London listing we can spell; skip it rather than guess
    return tuple(found)[:MAX_SYMBOLS_PER_MESSAGE]
