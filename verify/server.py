"""An OpenAI-compatible chat-completions server for a local model (``modelprint serve``).

``POST /v1/chat/completions`` answers greedily (``temperature`` other than 0 is accepted, but the
server always decodes greedily: a fingerprint check wants the model's most likely answer) and
honours ``max_tokens`` / ``max_completion_tokens``; ``GET /v1/models`` lists the one model. Built on
the standard library's threading HTTP server: enough for demos, tests and a publisher's own loop.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["ChatBackend", "ChatServer", "serve"]

MAX_BODY = 1 << 20
MAX_TOKENS_LIMIT = 1024

ChatBackend = Callable[[Sequence[Sequence[dict[str, str]]], int], list[str]]
"""(conversations, max_tokens) -> replies; ChatGenerator.generate fits, so do test doubles."""


class _BadRequest(Exception):
    pass


def _parse_request(body: bytes) -> tuple[list[dict[str, str]], int]:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _BadRequest("body is not JSON") from None
    if not isinstance(doc, dict):
        raise _BadRequest("body is not a JSON object")
    messages = doc.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _BadRequest("'messages' must be a non-empty list")
    parsed = []
    for m in messages:
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            raise _BadRequest("each message needs a 'role'")
        content = m.get("content")
        if isinstance(content, list):  # [{"type": "text", "text": ...}] parts
            content = "".join(
                p.get("text", "")
                for p in content
                if isinstance(p, dict) and p.get("type") == "text"
            )
        if not isinstance(content, str):
            raise _BadRequest("each message needs text 'content'")
        parsed.append({"role": m["role"], "content": content})
    max_tokens = doc.get("max_completion_tokens", doc.get("max_tokens", 64))
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise _BadRequest("'max_tokens' must be a positive integer")
    if doc.get("stream"):
        raise _BadRequest("streaming is not supported")
    return parsed, min(max_tokens, MAX_TOKENS_LIMIT)


class ChatServer(ThreadingHTTPServer):
    """The HTTP server; ``backend`` generates, ``model_name`` is what ``/v1/models`` lists."""

    daemon_threads = True
    request_queue_size = 256  # the default backlog of 5 drops connections under concurrency

    def __init__(
        self, address: tuple[str, int], backend: ChatBackend, model_name: str = "local"
    ) -> None:
        super().__init__(address, _Handler)
        self.backend = backend
        self.model_name = model_name

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> threading.Thread:
        """Serve on a background thread (tests, benchmarks); stop with ``shutdown()``."""
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:  # quiet; never log bodies
        return

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": {"message": message, "type": "invalid_request_error"}})

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            self._send(
                200,
                {
                    "object": "list",
                    "data": [
                        {"id": self.server.model_name, "object": "model", "owned_by": "local"}
                    ],
                },
            )
        elif self.path.rstrip("/") in ("/health", ""):
            self._send(200, {"status": "ok"})
        else:
            self._error(404, "not found")

    def do_POST(self) -> None:
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._error(404, "not found")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._error(413, "request too large")
            return
        try:
            messages, max_tokens = _parse_request(self.rfile.read(length))
        except _BadRequest as exc:
            self._error(400, str(exc))
            return
        try:
            text = self.server.backend([messages], max_tokens)[0]
        except Exception as exc:
            self._send(500, {"error": {"message": f"generation failed ({type(exc).__name__})"}})
            return
        self._send(
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": self.server.model_name,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
            },
        )


def serve(
    model: str, *, host: str = "127.0.0.1", port: int = 8000, name: str | None = None
) -> ChatServer:
    """Load ``model`` and return a server bound to ``host:port`` (call ``serve_forever``)."""
    from .generation import ChatGenerator

    generator = ChatGenerator.load(model)

    def backend(conversations: Sequence[Sequence[dict[str, str]]], max_tokens: int) -> list[str]:
        return generator.generate(conversations, max_tokens=max_tokens)

    return ChatServer((host, port), backend, name or generator.label)
