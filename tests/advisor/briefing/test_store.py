"""Subscriptions persist, and the send ledger lets exactly one caller send each chat's briefing per local date."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import create_engine

from advisor.briefing.store import MAX_ATTEMPTS, SqlBriefingStore
from advisor.briefing.subscription import Subscription

DAY = date(2026, 11, 30)


def test_a_subscription_round_trips_and_moves_with_its_chat(database_url: str) -> None:
    store = SqlBriefingStore(create_engine(database_url))
    sub = Subscription("telegram:-100", time(7, 45), "Asia/Shanghai", frozenset({0, 2}), "CN", ("600519.SS",), True)
    assert store.save(sub) == sub
    assert [s.chat_key for s in store.enabled()] == ["telegram:-100"]
    store.move("telegram:-100", "telegram:-1009")
    assert store.get("telegram:-100") is None and store.get("telegram:-1009") is not None
    assert store.delete("telegram:-1009") and not store.delete("telegram:-1009")


def test_a_turned_off_subscription_is_kept_but_not_listed_as_enabled(database_url: str) -> None:
    store = SqlBriefingStore(create_engine(database_url))
    store.save(Subscription("discord:1", enabled=False))
    assert list(store.enabled()) == [] and store.get("discord:1") is not None


def test_one_claim_per_chat_and_local_date_across_instances(database_url: str) -> None:
    first, second = (SqlBriefingStore(create_engine(database_url)) for _ in range(2))
    assert first.claim("telegram:-100", DAY)
    assert not second.claim("telegram:-100", DAY)  # another instance, same database
    assert second.claim("telegram:-100", date(2026, 12, 1))  # the next day is another briefing
    first.finish("telegram:-100", DAY, "sent")
    assert not second.claim("telegram:-100", DAY)
    assert ("telegram:-100", DAY, "sent", 1) in first.sends()


def test_a_failed_send_may_be_claimed_again_a_few_times_an_interrupted_one_never(database_url: str) -> None:
    store = SqlBriefingStore(create_engine(database_url))
    assert store.claim("telegram:-100", DAY)
    for _ in range(MAX_ATTEMPTS - 1):
        store.finish("telegram:-100", DAY, "failed", "timed out")
        assert store.claim("telegram:-100", DAY)
    store.finish("telegram:-100", DAY, "failed", "timed out")
    assert not store.claim("telegram:-100", DAY)  # given up: no endless retries
    assert store.claim("discord:7", DAY)  # claimed, then the process died mid-send: status stays "sending"
    assert not store.claim("discord:7", DAY)
