"""/privacy and /forget: what the bot keeps about one member, read from the stores themselves, and erasing it.

Every store that keeps something about a member is wrapped in a ``PersonalData`` (two methods: ``describe`` and
``erase``), so /privacy and /forget walk one list and cannot disagree about what exists. What /forget keeps,
and why, is part of what /privacy shows:

- the audit log's entries (pseudonymous, immutable: the compliance record; /forget adds a tombstone);
- moderation decisions (warnings, removals, mutes) and group join dates: a group's safety record. A spammer
  must not reset their warnings, or the new-member rules, by sending /forget.

Everything else goes: profile, questionnaire, G6 confirmations, holdings, the private chat's briefing and
watchlist, posts held for review (every chat), question counters, and the community features' data (shared
portfolios and follows, track records, quiz progress, points and the marks behind them, votes on answers: see
``bots.chat.community``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from advisor.profiles import ProfileStore

if TYPE_CHECKING:
    from advisor.audit import AuditLog
    from advisor.portfolio.holdings import HoldingsStore
    from bots.chat.briefs import BriefCommands
    from bots.chat.modstore import ModerationStore
    from bots.chat.quota import Quota


@dataclass
class Stored:
    """What one store keeps about a member: lines to show, and lines about what /forget keeps (and why)."""

    lines: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


class PersonalData(Protocol):
    def describe(self, user_key: str) -> Stored: ...
    def erase(self, user_key: str) -> int: ...  # how many things it erased (0: nothing was there)


def _date(moment: object) -> str:
    return f"{moment:%Y-%m-%d}" if moment is not None else "unknown date"


@dataclass
class ProfileData:
    profiles: ProfileStore

    def describe(self, user_key: str) -> Stored:
        stored = Stored()
        profile = self.profiles.get(user_key)
        if profile is not None:
            stored.lines.append(f"Risk profile: {profile.level}, from the questionnaire of "
                                f"{_date(profile.taken_at)} (answers and score encrypted).")
        progress = self.profiles.progress(user_key)
        if progress is not None:
            stored.lines.append(f"A questionnaire in progress: {len(progress)} answer(s) so far (encrypted).")
        confirmed = self.profiles.confirmations(user_key)
        if confirmed:
            levels = ", ".join(sorted({risk for risk, _ in confirmed}))
            stored.lines.append(f"{len(confirmed)} confirmation(s) that you understood topics above your profile "
                                f"({levels}).")
        return stored

    def erase(self, user_key: str) -> int:
        had = self.describe(user_key).lines
        self.profiles.delete(user_key)
        return len(had)


@dataclass
class HoldingsData:
    holdings: HoldingsStore

    def describe(self, user_key: str) -> Stored:
        held = self.holdings.all(user_key)
        if not held:
            return Stored()
        symbols = ", ".join(h.symbol for h in held)
        return Stored([f"Portfolio: {len(held)} holding(s) ({symbols}), with quantities, prices paid and dates "
                       "(encrypted)."])

    def erase(self, user_key: str) -> int:
        return int(self.holdings.delete(user_key))


@dataclass
class BriefingData:
    briefs: BriefCommands

    def describe(self, user_key: str) -> Stored:
        lines = []
        for sub in self.briefs.store.owned_by(user_key):
            watch = ", ".join(sub.watchlist) or "empty"
            lines.append(f"Your private chat's briefing ({'on' if sub.enabled else 'off'}, {sub.time:%H:%M} "
                         f"{sub.zone}) and its watchlist: {watch} (encrypted).")
        return Stored(lines)

    def erase(self, user_key: str) -> int:
        deleted = self.briefs.store.delete_owned(user_key)
        for chat_key in deleted:
            if self.briefs.refresh is not None:
                self.briefs.refresh(chat_key)  # the scheduler drops the chat's job now, not at its next reconcile
        return len(deleted)


@dataclass
class ModerationData:
    store: ModerationStore

    def describe(self, user_key: str) -> Stored:
        records = self.store.member_records(user_key)
        stored = Stored()
        pending = sum(1 for item in records.held if item.status == "pending")
        if records.held:
            chats = len({item.chat_key for item in records.held})
            stored.lines.append(f"{len(records.held)} of your group posts held for review by the admins "
                                f"({pending} still pending) in {chats} chat(s), with their text.")
        decisions = sum(records.decisions.values())
        if decisions:
            stored.kept.append(f"{decisions} moderation record(s) about your group posts ({records.strikes} "
                               "warning(s) or rejection(s)): kept after /forget, as the group's safety record, so "
                               "warnings cannot be reset.")
        if records.joins:
            stored.kept.append(f"When you joined {len(records.joins)} group(s) (for the new-member rules): kept "
                               "after /forget for the same reason; they stop mattering after 31 days.")
        return stored

    def erase(self, user_key: str) -> int:
        return self.store.forget_member(user_key)


@dataclass
class QuotaData:
    quota: Quota

    def describe(self, user_key: str) -> Stored:
        chats, questions = self.quota.recent(user_key)
        if not chats:
            return Stored()
        return Stored([f"Question counters for the hourly limit: {questions} question time(s) in {chats} chat(s) "
                       "(no question text)."])

    def erase(self, user_key: str) -> int:
        chats, _ = self.quota.recent(user_key)
        self.quota.forget(user_key)
        return chats


@dataclass
class AuditData:
    audit: AuditLog

    def describe(self, user_key: str) -> Stored:
        from advisor.audit.log import entries

        count = self.audit.count(entries.c.user == self.audit.pseudonym(user_key))
        if not count:
            return Stored()
        return Stored(kept=[f"{count} audit log entr{'y' if count == 1 else 'ies'} under a pseudonym (what I "
                            "answered, the risk level, refusals; never your question's text): the compliance "
                            "record, kept after /forget, which adds one entry saying you asked to be forgotten."])

    def erase(self, user_key: str) -> int:
        return 0  # immutable by design; the router appends the tombstone


class Privacy:
    def __init__(self, sources: Sequence[PersonalData]) -> None:
        self.sources = list(sources)

    @classmethod
    def of(cls, profiles: ProfileStore, quota: Quota, *, holdings: HoldingsStore | None = None,
           briefs: BriefCommands | None = None, moderation: ModerationStore | None = None,
           audit: AuditLog | None = None, community: Sequence[PersonalData] = ()) -> Privacy:
        """The sources the router's features have (a feature not set up keeps nothing); ``community``: those of
        the community features (``bots.chat.community.Community.personal_data``)."""
        sources: list[PersonalData] = [ProfileData(profiles)]
        sources += [HoldingsData(holdings)] if holdings is not None else []
        sources += [BriefingData(briefs)] if briefs is not None else []
        sources += [ModerationData(moderation)] if moderation is not None else []
        sources.append(QuotaData(quota))
        sources += community
        sources += [AuditData(audit)] if audit is not None else []
        return cls(sources)

    def report(self, user_key: str) -> str:
        lines: list[str] = []
        kept: list[str] = []
        for source in self.sources:
            stored = source.describe(user_key)
            lines += stored.lines
            kept += stored.kept
        text = ["**What I store about you**"]
        text += [f"• {line}" for line in lines] or ["• Nothing that /forget would delete."]
        if kept:
            text += ["", "**Kept after /forget, and why**", *(f"• {line}" for line in kept)]
        text += ["", "Nothing here is shown to other members. I never ask for account numbers or passwords. "
                 "/forget deletes your data in the first list, all at once."]
        return "\n".join(text)

    def forget(self, user_key: str) -> int:
        """Erase the member's data in every store; how many things were erased."""
        return sum(source.erase(user_key) for source in self.sources)
