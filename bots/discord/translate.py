"""Discord events -> ``Incoming``: what the router sees of a message, a slash command or a pressed button.

Without the privileged message-content intent, Discord sends the text of a guild message only when the
message mentions the bot (or is a DM); every other guild message arrives with empty content, which the
router treats as chatter. Whether the bot is addressed is read from ``message.mentions`` (the users
Discord resolved as mentioned), not from the text, so "@roundtable_fan" is never taken for the bot. The
router gets clean text: the bot's own mention tokens (``<@id>`` and the older nickname form ``<@!id>``)
removed, and the spaces and punctuation they leave behind tidied.
"""

from __future__ import annotations

import re

import discord

from advisor.types import Language
from bots.chat.messages import ChatKind, Incoming

PLATFORM = "discord"
_SPACES = re.compile(r"[ \t]{2,}")
_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[,.;:!?，。；：！？])")  # "an ETF, ?" -> "an ETF,?"
_DANGLING = re.compile(r"[,;:，；：](?=[.!?。！？]|$)")  # "an ETF,?" -> "an ETF?"


def _tidy(text: str) -> str:
    """The text after a mention was cut out of it: no doubled spaces or orphaned punctuation."""
    text = _DANGLING.sub("", _BEFORE_PUNCTUATION.sub("", _SPACES.sub(" ", text)))
    return text.strip().lstrip(",;:，；：").strip()


def language_of(locale: discord.Locale | None) -> Language | None:
    """The member's Discord client language, when it is one the bot speaks."""
    code = str(locale.value if locale is not None else "").lower()
    return "zh" if code.startswith("zh") else "en" if code.startswith("en") else None


def without_mentions_of(text: str, user_id: int) -> str:
    """``text`` with the mention tokens of ``user_id`` cut out, tidied."""
    cut = re.sub(rf"<@!?{user_id}>", " ", text)
    return _tidy(cut) if cut != text else text


def _replied_author(message: discord.Message) -> int | None:
    reference = message.reference
    resolved = reference.resolved if reference is not None else None
    return resolved.author.id if isinstance(resolved, discord.Message) else None


def from_message(message: discord.Message, me: discord.abc.User) -> Incoming | None:
    """The router's view of a channel or DM message, or None for messages the bot must never answer:
    its own, other bots' (two bots answering each other would loop) and webhooks' (often relays of bots)."""
    author = message.author
    if author.id == me.id or author.bot or message.webhook_id is not None:
        return None
    # A guild whose GUILD_CREATE has not arrived yet gives messages no guild, but their channel still
    # names it: only a channel without a guild is a DM.
    private = message.guild is None and getattr(message.channel, "guild_id", None) is None
    if not message.content.strip():
        return None  # an attachment or a sticker alone: nothing to read
    mentioned = any(user.id == me.id for user in message.mentions)
    return Incoming(
        platform=PLATFORM, chat_id=str(message.channel.id), chat_kind="private" if private else "group",
        user_id=str(author.id), display_name=author.display_name,
        text=without_mentions_of(message.content, me.id), mentions_bot=mentioned,
        reply_to_bot=_replied_author(message) == me.id, received_at=message.created_at,
    )


def from_interaction(interaction: discord.Interaction, text: str, *, private: bool = False,
                     attachment: bytes | None = None, attachment_name: str = "") -> Incoming:
    """A slash command as the command line the router understands ("/ask what is an ETF?").

    ``private`` marks commands whose replies are ephemeral (the questionnaire, portfolios): only the member
    sees them, which is what a private chat guarantees on Telegram, so the router serves them as private."""
    in_guild = interaction.guild_id is not None
    kind: ChatKind = "group" if in_guild and not private else "private"
    return Incoming(
        platform=PLATFORM, chat_id=str(interaction.channel_id or interaction.user.id), chat_kind=kind,
        user_id=str(interaction.user.id), display_name=interaction.user.display_name, text=text,
        mentions_bot=True,  # a slash command is always addressed to the application that owns it
        is_admin=is_server_admin(interaction.permissions) if in_guild else None,
        received_at=interaction.created_at, language=language_of(interaction.locale),
        attachment=attachment, attachment_name=attachment_name,
    )


def is_server_admin(permissions: discord.Permissions) -> bool:
    """Who may change a server's settings and briefings: members with Manage Server, or Administrator. Discord
    normally reports an administrator's channel permissions with every bit set, but the Administrator bit alone
    is what grants them, so it counts by itself too."""
    return permissions.manage_guild or permissions.administrator


def from_button(interaction: discord.Interaction, action: str, *, private: bool) -> Incoming:
    """A pressed button: the action its custom_id carries, in the context (private or not) it was sent in."""
    return Incoming(
        platform=PLATFORM, chat_id=str(interaction.channel_id or interaction.user.id),
        chat_kind="private" if private or interaction.guild_id is None else "group",
        user_id=str(interaction.user.id), display_name=interaction.user.display_name, text="", action=action,
        received_at=interaction.created_at, language=language_of(interaction.locale),
    )
