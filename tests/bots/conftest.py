"""Fixtures shared by the front-end tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.research import Research
from tests.bots.telegram.fake_telegram import FakeTelegram


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """A fresh local fake Telegram Bot API server."""
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def warm_home(bundled_research: Research, tmp_path: Path) -> Path:
    """A data directory with the bundled notes already embedded and indexed: `roundtable run` starts warm."""
    assert bundled_research.bm25_dir is not None
    home = tmp_path / "home"
    shutil.copytree(bundled_research.bm25_dir.parent, home)
    return home
