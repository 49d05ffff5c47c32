"""Recording events from the chat and the jobs: what each entry's ``data`` holds, and appends that never break
the chat.

An audit entry that cannot be written (``AuditUnavailable`` after the log's own retries, or anything else) is
logged and the chat goes on: a member's answer is never withheld because the compliance record is busy. The log
line names the kind, so an operator can see that an entry is missing.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.audit.log import AuditLog
    from advisor.types import Answer

log = logging.getLogger(__name__)


def record(audit: AuditLog | None, kind: str, *, user: str | None = None, chat: str | None = None,
           data: dict[str, Any] | None = None, user_key: str | None = None) -> None:
    """Append one entry when there is a log; a failure is logged, never raised."""
    if audit is None:
        return
    try:
        audit.append(kind, user=user, chat=chat, data=data, user_key=user_key)
    except Exception:
        log.exception("could not record the %s entry in the audit log; going on without it", kind)


def text_hash(text: str) -> str:
    """The SHA-256 (hex) of a text: the audit log proves which question was asked without keeping it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def disclaimer_version(disclaimer: str) -> str:
    """The first 12 hex digits of the disclaimer's SHA-256: changes whenever its wording does."""
    return text_hash(disclaimer)[:12]


def answer_data(question: str, answer: Answer) -> dict[str, Any]:
    """An answer's entry: never the question or answer text, only what a compliance officer checks."""
    return {"question_sha256": text_hash(question), "intent": answer.intent,
            "citations": [citation.doc_id for citation in answer.citations], "risk": answer.risk.level,
            "refused": answer.refused, "abstained": answer.abstained,
            "disclaimer": disclaimer_version(answer.disclaimer), "language": answer.language}
