"""What crosses the moderation boundary: a group ``Post`` in, a ``Decision`` out, under a chat's ``Policy``.

The chat integration builds a ``Post`` from each group message (and again from each edit: a scam link added
after posting is caught), asks ``Moderator.check`` for a ``Decision``, and carries it out: delete or hold the
message, warn the member, mute after ``Decision.mute_minutes``, alert the admins when ``Decision.alert_admins``.
Nothing here knows a platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Literal

Verdict = Literal["ok", "warn", "hold", "delete"]
Action = Literal["warn", "hold", "delete"]

# The categories a decision can carry (see README "Moderation" for what each one means).
PROMISSORY = "promissory"        # L1: promised returns ("guaranteed", 稳赚不赔)
HYPE = "hype"                    # L2: hype and insider talk ("to the moon", 内幕消息, 喊单)
COORDINATION = "coordination"    # L3: "everyone buy at", 统一听指令, 全仓杀入
SCAM = "scam"                    # paid signals, "DM me to earn", payment to private accounts, teacher/喊单 groups
SPAM = "spam"                    # advertising, referral and earn-from-home spam (any language)
PUMP = "pump"                    # coordinated pumps: near-duplicates from >= 3 accounts, countdowns, coin reveals
FLOOD = "flood"                  # more than N messages in T seconds from one member
NEW_MEMBER_LINK = "new_member_link"  # a link, invite or media from a member who joined under 24 h ago
CATEGORIES: tuple[str, ...] = (PROMISSORY, HYPE, COORDINATION, SCAM, SPAM, PUMP, FLOOD, NEW_MEMBER_LINK)

SEVERITY: dict[Verdict, int] = {"ok": 0, "warn": 1, "hold": 2, "delete": 3}


@dataclass(frozen=True)
class Post:
    """One group message (or a new version of an edited one). ``at`` must be timezone-aware."""

    id: str
    chat: str
    user: str
    text: str  # the message text, or a media caption
    at: datetime
    joined_at: datetime | None = None  # when the member joined; None = unknown, treated as not new
    is_admin: bool = False
    forwarded: bool = False
    has_media: bool = False
    edited: bool = False


@dataclass(frozen=True)
class Decision:
    """What to do with a post. ``verdict`` is the most severe action any of its ``categories`` asks for."""

    verdict: Verdict
    categories: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    mute_minutes: int = 0  # > 0: this post completed the member's warn ladder; mute them this long
    alert_admins: bool = False  # pumps and held posts: tell the admins (the review queue)

    def to_json(self, id: str | int) -> dict[str, object]:
        """The fixed batch contract: exactly {"id", "verdict", "categories", "reasons"}."""
        return {"id": id, "verdict": self.verdict, "categories": list(self.categories), "reasons": list(self.reasons)}


OK = Decision("ok")

DEFAULT_ACTIONS: Mapping[str, Action] = MappingProxyType({
    PROMISSORY: "warn",          # compliance L1: warn (a chat may choose hold)
    HYPE: "hold",                # L2: send to review
    COORDINATION: "delete",      # L3: delete and review
    SCAM: "delete",              # paid signals / private payment: delete
    SPAM: "delete",
    PUMP: "hold",                # the issue: pump posts are held and the admins alerted
    FLOOD: "delete",             # the surplus messages of a burst
    NEW_MEMBER_LINK: "delete",   # no links or media in the first 24 h
})


@dataclass(frozen=True)
class Policy:
    """One chat's moderation settings. Defaults follow the issue and the compliance notes."""

    actions: Mapping[str, Action] = field(default_factory=lambda: DEFAULT_ACTIONS)
    flood_messages: int = 5        # more than this many messages ...
    flood_seconds: float = 10.0    # ... within this many seconds is a flood
    new_member_hours: float = 24.0  # no links or media this long after joining
    warn_limit: int = 3            # this many warnings ...
    mute_minutes: int = 60         # ... mean a mute this long
    pump_accounts: int = 3         # near-duplicates of one symbol from this many accounts ...
    pump_minutes: float = 10.0     # ... within this many minutes ...
    pump_similarity: float = 0.8   # ... at this estimated Jaccard similarity (MinHash) is a pump
    enabled: bool = True

    def action_for(self, category: str) -> Action:
        return self.actions.get(category, DEFAULT_ACTIONS.get(category, "hold"))

    def with_actions(self, **actions: Action) -> Policy:
        """A copy with some categories' actions changed: ``policy.with_actions(promissory="hold")``."""
        merged = dict(self.actions)
        merged.update(actions)
        return replace(self, actions=MappingProxyType(merged))
