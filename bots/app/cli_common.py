"""What every `roundtable` command shares: the Typer app, the consoles, common options, settings loading and the
error guard (user errors become one line; anything else a reference id).

Heavy libraries are imported inside the functions that use them, so `roundtable --help` answers at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from bots.app.logs import report_crash, setup_logging
from knowledge.errors import UserError

if TYPE_CHECKING:
    from bots.app.composition import App
    from bots.app.settings import Settings
    from bots.app.stores import Markets
    from knowledge.research import Research

app = typer.Typer(help="Roundtable: an investment-education bot for group chats, and its research corpus.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])

CollectionOpt = Annotated[
    str | None, typer.Option("--collection", "-c", help="Collection (default: ROUNDTABLE_COLLECTION).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON lines instead of text.")]


def load_settings() -> Settings:
    from pydantic import ValidationError

    from bots.app.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"ROUNDTABLE_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise UserError(f"Invalid settings: {problems}") from exc


def guarded(func: F) -> F:
    """Turn user errors into a clean message and unexpected ones into a reference id."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            err.print(f"[red]Error:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("Interrupted.")
            raise typer.Exit(130) from None
        except typer.Exit:
            raise
        except Exception as exc:
            reference = report_crash(exc, func.__name__)
            err.print(f"[red]Something went wrong[/red] (reference {reference}). "
                      "The details are in the log file under ROUNDTABLE_HOME/logs.")
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def open_research(settings: Settings) -> Research:
    from bots.app.composition import open_research as open_

    return open_(settings)


def build_app(settings: Settings) -> App:
    from bots.app.composition import build_app as build

    return build(settings)


def open_markets(settings: Settings) -> Markets:
    """Market data and portfolios without the research store: `quote` and `portfolio` start fast."""
    from bots.app.stores import open_markets as open_
    from bots.app.stores import open_profiles

    return open_(settings, open_profiles(settings))


@app.callback()
def main() -> None:
    """Set up logging before any command runs."""
    from pydantic import ValidationError

    from bots.app.settings import Settings

    try:
        settings = Settings()
    except ValidationError:
        return  # the command itself reports invalid settings
    setup_logging(settings.home, settings.log_level)
