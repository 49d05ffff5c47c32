"""Retrieval benchmark: quality on FiQA/TAT-QA dev and the Chinese set, ingest throughput, latency at 20k chunks.

    python benchmarks/retrieval.py                # everything
    python benchmarks/retrieval.py --skip-latency # quality and throughput only
    python benchmarks/retrieval.py --sets zh      # the Chinese set alone (tests/data/zh_retrieval, EVAL split)
    python benchmarks/retrieval.py --embedding both  # the English sets in a MiniLM + e5 collection

Chinese set: its notes and the bundled corpus (the cross-language questions point into both) in one collection
with both models; the EVAL rows of questions.jsonl (graded nDCG@10, Recall@5 over every graded document) for
BM25, MiniLM, e5 and the hybrid, and the EVAL rows of crosslingual.jsonl apart. The hybrid's weights were fitted
on the TUNE rows (benchmarks/fit_fusion.py), never on these.

Quality: each set's corpus.jsonl is ingested into a fresh store; every query is searched with BM25
alone, dense alone and the hybrid (in the same run), the chunk ranking is collapsed to documents, and
recall@1/5/10, MRR@10, nDCG@10 are printed. Throughput: ingest chunks/s against raw embedding
chunks/s of the very same chunk texts. Latency: hybrid k=10 over a 20,000-chunk collection built from
the shared data sets (cached in benchmarks/.cache), warm.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from common import (
    CACHE,
    ROOT,
    dev_questions,
    distinct,
    graded_ndcg,
    mean_metrics,
    percentile,
    ranking_metrics,
    read_jsonl,
    recall_at,
    shared_data,
)

from knowledge.chunking import Chunker
from knowledge.documents import BUNDLED_CORPUS, SourceDocument, read_documents
from knowledge.ingest import ingest
from knowledge.models import BOTH, CHOICES, Layout, Models
from knowledge.reembed import reembed
from knowledge.retrieval import HybridRetriever
from knowledge.store import ChunkStore, connect

# English dev sets, hybrid nDCG@10: the figures before e5 (issue 13: no regression).
TARGETS = {"fiqa": 0.840, "tatqa": 0.746}
ZH_MIN, ZH_OVER_BM25 = 0.80, 1.10
LATENCY_P95_MS, INGEST_SHARE = 60.0, 0.70
MODES = ("lexical", "dense", "hybrid")
ZH_DIR = ROOT / "tests" / "data" / "zh_retrieval"


def ingest_and_rates(store: ChunkStore, roots: list[Path], models: Models, embedding: str) -> dict[str, float]:
    """Ingest, then the raw embedding throughput of the models used on the very same chunk texts: chunks/s of
    embedding them with every model in turn (what ingest has to do at the least)."""
    report = ingest(store, roots, embedding=embedding)
    docs = [d for d in read_documents(roots) if isinstance(d, SourceDocument)]
    chunker = Chunker(models.minilm.count_tokens)
    texts = [c.embedding_text(d.title) for d in docs for c in chunker.split(d)]
    started = time.perf_counter()
    for key in CHOICES[embedding]:
        model = models.get(key)
        for start in range(0, len(texts), 128):
            model.embed(texts[start : start + 128])
    embed_rate = len(texts) / (time.perf_counter() - started)
    return {"chunks": report.chunks_total, "ingest_rate": report.chunks_embedded / report.seconds,
            "embed_rate": embed_rate}


def quality(name: str, models: Models, work: Path, embedding: str) -> dict[str, object]:
    folder = shared_data("retrieval", name)
    store = ChunkStore(connect(work / name), f"bench-{name}", models)
    rates = ingest_and_rates(store, [folder / "corpus.jsonl"], models, embedding)
    retriever = HybridRetriever(store, work / name / "bm25")
    queries = read_jsonl(folder / "queries.jsonl")
    rows: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for q in queries:
        for mode in MODES:
            hits = retriever.search(q["text"], k=60, mode=mode)
            ranked = distinct(h.doc_id for h in hits)
            rows[mode].append(ranking_metrics(ranked, set(q["relevant"])))
    return {**rates, "queries": len(queries), "metrics": {mode: mean_metrics(r) for mode, r in rows.items()}}


def chinese(models: Models, work: Path, zh_dir: Path) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """The Chinese set's EVAL split (and its cross-language EVAL rows apart): graded nDCG@10 and Recall@5."""
    store = ChunkStore(connect(work / "zh"), "bench-zh", models)
    rates = ingest_and_rates(store, [zh_dir / "notes", BUNDLED_CORPUS], models, BOTH)
    retriever = HybridRetriever(store, work / "zh" / "bm25")
    modes = ("lexical", "minilm", "e5-multilingual", "hybrid")
    results: dict[str, dict[str, float]] = {}
    for label, file in (("zh", "questions.jsonl"), ("cross", "crosslingual.jsonl")):
        rows = [r for r in read_jsonl(zh_dir / file) if r["split"] == "eval"]
        for mode in modes:
            ndcg, recall = [], []
            for r in rows:
                ranked = distinct(h.doc_id for h in retriever.search(r["question"], k=60, mode=mode))
                ndcg.append(graded_ndcg(ranked, r["relevant"]))
                recall.append(recall_at(ranked, r["relevant"], 5))
            results[f"{label}:{mode}"] = {"ndcg@10": sum(ndcg) / len(ndcg), "recall@5": sum(recall) / len(recall),
                                          "queries": float(len(rows))}
    return rates, results


def latency_corpus() -> list[tuple[str, str]]:
    """About 20k (id, text) chunks-worth of real financial text from the shared data sets."""
    items: list[tuple[str, str]] = []
    for name in ("fiqa", "tatqa"):
        for row in read_jsonl(shared_data("retrieval", name, "corpus.jsonl")):
            items.append((row["id"], row["text"]))
    for path in (shared_data("sentiment", "twitter_financial_news_train.jsonl"),
                 shared_data("sentiment", "stocktwits_dev.jsonl"),
                 shared_data("moderation", "pump_dump_dev.jsonl"),
                 shared_data("moderation", "tg_spam_dev.jsonl")):
        for i, row in enumerate(read_jsonl(path)):
            text = str(row.get("text") or row.get("message") or "")
            if text.strip():
                items.append((f"{path.stem}-{i}", text))
    return items


def proxy_both(store: ChunkStore) -> None:
    """Make a MiniLM collection look like a "both" one for timing only: its e5 companion gets the MiniLM vectors.
    Embedding 20k chunks with e5 takes most of an hour on two shared cores; this measures the same work per query."""
    layout = store.layout()
    name = f"{store.name}.e5-multilingual.proxy"
    companion = store.client.get_or_create_collection(name, configuration={"hnsw": {"space": "cosine"}})
    total = store.collection.count()
    for offset in range(0, total, 1000):
        got = store.collection.get(include=["embeddings"], limit=1000, offset=offset)
        companion.upsert(ids=got["ids"], embeddings=got["embeddings"])  # type: ignore[arg-type]
    both = Layout(store.name, BOTH, {**layout.dimensions, "e5-multilingual": 384},
                  {**layout.vectors, "e5-multilingual": name})
    store.collection.modify(metadata={**(store.collection.metadata or {}), **both.to_metadata(), "revision": "proxy"})


def latency(models: Models, target_chunks: int, samples: int, home: Path, embedding: str,
            proxy: bool = False) -> dict[str, float]:
    store = ChunkStore(connect(home), "bench-latency", models)
    if not store.exists() or store.count() < target_chunks:
        print(f"building the latency collection once (cached in {home}) ...", flush=True)
        folder = Path(tempfile.mkdtemp(prefix="rt-latency-"))
        corpus = latency_corpus()
        rounds = 0
        with (folder / "latency.jsonl").open("w", encoding="utf-8") as handle:
            while rounds == 0 or len(corpus) * rounds < target_chunks:  # repeat only if the data is short
                for doc_id, text in corpus:
                    handle.write(json.dumps({"id": f"{doc_id}#{rounds}", "text": text}) + "\n")
                rounds += 1
        ingest(store, [folder / "latency.jsonl"], embedding="minilm")
    if store.layout().embedding != embedding and proxy:
        print("latency PROXY: the e5 companion holds copies of the MiniLM vectors (queries are embedded by both "
              "real models; HNSW cost does not depend on what the vectors mean)", flush=True)
        proxy_both(store)
    elif store.layout().embedding != embedding:  # add e5 to a cached MiniLM collection (MiniLM vectors are copied)
        print(f"re-embedding the latency collection with {embedding} once ...", flush=True)
        reembed(store, embedding, grace_seconds=0)
    retriever = HybridRetriever(store, home / "bm25")
    queries = dev_questions(seed=7)
    if embedding != "minilm" and (ZH_DIR / "questions.jsonl").exists():
        # Half Chinese: English questions do not run e5 in a "both" collection (knowledge.fusion), Chinese ones do.
        chinese_questions = [r["question"] for r in read_jsonl(ZH_DIR / "questions.jsonl")]
        queries = [q for pair in zip(queries, chinese_questions * 20, strict=False) for q in pair]
    for q in queries[:20]:  # warm up: model, BM25 index, Chroma caches
        retriever.search(q, k=10)
    timings = []
    for q in queries[:samples]:
        started = time.perf_counter()
        retriever.search(q, k=10)
        timings.append((time.perf_counter() - started) * 1000)
    return {"chunks": store.count(), "p50_ms": percentile(timings, 50), "p95_ms": percentile(timings, 95),
            "samples": len(timings)}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="fiqa,tatqa,zh")
    parser.add_argument("--embedding", default="minilm", choices=list(CHOICES),
                        help="model(s) of the English sets' collections (minilm is what ingest picks for them)")
    parser.add_argument("--zh-dir", type=Path, default=ZH_DIR)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--chunks", type=int, default=20000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--latency-home", type=Path, default=CACHE / "latency")
    parser.add_argument("--latency-embedding", default=BOTH, choices=list(CHOICES))
    parser.add_argument("--latency-proxy", action="store_true",
                        help="fill the e5 companion with MiniLM's vectors instead of embedding 20k chunks with e5")
    args = parser.parse_args()
    models = Models()
    failures: list[str] = []

    def check(ok: bool, line: str) -> None:
        print(f"{verdict(ok)}  {line}")
        if not ok:
            failures.append(line)

    with tempfile.TemporaryDirectory(prefix="rt-bench-") as tmp:
        for name in [] if args.skip_quality else args.sets.split(","):
            if name == "zh":
                rates, zh = chinese(models, Path(tmp), args.zh_dir)
                for label, title in (("zh", "Chinese questions"), ("cross", "cross-language questions")):
                    print(f"\n== {title}, EVAL split: {int(zh[label + ':hybrid']['queries'])} queries, "
                          f"{int(rates['chunks'])} chunks (both models)")
                    print(f"{'mode':16} {'nDCG@10':>8} {'R@5':>6}")
                    for mode in ("lexical", "minilm", "e5-multilingual", "hybrid"):
                        m = zh[f"{label}:{mode}"]
                        print(f"{mode:16} {m['ndcg@10']:8.3f} {m['recall@5']:6.3f}")
                hybrid, bm25 = zh["zh:hybrid"]["ndcg@10"], zh["zh:lexical"]["ndcg@10"]
                check(hybrid >= ZH_OVER_BM25 * bm25,
                      f"zh hybrid nDCG@10 {hybrid:.3f} >= {ZH_OVER_BM25:.2f} x BM25 {bm25:.3f}")
                check(hybrid >= ZH_MIN, f"zh hybrid nDCG@10 {hybrid:.3f} >= {ZH_MIN:.2f}")
                ratio = rates["ingest_rate"] / rates["embed_rate"]
                check(ratio >= INGEST_SHARE, f"zh ingest {rates['ingest_rate']:.1f} chunks/s = {ratio:.0%} of raw "
                      f"embedding with both models ({rates['embed_rate']:.1f} chunks/s) >= {INGEST_SHARE:.0%}")
                continue
            result = quality(name, models, Path(tmp), args.embedding)
            metrics = result["metrics"]
            assert isinstance(metrics, dict)
            print(f"\n== {name} dev ({args.embedding}): {result['queries']} queries, {result['chunks']} chunks")
            print(f"{'mode':8} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7} {'nDCG@10':>8}")
            for mode in MODES:
                m = metrics[mode]
                print(f"{mode:8} {m['recall@1']:6.3f} {m['recall@5']:6.3f} {m['recall@10']:6.3f} "
                      f"{m['mrr@10']:7.3f} {m['ndcg@10']:8.3f}")
            best_single = max(metrics["lexical"]["ndcg@10"], metrics["dense"]["ndcg@10"])
            hybrid = metrics["hybrid"]["ndcg@10"]
            ratio = float(result["ingest_rate"]) / float(result["embed_rate"])  # type: ignore[arg-type]
            check(hybrid >= best_single, f"{name} hybrid {hybrid:.3f} >= best single {best_single:.3f}")
            # The targets are the figures issue 13 quotes, to 3 decimals (FiQA's was 0.8395 before e5 existed).
            check(round(hybrid, 3) >= TARGETS[name],
                  f"{name} hybrid nDCG@10 {hybrid:.4f} (to 3 decimals) >= {TARGETS[name]:.3f}")
            check(ratio >= INGEST_SHARE, f"{name} ingest {result['ingest_rate']:.1f} chunks/s = {ratio:.0%} of raw "
                  f"embedding ({result['embed_rate']:.1f} chunks/s) >= {INGEST_SHARE:.0%}")
    if not args.skip_latency:
        lat = latency(models, args.chunks, args.samples, args.latency_home, args.latency_embedding,
                      args.latency_proxy)
        check(lat["p95_ms"] <= LATENCY_P95_MS,
              f"search latency{' (PROXY e5 vectors)' if args.latency_proxy else ''}, hybrid k=10, "
              f"{args.latency_embedding}, {lat['chunks']} chunks, {lat['samples']} warm "
              f"queries: p50 {lat['p50_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms <= {LATENCY_P95_MS:.0f} ms")
    print("\nALL TARGETS MET" if not failures else f"\nMISSED {len(failures)}: " + "; ".join(failures))


if __name__ == "__main__":
    main()
