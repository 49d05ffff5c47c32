"""Sending ``Outgoing`` replies on Telegram: where each goes, its chart/file/text pieces, and its buttons.

A reply goes to the chat it answers (as a reply to the member's message), to the member's private chat when
it is ``private`` (the group hears a neutral line when Telegram refuses: the member never pressed Start), or,
with a ``recipient``, privately to ANOTHER member (issue 14: a follower told that a portfolio they follow
changed). Telegram refuses to open a private chat the member never started (403); such a note is logged and
dropped, the group never hears of it, and the replies after it are still sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden, TelegramError

from bots.chat.messages import Outgoing
from bots.telegram import retries
from bots.telegram.render import answer_html, light_markup_to_html, split_message

log = logging.getLogger(__name__)

NOT_STARTED = ("I can't message you privately yet: open a chat with me and press Start, then try again.")


class Sender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.username = ""  # the bot's @username, for deep links: known once getMe has answered

    def keyboard(self, reply: Outgoing) -> InlineKeyboardMarkup | None:
        if not reply.buttons:
            return None
        rows = []
        for button in reply.buttons:
            if button.deep_link:
                url = f"https://t.me/{self.username}?start={button.deep_link}"
                rows.append([InlineKeyboardButton(button.label, url=url)])
            else:
                rows.append([InlineKeyboardButton(button.label, callback_data=button.action)])
        return InlineKeyboardMarkup(rows)

    async def send(self, origin: Message, reply: Outgoing) -> None:
        """A reply to ``origin`` (a member's message or the message under a pressed button)."""
        if reply.recipient:
            await self.note(reply)
            return
        pieces = _pieces(reply)
        chat_id = origin.chat.id
        if reply.private and origin.chat.type != ChatType.PRIVATE and origin.from_user:
            chat_id = origin.from_user.id
        try:
            await self.pieces(chat_id, pieces, reply, origin if chat_id == origin.chat.id else None)
        except Forbidden:
            # The member never opened a private chat with the bot: the group hears one neutral line instead.
            fallback = reply.private_fallback or NOT_STARTED
            await self.pieces(origin.chat.id, [light_markup_to_html(fallback)], Outgoing(), origin)

    async def to_chat(self, chat_id: int, member_id: int, reply: Outgoing) -> None:
        """A reply to something that is no message (a reaction): into the chat, or privately to ``member_id``
        when it is private. Nothing to reply to, and no fallback line: a refused private reply is dropped."""
        if reply.recipient:
            await self.note(reply)
            return
        reply = replace(reply, reply=False)
        try:
            await self.pieces(member_id if reply.private else chat_id, _pieces(reply), reply, None)
        except Forbidden as exc:
            log.info("telegram refused a reply in chat %s (%s); dropped", chat_id, exc.message)

    async def note(self, reply: Outgoing) -> None:
        """A private note to ``reply.recipient``, another member. Whatever Telegram refuses is logged and dropped:
        one member's closed chat must not cost the others their notes, nor show up in the group."""
        try:
            await self.pieces(int(reply.recipient), _pieces(reply), replace(reply, reply=False), None)
        except Forbidden as exc:  # never started a chat with the bot, or blocked it
            log.info("telegram would not deliver a private note to member %s (%s); dropped", reply.recipient,
                     exc.message)
        except ValueError:
            log.warning("a private note for %r, which is no Telegram user id; dropped", reply.recipient)
        except TelegramError as exc:  # e.g. "chat not found", or a failure retries gave up on
            log.warning("a private note to member %s failed (%s: %s); dropped", reply.recipient,
                        type(exc).__name__, exc)

    async def pieces(self, chat_id: int, pieces: list[str], reply: Outgoing, origin: Message | None) -> None:
        """The chart and the file first, then the text under them; the first one answers the member's message,
        the last one carries the buttons."""
        bot = self.bot
        sends: list[tuple[Callable[..., Awaitable[Any]], Any, dict[str, Any]]] = []
        if reply.image is not None:
            sends.append((bot.send_photo, reply.image, {}))
        if reply.file is not None:
            name, content = reply.file
            sends.append((bot.send_document, InputFile(content, filename=name), {}))
        sends += [(bot.send_message, piece, {"parse_mode": ParseMode.HTML,
                                              "link_preview_options": LinkPreviewOptions(is_disabled=True)})
                  for piece in pieces if piece.strip()]  # a chart alone has no text to send
        for index, (call, content, options) in enumerate(sends):
            try:
                await retries.send(
                    call, chat_id, content, **options,
                    reply_parameters=ReplyParameters(origin.message_id, allow_sending_without_reply=True)
                    if origin is not None and index == 0 and reply.reply else None,
                    reply_markup=self.keyboard(reply) if index == len(sends) - 1 else None)
            except TelegramError as exc:
                if not retries.may_have_been_delivered(exc):
                    raise
                # Most likely it arrived and only the answer was lost: sending it again could post it twice,
                # and an apology would contradict a delivered answer. Carry on with the rest.
                log.warning("a message to chat %s may not have been delivered (%s); not sending it again",
                            chat_id, type(exc).__name__)


def _pieces(reply: Outgoing) -> list[str]:
    return split_message(answer_html(reply.answer) if reply.answer else light_markup_to_html(reply.text))
