"""Group safety's slash commands: /mood (anyone), /modqueue (admins) and the /modpolicy group.

Each callback turns its typed options back into the command line the router reads ("/modpolicy warns 3 60")
and hands it to ``RoundtableBot.answer``; the router validates and answers exactly as on Telegram. /modqueue is
hidden from members without Manage Server (``default_permissions``), and the router checks ``is_admin`` again
(server admins can override who sees a command). /modpolicy show is for every member, like /brief show, so
the group is not hidden: its changes are refused at run time unless the member has Manage Server or
Administrator (``translate.from_interaction`` sets ``is_admin``). The review queue's approve/reject buttons
come back through the bot's existing button machinery, with the presser's permissions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import Choice
from discord.ext import commands

from advisor.moderation.types import CATEGORIES

if TYPE_CHECKING:
    from bots.discord.bot import RoundtableBot

CATEGORY_CHOICES = [Choice(name=category.replace("_", " "), value=category) for category in CATEGORIES]
ACTION_CHOICES = [Choice(name=action, value=action) for action in ("warn", "hold", "delete")]


class ModerationCog(commands.Cog):
    def __init__(self, bot: RoundtableBot) -> None:
        self.bot = bot

    @app_commands.command(name="mood", description="This channel's mood, trend and most-mentioned symbols (not a "
                          "signal)")
    async def mood(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/mood")

    @app_commands.command(name="modqueue", description="Messages held for review: approve or reject them")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def modqueue(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/modqueue")

    modpolicy = app_commands.Group(name="modpolicy", description="This channel's moderation rules (changes need "
                                   "Manage Server)", guild_only=True)

    async def _policy(self, interaction: discord.Interaction[Any], *words: object) -> None:
        await self.bot.answer(interaction, " ".join(["/modpolicy", *(str(word) for word in words)]))

    @modpolicy.command(name="show", description="The rules, what each does, and how to change them")
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        await self._policy(interaction)

    @modpolicy.command(name="switch", description="Moderation on or off in this channel")
    @app_commands.describe(moderation="on: check every message here; off: no moderation")
    @app_commands.choices(moderation=[Choice(name="on", value="on"), Choice(name="off", value="off")])
    async def switch(self, interaction: discord.Interaction[Any], moderation: Choice[str]) -> None:
        await self._policy(interaction, moderation.value)

    @modpolicy.command(name="action", description="What happens to a message of one category")
    @app_commands.describe(category="The kind of message", action="warn the member, hold it for review, or "
                           "delete it")
    @app_commands.choices(category=CATEGORY_CHOICES, action=ACTION_CHOICES)
    async def action(self, interaction: discord.Interaction[Any], category: Choice[str],
                     action: Choice[str]) -> None:
        await self._policy(interaction, category.value, action.value)

    @modpolicy.command(name="flood", description="More than MESSAGES in SECONDS from one member is a flood")
    @app_commands.describe(messages="How many messages (1-100)", seconds="Within how many seconds (1-3600)")
    async def flood(self, interaction: discord.Interaction[Any], messages: app_commands.Range[int, 1, 100],
                    seconds: app_commands.Range[int, 1, 3600]) -> None:
        await self._policy(interaction, "flood", messages, seconds)

    @modpolicy.command(name="newmember", description="No links or media from new members for this many hours")
    @app_commands.describe(hours="0: no restriction")
    async def newmember(self, interaction: discord.Interaction[Any],
                        hours: app_commands.Range[int, 0, 720]) -> None:
        await self._policy(interaction, "newmember", hours)

    @modpolicy.command(name="warns", description="How many warnings mean a timeout, and how long it lasts")
    @app_commands.describe(warnings="Warnings before a timeout (1-20)", minutes="The timeout's length (1-10080)")
    async def warns(self, interaction: discord.Interaction[Any], warnings: app_commands.Range[int, 1, 20],
                    minutes: app_commands.Range[int, 1, 10080]) -> None:
        await self._policy(interaction, "warns", warnings, minutes)

    @modpolicy.command(name="reset", description="Back to the default rules")
    async def reset(self, interaction: discord.Interaction[Any]) -> None:
        await self._policy(interaction, "reset")
