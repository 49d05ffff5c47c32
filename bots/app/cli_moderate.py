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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from bots.app.chatlog import BadLine, ChatLine, read_chat_log
from bots.app.cli_common import JsonOpt, err, guarded, out

if TYPE_CHECKING:
    from advisor.moderation import Post

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def posts(path: Path) -> Iterator[tuple[ChatLine, Post] | BadLine]:
    """Each message read (``bots.app.chatlog``) with its ``Post``: a JSONL line without "user" is its own member,
    without "chat" in one chat, without "time" a minute after the message before."""
    from advisor.moderation import Post

    clock = EPOCH
    for line in read_chat_log(path):
        if isinstance(line, BadLine):
            yield line
            continue
        clock = line.time or clock + timedelta(minutes=1)
        yield line, Post(str(line.id), line.chat or "file", line.user or f"line-{line.number}", line.text, clock,
                         joined_at=line.joined_at, forwarded=line.forwarded, has_media=line.media,
                         edited=line.edited)


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
    for item in posts(file):
        if isinstance(item, BadLine):
            bad += 1
            err.print(f"{escape(str(file))}:{item.number}: skipped: {escape(item.reason)}")
            continue
        line, post = item
        decision = moderator.check(post)
        verdicts[decision.verdict] += 1
        categories.update(decision.categories)
        if as_json:
            sys.stdout.write(json.dumps(decision.to_json(line.id), ensure_ascii=False) + "\n")
        elif decision.verdict != "ok":
            flagged.append((line.id, decision.verdict, ", ".join(decision.categories), "; ".join(decision.reasons)))
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
