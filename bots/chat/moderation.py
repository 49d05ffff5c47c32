"""Group safety in the chat core: every group message is checked by the ``Moderator`` and its ``Decision`` turned
into replies and platform steps (``Enforce``); /modqueue lets admins approve or reject held posts, /modpolicy
shows and changes a chat's policy.

Platform-free like the rest of the router. Public notices are short and calm: they name the rule, never shame the
member and never repeat a removed post's content. Moderation must never stop the chat: a failing check or a
locked database is logged, and the message is handled as if nothing had been found.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from advisor.audit import MODERATION, SETTING
from advisor.audit.record import record
from advisor.moderation import CATEGORIES, Decision, Moderator, Policy, Post
from bots.chat.messages import Button, Enforce, Incoming, Outgoing
from bots.chat.modstore import LogEntry, ModerationStore, QueueItem, policy_to_json
from bots.chat.throttle import Throttle

if TYPE_CHECKING:
    from advisor.audit import AuditLog

log = logging.getLogger(__name__)

QUEUE_SHOWN = 5  # items per /modqueue: one message with two buttons each stays readable on a phone
EXCERPT = 60  # characters of a held post shown in the group's /modqueue list
# One public notice per chat and rule in this many seconds: in a spam raid or a flood the removals go on silently,
# so the bot never floods the group itself (Telegram allows about 20 messages a minute in a group).
NOTICE_GAP = timedelta(seconds=60)
ADMIN_MEMORY = 600.0  # seconds a member seen as admin (on a command) stays exempt when chatter says "unknown"
URL = re.compile(r"(?:https?://|www\.|t\.me/)\S+", re.IGNORECASE)
# What each category's rule is called in a public notice: which rule, never who or what exactly.
RULES: dict[str, str] = {
    "promissory": "promises of returns are not allowed here",
    "hype": "hype and insider tips are not allowed here",
    "coordination": "calls for everyone to trade together are not allowed here",
    "scam": "paid signals, 'DM me' offers and payment requests are not allowed here",
    "spam": "advertising is not allowed here",
    "pump": "coordinated pump posts are not allowed here",
    "flood": "posting many messages in a few seconds is not allowed here",
    "new_member_link": "new members can't post links or media in their first {hours:g} hours",
}
POLICY_USAGE = """Admins change it with:
/modpolicy on|off — moderation in this chat
/modpolicy CATEGORY warn|hold|delete — e.g. /modpolicy promissory hold
/modpolicy flood N SECONDS — more than N messages in SECONDS is a flood
/modpolicy newmember HOURS — no links or media from new members for this long (0: no restriction)
/modpolicy warns N MINUTES — N warnings mean a mute of MINUTES
/modpolicy reset — back to the defaults
Categories: """ + ", ".join(CATEGORIES) + "."


@dataclass(frozen=True)
class Checked:
    """What moderation made of a group message: replies to send first, and whether the message is gone (held or
    deleted), in which case it is never answered."""

    replies: list[Outgoing]
    removed: bool = False


class ModerationCommands:
    def __init__(self, store: ModerationStore, moderator: Moderator | None = None,
                 audit: AuditLog | None = None) -> None:
        self.store = store
        self.audit = audit  # every decision that is not "ok", and admins' reviews and policy changes
        self.moderator = moderator or Moderator(store.policy)
        self._lock = threading.Lock()
        self._admins: OrderedDict[tuple[str, str], tuple[bool, float]] = OrderedDict()
        self._warned: OrderedDict[tuple[str, str], None] = OrderedDict()  # an edit of these is not warned again
        self._local_ids = itertools.count(1)
        self._notices = Throttle(NOTICE_GAP)  # one removal notice per (chat, rule) a minute

    # -- every group message ---------------------------------------------------------------------------

    def check(self, msg: Incoming) -> Checked:
        joined = msg.joined_at or self.store.joined_at(msg.chat_key, msg.user_key, msg.received_at)
        post = Post(msg.message_id or f"local-{next(self._local_ids)}", msg.chat_key, msg.user_key, msg.text,
                    msg.received_at, joined_at=joined,
                    is_admin=self._is_admin(msg), forwarded=msg.forwarded, has_media=msg.has_media, edited=msg.edited)
        try:
            decision = self.moderator.check(post)
        except Exception:
            log.exception("moderation failed on a message in %s; letting it through", msg.chat_key)
            return Checked([])
        if decision.verdict == "ok":
            return Checked([])
        policy = self.store.policy(msg.chat_key)
        rule = rule_text(decision.categories, policy)
        self._record(msg, decision.verdict, decision)
        record(self.audit, MODERATION, user=msg.user_key, chat=msg.chat_key,
               data={"verdict": decision.verdict, "categories": list(decision.categories),
                     "message": msg.message_id, "edited": msg.edited})
        if decision.verdict == "warn":
            return Checked(self._warn(msg, decision, policy, rule))
        queued = (decision.verdict == "hold" or decision.alert_admins) and self._enqueue(msg, decision)
        review = " Admins can review it with /modqueue." if queued else ""
        what = "held for the admins to review" if decision.verdict == "hold" and queued else "removed"
        text = f"A message was {what}: {rule}.{review}"
        fallback = (f"Admins: a message here may break this group's rules ({rule}), and I don't have the right to "
                    "remove it." + review)
        if not self._notice_due(msg.chat_key, rule, msg.received_at):
            text = fallback = ""  # removed silently: the group (and its admins) heard about this rule a moment ago
        replies = [Outgoing(text, reply=False, enforce=Enforce("delete", msg.message_id, fallback=fallback))]
        if decision.mute_minutes > 0:
            replies.append(self._mute(msg.chat_key, msg.user_key, msg.user_id, msg.display_name,
                                      decision.mute_minutes, msg.message_id, msg.received_at))
        return Checked(replies, removed=True)

    def _notice_due(self, chat_key: str, rule: str, at: datetime) -> bool:
        return self._notices.due((chat_key, rule), at)

    def member_joined(self, chat_key: str, user_key: str, at: datetime) -> None:
        try:
            self.store.joined(chat_key, user_key, at)
        except Exception:  # the join is only unknown then: the member is treated as not new
            log.exception("could not record a member joining %s", chat_key)

    def _is_admin(self, msg: Incoming) -> bool:
        """Front-ends look admins up only for commands that need it, so plain chatter arrives with ``None``: an
        admin seen recently (on a command or a button) stays exempt; anyone else counts as a member."""
        key, now = (msg.chat_key, msg.user_key), time.monotonic()
        with self._lock:
            if msg.is_admin is not None:
                self._admins[key] = (msg.is_admin, now)
                self._admins.move_to_end(key)
                if len(self._admins) > 10_000:
                    self._admins.popitem(last=False)
                return msg.is_admin
            known = self._admins.get(key)
        return known is not None and known[0] and now - known[1] < ADMIN_MEMORY

    def _warn(self, msg: Incoming, decision: Decision, policy: Policy, rule: str) -> list[Outgoing]:
        key = (msg.chat_key, msg.message_id)
        with self._lock:
            again = msg.edited and bool(msg.message_id) and key in self._warned
            if msg.message_id:
                self._warned[key] = None
                if len(self._warned) > 10_000:
                    self._warned.popitem(last=False)
        if again:
            return []  # an edit that still breaks the same rule: one warning per message is enough
        strikes = self._strikes(msg.chat_key, msg.user_key, msg.received_at)
        count = f" (warning {min(strikes, policy.warn_limit)} of {policy.warn_limit})" if strikes else ""
        replies = [Outgoing(f"A friendly reminder: {rule}. Let's keep this group educational.{count}")]
        minutes = decision.mute_minutes or (policy.mute_minutes if strikes >= policy.warn_limit else 0)
        if minutes > 0:
            replies.append(self._mute(msg.chat_key, msg.user_key, msg.user_id, msg.display_name, minutes,
                                      msg.message_id, msg.received_at))
        return replies

    def _mute(self, chat_key: str, user_key: str, user_id: str, name: str, minutes: int, message_id: str,
              at: datetime) -> Outgoing:
        try:  # the mute resets the ladder: the next warning counts from one again
            self.store.record(LogEntry(chat_key, user_key, "mute", "bot", message_id, (), at))
        except Exception:
            log.exception("could not record a mute in %s", chat_key)
        return Outgoing(f"{name} can't post for {minutes} minutes after repeated warnings.", reply=False,
                        enforce=Enforce("mute", user_id=user_id, minutes=minutes,
                                        fallback=f"Admins: {name} has reached the warning limit; I don't have the "
                                                 f"right to mute members, so please consider a {minutes}-minute "
                                                 "break for them."))

    def _strikes(self, chat_key: str, user_key: str, now: datetime) -> int:
        try:
            return self.store.strikes(chat_key, user_key, now)
        except Exception:
            log.exception("could not count warnings in %s", chat_key)
            return 0  # the Moderator's own (in-memory) ladder still applies

    def _record(self, msg: Incoming, kind: str, decision: Decision) -> None:
        try:
            self.store.record(LogEntry(msg.chat_key, msg.user_key, kind, "bot", msg.message_id, decision.categories,
                                       msg.received_at), decision.reasons)
        except Exception:
            log.exception("could not record a moderation decision in %s", msg.chat_key)

    def _enqueue(self, msg: Incoming, decision: Decision) -> bool:
        try:
            self.store.enqueue(QueueItem(0, msg.chat_key, msg.message_id, msg.user_key, msg.user_id,
                                                msg.display_name, msg.text, decision.categories, decision.reasons,
                                                msg.received_at))
            return True
        except Exception:
            log.exception("could not queue a held message of %s for review", msg.chat_key)
            return False

    # -- /modqueue and its buttons -------------------------------------------------------------------

    def modqueue(self, msg: Incoming, args: str) -> list[Outgoing]:
        if msg.chat_kind != "group":
            return [Outgoing("The review queue belongs to a group: send /modqueue there.")]
        if not msg.is_admin:
            return [Outgoing("Only group admins can see the review queue.")]
        items, total = self.store.pending(msg.chat_key, QUEUE_SHOWN)
        if not items:
            return [Outgoing("Nothing is waiting for review.")]
        lines = [f"**Held for review** ({total} pending, newest first)"]
        buttons: list[Button] = []
        for item in items:
            lines.append(f"#{item.id} · {item.display_name} · {', '.join(item.categories) or 'flagged'} · "
                         f"{item.at.astimezone(UTC):%d %b %H:%M} UTC\n  “{excerpt(item.text)}”")
            buttons += [Button(f"Approve #{item.id}", action=f"mod:approve:{item.id}"),
                        Button(f"Reject #{item.id}", action=f"mod:reject:{item.id}")]
        if total > len(items):
            lines.append(f"…and {total - len(items)} older; decide these first.")
        return [Outgoing("\n".join(lines), buttons=tuple(buttons))]

    def on_button(self, msg: Incoming, action: str) -> list[Outgoing]:
        choice, _, raw_id = action.partition(":")
        if choice not in {"approve", "reject"} or not raw_id.isdigit():
            return [Outgoing("That button has expired.")]
        if msg.chat_kind != "group" or not msg.is_admin:
            return [Outgoing("Only group admins can decide on held messages.")]
        item = self.store.item(int(raw_id))
        if item is None or item.chat_key != msg.chat_key:
            return [Outgoing("That item is no longer in this chat's review queue.")]
        decided = self.store.decide(item.id, "approved" if choice == "approve" else "rejected", msg.user_key,
                                    msg.received_at)
        if decided is None:
            current = self.store.item(item.id)
            status = current.status if current is not None else "removed"
            return [Outgoing(f"Item #{item.id} was already {status}; nothing changed.")]
        log.info("held item %d of %s %s by an admin", item.id, item.chat_key, decided.status)
        record(self.audit, MODERATION, user=msg.user_key, chat=msg.chat_key,  # the user is the admin who decided
               data={"verdict": decided.status, "by": "admin", "item": item.id, "message": item.message_id,
                     "categories": list(item.categories)})
        if choice == "approve":
            quoted = "\n".join(f"> {line}" for line in item.text.splitlines() or [""])
            return [Outgoing(f"**Approved by the admins** · a held message from {item.display_name}:\n{quoted}",
                             reply=False)]
        replies = [Outgoing(f"Item #{item.id} rejected: the message stays removed.")]
        policy = self.store.policy(item.chat_key)
        if self._strikes(item.chat_key, item.user_key, msg.received_at) >= policy.warn_limit:
            replies.append(self._mute(item.chat_key, item.user_key, item.user_id, item.display_name,
                                      policy.mute_minutes, item.message_id, msg.received_at))
        return replies

    # -- /modpolicy ---------------------------------------------------------------------------------

    def modpolicy(self, msg: Incoming, args: str) -> list[Outgoing]:
        if msg.chat_kind != "group":
            return [Outgoing("Moderation applies to groups: send /modpolicy in the group.")]
        policy = self.store.policy(msg.chat_key)
        if not args:
            return [Outgoing(describe(policy) + "\n\n" + POLICY_USAGE)]
        if not msg.is_admin:
            return [Outgoing("Only group admins can change the moderation policy. Anyone can see it with "
                             "/modpolicy.")]
        try:
            updated = change_policy(policy, args.split())
        except ValueError as exc:
            return [Outgoing(f"{exc}\n\n{POLICY_USAGE}")]
        self.store.save_policy(msg.chat_key, updated, msg.user_key)
        record(self.audit, SETTING, user=msg.user_key, chat=msg.chat_key,
               data={"command": "modpolicy", "setting": args.split()[0].lower(),
                     "value": " ".join(args.split()[1:]).lower()[:100]})
        log.info("moderation policy of %s changed by an admin: %s", msg.chat_key, policy_to_json(updated))
        return [Outgoing("Saved.\n" + describe(updated))]


def rule_text(categories: tuple[str, ...], policy: Policy) -> str:
    rules = [RULES.get(category, "this breaks the group's rules").format(hours=policy.new_member_hours)
             for category in categories] or ["this breaks the group's rules"]
    return "; ".join(dict.fromkeys(rules))


def excerpt(text: str) -> str:
    """A held post as the group's admins see it in the list: one line, short, links masked (never clickable)."""
    flat = " ".join(URL.sub("[link]", text).split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT - 1] + "…"


def describe(policy: Policy) -> str:
    actions = " · ".join(f"{category}: {policy.action_for(category)}" for category in CATEGORIES)
    new = (f"no links or media from new members for {policy.new_member_hours:g} h" if policy.new_member_hours > 0
           else "no new-member restriction")
    return (f"**Moderation in this chat: {'on' if policy.enabled else 'off'}**\n{actions}\n"
            f"flood: more than {policy.flood_messages} messages in {policy.flood_seconds:g} s\n{new}\n"
            f"warn ladder: {policy.warn_limit} warnings in a day mean a {policy.mute_minutes}-minute mute")


def change_policy(policy: Policy, words: list[str]) -> Policy:
    """``policy`` with one /modpolicy change applied; ``ValueError`` saying what was wrong otherwise."""
    command, rest = words[0].lower(), [w.lower() for w in words[1:]]
    if command in {"on", "off"} and not rest:
        return replace(policy, enabled=command == "on")
    if command == "reset" and not rest:
        return Policy()
    if command in CATEGORIES and len(rest) == 1 and rest[0] in {"warn", "hold", "delete"}:
        return policy.with_actions(**{command: rest[0]})  # type: ignore[arg-type]
    if command == "flood" and len(rest) == 2:
        return replace(policy, flood_messages=_number(rest[0], 1, 100, "N"),
                       flood_seconds=float(_number(rest[1], 1, 3600, "SECONDS")))
    if command == "newmember" and len(rest) == 1:
        return replace(policy, new_member_hours=float(_number(rest[0], 0, 24 * 30, "HOURS")))
    if command == "warns" and len(rest) == 2:
        return replace(policy, warn_limit=_number(rest[0], 1, 20, "N"),
                       mute_minutes=_number(rest[1], 1, 7 * 24 * 60, "MINUTES"))
    raise ValueError("I didn't understand that.")


def _number(word: str, low: int, high: int, name: str) -> int:
    if not word.isdigit() or not low <= int(word) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}.")
    return int(word)
