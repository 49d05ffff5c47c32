from __future__ import annotations

from pathlib import Path

import pytest

import knowledge.ingest as ingest_module
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.research import Research
from tests.helpers import write

NOTES = {
    "bonds.md": "---\ntitle: Bonds\nlanguage: en\nrisk: R2\n---\n## Rates\n\n"
                "Bond prices fall when interest rates rise.\n",
    "margin.md": "---\ntitle: Margin\nrisk: R5\n---\n## Calls\n\nA margin call can force a sale at a loss.\n",
    "crypto.txt": "Crypto assets are volatile and custody mistakes can lose everything.",
}


@pytest.fixture
def research(tmp_path: Path, embedder: MiniLMEmbeddings) -> Research:
    return Research.open(tmp_path / "home", embedder=embedder)


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    for name, text in NOTES.items():
        write(tmp_path / "notes" / name, text)
    return tmp_path / "notes"


def test_first_ingest_then_nothing_to_do(research: Research, notes: Path) -> None:
    first = research.ingest([notes], "notes")
    assert (first.documents, first.added, first.unchanged, first.errors) == (3, 3, 0, [])
    assert first.chunks_embedded == first.chunks_total == 3
    revision = research.store("notes").revision()
    again = research.ingest([notes], "notes")
    assert (again.added, again.updated, again.unchanged, again.chunks_embedded) == (0, 0, 3, 0)
    assert research.store("notes").revision() == revision  # nothing written, readers keep their index


def test_changed_document_is_replaced_and_unchanged_chunks_keep_their_vectors(research: Research,
                                                                             notes: Path) -> None:
    write(notes / "bonds.md", NOTES["bonds.md"] + "\n## Duration\n\nDuration measures rate sensitivity.\n")
    research.ingest([notes], "notes")
    write(notes / "bonds.md", NOTES["bonds.md"] + "\n## Duration\n\nDuration measures price sensitivity.\n")
    report = research.ingest([notes], "notes")
    assert (report.updated, report.unchanged) == (1, 2)
    assert report.chunks_embedded == 1  # only the edited section is embedded again
    hits = research.retriever("notes").search("duration price sensitivity", k=1)
    assert hits[0].text == "Duration measures price sensitivity."
    assert research.store("notes").count() == 4


def test_prune_removes_deleted_documents_only_under_the_given_root(research: Research, notes: Path,
                                                                   tmp_path: Path) -> None:
    other = write(tmp_path / "other" / "fees.md", "# Fees\n\nFees compound over time.")
    research.ingest([notes], "notes")
    research.ingest([other.parent], "notes")
    (notes / "crypto.txt").unlink()
    kept = research.ingest([notes], "notes")
    assert kept.deleted == 0 and research.store("notes").count() == 4
    pruned = research.ingest([notes], "notes", prune=True)
    assert pruned.deleted == 1
    assert set(research.store("notes").doc_states()) == {"bonds.md", "margin.md", "fees.md"}
    assert all(h.doc_id != "crypto.txt" for h in research.retriever("notes").search("crypto custody", k=5))


def test_prune_keeps_documents_whose_files_failed_to_read(research: Research, notes: Path) -> None:
    research.ingest([notes], "notes")
    write(notes / "margin.md", b"\x00\x00 corrupted")
    report = research.ingest([notes], "notes", prune=True)
    assert report.errors and report.deleted == 0
    assert "margin.md" in research.store("notes").doc_states()


def test_crash_mid_ingest_is_completed_by_the_next_run(research: Research, notes: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(6):
        write(notes / f"extra-{i}.md", f"# Extra {i}\n\nNote number {i} about rebalancing a portfolio.")
    monkeypatch.setattr(ingest_module, "WRITE_BATCH", 4)
    store = research.store("notes")
    calls = {"n": 0}
    real_add = type(store).add

    def flaky_add(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk went away")
        return real_add(self, *args, **kwargs)

    monkeypatch.setattr(type(store), "add", flaky_add)
    with pytest.raises(OSError):
        research.ingest([notes], "notes")
    monkeypatch.setattr(type(store), "add", real_add)
    assert 0 < research.store("notes").count() < 9
    report = research.ingest([notes], "notes")
    assert report.added + report.unchanged == 9 and report.errors == []
    assert research.store("notes").count() == 9
    retriever = research.retriever("notes")
    assert len(retriever.refresh()) == 9  # BM25 caught up with the completed store
    assert retriever.search("rebalancing note number 5", k=1)[0].doc_id == "extra-5.md"


def test_duplicate_ids_across_roots_are_reported(research: Research, tmp_path: Path) -> None:
    write(tmp_path / "a" / "same.md", "# A\n\nFirst.")
    write(tmp_path / "b" / "same.md", "# B\n\nSecond.")
    report = research.ingest([tmp_path / "a", tmp_path / "b"], "notes")
    assert report.added == 1 and "already has the id" in report.errors[0].message


def test_progress_is_reported(research: Research, notes: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    research.ingest([notes], "notes", progress=lambda phase, done, total: seen.append((phase, done, total)))
    assert ("read", 3, 0) in seen and seen[-1] == ("embed", 3, 3)
