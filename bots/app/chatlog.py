"""Reading a chat log for the batch tools `roundtable moderate` and `roundtable mood`: one reader for both.

Two shapes, told apart by content, not by file name:
- JSONL: one ``{"id", "text", "user", "chat", "time"}`` object a line; only ``text`` is required. A line without
  an ``id`` gets its 1-based line number. ``time`` is ISO 8601 (UTC unless it says otherwise) or Unix seconds.
  Read line by line, so a big file never sits in memory.
- A Telegram Desktop export (``result.json``): one JSON document (read whole) with ``messages`` (one chat) or
  ``chats.list`` (all chats). A message's ``text`` may be a list of plain and formatted parts, which are joined;
  a media message's caption is its text. Service messages are not messages, but a join tells when that member
  joined (``joined_at`` on their later messages: the new-member rules need it).

A binary file is refused at once. A line or message that cannot be read becomes a ``BadLine`` (its number and
why) and reading goes on: the caller reports it and carries on with the rest.
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
SNIFF_BYTES = 8192
JOINS = {"join_group_by_link", "invite_members", "join_group_by_request"}


@dataclass(frozen=True, slots=True)
class ChatLine:
    number: int  # 1-based line of the JSONL file, or position in a Telegram export
    id: str | int  # as given, or ``number`` when there is none
    text: str
    user: str | None = None
    chat: str | None = None
    time: datetime | None = None
    forwarded: bool = False
    media: bool = False
    edited: bool = False
    joined_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BadLine:
    number: int
    reason: str


def parse_time(value: Any) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
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
        moment = parse_time(record["time"]) if record.get("time") is not None else None
    except (ValueError, OverflowError, OSError) as exc:
        return BadLine(number, f"bad 'time': {exc}")
    raw_id = record.get("id")
    message_id = number if raw_id is None else raw_id if isinstance(raw_id, str | int) and \
        not isinstance(raw_id, bool) else str(raw_id)
    return ChatLine(number, message_id, record["text"][:MAX_TEXT], _optional_str(record, "user"),
                    _optional_str(record, "chat"), moment, forwarded=bool(record.get("forwarded")),
                    media=bool(record.get("media")))


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
        chat_id = (_optional_str(chat, "id") or _optional_str(chat, "name")) if isinstance(chat, dict) else None
        joined: dict[str, datetime] = {}
        for message in chat.get("messages", []) if isinstance(chat, dict) else []:
            number += 1
            if not isinstance(message, dict):
                yield BadLine(number, "a message that is not an object")
                continue
            try:
                stamp = message.get("date_unixtime")
                moment = parse_time(int(stamp)) if stamp is not None else parse_time(message.get("date"))
            except (ValueError, TypeError, OverflowError, OSError) as exc:
                yield BadLine(number, f"bad date: {exc}")
                continue
            if message.get("type", "message") != "message":
                if message.get("action") in JOINS:
                    for member in [message.get("actor_id"), *(message.get("members_ids") or [])]:
                        if member is not None:
                            joined[str(member)] = moment
                continue
            try:
                text = _telegram_text(message.get("text", ""))
            except ValueError as exc:
                yield BadLine(number, str(exc))
                continue
            user = _optional_str(message, "from_id") or _optional_str(message, "from")
            yield ChatLine(number, message.get("id", number), text[:MAX_TEXT], user, chat_id, moment,
                           forwarded="forwarded_from" in message,
                           media=any(key in message for key in ("photo", "file", "media_type", "sticker_emoji")),
                           edited="edited" in message, joined_at=joined.get(user or ""))


def _refuse_binary(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sniff boundary
            raise UserError(f"{path} is not text (JSONL or a Telegram export); it looks binary.") from None
    if b"\x00" in head:
        raise UserError(f"{path} is not text (JSONL or a Telegram export); it looks binary.")
    return head


def _jsonl(path: Path) -> Iterator[ChatLine | BadLine]:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield _jsonl_line(number, line)


def read_chat_log(path: Path) -> Iterator[ChatLine | BadLine]:
    """The messages of a JSONL file or Telegram Desktop export, in order; a ``UserError`` if it cannot be read."""
    head = _refuse_binary(path)
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    try:
        first_record = json.loads(first)
    except ValueError:
        first_record = None
    if isinstance(first_record, dict) and "messages" not in first_record and "chats" not in first_record:
        yield from _jsonl(path)  # a JSONL line, not a one-line export
        return
    try:
        export = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        if first.startswith(b"{") and first.strip() != b"{":
            yield from _jsonl(path)  # JSONL whose first line is broken: report it and go on
            return
        raise UserError(f"{path} is neither JSONL nor a Telegram Desktop export (result.json).") from None
    if not isinstance(export, dict) or not ("messages" in export or isinstance(export.get("chats"), dict)):
        raise UserError(f"{path} is JSON but not a Telegram Desktop export: no \"messages\" list.")
    yield from _telegram(export)
