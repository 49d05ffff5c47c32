"""The Chinese retrieval set (tests/data/zh_retrieval): notes the loader reads, judgements that point at them."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from knowledge.documents import BUNDLED_CORPUS, SourceDocument, read_documents
from tests.knowledge.test_bundled_corpus import PROMISSORY, QUOTED

SET = Path(__file__).parents[1] / "data" / "zh_retrieval"
CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def notes() -> dict[str, SourceDocument]:
    items = list(read_documents([SET / "notes"]))
    problems = [str(i) for i in items if not isinstance(i, SourceDocument)]
    assert problems == [], problems
    return {d.doc_id: d for d in items if isinstance(d, SourceDocument)}


def rows(name: str) -> list[dict[str, object]]:
    lines = (SET / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def relevant(row: dict[str, object]) -> dict[str, int]:
    judged = row["relevant"]
    assert isinstance(judged, dict) and judged, row["id"]
    return judged


def test_at_least_forty_chinese_notes_each_with_front_matter_and_a_short_body() -> None:
    docs = notes()
    assert len(docs) >= 40
    for doc_id, doc in docs.items():
        assert doc_id.startswith("zh-") and doc.kind == "markdown" and doc.title, doc_id
        assert doc.metadata.get("language") == "zh", doc_id
        assert {"date", "tags"} <= set(doc.metadata), doc_id
        assert re.fullmatch(r"R[1-5]", str(doc.metadata.get("risk"))), doc_id
        body = re.sub(r"[#\s]", "", doc.text)
        assert 250 <= len(body) <= 600, f"{doc_id}: {len(body)} characters"
        assert len(CJK.findall(body)) > len(body) / 2, doc_id


def test_notes_make_no_promises_outside_quotes() -> None:
    for doc_id, doc in notes().items():
        match = PROMISSORY.search(QUOTED.sub("", doc.text))
        assert match is None, f"{doc_id}: {match.group() if match else ''}"


def test_questions_are_unique_graded_and_point_at_notes_that_exist() -> None:
    questions = rows("questions.jsonl")
    assert len(questions) >= 200
    assert len({q["id"] for q in questions}) == len(questions)
    assert len({q["question"] for q in questions}) == len(questions)
    for q in questions:
        assert set(q) == {"id", "question", "split", "relevant"}, q["id"]
        assert CJK.search(str(q["question"])), q["id"]
        judged = relevant(q)
        assert set(judged) <= set(notes()), (q["id"], set(judged) - set(notes()))
        assert all(isinstance(g, int) and 1 <= g <= 3 for g in judged.values()), q["id"]
        assert 3 in judged.values(), f"{q['id']} has no note that answers it directly"


def test_split_follows_the_documented_rule_and_both_sides_cover_every_note() -> None:
    questions = rows("questions.jsonl")
    for q in questions:  # README: numeric id mod 5 in {0, 1} -> tune, else eval
        expected = "tune" if int(str(q["id"])[2:]) % 5 in (0, 1) else "eval"
        assert q["split"] == expected, q["id"]
    for split in ("tune", "eval"):
        answered = {doc for q in questions if q["split"] == split for doc, g in relevant(q).items() if g == 3}
        assert answered == set(notes()), f"{split} never asks about {sorted(set(notes()) - answered)}"


def test_some_questions_mix_in_english_tickers_or_words() -> None:
    mixed = [q for q in rows("questions.jsonl") if re.search(r"[A-Za-z]{2,}", str(q["question"]))]
    assert len(mixed) >= 40


def test_crosslingual_items_cross_languages_into_the_bundled_corpus() -> None:
    bundled = {d.doc_id: d for d in read_documents([BUNDLED_CORPUS]) if isinstance(d, SourceDocument)}
    items = rows("crosslingual.jsonl")
    assert len(items) == 40 and len({i["id"] for i in items}) == 40
    chinese_questions = 0
    for item in items:
        judged = relevant(item)
        assert set(judged) <= set(bundled), (item["id"], set(judged) - set(bundled))
        assert all(isinstance(g, int) and 1 <= g <= 3 for g in judged.values()), item["id"]
        asked_in_chinese = bool(CJK.search(str(item["question"])))
        chinese_questions += asked_in_chinese
        for doc_id, grade in judged.items():
            if grade == 3:  # the note that answers it is in the other language
                assert (bundled[doc_id].metadata.get("language") == "zh") != asked_in_chinese, item["id"]
    assert chinese_questions == 25
    assert {i["split"] for i in items} == {"tune", "eval"}
