"""`roundtable audit verify | export | anchor` on the app's own database, as a compliance officer runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from advisor.audit import AuditLog
from bots.app.cli import app
from bots.app.settings import Settings
from bots.app.stores import key_ring

runner = CliRunner()
START = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)  # one entry an hour: 30 Nov 22:00 ... 1 Dec 05:00


def roundtable(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def audit(home: Path) -> AuditLog:
    """The log the app itself would write to: its database, its secret key; eight answers to two members."""
    settings = Settings()
    ticks = count()
    log = AuditLog.open(settings.sqlalchemy_url, key_ring(settings),
                        clock=lambda: START + timedelta(hours=next(ticks)))
    for n in range(8):
        log.append("answer", user=f"telegram:{100 + n % 2}", chat="telegram:-5", data={"intent": "education", "n": n})
    return log


def test_verify_reports_an_intact_chain_and_exits_0(audit: AuditLog) -> None:
    result = roundtable("audit", "verify")
    assert result.exit_code == 0 and result.stdout.startswith("OK: 8 entries")
    payload = json.loads(roundtable("audit", "verify", "--json").stdout)
    assert {"entries", "ok", "first_bad"} <= set(payload)
    assert (payload["entries"], payload["ok"], payload["first_bad"]) == (8, True, None)


def test_verify_names_the_tampered_entry_and_exits_1(audit: AuditLog) -> None:
    with audit.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET data = :data WHERE seq = 3"), {"data": '{"intent":"advice","n":2}'})
    result = roundtable("audit", "verify", "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert (payload["ok"], payload["first_bad"]) == (False, 3)
    human = roundtable("audit", "verify")
    assert human.exit_code == 1 and "BROKEN (first bad entry 3" in human.stdout


def test_anchor_prints_the_head_and_verify_checks_against_it(audit: AuditLog) -> None:
    result = roundtable("audit", "anchor")
    assert result.exit_code == 0 and result.stdout.strip() == audit.anchor().hash
    assert json.loads(roundtable("audit", "anchor", "--json").stdout) == {"seq": 8, "hash": audit.anchor().hash}
    anchored = json.loads(roundtable("audit", "verify", "--json", "--anchor", result.stdout.strip()).stdout)
    assert anchored["ok"] and anchored["anchor_seq"] == 8
    lost = roundtable("audit", "verify", "--json", "--anchor", "ab" * 32)  # an anchor this chain never had
    assert lost.exit_code == 1 and json.loads(lost.stdout)["ok"] is False
    bad = roundtable("audit", "verify", "--anchor", "nonsense")
    assert bad.exit_code == 1 and bad.output.startswith("Error: an anchor is a SHA-256")


def test_export_writes_jsonl_with_pseudonyms_and_a_trailer(audit: AuditLog) -> None:
    result = roundtable("audit", "export", "--user", "telegram:101", "--since", "2026-12-01")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    entries, trailer = [json.loads(line) for line in lines[:-1]], json.loads(lines[-1])["trailer"]
    assert [e["n"] for e in (entry["data"] for entry in entries)] == [3, 5, 7]  # 01:00, 03:00, 05:00 on 1 Dec
    assert "telegram:101" not in result.stdout and trailer["entries"] == 3
    assert trailer["since"] == "2026-12-01T00:00:00.000000Z"
    until = roundtable("audit", "export", "--until", "2026-11-30").stdout.splitlines()
    assert len(until) == 3  # 22:00 and 23:00 on 30 Nov, then the trailer


def test_an_export_file_verifies_and_a_cut_short_one_fails(audit: AuditLog, tmp_path: Path) -> None:
    target = tmp_path / "audit.jsonl"
    result = roundtable("audit", "export", "--output", str(target))
    assert result.exit_code == 0 and "Wrote 8 entries" in result.stderr
    checked = roundtable("audit", "verify", "--export", str(target), "--json")
    assert checked.exit_code == 0 and json.loads(checked.stdout)["entries"] == 8
    target.write_bytes(target.read_bytes()[:-150])  # the trailer and part of the last entry lost
    cut = roundtable("audit", "verify", "--export", str(target))
    assert cut.exit_code == 1 and "cut short" in cut.stdout


def test_bad_dates_are_one_line_errors(audit: AuditLog) -> None:
    result = roundtable("audit", "export", "--since", "30/11/2026")
    assert result.exit_code == 1 and result.output.startswith("Error: '30/11/2026' is not a date")
    backwards = roundtable("audit", "export", "--since", "2026-12-02", "--until", "2026-12-01")
    assert backwards.exit_code == 1 and "--since must come before --until" in backwards.output
