"""The canonical form as documented: what an auditor re-implementing it from the docstring would compute."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from advisor.audit.canonical import GENESIS, canonical_data, check_kind, entry_bytes, entry_hash, format_time


def documented_encoding(entry: dict[str, object]) -> bytes:
    """The docstring's recipe, applied to the whole entry object (data as an object, not as stored text)."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def test_the_fast_encoding_equals_the_documented_one_with_unicode_escapes_and_nulls() -> None:
    data = {"z": [1, True, None, {"b": "x", "a": "引号\"\\\n\t\x01"}], "intent": "education", "citations": []}
    at = format_time(datetime(2024, 5, 3, 22, 0, 0, 5, tzinfo=UTC))
    for chat, user in [("telegram:-100123", "ab" * 32), (None, None)]:
        fast = entry_bytes(7, at, "answer", chat, user, canonical_data(data), GENESIS)
        documented = documented_encoding({"seq": 7, "at": at, "kind": "answer", "chat": chat, "user": user,
                                          "data": data, "prev": GENESIS})
        assert fast == documented
        assert entry_hash(7, at, "answer", chat, user, canonical_data(data), GENESIS) == \
            hashlib.sha256(documented).hexdigest()
    assert b"\\u0001" in fast and "引号".encode() in fast  # control characters escaped, CJK written as itself


def test_times_are_utc_with_six_fractional_digits_and_a_z_whatever_zone_they_came_in() -> None:
    shanghai = timezone(timedelta(hours=8))
    assert format_time(datetime(2024, 5, 4, 6, 0, tzinfo=shanghai)) == "2024-05-03T22:00:00.000000Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2024, 5, 3, 22, 0))


def test_data_keys_are_sorted_and_floats_or_non_json_values_refused() -> None:
    assert canonical_data({"b": 1, "a": {"d": 2, "c": 3}}) == '{"a":{"c":3,"d":2},"b":1}'
    with pytest.raises(ValueError, match="float"):
        canonical_data({"score": 0.93})
    with pytest.raises(ValueError, match="datetime"):
        canonical_data({"when": datetime.now(UTC)})
    with pytest.raises(ValueError, match="non-string key"):
        canonical_data({"nested": {1: "x"}})
    with pytest.raises(ValueError, match="larger than"):
        canonical_data({"text": "x" * 5000})
    with pytest.raises(UnicodeEncodeError):
        canonical_data({"broken": "\ud800"})


def test_kinds_are_short_lowercase_words() -> None:
    assert check_kind("moderation") == "moderation" and check_kind("setting.quota") == "setting.quota"
    for bad in ("", "Answer", "answer with spaces", "x" * 40):
        with pytest.raises(ValueError):
            check_kind(bad)
