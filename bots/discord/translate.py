"""Discord events -> ``Incoming``: what the router sees of a message, a slash command or a pressed button.

Every guild message goes to the router, which moderates it (issue 11): this needs the privileged message-content
intent (``bot.intents``), without which Discord blanks the text of messages that do not mention the bot. The
member's join time comes with each guild message (its ``member`` part), so no members intent is needed for
new-member rules, and admins (Manage Server or Administrator) are marked on every message: they are exempt.
Whether the bot is addressed is read from ``message.mentions`` (the users
Discord resolved as mentioned), not from the text, so "@roundtable_fan" is never taken for the bot. The
router gets clean text: the bot's own mention tokens (``<@id>`` and the older nickname form ``<@!id>``)
removed, and the spaces and punctuation they leave behind tidied.

For the community features (issue 14) the router also learns the author's username, the members the text
mentions (``<@id>`` tokens, in the order written: not ``message.mentions``, which also holds the author of the
post being replied to when the reply pings them), the post a message replies to and its author, and reactions
(``from_reaction``: raw gateway events, so the reacted post need not be in discord.py's cache).
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


def mentioned_members(content: str, me_id: int) -> tuple[str, ...]:
    """The user ids mentioned in ``content`` (``<@id>`` or ``<@!id>``), in order, once each, the bot left out."""
    ids = (match for match in re.findall(r"<@!?([0-9]{15,20})>", content) if int(match) != me_id)
    return tuple(dict.fromkeys(ids))


def _replied_message_id(message: discord.Message) -> str:
    """The id of the post ``message`` replies to ("" for none, and for a forward, which is no reply)."""
    reference = message.reference
    if reference is None or reference.type != discord.MessageReferenceType.reply or reference.message_id is None:
        return ""
    return str(reference.message_id)


def _replied_author(message: discord.Message) -> int | None:
    reference = message.reference
    resolved = reference.resolved if reference is not None else None
    return resolved.author.id if isinstance(resolved, discord.Message) else None


def has_media(message: discord.Message) -> bool:
    """Files, stickers, or embeds that show a picture or video (a link preview with a thumbnail counts)."""
    return bool(message.attachments or message.stickers) or any(
        embed.image or embed.video or embed.thumbnail for embed in message.embeds)


def forwarded(message: discord.Message) -> bool:
    """A forward: Discord sends it with a reference of type "forward" and the original in a snapshot."""
    reference = message.reference
    return bool(message.message_snapshots) or (
        reference is not None and reference.type == discord.MessageReferenceType.forward)


def from_message(message: discord.Message, me: discord.abc.User, *, edited: bool = False) -> Incoming | None:
    """The router's view of a channel or DM message, or None for messages the bot must never answer:
    its own, other bots' (two bots answering each other would loop) and webhooks' (often relays of bots).
    ``edited``: a new version of an earlier message (moderated again, never answered again)."""
    author = message.author
    if author.id == me.id or author.bot or message.webhook_id is not None:
        return None
    # A guild whose GUILD_CREATE has not arrived yet gives messages no guild, but their channel still
    # names it: only a channel without a guild is a DM.
    private = message.guild is None and getattr(message.channel, "guild_id", None) is None
    # A forward has no content of its own: what it shows is the snapshot of the original, moderated like text.
    snapshots = message.message_snapshots
    content = message.content or "\n".join(snapshot.content for snapshot in snapshots if snapshot.content)
    media = has_media(message) or any(snapshot.attachments or snapshot.stickers for snapshot in snapshots)
    if not content.strip() and (private or not media):
        return None  # nothing to read (in a guild, a bare file or sticker is still moderated)
    mentioned = any(user.id == me.id for user in message.mentions)
    member = author if isinstance(author, discord.Member) else None
    return Incoming(
        platform=PLATFORM, chat_id=str(message.channel.id), chat_kind="private" if private else "group",
        user_id=str(author.id), display_name=author.display_name,
        text=without_mentions_of(content, me.id), mentions_bot=mentioned,
        reply_to_bot=_replied_author(message) == me.id,
        received_at=(message.edited_at or message.created_at) if edited else message.created_at,
        is_admin=is_server_admin(member.guild_permissions) if member is not None else None,
        message_id=str(message.id), joined_at=member.joined_at if member is not None else None,
        forwarded=forwarded(message), has_media=media, edited=edited,
        username=author.name, mentioned=mentioned_members(message.content, me.id),
        reply_to_user_id=str(_replied_author(message) or ""), reply_to_message_id=_replied_message_id(message),
    )


def from_reaction(payload: discord.RawReactionActionEvent, me_id: int) -> Incoming | None:
    """A reaction a member added (MESSAGE_REACTION_ADD), or None for the bot's own and other bots'. Discord names
    the reacted post's author (``message_author_id``) in guilds; 0 or absent means it did not say. A custom emoji
    arrives as its ``<:name:id>`` text, a unicode one as itself."""
    member = payload.member
    if payload.user_id == me_id or (member is not None and member.bot) or payload.event_type != "REACTION_ADD":
        return None
    author = payload.message_author_id
    return Incoming(
        platform=PLATFORM, chat_id=str(payload.channel_id), chat_kind="group" if payload.guild_id else "private",
        user_id=str(payload.user_id), display_name=member.display_name if member is not None else "", text="",
        message_id=str(payload.message_id), reply_to_user_id=str(author) if author else "",
        reaction=str(payload.emoji), username=member.name if member is not None else "",
        joined_at=member.joined_at if member is not None else None,
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
        attachment=attachment, attachment_name=attachment_name, username=interaction.user.name,
        mentioned=mentioned_members(text, interaction.application_id),  # a bot's user id is its application's
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
        # Review-queue decisions are for admins: Discord sends the presser's permissions with every press.
        is_admin=is_server_admin(interaction.permissions) if interaction.guild_id is not None else None,
        username=interaction.user.name,
    )
