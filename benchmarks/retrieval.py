"""Retrieval benchmark: quality on FiQA/TAT-QA dev, ingest throughput, search latency at 20k chunks.

    python benchmarks/retrieval.py                # everything
    python benchmarks/retrieval.py --skip-latency # quality and throughput only

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

from common import CACHE, dev_questions, distinct, mean_metrics, percentile, ranking_metrics, read_jsonl, shared_data

from knowledge.chunking import Chunker
from knowledge.documents import SourceDocument, read_documents
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.ingest import ingest
from knowledge.retrieval import HybridRetriever
from knowledge.store import ChunkStore, connect

TARGETS = {"fiqa": 0.87, "tatqa": 0.74}
MODES = ("lexical", "dense", "hybrid")


def quality(name: str, embedder: MiniLMEmbeddings, work: Path) -> dict[str, object]:
    folder = shared_data("retrieval", name)
    store = ChunkStore(connect(work / name), f"bench-{name}", embedder)
    report = ingest(store, [folder / "corpus.jsonl"])
    ingest_rate = report.chunks_embedded / report.seconds

    # Raw embedding throughput on the same chunk texts, same batch size.
    docs = [d for d in read_documents([folder / "corpus.jsonl"]) if isinstance(d, SourceDocument)]
    chunker = Chunker(embedder.count_tokens)
    texts = [c.embedding_text(d.title) for d in docs for c in chunker.split(d)]
    started = time.perf_counter()
    for start in range(0, len(texts), 128):
        embedder.embed(texts[start : start + 128])
    embed_rate = len(texts) / (time.perf_counter() - started)

    retriever = HybridRetriever(store, work / name / "bm25")
    queries = read_jsonl(folder / "queries.jsonl")
    rows: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for q in queries:
        for mode in MODES:
            hits = retriever.search(q["text"], k=60, mode=mode)
            ranked = distinct(h.doc_id for h in hits)
            rows[mode].append(ranking_metrics(ranked, set(q["relevant"])))
    return {"chunks": report.chunks_total, "ingest_s": report.seconds, "ingest_rate": ingest_rate,
            "embed_rate": embed_rate, "queries": len(queries),
            "metrics": {mode: mean_metrics(r) for mode, r in rows.items()}}


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


def latency(embedder: MiniLMEmbeddings, target_chunks: int, samples: int) -> dict[str, float]:
    home = CACHE / "latency"
    store = ChunkStore(connect(home), "bench-latency", embedder)
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
        ingest(store, [folder / "latency.jsonl"])
    retriever = HybridRetriever(store, home / "bm25")
    queries = dev_questions(seed=7)
    for q in queries[:20]:  # warm up: model, BM25 index, Chroma caches
        retriever.search(q, k=10)
    timings = []
    for q in queries[:samples]:
        started = time.perf_counter()
        retriever.search(q, k=10)
        timings.append((time.perf_counter() - started) * 1000)
    return {"chunks": store.count(), "p50_ms": percentile(timings, 50), "p95_ms": percentile(timings, 95),
            "samples": len(timings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="fiqa,tatqa")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--chunks", type=int, default=20000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    embedder = MiniLMEmbeddings()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="rt-bench-") as tmp:
        for name in [] if args.skip_quality else args.sets.split(","):
            result = quality(name, embedder, Path(tmp))
            metrics = result["metrics"]
            assert isinstance(metrics, dict)
            print(f"\n== {name}: {result['queries']} queries, {result['chunks']} chunks")
            print(f"{'mode':8} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7} {'nDCG@10':>8}")
            for mode in MODES:
                m = metrics[mode]
                print(f"{mode:8} {m['recall@1']:6.3f} {m['recall@5']:6.3f} {m['recall@10']:6.3f} "
                      f"{m['mrr@10']:7.3f} {m['ndcg@10']:8.3f}")
            best_single = max(metrics["lexical"]["ndcg@10"], metrics["dense"]["ndcg@10"])
            hybrid = metrics["hybrid"]["ndcg@10"]
            ratio = float(result["ingest_rate"]) / float(result["embed_rate"])
            print(f"hybrid - best single = {hybrid - best_single:+.3f}; target nDCG@10 {TARGETS.get(name, 0):.2f}")
            print(f"ingest {result['ingest_rate']:.1f} chunks/s vs raw embedding {result['embed_rate']:.1f} chunks/s"
                  f" = {ratio:.0%} (target >= 70%)")
            if hybrid < best_single:
                failures.append(f"{name}: hybrid {hybrid:.3f} < best single {best_single:.3f}")
            if hybrid < TARGETS.get(name, 0):
                failures.append(f"{name}: hybrid {hybrid:.3f} < target {TARGETS[name]:.2f}")
            if ratio < 0.7:
                failures.append(f"{name}: ingest at {ratio:.0%} of raw embedding throughput")
    if not args.skip_latency:
        lat = latency(embedder, args.chunks, args.samples)
        print(f"\n== search latency, hybrid k=10, {lat['chunks']} chunks, {lat['samples']} warm queries: "
              f"p50 {lat['p50_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms (target p95 <= 50 ms)")
        if lat["p95_ms"] > 50:
            failures.append(f"search p95 {lat['p95_ms']:.1f} ms > 50 ms")
    print("\nALL TARGETS MET" if not failures else "\nMISSED: " + "; ".join(failures))


if __name__ == "__main__":
    main()
