"""A member types symbols the way people do; we answer in Yahoo's spelling or say why it is not a symbol."""

from __future__ import annotations

import pytest

from advisor.market.data import InvalidSymbolError, SymbolInfo
from advisor.market.symbols import (
    EXCHANGE_SUFFIXES,
    exchange_of,
    exchange_suffix,
    normalise_symbol,
    parse_symbols,
    quote_currency,
    suggest,
    symbol_kind,
)


@pytest.mark.parametrize(("typed", "symbol"), [
    ("$AAPL", "AAPL"), ("aapl", "AAPL"), ("  aapl ", "AAPL"), ("ＡＡＰＬ", "AAPL"), ("AA\u200bPL", "AAPL"),
    ("BRK.B", "BRK-B"), ("BRK-B", "BRK-B"), ("brk/b", "BRK-B"), ("$brk.b", "BRK-B"),
    ("0700.HK", "0700.HK"), ("700.hk", "0700.HK"), ("00700.HK", "0700.HK"), ("9988.hk", "9988.HK"),
    ("600519.SS", "600519.SS"), ("000001.sz", "000001.SZ"), ("RY.TO", "RY.TO"), ("shel.l", "SHEL.L"),
    ("7203.t", "7203.T"), ("sap.de", "SAP.DE"), ("asml.as", "ASML.AS"), ("bhp.ax", "BHP.AX"),
    ("reliance.ns", "RELIANCE.NS"), ("005930.ks", "005930.KS"), ("2330.tw", "2330.TW"), ("nesn.sw", "NESN.SW"),
    ("bbd.b.to", "BBD-B.TO"),  # a class share on an exchange with a suffix
    ("btc-usd", "BTC-USD"), ("eth/eur", "ETH-EUR"), ("^gspc", "^GSPC"), ("^n225", "^N225"),
    ("eurusd=x", "EURUSD=X"), ("jpy=x", "JPY=X"), ("gc=f", "GC=F"),
])
def test_a_member_s_spelling_becomes_the_yahoo_symbol(typed: str, symbol: str) -> None:
    assert normalise_symbol(typed) == symbol


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "it is empty"), ("   ", "it is empty"), ("$", "it is empty"),
    ("A" * 21, "longer than 20 characters"),
    ("$$$", "characters a symbol never has ($)"), ("AAPL?", "characters a symbol never has (?)"),
    ("ß", "characters a symbol never has (ß)"),  # not "SS", which is what "ß".upper() gives
    ("A B C", "several words"), ("buy apple now", "several words"),
    ("AAPL.US", "US symbols take no suffix"), ("AAPL.XX", ".XX is not an exchange suffix"),
    ("60051.SS", "Shanghai codes have 6 digits"), ("1234567.SZ", "Shenzhen codes have 6 digits"),
    ("abc.hk", "Hong Kong codes are numbers"), ("0.HK", "Hong Kong codes are numbers"),
    ("EURUS=X", "two currency codes"), ("ABCDE=F", "a future is a short code"), ("^", "an index is a caret"),
    ("AAPL.", "letters or digits"), ("--", "letters or digits"),
])
def test_junk_is_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidSymbolError) as caught:
        normalise_symbol(typed)
    assert reason in str(caught.value)
    assert caught.value.text == typed


def test_a_dot_before_a_known_exchange_is_a_suffix_and_before_anything_else_a_share_class() -> None:
    assert normalise_symbol("X.V") == "X.V"  # TSX Venture
    assert normalise_symbol("BF.B") == "BF-B"  # Brown-Forman class B
    assert exchange_suffix("X.V") == "V"
    assert exchange_suffix("BF-B") == ""


def test_kind_and_exchange_come_from_the_spelling_alone() -> None:
    assert [symbol_kind(s) for s in ("BTC-USD", "^GSPC", "EURUSD=X", "GC=F", "AAPL", "BRK-B", "0700.HK")] == [
        "crypto", "index", "fx", "future", "unknown", "unknown", "unknown"]
    assert exchange_of("0700.HK") == "Hong Kong Stock Exchange"
    assert exchange_of("600519.SS") == "Shanghai Stock Exchange"
    assert exchange_of("SHEL.L") == "London Stock Exchange"
    assert exchange_of("AAPL") == "US"
    assert exchange_of("BTC-USD") == "Crypto"
    assert exchange_of("EURUSD=X") == "FX"
    for suffix in ("T", "DE", "PA", "AS", "MI", "MC", "SW", "AX", "NS", "BO", "KS", "SI", "TW", "OL", "CO", "ST",
                   "HE", "IL", "JK", "V", "NE"):
        assert EXCHANGE_SUFFIXES[suffix], suffix


def test_a_pair_is_priced_in_its_second_currency() -> None:
    assert quote_currency("EURUSD=X") == "USD"
    assert quote_currency("JPY=X") == "JPY"  # Yahoo's short form: one dollar in yen
    assert quote_currency("BTC-EUR") == "EUR"
    assert quote_currency("AAPL") is None


KNOWN = [SymbolInfo("AAPL", "Apple Inc.", exchange="NASDAQ"), SymbolInfo("AMZN", "Amazon.com, Inc."),
         SymbolInfo("GOOG", "Alphabet Inc."), SymbolInfo("MA", "Mastercard Incorporated"),
         SymbolInfo("0700.HK", "Tencent Holdings Ltd", "HKD"), SymbolInfo("JPM", "JPMorgan Chase & Co.")]


def test_a_typo_gets_suggestions_and_keeps_its_own_spelling() -> None:
    assert normalise_symbol("APPL") == "APPL"  # respelled, never replaced by a company we happen to know
    assert [i.symbol for i in suggest("APPL", KNOWN)] == ["AAPL"]
    assert [i.symbol for i in suggest("apple", KNOWN)] == ["AAPL"]
    assert [i.symbol for i in suggest("AMAZN", KNOWN)] == ["AMZN"]
    assert [i.symbol for i in suggest("GOOGL", KNOWN)] == ["GOOG"]
    assert [i.symbol for i in suggest("700", KNOWN)] == ["0700.HK"]  # the code without its suffix
    assert [i.symbol for i in suggest("tencent", KNOWN)] == ["0700.HK"]


def test_suggestions_never_offer_the_symbol_typed_and_nothing_when_nothing_is_close() -> None:
    assert "AAPL" not in [i.symbol for i in suggest("AAPL", KNOWN)]
    assert suggest("XYZQ", KNOWN) == []
    assert suggest("", KNOWN) == []
    assert suggest("INC", KNOWN) == []  # "Inc." is in half the names and says nothing
    assert len(suggest("A", [SymbolInfo(f"A{i}", "x") for i in range(9)], limit=3)) == 3


def test_a_command_s_arguments_split_on_commas_and_spaces_without_duplicates() -> None:
    symbols, errors = parse_symbols("aapl, $AAPL msft;0700.hk  700.HK,,$$$ AAPL")
    assert symbols == ["AAPL", "MSFT", "0700.HK"]
    assert errors == [("$$$", "'$$$' is not a symbol: it has characters a symbol never has ($).")]
    assert parse_symbols("   ") == ([], [])


def test_a_request_for_more_than_ten_symbols_answers_ten_and_says_why_not_the_rest() -> None:
    typed = " ".join(f"S{i}" for i in range(13)) + " s12 S0"
    symbols, errors = parse_symbols(typed)
    assert symbols == [f"S{i}" for i in range(10)]
    assert errors == [(f"S{i}", f"Only 10 symbols per request: ask for S{i} separately.") for i in (10, 11, 12)]
