"""`roundtable moderate FILE [--json]` as a chat manager runs it on an exported chat, to tune a policy offline."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bots.app.cli import app

runner = CliRunner()


def roundtable(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_jsonl_gives_one_line_per_message_in_order_and_reports_bad_lines(tmp_path: Path) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text("\n".join([
        json.dumps({"id": "m1", "text": "What is an index fund?", "user": "ann", "chat": "g",
                    "time": "2026-03-02T12:00:00Z"}),
        "{not json",
        json.dumps({"text": "这只股票稳赚不赔"}),
        json.dumps({"id": 42, "text": "DM me to earn 500$ a day", "user": "spammer", "time": 1772452800}),
        json.dumps({"id": "m5"}),
        json.dumps(["a list"]),
    ]) + "\n", encoding="utf-8")
    result = roundtable("moderate", str(chat), "--json")
    assert result.exit_code == 0
    rows = lines(result.stdout)
    assert [row["id"] for row in rows] == ["m1", 3, 42]  # no id -> its 1-based line number
    assert all(set(row) == {"id", "verdict", "categories", "reasons"} for row in rows)
    assert rows[0]["verdict"] == "ok" and rows[0]["categories"] == []
    assert rows[1]["verdict"] == "warn" and rows[1]["categories"] == ["promissory"]
    assert rows[2]["verdict"] == "delete" and "scam" in rows[2]["categories"]
    assert f"{chat}:2: skipped" in result.stderr and f"{chat}:5: skipped" in result.stderr
    assert f"{chat}:6: skipped" in result.stderr and "3 lines skipped" in result.stderr


def test_without_json_a_table_of_flagged_messages_and_totals(tmp_path: Path) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text('{"id": "a", "text": "hello"}\n{"id": "b", "text": "Everyone buy at 10:00!"}\n', encoding="utf-8")
    result = roundtable("moderate", str(chat))
    assert result.exit_code == 0
    assert "coordination" in result.stdout and "2 messages: 1 ok, 0 warn, 0 hold, 1 delete" in result.stdout


def test_telegram_desktop_export_with_entity_lists_and_joins(tmp_path: Path) -> None:
    export = {"name": "Club", "type": "public_supergroup", "id": 777, "messages": [
        {"id": 1, "type": "message", "date": "2026-03-01T09:00:00", "date_unixtime": "1772355600",
         "from": "Ann", "from_id": "user1", "text": "Morning! Any good reading on bonds?"},
        {"id": 2, "type": "service", "date": "2026-03-02T10:00:00", "date_unixtime": "1772445600",
         "actor": "Newbie", "actor_id": "user9", "action": "join_group_by_link", "text": ""},
        {"id": 3, "type": "message", "date": "2026-03-02T10:05:00", "date_unixtime": "1772445900",
         "from": "Newbie", "from_id": "user9",
         "text": ["Free course here: ", {"type": "link", "text": "https://example.com/course"}]},
        {"id": 4, "type": "message", "date": "2026-03-02T10:06:00", "date_unixtime": "1772445960",
         "from": "Bob", "from_id": "user2", "text": [{"type": "bold", "text": "ｇｕａｒａｎｔｅｅｄ"}, " returns"]},
    ]}
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export, indent=1), encoding="utf-8")
    rows = lines(roundtable("moderate", str(path), "--json").stdout)
    assert [row["id"] for row in rows] == [1, 3, 4]  # the service message is not a post
    assert rows[0]["verdict"] == "ok"
    assert rows[1]["categories"] == ["new_member_link"]  # joined five minutes earlier
    assert rows[2]["categories"] == ["promissory"]


def test_binary_and_unrecognised_files_are_refused_clearly(tmp_path: Path) -> None:
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" * 50)
    result = roundtable("moderate", str(binary), "--json")
    assert result.exit_code == 1 and "looks binary" in result.output
    other = tmp_path / "list.json"
    other.write_text('[\n1, 2\n]\n', encoding="utf-8")
    result = roundtable("moderate", str(other))
    assert result.exit_code == 1 and "not a Telegram Desktop export" in result.output
    missing = roundtable("moderate", str(tmp_path / "nope.jsonl"))
    assert missing.exit_code == 1 and "Cannot read" in missing.output
