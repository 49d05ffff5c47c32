"""The getUpdates connection: an update the Telegram library cannot parse is logged and skipped.

PTB 22 parses a whole getUpdates batch at once (``Update.de_list``). One update it cannot parse (a field
shape it does not expect) makes the batch fail: PTB logs every message in the batch at CRITICAL, does not
advance the offset, and fetches the same batch again, so polling stalls for good. This request class, used
by PTB for getUpdates only (``ApplicationBuilder.get_updates_request``), checks each update in the response
before PTB sees it and replaces one it cannot parse by an empty update with the same id: PTB then confirms
it like any other, no handler matches it, and the updates around it are answered.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)


def readable(item: object) -> dict[str, Any] | None:
    """``item`` if PTB can parse it, an empty update with its id if not, None if it has no usable id."""
    if not isinstance(item, dict) or not isinstance(update_id := item.get("update_id"), int):
        log.warning("skipped an update without an update_id from getUpdates")
        return None
    try:
        Update.de_json(item, None)
    except Exception as exc:
        # The update's id and the kind of error only: its body is a member's message.
        log.warning("skipped update %d: the Telegram library could not parse it (%s)", update_id,
                    type(exc).__name__)
        return {"update_id": update_id}
    return item


class TolerantUpdatesRequest(HTTPXRequest):
    """HTTPXRequest for getUpdates that never hands PTB an update it cannot parse."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        data: dict[str, Any] = HTTPXRequest.parse_json_payload(payload)
        result = data.get("result")
        if data.get("ok") and isinstance(result, list):
            data["result"] = [update for update in map(readable, result) if update is not None]
        return data
