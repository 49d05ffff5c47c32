"""The audit log's canonical encoding and entry hash (format 1), written so an auditor can re-implement it.

An entry has eight fields. ``hash`` is the lowercase hex SHA-256 of the UTF-8 bytes of the JSON object made of
the other seven, encoded canonically:

    {"at":"2024-05-03T22:00:00.000000Z","chat":"telegram:-100123","data":{"intent":"education","refused":false},
     "kind":"answer","prev":"<64 hex digits>","seq":7,"user":"<64 hex digits>"}

- ``seq``: integer, 1 for the first entry, then +1 with no gaps.
- ``at``: the UTC time of the append, always ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (six fractional digits, a literal Z).
- ``kind``: what happened (``answer``, ``moderation``, ``profile``, ``confirmation``, ``setting``, ``briefing``,
  ``forget``, ...): lowercase letters, digits, ``_`` and ``.``.
- ``chat``: the chat's id as a string, or ``null``.
- ``user``: the member's pseudonym (hex HMAC-SHA-256 of the platform user id, ``advisor.profiles.user_hasher``),
  or ``null``. Raw platform ids are never written.
- ``data``: a JSON object whose values are strings, integers, booleans, ``null``, lists and objects of those.
  Floats are refused: their text differs between languages (``1e+16`` vs ``1e16``, ``1.0`` vs ``1``), so record a
  score as an integer (basis points) or a string.
- ``prev``: the ``hash`` of entry ``seq - 1``; 64 zeros for the first entry.

Canonical JSON: object keys sorted by Unicode code point at every level; no whitespace at all (separators ``,``
and ``:``); strings written as UTF-8 with only these escapes: ``\\"``, ``\\\\``, ``\\b``, ``\\f``, ``\\n``,
``\\r``, ``\\t`` and ``\\u00XX`` (lowercase hex) for the other characters below U+0020; everything else,
non-ASCII included, is written as itself (Python's ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)``). Integers in plain decimal. No Unicode normalisation is applied.

The database keeps ``data`` as exactly this canonical text, so verifying needs no re-encoding of stored rows.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64  # the ``prev`` of entry 1
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
MAX_DATA_BYTES = 4096  # "a small JSON object": an entry records facts, not documents
KIND = re.compile(r"[a-z][a-z0-9_.]{0,31}")
HEX64 = re.compile(r"[0-9a-f]{64}")

_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
_string = json.JSONEncoder(ensure_ascii=False).encode  # one JSON string, escaped as above


def format_time(moment: datetime) -> str:
    """``at`` as the canonical text; a naive datetime is refused rather than guessed."""
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)


def _check_value(value: Any, path: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        if isinstance(value, str):
            value.encode("utf-8")  # a lone surrogate cannot be written as UTF-8: refuse it now, not at verify time
        return
    if isinstance(value, float):
        raise ValueError(f"audit data {path} is a float; record an integer or a string (see the canonical form)")
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_value(item, f"{path}[{index}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"audit data {path} has a non-string key {key!r}")
            _check_value(item, f"{path}.{key}")
        return
    raise ValueError(f"audit data {path} is a {type(value).__name__}, not a JSON value")


def canonical_data(data: Mapping[str, Any]) -> str:
    """The canonical text of an entry's ``data`` (checked: JSON values only, no floats, at most 4 KB)."""
    if not isinstance(data, Mapping):
        raise ValueError("audit data must be a JSON object")
    _check_value(data, "data")
    text = _encode(data)
    if len(text.encode("utf-8")) > MAX_DATA_BYTES:
        raise ValueError(f"audit data is larger than {MAX_DATA_BYTES} bytes; record a digest instead")
    return text


def entry_bytes(seq: int, at: str, kind: str, chat: str | None, user: str | None, data: str, prev: str) -> bytes:
    """The canonical encoding of an entry without its hash, built from the stored texts. Keys in sorted order:
    at, chat, data, kind, prev, seq, user. ``data`` is already canonical JSON text. Equal to encoding the whole
    object with the rules above (tests/advisor/audit/test_canonical.py checks it)."""
    return (f'{{"at":{_string(at)},"chat":{_string(chat) if chat is not None else "null"},"data":{data},'
            f'"kind":{_string(kind)},"prev":{_string(prev)},"seq":{int(seq)},'
            f'"user":{_string(user) if user is not None else "null"}}}').encode()


def entry_hash(seq: int, at: str, kind: str, chat: str | None, user: str | None, data: str, prev: str) -> str:
    return hashlib.sha256(entry_bytes(seq, at, kind, chat, user, data, prev)).hexdigest()


def check_kind(kind: str) -> str:
    if not isinstance(kind, str) or not KIND.fullmatch(kind):
        raise ValueError(f"audit kind {kind!r}: use lowercase letters, digits, '_' and '.' (at most 32)")
    return kind
