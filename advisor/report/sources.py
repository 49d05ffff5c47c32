"""Reading what a report counts from the app's database: the audit log's answers, the briefing send ledger and
the hourly activity. (The moderation log belongs to the chat core; ``roundtable report`` reads it there.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.engine import Engine

from advisor.audit import ANSWER, AuditLog
from advisor.audit.canonical import format_time
from advisor.audit.log import entries
from advisor.briefing.store import SendRow, SqlBriefingStore
from advisor.report.activity import ActivityRow, create_table
from advisor.report.summary import BriefingSend


def answers(audit: AuditLog, chat: str, since: datetime, until: datetime) -> Iterator[dict[str, Any]]:
    """The ``data`` of the chat's answer entries recorded in [since, until) (``at`` is indexed)."""
    for row in audit.rows(entries.c.kind == ANSWER, entries.c.chat == chat, entries.c.at >= format_time(since),
                          entries.c.at < format_time(until)):
        data: dict[str, Any] = json.loads(row[5])
        yield data


def briefing_sends(store: SqlBriefingStore, chat: str, since: datetime, until: datetime) -> list[BriefingSend]:
    """The chat's ledger rows claimed in [since, until)."""
    query = select(SendRow.local_date, SendRow.status).where(SendRow.chat_key == chat,
                                                             SendRow.claimed_at >= since.astimezone(UTC),
                                                             SendRow.claimed_at < until.astimezone(UTC))
    with store.engine.connect() as connection:
        return [BriefingSend(day, str(status)) for day, status in connection.execute(query)]


def has_audit_entries(audit: AuditLog, chat: str) -> bool:
    """Whether the audit log ever named ``chat`` (a scan when it never did: asked only about unknown chats)."""
    with audit.engine.connect() as connection:
        return bool(connection.scalar(select(exists().where(entries.c.chat == chat))))


def has_activity(engine: Engine, chat: str) -> bool:
    create_table(engine)
    with engine.connect() as connection:
        return bool(connection.scalar(select(exists().where(ActivityRow.chat_key == chat))))


def has_briefings(store: SqlBriefingStore, chat: str) -> bool:
    if store.get(chat) is not None:
        return True
    with store.engine.connect() as connection:
        return bool(connection.scalar(select(exists().where(SendRow.chat_key == chat))))
