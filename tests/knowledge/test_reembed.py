"""`corpus reembed`: the old vectors serve until the new ones are complete, then one metadata write swaps them."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.embeddings import MiniLMEmbeddings
from knowledge.ingest import ingest
from knowledge.models import BOTH, E5_KEY, MINILM_KEY, Models
from knowledge.reembed import reembed
from knowledge.retrieval import HybridRetriever
from knowledge.store import ChunkStore, all_collection_names
from tests.knowledge.test_e5_models import HashingModel, client, notes  # noqa: F401  (fixture)


class Crash(Exception):
    pass


def test_reembed_swaps_once_complete_and_a_crash_leaves_the_old_serving(
        tmp_path: Path, notes: Path, embedder: MiniLMEmbeddings) -> None:  # noqa: F811
    models = Models(embedder, {E5_KEY: lambda: HashingModel(32)})
    store = ChunkStore(client(tmp_path), "mixed", models)
    ingest(store, [notes], embedding=MINILM_KEY)
    reader = HybridRetriever(ChunkStore(client(tmp_path), "mixed", models), refresh_seconds=0.0)
    assert reader.search("bond prices and interest rates", k=1)[0].doc_id == "bonds.md"

    def crash_half_way(done: int, total: int) -> None:
        raise Crash

    with pytest.raises(Crash):
        reembed(store, BOTH, progress=crash_half_way, grace_seconds=0)
    # The crash left the old layout serving, and a half-built companion behind.
    assert store.layout().embedding == MINILM_KEY
    assert reader.search("bond prices and interest rates", k=1)[0].doc_id == "bonds.md"
    leftover = [n for n in all_collection_names(store.client) if n.startswith("mixed.")]
    assert len(leftover) == 2  # one per model of "both"

    seen: list[tuple[int, int]] = []
    report = reembed(store, BOTH, progress=lambda d, t: seen.append((d, t)), grace_seconds=0)
    assert (report.before, report.after, report.chunks) == (MINILM_KEY, BOTH, store.count())
    assert seen[-1] == (store.count(), store.count())
    assert not set(leftover) & set(all_collection_names(store.client))  # the crashed run's companions are gone
    # The reader follows the swap on its next query (it re-reads the layout with the revision).
    assert reader.search("追涨杀跌 高买低卖", k=1)[0].doc_id == "chasing.md"
    assert reader.store.layout().embedding == BOTH
    assert all(reader.store.vectors(m).count() == store.count() for m in (MINILM_KEY, E5_KEY))

    # Back to MiniLM alone: the e5 companion is dropped, later ingests write to the new vectors.
    report = reembed(store, MINILM_KEY, grace_seconds=0)
    assert report.dropped and all(E5_KEY not in n for n in all_collection_names(store.client))
    (notes / "more.md").write_text("---\ntitle: Fees\nlanguage: en\n---\nFund fees compound over decades.\n")
    ingest(store, [notes])
    assert reader.search("fund fees compound", k=1)[0].doc_id == "more.md"
