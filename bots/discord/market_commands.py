"""/quote, /chart and the /portfolio group.

Portfolio replies are ephemeral everywhere: only the member sees them, which is how the router's rule for
groups ("reveal nothing about a member's holdings") holds on Discord, so they reach the router as private.
The exceptions are sharing (issue 14): ``share``, ``unshare`` and ``view`` are group acts, answered in the
channel, and the router shows weights only, never quantities or money.
A CSV for /portfolio import is a typed attachment option; its size is checked before it is downloaded.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import Choice
from discord.ext import commands

from advisor.portfolio.csvio import MAX_BYTES
from bots.discord import translate
from bots.discord.bot import acknowledge

if TYPE_CHECKING:
    from bots.discord.bot import RoundtableBot

PERIODS = [Choice(name="1 month", value="1m"), Choice(name="6 months", value="6m"),
           Choice(name="1 year", value="1y"), Choice(name="5 years", value="5y")]


def number(value: float) -> str:
    """A float option as the router reads it: 10.0 -> "10", 0.5 -> "0.5", never "1e+12"."""
    return format(value, "f").rstrip("0").rstrip(".")


def too_big(size: int) -> str:
    return (f"That file is {size / 1e6:.1f} MB; a portfolio CSV can be up to {MAX_BYTES / 1e6:g} MB, so I did not "
            "read it. Keep only the columns symbol,quantity,cost,date, or split it into several files.")


class MarketCog(commands.Cog):
    def __init__(self, bot: RoundtableBot) -> None:
        self.bot = bot

    @app_commands.command(name="quote", description="Prices with as-of time, source and risk class")
    @app_commands.describe(symbols="Up to 10 symbols, e.g. AAPL 0700.HK BTC-USD")
    async def quote(self, interaction: discord.Interaction[Any], symbols: app_commands.Range[str, 1, 200]) -> None:
        await self.bot.answer(interaction, f"/quote {symbols}")

    @app_commands.command(name="chart", description="A price chart of one symbol")
    @app_commands.describe(symbol="The symbol, e.g. AAPL", period="How far back (default: 1 year)")
    @app_commands.choices(period=PERIODS)
    async def chart(self, interaction: discord.Interaction[Any], symbol: app_commands.Range[str, 1, 32],
                    period: Choice[str] | None = None) -> None:
        await self.bot.answer(interaction, f"/chart {symbol} {period.value if period else ''}".strip())

    # -- /portfolio (ephemeral) -------------------------------------------------------------------------

    portfolio = app_commands.Group(name="portfolio", description="Your private portfolio (only you see the "
                                   "replies)")

    async def _private(self, interaction: discord.Interaction[Any], args: str) -> None:
        await self.bot.answer(interaction, f"/portfolio {args}".strip(), private=True)

    @portfolio.command(name="add", description="Record a holding (a repeat add merges)")
    @app_commands.describe(symbol="The symbol, e.g. AAPL", quantity="How many units",
                           price="Price paid per unit (optional)", date="Date bought, YYYY-MM-DD (optional)")
    async def add(self, interaction: discord.Interaction[Any], symbol: app_commands.Range[str, 1, 32],
                  quantity: app_commands.Range[float, 0.0, 1e12], price: app_commands.Range[float, 0.0, 1e12]
                  | None = None, date: app_commands.Range[str, 10, 10] | None = None) -> None:
        args = [symbol, number(quantity), *([number(price)] if price is not None else []), *([date] if date else [])]
        await self._private(interaction, "add " + " ".join(args))

    @portfolio.command(name="remove", description="Remove some or all of a holding")
    @app_commands.describe(symbol="The symbol to remove", quantity="How many units (default: all)")
    async def remove(self, interaction: discord.Interaction[Any], symbol: app_commands.Range[str, 1, 32],
                     quantity: app_commands.Range[float, 0.0, 1e12] | None = None) -> None:
        await self._private(interaction, f"remove {symbol} {number(quantity) if quantity is not None else ''}")

    @chart.autocomplete("symbol")
    @add.autocomplete("symbol")
    async def symbol_choices(self, interaction: discord.Interaction[Any], current: str) -> list[Choice[str]]:
        """Symbols whose symbol or name matches what the member typed, from the market data's lookup. Discord
        waits about 3 s for these, so a slow lookup offers nothing rather than an error."""
        markets = self.bot.router.markets
        if markets is None or not current.strip():
            return []
        try:
            found = await asyncio.wait_for(asyncio.to_thread(markets.desk.market.lookup, current, 10), 2.0)
        except Exception:  # a suggestion list is optional; the command itself still validates the symbol
            return []
        return [Choice(name=f"{info.symbol} · {info.name}"[:100], value=info.symbol) for info in found][:25]

    @portfolio.command(name="list", description="What you hold")
    async def list_holdings(self, interaction: discord.Interaction[Any]) -> None:
        await self._private(interaction, "list")

    @portfolio.command(name="snapshot", description="Value, P&L, weights, risk and a chart")
    @app_commands.describe(currency="Show it in another currency, e.g. EUR (optional)")
    async def snapshot(self, interaction: discord.Interaction[Any],
                       currency: app_commands.Range[str, 3, 3] | None = None) -> None:
        await self._private(interaction, f"snapshot {currency or ''}")

    @portfolio.command(name="import", description="Add holdings from a CSV file (symbol,quantity,cost,date)")
    @app_commands.describe(file="A CSV file of at most 1 MB")
    async def import_csv(self, interaction: discord.Interaction[Any], file: discord.Attachment) -> None:
        if not await acknowledge(interaction, ephemeral=True):
            return
        if file.size > MAX_BYTES:  # Discord reports the size: a huge file is refused without downloading it
            await interaction.followup.send(too_big(file.size), ephemeral=True,
                                            allowed_mentions=discord.AllowedMentions.none())
            return
        content = await file.read()
        msg = translate.from_interaction(interaction, "/portfolio import", private=True, attachment=content,
                                         attachment_name=file.filename)
        await self.bot.serve(interaction, msg, private=True)

    @portfolio.command(name="export", description="Your holdings as a CSV file")
    async def export(self, interaction: discord.Interaction[Any]) -> None:
        await self._private(interaction, "export")

    @portfolio.command(name="share", description="Share your weights (percentages only) with this channel")
    async def share(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/portfolio share")

    @portfolio.command(name="unshare", description="Stop sharing your portfolio here (at once)")
    async def unshare(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/portfolio unshare")

    @portfolio.command(name="view", description="A member's shared portfolio: weights, risk, return since shared")
    @app_commands.describe(member="The member who shared it")
    async def view(self, interaction: discord.Interaction[Any], member: discord.User) -> None:
        await self.bot.answer(interaction, f"/portfolio view {member.mention}")

    @portfolio.command(name="clear", description="Delete every holding (asks to confirm)")
    async def clear(self, interaction: discord.Interaction[Any]) -> None:
        await self._private(interaction, "clear")
