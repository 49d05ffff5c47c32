"""`roundtable quote` and `roundtable portfolio ...`: the chat's market features for operators and scripts.

`--user` takes the id the chats use ("telegram:12345", "console:alice"), so an operator can look after a
member's portfolio, and a script can keep its own. JSON shapes are fixed contracts (see the README).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bots.app.cli_common import JsonOpt, err, guarded, load_settings, open_markets, out
from knowledge.errors import UserError

portfolio_app = typer.Typer(help="Private portfolios: add, remove, list, import, export, clear, snapshot.",
                            no_args_is_help=True)
UserOpt = Annotated[str, typer.Option("--user", "-u", help="Whose portfolio: a chat user id such as "
                                      "telegram:12345, or any name for your own.")]


def _user(user: str) -> str:
    """A bare name is a console user, as in `roundtable chat --user NAME`; "telegram:1" is used as it is."""
    return user if ":" in user else f"console:{user}"


def _markup(text: str) -> str:
    return escape(text).replace("**", "")


@guarded
def quote(symbols: Annotated[list[str], typer.Argument(help="Symbols: AAPL 0700.HK BTC-USD ^GSPC EURUSD=X.")],
          as_json: JsonOpt = False) -> None:
    """Latest prices with change, day range, currency, as-of time, source and risk class."""
    from bots.chat.markets import report_text

    markets = open_markets(load_settings())
    with err.status("Fetching prices…"):
        report = markets.desk.quotes(symbols)
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        out.print(_markup(report_text(report)))
    if not report.lines:
        raise typer.Exit(1)


# "-3" is a (bad) quantity for the portfolio to refuse with its own message, not an unknown option.
NUMBERS_AS_ARGUMENTS = {"ignore_unknown_options": True}


@portfolio_app.command("add", context_settings=NUMBERS_AS_ARGUMENTS)
@guarded
def portfolio_add(symbol: str, quantity: str,
                  price: Annotated[str | None, typer.Argument(help="Price paid per unit.")] = None,
                  bought: Annotated[str | None, typer.Argument(metavar="[DATE]", help="YYYY-MM-DD.")] = None,
                  user: UserOpt = "console") -> None:
    """Record a holding; adding a symbol you hold merges the two."""
    args = [symbol, quantity, *(a for a in (price, bought) if a is not None)]
    out.print(escape(open_markets(load_settings()).portfolios.add(_user(user), args)))


@portfolio_app.command("remove", context_settings=NUMBERS_AS_ARGUMENTS)
@guarded
def portfolio_remove(symbol: str, quantity: Annotated[str | None, typer.Argument()] = None,
                     user: UserOpt = "console") -> None:
    """Remove some (QUANTITY) or all of a holding."""
    args = [symbol, *([quantity] if quantity else [])]
    out.print(escape(open_markets(load_settings()).portfolios.remove(_user(user), args)))


@portfolio_app.command("list")
@guarded
def portfolio_list(user: UserOpt = "console", as_json: JsonOpt = False) -> None:
    """Show the holdings as recorded (no prices: `snapshot` values them)."""
    holdings = open_markets(load_settings()).portfolios.holdings(_user(user))
    if as_json:
        print(json.dumps({"user": _user(user), "holdings": [
            {"symbol": h.symbol, "quantity": h.quantity, "cost": h.cost,
             "date": h.bought.isoformat() if h.bought else None} for h in holdings]}))
        return
    if not holdings:
        out.print("No holdings yet. Add one with `roundtable portfolio add AAPL 10 150`.")
    for h in holdings:
        cost = f" at {h.cost:,.4f}".rstrip("0").rstrip(".") if h.cost is not None else ""
        out.print(f"{h.symbol}  {h.quantity:,g}{cost}{'  ' + h.bought.isoformat() if h.bought else ''}")


@portfolio_app.command("import")
@guarded
def portfolio_import(file: Annotated[Path, typer.Argument(help="CSV: symbol,quantity,cost,date (cost = price "
                                                         "paid per unit).")], user: UserOpt = "console") -> None:
    """Add the rows of a CSV; bad rows are reported with their line numbers and the good ones kept."""
    try:
        if file.stat().st_size > 1024 * 1024:
            raise UserError(f"{file} is larger than 1 MB; a portfolio CSV is far smaller.")
        data = file.read_bytes()
    except OSError as exc:
        raise UserError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
    report = open_markets(load_settings()).portfolios.import_csv(_user(user), data)
    out.print(escape(report.text()))
    if report.added + report.merged == 0:
        raise typer.Exit(1)


@portfolio_app.command("export")
@guarded
def portfolio_export(file: Annotated[Path | None, typer.Argument(help="Where to write; default: stdout.")] = None,
                     user: UserOpt = "console") -> None:
    """Write the holdings as CSV (the format `import` reads)."""
    data = open_markets(load_settings()).portfolios.export(_user(user))
    if file is None:
        sys.stdout.write(data.decode())
    else:
        file.write_bytes(data)
        err.print(f"Wrote {file}.")


@portfolio_app.command("clear")
@guarded
def portfolio_clear(user: UserOpt = "console",
                    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False) -> None:
    """Delete every holding of the user."""
    if not yes and not typer.confirm(f"Delete every holding of {_user(user)}?"):
        raise typer.Exit(1)
    removed = open_markets(load_settings()).portfolios.clear(_user(user))
    out.print(f"Deleted {removed} holdings.")


@portfolio_app.command("snapshot")
@guarded
def portfolio_snapshot(user: UserOpt = "console", as_json: JsonOpt = False,
                       chart: Annotated[Path | None, typer.Option("--chart", help="Also write a PNG chart here.")]
                       = None,
                       base: Annotated[str | None, typer.Option("--base", help="Currency to value it in "
                                                                "(default ROUNDTABLE_BASE_CURRENCY).")] = None) -> None:
    """Value, cost, P&L, weights, concentration, risk (volatility, drawdown, beta, SRRI) and suitability."""
    markets = open_markets(load_settings())
    with err.status("Valuing the portfolio…"):
        snapshot = markets.portfolios.snapshot(_user(user), base)
    if chart is not None and snapshot.holdings:
        from advisor.portfolio.chart import snapshot_chart

        chart.write_bytes(snapshot_chart(snapshot, snapshot.value_series))
        err.print(f"Chart written to {chart}.")
    if as_json:
        print(json.dumps(snapshot.to_json(), ensure_ascii=False))
    elif not snapshot.holdings:
        out.print(f"{_user(user)} has no holdings yet. Add one with `roundtable portfolio add AAPL 10 150`.")
    else:
        out.print(_markup(snapshot.to_text()))
    if not any(h.market_value is not None for h in snapshot.holdings):
        raise typer.Exit(1)  # nothing could be valued: empty, unknown symbols or no prices at all
