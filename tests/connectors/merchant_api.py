"""A stand-in for a merchant's own REST API: a real HTTP server on a free local port, in a thread.

Each test says what the stand-in answers (`merchant_api_stand_in.answer(...)`) and reads back what the
connector sent (`merchant_api_stand_in.requests`). It is not part of the product: it plays the system
outside it that the HTTP connectors talk to.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_KEY_ENV = "NORTHWIND_API_KEY"
API_KEY = "test-key-not-a-real-secret"


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-encoded unless it is bytes
    delay: float = 0.0


@dataclass
class SeenRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class MerchantApiStandIn:
    url: str
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    otherwise: Answer = field(default_factory=lambda: Answer(404, {"error": "not found"}))
    requests: list[SeenRequest] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def answer(self, method: str, path: str, body: Any = None, status: int = 200, delay: float = 0.0) -> None:
        self.answers[(method, path)] = Answer(status, body, delay)

    @property
    def last(self) -> SeenRequest:
        assert self.requests, "the connector sent nothing to the merchant's API"
        return self.requests[-1]


def _handler(stand_in: MerchantApiStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _respond(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            stand_in.requests.append(
                SeenRequest(
                    method=self.command,
                    path=url.path,
                    query={key: values[-1] for key, values in parse_qs(url.query).items()},
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=json.loads(raw) if raw else None,
                )
            )
            answer = stand_in.answers.get((self.command, url.path), stand_in.otherwise)
            if answer.delay:
                stand_in.stopping.wait(answer.delay)
            content = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
            except OSError:
                pass  # the connector gave up waiting (the timeout tests) and closed the connection

        def do_GET(self) -> None:
            self._respond()

        def do_POST(self) -> None:
            self._respond()

        def do_PUT(self) -> None:
            self._respond()

        def do_PATCH(self) -> None:
            self._respond()

        def do_DELETE(self) -> None:
            self._respond()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def start_merchant_api_stand_in() -> tuple[MerchantApiStandIn, ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    stand_in = MerchantApiStandIn(url=f"http://127.0.0.1:{server.server_address[1]}/v2")
    server.RequestHandlerClass = _handler(stand_in)
    # A short poll interval: shutdown() waits for the loop to notice, once per test.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return stand_in, server


def stop_merchant_api_stand_in(stand_in: MerchantApiStandIn, server: ThreadingHTTPServer) -> None:
    stand_in.stopping.set()
    server.shutdown()
    server.server_close()
