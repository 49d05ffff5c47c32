"""An operator points Roundtable at a folder of CSV exports (csv:DIR); the offline sample is such a folder."""

from __future__ import annotations

import logging
import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from advisor.market.csvdir import OFFLINE_SAMPLE, CsvFormatError, CsvMarketData, offline_market_data
from advisor.market.data import Bar, MarketDataError
from advisor.market.sessions import close_time

NEW_YORK = ZoneInfo("America/New_York")

YAHOO_EXPORT = """Date,Open,High,Low,Close,Adj Close,Volume
2024-01-03,184.22,185.88,183.43,184.25,183.73,58414500
2024-01-04,182.15,183.09,180.88,181.91,181.40,71983600
2024-01-05,181.99,182.76,180.17,181.18,180.68,62303300
"""


def folder_with(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return tmp_path


def test_a_yahoo_export_gives_a_quote_from_its_last_two_bars(tmp_path: Path) -> None:
    market = CsvMarketData(folder_with(tmp_path, {"AAPL.csv": YAHOO_EXPORT}))
    quote = market.quotes(["AAPL", "MSFT"])
    assert list(quote) == ["AAPL"]  # MSFT has no file: left out, for the caller to report as unknown
    aapl = quote["AAPL"]
    assert (aapl.price, aapl.previous_close, aapl.day_low, aapl.day_high) == (181.18, 181.91, 180.17, 182.76)
    assert aapl.change == pytest.approx(-0.73)
    assert aapl.currency == "USD"  # no symbols.csv: the format says USD
    assert aapl.name == "AAPL"
    assert aapl.as_of == datetime(2024, 1, 5, 16, 0, tzinfo=NEW_YORK)
    assert aapl.source == f"csv:{tmp_path}"
    assert aapl.stale is False


def test_history_is_inclusive_and_oldest_first(tmp_path: Path) -> None:
    market = CsvMarketData(folder_with(tmp_path, {"AAPL.csv": YAHOO_EXPORT}), source="feed")
    history = market.history(["AAPL", "NOPE"], date(2024, 1, 4), date(2024, 1, 5))
    assert list(history) == ["AAPL"]
    assert history["AAPL"].bars == (Bar(date(2024, 1, 4), 181.91, 182.15, 183.09, 180.88, 71983600),
                                     Bar(date(2024, 1, 5), 181.18, 181.99, 182.76, 180.17, 62303300))
    assert history["AAPL"].source == "feed"
    assert history["AAPL"].as_of == datetime(2024, 1, 5, 16, 0, tzinfo=NEW_YORK)
    assert market.history(["AAPL"], date(2025, 1, 1)) == {}  # nothing in the window


def test_a_spreadsheet_save_with_bom_crlf_and_a_messy_header_reads_the_same(tmp_path: Path) -> None:
    messy = "\ufeff date ,OPEN, High,low , Adj_Close ,CLOSE,volume\r\n" \
            "2024-01-04,182.15,183.09,180.88,181.40,181.91,71983600\r\n\r\n" \
            "2024-01-05,181.99,182.76,180.17,180.68,\"181.18\",\"62,303,300\"\r\n"
    market = CsvMarketData(folder_with(tmp_path, {"AAPL.csv": messy}))
    bars = market.history(["AAPL"], date(2024, 1, 1))["AAPL"].bars
    assert [(b.day, b.close, b.volume) for b in bars] == [(date(2024, 1, 4), 181.91, 71983600),
                                                          (date(2024, 1, 5), 181.18, 62303300)]


def test_empty_cells_are_missing_never_zero_and_a_row_without_a_close_is_skipped_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    gaps = ("Date,Open,High,Low,Close,Volume\n"
            "2024-01-02,,,,100.5,\n"
            "2024-01-03,null,0,n/a,101.25,-\n"
            "2024-01-04,101,102,100,,5000\n"  # no Close: skipped
            "2024-01-05,101,103,99,abc,5000\n")  # a Close that is not a number: skipped
    market = CsvMarketData(folder_with(tmp_path, {"X.csv": gaps}))
    with caplog.at_level(logging.WARNING, logger="advisor.market.csvdir"):
        quote = market.quotes(["X"])["X"]
        market.quotes(["X"])
    assert (quote.price, quote.previous_close, quote.day_low, quote.day_high) == (101.25, 100.5, None, None)
    bars = market.history(["X"], date(2024, 1, 1))["X"].bars
    assert [(b.open, b.high, b.low, b.volume) for b in bars] == [(None, None, None, None)] * 2
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == ["X.csv: skipped 2 rows without a usable date or Close (first on line 4)"]


def test_unsorted_and_repeated_dates_are_sorted_and_the_last_row_wins(tmp_path: Path) -> None:
    shuffled = ("Date,Close\n2024-01-05,12\n2024-01-03,10\n2024-01-04,11\n2024-01-05,12.5\n")
    market = CsvMarketData(folder_with(tmp_path, {"X.csv": shuffled}))
    assert market.history(["X"], date(2024, 1, 1))["X"].closes() == {
        date(2024, 1, 3): 10, date(2024, 1, 4): 11, date(2024, 1, 5): 12.5}
    assert market.quotes(["X"])["X"].previous_close == 11


def test_a_file_without_the_required_columns_says_which_are_needed(tmp_path: Path) -> None:
    market = CsvMarketData(folder_with(tmp_path, {"X.csv": "Day,Price\n2024-01-05,12\n"}))
    with pytest.raises(CsvFormatError) as caught:
        market.quotes(["X"])
    assert str(caught.value) == ("X.csv needs the columns Date and Close (Open, High, Low, Volume and Adj Close "
                                 "are optional); its header is: Day,Price")


def test_a_file_whose_dates_are_all_unreadable_says_so(tmp_path: Path) -> None:
    market = CsvMarketData(folder_with(tmp_path, {"X.csv": "Date,Close\n01/05/2024,12\n01/08/2024,13\n"}))
    with pytest.raises(CsvFormatError, match=r"X.csv has 2 rows but none with a date \(YYYY-MM-DD\)"):
        market.quotes(["X"])


def test_a_file_that_is_not_utf8_is_a_clear_error_and_the_other_files_still_answer(tmp_path: Path) -> None:
    latin1 = "Date,Close\n2024-01-05,12\n# Nestlé\n".encode("latin-1")
    market = CsvMarketData(folder_with(tmp_path, {"NESN.SW.csv": latin1, "AAPL.csv": YAHOO_EXPORT}))
    with pytest.raises(CsvFormatError) as caught:
        market.quotes(["NESN.SW"])
    assert str(caught.value) == "NESN.SW.csv is not UTF-8 text (byte 0xe9 at position 32); save it as CSV UTF-8."
    assert isinstance(caught.value, MarketDataError)  # a UserError: safe to show
    assert market.quotes(["AAPL"])["AAPL"].price == 181.18


def test_symbols_csv_names_and_prices_in_currencies_and_pairs_speak_for_themselves(tmp_path: Path) -> None:
    names = ("\ufeffSymbol, Name ,Currency,Exchange\r\n"
             "700.hk,Tencent Holdings Ltd,hkd,HKEX\r\n"
             "SHEL.L,Shell plc,GBp,\r\n"
             "$$$,junk row,USD,\r\n")
    bars = "Date,Close\n2024-01-04,10\n2024-01-05,11\n"
    market = CsvMarketData(folder_with(tmp_path, {"symbols.csv": names, "0700.HK.csv": bars, "SHEL.L.csv": bars,
                                                  "RY.TO.csv": bars, "EURUSD=X.csv": bars, "JPY=X.csv": bars,
                                                  "BTC-EUR.csv": bars}))
    quotes = market.quotes(["0700.HK", "SHEL.L", "RY.TO", "EURUSD=X", "JPY=X", "BTC-EUR"])
    assert {s: (q.name, q.currency) for s, q in quotes.items()} == {
        "0700.HK": ("Tencent Holdings Ltd", "HKD"), "SHEL.L": ("Shell plc", "GBP"),  # pence, reported in pounds
        "RY.TO": ("RY.TO", "USD"),  # not in symbols.csv: USD, as the format says
        "EURUSD=X": ("EURUSD=X", "USD"), "JPY=X": ("JPY=X", "JPY"), "BTC-EUR": ("BTC-EUR", "EUR")}
    assert quotes["0700.HK"].as_of == datetime(2024, 1, 5, 16, 0, tzinfo=ZoneInfo("Asia/Hong_Kong"))
    assert quotes["SHEL.L"].as_of == datetime(2024, 1, 5, 16, 30, tzinfo=ZoneInfo("Europe/London"))
    info = market.info("0700.HK")
    assert info is not None and info.exchange == "HKEX"
    assert [i.symbol for i in market.known_symbols()] == ["0700.HK", "BTC-EUR", "EURUSD=X", "JPY=X", "RY.TO",
                                                          "SHEL.L"]


def test_bars_close_at_their_exchange_s_closing_time() -> None:
    day = date(2024, 1, 5)
    assert close_time("600519.SS", day) == datetime(2024, 1, 5, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert close_time("^N225", day) == datetime(2024, 1, 5, 15, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert close_time("BTC-USD", day) == datetime(2024, 1, 6, 0, 0, tzinfo=ZoneInfo("UTC"))
    assert close_time("GC=F", day) == datetime(2024, 1, 5, 16, 0, tzinfo=ZoneInfo("America/Chicago"))


def test_file_names_are_read_as_symbols(tmp_path: Path) -> None:
    market = CsvMarketData(folder_with(tmp_path, {"brk.b.csv": "Date,Close\n2024-01-05,400\n", "notes.txt": "hi",
                                                  "bad name!.csv": "Date,Close\n2024-01-05,1\n"}))
    assert [i.symbol for i in market.known_symbols()] == ["BRK-B"]
    assert market.quotes(["BRK-B"])["BRK-B"].previous_close is None  # one bar: no change to show


def test_a_changed_file_is_read_again_and_an_unchanged_one_is_not(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {"X.csv": "Date,Close\n2024-01-04,10\n2024-01-05,11\n"})
    market = CsvMarketData(folder)
    assert market.quotes(["X"])["X"].price == 11
    first = market.history(["X"], date(2024, 1, 1))["X"].bars
    assert market.history(["X"], date(2024, 1, 1))["X"].bars[0] is first[0]  # parsed once, kept in memory

    (folder / "X.csv").write_text("Date,Close\n2024-01-04,10\n2024-01-05,11\n2024-01-08,12\n", encoding="utf-8")
    assert market.quotes(["X"])["X"].price == 12

    stat = (folder / "X.csv").stat()
    (folder / "X.csv").write_text("Date,Close\n2024-01-04,10\n2024-01-05,11\n2024-01-08,13\n", encoding="utf-8")
    os.utime(folder / "X.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # same size, newer
    assert market.quotes(["X"])["X"].price == 13

    (folder / "Y.csv").write_text("Date,Close\n2024-01-05,7\n", encoding="utf-8")
    assert market.quotes(["Y"])["Y"].price == 7  # a new file is found without a restart


def test_lookup_matches_symbols_and_names_best_first(tmp_path: Path) -> None:
    names = "symbol,name\nAAPL,Apple Inc.\nAPP,AppLovin Corporation\nMA,Mastercard Incorporated\n" \
            "0700.HK,Tencent Holdings Ltd\n"
    bars = "Date,Close\n2024-01-05,1\n"
    market = CsvMarketData(folder_with(tmp_path, {"symbols.csv": names, "AAPL.csv": bars, "APP.csv": bars,
                                                  "MA.csv": bars, "0700.HK.csv": bars}))
    assert [i.symbol for i in market.lookup("app")] == ["APP", "AAPL"]  # the symbol itself, then a name
    assert [i.symbol for i in market.lookup("Apple")] == ["AAPL", "APP"]  # the name, then a look-alike
    assert next(i.symbol for i in market.lookup("APPL")) == "AAPL"  # a typo still finds the company
    assert [i.symbol for i in market.lookup("tencent")] == ["0700.HK"]
    assert [i.symbol for i in market.lookup("0700")] == ["0700.HK"]
    assert [i.symbol for i in market.lookup("card")] == ["MA"]
    assert market.lookup("   ") == []
    assert len(market.lookup("a", limit=2)) == 2


def test_a_folder_that_is_not_there_or_not_a_folder_is_refused_at_once(tmp_path: Path) -> None:
    with pytest.raises(MarketDataError, match="does not exist"):
        CsvMarketData(tmp_path / "missing")
    (tmp_path / "file.csv").write_text("x", encoding="utf-8")
    with pytest.raises(MarketDataError, match="is not a folder"):
        CsvMarketData(tmp_path / "file.csv")


def test_the_offline_sample_has_three_years_of_21_symbols_to_april_2018() -> None:
    market = offline_market_data()
    assert market.source == "offline sample"
    assert (OFFLINE_SAMPLE / "SOURCE.md").is_file()
    infos = market.known_symbols()
    assert len(infos) == 21
    symbols = [i.symbol for i in infos]
    assert {"AAPL", "SPY", "GOOG", "JPM"} <= set(symbols)
    history = market.history(symbols, date(2015, 1, 1))
    assert all(len(h.bars) >= 700 for h in history.values()) and len(history) == 21
    quotes = market.quotes(symbols)
    assert {q.as_of for q in quotes.values()} == {datetime(2018, 4, 11, 16, 0, tzinfo=NEW_YORK)}
    assert quotes["AAPL"].name == "Apple Inc." and quotes["AAPL"].price == 172.44
    assert quotes["SPY"].currency == "USD"
    assert history["AAPL"].bars[0] == Bar(date(2015, 4, 13), 120.0637)  # a close and nothing invented
    spy = market.info("SPY")
    assert spy is not None and spy.kind == "etf"


def test_prices_in_pence_are_reported_in_pounds(tmp_path: Path) -> None:
    market = CsvMarketData(folder_with(tmp_path, {
        "symbols.csv": "symbol,name,currency,exchange\nSHEL.L,Shell plc,GBp,LSE\n",
        "SHEL.L.csv": "Date,Open,High,Low,Close,Volume\n2024-01-04,2500,2550,2490,2520,100\n"
                      "2024-01-05,2520,2600,2510,2580,120\n"}))
    quote = market.quotes(["SHEL.L"])["SHEL.L"]
    assert (quote.currency, quote.price, quote.previous_close) == ("GBP", 25.8, 25.2)
    assert (quote.day_low, quote.day_high) == (25.1, 26.0)
    assert market.history(["SHEL.L"], date(2024, 1, 1))["SHEL.L"].bars[0].close == 25.2
