"""Group moderation: lexicons (promissory, hype, coordination), scam and spam patterns, flood control, new-member
restrictions and coordinated-pump detection, cheapest checks first. Platform-free: the chat integration turns a
``Decision`` into deletes, holds, warnings, mutes and admin alerts.
"""

from __future__ import annotations

from advisor.moderation.moderator import Moderator
from advisor.moderation.types import CATEGORIES, Action, Decision, Policy, Post, Verdict

__all__ = ["CATEGORIES", "Action", "Decision", "Moderator", "Policy", "Post", "Verdict"]
