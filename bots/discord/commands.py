"""The slash commands of the chat core: /ask, /profile, /forget, /privacy, /help and /settings.

Each callback only turns its typed options back into the command line the router reads ("/settings quota
5") and hands it to ``RoundtableBot.answer``, which defers first (Discord's 3-second rule) and runs the
router in a thread. Personal commands (/profile, /forget, /privacy) are answered ephemerally. /settings is hidden from
members without Manage Server (``default_permissions``), and the router checks the member's permission again
when a change arrives, because server admins can override who sees a command.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import Choice
from discord.ext import commands

if TYPE_CHECKING:
    from bots.discord.bot import RoundtableBot

QUESTION_LIMIT = 1000  # long enough for any real question; far under the advisor's own input cap


class AskCog(commands.Cog):
    def __init__(self, bot: RoundtableBot) -> None:
        self.bot = bot

    @app_commands.command(name="ask", description="Ask a question about investing; answered from our research "
                          "notes, with sources and a risk level")
    @app_commands.describe(question="Your question, e.g. what is a leveraged ETF?")
    async def ask(self, interaction: discord.Interaction[Any],
                  question: app_commands.Range[str, 1, QUESTION_LIMIT]) -> None:
        await self.bot.answer(interaction, f"/ask {question}")

    @app_commands.command(name="profile", description="Take the risk questionnaire (only you see it)")
    async def profile(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/profile", private=True)

    @app_commands.command(name="forget", description="Delete everything I store about you")
    async def forget(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/forget", private=True)

    @app_commands.command(name="privacy", description="What I store about you and why")
    async def privacy(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/privacy", private=True)  # personal: ephemeral, like /forget

    @app_commands.command(name="help", description="What I can do")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/help")

    # -- /settings (Manage Server) ----------------------------------------------------------------------

    settings = app_commands.Group(name="settings", description="This channel's settings (changes need Manage "
                                  "Server)", default_permissions=discord.Permissions(manage_guild=True))

    @settings.command(name="show", description="Show this channel's settings and the approved collections")
    async def settings_show(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/settings")

    @settings.command(name="language", description="The language I answer in here")
    @app_commands.describe(language="English, Chinese, or the language of each question")
    @app_commands.choices(language=[Choice(name="English", value="en"), Choice(name="中文 (Chinese)", value="zh"),
                                    Choice(name="Each question's own language", value="auto")])
    async def settings_language(self, interaction: discord.Interaction[Any], language: Choice[str]) -> None:
        await self.bot.answer(interaction, f"/settings language {language.value}")

    @settings.command(name="collection", description="The research collection answers come from here")
    @app_commands.describe(name="An approved collection, or default")
    async def settings_collection(self, interaction: discord.Interaction[Any],
                                  name: app_commands.Range[str, 1, 64]) -> None:
        await self.bot.answer(interaction, f"/settings collection {name}")

    @settings_collection.autocomplete("name")
    async def collection_names(self, interaction: discord.Interaction[Any], current: str) -> list[Choice[str]]:
        approved = await asyncio.to_thread(self.bot.router.collections.approved)  # a database read
        names = ["default", *approved]
        return [Choice(name=name, value=name) for name in names if current.casefold() in name.casefold()][:25]

    @settings.command(name="mentions", description="Whether I answer when someone mentions me here")
    @app_commands.describe(answer="on: answer mentions; off: only slash commands and replies to me")
    @app_commands.choices(answer=[Choice(name="on", value="on"), Choice(name="off", value="off")])
    async def settings_mentions(self, interaction: discord.Interaction[Any], answer: Choice[str]) -> None:
        await self.bot.answer(interaction, f"/settings mentions {answer.value}")

    @settings.command(name="quota", description="How many questions each member may ask per hour here")
    @app_commands.describe(per_hour="Questions per member per hour (1-1000)")
    async def settings_quota(self, interaction: discord.Interaction[Any],
                             per_hour: app_commands.Range[int, 1, 1000]) -> None:
        await self.bot.answer(interaction, f"/settings quota {per_hour}")
