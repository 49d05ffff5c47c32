"""The /brief group: this channel's morning market briefing (on, off, now, watch, unwatch, show, market, chart).

Each sub-command turns its typed options back into the command line the router reads ("/brief on 07:45
Europe/London mon-fri") and hands it to ``RoundtableBot.answer``; the router validates the free-text parts
(time, zone, days, symbols) and says what is wrong, exactly as on Telegram. Unlike /settings, the group is
not hidden behind ``default_permissions``: /brief show and /brief now are for every member. Changes are
checked at run time instead: the router refuses them unless the member has Manage Server or Administrator
(``translate.from_interaction`` sets ``is_admin``), the same rule as /settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import Choice
from discord.ext import commands

from advisor.briefing.markets import MARKETS

if TYPE_CHECKING:
    from bots.discord.bot import RoundtableBot

MARKET_CHOICES = [Choice(name=f"{code} · {market.name}"[:100], value=code) for code, market in MARKETS.items()]
ON_OFF = [Choice(name="on", value="on"), Choice(name="off", value="off")]
SYMBOLS_LIMIT = 200  # what a member types for /brief watch; the router caps the watchlist itself


class BriefCog(commands.Cog):
    def __init__(self, bot: RoundtableBot) -> None:
        self.bot = bot

    brief = app_commands.Group(name="brief", description="This channel's morning market briefing (changes need "
                               "Manage Server)")

    async def _brief(self, interaction: discord.Interaction[Any], *words: str | None) -> None:
        """Forward "/brief word..." to the router; options the member left out are simply not there."""
        await self.bot.answer(interaction, " ".join(["/brief", *(word.strip() for word in words if word)]))

    @brief.command(name="on", description="Start the briefing here (default 08:30 market time, weekdays)")
    @app_commands.describe(time="Local time HH:MM, e.g. 07:45", timezone="An IANA time zone, e.g. Europe/London",
                           days="Which days, e.g. mon-fri or mon,wed,fri")
    async def on(self, interaction: discord.Interaction[Any], time: app_commands.Range[str, 1, 16] | None = None,
                 timezone: app_commands.Range[str, 1, 64] | None = None,
                 days: app_commands.Range[str, 1, 40] | None = None) -> None:
        # A zone or a day list never holds a space ("mon, wed" is "mon,wed"): one word each for the router,
        # which reads /brief on's words in any order.
        await self._brief(interaction, "on", time, _one_word(timezone), _one_word(days))

    @brief.command(name="off", description="Stop the briefing here (its settings are kept)")
    async def off(self, interaction: discord.Interaction[Any]) -> None:
        await self._brief(interaction, "off")

    @brief.command(name="now", description="A briefing right away")
    async def now(self, interaction: discord.Interaction[Any]) -> None:
        await self._brief(interaction, "now")

    @brief.command(name="show", description="This channel's briefing settings")
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        await self._brief(interaction, "show")

    @brief.command(name="watch", description="Add symbols to the briefing's watchlist")
    @app_commands.describe(symbols="Symbols separated by spaces, e.g. AAPL 0700.HK")
    async def watch(self, interaction: discord.Interaction[Any],
                    symbols: app_commands.Range[str, 1, SYMBOLS_LIMIT]) -> None:
        await self._brief(interaction, "watch", symbols)

    @brief.command(name="unwatch", description="Remove symbols from the watchlist (none: clear it)")
    @app_commands.describe(symbols="Symbols to remove; leave empty to clear the whole watchlist")
    async def unwatch(self, interaction: discord.Interaction[Any],
                      symbols: app_commands.Range[str, 1, SYMBOLS_LIMIT] | None = None) -> None:
        await self._brief(interaction, "unwatch", symbols)

    @brief.command(name="market", description="Which market's indices and holidays the briefing follows")
    @app_commands.describe(market="The market")
    @app_commands.choices(market=MARKET_CHOICES)
    async def market(self, interaction: discord.Interaction[Any], market: Choice[str]) -> None:
        await self._brief(interaction, "market", market.value)

    @brief.command(name="chart", description="Whether the briefing carries a chart image")
    @app_commands.describe(chart="on: add a chart; off: text only")
    @app_commands.choices(chart=ON_OFF)
    async def chart(self, interaction: discord.Interaction[Any], chart: Choice[str]) -> None:
        await self._brief(interaction, "chart", chart.value)


def _one_word(text: str | None) -> str | None:
    return "".join(text.split()) if text else None
