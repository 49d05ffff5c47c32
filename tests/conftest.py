"""Test-wide setup: no network but loopback, isolated data directories, one shared embedder."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("MPLCONFIGDIR", "/tmp/roundtable-test-mpl")
for key in [k for k in os.environ if k.startswith("ROUNDTABLE_")]:
    del os.environ[key]  # the developer's own settings must not leak into tests
# yfinance connects from C (libcurl), past the socket guard below: nothing in the tests may build a Yahoo
# provider without a session pointed at a local fake, so the default source here is the bundled sample.
os.environ["ROUNDTABLE_MARKET_DATA"] = "offline"

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo


def _is_local(host: object) -> bool:
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        assert isinstance(address, tuple)
        if not _is_local(address[0]):
            raise ConnectionRefusedError(f"tests are offline: connection to {address!r} blocked")
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if not _is_local(host if not isinstance(host, bytes) else host.decode()):
        raise socket.gaierror(f"tests are offline: lookup of {host!r} blocked")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def offline() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.getaddrinfo = _real_getaddrinfo


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from knowledge.embeddings import MiniLMEmbeddings

    return MiniLMEmbeddings()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ROUNDTABLE_HOME for one test."""
    path = tmp_path / "home"
    monkeypatch.setenv("ROUNDTABLE_HOME", str(path))
    return path


@pytest.fixture(scope="session")
def bundled_research(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    """The bundled corpus ingested once per test session (read-only for tests)."""
    from knowledge.research import Research

    research = Research.open(tmp_path_factory.mktemp("bundled"), embedder=embedder)
    research.ensure_bundled()
    return research



@pytest.fixture(scope="session")
def notes_retriever():  # type: ignore[no-untyped-def]
    """The bundled notes behind the Retriever seam's in-memory fake: router and front-end tests need no ONNX
    or Chroma. ``retriever_for`` style: ``notes_retriever`` answers for the "research" collection only."""
    from knowledge.documents import BUNDLED_CORPUS
    from knowledge.memory import MemoryRetriever, retrievers

    return retrievers({"research": MemoryRetriever.from_paths([BUNDLED_CORPUS])})


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (see tests/postgres.py); skips, saying why, where none can start."""
    from tests.postgres import Unavailable, postgres_cluster

    try:
        with postgres_cluster() as url:
            yield url
    except Unavailable as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """One database URL shared by "several instances" in a test: a SQLite file, then a real PostgreSQL (skipped
    with its reason when no server can be started), each starting from an empty schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    from sqlalchemy import MetaData, create_engine

    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
    engine.dispose()
    return url

