from __future__ import annotations

import json

import numpy as np

from knowledge.embeddings import DIMENSIONS, MiniLMEmbeddings
from tests.conftest import FIXTURES


def test_vectors_match_sentence_transformers(embedder: MiniLMEmbeddings) -> None:
    reference = json.loads((FIXTURES / "minilm_reference.json").read_text())
    ours = embedder.embed(reference["sentences"])
    theirs = np.asarray(reference["vectors"], dtype=np.float32)
    cosines = (ours * theirs).sum(axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() >= 0.999, cosines
    # The long sentence is over 128 tokens: it only matches because truncation is 256, not the file's 128.
    assert embedder.count_tokens(reference["sentences"][5]) > 128


def test_batch_order_and_padding_do_not_change_vectors(embedder: MiniLMEmbeddings) -> None:
    texts = ["short", "a much longer sentence about bond duration and interest rate risk", "中文 文本"]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)
    assert together.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_langchain_and_chroma_interfaces(embedder: MiniLMEmbeddings) -> None:
    query = embedder.embed_query("what is an index fund?")
    docs = embedder.embed_documents(["index funds track a benchmark", "crypto custody"])
    chroma = embedder(["index funds track a benchmark"])
    chroma_query = embedder.embed_query(input=["what is an index fund?"])
    assert len(query) == DIMENSIONS and len(docs) == 2
    assert np.allclose(chroma[0], docs[0], atol=1e-6)
    assert np.allclose(chroma_query[0], query, atol=1e-6)
    assert float(np.dot(query, docs[0])) > float(np.dot(query, docs[1]))
    assert MiniLMEmbeddings.build_from_config(embedder.get_config()).name() == embedder.name()


def test_known_fraction_sees_unknown_chinese(embedder: MiniLMEmbeddings) -> None:
    assert embedder.known_fraction("diversification lowers risk") == 1.0
    assert embedder.known_fraction("融券卖出证券后价格持续上涨") < 0.5
    assert embedder.known_fraction("") == 0.0


def test_empty_input(embedder: MiniLMEmbeddings) -> None:
    assert embedder.embed([]).shape == (0, DIMENSIONS)
