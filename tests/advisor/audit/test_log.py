"""The chain as a compliance officer sees it: entries linked by hashes, and every kind of tampering named by seq."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import text

from advisor.audit import GENESIS, AuditLog, entry_hash, verify_export
from advisor.profiles import user_hasher

KEY = b"a-test-secret-key-of-any-length"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def stepping_clock(step: timedelta = timedelta(hours=1)):  # type: ignore[no-untyped-def]
    ticks = count()
    return lambda: START + step * next(ticks)


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog.open(f"sqlite:///{tmp_path / 'audit.db'}", KEY, clock=stepping_clock())


def fill(audit: AuditLog, n: int) -> None:
    for i in range(1, n + 1):
        audit.append("answer", user=f"telegram:{i % 3}", chat="telegram:-100",
                     data={"intent": "education", "risk": "R2", "refused": False, "n": i})


def sql(audit: AuditLog, statement: str, **params: object) -> None:
    with audit.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_entries_chain_from_64_zeros_and_hold_pseudonyms_not_platform_ids(audit: AuditLog) -> None:
    first = audit.append("profile", user="telegram:42", data={"level": "C3"})
    second = audit.append("briefing", chat="telegram:-100", data={"market": "US"})
    assert (first.seq, first.prev) == (1, GENESIS)
    assert (second.seq, second.prev) == (2, first.hash)
    assert first.user == user_hasher(KEY)("telegram:42") and "telegram" not in first.user + first.data
    assert second.user is None and second.chat == "telegram:-100"
    assert first.at == "2026-11-30T09:00:00.000000Z" and second.at == "2026-11-30T10:00:00.000000Z"
    assert first.hash == entry_hash(1, first.at, "profile", None, first.user, '{"level":"C3"}', GENESIS)
    assert audit.anchor().to_json() == {"seq": 2, "hash": second.hash}
    report = audit.verify()
    assert (report.entries, report.ok, report.first_bad) == (2, True, None)


def test_an_empty_log_verifies_and_its_anchor_is_the_genesis_hash(audit: AuditLog) -> None:
    assert audit.anchor().to_json() == {"seq": 0, "hash": GENESIS}
    assert audit.verify().ok and audit.verify().entries == 0


def test_bad_input_is_refused_before_anything_is_written(audit: AuditLog) -> None:
    with pytest.raises(ValueError, match="float"):
        audit.append("moderation", data={"confidence": 0.8})
    with pytest.raises(ValueError, match="kind"):
        audit.append("Answer!")
    with pytest.raises(ValueError, match="not both"):
        audit.append("forget", user="telegram:1", user_key="ab" * 32)
    assert audit.anchor().seq == 0


def test_an_edited_data_field_is_named_by_its_seq(audit: AuditLog) -> None:
    fill(audit, 10)
    sql(audit, "UPDATE audit_log SET data = :data WHERE seq = 6",
        data='{"intent":"education","n":6,"refused":true,"risk":"R2"}')
    report = audit.verify()
    assert (report.ok, report.first_bad, report.entries) == (False, 6, 10)
    assert "entry 6 does not match its hash" in report.reason


def test_an_edited_hash_is_named_by_its_seq(audit: AuditLog) -> None:
    fill(audit, 10)
    sql(audit, "UPDATE audit_log SET hash = :h WHERE seq = 3", h="f" * 64)
    assert audit.verify().first_bad == 3


def test_a_deleted_middle_row_is_named_as_missing(audit: AuditLog) -> None:
    fill(audit, 10)
    sql(audit, "DELETE FROM audit_log WHERE seq = 5")
    report = audit.verify()
    assert (report.ok, report.first_bad, report.entries) == (False, 5, 9)
    assert report.reason == "entry 5 is missing (the next entry is 6)"


def test_two_swapped_rows_are_caught_at_the_first_of_them(audit: AuditLog) -> None:
    fill(audit, 10)
    four, five = (next(audit.rows(text(f"seq = {seq}"))) for seq in (4, 5))
    # Reorder entries 4 and 5: each row takes the other's content (the seq is the position, so it stays).
    for seq, (_, at, kind, chat, user, data, prev, digest) in ((5, four), (4, five)):
        sql(audit, 'UPDATE audit_log SET at = :at, kind = :kind, chat = :chat, "user" = :user, data = :data, '
            "prev = :prev, hash = :hash WHERE seq = :seq", at=at, kind=kind, chat=chat, user=user, data=data,
            prev=prev, hash=digest, seq=seq)
    assert [json.loads(row[5])["n"] for row in audit.rows()] == [1, 2, 3, 5, 4, 6, 7, 8, 9, 10]
    assert audit.verify().first_bad == 4


def test_a_rewrite_with_a_recomputed_hash_breaks_the_next_link(audit: AuditLog) -> None:
    fill(audit, 10)
    seq, at, kind, chat, user, _, prev, _ = next(audit.rows(text("seq = 7")))
    forged = '{"intent":"education","n":7,"refused":true,"risk":"R1"}'
    sql(audit, "UPDATE audit_log SET data = :d, hash = :h WHERE seq = 7", d=forged,
        h=entry_hash(seq, at, kind, chat, user, forged, prev))
    report = audit.verify()
    assert report.first_bad == 8 and "entry 7 or 8 was rewritten" in report.reason


def test_an_anchor_proves_nothing_before_it_was_rewritten_even_by_a_careful_forger(audit: AuditLog) -> None:
    fill(audit, 10)
    anchor = audit.anchor()
    fill(audit, 5)
    assert audit.verify(anchor.hash).ok and audit.verify(anchor.hash).anchor_seq == 10
    # The forger edits entry 4 and recomputes every hash after it: the chain alone looks perfect...
    rows = list(audit.rows())
    prev = rows[2][7]
    for seq, at, kind, chat, user, data, _, _ in rows[3:]:
        if seq == 4:
            data = data.replace('"refused":false', '"refused":true')
        digest = entry_hash(seq, at, kind, chat, user, data, prev)
        sql(audit, "UPDATE audit_log SET data = :d, prev = :p, hash = :h WHERE seq = :s", d=data, p=prev, h=digest,
            s=seq)
        prev = digest
    assert audit.verify().ok
    # ...but the published anchor is no longer in it.
    report = audit.verify(anchor.hash)
    assert (report.ok, report.anchor_seq) == (False, None) and "anchor is not in the log" in report.reason


def test_a_break_after_the_anchor_still_fails_but_the_anchor_part_is_proven(audit: AuditLog) -> None:
    fill(audit, 6)
    anchor = audit.anchor().hash
    fill(audit, 4)
    sql(audit, "DELETE FROM audit_log WHERE seq = 8")
    report = audit.verify(anchor)
    assert (report.ok, report.first_bad, report.anchor_seq) == (False, 8, 6)
    assert "the anchor is entry 6: nothing up to it was rewritten" in report.reason
    with pytest.raises(ValueError, match="SHA-256 in hex"):
        audit.verify("not-a-hash")


def test_export_filters_by_time_and_member_and_ends_with_a_trailer(audit: AuditLog) -> None:
    fill(audit, 9)  # one entry an hour from 09:00; members telegram:1, 2, 0, 1, 2, 0, ...
    lines = list(audit.export(since=START + timedelta(hours=2), until=START + timedelta(hours=6),
                              user="telegram:1"))
    entries, trailer = [json.loads(line) for line in lines[:-1]], json.loads(lines[-1])["trailer"]
    assert [e["seq"] for e in entries] == [4]  # 11:00..14:59, telegram:1 only
    assert trailer["entries"] == 1 and trailer["user"] == user_hasher(KEY)("telegram:1")
    assert trailer["head"]["seq"] == 9 and "telegram:1" not in "".join(lines)
    everything = list(audit.export())
    assert len(everything) == 10 and verify_export(everything).ok


def test_a_cut_short_or_edited_export_is_detected(audit: AuditLog) -> None:
    fill(audit, 8)
    lines = list(audit.export())
    assert verify_export(lines[:-1]).reason == "no trailer line: the export is cut short"
    assert not verify_export([*lines[:-2], lines[-2][:40]]).ok  # cut mid-line
    missing = verify_export(lines[:3] + lines[4:])
    assert (missing.ok, missing.first_bad) == (False, 4)
    edited = verify_export([lines[0], lines[1].replace('"R2"', '"R1"'), *lines[2:]])
    assert (edited.ok, edited.first_bad) == (False, 2)
    assert not verify_export([*lines, lines[0]]).ok  # nothing may follow the trailer
