"""Portfolio CSV import and export, with files as spreadsheets and brokers really write them."""

from __future__ import annotations

from datetime import date

import pytest

from advisor.portfolio.csvio import MAX_ROWS, CsvImportError, export_csv, import_csv
from advisor.portfolio.holdings import Holding
from knowledge.errors import UserError


def upper(symbol: str) -> str:
    return symbol.upper()


GOOD = "symbol,quantity,cost,date\nAAPL,10,150.25,2023-01-05\nmsft,2.5,,\n0700.HK,100,320,\n"
EXPECTED = [Holding("AAPL", 10, 150.25, date(2023, 1, 5)), Holding("MSFT", 2.5), Holding("0700.HK", 100, 320.0)]


def test_a_plain_file_imports_every_row() -> None:
    result = import_csv(GOOD.encode(), upper)
    assert result.holdings == EXPECTED
    assert result.problems == []
    assert result.lines == [2, 3, 4]


@pytest.mark.parametrize(("label", "data"), [
    ("utf-8 with BOM", b"\xef\xbb\xbf" + GOOD.encode()),
    ("windows line endings", GOOD.replace("\n", "\r\n").encode()),
    ("old mac line endings", GOOD.replace("\n", "\r").encode()),
    ("utf-16 from excel", GOOD.encode("utf-16")),
    ("semicolons", GOOD.replace(",", ";").encode()),
    ("tabs", GOOD.replace(",", "\t").encode()),
    ("header in capitals with spaces",
     GOOD.replace("symbol,quantity,cost,date", " Symbol , QUANTITY,Cost,Date").encode()),
])
def test_spreadsheet_variants_import_the_same(label: str, data: bytes) -> None:
    result = import_csv(data, upper)
    assert result.holdings == EXPECTED, label
    assert result.problems == []


def test_latin1_file_with_an_accented_name_column_is_read() -> None:
    data = "Symbol,Name,Quantity,Cost,Date,Notes\r\nSAN.PA,Société Générale,20,24.5,2022-11-30,été\r\n"
    result = import_csv(data.encode("latin-1"), upper)  # not valid UTF-8: é is one byte, 0xE9
    assert result.holdings == [Holding("SAN.PA", 20, 24.5, date(2022, 11, 30))]


def test_columns_in_another_order_and_extra_columns_are_fine() -> None:
    data = b"date,broker,cost,symbol,quantity\n2021-07-01,IBKR,99.5,VTI,3\n"
    assert import_csv(data, upper).holdings == [Holding("VTI", 3, 99.5, date(2021, 7, 1))]


@pytest.mark.parametrize(("data", "missing"), [
    (b"ticker,shares,price,date\nAAPL,1,2,2020-01-02\n", "missing: symbol, quantity, cost"),
    (b"symbol,quantity,price,date\nAAPL,1,2,2020-01-02\n", "missing: cost"),
    (b"AAPL,10,150,2023-01-05\n", "missing: symbol, quantity, cost, date"),
])
def test_a_wrong_header_is_one_error_naming_the_expected_header(data: bytes, missing: str) -> None:
    with pytest.raises(CsvImportError) as caught:
        import_csv(data, upper)
    assert "symbol,quantity,cost,date" in str(caught.value)
    assert missing in str(caught.value)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"\n\n  \n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV"),
    (b"\xff\xfe" + b"\x00\xd8", "not valid UTF-16"),
])
def test_unusable_files_say_why(data: bytes, message: str) -> None:
    with pytest.raises(CsvImportError, match=message):
        import_csv(data, upper)


def test_bad_rows_are_reported_by_line_and_good_rows_kept() -> None:
    data = (
        b"symbol,quantity,cost,date\r\n"      # line 1
        b"AAPL,10,150,2023-01-05\r\n"         # 2 good
        b"\r\n"                               # 3 blank: skipped, still counted
        b"MSFT,-3,,\r\n"                      # 4 negative quantity
        b"NVDA,1,\"1,234.50\",\r\n"           # 5 thousands separator
        b"TSLA,1,200,05/01/2023\r\n"          # 6 ambiguous date
        b",5,,\r\n"                           # 7 no symbol
        b"GOOG,2,100,2999-01-01\r\n"          # 8 future date
        b"AMZN,1\r\n"                         # 9 short row
        b"META,,300,\r\n"                     # 10 no quantity
        b"IBM,4,$120,\r\n"                    # 11 currency sign
        b"ORCL,1,50,2023-02-30\r\n"           # 12 no such day
        b"bad!,1,,\r\n"                       # 13 the normaliser refuses it
        b"V,7,210.5,2022/03/04 00:00:00\r\n"  # 14 good (slashes and a time from Excel)
    )

    def normalise(symbol: str) -> str:
        if not symbol.isalnum():
            raise UserError(f"{symbol!r} is not a symbol.")
        return symbol.upper()

    result = import_csv(data, normalise)
    assert result.holdings == [Holding("AAPL", 10, 150.0, date(2023, 1, 5)), Holding("V", 7, 210.5, date(2022, 3, 4))]
    assert result.lines == [2, 14]
    lines = [line for line, _ in result.problems]
    assert lines == [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    messages = dict(result.problems)
    assert "must be more than zero" in messages[4]
    assert "'1,234.50' is not a plain number" in messages[5]
    assert "'05/01/2023' is not YYYY-MM-DD" in messages[6]
    assert "symbol is empty" in messages[7]
    assert "in the future" in messages[8]
    assert "found 2" in messages[9]
    assert "quantity of META is empty" in messages[10]
    assert "'$120'" in messages[11]
    assert "does not exist" in messages[12]
    assert "'bad!' is not a symbol" in messages[13]


def test_a_quoted_cell_with_a_line_break_keeps_later_line_numbers_true() -> None:
    data = b'symbol,quantity,cost,date,note\nAAPL,1,,,"two\nlines"\nMSFT,0,,,\n'
    assert import_csv(data, upper).problems[0][0] == 4  # MSFT sits on the file's 4th line


def test_size_and_row_limits() -> None:
    with pytest.raises(CsvImportError, match="limit is 1 MB"):
        import_csv(b"symbol,quantity,cost,date\n" + b"AAPL,1,,\n" * 120_000, upper)
    rows = "".join(f"S{i},1,,\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(CsvImportError, match="more than 5000 rows"):
        import_csv(("symbol,quantity,cost,date\n" + rows).encode(), upper)
    assert len(import_csv(("symbol,quantity,cost,date\n" + rows[: rows.rindex("S")]).encode(), upper).holdings) \
        == MAX_ROWS


def test_export_round_trips() -> None:
    holdings = [Holding("AAPL", 10, 150.25, date(2023, 1, 5)), Holding("BTC-USD", 0.1 + 0.2),
                Holding("0700.HK", 100, 1 / 3), Holding("BRK-B", 3, None, date(2020, 2, 29))]
    exported = export_csv(holdings)
    assert exported.decode().splitlines()[0] == "symbol,quantity,cost,date"
    assert exported.decode().splitlines()[1] == "AAPL,10,150.25,2023-01-05"
    again = import_csv(exported, upper)
    assert again.holdings == holdings  # exact floats, unknown cost and date kept unknown
    assert again.problems == []
