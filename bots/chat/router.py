"""The platform-neutral chat core: ``Incoming`` -> ``Router`` -> ``Outgoing``.

Front-ends (console, Telegram, Discord) only translate native updates into ``Incoming`` and render
``Outgoing``; every rule about what the bot says lives here or in the advisor. In groups the bot answers
commands, @mentions and replies to its own messages, and only observes everything else. Personal data
(the risk questionnaire, deleting one's data) is handled in a private chat.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from advisor.audit import ANSWER, CONFIRMATION, FORGET, PROFILE, SETTING
from advisor.audit.record import answer_data, record
from advisor.catalogue import message
from advisor.market.names import yahoo_symbols
from advisor.profiles import ProfileStore
from advisor.suitability import QUESTIONNAIRE, Profile, max_risk
from advisor.types import RISK_LEVELS, Language, Question, RiskLevel
from bots.chat.auditing import audit_chat, setting_data
from bots.chat.briefs import CHANGES as BRIEF_CHANGES
from bots.chat.briefs import BriefCommands
from bots.chat.community import Community
from bots.chat.markets import MarketCommands
from bots.chat.messages import Button, Incoming, Outgoing
from bots.chat.moderation import ModerationCommands
from bots.chat.mood import MoodCommands
from bots.chat.privacy import Privacy
from bots.chat.quota import Quota
from bots.chat.settings import ChatSettings, ChatSettingsStore, CollectionCatalog
from knowledge.errors import UserError, validate_collection_name

if TYPE_CHECKING:
    from advisor.advisor import Advisor
    from advisor.audit import AuditLog

log = logging.getLogger(__name__)

COMMANDS: dict[str, str] = {
    "start": "introduction and how to begin",
    "help": "what I can do",
    "ask": "ask a question: /ask what is a leveraged ETF?",
    "quote": "prices with as-of time, source and risk class: /quote AAPL 0700.HK",
    "chart": "a price chart: /chart AAPL 1y (1m, 6m, 1y or 5y)",
    "portfolio": "your private portfolio: add, remove, list, snapshot, import, export, clear",
    "follow": "follow a member's shared portfolio (/portfolio share shares yours): /follow @member [points]",
    "unfollow": "stop following a shared portfolio: /unfollow @member",
    "profile": "take the risk questionnaire (privately)",
    "forget": "delete everything I store about you",
    "privacy": "what I store and why",
    "brief": "a morning market briefing for this chat: on, off, now, watch, market, show",
    "mood": "this chat's mood, trend and most-mentioned symbols (not a signal)",
    "leaderboard": "shared portfolios ranked by risk-adjusted track record (not advice)",
    "modqueue": "messages held for review: approve or reject (admins)",
    "modpolicy": "this group's moderation rules; admins change them",
    "settings": "group settings (admins)",
    "quiz": "three quiz questions from our research notes: /quiz [topic]",
    "points": "your contribution points in this group (sent privately)",
    "top": "this group's most helpful members",
    "helpful": "reply /helpful to a post that helped you (or react with 👍)",
}
INTRO = ("I'm **Roundtable**, an automated investor-education assistant. I answer questions from our research "
         "notes, with sources, a risk level and a suitability note. I never tell anyone what to buy or sell, "
         "predict prices or promise returns.")


def needs_admin(text: str) -> bool:
    """Whether the router's answer to ``text`` in a group depends on ``Incoming.is_admin``: changes to the chat's
    settings, briefing or moderation policy, and the review queue. Front-ends look admins up (a platform request,
    cached) only for these, and for buttons (``needs_admin_action``)."""
    words = text.split()
    if words and words[0].lower() == "/modqueue":
        return True
    if len(words) < 2:
        return False
    command = words[0].lower()
    return command in {"/settings", "/modpolicy"} or (command == "/brief" and words[1].lower() in BRIEF_CHANGES)


def needs_admin_action(action: str) -> bool:
    """Whether a pressed button's answer depends on ``Incoming.is_admin``: approving or rejecting a held post."""
    return action.startswith("mod:")


def help_text() -> str:
    lines = [INTRO, "", "**Commands**"]
    lines += [f"/{name} — {text}" for name, text in COMMANDS.items()]
    lines.append("In groups, mention me or reply to my message to ask without a command.")
    return "\n".join(lines)


class Router:
    """Stateless between messages: questionnaires, quotas and settings live in the database, so several
    instances (or concurrent updates in one) agree on them."""

    def __init__(self, advisor: Advisor, profiles: ProfileStore, chat_settings: ChatSettingsStore,
                 collections: CollectionCatalog, quota: Quota | None = None,
                 markets: MarketCommands | None = None, briefs: BriefCommands | None = None,
                 moderation: ModerationCommands | None = None, mood: MoodCommands | None = None,
                 audit: AuditLog | None = None, community: Community | None = None) -> None:
        self.advisor = advisor
        self.community = community or Community()  # sharing, records, quizzes, points, feedback (issue 14)
        self.audit = audit  # the compliance record (issue 12); None records nothing
        self.markets = markets
        self.briefs = briefs
        self.moderation = moderation
        self.mood = mood
        self.profiles = profiles
        self.chat_settings = chat_settings
        self.collections = collections
        self.quota = quota or Quota(chat_settings.engine)
        self.privacy = Privacy.of(profiles, self.quota, holdings=markets.portfolios.store if markets else None,
                                  briefs=briefs, moderation=moderation.store if moderation else None, audit=audit,
                                  community=self.community.personal_data())

    def handle(self, msg: Incoming) -> list[Outgoing]:
        if msg.reaction:  # reactions feed contribution points (issue 14); nothing else reads them
            return self.community.reaction(msg)
        if msg.action:
            return self._on_button(msg)
        if msg.chat_kind == "private":  # private chats are never moderated nor counted in a mood
            return [] if msg.edited else self._respond(msg)
        # Every group message (chatter, commands, questions to the bot, edits) is moderated first and counted
        # in the chat's mood; a held or deleted message is never answered, and an edit is never answered again.
        checked = self.moderation.check(msg) if self.moderation is not None else None
        replies = list(checked.replies) if checked is not None else []
        if self.mood is not None:
            replies += self.mood.observe(msg)
        if (checked is not None and checked.removed) or msg.edited:
            return replies
        replies += self.community.observe(msg)  # a public call joins a track record; authors, for reactions
        return replies + self._respond(msg)

    def _respond(self, msg: Incoming) -> list[Outgoing]:
        text = msg.text.strip()
        if text.startswith("/"):
            return self._on_command(msg, text)
        if msg.chat_kind == "private":
            return self._ask(msg, text)
        if msg.reply_to_bot or (msg.mentions_bot and self.chat_settings.get(msg.chat_key).answer_mentions):
            return self._ask(msg, text)  # the front-end has already removed the mention
        return []  # group chatter the bot only observes

    # -- chat lifecycle (front-ends report what the platform tells them) ---------------------------

    def member_joined(self, chat_key: str, user_id: str, at: datetime) -> None:
        """A member joined a group (``user_id`` as in ``Incoming.user_id``, ``at`` timezone-aware): new-member
        rules apply to them until the chat's policy says they are not new any more."""
        if self.moderation is not None:
            platform = chat_key.partition(":")[0]
            self.moderation.member_joined(chat_key, f"{platform}:{user_id}", at)

    def chat_removed(self, chat_key: str) -> None:
        """The bot was removed from a chat: forget the chat's settings, its briefing, its moderation policy and the
        portfolios shared there."""
        self.chat_settings.delete(chat_key)
        if self.briefs is not None:
            self.briefs.removed(chat_key)
        if self.moderation is not None:
            self.moderation.store.removed(chat_key)
        self.community.chat_removed(chat_key)  # portfolios shared there, and their follows
        log.info("removed from chat %s; its settings are deleted", chat_key)

    def chat_migrated(self, old_key: str, new_key: str) -> None:
        """A chat got a new id (a Telegram group became a supergroup): its settings and briefing follow it."""
        self.chat_settings.move(old_key, new_key)
        if self.briefs is not None:
            self.briefs.migrated(old_key, new_key)
        if self.moderation is not None:
            self.moderation.store.move(old_key, new_key)
        self.community.chat_migrated(old_key, new_key)
        log.info("chat %s moved to %s", old_key, new_key)

    # -- commands --------------------------------------------------------------------------------

    def _on_command(self, msg: Incoming, text: str) -> list[Outgoing]:
        # Front-ends drop commands addressed to other bots and turn "/cmd@ThisBot" into "/cmd" with
        # mentions_bot set, so the text here is always a plain "/cmd args".
        head, _, rest = text.partition(" ")
        name = head[1:].lower()
        addressed = msg.mentions_bot or msg.chat_kind == "private"
        handlers: dict[str, Callable[[Incoming, str], list[Outgoing]]] = {
            "start": self._start, "help": lambda m, a: [Outgoing(help_text())], "ask": self._ask_command,
            "profile": self._profile, "forget": self._forget, "privacy": self._privacy,
            "settings": self._settings, **{command: functools.partial(self._market, command)
                                            for command in ("quote", "chart", "portfolio")},
            "brief": self.briefs.brief if self.briefs else not_set_up("Briefings are"),
            "modqueue": self.moderation.modqueue if self.moderation else not_set_up("Moderation is"),
            "modpolicy": self.moderation.modpolicy if self.moderation else not_set_up("Moderation is"),
            "mood": self.mood.mood if self.mood else not_set_up("Mood tracking is"),
            **self.community.commands(),
        }
        handler = handlers.get(name)
        if handler is None:
            shown = re.sub(r"[^\w-]", "", name)[:32]  # never echo markup back
            return [Outgoing(f"I don't know /{shown}. Try /help.")] if addressed else []
        return handler(msg, rest.strip())

    def _market(self, command: str, msg: Incoming, args: str) -> list[Outgoing]:
        if self.markets is None:
            return [Outgoing("Market data is not set up for this bot.")]
        if command == "portfolio":  # share/unshare/view, and publishing changes of a shared portfolio
            return self.community.portfolio(msg, args, self.markets.portfolio)
        handlers = {"quote": self.markets.quote, "chart": self.markets.chart, "portfolio": self.markets.portfolio}
        return handlers[command](msg, args)

    def _start(self, msg: Incoming, payload: str) -> list[Outgoing]:
        if payload == "profile" and msg.chat_kind == "private":
            return self._profile(msg, "")
        if payload == "portfolio" and msg.chat_kind == "private":
            return self._market("portfolio", msg, "")
        return [Outgoing(help_text())]

    def _ask_command(self, msg: Incoming, question: str) -> list[Outgoing]:
        if not question:
            return [Outgoing("Ask me something after the command, e.g. /ask what is diversification?")]
        return self._ask(msg, question)

    def _ask(self, msg: Incoming, question: str) -> list[Outgoing]:
        settings = self.chat_settings.get(msg.chat_key)
        if not self.quota.allow(msg.chat_key, msg.user_key, settings.quota_per_hour):
            return [Outgoing(f"You've asked {settings.quota_per_hour} questions in the last hour here; "
                             "please give it a little while before the next one.")]
        collection = settings.collection
        if collection is not None and not self.collections.is_approved(collection):
            # Changed since it was vetted (or its approval was withdrawn): unvetted text is never quoted.
            log.warning("chat %s chose collection %s, which is not approved now; using the default",
                        msg.chat_key, collection)
            collection = None
        try:
            answer = self.advisor.answer(
                Question(question, user_id=msg.user_key, chat_id=msg.chat_key, is_group=msg.chat_kind == "group",
                         language=settings.language, asked_at=msg.received_at),
                collection=collection)
        except UserError as exc:
            return [Outgoing(str(exc))]
        record(self.audit, ANSWER, user=msg.user_key, chat=audit_chat(msg), data=answer_data(question, answer))
        if self.markets is not None and answer.intent in {"quote", "portfolio"}:
            # "what's AAPL trading at?" is a /quote; "how is my portfolio doing?" a snapshot, in private.
            symbols = yahoo_symbols(answer.securities)
            if answer.intent == "portfolio":
                return self.markets.portfolio(msg, "snapshot")
            if symbols:
                return self.markets.quote(msg, " ".join(symbols))
        confirm = (_confirm_button(answer.confirm_risk, answer.language),) if answer.confirm_risk else ()
        rate = self.community.answer_buttons(msg, question, answer)  # 👍/👎
        if not answer.private_note:
            return [Outgoing(answer=answer, buttons=confirm + rate)]
        # In a group, the member's own suitability note (and any G6 warning) goes to them privately.
        return [Outgoing(answer=answer, buttons=rate),
                Outgoing(answer.private_note, buttons=confirm, reply=False, private=True,
                         private_fallback=message("private_note_sent", answer.language))]

    def _privacy(self, msg: Incoming, _: str) -> list[Outgoing]:
        """What is stored about the member, read from the stores; always privately (it is personal)."""
        return [Outgoing(self.privacy.report(msg.user_key), private=True)]

    def _forget(self, msg: Incoming, _: str) -> list[Outgoing]:
        notes = self.community.forgetting(msg.user_key)  # followers of a shared portfolio are told it is gone
        erased = self.privacy.forget(msg.user_key)
        # The tombstone: the member's pseudonym only, no chat (a private chat's id is the member's own id).
        record(self.audit, FORGET, user=msg.user_key)
        log.info("forget requested on %s (%d record(s) erased)", msg.platform, erased)
        text = ("Done: I deleted your risk profile, questionnaire and confirmations, portfolio, shared portfolios "
                "and follows, track record, private briefing and watchlist, posts held for review, question "
                "counters, quiz progress, contribution points and votes on answers (whichever I had). /privacy "
                "shows what stays and why: the pseudonymous audit record and groups' moderation records."
                if erased else "I had nothing stored about you that /forget deletes; there is nothing to delete. "
                "/privacy shows what stays and why.")
        return [Outgoing(text, private=True), *notes]

    def _settings(self, msg: Incoming, args: str) -> list[Outgoing]:
        settings = self.chat_settings.get(msg.chat_key)
        if not args:
            approved = ", ".join(self.collections.approved()) or "none yet"
            return [Outgoing("**Settings for this chat**\n" + settings.describe() + "\nAdmins change them with "
                             "/settings language en|zh|auto, collection NAME|default, mentions on|off, quota N.\n"
                             f"Approved collections: {approved}.")]
        if msg.chat_kind == "group" and not msg.is_admin:
            return [Outgoing("Only group admins can change settings.")]
        try:
            updated = apply_setting(settings, args)
        except ValueError as exc:
            return [Outgoing(str(exc))]
        if updated.collection not in (None, settings.collection) and \
                not self.collections.is_approved(updated.collection):
            approved = ", ".join(self.collections.approved()) or "none yet"
            return [Outgoing(f"The collection {updated.collection!r} is not approved for chats (approved: "
                             f"{approved}). An operator vets and approves one with `roundtable corpus approve "
                             "NAME`.")]
        self.chat_settings.save(updated)
        key, _, value = args.partition(" ")
        record(self.audit, SETTING, user=msg.user_key, chat=audit_chat(msg),
               data=setting_data("settings", key, value, msg))
        return [Outgoing("Saved.\n" + updated.describe())]

    # -- the questionnaire ---------------------------------------------------------------------------

    def _profile(self, msg: Incoming, _: str) -> list[Outgoing]:
        if msg.chat_kind == "group":
            return [Outgoing("Your risk profile is personal, so let's do it in a private chat.",
                             buttons=(Button("Open a private chat", deep_link="profile"),))]
        self.profiles.save_progress(msg.user_key, {})
        return [self._question(0, msg.language or "en")]

    def _question(self, index: int, language: Language) -> Outgoing:
        item = QUESTIONNAIRE[index]
        buttons = tuple(Button(label, action=f"profile:{index}:{choice}")
                        for choice, label in enumerate(item.choice_texts(language)))
        return Outgoing(f"**{index + 1}/{len(QUESTIONNAIRE)}** {item.text(language)}", buttons=buttons, private=True)

    def _on_button(self, msg: Incoming) -> list[Outgoing]:
        kind, _, rest = (msg.action or "").partition(":")
        if kind == "confirm":
            return self._confirm(msg, rest)
        if kind == "portfolio" and self.markets is not None:  # "clear" empties the book: a shared one ends
            return self.markets.on_button(msg, rest) + self.community.holdings_changed(msg)
        if kind == "mod" and self.moderation is not None:
            return self.moderation.on_button(msg, rest)
        community = self.community.on_button(kind, msg, rest)
        if community is not None:
            return community
        answers = self.profiles.progress(msg.user_key) if kind == "profile" else None
        if answers is None:
            return [Outgoing("That button has expired. Send /profile to start again.", private=True)]
        try:
            index, choice = (int(part) for part in rest.split(":"))
            item = QUESTIONNAIRE[index]
            if not 0 <= choice < len(item.choices) or index != len(answers):
                raise ValueError
        except (ValueError, IndexError):
            return [Outgoing("That answer doesn't fit the current question; send /profile to start again.",
                             private=True)]
        answers[item.key] = choice
        expired = [Outgoing("That button has expired. Send /profile to start again.", private=True)]
        if len(answers) < len(QUESTIONNAIRE):
            # advance/finish write only while the questionnaire still exists: a /forget that ran since the
            # progress was read above wins, and the click is answered as an expired button.
            if not self.profiles.advance(msg.user_key, answers):
                return expired
            return [self._question(index + 1, msg.language or "en")]
        profile = Profile.from_answers(msg.user_key, answers)
        if not self.profiles.finish(profile):
            return expired
        record(self.audit, PROFILE, user=msg.user_key, data={"level": profile.level})  # the level, never the answers
        return [Outgoing(f"Thank you. Your risk profile is **{profile.level}**: products up to "
                         f"{max_risk(profile.level)} match it; answers about riskier products will carry a "
                         "warning. /forget deletes it.", private=True)]

    def _confirm(self, msg: Incoming, risk: str) -> list[Outgoing]:
        """G6: the member confirms they understand a topic above their profile; the confirmation is recorded."""
        profile = self.profiles.get(msg.user_key)
        if risk not in RISK_LEVELS or profile is None or RISK_LEVELS.index(risk) <= RISK_LEVELS.index(
                max_risk(profile.level)):
            return [Outgoing("That button has expired.", private=True)]
        level: RiskLevel = risk
        self.profiles.confirm(msg.user_key, level)
        record(self.audit, CONFIRMATION, user=msg.user_key, data={"profile": profile.level, "confirmed": level})
        log.info("G6 confirmation recorded: %s profile confirmed a %s topic", profile.level, level)
        return [Outgoing(message("confirm_done", msg.language or "en", risk=level), private=True)]


def not_set_up(what: str) -> Callable[[Incoming, str], list[Outgoing]]:
    """The answer to a command whose feature this bot was built without: "Briefings are not set up ..."."""
    return lambda msg, args: [Outgoing(f"{what} not set up for this bot.")]


def _confirm_button(risk: RiskLevel, language: Language) -> Button:
    return Button(message("confirm_button", language), action=f"confirm:{risk}")


def apply_setting(settings: ChatSettings, args: str) -> ChatSettings:
    key, _, value = args.partition(" ")
    value = value.strip().lower()
    if key == "language" and value in {"en", "zh", "auto"}:
        return replace(settings, language=None if value == "auto" else value)  # type: ignore[arg-type]
    if key == "collection" and value:
        try:
            return replace(settings, collection=None if value == "default" else validate_collection_name(value))
        except UserError as exc:
            raise ValueError(str(exc)) from exc
    if key == "mentions" and value in {"on", "off"}:
        return replace(settings, answer_mentions=value == "on")
    if key == "quota" and value.isdigit() and 1 <= int(value) <= 1000:
        return replace(settings, quota_per_hour=int(value))
    raise ValueError("I didn't understand that. Use /settings language en|zh|auto, collection NAME|default, "
                     "mentions on|off, or quota N (1-1000).")
