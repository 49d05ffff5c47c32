from __future__ import annotations

from knowledge.chunking import CHUNK_TOKENS, Chunker
from knowledge.documents import SourceDocument
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.lexical import LexicalIndex, tokenize


def doc(text: str, kind: str = "markdown", doc_id: str = "d.md", title: str = "Title") -> SourceDocument:
    return SourceDocument(doc_id, title, text, doc_id, kind, "/origin", {})


def test_markdown_chunks_follow_headings_and_fit_the_model(embedder: MiniLMEmbeddings) -> None:
    long_section = " ".join(f"Sentence {i} explains how bond prices move when rates change." for i in range(80))
    text = f"# Title\n\n## Basics\n\nBonds pay coupons.\n\n## Rates\n\n{long_section}\n"
    chunks = Chunker(embedder.count_tokens).split(doc(text))
    assert chunks[0].heading == "Basics" and chunks[0].text == "Bonds pay coupons."
    rate_chunks = [c for c in chunks if c.heading == "Rates"]
    assert len(rate_chunks) > 3
    assert all(embedder.count_tokens(c.embedding_text("Title")) <= 254 for c in chunks)
    assert all(embedder.count_tokens(c.text) <= CHUNK_TOKENS for c in chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_chunk_ids_are_stable_and_content_addressed(embedder: MiniLMEmbeddings) -> None:
    chunker = Chunker(embedder.count_tokens)
    text = "## A\n\nSame paragraph.\n\n## B\n\nOther paragraph.\n"
    first = [c.chunk_id for c in chunker.split(doc(text))]
    assert first == [c.chunk_id for c in chunker.split(doc(text))]
    edited = [c.chunk_id for c in chunker.split(doc(text.replace("Other", "Changed")))]
    assert edited[0] == first[0] and edited[1] != first[1]
    assert [c.chunk_id for c in chunker.split(doc(text, doc_id="other.md"))] != first


def test_repeated_text_gets_distinct_ids(embedder: MiniLMEmbeddings) -> None:
    chunks = Chunker(embedder.count_tokens, chunk_tokens=5, overlap_tokens=0).split(
        doc("Same words here.\n\nSame words here.\n\nSame words here.", kind="text"))
    assert len({c.chunk_id for c in chunks}) == len(chunks) == 3


def test_chinese_text_splits_on_chinese_punctuation(embedder: MiniLMEmbeddings) -> None:
    text = "分散投资可以降低风险。" * 60
    chunks = Chunker(embedder.count_tokens, chunk_tokens=50, overlap_tokens=0).split(doc(text, kind="text"))
    assert len(chunks) > 3
    assert all(c.text.endswith("。") for c in chunks)


def test_tokenize_english_chinese_and_bigrams() -> None:
    assert tokenize("The total sales in 2019!") == ["total", "sale", "total_sale", "2019", "sale_2019"]
    assert tokenize("港股通") == ["港", "股", "通", "港股", "股通"]
    assert tokenize("什么是港股通") == ["港", "股", "通", "港股", "股通"]
    assert tokenize("") == []


def test_bm25_scores_are_normalised_per_query() -> None:
    index = LexicalIndex.build(["a", "b", "c"], ["leveraged ETF daily reset", "bond duration", "ETF fees"])
    scores = index.scores("leveraged ETF")
    assert scores.argmax() == 0 and 0 < scores.max() <= 1.0
    assert index.scores("nothing matches").tolist() == [0.0, 0.0, 0.0]
    assert index.score_of("c", scores) > 0 and index.score_of("unknown", scores) == 0.0


def test_bm25_index_round_trips_with_its_revision(tmp_path) -> None:  # type: ignore[no-untyped-def]
    index = LexicalIndex.build(["a", "b"], ["margin call", "dividend yield"])
    index.save(tmp_path, "rev-1")
    loaded = LexicalIndex.load(tmp_path)
    assert loaded is not None
    again, revision = loaded
    assert revision == "rev-1" and again.ids == ["a", "b"]
    assert again.scores("dividend").tolist() == index.scores("dividend").tolist()
    assert LexicalIndex.load(tmp_path / "missing") is None


def test_empty_index() -> None:
    index = LexicalIndex.build([], [])
    assert len(index) == 0 and index.scores("anything").size == 0
