"""Moderation on Telegram: carrying out the router's ``Enforce`` steps, and knowing a group's admins cheaply.

The router decides; this module only asks Telegram. ``deleteMessage`` needs the "Delete messages" admin
right, ``restrictChatMember`` the "Ban users" right. Without them (or when Telegram refuses for another reason:
a message older than 48 hours, a target who is an admin) the step reports failure and the front-end posts the
router's fallback alert for the admins instead. Refusals are logged at INFO with Telegram's reason only, never
a member's message.

Admins are exempt from moderation, so every group message needs ``is_admin``. One getChatMember call per
message would cost a Bot API call for each line of chatter (and run into Telegram's limits in a busy group),
so ``AdminList`` fetches the whole list with one getChatAdministrators call per chat and keeps it for a few
minutes. A promotion shows up within ``ADMIN_LIST_SECONDS``, or at once when Telegram sends the chat_member
update (it does when the bot is an admin), which drops the chat's list.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot, ChatMember, ChatMemberRestricted, ChatPermissions, Message
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden, TelegramError

from bots.chat.messages import Enforce
from bots.telegram import retries

log = logging.getLogger(__name__)

ADMIN_LIST_SECONDS = 300.0
FAILED_LIST_SECONDS = 30.0  # a chat whose list Telegram refused is asked again after this, not per message
MUTED = ChatPermissions.no_permissions()
# Telegram treats a restriction shorter than 30 s (or longer than 366 days) as forever: never send one.
MIN_MUTE_MINUTES, MAX_MUTE_MINUTES = 1, 365 * 24 * 60
ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def carry_out(bot: Bot, chat_id: int, step: Enforce) -> bool:
    """Ask Telegram to carry out ``step`` in ``chat_id``: True when done, False when Telegram refused."""
    try:
        if step.kind == "delete":
            # Deleting is harmless to repeat (a retry after a lost answer finds the message gone: see below).
            await retries.idempotent(bot.delete_message, chat_id, int(step.message_id))
        else:
            minutes = min(max(step.minutes, MIN_MUTE_MINUTES), MAX_MUTE_MINUTES)
            until = datetime.now(UTC) + timedelta(minutes=minutes)
            await retries.idempotent(bot.restrict_chat_member, chat_id, int(step.user_id), MUTED, until_date=until)
    except BadRequest as exc:
        if step.kind == "delete" and "not found" in exc.message.lower():
            return True  # already gone: an admin deleted it, or our first attempt did and its answer was lost
        log.info("telegram refused to %s in chat %s: %s", step.kind, chat_id, exc.message)
        return False
    except Forbidden as exc:
        log.info("telegram refused to %s in chat %s: %s", step.kind, chat_id, exc.message)
        return False
    except ValueError:
        log.warning("a %s step without a usable id for chat %s; not carried out", step.kind, chat_id)
        return False
    return True


def is_admin_status(member: ChatMember) -> bool:
    return member.status in ADMIN_STATUSES


def _outside(member: ChatMember) -> bool:
    """Not in the chat: left, banned, or restricted and no longer a member."""
    return member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED) or \
        (isinstance(member, ChatMemberRestricted) and not member.is_member)


def joined(was: ChatMember, now: ChatMember) -> bool:
    """A chat_member update that brings someone into the chat."""
    return _outside(was) and not _outside(now)


class AdminList:
    """The user ids of each group's admins, fetched once per chat every ``ADMIN_LIST_SECONDS``."""

    def __init__(self, fetch: Callable[[int], Awaitable[Sequence[ChatMember]]]) -> None:
        self._fetch = fetch
        self._lists: dict[int, tuple[frozenset[int] | None, float]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def of(self, chat_id: int) -> frozenset[int] | None:
        """The chat's admins; None when Telegram would not say (the caller then treats nobody as exempt)."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        async with lock:  # concurrent messages of one chat share one request
            cached = self._lists.get(chat_id)
            if cached is not None and time.monotonic() < cached[1]:
                return cached[0]
            admins: frozenset[int] | None
            try:
                members: Any = await retries.idempotent(self._fetch, chat_id)
                admins = frozenset(member.user.id for member in members)
                expires = time.monotonic() + ADMIN_LIST_SECONDS
            except TelegramError as exc:
                log.warning("could not read the admins of chat %s (%s)", chat_id, type(exc).__name__)
                admins, expires = None, time.monotonic() + FAILED_LIST_SECONDS
            self._lists[chat_id] = (admins, expires)
            return admins

    async def sender_is_admin(self, message: Message) -> bool | None:
        """Whether the sender is on the chat's admin list (None: Telegram would not give the list). Posts as
        the group itself (anonymous admins) and the linked channel's automatic forwards are admins' posts."""
        if message.sender_chat is not None and (message.sender_chat.id == message.chat.id or
                                                message.is_automatic_forward):
            return True
        if message.from_user is None:
            return None
        admins = await self.of(message.chat.id)
        return None if admins is None else message.from_user.id in admins

    def forget(self, chat_id: int) -> None:
        """Someone was promoted or demoted: read the list again at the chat's next message."""
        self._lists.pop(chat_id, None)
