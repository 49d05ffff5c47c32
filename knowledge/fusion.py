"""How the hybrid retriever weighs MiniLM, e5 and BM25 for one query.

Every candidate gets all of its scores (cosine similarity per model, BM25 divided by the query's attainable
maximum) and they are added with weights::

    score = (m * cos_minilm + e5 * relu((cos_e5 - E5_FLOOR) / (1 - E5_FLOOR)) + (1 - m) * bm25) / (1 + e5)
    with m = minilm * known

``known`` is the share of the query's word pieces MiniLM knows (not [UNK]): near 1 for English, near 0
for most Chinese, in between for Chinese with English tickers. MiniLM's vote counts only as much as it
understood, and what it could not read goes to BM25 (whose character bigrams do read Chinese). e5's
cosines sit in a narrow band whatever the pair (Chinese set: median query-chunk cosine 0.83, best chunk
0.89), so they are first mapped from [E5_FLOOR, 1] to [0, 1]; with the division by ``1 + e5`` the score
stays on the scale the advisor's thresholds were calibrated on (MiniLM cosine and normalised BM25).
The mapping and the division change no ranking: only the weights' ratios and the candidates do.

The weights depend on the collection's embedding and on the query's language (``models.language_of``).
They were fitted by grid search with ``benchmarks/fit_fusion.py`` on the TUNE split of the Chinese set
(tests/data/zh_retrieval) and, for English, the tune half of FiQA dev (query ids hashed into halves; the
TAT-QA vectors were not ready in time); ``benchmarks/retrieval.py`` reports the Chinese EVAL split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from knowledge.models import BOTH, E5_KEY, MINILM_KEY

E5_FLOOR = 0.80  # about an unrelated query-chunk pair's e5 cosine (median 0.83 on the Chinese set)
Score = TypeVar("Score", float, np.ndarray)


@dataclass(frozen=True)
class Weights:
    minilm: float  # times MiniLM's known share of the query
    e5: float

    def combine(self, known: float, cos_minilm: Score, cos_e5: Score, bm25: Score) -> Score:
        """The fused score; works on one candidate's floats or on arrays of candidates."""
        m = self.minilm * known
        e5 = np.maximum((cos_e5 - E5_FLOOR) / (1.0 - E5_FLOOR), 0.0)
        fused = (m * cos_minilm + self.e5 * e5 + (1.0 - m) * bm25) / (1.0 + self.e5)
        return fused if isinstance(fused, np.ndarray) else float(fused)  # type: ignore[return-value]


# MiniLM alone keeps the weighting it had before e5 existed (0.7 of the known share), so English-only
# collections answer exactly as before.
WEIGHTS: dict[tuple[str, str], Weights] = {
    (MINILM_KEY, "en"): Weights(0.7, 0.0),
    (MINILM_KEY, "zh"): Weights(0.7, 0.0),
    (E5_KEY, "en"): Weights(0.0, 0.75),
    (E5_KEY, "zh"): Weights(0.0, 1.6),
    # English queries keep MiniLM + BM25 as before, and e5 is not even run for them. The best fit on the English
    # tune queries (FiQA dev tune half and the set's English cross-language tune rows, 101) was (0.9, 0.75):
    # tune nDCG@10 0.811 against 0.789, but held-out 0.816 against 0.815 -- not worth 14 ms a query, nor moving
    # the scores the advisor's abstain threshold (advisor.ABSTAIN_BELOW) was calibrated on.
    (BOTH, "en"): Weights(0.7, 0.0),
    # Chinese tune split (105 questions): e5 carries most of the weight, BM25's bigrams break its near-ties, and
    # MiniLM helps only for the words it knows (tickers, English terms): tune nDCG@10 0.809, against 0.794
    # with MiniLM weighted regardless of its known share and 0.744 with MiniLM and BM25 alone.
    (BOTH, "zh"): Weights(0.5, 1.6),
}


def weights_for(embedding: str, language: str) -> Weights:
    return WEIGHTS[(embedding, language if language == "zh" else "en")]
