"""Lexical retrieval: BM25 (bm25s) over chunks, with a tokenizer for English and Chinese.

English words are lower-cased, stop words dropped and Snowball-stemmed; numbers are kept; adjacent
words also form bigram tokens, which rewards exact phrases such as "total sales" (on TAT-QA dev, BM25
nDCG@10 goes from 0.71 to 0.79). Runs of Chinese characters become character unigrams plus bigrams,
which needs no dictionary and matches multi-character words without segmenting them; function
characters (的, 是, 什么 ...) are left out, as they would match every text.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W_]+", re.UNICODE)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
STOP_WORDS = frozenset(
    "a an and are as at be been being but by can could did do does for from had has have how i if in into "
    "is it its me my of on or our so such than that the their them then there these they this those to "
    "was we were what when where which who whom why will with would you your".split()
)
# Chinese function characters and words: as unigrams (or inside bigrams) they match everything.
CJK_FUNCTION_CHARS = frozenset("的了是在和与或及我你他她它们吗呢吧啊么什怎哪这那个有也就都而对把被让给从到为以之其于该")
_stemmer = Stemmer.Stemmer("english")
# Bump when ``tokenize`` changes: saved indexes built with another version are rebuilt.
TOKENIZER_VERSION = 3


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    previous = ""
    for match in WORD.finditer(text.lower()):
        run = match.group()
        if CJK.match(run):
            tokens.extend(ch for ch in run if ch not in CJK_FUNCTION_CHARS)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1)
                          if run[i] not in CJK_FUNCTION_CHARS and run[i + 1] not in CJK_FUNCTION_CHARS)
            previous = ""
        elif run not in STOP_WORDS:
            word = _stem(run)
            tokens.append(word)
            if previous:
                tokens.append(f"{previous}_{word}")
            previous = word
    return tokens


class LexicalIndex:
    """A BM25 index over chunk ids; ``scores`` returns one score per chunk, aligned with ``ids``.

    Scores are divided by the query's attainable maximum (the sum over its terms of each term's best
    score in any chunk), so 1.0 means "matched every query term as well as anything in the corpus"
    and scores are comparable across queries and with cosine similarities.
    """

    def __init__(self, ids: list[str], bm25: bm25s.BM25 | None) -> None:
        self.ids = ids
        self._bm25 = bm25
        self._vocab: dict[str, int] = dict(bm25.vocab_dict) if bm25 is not None else {}
        self._term_max = _term_maxima(bm25) if bm25 is not None else np.zeros(0, dtype=np.float32)
        self._position = {chunk_id: i for i, chunk_id in enumerate(ids)}
        self._rare_term = float(np.percentile(self._term_max, 90)) if self._term_max.size else 0.0

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> LexicalIndex:
        if not ids:
            return cls([], None)
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index([tokenize(t) or [""] for t in texts], show_progress=False)
        return cls(ids, bm25)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for ``query`` (zeros when nothing matches)."""
        tokens = [t for t in tokenize(query) if t]
        token_ids = [self._vocab[t] for t in tokens if t in self._vocab]
        if self._bm25 is None or not token_ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        # Words the corpus has never seen count as misses worth a typical rare term, so a query that
        # shares one common word with the corpus does not look like a perfect match. (Unseen bigrams do
        # not: their words are already counted, and counting them too cost 2 points of nDCG on TAT-QA.)
        unseen = sum(1 for t in tokens if t not in self._vocab and "_" not in t)
        ceiling = float(self._term_max[token_ids].sum()) + unseen * self._rare_term
        return np.asarray(self._bm25.get_scores(token_ids), dtype=np.float32) / ceiling

    def score_of(self, chunk_id: str, scores: np.ndarray) -> float:
        """``chunk_id``'s entry in a ``scores`` vector (0 for a chunk the index does not know)."""
        position = self._position.get(chunk_id)
        return float(scores[position]) if position is not None else 0.0

    def save(self, directory: Path, revision: str) -> None:
        """Write the index atomically enough for readers: files first, the manifest last."""
        directory.mkdir(parents=True, exist_ok=True)
        manifest = directory / "manifest.json"
        manifest.unlink(missing_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(directory), show_progress=False)
        tmp = directory / "manifest.json.tmp"
        tmp.write_text(json.dumps({"revision": revision, "tokenizer": TOKENIZER_VERSION, "ids": self.ids}))
        tmp.replace(manifest)

    @classmethod
    def load(cls, directory: Path) -> tuple[LexicalIndex, str] | None:
        """The saved index and the revision it was built from, or None when there is none."""
        manifest = directory / "manifest.json"
        try:
            meta = json.loads(manifest.read_text())
            if meta.get("tokenizer") != TOKENIZER_VERSION:
                return None
            ids = list(meta["ids"])
            bm25 = bm25s.BM25.load(str(directory), mmap=True, show_progress=False) if ids else None
        except (OSError, ValueError, KeyError):
            return None
        return cls(ids, bm25), str(meta["revision"])


def _term_maxima(bm25: bm25s.BM25) -> np.ndarray:
    """Each term's highest BM25 contribution in any chunk (the index is column-compressed by term)."""
    data = np.asarray(bm25.scores["data"], dtype=np.float32)
    indptr = np.asarray(bm25.scores["indptr"])
    maxima = np.zeros(len(indptr) - 1, dtype=np.float32)
    nonempty = np.flatnonzero(np.diff(indptr) > 0)
    if data.size and nonempty.size:
        maxima[nonempty] = np.maximum.reduceat(data, indptr[nonempty])
    return maxima
