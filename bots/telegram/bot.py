"""The Telegram front-end (python-telegram-bot 22): native updates -> Incoming -> Router -> Telegram calls.

Long polling by default, a webhook when ROUNDTABLE_TELEGRAM_WEBHOOK_URL is set, and any Bot API server
via ROUNDTABLE_TELEGRAM_API_URL (which is how the end-to-end tests run it against a local fake).
Rate limits are PTB's AIORateLimiter (per chat and per group, honouring retry_after); other failures are
retried as ``retries`` decides; updates PTB cannot parse are skipped (``updates``); what the router sees
is decided in ``translate``.

Moderation (issue 11) needs every group message, not only the ones addressed to the bot. With privacy mode on
(BotFather's default) the Bot API delivers only commands, mentions and replies to the bot, unless the bot is
an admin of the group: a bot that moderates needs privacy mode off (BotFather: /setprivacy -> Disable) or
admin rights, and to act (not only alert) the "Delete messages" and "Ban users" rights. Startup logs a warning
when privacy mode is on. Reactions (helpful marks, issue 14) reach only a bot that is an admin of the group,
whatever the privacy mode; sending is ``sending``'s, private notes to other members included.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from telegram import (
    BotCommand,
    CallbackQuery,
    ChatMemberUpdated,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    MessageReactionHandler,
    filters,
)
from telegram.request import HTTPXRequest

from advisor.portfolio.csvio import MAX_BYTES
from bots.app.logs import report_crash
from bots.chat.messages import Incoming, Outgoing
from bots.chat.router import COMMANDS, Router, needs_admin, needs_admin_action
from bots.telegram import moderation, retries
from bots.telegram.render import light_markup_to_html
from bots.telegram.sending import Sender
from bots.telegram.translate import BotIdentity, incoming, is_portfolio_csv, language_of, reactions, upload
from bots.telegram.updates import TolerantUpdatesRequest
from knowledge.errors import UserError

log = logging.getLogger(__name__)

ANONYMOUS_ADMIN = 1087968824  # @GroupAnonymousBot: messages from anonymous group admins
ZH_DESCRIPTIONS = {"start": "介绍与入门", "help": "我能做什么", "ask": "提问：/ask 什么是杠杆ETF？",
                   "quote": "行情，附时间、来源和风险等级：/quote AAPL 0700.HK",
                   "chart": "价格走势图：/chart AAPL 1y（可选 1m、6m、1y、5y）",
                   "portfolio": "您的私人投资组合：添加、删除、列表、快照、导入、导出、清空",
                   "profile": "私聊完成风险测评", "forget": "删除我保存的关于您的数据",
                   "privacy": "我保存哪些数据及原因",
                   "brief": "本群的早间市场简报：开启、关闭、立即发送、自选、市场、查看",
                   "mood": "本群情绪、趋势和常提及的代码（非交易信号）",
                   "modqueue": "待审核的消息：批准或拒绝（管理员）", "modpolicy": "本群的管理规则；管理员可修改",
                   "settings": "群设置（管理员）",
                   # Community (issue 14), listed once the router has them.
                   "follow": "关注成员分享的组合（权重变化时私信提醒，非投资建议）", "unfollow": "取消关注",
                   "leaderboard": "按风险调整后的历史表现排名（过往表现不代表未来，非投资建议）",
                   "quiz": "来自研究笔记的选择题：/quiz 债券", "points": "您的贡献积分", "top": "本群最乐于助人的成员",
                   "helpful": "回复一条消息并发送 /helpful，标记它有帮助"}
# The Chinese menu lists the router's commands in the router's order. A command without a Chinese description is
# left out, which tests/bots/test_parity.py reports.
COMMANDS_ZH = {name: ZH_DESCRIPTIONS[name] for name in COMMANDS if name in ZH_DESCRIPTIONS}
ADMIN_CACHE_SECONDS = 120.0
# Reactions members set (not the anonymous per-emoji counts of channels, which name nobody).
REACTION_UPDATED = MessageReactionHandler.MESSAGE_REACTION_UPDATED
# What the bot asks Telegram to deliver. chat_member (joins and promotions) and message_reaction (helpful marks,
# issue 14) are only sent when asked for by name, and only to a bot that is an admin of the group; edited_message
# is needed to re-check edits (a scam link added after posting).
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER,
                   Update.CHAT_MEMBER, Update.MESSAGE_REACTION]
# Group messages the router moderates besides text: media, with or without a caption (the caption is the text).
GROUP_MEDIA = filters.ChatType.GROUPS & ~filters.TEXT & (
    filters.CAPTION | filters.PHOTO | filters.VIDEO | filters.Document.ALL | filters.ANIMATION | filters.Sticker.ALL
    | filters.AUDIO | filters.VOICE | filters.VIDEO_NOTE | filters.PAID_MEDIA)

NOT_READABLE = ("I can only read text messages, and CSV files for /portfolio import (symbol,quantity,cost,date). "
                "Try /help.")
APOLOGY = "Sorry, something went wrong on my side (reference {ref}). Please try again in a moment."


class TelegramFrontend:
    def __init__(self, router: Router, token: str, *, api_url: str | None = None, read_timeout: float = 30.0) -> None:
        self.router = router
        # Updates are processed concurrently (a slow answer in one chat must not stall the others); the
        # router's shared state is locked.
        builder = (ApplicationBuilder().token(token).rate_limiter(AIORateLimiter(max_retries=3))
                   .concurrent_updates(8)
                   .request(HTTPXRequest(connect_timeout=10, read_timeout=read_timeout))
                   .get_updates_request(TolerantUpdatesRequest(connection_pool_size=1, connect_timeout=10)))
        if api_url:
            base = api_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        self.app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.me = BotIdentity(0, "")  # known once getMe has answered (start)
        self._admins: dict[tuple[int, int], tuple[bool, float]] = {}
        self.admin_lists = moderation.AdminList(self.app.bot.get_chat_administrators)
        self.webhook_secret: str | None = None
        self.sender = Sender(self.app.bot)
        self._add_handlers()

    def _add_handlers(self) -> None:
        app = self.app
        app.add_handler(ChatMemberHandler(self.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(ChatMemberHandler(self.on_chat_member, ChatMemberHandler.CHAT_MEMBER))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, self.on_new_members))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & GROUP_MEDIA, self.on_text))
        # Edits are moderated again; private edits change nothing (the answer was given).
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.ChatType.GROUPS &
                                       (filters.TEXT | GROUP_MEDIA), self.on_text))
        # Files are read in private chats only; in a group the bot only observes, and downloads nothing.
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.Document.ALL,
                                       self.on_document))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.TEXT,
                                       self.on_other_private))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(MessageReactionHandler(self.on_reaction, message_reaction_types=REACTION_UPDATED))
        app.add_error_handler(self.on_error)

    async def _register(self) -> None:
        """Remember who the bot is (for mentions, commands and deep links); register its commands, en and zh."""
        bot = self.app.bot
        self.me = BotIdentity(bot.id, bot.username)
        self.sender.username = bot.username
        if not bot.can_read_all_group_messages:
            log.warning("telegram privacy mode is on: in groups where @%s is not an admin, Telegram delivers only "
                        "commands, mentions and replies, so other messages are not moderated (BotFather: "
                        "/setprivacy -> Disable, or make the bot an admin)", bot.username)
        await retries.idempotent(bot.set_my_commands, [BotCommand(name, text) for name, text in COMMANDS.items()])
        await retries.idempotent(bot.set_my_commands,
                                 [BotCommand(name, text) for name, text in COMMANDS_ZH.items()], language_code="zh")

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self, webhook_url: str | None = None, listen: str = "0.0.0.0", port: int = 8443,
                    webhook_secret: str | None = None) -> None:
        try:
            await self.app.initialize()
        except InvalidToken as exc:
            raise UserError("Telegram rejected ROUNDTABLE_TELEGRAM_TOKEN; copy it again from @BotFather.") from exc
        await self._register()
        assert self.app.updater is not None
        if webhook_url:
            path = webhook_url.rstrip("/").rsplit("/", 1)[-1]
            # Telegram echoes the secret in a header on every delivery; anything without it is refused.
            self.webhook_secret = webhook_secret or secrets.token_urlsafe(32)
            await self.app.updater.start_webhook(listen=listen, port=port, url_path=path, webhook_url=webhook_url,
                                                 secret_token=self.webhook_secret, allowed_updates=ALLOWED_UPDATES)
        else:
            await self.app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        await self.app.start()
        log.info("telegram front-end ready as @%s", self.app.bot.username)

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    # -- translating updates ---------------------------------------------------------------------

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A message, a group media post or an edit in a group: every group message goes to the router, which
        moderates all of them and answers the ones addressed to the bot."""
        message = update.effective_message
        if message is None:
            return
        msg = incoming(message, self.me, edited=update.edited_message is not None)
        if msg is None:
            return  # a command for another bot
        if msg.chat_kind == "group":
            # A settings change (router.needs_admin) pays for a precise getChatMember lookup of this member, so the
            # many members who read /settings or /brief cost nothing extra; any other message uses the chat's
            # cached admin list (admins are exempt from moderation): one Bot API call per chat every few minutes.
            admin = await self.is_admin(message) if needs_admin(msg.text) else \
                await self.admin_lists.sender_is_admin(message)
            msg = replace(msg, is_admin=admin)
        replies = await asyncio.to_thread(self.router.handle, msg)
        for reply in replies:
            await self.deliver(message, reply)

    async def deliver(self, origin: Message, reply: Outgoing) -> None:
        """A reply, after its moderation step if it has one: the text follows a step Telegram carried out; a
        refused step (the bot lacks the right) is replaced by the router's alert for the admins."""
        step = reply.enforce
        if step is None:
            await self.send(origin, reply)
            return
        if await moderation.carry_out(self.app.bot, origin.chat.id, step):
            reply = replace(reply, enforce=None)
        else:
            reply = Outgoing(step.fallback)
        if reply.text or reply.answer or reply.image or reply.file:
            await self.send(origin, reply)

    async def on_reaction(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A member added emoji to a post: each new one reaches the router (helpful marks feed points)."""
        change = update.message_reaction
        for msg in reactions(change) if change is not None else []:
            for reply in await asyncio.to_thread(self.router.handle, msg):
                await self.sender.to_chat(int(msg.chat_id), int(msg.user_id), reply)

    async def on_new_members(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The "X joined" service message (sent in every group, admin or not)."""
        message = update.effective_message
        if message is None:
            return
        for user in message.new_chat_members:
            if not user.is_bot:
                await self._joined(message.chat.id, user.id, message.date)

    async def on_chat_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A member's status changed (Telegram sends these only to admin bots, and only when asked for).
        Joins reach the router; a promotion or demotion drops the chat's cached admin list. A join may come
        both as this and as a service message: the router's member_joined takes the same join twice."""
        change: ChatMemberUpdated | None = update.chat_member
        if change is None:
            return
        was, now = change.old_chat_member, change.new_chat_member
        if moderation.is_admin_status(was) != moderation.is_admin_status(now):
            self.admin_lists.forget(change.chat.id)
        if moderation.joined(was, now) and not now.user.is_bot:
            await self._joined(change.chat.id, now.user.id, change.date)

    async def _joined(self, chat_id: int, user_id: int, at: datetime) -> None:
        await asyncio.to_thread(self.router.member_joined, f"telegram:{chat_id}", str(user_id), at)

    async def on_other_private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await self.send(update.effective_message, Outgoing(NOT_READABLE))

    async def on_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A file in a private chat: a portfolio CSV is downloaded (size checked first) and imported."""
        message = update.effective_message
        if message is None or message.document is None:
            return
        if not is_portfolio_csv(message):
            await self.send(message, Outgoing(NOT_READABLE))
            return
        document = message.document
        if _too_big(document.file_size):
            await self.send(message, Outgoing(_too_big_text(document.file_size or 0)))
            return
        file = await retries.idempotent(document.get_file)
        if _too_big(file.file_size):  # the message did not say; getFile does
            await self.send(message, Outgoing(_too_big_text(file.file_size or 0)))
            return
        content = bytes(await retries.idempotent(file.download_as_bytearray))
        replies = await asyncio.to_thread(self.router.handle, upload(message, self.me, content))
        for reply in replies:
            await self.send(message, reply)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query: CallbackQuery | None = update.callback_query
        if query is None:
            return
        await retries.idempotent(query.answer)
        message = query.message
        if not isinstance(message, Message):
            return  # the button's message is too old to be accessible
        group = message.chat.type != ChatType.PRIVATE
        # A review-queue decision (approve, reject) is for admins: the presser is looked up, as for /settings.
        admin = await self.member_is_admin(message.chat.id, query.from_user.id) \
            if group and needs_admin_action(query.data or "") else None
        pressed = Incoming("telegram", str(message.chat.id), "group" if group else "private",
                           str(query.from_user.id), query.from_user.full_name, "", action=query.data,
                           language=language_of(query.from_user), is_admin=admin,
                           username=query.from_user.username or "")
        replies = await asyncio.to_thread(self.router.handle, pressed)
        first = next((reply for reply in replies if not reply.recipient), None)  # notes for others never edit
        for reply in replies:
            if reply is first and not reply.answer and not reply.new_message:
                # The questionnaire edits its own message forward instead of piling up new ones.
                await self.edit(message, reply)
            else:
                await self.deliver(message, reply)

    async def edit(self, message: Message, reply: Outgoing) -> None:
        try:
            await retries.idempotent(message.edit_text, light_markup_to_html(reply.text), parse_mode=ParseMode.HTML,
                                     reply_markup=self.sender.keyboard(reply))
        except BadRequest as exc:
            # A retried edit whose first attempt timed out after all lands on a message that already says this.
            if "not modified" not in str(exc).lower():
                raise

    async def on_my_chat_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None:
            return
        chat_key = f"telegram:{change.chat.id}"
        status = change.new_chat_member.status
        if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
            self.router.chat_removed(chat_key)
        elif change.old_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED) and \
                change.chat.type != ChatType.PRIVATE:
            await retries.send(
                context.bot.send_message, change.chat.id, light_markup_to_html(
                    "Hello! I'm **Roundtable**, an investor-education assistant. Ask me with /ask or by "
                    "mentioning me; /help lists what I can do. I never give buy or sell calls."),
                parse_mode=ParseMode.HTML)

    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.migrate_to_chat_id:
            self.router.chat_migrated(f"telegram:{message.chat.id}", f"telegram:{message.migrate_to_chat_id}")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error or RuntimeError("unknown error")
        reference = report_crash(error, "telegram update")
        # A reaction asked nothing of the bot: a failure handling one is logged, not apologised for in the group.
        if isinstance(update, Update) and update.effective_chat is not None and not isinstance(error, Forbidden) \
                and update.message_reaction is None:
            try:
                await context.bot.send_message(update.effective_chat.id, APOLOGY.format(ref=reference))
            except TelegramError:
                log.warning("could not send the apology for %s", reference)

    # -- sending ---------------------------------------------------------------------------------

    async def send(self, origin: Message, reply: Outgoing) -> None:
        await self.sender.send(origin, reply)

    async def is_admin(self, message: Message) -> bool:
        user = message.from_user
        if user is None:
            return False
        if user.id == ANONYMOUS_ADMIN and message.sender_chat and message.sender_chat.id == message.chat.id:
            return True  # an anonymous admin posting as the group
        return await self.member_is_admin(message.chat.id, user.id)

    async def member_is_admin(self, chat_id: int, user_id: int) -> bool:
        """One member's status, from getChatMember (cached ADMIN_CACHE_SECONDS): for decisions that change
        something (settings, review-queue buttons)."""
        key = (chat_id, user_id)
        cached = self._admins.get(key)
        if cached and time.monotonic() - cached[1] < ADMIN_CACHE_SECONDS:
            return cached[0]
        member = await retries.idempotent(self.app.bot.get_chat_member, chat_id, user_id)
        admin = moderation.is_admin_status(member)
        self._admins[key] = (admin, time.monotonic())
        return admin


def _too_big(size: int | None) -> bool:
    return size is not None and size > MAX_BYTES


def _too_big_text(size: int) -> str:
    return (f"That file is {size / 1e6:.1f} MB; a portfolio CSV can be up to {MAX_BYTES / 1e6:g} MB, so I did not "
            "read it. Keep only the columns symbol,quantity,cost,date, or split it into several files.")
