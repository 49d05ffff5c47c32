"""Telegram messages -> ``Incoming``: whether the bot is addressed is read from the message's entities.

Telegram marks mentions, text mentions and commands as entities. Reading those rather than searching the
text means "@roundtablebot_fan" is not a mention of @roundtablebot, and "/ask@OtherBot" in a group is
another bot's command, which never reaches the router. The router gets clean text: the bot's own mentions
removed and "/ask@ThisBot q" turned into "/ask q" with ``mentions_bot`` set.

For moderation the router also sees group chatter, media (its caption is the text), forwards and edits; the
message id travels along so the front-end can delete it when the router says so.

For the community features (issue 14) it also carries the sender's @username, the members named by text mentions
(Telegram gives an id only for those; an "@handle" mention is text, resolved by the router against handles it
knows), the post this one replies to, and reactions (``reactions``): each emoji a member newly adds to a post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from telegram import (
    Message,
    MessageEntity,
    MessageReactionUpdated,
    ReactionType,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
    User,
)
from telegram.constants import ChatType

from advisor.types import Language
from bots.chat.messages import Incoming

_SPACES = re.compile(r"[ \t]{2,}")  # runs of spaces left where a mention was cut out
_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[,.;:!?，。；：！？])")  # "an ETF, ?" -> "an ETF,?"
CSV_TYPES = {"text/csv", "text/comma-separated-values"}  # what Telegram apps report for .csv files
_DANGLING = re.compile(r"[,;:，；：](?=[.!?。！？]|$)")  # "an ETF,?" -> "an ETF?"


def _tidy(text: str) -> str:
    """The text after a mention was cut out of it: no doubled spaces or orphaned punctuation."""
    text = _DANGLING.sub("", _BEFORE_PUNCTUATION.sub("", _SPACES.sub(" ", text)))
    return text.strip().lstrip(",;:，；：").strip()


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is on Telegram, as getMe reported it."""

    id: int
    username: str

    def is_me(self, username: str) -> bool:
        return username.lstrip("@").casefold() == self.username.casefold()


def language_of(user: User | None) -> Language | None:
    """The member's Telegram app language, when it is one the bot speaks."""
    code = (user.language_code or "").lower() if user else ""
    return "zh" if code.startswith("zh") else "en" if code.startswith("en") else None


def has_media(message: Message) -> bool:
    """Whether the message carries a picture, video, file, sticker or voice note (new members may not post
    these in their first day; the caption, if any, is read as the message's text)."""
    return any((message.photo, message.video, message.document, message.animation, message.sticker,
                message.audio, message.voice, message.video_note, message.paid_media))


def incoming(message: Message, me: BotIdentity, is_admin: bool | None = None, *, edited: bool = False,
             read_caption: bool = True) -> Incoming | None:
    """The router's view of a message (its text, or a media caption), or None when it is a command for
    another bot. ``edited``: a new version of an earlier message (an edited_message update)."""
    caption = message.caption if read_caption and not message.text else None
    text = message.text or caption or ""
    data = text.encode("utf-16-le")  # entity offsets and lengths count UTF-16 code units
    cuts: list[tuple[int, int, str]] = []  # (start, end) in UTF-16 units, and what replaces the span
    addressed = False
    mentioned: list[str] = []  # members named by text mentions (the bot itself is "addressed", not listed)
    for entity in message.caption_entities if caption else message.entities:
        start, end = entity.offset, entity.offset + entity.length
        span = data[start * 2:end * 2].decode("utf-16-le")
        if entity.type == MessageEntity.BOT_COMMAND and start == 0:
            name, _, target = span.partition("@")
            if target:
                if not me.is_me(target):
                    return None  # "/ask@OtherBot": another bot's command
                addressed = True
                cuts.append((start, end, name))
        elif (entity.type == MessageEntity.MENTION and me.is_me(span)) or \
                (entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == me.id):
            addressed = True
            cuts.append((start, end, ""))
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and \
                str(entity.user.id) not in mentioned:
            mentioned.append(str(entity.user.id))
    for start, end, replacement in sorted(cuts, reverse=True):
        data = data[:start * 2] + replacement.encode("utf-16-le") + data[end * 2:]
    clean = _tidy(data.decode("utf-16-le")) if cuts else text
    chat, user = message.chat, message.from_user
    replied = replied_to(message)
    return Incoming(
        platform="telegram", chat_id=str(chat.id),
        chat_kind="private" if chat.type == ChatType.PRIVATE else "group",
        user_id=str(user.id if user else chat.id), display_name=user.full_name if user else chat.title or "",
        text=clean, mentions_bot=addressed,
        reply_to_bot=bool(replied and replied.from_user and replied.from_user.id == me.id),
        is_admin=is_admin, received_at=(message.edit_date or message.date) if edited else message.date,
        language=language_of(user), message_id=str(message.message_id),
        forwarded=message.forward_origin is not None, has_media=has_media(message), edited=edited,
        username=(user.username or "") if user else "", mentioned=tuple(mentioned),
        reply_to_user_id=str(replied.from_user.id) if replied and replied.from_user else "",
        reply_to_message_id=str(replied.message_id) if replied else "",
    )


def replied_to(message: Message) -> Message | None:
    """The post ``message`` answers. In a forum topic Telegram sets reply_to_message on every message to the
    topic's opening service message, which is no reply to anyone: that one is not counted."""
    replied = message.reply_to_message
    if replied is None or (message.is_topic_message and replied.forum_topic_created is not None):
        return None
    return replied


def reaction_emoji(reaction: ReactionType) -> str:
    """The emoji as the router sees it: the character itself, or "custom:<id>" for a custom emoji (a paid
    star reaction is no emoji: "")."""
    if isinstance(reaction, ReactionTypeEmoji):
        return reaction.emoji
    if isinstance(reaction, ReactionTypeCustomEmoji):
        return f"custom:{reaction.custom_emoji_id}"
    return ""


def reactions(change: MessageReactionUpdated) -> list[Incoming]:
    """One ``Incoming`` per emoji the member added in this change; removed ones are not reported (points are
    never taken back by un-reacting, and a re-added emoji after a removal counts as a new mark: the router
    decides what a repeat is worth). An anonymous reaction (an admin reacting as the group) names no member,
    and Telegram does not say who wrote the reacted post: both are left out / empty."""
    user = change.user
    if user is None or user.is_bot:
        return []
    before = {reaction_emoji(reaction) for reaction in change.old_reaction}
    now = dict.fromkeys(map(reaction_emoji, change.new_reaction))  # in the member's order, no repeats
    added = [emoji for emoji in now if emoji and emoji not in before]
    chat = change.chat
    return [Incoming(
        platform="telegram", chat_id=str(chat.id), chat_kind="private" if chat.type == ChatType.PRIVATE else "group",
        user_id=str(user.id), display_name=user.full_name, text="", received_at=change.date,
        language=language_of(user), message_id=str(change.message_id), username=user.username or "",
        reaction=emoji) for emoji in added]


def is_portfolio_csv(message: Message) -> bool:
    """A document meant for /portfolio import: a .csv name, a CSV type, or the command as its caption."""
    document = message.document
    if document is None:
        return False
    words = (message.caption or "").split()
    captioned = len(words) >= 2 and words[0].partition("@")[0].lower() == "/portfolio" and words[1].lower() == "import"
    return captioned or (document.file_name or "").lower().endswith(".csv") or \
        (document.mime_type or "").lower() in CSV_TYPES


def upload(message: Message, me: BotIdentity, content: bytes) -> Incoming:
    """A portfolio CSV sent as a file: the router sees "/portfolio import" with the file attached."""
    msg = incoming(message, me, read_caption=False)  # the caption only chose the command
    assert msg is not None  # a document has no text, so it is no other bot's command
    name = message.document.file_name if message.document and message.document.file_name else "portfolio.csv"
    return replace(msg, text="/portfolio import", attachment=content, attachment_name=name)
