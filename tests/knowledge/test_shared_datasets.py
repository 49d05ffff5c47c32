"""Real third-party retrieval data from ../shared (skipped when the folder is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.embeddings import MiniLMEmbeddings
from knowledge.research import Research
from tests.conftest import SHARED

FIQA = SHARED / "retrieval" / "fiqa"
pytestmark = pytest.mark.skipif(not FIQA.exists(), reason="../shared/data/retrieval/fiqa is not available")


def test_fiqa_sample_ingests_as_jsonl_and_finds_gold_passages(tmp_path: Path, embedder: MiniLMEmbeddings) -> None:
    lines = (FIQA / "corpus.jsonl").read_text(encoding="utf-8").splitlines()[:40]
    sample = tmp_path / "fiqa-sample.jsonl"
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc_ids = {json.loads(line)["id"] for line in lines}
    queries = [q for q in map(json.loads, (FIQA / "queries.jsonl").read_text().splitlines())
               if q["relevant"][0] in doc_ids]

    research = Research.open(tmp_path / "home", embedder=embedder)
    report = research.ingest([sample], "fiqa-sample")
    assert report.documents == 40 and report.errors == []
    retriever = research.retriever("fiqa-sample")
    found = sum(q["relevant"][0] in {h.doc_id for h in retriever.search(q["text"], k=10)} for q in queries)
    assert found / len(queries) >= 0.9, f"{found}/{len(queries)}"
