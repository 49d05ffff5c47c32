from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from advisor.profiles import ProfileRow, SqlProfileStore, load_or_create_key
from advisor.suitability import QUESTIONNAIRE, Profile


@pytest.fixture
def store(tmp_path: Path) -> SqlProfileStore:
    return SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())


def profile(user: str = "telegram:42") -> Profile:
    return Profile.from_answers(user, {item.key: 1 for item in QUESTIONNAIRE})


def test_round_trip_and_delete(store: SqlProfileStore) -> None:
    saved = profile()
    store.save(saved)
    loaded = store.get("telegram:42")
    assert loaded == saved
    assert store.get("telegram:43") is None
    store.save(Profile.from_answers("telegram:42", {item.key: 0 for item in QUESTIONNAIRE}))
    assert store.get("telegram:42").level == "C1"  # type: ignore[union-attr]
    assert store.count() == 1
    assert store.delete("telegram:42") and not store.delete("telegram:42")
    assert store.get("telegram:42") is None


def test_rows_hold_no_raw_ids_or_answers(store: SqlProfileStore, tmp_path: Path) -> None:
    store.save(profile("discord:777"))
    raw = (tmp_path / "rt.db").read_bytes()
    assert b"discord:777" not in raw and b"horizon" not in raw and b'"level"' not in raw


def test_corrupt_row_reads_as_no_profile(store: SqlProfileStore, caplog: pytest.LogCaptureFixture) -> None:
    store.save(profile())
    with store.engine.begin() as connection:
        connection.execute(text(f"UPDATE {ProfileRow.__tablename__} SET payload = :junk"), {"junk": b"garbage"})
    assert store.get("telegram:42") is None
    assert "unreadable profile row" in caplog.text


def test_another_key_cannot_read_profiles(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rt.db'}"
    SqlProfileStore.open(url, Fernet.generate_key()).save(profile())
    assert SqlProfileStore.open(url, Fernet.generate_key()).get("telegram:42") is None


def test_key_file_is_created_once_and_private(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "k" / "secret.key")
    assert load_or_create_key(tmp_path / "k" / "secret.key") == key
    assert (tmp_path / "k" / "secret.key").stat().st_mode & 0o077 == 0
    Fernet(key)
