"""What the bot needs from Discord and what it has, for `roundtable doctor` and the invite link.

The bot asks for one privileged intent, message content (it moderates every message), which must be switched on
in the Developer Portal. To act on what moderation finds it needs Manage Messages (delete) and Moderate Members
(timeout); without them it only alerts the admins. Permissions
are per server (and per channel); the REST API reports the bot's server-level permissions with its guild
list, which is enough to tell an operator which servers will get plain text instead of embeds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import discord

from bots.discord.bot import DEFAULT_API_URL, intents

# Reading and answering in channels and threads, embeds for answers, files for charts and exports.
REQUIRED_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, send_messages_in_threads=True,
                                           embed_links=True, attach_files=True, read_message_history=True)
# Removing posts and timing out members when moderation says so. Asked for in the invite, but optional: a server
# that withholds them gets alerts for its admins instead (so `missing_permissions` does not list them).
MODERATION_PERMISSIONS = discord.Permissions(manage_messages=True, moderate_members=True)


@dataclass(frozen=True)
class GuildAccess:
    guild_id: int
    name: str
    missing: tuple[str, ...]  # names of required permissions the bot lacks there ("embed_links", ...)


def intents_text() -> str:
    used = sorted(name for name, enabled in intents() if enabled)
    return f"{', '.join(used)} (message_content is privileged: switch it on in the Developer Portal)"


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(application_id, permissions=REQUIRED_PERMISSIONS | MODERATION_PERMISSIONS,
                                   scopes=("bot", "applications.commands"))


def missing_permissions(value: int) -> tuple[str, ...]:
    granted = discord.Permissions(value)
    if granted.administrator:
        return ()
    return tuple(name for name, needed in REQUIRED_PERMISSIONS if needed and not getattr(granted, name))


async def guild_access(token: str, api_url: str = DEFAULT_API_URL) -> list[GuildAccess]:
    """The servers the bot is in and what each lacks, read over REST (no gateway connection)."""
    discord.http.Route.BASE = api_url.rstrip("/")
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        await http.static_login(token)
        guilds = await http.get_guilds(200)
    finally:
        await http.close()
    return [GuildAccess(int(g["id"]), g.get("name", ""), missing_permissions(int(g.get("permissions", 0))))
            for g in guilds]
