"""Small helpers shared by tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path

from bots.chat.messages import Incoming, Outgoing


class Clock:
    """A clock that stands still until a test moves it: ``Clock(now)()``, ``clock.advance(minutes=10)``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


class Spy:
    """Stands in for Router.handle in front-end tests: records what arrives and answers with ``answers(msg)``."""

    def __init__(self, answers: Callable[[Incoming], Iterable[Outgoing]] = lambda msg: []) -> None:
        self.seen: list[Incoming] = []
        self.answers = answers

    def __call__(self, msg: Incoming) -> list[Outgoing]:
        self.seen.append(msg)
        return list(self.answers(msg))
