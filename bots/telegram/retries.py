"""When a failed Telegram call may be made again (with tenacity), and when it must not.

A call that Telegram may already have carried out must not be repeated unless repeating it is harmless.
``sendMessage``, ``sendPhoto`` and ``sendDocument`` are not harmless: a send that timed out waiting for the
answer may well have been delivered, and sending it again posts the message twice. So those are retried only
when the request certainly had no effect. Idempotent calls (getChatMember, answerCallbackQuery, editMessageText,
setMyCommands, getFile and downloading a file) are retried on any network failure or timeout.

429 Too Many Requests is not handled here: PTB's AIORateLimiter waits the ``retry_after`` Telegram gives
and retries those itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TimedOut
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)

ATTEMPTS = 4  # the first try and three retries, 0.5 s, 1 s and 2 s apart
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)  # failed before the request left


def certainly_not_carried_out(exc: BaseException) -> bool:
    """True when Telegram cannot have acted on the request, so sending it again cannot duplicate anything."""
    if not isinstance(exc, NetworkError) or isinstance(exc, BadRequest):
        return False  # refusals (400, 403, ...) would fail the same way again
    if exc.__cause__ is None and not isinstance(exc, TimedOut):
        # PTB raises a bare NetworkError for an error status (5xx) from the Bot API. An error status is
        # Telegram's answer that the call failed: it returned no message because it posted none, so the
        # message was not delivered and resending cannot post it twice. (A 502/504 from Telegram's front
        # proxy is the one grey area; losing every answer during a routine outage would be worse.)
        return True
    # Transport failures carry the httpx error as their cause. Only a failure to connect, or to get a
    # connection from the pool, happened before anything was sent; a read timeout or a dropped
    # connection may have come after Telegram received and carried out the request.
    return isinstance(exc.__cause__, _NOT_SENT)


def may_have_been_delivered(exc: BaseException) -> bool:
    """A send failed in a way that says nothing about delivery (a timeout waiting for the answer)."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest) and not certainly_not_carried_out(exc)


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    delay = state.next_action.sleep if state.next_action else 0.0
    log.warning("telegram call failed (%s: %s); retrying in %.1f s", type(exc).__name__, exc, delay)


def _policy(retryable: Callable[[BaseException], bool]) -> AsyncRetrying:
    return AsyncRetrying(retry=retry_if_exception(retryable), stop=stop_after_attempt(ATTEMPTS),
                         wait=wait_exponential(multiplier=0.5, max=2), before_sleep=_log_retry, reraise=True)


async def send(call: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
    """A call that must not happen twice (sending anything): retried only when it certainly did not happen."""
    return await _policy(certainly_not_carried_out)(call, *args, **kwargs)


async def idempotent(call: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
    """A call that is harmless to repeat: retried on server errors, network failures and timeouts."""
    return await _policy(_transient)(call, *args, **kwargs)
