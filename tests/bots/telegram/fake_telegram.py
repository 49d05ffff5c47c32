"""A local fake Telegram Bot API server (127.0.0.1) for end-to-end tests of the real PTB Application.

It serves the methods the bot uses (getMe, deleteWebhook, getUpdates, sendMessage, sendPhoto, sendDocument,
editMessageText, answerCallbackQuery, getChatMember, getChatAdministrators, setMyCommands, getFile, and the
moderation calls deleteMessage and restrictChatMember, which answer True), records every call, and feeds
queued updates through getUpdates. Files a test puts in ``files`` are described by getFile and served at
/file/bot<token>/<file_path> (recorded as a "downloadFile" call). Tests can make the next call to a method
fail (``fail_next``) or answer late (``delay_next``, after recording it: a call that times out on the bot's
side was still received), and refuse every send to a group that became a supergroup (``migrated``).
Request bodies are form-encoded as PTB sends them; nested objects arrive as JSON strings. Uploads
(sendPhoto, sendDocument) arrive as multipart: their text fields are recorded like any others, plus
``multipart``, the body's ``bytes`` and the ``uploads`` (field -> ``Upload``).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

BOT = {"id": 7000001, "is_bot": True, "first_name": "Roundtable", "username": "RoundtableTestBot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded: the name it gave it and its content."""

    filename: str
    content: bytes


UPLOAD_MARKERS = {"multipart", "bytes", "uploads"}  # keys the fake adds to a multipart call's params
SENDS = {"sendMessage", "sendPhoto", "sendDocument"}


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-token-for-the-fake-bot-api-server") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.admins: set[int] = set()
        # Members who never opened a private chat with the bot: Telegram refuses to message them first.
        self.never_started: set[int] = set()
        self.failures: dict[str, list[dict[str, Any]]] = {}  # method -> queued error responses
        self.delays: dict[str, list[float]] = {}  # method -> queued delays before answering, in seconds
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and the download
        # Groups that became supergroups: old id -> new id. Sends to the old id are refused with the new one.
        self.migrated: dict[int, int] = {}
        self.last_poll: dict[str, Any] = {}  # the parameters of the latest getUpdates (allowed_updates ...)
        self._updates: list[dict[str, Any]] = []
        self._next_update = 1
        self._next_message = 1000
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeTelegram:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- test controls ---------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> None:
        with self._lock:
            update = {**update, "update_id": self._next_update}
            self._next_update += 1
            self._updates.append(update)

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} {method} call(s), saw {[c.method for c in self.calls]}")

    def fail_next(self, method: str, code: int, description: str, retry_after: int | None = None) -> None:
        error: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            error["parameters"] = {"retry_after": retry_after}
        self.failures.setdefault(method, []).append(error)

    def delay_next(self, method: str, seconds: float) -> None:
        self.delays.setdefault(method, []).append(seconds)

    # -- the server ------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                path = unquote(self.path.split("?")[0])  # PTB quotes download paths (the token's ":")
                if path.startswith(f"/file/bot{fake.token}/"):
                    self._download(path[len(f"/file/bot{fake.token}/"):])
                    return
                prefix = f"/bot{fake.token}/"
                if not path.startswith(prefix):
                    self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                params = fake._parse(body, self.headers.get("Content-Type", ""))
                status, payload = fake.dispatch(path[len(prefix):], params)
                self._reply(status, payload)

            do_GET = do_POST

            def _download(self, file_path: str) -> None:
                fake.calls.append(Call("downloadFile", {"file_path": file_path}))
                file_id = file_path.rsplit("/", 1)[-1]
                if file_id in fake.files:
                    self._reply(200, fake.files[file_id], "application/octet-stream")
                else:
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})

            def _reply(self, status: int, payload: dict[str, Any] | bytes, kind: str = "application/json") -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting (a timeout test): nobody reads this answer

        return Handler

    @staticmethod
    def _parse(body: bytes, content_type: str) -> dict[str, Any]:
        if "multipart/form-data" in content_type:
            return FakeTelegram._multipart(body, content_type)
        if "json" in content_type and body:
            return dict(json.loads(body))
        return {key: FakeTelegram._value(value) for key, value in parse_qsl(body.decode(), keep_blank_values=True)}

    @staticmethod
    def _value(value: str) -> Any:
        """A form field's value: nested objects arrive as JSON strings."""
        try:
            return json.loads(value) if value[:1] in "[{" else value
        except json.JSONDecodeError:
            return value

    @staticmethod
    def _multipart(body: bytes, content_type: str) -> dict[str, Any]:
        form = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        params: dict[str, Any] = {"multipart": True, "bytes": len(body), "uploads": {}}
        for part in form.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            content = part.get_payload(decode=True)
            assert isinstance(content, bytes)
            filename = part.get_filename()
            if filename is not None:
                params["uploads"][name] = Upload(filename, content)
            else:
                params[name] = FakeTelegram._value(content.decode())
        return params

    def dispatch(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method != "getUpdates":
            self.calls.append(Call(method, params))
        delays = self.delays.get(method)
        if delays:
            time.sleep(delays.pop(0))
        queued = self.failures.get(method)
        if queued:
            error = queued.pop(0)
            return int(error["error_code"]), error
        if method == "getUpdates":
            self.last_poll = params
            time.sleep(0.05)
            with self._lock:
                offset = int(params.get("offset") or 0)
                updates = [u for u in self._updates if u["update_id"] >= offset]
                self._updates = updates
            return 200, {"ok": True, "result": updates}
        if method in SENDS and str(params.get("chat_id")) in map(str, self.never_started):
            return 403, {"ok": False, "error_code": 403,
                         "description": "Forbidden: bot can't initiate conversation with a user"}
        if method in SENDS and int(params.get("chat_id") or 0) in self.migrated:
            return 400, {"ok": False, "error_code": 400,
                         "description": "Bad Request: group chat was upgraded to a supergroup chat",
                         "parameters": {"migrate_to_chat_id": self.migrated[int(params["chat_id"])]}}
        if method in SENDS | {"editMessageText"}:
            return 200, {"ok": True, "result": self._message(params)}
        if method == "getFile":
            file_id = str(params.get("file_id"))
            if file_id not in self.files:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            return 200, {"ok": True, "result": {"file_id": file_id, "file_unique_id": f"u{file_id}",
                                                "file_size": len(self.files[file_id]),
                                                "file_path": f"documents/{file_id}"}}
        if method == "getMe":
            return 200, {"ok": True, "result": BOT}
        if method == "getChatMember":
            return 200, {"ok": True, "result": self._member(int(params["user_id"]))}
        if method == "getChatAdministrators":  # the bot itself is not an admin unless a test says so
            return 200, {"ok": True, "result": [self._member(user_id) for user_id in sorted(self.admins)]}
        return 200, {"ok": True, "result": True}  # deleteWebhook, setMyCommands, answerCallbackQuery, close ...

    def _member(self, user_id: int) -> dict[str, Any]:
        status = "administrator" if user_id in self.admins else "member"
        member: dict[str, Any] = {"status": status, "user": {"id": user_id, "is_bot": False, "first_name": "M"}}
        if status == "administrator":
            member.update(can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                          can_delete_messages=True, can_manage_video_chats=True, can_restrict_members=True,
                          can_promote_members=False, can_change_info=True, can_invite_users=True,
                          can_post_stories=False, can_edit_stories=False, can_delete_stories=False)
        return member

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._next_message += 1
            message_id = int(params.get("message_id") or self._next_message)
        chat_id = int(params.get("chat_id") or 0)
        return {"message_id": message_id, "date": int(time.time()), "from": BOT,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup", "title": "group"},
                "text": str(params.get("text", ""))}
