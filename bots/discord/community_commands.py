"""Slash commands of the community features (issue 14): /follow, /unfollow, /leaderboard, /quiz, /points, /top,
and "Mark as helpful" on a message's Apps menu (the router's /helpful, replying to that message).

As everywhere, a callback only turns its typed options back into the command line the router reads. A member
option becomes the member's mention token ("/follow <@123>"), which ``translate`` also lists in
``Incoming.mentioned``, so the router resolves the member by id, as it does for a typed mention. The answers
are public in the channel (sharing, records and quizzes are group features); a quiz's buttons answer only the
member who asked (``views.ActionView``).

The parts of issue 14 land separately: ``offer`` keeps only the commands the router has (``router.COMMANDS``),
so Discord never shows a command the router would not know.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bots.chat.router import COMMANDS
from bots.discord import translate
from bots.discord.bot import acknowledge

if TYPE_CHECKING:
    from bots.discord.bot import RoundtableBot

HELPFUL = "helpful"  # the router's command for marking the post one replies to as helpful
TOPIC_LIMIT = 100


class CommunityCog(commands.Cog):
    def __init__(self, bot: RoundtableBot) -> None:
        self.bot = bot
        # A message's Apps menu: the way to say "this post helped" besides a reaction (Discord has no reply to a
        # message from a slash command).
        self.mark_helpful = app_commands.ContextMenu(name="Mark as helpful", callback=self.helpful)

    @app_commands.command(name="follow", description="Follow a member's shared portfolio (a private note when "
                          "its weights change; not advice)")
    @app_commands.describe(member="The member whose shared portfolio to follow")
    async def follow(self, interaction: discord.Interaction[Any], member: discord.User) -> None:
        await self.bot.answer(interaction, f"/follow {member.mention}")

    @app_commands.command(name="unfollow", description="Stop following a member's shared portfolio")
    @app_commands.describe(member="The member to stop following")
    async def unfollow(self, interaction: discord.Interaction[Any], member: discord.User) -> None:
        await self.bot.answer(interaction, f"/unfollow {member.mention}")

    @app_commands.command(name="leaderboard", description="Members' track records, risk-adjusted (not advice)")
    async def leaderboard(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/leaderboard")

    @app_commands.command(name="quiz", description="A multiple-choice question from our research notes")
    @app_commands.describe(topic="A topic, e.g. bonds (optional)")
    async def quiz(self, interaction: discord.Interaction[Any],
                   topic: app_commands.Range[str, 1, TOPIC_LIMIT] | None = None) -> None:
        await self.bot.answer(interaction, f"/quiz {topic or ''}".strip())

    @app_commands.command(name="points", description="Your contribution points in this channel")
    async def points(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/points")

    @app_commands.command(name="top", description="This channel's most helpful members")
    async def top(self, interaction: discord.Interaction[Any]) -> None:
        await self.bot.answer(interaction, "/top")

    async def helpful(self, interaction: discord.Interaction[Any], message: discord.Message) -> None:
        """"Mark as helpful" on a message: the router's /helpful as a reply to that message."""
        if not await acknowledge(interaction, ephemeral=True):
            return
        msg = replace(translate.from_interaction(interaction, f"/{HELPFUL}", private=False),
                      reply_to_user_id=str(message.author.id), reply_to_message_id=str(message.id))
        await self.bot.serve(interaction, msg, private=True)


async def offer(bot: RoundtableBot) -> None:
    """Add the cog, then withdraw what the router does not (yet) have."""
    cog = CommunityCog(bot)
    await bot.add_cog(cog)
    for command in cog.get_app_commands():
        if command.name not in COMMANDS:
            bot.tree.remove_command(command.name)
    if HELPFUL in COMMANDS:
        bot.tree.add_command(cog.mark_helpful)
