"""Reading a chat log for the batch tools (`roundtable mood`, and `roundtable moderate` when it lands).

Two shapes, told apart by content, not by file name:
- JSONL: one ``{"id", "text", "user", "chat", "time"}`` object a line; only ``text`` is required. A line without
  an ``id`` gets its 1-based line number. ``time`` is ISO 8601 or Unix seconds.
- A Telegram Desktop export (``result.json``): one object with ``messages`` (one chat) or ``chats.list`` (all
  chats). Service messages (joins, pins) are skipped; a message's ``text`` may be a list of plain and formatted
  parts, which are joined; a media message's caption is its text.

A line or message that cannot be read becomes a ``BadLine`` (its number and why) and reading goes on: the caller
reports it and carries on with the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from knowledge.errors import UserError

MAX_TEXT = 20_000  # characters kept of one message: a 5 MB "message" is somebody's mistake, not a chat line


@dataclass(frozen=True, slots=True)
class ChatLine:
    number: int  # 1-based line of the JSONL file, or position in a Telegram export
    id: Any  # as given (a string or a number), or ``number`` when there is none
    text: str
    user: str | None = None
    chat: str | None = None
    time: datetime | None = None
    forwarded: bool = False
    media: bool = False


@dataclass(frozen=True, slots=True)
class BadLine:
    number: int
    reason: str


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        moment = datetime.fromisoformat(value.strip())
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    raise ValueError(f"'time' should be ISO 8601 or Unix seconds, not {type(value).__name__}")


def _optional_str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return None if value is None else str(value)


def _jsonl_line(number: int, line: str) -> ChatLine | BadLine:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return BadLine(number, f"invalid JSON ({exc.msg})")
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return BadLine(number, "expected an object with a 'text' string")
    try:
        moment = _time(record.get("time"))
    except (ValueError, OverflowError, OSError) as exc:
        return BadLine(number, f"bad 'time': {exc}")
    return ChatLine(number, record["id"] if record.get("id") is not None else number, record["text"][:MAX_TEXT],
                    _optional_str(record, "user"), _optional_str(record, "chat"), moment,
                    forwarded=bool(record.get("forwarded")), media=bool(record.get("media")))


def _telegram_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # plain strings and {"type": "bold", "text": ...} parts
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) if isinstance(p, dict) else ""
                       for p in value)
    raise ValueError("'text' is neither a string nor a list of parts")


def _telegram(export: dict[str, Any]) -> Iterator[ChatLine | BadLine]:
    chats = export.get("chats", {}).get("list") if isinstance(export.get("chats"), dict) else None
    chats = chats if isinstance(chats, list) else [export]
    number = 0
    for chat in chats:
        chat_id = _optional_str(chat, "id") if isinstance(chat, dict) else None
        messages = chat.get("messages", []) if isinstance(chat, dict) else []
        for message in messages:
            number += 1
            if not isinstance(message, dict):
                yield BadLine(number, "a message that is not an object")
                continue
            if message.get("type", "message") != "message":
                continue
            try:
                text = _telegram_text(message.get("text", ""))
                stamp = message.get("date_unixtime")
                moment = _time(int(stamp)) if stamp is not None else _time(message.get("date"))
            except (ValueError, TypeError, OverflowError, OSError) as exc:
                yield BadLine(number, str(exc))
                continue
            yield ChatLine(number, message.get("id", number), text[:MAX_TEXT],
                           _optional_str(message, "from_id") or _optional_str(message, "from"), chat_id, moment,
                           forwarded="forwarded_from" in message,
                           media="media_type" in message or "photo" in message or "file" in message)


def read_chat_log(path: Path) -> Iterator[ChatLine | BadLine]:
    """The messages of a JSONL file or Telegram Desktop export, in order; a ``UserError`` if it cannot be read."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read {path}: {exc}") from exc
    if raw.lstrip().startswith("{"):
        try:
            whole = json.loads(raw)
        except json.JSONDecodeError:
            whole = None  # JSONL: several objects, one a line
        if isinstance(whole, dict) and ("messages" in whole or "chats" in whole):
            yield from _telegram(whole)
            return
    for number, line in enumerate(raw.split("\n"), start=1):  # not splitlines: texts may hold U+2028
        if line.strip():
            yield _jsonl_line(number, line)
