"""`roundtable mood FILE`: one JSON line per message in input order, a summary line, bad lines on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bots.app.cli import app

runner = CliRunner()


def run(path: Path, *args: str) -> tuple[list[dict[str, object]], str, int]:
    result = runner.invoke(app, ["mood", str(path), *args])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()] if "--json" in args else []
    return lines, result.stderr, result.exit_code


def test_jsonl_lines_in_order_with_ids_and_a_summary(tmp_path: Path) -> None:
    log = tmp_path / "chat.jsonl"
    log.write_text("\n".join([
        json.dumps({"id": "m1", "text": "$NVDA surging after a record earnings beat 🚀", "user": "ann", "chat": "g",
                    "time": "2024-03-01T09:00:00Z"}),
        "this is not json",
        json.dumps({"text": "暴跌了，爆仓了，好慌，茅台"}),
        json.dumps({"id": 9}),
        json.dumps({"id": 4, "text": "$NVDA plunges after a downgrade", "time": 1709283600}),
    ]) + "\n", encoding="utf-8")
    lines, stderr, code = run(log, "--json")
    assert code == 0
    assert [line.get("id") for line in lines[:-1]] == ["m1", 3, 4]  # no id: its line number
    assert all(set(line) == {"id", "label", "score", "fear"} for line in lines[:-1])
    assert [line["label"] for line in lines[:-1]] == ["bullish", "bearish", "bearish"]
    assert lines[1]["fear"] is True and lines[0]["fear"] is False
    summary = lines[-1]["summary"]
    assert isinstance(summary, dict) and set(summary) == {"mood_index", "top_symbols"}
    assert summary["top_symbols"][0] == {"symbol": "NVDA", "mentions": 2}
    assert ":2: skipped: invalid JSON" in stderr and ":4: skipped: expected an object" in stderr


def test_a_telegram_desktop_export(tmp_path: Path) -> None:
    export = {"name": "Investing club", "type": "public_supergroup", "id": 1234, "messages": [
        {"id": 10, "type": "service", "action": "join_group_by_link", "date": "2024-03-01T09:00:00"},
        {"id": 11, "type": "message", "date": "2024-03-01T09:01:00", "date_unixtime": "1709283660",
         "from": "Ann", "from_id": "user1", "text": ["Loaded more ", {"type": "cashtag", "text": "$TSLA"},
                                                     " calls, breakout to new highs 🚀"]},
        {"id": 12, "type": "message", "date": "2024-03-01T09:02:00", "from": "Bo", "from_id": "user2",
         "photo": "photos/1.jpg", "text": "腾讯今天大涨，利好！"},
        {"id": 13, "type": "message", "date": "not a date", "text": "hello"},
    ]}
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    lines, stderr, code = run(path, "--json")
    assert code == 0
    assert [(line["id"], line["label"]) for line in lines[:-1]] == [(11, "bullish"), (12, "bullish")]
    assert {s["symbol"] for s in lines[-1]["summary"]["top_symbols"]} == {"TSLA", "0700.HK"}
    assert ":4: skipped" in stderr  # the fourth message of the export


def test_the_readable_summary(tmp_path: Path) -> None:
    log = tmp_path / "chat.jsonl"
    log.write_text('{"text": "$AAPL rally, strong buy"}\n{"text": "$AAPL is fine"}\n', encoding="utf-8")
    result = runner.invoke(app, ["mood", str(log)])
    assert result.exit_code == 0
    assert "2 messages" in result.stdout and "mood index" in result.stdout and "AAPL (2)" in result.stdout


def test_a_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["mood", str(tmp_path / "nope.jsonl"), "--json"])
    assert result.exit_code == 1 and "Cannot read" in result.stderr


def test_the_accurate_model_by_default_and_the_chats_model_with_fast(tmp_path: Path) -> None:
    from advisor.mood.model import SentimentModel

    text = "Shares plunged after the profit warning"
    log = tmp_path / "news.jsonl"
    log.write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    default, _, code = run(log, "--json")
    asked, _, _ = run(log, "--json", "--accurate")
    fast, _, fast_code = run(log, "--json", "--fast")
    assert code == fast_code == 0 and default[0]["label"] == "bearish"
    assert default[0] == asked[0]  # --accurate names the default
    assert default[0]["score"] == SentimentModel.load(accurate=True).classify(text).to_json()["score"]
    assert fast[0]["score"] == SentimentModel.load().classify(text).to_json()["score"]
    assert fast[0]["score"] != default[0]["score"]  # another model answered


def test_asking_for_both_models_is_one_clear_error(tmp_path: Path) -> None:
    log = tmp_path / "chat.jsonl"
    log.write_text('{"text": "hello"}\n', encoding="utf-8")
    result = runner.invoke(app, ["mood", str(log), "--fast", "--accurate"])
    assert result.exit_code == 1 and "Choose one model" in result.stderr and result.stdout == ""


def test_more_messages_than_a_batch_keep_their_order(tmp_path: Path) -> None:
    """Scored in batches of 64: 150 lines come back one each, in input order, with their ids."""
    log = tmp_path / "long.jsonl"
    texts = ["$AAPL rally, strong quarter", "$AAPL is flat today", "$AAPL crashes on weak guidance"]
    log.write_text("".join(json.dumps({"id": f"m{i}", "text": texts[i % 3]}) + "\n" for i in range(150)),
                   encoding="utf-8")
    lines, _, code = run(log, "--json", "--fast")
    assert code == 0 and [line["id"] for line in lines[:-1]] == [f"m{i}" for i in range(150)]
    assert [line["label"] for line in lines[:3]] * 50 == [line["label"] for line in lines[:-1]]
    assert lines[-1]["summary"]["top_symbols"] == [{"symbol": "AAPL", "mentions": 150}]
