"""An OpenAI-compatible chat-completions server for a local model (``modelprint serve``).

``POST /v1/chat/completions`` answers greedily (``temperature`` other than 0 is accepted, but the
server always decodes greedily: a fingerprint check wants the model's most likely answer) and
honours ``max_tokens`` / ``max_completion_tokens``; ``GET /v1/models`` lists the one model. Built on
the standard library's threading HTTP server: enough for demos, tests and a publisher's own loop.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from ..protocol.errors import ConfigError
from ..runtime.http import (
    BadRequest,
    QuietThreadingServer,
    StrictRequestHandler,
    parse_json_object,
    read_body,
)

__all__ = ["ChatBackend", "ChatServer", "PromptScorer", "generator_scorer", "serve"]

MAX_BODY = 1 << 20
MAX_TOKENS_LIMIT = 1024

ChatBackend = Callable[[Sequence[Sequence[dict[str, str]]], int], list[str]]
"""(conversations, max_tokens) -> replies; ChatGenerator.generate fits, so do test doubles.

A backend raises :class:`~modelprint.protocol.errors.ConfigError` for a request it cannot serve
(the reply is a 400); any other exception is a 500."""

PromptScorer = Callable[[Sequence[dict[str, str]], bool, bool], list[float | None]]
"""(messages, add_generation_prompt, continue_final_message) -> each prompt token's
log-probability (the first None): what vLLM's ``prompt_logprobs`` extension returns."""


def _parse_request(body: bytes) -> tuple[list[dict[str, str]], int, dict[str, Any]]:
    doc = parse_json_object(body)
    messages = doc.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest(400, "'messages' must be a non-empty list")
    parsed = []
    for m in messages:
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            raise BadRequest(400, "each message needs a 'role'")
        content = m.get("content")
        if isinstance(content, list):  # [{"type": "text", "text": ...}] parts
            content = "".join(
                p.get("text", "")
                for p in content
                if isinstance(p, dict) and p.get("type") == "text"
            )
        if not isinstance(content, str):
            raise BadRequest(400, "each message needs text 'content'")
        parsed.append({"role": m["role"], "content": content})
    max_tokens = doc.get("max_completion_tokens", doc.get("max_tokens", 64))
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise BadRequest(400, "'max_tokens' must be a positive integer")
    if doc.get("stream"):
        raise BadRequest(400, "streaming is not supported")
    return parsed, min(max_tokens, MAX_TOKENS_LIMIT), doc


class ChatServer(QuietThreadingServer):
    """The HTTP server; ``backend`` generates, ``model_name`` is what ``/v1/models`` lists."""

    log_prefix = "serve: "

    def __init__(
        self,
        address: tuple[str, int],
        backend: ChatBackend,
        model_name: str = "local",
        *,
        scorer: PromptScorer | None = None,
    ) -> None:
        super().__init__(address, _Handler)
        self.backend = backend
        self.model_name = model_name
        self.scorer = scorer

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> threading.Thread:
        """Serve on a background thread (tests, benchmarks); stop with ``shutdown()``."""
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread


class _Handler(StrictRequestHandler):
    server: ChatServer

    def _send(self, status: int, payload: dict[str, Any], *, close: bool = False) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(
        self, status: int, message: str, kind: str = "invalid_request_error", close: bool = False
    ) -> None:
        self._send(status, {"error": {"message": message, "type": kind}}, close=close)

    def send_refusal(self, status: int, message: str) -> None:
        self._error(status, message, close=True)

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
            raise BadRequest(HTTPStatus.NOT_FOUND, "not found")  # the body is not read: close
        messages, max_tokens, doc = _parse_request(
            read_body(self.headers, self.rfile, limit=MAX_BODY)
        )
        if doc.get("prompt_logprobs") is not None:
            self._prompt_logprobs(messages, doc)
            return
        try:
            text = self.server.backend([messages], max_tokens)[0]
        except ConfigError as exc:  # a request this model cannot serve
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        except Exception as exc:  # the model failed: one line, never the request's text
            sys.stderr.write(f"{self.server.log_prefix}generation failed ({type(exc).__name__})\n")
            self._error(500, f"generation failed ({type(exc).__name__})", "server_error")
            return
        self._send(200, self._completion(text, "stop"))

    def _completion(self, text: str, finish_reason: str, **extra: Any) -> dict[str, Any]:
        """A ``chat.completion`` reply holding ``text`` (and any ``extra`` top-level fields)."""
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.server.model_name,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": finish_reason,
                }
            ],
            **extra,
        }

    def _prompt_logprobs(self, messages: list[dict[str, str]], doc: dict[str, Any]) -> None:
        """vLLM's extension: the log-probability of every prompt token; with
        ``continue_final_message`` the last (assistant) message is part of the prompt, unclosed."""
        if self.server.scorer is None:
            raise BadRequest(400, "this server does not return prompt_logprobs")
        count = doc.get("prompt_logprobs")
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 20:
            raise BadRequest(400, "'prompt_logprobs' must be an integer in 0..20")
        generation = doc.get("add_generation_prompt", True) is True
        continuing = doc.get("continue_final_message", False) is True
        if continuing and (generation or messages[-1]["role"] != "assistant"):
            raise BadRequest(
                400,
                "continue_final_message needs a final assistant message and no generation prompt",
            )
        try:
            scores = self.server.scorer(messages, generation, continuing)
        except ConfigError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        logprobs = [None if lp is None else {"0": {"logprob": lp, "rank": 1}} for lp in scores]
        usage = {"prompt_tokens": len(scores), "completion_tokens": 0}
        self._send(200, self._completion("", "length", prompt_logprobs=logprobs, usage=usage))


def serve(
    model: str, *, host: str = "127.0.0.1", port: int = 8000, name: str | None = None
) -> ChatServer:
    """Bind ``host:port``, then load ``model``; return the server (call ``serve_forever``).

    The port is taken first, so a busy port fails at once (:class:`ConfigError` naming it), not
    after the model has loaded.
    """
    from .generation import ChatGenerator

    def unloaded(conversations: Sequence[Sequence[dict[str, str]]], max_tokens: int) -> list[str]:
        raise ConfigError("the model is still loading")

    try:
        server = ChatServer((host, port), unloaded, name or "local")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"cannot listen on {host}:{port} ({reason})") from None
    try:
        generator = ChatGenerator.load(model)
    except BaseException:
        server.server_close()
        raise

    def backend(conversations: Sequence[Sequence[dict[str, str]]], max_tokens: int) -> list[str]:
        return generator.generate(conversations, max_tokens=max_tokens)

    server.backend = backend
    server.model_name = name or generator.label
    server.scorer = generator_scorer(generator)
    return server


def generator_scorer(generator: Any) -> PromptScorer:
    """The ``prompt_logprobs`` of a :class:`~modelprint.verify.generation.ChatGenerator`."""
    from .generation import continued

    def scorer(
        messages: Sequence[dict[str, str]], generation: bool, continuing: bool
    ) -> list[float | None]:
        # without continue_final_message the prompt ends with the generation prompt
        text = (
            continued(generator, messages[:-1], messages[-1]["content"])
            if continuing
            else generator.render(messages)
        )
        result: list[float | None] = generator.prompt_logprobs(text)
        return result

    return scorer
