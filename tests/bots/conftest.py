"""Fixtures shared by the front-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.bots.telegram.fake_telegram import FakeTelegram


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """A fresh local fake Telegram Bot API server."""
    with FakeTelegram() as server:
        yield server
