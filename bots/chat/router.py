"""The platform-neutral chat core: ``Incoming`` -> ``Router`` -> ``Outgoing``.

Front-ends (console, Telegram, Discord) only translate native updates into ``Incoming`` and render
``Outgoing``; every rule about what the bot says lives here or in the advisor. In groups the bot answers
commands, @mentions and replies to its own messages, and only observes everything else. Personal data
(the risk questionnaire, deleting one's data) is handled in a private chat.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import replace

from advisor.advisor import Advisor
from advisor.profiles import ProfileStore
from advisor.suitability import QUESTIONNAIRE, Profile, max_risk
from advisor.types import Question
from bots.chat.messages import Button, Incoming, Outgoing
from bots.chat.settings import ChatSettings, ChatSettingsStore
from knowledge.errors import UserError
from knowledge.store import validate_collection_name

log = logging.getLogger(__name__)

COMMANDS: dict[str, str] = {
    "start": "introduction and how to begin",
    "help": "what I can do",
    "ask": "ask a question: /ask what is a leveraged ETF?",
    "profile": "take the risk questionnaire (privately)",
    "forget": "delete everything I store about you",
    "privacy": "what I store and why",
    "settings": "group settings (admins)",
}
INTRO = ("I'm **Roundtable**, an automated investor-education assistant. I answer questions from our research "
         "notes, with sources, a risk level and a suitability note. I never tell anyone what to buy or sell, "
         "predict prices or promise returns.")
PRIVACY = ("I store only what my features need: your risk questionnaire answers and level (encrypted), and "
           "group settings. I never ask for account numbers or passwords. Your profile is never shown to "
           "other members. /forget deletes your data at once.")


def help_text() -> str:
    lines = [INTRO, "", "**Commands**"]
    lines += [f"/{name} — {text}" for name, text in COMMANDS.items()]
    lines.append("In groups, mention me or reply to my message to ask without a command.")
    return "\n".join(lines)


class Quota:
    """At most ``limit`` questions per member per chat in a sliding hour."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = 3600.0) -> None:
        self.clock = clock
        self.window = window
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int) -> bool:
        with self._lock:
            now = self.clock()
            for other in [k for k, q in self._events.items() if q and now - q[-1] >= self.window]:
                del self._events[other]  # members quiet for a whole window are forgotten
            events = self._events[key]
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) >= limit:
                return False
            events.append(now)
            return True


class Router:
    def __init__(self, advisor: Advisor, profiles: ProfileStore, chat_settings: ChatSettingsStore,
                 quota: Quota | None = None) -> None:
        self.advisor = advisor
        self.profiles = profiles
        self.chat_settings = chat_settings
        self.quota = quota or Quota()
        self._questionnaires: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()  # front-ends may route several updates at once

    def handle(self, msg: Incoming) -> list[Outgoing]:
        if msg.action:
            with self._lock:
                return self._on_button(msg)
        text = msg.text.strip()
        if text.startswith("/"):
            return self._on_command(msg, text)
        if msg.chat_kind == "private":
            return self._ask(msg, text)
        if msg.reply_to_bot or (msg.mentions_bot and self.chat_settings.get(msg.chat_key).answer_mentions):
            return self._ask(msg, text)  # the front-end has already removed the mention
        return []  # group chatter the bot only observes

    # -- chat lifecycle (front-ends report what the platform tells them) ---------------------------

    def chat_removed(self, chat_key: str) -> None:
        """The bot was removed from a chat: forget the chat's settings."""
        self.chat_settings.delete(chat_key)
        log.info("removed from chat %s; its settings are deleted", chat_key)

    def chat_migrated(self, old_key: str, new_key: str) -> None:
        """A chat got a new id (a Telegram group became a supergroup): its settings follow it."""
        self.chat_settings.move(old_key, new_key)
        log.info("chat %s moved to %s", old_key, new_key)

    # -- commands --------------------------------------------------------------------------------

    def _on_command(self, msg: Incoming, text: str) -> list[Outgoing]:
        # Front-ends drop commands addressed to other bots and turn "/cmd@ThisBot" into "/cmd" with
        # mentions_bot set, so the text here is always a plain "/cmd args".
        head, _, rest = text.partition(" ")
        name = head[1:].lower()
        addressed = msg.mentions_bot or msg.chat_kind == "private"
        handler = {
            "start": self._start, "help": lambda m, a: [Outgoing(help_text())], "ask": self._ask_command,
            "profile": self._profile, "forget": self._forget, "privacy": lambda m, a: [Outgoing(PRIVACY)],
            "settings": self._settings,
        }.get(name)
        if handler is None:
            shown = re.sub(r"[^\w-]", "", name)[:32]  # never echo markup back
            return [Outgoing(f"I don't know /{shown}. Try /help.")] if addressed else []
        return handler(msg, rest.strip())

    def _start(self, msg: Incoming, payload: str) -> list[Outgoing]:
        if payload == "profile" and msg.chat_kind == "private":
            return self._profile(msg, "")
        return [Outgoing(help_text())]

    def _ask_command(self, msg: Incoming, question: str) -> list[Outgoing]:
        if not question:
            return [Outgoing("Ask me something after the command, e.g. /ask what is diversification?")]
        return self._ask(msg, question)

    def _ask(self, msg: Incoming, question: str) -> list[Outgoing]:
        settings = self.chat_settings.get(msg.chat_key)
        if not self.quota.allow(f"{msg.chat_key}/{msg.user_key}", settings.quota_per_hour):
            return [Outgoing(f"You've asked {settings.quota_per_hour} questions in the last hour here; "
                             "please give it a little while before the next one.")]
        try:
            answer = self.advisor.answer(
                Question(question, user_id=msg.user_key, chat_id=msg.chat_key, is_group=msg.chat_kind == "group",
                         language=settings.language, asked_at=msg.received_at),
                collection=settings.collection)
        except UserError as exc:
            return [Outgoing(str(exc))]
        return [Outgoing(answer=answer)]

    def _forget(self, msg: Incoming, _: str) -> list[Outgoing]:
        deleted = self.profiles.delete(msg.user_key)
        with self._lock:
            self._questionnaires.pop(msg.user_key, None)
        log.info("forget requested on %s (profile deleted: %s)", msg.platform, deleted)
        text = ("Done: I deleted your risk profile. I keep nothing else about you."
                if deleted else "I had nothing stored about you; there is nothing to delete.")
        return [Outgoing(text, private=True)]

    def _settings(self, msg: Incoming, args: str) -> list[Outgoing]:
        settings = self.chat_settings.get(msg.chat_key)
        if not args:
            return [Outgoing("**Settings for this chat**\n" + settings.describe() + "\nAdmins change them with "
                             "/settings language en|zh|auto, collection NAME|default, mentions on|off, quota N.")]
        if msg.chat_kind == "group" and not msg.is_admin:
            return [Outgoing("Only group admins can change settings.")]
        try:
            updated = apply_setting(settings, args)
        except ValueError as exc:
            return [Outgoing(str(exc))]
        self.chat_settings.save(updated)
        return [Outgoing("Saved.\n" + updated.describe())]

    # -- the questionnaire ---------------------------------------------------------------------------

    def _profile(self, msg: Incoming, _: str) -> list[Outgoing]:
        if msg.chat_kind == "group":
            return [Outgoing("Your risk profile is personal, so let's do it in a private chat.",
                             buttons=(Button("Open a private chat", deep_link="profile"),))]
        with self._lock:
            self._questionnaires[msg.user_key] = {}
        return [self._question(0)]

    def _question(self, index: int) -> Outgoing:
        item = QUESTIONNAIRE[index]
        buttons = tuple(Button(label, action=f"profile:{index}:{choice}")
                        for choice, label in enumerate(item.choice_texts("en")))
        return Outgoing(f"**{index + 1}/{len(QUESTIONNAIRE)}** {item.text('en')}", buttons=buttons, private=True)

    def _on_button(self, msg: Incoming) -> list[Outgoing]:
        kind, _, rest = (msg.action or "").partition(":")
        answers = self._questionnaires.get(msg.user_key)
        if kind != "profile" or answers is None:
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
        if len(answers) < len(QUESTIONNAIRE):
            return [self._question(index + 1)]
        profile = Profile.from_answers(msg.user_key, answers)
        self.profiles.save(profile)
        del self._questionnaires[msg.user_key]
        return [Outgoing(f"Thank you. Your risk profile is **{profile.level}**: products up to "
                         f"{max_risk(profile.level)} match it; answers about riskier products will carry a "
                         "warning. /forget deletes it.", private=True)]


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
