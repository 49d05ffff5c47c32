"""Keys at start-up and `roundtable keys rotate | check`, as an operator meets them: a wrong key, a lost key file,
a loose key file, an old-format key file, a rotation (and one that crashed half-way), and pseudonyms that never
change."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from typer.testing import CliRunner

import advisor.rotation
from advisor.audit import AuditLog
from advisor.briefing.subscription import Subscription
from advisor.keys import KeyProblem, derive_pseudonym_key, encode_pseudonym_key, parse_key_text
from advisor.portfolio.holdings import Holding, SqlHoldingsStore
from advisor.suitability import QUESTIONNAIRE, Profile
from bots.app.cli import app
from bots.app.settings import Settings
from bots.app.stores import key_ring, open_briefing_store, open_profiles

runner = CliRunner()


def roundtable(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(autouse=True)
def no_env_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROUNDTABLE_SECRET_KEY", raising=False)
    monkeypatch.delenv("ROUNDTABLE_PSEUDONYM_KEY", raising=False)


def populate(members: int = 3) -> None:
    """What a running bot leaves behind: profiles, a questionnaire, portfolios, a private watchlist, audit."""
    settings = Settings()
    profiles = open_profiles(settings)
    holdings = SqlHoldingsStore(profiles.engine, profiles.ring)
    for n in range(members):
        profiles.save(Profile.from_answers(f"telegram:{n}", {item.key: 2 for item in QUESTIONNAIRE}))
        holdings.add(f"telegram:{n}", Holding("AAPL", 10 + n))
    profiles.save_progress("telegram:0", {"horizon": 1})
    open_briefing_store(settings, profiles).save(Subscription("telegram:0", watchlist=("MSFT", "0700.HK")),
                                                 owner="telegram:0")
    AuditLog.open(settings.sqlalchemy_url, profiles.ring).append("forget", user="telegram:1")


def everything_reads() -> None:
    settings = Settings()
    profiles = open_profiles(settings)
    holdings = SqlHoldingsStore(profiles.engine, profiles.ring)
    assert [profiles.get(f"telegram:{n}") is not None for n in range(3)] == [True] * 3
    assert [h.quantity for n in range(3) for h in holdings.all(f"telegram:{n}")] == [10, 11, 12]
    assert profiles.progress("telegram:0") == {"horizon": 1}
    sub = open_briefing_store(settings, profiles).get("telegram:0")
    assert sub is not None and sub.watchlist == ("MSFT", "0700.HK")


def key_lines(home: Path) -> tuple[list[bytes], bytes | None]:
    return parse_key_text((home / "secret.key").read_text(), "test")


def test_a_wrong_key_file_stops_start_up_and_names_the_data(home: Path) -> None:
    populate()
    original = (home / "secret.key").read_bytes()
    (home / "secret.key").write_bytes(Fernet.generate_key())
    with pytest.raises(KeyProblem) as raised:
        open_profiles(Settings())
    message = str(raised.value)
    assert "secret.key" in message and "3 risk profiles" in message and "3 portfolios" in message
    assert "1 briefing watchlist" in message and "nothing was changed" in message
    (home / "secret.key").write_bytes(original)
    everything_reads()  # nothing was touched


def test_a_lost_key_file_is_not_replaced_by_a_new_one(home: Path) -> None:
    populate()
    (home / "secret.key").unlink()
    result = roundtable("keys", "check")
    assert result.exit_code == 1
    assert "is missing" in result.stderr and "3 risk profiles" in result.stderr
    assert not (home / "secret.key").exists()


def test_a_database_from_before_the_key_check_is_judged_by_its_rows(home: Path) -> None:
    populate()
    engine = open_profiles(Settings()).engine
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE key_check"))
    original = (home / "secret.key").read_bytes()
    (home / "secret.key").write_bytes(Fernet.generate_key())
    with pytest.raises(KeyProblem, match="does not read this database"):
        open_profiles(Settings())
    (home / "secret.key").write_bytes(original)
    everything_reads()  # and the check row is written again
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM key_check")).scalar() == 1


def test_a_key_file_others_can_read_is_warned_about(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    populate()
    os.chmod(home / "secret.key", 0o644)
    with caplog.at_level(logging.WARNING):
        open_profiles(Settings())
    assert "permissions 0644" in caplog.text and "chmod 600" in caplog.text
    report = json.loads(roundtable("keys", "check", "--json").stdout)
    assert report["ok"] and "0644" in report["permissions"]


def test_an_old_format_key_file_still_loads(home: Path) -> None:
    home.mkdir(parents=True)
    key = Fernet.generate_key()
    (home / "secret.key").write_bytes(key + b"\n")  # the format every earlier version wrote
    os.chmod(home / "secret.key", 0o600)
    ring = key_ring(Settings())
    assert ring.keys == (key,) and ring.pseudonym_key == derive_pseudonym_key(key)


def test_rotation_re_encrypts_everything_and_keeps_pseudonyms(home: Path) -> None:
    populate()
    old_key = key_lines(home)[0][0]
    before = AuditLog.open(Settings().sqlalchemy_url, key_ring(Settings())).export(user="telegram:1")
    result = roundtable("keys", "rotate", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["rotated"] == {"investor_profiles": 3, "questionnaire_progress": 1, "portfolio_holdings": 3,
                                 "briefing_subscriptions": 1, "key_check": 1}
    assert "secret.key" in report["key_source"]
    keys, pseudonym = key_lines(home)
    assert len(keys) == 1 and keys[0] != old_key and pseudonym == derive_pseudonym_key(old_key)
    assert (home / "secret.key").stat().st_mode & 0o777 == 0o600
    everything_reads()
    # The audit entry written before the rotation is still found by member.
    after = AuditLog.open(Settings().sqlalchemy_url, key_ring(Settings())).export(user="telegram:1")
    assert list(before) == list(after)
    assert json.loads(roundtable("keys", "rotate", "--json").stdout)["rotated"]["investor_profiles"] == 3


def test_a_rotation_that_crashes_half_way_is_finished_by_a_re_run(home: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    populate()
    real = advisor.rotation.reencrypt_column
    done: list[str] = []

    def crash_after_the_first_table(engine, spec, ring, rotation, **options):  # type: ignore[no-untyped-def]
        if done:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a kill, between two tables
        real(engine, spec, ring, rotation, **options)
        done.append(spec.table)

    monkeypatch.setattr(advisor.rotation, "reencrypt_column", crash_after_the_first_table)
    assert roundtable("keys", "rotate").exit_code == 130
    assert len(key_lines(home)[0]) == 2  # new and old: every row is readable whichever key wrote it
    everything_reads()
    monkeypatch.setattr(advisor.rotation, "reencrypt_column", real)
    result = roundtable("keys", "rotate", "--json")
    assert result.exit_code == 0, result.output
    assert "finishing an interrupted rotation" in result.stderr
    rotated = json.loads(result.stdout)["rotated"]
    assert rotated["investor_profiles"] == 0 and rotated["portfolio_holdings"] == 3  # done ones are skipped
    assert len(key_lines(home)[0]) == 1
    everything_reads()


def test_rotation_with_keys_in_the_environment_says_what_to_change(home: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    old = Fernet.generate_key().decode()
    monkeypatch.setenv("ROUNDTABLE_SECRET_KEY", old)
    populate()
    refused = roundtable("keys", "rotate")
    assert refused.exit_code == 1 and "<new>,<current>" in refused.stderr
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("ROUNDTABLE_SECRET_KEY", f"{new},{old}")
    result = roundtable("keys", "rotate")
    assert result.exit_code == 0, result.output
    pseudonym = encode_pseudonym_key(derive_pseudonym_key(old.encode()))
    assert f"ROUNDTABLE_PSEUDONYM_KEY={pseudonym}" in result.stderr
    monkeypatch.setenv("ROUNDTABLE_SECRET_KEY", new)
    with pytest.raises(KeyProblem, match="pseudonym key"):  # forgetting the pseudonym key is caught
        open_profiles(Settings())
    monkeypatch.setenv("ROUNDTABLE_PSEUDONYM_KEY", pseudonym)
    everything_reads()
