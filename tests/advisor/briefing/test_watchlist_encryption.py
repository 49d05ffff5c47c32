"""Briefing watchlists are encrypted at rest; rows from before that are encrypted when the store opens."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from advisor.briefing.store import SqlBriefingStore
from advisor.briefing.subscription import Subscription


def test_plain_watchlists_are_encrypted_on_open_and_read_the_same(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'rt.db'}")
    SqlBriefingStore(engine).save(Subscription("telegram:7", watchlist=("AAPL", "0700.HK")))  # as before encryption
    with engine.connect() as connection:
        assert connection.execute(text("SELECT watchlist FROM briefing_subscriptions")).scalar() == \
            '["AAPL", "0700.HK"]'
    store = SqlBriefingStore(engine, Fernet.generate_key())
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT watchlist FROM briefing_subscriptions")).scalar()
    assert stored.startswith("gAAAAA") and "AAPL" not in stored
    assert store.get("telegram:7").watchlist == ("AAPL", "0700.HK")  # type: ignore[union-attr]


def test_a_private_chats_subscription_is_found_by_its_owner(tmp_path: Path) -> None:
    store = SqlBriefingStore(create_engine(f"sqlite:///{tmp_path / 'rt.db'}"), Fernet.generate_key())
    store.save(Subscription("discord:555", watchlist=("SPY",)), owner="discord:42")  # a DM's channel id
    store.save(Subscription("discord:555", watchlist=("QQQ",)))  # a later change keeps the owner
    store.save(Subscription("discord:900"))  # a server channel: nobody's
    assert [s.chat_key for s in store.owned_by("discord:42")] == ["discord:555"]
    assert store.delete_owned("discord:42") == ["discord:555"]
    assert store.get("discord:555") is None and store.get("discord:900") is not None
