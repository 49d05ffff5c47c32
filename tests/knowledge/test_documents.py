from __future__ import annotations

from pathlib import Path

from knowledge.documents import Problem, SourceDocument, html_to_text, read_documents, split_front_matter
from tests.helpers import write


def read(*roots: Path, max_bytes: int = 1_000_000) -> tuple[list[SourceDocument], list[Problem]]:
    items = list(read_documents(roots, max_bytes))
    return [i for i in items if isinstance(i, SourceDocument)], [i for i in items if isinstance(i, Problem)]


def test_markdown_front_matter(tmp_path: Path) -> None:
    write(tmp_path / "notes" / "etf.md", "---\ntitle: ETFs\ndate: 2026-01-02\ntags: [etf, funds]\n"
          "language: en\nrisk: R3\n---\n# ETFs\n\nAn ETF trades on an exchange.\n")
    docs, problems = read(tmp_path / "notes")
    assert problems == []
    (doc,) = docs
    assert (doc.doc_id, doc.title, doc.kind) == ("etf.md", "ETFs", "markdown")
    assert doc.metadata == {"date": "2026-01-02", "tags": "etf, funds", "language": "en", "risk": "R3"}
    assert doc.text.startswith("# ETFs")


def test_title_falls_back_to_heading_then_file_name(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "# Bond basics\n\nBonds pay coupons.")
    write(tmp_path / "dollar_cost.txt", "Investing a fixed amount on a schedule.")
    docs, _ = read(tmp_path)
    assert {d.doc_id: d.title for d in docs} == {"a.md": "Bond basics", "dollar_cost.txt": "dollar cost"}


def test_html_keeps_headings_and_drops_scripts() -> None:
    title, text = html_to_text("<html><head><title>Fees</title><script>var x=1;</script></head><body>"
                               "<h2>Expense ratio</h2><p>A fund charges &amp; deducts fees.</p></body></html>")
    assert title == "Fees"
    assert "## Expense ratio" in text and "A fund charges & deducts fees." in text
    assert "var x" not in text


def test_jsonl_reports_bad_lines_and_keeps_good_ones(tmp_path: Path) -> None:
    write(tmp_path / "c.jsonl", '{"id": "d1", "title": "One", "text": "first", "lang": "en"}\n'
          "not json\n"
          '{"title": "no id", "text": "x"}\n'
          '{"id": "d2", "text": ""}\n'
          '{"id": "d1", "text": "duplicate"}\n'
          '{"id": 7, "text": "numeric id", "metadata": {"risk": "R2"}}\n')
    docs, problems = read(tmp_path / "c.jsonl")
    assert [(d.doc_id, d.text) for d in docs] == [("d1", "first"), ("7", "numeric id")]
    assert docs[0].metadata == {"lang": "en"} and docs[1].metadata == {"risk": "R2"}
    assert docs[0].source == "c.jsonl:1"
    assert [(p.line, p.level) for p in problems] == [(2, "error"), (3, "error"), (4, "warning"), (5, "error")]
    assert "invalid JSON" in problems[0].message and "missing 'id'" in problems[1].message


def test_bad_files_each_get_a_clear_problem(tmp_path: Path) -> None:
    write(tmp_path / "binary.txt", b"\x00\x01\x02binary")
    write(tmp_path / "latin1.txt", "caf\u00e9".encode("latin-1"))
    write(tmp_path / "empty.md", "---\ntitle: Empty\n---\n\n")
    write(tmp_path / "huge.txt", "x" * 2000)
    write(tmp_path / "broken.pdf", b"%PDF-1.4 this is not really a pdf")
    write(tmp_path / "bad-yaml.md", "---\ntitle: [unclosed\n---\nbody")
    write(tmp_path / "image.png", b"\x89PNG")
    write(tmp_path / ".hidden.md", "# secret")
    docs, problems = read(tmp_path, max_bytes=1000)
    assert docs == []
    by_file = {Path(p.path).name: p for p in problems}
    assert "binary" in by_file["binary.txt"].message
    assert "UTF-8" in by_file["latin1.txt"].message
    assert by_file["empty.md"].level == "warning"
    assert "limit" in by_file["huge.txt"].message
    assert "PDF" in by_file["broken.pdf"].message
    assert "front-matter" in by_file["bad-yaml.md"].message
    assert by_file["image.png"].level == "ignored"
    assert ".hidden.md" not in by_file


def test_missing_path_and_unsupported_file(tmp_path: Path) -> None:
    write(tmp_path / "data.csv", "a,b")
    _, problems = read(tmp_path / "nope", tmp_path / "data.csv")
    assert [p.level for p in problems] == ["error", "error"]
    assert "no such file" in problems[0].message and "unsupported" in problems[1].message


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["pdf.fonttype"] = 42
    fig = plt.figure()
    fig.text(0.1, 0.5, "Margin calls force sales")
    fig.savefig(tmp_path / "margin.pdf")
    plt.close(fig)
    docs, problems = read(tmp_path / "margin.pdf")
    assert problems == []
    assert "Margin calls force sales" in docs[0].text and docs[0].kind == "pdf"


def test_front_matter_absent() -> None:
    assert split_front_matter("# Just a heading\n") == ({}, "# Just a heading\n")


def test_content_hash_changes_with_text_only(tmp_path: Path) -> None:
    a = SourceDocument("x", "T", "body", "x", "text", "/o", {})
    b = SourceDocument("x", "T", "body", "elsewhere", "text", "/other", {})
    c = SourceDocument("x", "T", "body!", "x", "text", "/o", {})
    assert a.content_hash == b.content_hash != c.content_hash
