"""Portfolio CSV import and export: ``symbol,quantity,cost,date``, where ``cost`` is the price paid per unit.

Import takes the uploaded bytes as they come from a spreadsheet or a broker:
- encodings: UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's "Unicode text"), and, when the bytes
  are not UTF-8, Windows-1252 and then Latin-1 (legacy Excel exports on Windows). Only the symbol and the
  numbers matter here and they are ASCII, so a legacy guess cannot change a holding; a file with NUL bytes
  after decoding is binary, not a CSV, and is refused;
- line endings LF, CRLF or CR; a comma, semicolon or tab delimiter (European Excel writes semicolons);
- a header naming all four columns, in any case and order; other columns are ignored. A file without it
  gets one error that names the expected header, not a problem on every row;
- empty ``cost`` and ``date`` cells mean "not given". Numbers are plain decimals (``1234.5``): a thousands
  separator or currency sign is refused rather than guessed at (is ``1,234`` a thousand or one and a bit?).
  Dates are ``YYYY-MM-DD`` (``YYYY/MM/DD`` and a trailing time are accepted);
- at most 1 MB and 5000 data rows.

Each bad row becomes a (line number, message) problem, counting lines in the file as a text editor does
(the header is line 1); the good rows are kept. Export writes the same format, so it round-trips.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from advisor.portfolio.holdings import Holding
from knowledge.errors import UserError

HEADER = ("symbol", "quantity", "cost", "date")
EXPECTED = ",".join(HEADER)
MAX_BYTES = 1_000_000
MAX_ROWS = 5000

NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")


class CsvImportError(UserError):
    """The file as a whole cannot be read as a portfolio CSV (the message says why and what is expected)."""


@dataclass
class CsvImport:
    holdings: list[Holding] = field(default_factory=list)  # the good rows, in file order
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line number, message) per bad row
    lines: list[int] = field(default_factory=list)  # the line each good row came from


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CsvImportError("The file says it is UTF-16 but is not valid UTF-16. Save it as CSV (UTF-8) "
                                 "and try again.") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # decodes any bytes; binary files are caught by the NUL check


def _delimiter(first_line: str) -> str:
    if "," in first_line:
        return ","
    return next((d for d in ";\t" if d in first_line), ",")


def _number(text: str, what: str) -> float:
    if not NUMBER.fullmatch(text):
        raise ValueError(f"{what} {text!r} is not a plain number (write it like 1234.5)")
    return float(text)


def _date(text: str) -> date:
    match = DATE.fullmatch(text)
    if not match:
        raise ValueError(f"date {text!r} is not YYYY-MM-DD")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError(f"date {text!r} does not exist") from exc


def _row(cells: dict[str, str], normalise: Callable[[str], str]) -> Holding:
    raw_symbol = cells["symbol"]
    if not raw_symbol:
        raise ValueError("the symbol is empty")
    symbol = normalise(raw_symbol)
    if not cells["quantity"]:
        raise ValueError(f"the quantity of {symbol} is empty")
    quantity = _number(cells["quantity"], "quantity")
    cost = _number(cells["cost"], "cost") if cells["cost"] else None
    bought = _date(cells["date"]) if cells["date"] else None
    return Holding(symbol, quantity, cost, bought)


def import_csv(data: bytes, normalise: Callable[[str], str]) -> CsvImport:
    """Read a portfolio CSV. ``normalise`` turns a typed symbol into the Yahoo spelling or raises a
    ``UserError`` (``advisor.market.symbols.normalise_symbol`` in the bot). Raises ``CsvImportError`` when
    the file as a whole is unusable; row problems are returned with the good rows."""
    if len(data) > MAX_BYTES:
        raise CsvImportError(f"The file is {len(data) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:g} MB.")
    text = _decode(data)
    if "\x00" in text:
        raise CsvImportError(f"This is not a CSV text file. Expected a header line {EXPECTED}.")
    # \n, \r\n and a bare \r (old Mac exports) alike; str.splitlines would also split on \x85 and \u2028.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise CsvImportError(f"The file is empty. Expected a header line {EXPECTED} and one row per holding.")
    # Keeping the blank lines before the header keeps the reader's line numbers equal to the file's.
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=_delimiter(lines[first]))
    header: list[str] = []
    for row in reader:
        if any(cell.strip() for cell in row):
            header = [cell.strip().lstrip("\ufeff").casefold() for cell in row]
            break
    missing = [name for name in HEADER if name not in header]
    if missing:
        raise CsvImportError(f"The first line must be the header {EXPECTED} (missing: {', '.join(missing)}; "
                             f"found: {','.join(header)[:80]}). Extra columns are ignored.")
    columns = {name: header.index(name) for name in HEADER}
    result = CsvImport()
    rows = 0
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise CsvImportError(f"The file has more than {MAX_ROWS} rows; split it into smaller files.")
        line = reader.line_num
        if len(row) <= max(columns.values()):
            result.problems.append((line, f"expected at least {max(columns.values()) + 1} cells, found {len(row)}"))
            continue
        cells = {name: row[index].strip() for name, index in columns.items()}
        try:
            holding = _row(cells, normalise)
        except (ValueError, UserError) as exc:
            result.problems.append((line, str(exc).rstrip(".")))
            continue
        result.holdings.append(holding)
        result.lines.append(line)
    return result


def _plain(number: float) -> str:
    """Exact and short: 10.0 -> "10", 0.1 -> "0.1" (repr round-trips every float)."""
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def export_csv(holdings: Iterable[Holding]) -> bytes:
    """The holdings as a UTF-8 CSV that ``import_csv`` reads back to the same holdings."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for h in holdings:
        writer.writerow([h.symbol, _plain(h.quantity), "" if h.cost is None else _plain(h.cost),
                         h.bought.isoformat() if h.bought else ""])
    return out.getvalue().encode("utf-8")
