from __future__ import annotations

from pathlib import Path

import pytest

from bots.app.settings import Settings, default_home


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.home == default_home() == tmp_path / "xdg" / "roundtable"
    assert settings.collection == "research" and settings.chroma_url is None
    assert settings.sqlalchemy_url == f"sqlite:///{settings.home / 'roundtable.db'}"
    assert settings.max_file_bytes == 20 * 1024 * 1024


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ROUNDTABLE_COLLECTION=house-notes\nROUNDTABLE_TELEGRAM_TOKEN=123:abc\n")
    monkeypatch.setenv("ROUNDTABLE_HOME", "~/rt-data")
    monkeypatch.setenv("ROUNDTABLE_CHROMA_URL", "  ")
    settings = Settings()
    assert settings.collection == "house-notes"
    assert settings.home == Path("~/rt-data").expanduser()
    assert settings.chroma_url is None
    assert settings.telegram_token is not None and "123:abc" not in repr(settings)
