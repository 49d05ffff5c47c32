"""Moderation on Discord: carrying out the router's ``Enforce`` steps.

The router decides; this module only asks Discord. Deleting another member's message needs Manage Messages,
a timeout needs Moderate Members (and a role above the member's). Without them Discord answers 403
(``discord.Forbidden``) and the step reports failure, so the front-end posts the router's fallback alert for
the admins instead. Refusals are logged at INFO with Discord's reason only, never a member's message.
Rate limits are discord.py's own (it waits and retries 429s).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import discord

from bots.chat.messages import Enforce

log = logging.getLogger(__name__)

MAX_TIMEOUT = timedelta(days=28)  # Discord refuses a longer timeout
REASON = "Roundtable moderation: this server's rules"  # shown in the server's audit log


async def carry_out(http: discord.http.HTTPClient, guild_id: int, channel_id: int, step: Enforce) -> bool:
    """Ask Discord to carry out ``step``: True when done, False when Discord refused."""
    try:
        if step.kind == "delete":
            await http.delete_message(channel_id, int(step.message_id), reason=REASON)
        else:
            length = min(timedelta(minutes=max(step.minutes, 1)), MAX_TIMEOUT)
            until = discord.utils.utcnow() + length
            await http.edit_member(guild_id, int(step.user_id), reason=REASON,
                                   communication_disabled_until=until.isoformat())
    except discord.NotFound as exc:
        if step.kind == "delete":
            return True  # already gone (an admin was quicker, or the member deleted it)
        log.info("discord refused to %s in guild %s: %s", step.kind, guild_id, exc.text)
        return False
    except discord.Forbidden as exc:
        log.info("discord refused to %s in guild %s: %s", step.kind, guild_id, exc.text)
        return False
    except ValueError:
        log.warning("a %s step without a usable id in guild %s; not carried out", step.kind, guild_id)
        return False
    return True
