"""Train the spam classifier (advisor/moderation/spam_model.py) on the "tune" half of the tg-spam dev set.

    PYTHONHASHSEED=0 python scripts/train_spam.py [--explore]

Only the tune half is read (the split of benchmarks/moderation.py: even first byte of SHA-256(text)); the report
half is never opened here. Everything is chosen on the tune half by 5-fold cross-validation with fixed folds:
the L2 strength, and the threshold (the lowest at which the lexicon plus the model, scored out of fold, flag at
most MAX_FP_RATE of the tune hams). The final weights are fitted on the whole tune half and written, with the
threshold, to advisor/moderation/spam_model.npz. Deterministic: fixed seeds, full-batch gradient descent.
``--explore`` prints the cross-validated table for every setting and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.moderation import Moderator, Post  # noqa: E402
from advisor.moderation import spam_model as sm  # noqa: E402
from advisor.moderation.lexicon import Words  # noqa: E402
from advisor.text import normalise  # noqa: E402

SHARED = Path(os.environ.get("ROUNDTABLE_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data" / "moderation" / "tg_spam_dev.jsonl"
SEED = 20240611
FOLDS = 5
L2_GRID = (0.1, 0.03, 0.01, 0.003)  # strongest first: a tie keeps the simpler model
MAX_FP_RATE = 0.01  # on the tune hams, out of fold: half the 2% budget, a margin for unseen chats
THRESHOLD_FLOOR = 0.5  # never flag on a model that is not at least leaning towards spam
START = datetime(2024, 1, 1, tzinfo=UTC)
FloatArray = npt.NDArray[np.float64]


def tune_rows() -> list[dict[str, str]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if hashlib.sha256(r["text"].encode("utf-8")).digest()[0] % 2 == 0]


def design(texts: list[str]) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Dense feature matrix (small: a few hundred rows) and each row's cue gate."""
    x = np.zeros((len(texts), sm.DIMENSIONS))
    gate = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        index, values, shape = sm.vector(Words(normalise(text[:8192])), text)
        x[i, index] = values
        gate[i] = shape.any
    return x, gate


def fit(x: FloatArray, y: FloatArray, l2: float, steps: int = 30) -> tuple[FloatArray, float]:
    """L2-regularised logistic regression (mean log loss + l2/2 |w|^2, bias unpenalised) by Newton's method in
    the span of the rows (w = X^T a): with a few hundred rows and four thousand columns the Newton system is
    rows x rows, so the exact optimum takes a second. Deterministic (no random start, no sampling)."""
    n = len(y)
    kernel = x @ x.T
    phi = np.hstack([kernel, np.ones((n, 1))])
    penalty = np.zeros((n + 1, n + 1))
    penalty[:n, :n] = l2 * kernel
    z = np.zeros(n + 1)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(phi @ z)))
        gradient = phi.T @ (p - y) / n + penalty @ z
        hessian = phi.T @ (phi * (p * (1 - p))[:, None]) / n + penalty + 1e-9 * np.eye(n + 1)
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        z -= step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return x.T @ z[:n], float(z[n])


def out_of_fold(x: FloatArray, y: FloatArray, gate: npt.NDArray[np.bool_], l2: float) -> FloatArray:
    rng = np.random.default_rng(SEED)
    folds = np.zeros(len(y), dtype=int)
    for label in (0, 1):  # stratified: each fold gets its share of spam
        members = rng.permutation(np.flatnonzero(y == label))
        folds[members] = np.arange(len(members)) % FOLDS
    p = np.zeros(len(y))
    for k in range(FOLDS):
        w, b = fit(x[folds != k], y[folds != k], l2)
        p[folds == k] = 1.0 / (1.0 + np.exp(-(x[folds == k] @ w + b)))
    return np.where(gate, p, 0.0)


def choose_threshold(p: FloatArray, y: FloatArray, lexicon: npt.NDArray[np.bool_]) -> tuple[float, float, float]:
    """The lowest threshold (>= THRESHOLD_FLOOR) whose combined out-of-fold FP rate is within MAX_FP_RATE."""
    ham = y == 0
    for t in np.round(np.arange(THRESHOLD_FLOOR, 1.0, 0.01), 2):
        flagged = lexicon | (p >= t)
        fp = float(np.mean(flagged[ham]))
        if fp <= MAX_FP_RATE:
            return float(t), float(np.mean(flagged[~ham])), fp
    return 1.0, float(np.mean(lexicon[~ham])), float(np.mean(lexicon[ham]))


def main(argv: list[str]) -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":
        print("note: run with PYTHONHASHSEED=0 (nothing here depends on str hashes, but the recipe says so)")
    rows = tune_rows()
    texts = [r["text"] for r in rows]
    y = np.array([r["label"] == "spam" for r in rows], dtype=float)
    lexicon_only = Moderator(use_spam_model=False)
    lexicon = np.array([lexicon_only.check(Post(str(i), "train", f"m{i}", t, START + timedelta(minutes=i))).verdict
                        != "ok" for i, t in enumerate(texts)])
    x, gate = design(texts)
    print(f"tune half: {int(y.sum())} spam, {int((1 - y).sum())} ham; lexicon alone: recall "
          f"{lexicon[y == 1].mean():.3f}, FP {lexicon[y == 0].mean():.3f}; cue gate open on "
          f"{gate[y == 1].mean():.3f} of spam, {gate[y == 0].mean():.3f} of ham")
    best: tuple[float, float, float, float] | None = None  # (recall, -l2, threshold, fp)
    for l2 in L2_GRID:
        p = out_of_fold(x, y, gate, l2)
        threshold, recall, fp = choose_threshold(p, y, lexicon)
        print(f"  l2 {l2:<6} out of fold: threshold {threshold:.2f}  combined recall {recall:.3f}  FP {fp:.3f}  "
              f"(model alone at 0.5: recall {np.mean(p[y == 1] >= 0.5):.3f}, FP {np.mean(p[y == 0] >= 0.5):.3f})")
        if best is None or recall > best[0]:
            best = (recall, l2, threshold, fp)
    assert best is not None
    recall, l2, threshold, fp = best
    print(f"chosen: l2 {l2}, threshold {threshold:.2f} (cross-validated combined recall {recall:.3f}, FP {fp:.3f})")
    if "--explore" in argv:
        return 0
    w, b = fit(x, y, l2)
    model = sm.SpamModel(w, b, threshold)
    model.save(sm.WEIGHTS_FILE)
    print(f"wrote {sm.WEIGHTS_FILE.relative_to(ROOT)} ({sm.WEIGHTS_FILE.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
