"""Exports for a compliance officer: JSON lines, one entry per line, closed by a trailer line.

An entry line is the stored entry with ``data`` as a JSON object: ``{"at", "chat", "data", "hash", "kind",
"prev", "seq", "user"}``, keys sorted, no whitespace. Anyone can re-check it with the canonical form in
``advisor.audit.canonical``: each entry's own hash always, and the link to the previous line wherever the two
seqs are consecutive (all of them in an unfiltered export, which starts at entry 1).

The last line is ``{"trailer": {"entries": N, "sha256": ..., "head": {"seq", "hash"}, "since", "until",
"user"}}``: how many entry lines came before it, the SHA-256 of those lines' exact bytes (newlines included),
the log's head when the export was taken (compare it with a published anchor) and the filters used. A file cut
short has no trailer, or a trailer that does not match the lines: ``verify_export`` (and
``roundtable audit verify --export FILE``) says so. The trailer guards against accidents; against forgery it is
the hashes and the anchor that count.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from advisor.audit.canonical import GENESIS, canonical_data, entry_hash, format_time
from advisor.audit.verify import VerifyReport

_line = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def export_lines(rows: Iterable[tuple[Any, ...]], head: tuple[int, str], *, since: datetime | None = None,
                 until: datetime | None = None, user: str | None = None) -> Iterator[str]:
    """The export's lines ("\\n"-terminated): one per row, then the trailer. ``user`` is the pseudonym used."""
    digest, count = hashlib.sha256(), 0
    for seq, at, kind, chat, pseudonym, data, prev, stored in rows:
        line = _line({"seq": seq, "at": at, "kind": kind, "chat": chat, "user": pseudonym,
                      "data": json.loads(data), "prev": prev, "hash": stored}) + "\n"
        digest.update(line.encode("utf-8"))
        count += 1
        yield line
    yield _line({"trailer": {"entries": count, "sha256": digest.hexdigest(),
                             "head": {"seq": head[0], "hash": head[1]},
                             "since": format_time(since) if since else None,
                             "until": format_time(until) if until else None, "user": user}}) + "\n"


def _entry_problem(entry: Any, previous: tuple[int, str] | None) -> str | None:
    """What is wrong with one entry line, given the one before it; None when it checks out."""
    try:
        seq, prev, stored = entry["seq"], entry["prev"], entry["hash"]
        recomputed = entry_hash(seq, entry["at"], entry["kind"], entry["chat"], entry["user"],
                                canonical_data(entry["data"]), prev)
    except (KeyError, TypeError, ValueError) as exc:
        return f"is not an audit entry ({type(exc).__name__}: {exc})"
    if recomputed != stored:
        return "does not match its hash: its content or its hash was changed"
    if previous is not None and seq <= previous[0]:
        return f"comes after entry {previous[0]}: the lines are out of order"
    if seq == 1 and prev != GENESIS:
        return "is entry 1 but does not start the chain"
    if previous is not None and seq == previous[0] + 1 and prev != previous[1]:
        return f"does not link to entry {previous[0]}"
    return None


def verify_export(lines: Iterable[str]) -> VerifyReport:
    """Check an export file's lines (as read, newlines kept): every entry, the links between consecutive
    entries, no gap in an unfiltered export, and the trailer (present, last, matching count and SHA-256)."""
    digest, count = hashlib.sha256(), 0
    previous: tuple[int, str] | None = None
    first_bad: int | None = None
    reason, trailer, gap = "", None, None
    for number, line in enumerate(lines, start=1):
        if trailer is not None:
            return VerifyReport(count, False, first_bad, f"line {number} comes after the trailer")
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            return VerifyReport(count, False, first_bad, reason or f"line {number} is not complete JSON: the "
                                "export is cut short or damaged", head=previous[1] if previous else GENESIS)
        if isinstance(record, dict) and "trailer" in record:
            trailer = record["trailer"]
            continue
        digest.update(line.encode("utf-8"))
        count += 1
        seq = record.get("seq") if isinstance(record, dict) else None
        problem = _entry_problem(record, previous)
        if problem is not None:
            if first_bad is None:
                first_bad, reason = (seq if isinstance(seq, int) else None), f"entry {seq} (line {number}) {problem}"
            continue
        if gap is None and seq != (previous[0] + 1 if previous else 1):
            gap = previous[0] + 1 if previous else 1
        previous = (int(record["seq"]), str(record["hash"]))
    head = previous[1] if previous else GENESIS
    if trailer is None:
        return VerifyReport(count, False, first_bad, reason or "no trailer line: the export is cut short", head=head)
    filtered = not isinstance(trailer, dict) or any(trailer.get(key) for key in ("since", "until", "user"))
    if first_bad is None and gap is not None and not filtered:
        first_bad, reason = gap, f"entry {gap} is missing from an unfiltered export"
    if not isinstance(trailer, dict) or trailer.get("entries") != count or trailer.get("sha256") != digest.hexdigest():
        return VerifyReport(count, False, first_bad, reason or "the lines do not match the trailer (count or "
                            "SHA-256): lines were removed, added or changed", head=head)
    if first_bad is None:
        reason = f"all {count} entries check out" + (" (a filtered export: links checked between consecutive "
                                                     "entries only)" if filtered else "")
    return VerifyReport(count, first_bad is None, first_bad, reason, head=head)
