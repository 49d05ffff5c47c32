"""Verifying the chain: one pass over the stored rows, in seq order, with plain tuples and hashlib.

``first_bad`` is the first sequence number at which the chain fails, checked in this order for each entry:
1. a missing entry: the seq run has a gap (a deleted row), and ``first_bad`` names the missing number;
2. its own hash: the entry's content no longer hashes to its stored ``hash`` (an edited field, an edited hash,
   or rows swapped: ``seq`` is part of what is hashed);
3. its link: its ``prev`` is not the previous entry's ``hash``. When entry k was rewritten AND its hash
   recomputed, entry k itself is self-consistent, so the chain fails at k + 1, and the reason names both.

An anchor (a head hash published earlier) must be found in the chain, at a position the chain up to it vouches
for: then nothing up to that entry was rewritten, however carefully, because each entry's hash covers all the
entries before it. A rewrite that recomputed every later hash leaves no break in the chain, but it loses the
anchor. Without an anchor a deleted or rewritten TAIL cannot be detected: publish anchors regularly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from advisor.audit.canonical import GENESIS, HEX64, entry_hash


@dataclass(frozen=True)
class VerifyReport:
    entries: int
    ok: bool
    first_bad: int | None
    reason: str
    anchor_seq: int | None = None  # where the anchor was found (None: not asked for, or not found)
    head: str = GENESIS  # the last stored hash

    def to_json(self) -> dict[str, Any]:
        return {"entries": self.entries, "ok": self.ok, "first_bad": self.first_bad, "reason": self.reason,
                "anchor_seq": self.anchor_seq, "head": self.head}


def check_anchor(anchor: str) -> str:
    anchor = anchor.strip().lower()
    if not HEX64.fullmatch(anchor):
        raise ValueError(f"an anchor is a SHA-256 in hex (64 characters), not {anchor[:80]!r}")
    return anchor


def check_chain(rows: Iterable[tuple[Any, ...]], anchor: str | None = None) -> VerifyReport:
    """Rows are (seq, at, kind, chat, user, data, prev, hash) in seq order."""
    wanted = check_anchor(anchor) if anchor is not None else None
    expected, prev_hash = 1, GENESIS
    count, first_bad, reason, anchor_seq, head = 0, None, "", None, GENESIS
    for seq, at, kind, chat, user, data, prev, stored in rows:
        count += 1
        if first_bad is None:
            if seq != expected:
                first_bad = expected
                reason = (f"entry {expected} is missing (the next entry is {seq})" if seq > expected
                          else f"entry {seq} is out of sequence (expected {expected})")
            elif entry_hash(seq, at, kind, chat, user, data, prev) != stored:
                first_bad, reason = seq, f"entry {seq} does not match its hash: its content or its hash was changed"
            elif prev != prev_hash:
                first_bad = seq
                reason = (f"entry {seq} does not link to entry {seq - 1} (its prev is not that entry's hash): "
                          f"entry {seq - 1} or {seq} was rewritten")
            expected, prev_hash = seq + 1, stored
        if stored == wanted:
            anchor_seq = seq
        head = stored
    if wanted is None:
        return VerifyReport(count, first_bad is None, first_bad,
                            reason or f"all {count} entries and their links check out", None, head)
    if anchor_seq is None:
        reason = reason or ("the anchor is not in the log: an entry at or before it was rewritten or removed, "
                            "or the log was cut short")
        return VerifyReport(count, False, first_bad, reason, None, head)
    if first_bad is not None and first_bad <= anchor_seq:
        return VerifyReport(count, False, first_bad, reason + f" (at or before the anchor, entry {anchor_seq})",
                            anchor_seq, head)
    proven = f"the anchor is entry {anchor_seq}: nothing up to it was rewritten"
    return VerifyReport(count, first_bad is None, first_bad, f"{reason}; {proven}" if reason else
                        f"all {count} entries and their links check out; {proven}", anchor_seq, head)
