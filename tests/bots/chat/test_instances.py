"""Two bot instances on one database agree: on SQLite (one file) and on a real PostgreSQL cluster."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from cryptography.fernet import Fernet
from sqlalchemy import create_engine

from bots.chat.quota import Quota
from bots.chat.router import Router
from knowledge.retrieval import Retriever
from tests.bots.chat.test_router import Clock, make_router, say


def test_racing_instances_never_exceed_a_quota(database_url: str) -> None:
    # Two instances (two engines, two connection pools), eight threads each, all asking at once.
    quotas = [Quota(create_engine(database_url, pool_size=8)) for _ in range(2)]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda i: quotas[i % 2].allow("telegram:-100", "telegram:1", 5), range(16)))
    assert results.count(True) == 5
    assert quotas[0].allow("telegram:-100", "telegram:2", 5)  # other members are not affected


def test_a_questionnaire_moves_between_instances(database_url: str,
                                                 notes_retriever: Callable[[str], Retriever]) -> None:
    key, clock = Fernet.generate_key(), Clock()
    first, second = (make_router(notes_retriever, database_url, key, clock) for _ in range(2))
    instances: list[Router] = [second, first] * 4
    (question,) = say(first, "/profile", kind="private")
    for router in instances[:-1]:
        (question,) = say(router, kind="private", action=question.buttons[-1].action)
    (done,) = say(instances[-1], kind="private", action=question.buttons[-1].action)
    assert "Your risk profile is **C5**" in done.text
    assert second.profiles.get("telegram:1") == first.profiles.get("telegram:1") is not None
