"""The tamper-evident audit log: what the bot told whom, and proof that the record was not edited.

``AuditLog.open(url, key).append(kind, user=..., chat=..., data=...)`` records an event; ``verify()``,
``export()`` and ``anchor()`` serve compliance officers. The canonical form is in ``advisor.audit.canonical``.
"""

from __future__ import annotations

from advisor.audit.canonical import GENESIS, canonical_data, entry_bytes, entry_hash
from advisor.audit.export import verify_export
from advisor.audit.log import AuditLog, AuditUnavailable, Entry, Head, audit_engine
from advisor.audit.verify import VerifyReport, check_anchor

# The kinds the chat records (issue 12); others may be added, as lowercase words.
ANSWER, MODERATION, PROFILE, CONFIRMATION, SETTING, BRIEFING, FORGET = (
    "answer", "moderation", "profile", "confirmation", "setting", "briefing", "forget")
SHARING = "sharing"  # issue 14: a portfolio shared, unshared or republished; a follow or unfollow (no weights)
FEEDBACK = "feedback"  # a member's 👍/👎 (and optional reason) on an answer (issue 14)

__all__ = ["ANSWER", "BRIEFING", "CONFIRMATION", "FEEDBACK", "FORGET", "GENESIS", "MODERATION", "PROFILE", "SETTING",
           "SHARING",
           "AuditLog", "AuditUnavailable", "Entry", "Head", "VerifyReport", "audit_engine", "canonical_data",
           "check_anchor", "entry_bytes", "entry_hash", "verify_export"]
