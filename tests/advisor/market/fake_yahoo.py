"""A local fake Yahoo Finance serving the recorded answers in tests/fixtures/yahoo (see SOURCE.md there), and
sessions that send yfinance's requests to it instead of to Yahoo: shared by the provider and cache tests."""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
from curl_cffi import requests as curl_requests

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "yahoo"
NOT_FOUND = {"chart": {"result": None, "error": {"code": "Not Found",
                                                 "description": "No data found, symbol may be delisted"}}}


def recorded(name: str) -> Any:
    """The body Yahoo sent in one recording."""
    response = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))["response"]
    return response["bodyJson"] if "bodyJson" in response else response["bodyText"]


def charts(prefix: str, *symbols: str) -> dict[str, Any]:
    return {s: recorded(f"{prefix}-{s}-2020-01-01-to-2020-01-03") for s in symbols}


class FakeYahoo:
    """Answers the paths yfinance and the provider ask for, counts them, and can fail or hang on demand."""

    def __init__(self) -> None:
        self.charts: dict[str, Any] = {}  # symbol -> chart body, served whatever period is asked for
        self.searches: dict[str, Any] = {}  # q -> search body
        self.requests: list[str] = []
        self.errors_to_serve = 0  # answer this many chart requests with HTTP 500 first
        self.hang_cookie = False  # hold the cookie request (yfinance waits up to 30 s for it, whatever we say)
        self.release = threading.Event()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def chart_requests(self) -> Counter[str]:
        with self.lock:
            return Counter(unquote(p.split("?")[0].rsplit("/", 1)[1]) for p in self.requests
                           if p.startswith("/v8/finance/chart/"))

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        with self.lock:
            self.requests.append(handler.path)
        if url.path == "/":
            if self.hang_cookie:
                self.release.wait(60)
            self.send(handler, 200, "", {"Set-Cookie": "A3=fake-cookie; Path=/"}, "text/html")
        elif url.path == "/v1/test/getcrumb":
            self.send(handler, 200, recorded("getCrumb-getcrumb"), {}, "text/plain")
        elif url.path.startswith("/v8/finance/chart/"):
            symbol = unquote(url.path.rsplit("/", 1)[1])
            with self.lock:
                failing = self.errors_to_serve > 0
                self.errors_to_serve -= failing
            if failing:
                self.send(handler, 500, {"finance": {"error": {"code": "Internal Server Error"}}})
            elif symbol in self.charts:
                self.send(handler, 200, self.charts[symbol])
            else:
                self.send(handler, 404, NOT_FOUND)
        elif url.path == "/v1/finance/search":
            query = parse_qs(url.query).get("q", [""])[0]
            self.send(handler, 200, self.searches.get(query, {"count": 0, "quotes": [], "news": []}))
        else:  # yfinance's consent pages (its fallback after any HTTP error): not a thing here
            self.send(handler, 404, "<html>no consent here</html>", {}, "text/html")

    @staticmethod
    def send(handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None,
             kind: str = "application/json") -> None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", kind)
            handler.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client gave up (a deadline test)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class ToFake(requests.Session):
    """Sends every request to the fake, keeping path and query (what yfinance 1.7 accepts: a requests.Session)."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.trust_env = False
        self.base = base

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(url if isinstance(url, str) else url.decode())
        target = f"{self.base}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
        return super().request(method, target, *args, **kwargs)


class CurlToFake(curl_requests.Session):
    """The same rewriting on a curl_cffi session, the kind yfinance makes when it is given none."""

    def __init__(self, base: str) -> None:
        super().__init__(impersonate="chrome")
        self.base = base

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        target = f"{self.base}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
        return super().request(method, target, *args, **kwargs)


def closed_port() -> str:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"
