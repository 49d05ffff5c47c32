"""What crosses between a front-end and the chat core: ``Incoming`` messages and ``Outgoing`` replies.

Front-ends translate native updates into ``Incoming`` and render ``Outgoing``; neither carries a platform
object, so the router and its tests never need a chat library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from advisor.types import Answer, Language

ChatKind = Literal["private", "group"]


@dataclass(frozen=True)
class Incoming:
    platform: str
    chat_id: str
    chat_kind: ChatKind
    user_id: str
    display_name: str
    text: str
    reply_to_bot: bool = False
    mentions_bot: bool = False
    is_admin: bool | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    language: Language | None = None
    action: str | None = None  # a pressed button's data
    attachment: bytes | None = None  # a file sent with the message (a portfolio CSV), already size-checked
    attachment_name: str = ""
    # For moderation (group chatter included): the platform's message id, when the member joined (None:
    # unknown), and what kind of message it is. Text is the message's text or its media caption.
    message_id: str = ""
    joined_at: datetime | None = None
    forwarded: bool = False
    has_media: bool = False
    edited: bool = False  # a new version of an earlier message: moderated again
    # Community features (issue 14). ``username`` is the member's @handle without the "@" ("" when they have
    # none); ``mentioned`` the platform ids of members the text mentions, when the platform says (Discord
    # always, Telegram for text mentions); ``reply_to_user_id``/``reply_to_message_id`` the post this one
    # replies to. A reaction arrives as an ``Incoming`` with ``reaction`` set (the emoji), empty ``text``,
    # ``message_id`` the reacted post and ``reply_to_user_id`` that post's author when the platform says.
    username: str = ""
    mentioned: tuple[str, ...] = ()
    reply_to_user_id: str = ""
    reply_to_message_id: str = ""
    reaction: str = ""

    @property
    def chat_key(self) -> str:
        return f"{self.platform}:{self.chat_id}"

    @property
    def user_key(self) -> str:
        return f"{self.platform}:{self.user_id}"


@dataclass(frozen=True)
class Button:
    label: str
    action: str = ""  # pressed: comes back as Incoming.action
    deep_link: str = ""  # opens a private chat with the bot with this start payload
    # Any member may press it, any number of times (a 👍/👎 on an answer). Otherwise a button belongs to the
    # member the message answers: front-ends that can tell (Discord) refuse other members' presses.
    anyone: bool = False


@dataclass(frozen=True)
class Enforce:
    """A moderation step for the front-end to carry out with the platform, when the bot has the right:
    ``delete`` the message ``message_id``; ``mute`` the member ``user_id`` for ``minutes`` (Telegram
    restrictChatMember, Discord timeout). The ``Outgoing``'s ``text`` (if any) is sent after the step succeeds;
    when the bot lacks the right (or the platform refuses), ``fallback`` is sent instead: an alert asking the
    admins to act. Platform errors are logged, never shown to the group as errors."""

    kind: Literal["delete", "mute"]
    message_id: str = ""
    user_id: str = ""  # the platform's user id (Incoming.user_id), not the user key
    minutes: int = 0
    fallback: str = ""


@dataclass(frozen=True)
class Outgoing:
    """What to send. ``text`` uses a light markup: ``**bold**`` only; front-ends escape everything else."""

    text: str = ""
    answer: Answer | None = None
    image: bytes | None = None  # a PNG chart, shown with the text
    file: tuple[str, bytes] | None = None  # a document to send: (file name, content), e.g. a portfolio export
    buttons: tuple[Button, ...] = ()
    reply: bool = True
    private: bool = False  # send to the member's private chat, wherever they wrote
    # For a private reply to a group message: what the group sees when the platform will not deliver the
    # private one (the member never opened a chat with the bot). Empty: the front-end's own apology.
    private_fallback: str = ""
    enforce: Enforce | None = None  # a moderation step (see ``Enforce`` for when ``text`` is sent)
    # A private note to another member (platform user id, as in ``Incoming.user_id``), e.g. a follower told that
    # a portfolio they follow changed. Sent to that member's private chat; when the platform will not deliver it
    # (they never opened a chat with the bot), it is logged and dropped: the group never sees it.
    recipient: str = ""
    # Answering a pressed button, front-ends edit the pressed message with the first plain reply (the questionnaire
    # steps forward in place). ``new_message`` asks for a separate message instead: a 👎's reason prompt must
    # not replace the answer it rates.
    new_message: bool = False
