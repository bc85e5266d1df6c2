"""The LLM vendor stand-in: a real HTTP server on localhost that speaks just enough of the
OpenAI chat-completions API. No test in this folder talks to a real vendor or leaves the machine."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    raw: str

    @property
    def body(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.raw)
        return parsed


@dataclass
class LlmVendorStandIn:
    """Records every request; answers with ``reply`` as the completion, or with ``status``/``raw_body``
    when a test sets them, after ``delay_s``."""

    base_url: str = ""
    reply: str = "Thanks for your patience!"
    status: int = 200
    raw_body: str | None = None
    delay_s: float = 0.0
    received: list[ReceivedRequest] = field(default_factory=list)

    def completion(self) -> str:
        if self.raw_body is not None:
            return self.raw_body
        return json.dumps(
            {
                "id": "chatcmpl-stand-in",
                "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": self.reply}}],
            }
        )

    @property
    def all_bytes_received(self) -> str:
        return "\n".join(r.raw + json.dumps(r.headers) for r in self.received)


def _handler_for(vendor: LlmVendorStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            vendor.received.append(ReceivedRequest(self.path, dict(self.headers.items()), raw))
            time.sleep(vendor.delay_s)
            body = vendor.completion().encode()
            try:
                self.send_response(vendor.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the phraser gave up waiting (the timeout tests): nobody is listening any more

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

    return Handler


@contextmanager
def serving(vendor: LlmVendorStandIn) -> Iterator[LlmVendorStandIn]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(vendor))
    vendor.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield vendor
    finally:
        server.shutdown()
        server.server_close()
