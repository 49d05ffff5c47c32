from __future__ import annotations

import pytest
from langchain_core.documents import Document

from knowledge.errors import CollectionNotFoundError, InvalidQueryError
from knowledge.langchain_retriever import ResearchRetriever
from knowledge.research import Research
from knowledge.retrieval import MAX_QUERY_CHARS, clean_text


@pytest.mark.parametrize(("query", "doc_id"), [
    ("why do leveraged ETFs lose value over time?", "leveraged-and-inverse-etfs.md"),
    ("what happens to bond prices when interest rates rise", "bonds-and-interest-rate-risk.md"),
    ("warning signs of a pump and dump scheme", "pump-and-dump-and-scam-warning-signs.md"),
    ("how many months of expenses for an emergency fund", "emergency-funds.md"),
    ("港股通的汇率风险", "zh-stock-connect.md"),
    ("融资融券 强制平仓", "zh-leverage-and-margin-trading.md"),
    ("杀猪盘 荐股群 老师", "zh-pig-butchering-and-stock-tip-scams.md"),
])
def test_bundled_corpus_answers_topics(bundled_research: Research, query: str, doc_id: str) -> None:
    hits = bundled_research.retriever().search(query, k=3)
    assert hits[0].doc_id == doc_id, [h.doc_id for h in hits]


def test_hits_carry_metadata_and_sorted_scores(bundled_research: Research) -> None:
    hits = bundled_research.retriever().search("options basics and risks", k=5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    top = hits[0]
    assert top.title and top.source.endswith(".md") and top.metadata["risk"] == "R5"
    assert set(top.to_json()) == {"doc_id", "chunk_id", "score", "title", "source", "text"}


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_every_mode_finds_the_obvious_document(bundled_research: Research, mode: str) -> None:
    hits = bundled_research.retriever().search("dollar-cost averaging fixed amount schedule", k=3, mode=mode)
    assert hits[0].doc_id == "dollar-cost-averaging.md"


def test_langchain_retriever_returns_documents(bundled_research: Research) -> None:
    retriever = ResearchRetriever(retriever=bundled_research.retriever(), k=2)
    docs = retriever.invoke("what is short selling")
    assert len(docs) == 2 and all(isinstance(d, Document) for d in docs)
    assert docs[0].metadata["doc_id"] == "short-selling.md" and docs[0].metadata["score"] > 0


@pytest.mark.parametrize(("query", "message"), [
    ("", "empty"), ("   \n\t ", "empty"), ("x" * (MAX_QUERY_CHARS + 1), "limit"),
    ("bad\x00bytes", "binary"), ("\x01\x02\x03\x04", "binary"),
])
def test_bad_queries_are_rejected_clearly(query: str, message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message):
        clean_text(query)


def test_queries_are_normalised() -> None:
    assert clean_text("  what\u3000is   an ＥＴＦ?\n") == "what is an ETF?"


def test_unknown_collection(bundled_research: Research) -> None:
    with pytest.raises(CollectionNotFoundError, match="research"):
        bundled_research.retriever("no-such-collection")


def test_lexical_index_is_rebuilt_when_another_writer_changes_the_store(bundled_research: Research,
                                                                        tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import write

    # Two Research objects on one store stand for two bot instances.
    writer = Research.open(tmp_path / "writer-home", embedder=bundled_research.embedder)
    writer.client = bundled_research.client
    reader = Research(bundled_research.client, bundled_research.embedder, tmp_path / "reader-bm25")
    name = "shared-notes"
    writer.ingest([write(tmp_path / "n" / "a.md", "# Alpha\n\nAlpha notes on annuities.")], name)
    retriever = reader.retriever(name)
    retriever.refresh_seconds = 0
    assert retriever.search("annuities", k=1)[0].doc_id == "a.md"
    writer.ingest([write(tmp_path / "n" / "b.md", "# Beta\n\nBeta notes on warrants.")], name)
    assert retriever.search("warrants", k=1, mode="lexical")[0].doc_id == "b.md"
