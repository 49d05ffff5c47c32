"""`roundtable moderate FILE [--json]`: run the moderation pipeline over a file of messages, to tune a chat's
policy without touching the live chat.

FILE is JSONL (one {"id", "text", "user", "chat", "time"} object a line; all but "text" optional) or a Telegram
Desktop export (result.json). `--json` prints one line per message, in input order, with exactly
{"id", "verdict", "categories", "reasons"} (a line with no "id" gets its 1-based line number); without it, a
table of the flagged messages and totals. Bad lines go to stderr with their line numbers and the run goes on.

JSONL defaults: no "user" -> each line is its own member; no "chat" -> one chat; no "time" -> a minute after the
message before (so only real timestamps can make a flood). "time" is ISO 8601 (UTC unless it says otherwise) or
Unix seconds. A Telegram export is one JSON document and is read whole; JSONL is read line by line.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from bots.app.cli_common import JsonOpt, err, guarded, out
from knowledge.errors import UserError

if TYPE_CHECKING:
    from advisor.moderation import Post

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Row:
    """One message read from the file, or the reason its line could not be used."""

    line: int
    id: str | int
    post: Post | None
    problem: str = ""


def parse_time(value: Any) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise ValueError(f"time must be ISO 8601 or Unix seconds, not {type(value).__name__}")


def refuse_binary(path: Path) -> bytes:
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


def read_jsonl(path: Path) -> Iterator[Row]:
    from advisor.moderation import Post

    clock = EPOCH
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("expected a JSON object")
                text = record.get("text")
                if not isinstance(text, str):
                    raise ValueError('expected a "text" string')
                raw_id = record.get("id")
                message_id: str | int = raw_id if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) \
                    else number if raw_id is None else str(raw_id)
                clock = parse_time(record["time"]) if record.get("time") is not None else clock + timedelta(minutes=1)
                user = str(record["user"]) if record.get("user") is not None else f"line-{number}"
                chat = str(record["chat"]) if record.get("chat") is not None else "file"
            except ValueError as exc:  # json.JSONDecodeError is a ValueError
                yield Row(number, number, None, str(exc).split(": line 1")[0])
                continue
            yield Row(number, message_id, Post(str(message_id), chat, user, text, clock))


def telegram_text(value: Any) -> str:
    """A Telegram export's "text": a string, or a list of strings and entities ({"type", "text"})."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) if isinstance(part, dict)
                       else "" for part in value)
    return ""


def read_telegram_export(path: Path, export: dict[str, Any]) -> Iterator[Row]:
    """Member messages in order; service messages (joins) only tell us when members joined."""
    from advisor.moderation import Post

    chat = str(export.get("id", export.get("name", "telegram")))
    joined: dict[str, datetime] = {}
    for index, message in enumerate(export.get("messages") or [], start=1):
        if not isinstance(message, dict):
            yield Row(index, index, None, "expected a message object")
            continue
        try:
            at = parse_time(int(message["date_unixtime"])) if "date_unixtime" in message \
                else parse_time(message.get("date"))
        except (ValueError, TypeError, KeyError) as exc:
            yield Row(index, message.get("id", index), None, f"bad date: {exc}")
            continue
        if message.get("type") == "service":
            if message.get("action") in {"join_group_by_link", "invite_members", "join_group_by_request"}:
                for member in [message.get("actor_id"), *(message.get("members_ids") or [])]:
                    if member is not None:
                        joined[str(member)] = at
            continue
        user = str(message.get("from_id") or message.get("from") or "unknown")
        message_id = message.get("id", index)
        yield Row(index, message_id, Post(
            str(message_id), chat, user, telegram_text(message.get("text")), at, joined_at=joined.get(user),
            forwarded="forwarded_from" in message, edited="edited" in message,
            has_media=any(key in message for key in ("photo", "file", "media_type", "sticker_emoji"))))


def read_messages(path: Path) -> Iterator[Row]:
    head = refuse_binary(path)
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    try:
        first_record = json.loads(first)
    except ValueError:
        first_record = None
    if isinstance(first_record, dict) and "messages" not in first_record:
        yield from read_jsonl(path)
        return
    try:
        export = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        if first.startswith(b"{") and first_record is None and first.strip() != b"{":
            yield from read_jsonl(path)  # JSONL whose first line is broken: report it and go on
            return
        raise UserError(f"{path} is neither JSONL nor a Telegram Desktop export (result.json).") from None
    if not isinstance(export, dict) or not isinstance(export.get("messages"), list):
        raise UserError(f"{path} is JSON but not a Telegram Desktop export: no \"messages\" list.")
    yield from read_telegram_export(path, export)


@guarded
def moderate(
    file: Annotated[Path, typer.Argument(help="JSONL ({id, text, user, chat, time}) or a Telegram result.json.")],
    as_json: JsonOpt = False,
) -> None:
    """Check a file of messages against the moderation rules (default policy) without touching any chat."""
    from advisor.moderation import Moderator

    moderator = Moderator()
    verdicts: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    bad = 0
    flagged: list[tuple[str | int, str, str, str]] = []
    for row in read_messages(file):
        if row.post is None:
            bad += 1
            err.print(f"{escape(str(file))}:{row.line}: skipped: {escape(row.problem)}")
            continue
        decision = moderator.check(row.post)
        verdicts[decision.verdict] += 1
        categories.update(decision.categories)
        if as_json:
            sys.stdout.write(json.dumps(decision.to_json(row.id), ensure_ascii=False) + "\n")
        elif decision.verdict != "ok":
            flagged.append((row.id, decision.verdict, ", ".join(decision.categories), "; ".join(decision.reasons)))
    sys.stdout.flush()
    if not as_json:
        print_table(flagged, verdicts, categories)
    if bad:
        err.print(f"{bad} line{'s' if bad != 1 else ''} skipped (see above).")


def print_table(flagged: list[tuple[str | int, str, str, str]], verdicts: Counter[str],
                categories: Counter[str]) -> None:
    from rich.table import Table

    if flagged:
        table = Table("id", "verdict", "categories", "reasons")
        for message_id, verdict, cats, reasons in flagged:
            table.add_row(escape(str(message_id)), verdict, cats, escape(reasons[:160]))
        out.print(table)
    total = sum(verdicts.values())
    out.print(f"{total} messages: " + ", ".join(f"{verdicts[v]} {v}" for v in ("ok", "warn", "hold", "delete")))
    if categories:
        out.print("by category: " + ", ".join(f"{name} {count}" for name, count in categories.most_common()))
