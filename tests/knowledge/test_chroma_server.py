"""Server mode against a real `chroma run` on loopback: two bot instances share one collection."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.embeddings import MiniLMEmbeddings
from knowledge.errors import UserError
from knowledge.research import Research
from tests.helpers import write


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    beside_python = Path(sys.executable).with_name("chroma")
    executable = str(beside_python) if beside_python.exists() else shutil.which("chroma")
    if executable is None:
        pytest.skip("the `chroma` command (from the chromadb package) is not installed")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen([executable, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            reason = process.stderr.read().decode(errors="replace")[-500:] if process.stderr else ""
            pytest.skip(f"`chroma run` exited with {process.returncode}: {reason}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.skip("`chroma run` did not answer within 60 s")
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_two_instances_share_a_server_collection(chroma_url: str, tmp_path: Path,
                                                 embedder: MiniLMEmbeddings) -> None:
    first = Research.open(tmp_path / "bot-1", chroma_url, embedder=embedder)
    second = Research.open(tmp_path / "bot-2", chroma_url, embedder=embedder)
    notes = tmp_path / "notes"
    write(notes / "ipo.md", "# IPOs\n\nAn initial public offering is a company's first sale of shares.")
    write(notes / "esg.md", "# ESG\n\nESG ratings differ between providers.")
    report = first.ingest([notes], "server-notes")
    assert report.added == 2 and report.errors == []
    assert "server-notes" in second.collection_names()

    reader = second.retriever("server-notes")
    reader.refresh_seconds = 0
    assert reader.search("first sale of shares", k=1)[0].doc_id == "ipo.md"

    # The first instance adds a document; the second sees it in BM25 too, rebuilt from the server.
    write(notes / "reits.md", "# REITs\n\nReal estate investment trusts own property.")
    first.ingest([notes], "server-notes")
    lexical = reader.search("real estate investment trusts", k=1, mode="lexical")
    assert lexical[0].doc_id == "reits.md"
    assert len(reader.lexical_index()) == second.store("server-notes").count() == 3
    assert (tmp_path / "bot-2" / "bm25").exists() and not (tmp_path / "bot-2" / "chroma").exists()


def test_unreachable_server_is_a_clear_error(tmp_path: Path, embedder: MiniLMEmbeddings) -> None:
    with pytest.raises(UserError, match="Cannot reach the Chroma server"):
        Research.open(tmp_path, f"http://127.0.0.1:{_free_port()}", embedder=embedder)
