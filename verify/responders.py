"""Responders: whatever answers the suspect's side of a challenge.

- :class:`LocalResponder` runs a local Hugging Face model (batched greedy generation).
- :class:`OpenAIResponder` calls an OpenAI-compatible ``/v1/chat/completions`` endpoint (ours from
  ``modelprint serve``, ``transformers serve``, vLLM, llama.cpp's server, or a hosted API) with a
  concurrency limit, timeouts, and retries with backoff on 429 and 5xx. The API key comes from the
  environment (``MODELPRINT_API_KEY``, else ``OPENAI_API_KEY``) and is never logged.
- :class:`TranscriptResponder` replays the queries of an earlier report for offline re-scoring.

A responder never raises for one failed query: it returns a :class:`Reply` with ``error`` set, and
the session counts it as a non-match and marks the verdict partial.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from ..protocol.challenge import Query
from ..protocol.errors import ConfigError, DecodeError, ModelprintError, TransportError
from ..runtime.files import read_bytes
from ..runtime.http import failure_reason

__all__ = [
    "API_KEY_ENVS",
    "LocalResponder",
    "OpenAIResponder",
    "Reply",
    "Responder",
    "TranscriptResponder",
    "chat_completions_url",
]

API_KEY_ENVS = ("MODELPRINT_API_KEY", "OPENAI_API_KEY")
DEFAULT_MAX_TOKENS = 48
MAX_REPLY_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Reply:
    """The suspect's output for one query, or why there is none."""

    index: int
    output: str | None
    error: str | None = None
    seconds: float = 0.0
    more: tuple[str, ...] = ()
    """Further answers to a query that asked for several samples (``output`` is the first)."""


Progress = Callable[[Reply], None]


class Responder(Protocol):
    """Answers queries; ``describe`` names the suspect in reports (never a secret)."""

    def describe(self) -> str: ...
    def answer(self, queries: Sequence[Query], progress: Progress | None = None) -> list[Reply]: ...


# -- local model ---------------------------------------------------------------------------------


class LocalResponder:
    """A local model, loaded once, answering with batched generation: greedy, or sampled at
    ``temperature`` (each of a query's samples with its own seed, so they differ)."""

    def __init__(
        self,
        spec: str | os.PathLike[str] | None = None,
        *,
        generator: Any = None,
        batch_size: int = 8,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        temperature: float = 0.0,
        top_p: float = 1.0,
        seed: int = 0,
    ) -> None:
        from .generation import ChatGenerator

        if generator is None:
            if spec is None:
                raise ConfigError("a local responder needs a model")
            generator = ChatGenerator.load(spec)
        self.generator: ChatGenerator = generator
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.top_p = top_p
        self.seed = seed

    def describe(self) -> str:
        return f"local model {self.generator.label}"

    def score(self, query: Query, replies: Sequence[str]) -> list[float]:
        """The log-probability of each reply as the answer to ``query`` (teacher-forced)."""
        return self.generator.score(query.chat(), replies)

    def _generate(self, chunk: Sequence[Query], draw: int) -> list[str]:
        return self.generator.generate(
            [q.chat() for q in chunk],
            max_tokens=self.max_tokens,
            batch_size=len(chunk),
            temperature=self.temperature,
            top_p=self.top_p,
            seed=self.seed + draw,
        )

    def answer(self, queries: Sequence[Query], progress: Progress | None = None) -> list[Reply]:
        replies: list[Reply] = []
        for start in range(0, len(queries), self.batch_size):
            chunk = queries[start : start + self.batch_size]
            draws = max(q.samples for q in chunk) if self.temperature > 0 else 1
            began = time.perf_counter()
            try:
                samples = [self._generate(chunk, d) for d in range(draws)]
            except ModelprintError:
                raise  # a configuration error is the caller's, not N failed queries
            except (RuntimeError, ValueError, IndexError, MemoryError) as exc:
                # a model that fails on one batch must not crash the whole challenge
                samples = []
                reason = (str(exc).strip().splitlines() or ["no reason given"])[0][:120]
                error = f"local generation failed ({reason})"
            each = (time.perf_counter() - began) / max(1, len(chunk))
            for i, q in enumerate(chunk):
                if not samples:
                    reply = Reply(q.index, None, error, each)
                else:  # greedy decoding gives the same answer every time: one draw serves all
                    outputs = [s[i] for s in samples] * (q.samples if draws == 1 else 1)
                    reply = Reply(q.index, outputs[0], None, each, tuple(outputs[1 : q.samples]))
                replies.append(reply)
                if progress:
                    progress(reply)
        return replies


# -- OpenAI-compatible HTTP ------------------------------------------------------------------------


def chat_completions_url(base: str) -> str:
    """``http://h:p``, ``http://h:p/v1`` or the full endpoint -> the chat-completions endpoint."""
    url = base.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{base}: the API URL must start with http:// or https://")
    if url.endswith("/chat/completions"):
        return url
    if url.endswith("/v1"):
        return url + "/chat/completions"
    return url + "/v1/chat/completions"


def _api_key_from_env() -> str | None:
    for name in API_KEY_ENVS:
        value = os.environ.get(name)
        if value:
            return value
    return None


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _Fatal(Exception):
    pass


def _content(response: httpx.Response) -> str:
    """The assistant text of a chat-completions reply; raises :class:`_Fatal` on garbage."""
    if len(response.content) > MAX_REPLY_BYTES:
        raise _Fatal("reply too large")
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        raise _Fatal("malformed JSON in the reply") from None
    if not isinstance(data, dict):
        raise _Fatal("the reply is not a JSON object")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        raise _Fatal("the reply has no choices")
    first = choices[0]
    message = first.get("message") if isinstance(first, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if content is None and isinstance(first, dict) and isinstance(first.get("text"), str):
        content = first["text"]  # completions-style servers
    if not isinstance(content, str):
        raise _Fatal("the reply's first choice has no message content")
    return content


class OpenAIResponder:
    """A suspect behind an OpenAI-compatible chat-completions API.

    ``transport`` lets tests inject faults (``httpx.MockTransport``). Requests are greedy
    (``temperature: 0``) and bounded by ``max_tokens``; at most ``concurrency`` run at once.
    """

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key: str | None = None,
        concurrency: int = 8,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        temperature: float = 0.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not 1 <= concurrency <= 256:
            raise ConfigError("concurrency must be in 1..256")
        if not 0 <= retries <= 10 or timeout <= 0 or backoff < 0:
            raise ConfigError("retries must be in 0..10, timeout and backoff positive")
        self.url = chat_completions_url(url)
        self.model = model
        self._api_key = api_key if api_key is not None else _api_key_from_env()
        self.concurrency = concurrency
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_tokens = max_tokens
        if not 0.0 <= temperature <= 2.0:
            raise ConfigError("temperature must be in 0..2")
        self.temperature = temperature
        self._transport = transport

    def __repr__(self) -> str:  # never show the key
        return f"OpenAIResponder(url={self.url!r}, model={self.model!r})"

    def describe(self) -> str:
        return f"API {self.url} model {self.model}"

    def answer(self, queries: Sequence[Query], progress: Progress | None = None) -> list[Reply]:
        """Blocking form of :meth:`answer_async`; inside a running event loop (a notebook, an
        async server) it runs the queries on a worker thread's own loop instead of failing."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.answer_async(queries, progress))
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, self.answer_async(queries, progress)).result()

    async def answer_async(
        self, queries: Sequence[Query], progress: Progress | None = None
    ) -> list[Reply]:
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        limits = httpx.Limits(max_connections=self.concurrency)
        semaphore = asyncio.Semaphore(self.concurrency)
        async with httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(self.timeout),
            limits=limits,
            transport=self._transport,
            trust_env=False,
        ) as client:

            async def once(query: Query) -> Reply:
                async with semaphore:
                    return await self._ask(client, query)

            async def one(query: Query) -> Reply:
                replies = await asyncio.gather(*(once(query) for _ in range(query.samples)))
                reply = _combined(query, replies)
                if progress:
                    progress(reply)
                return reply

            return list(await asyncio.gather(*(one(q) for q in queries)))

    def score(self, query: Query, replies: Sequence[str]) -> list[float]:
        """The log-probability of each reply as the answer to ``query``, from a server with
        vLLM's ``prompt_logprobs`` extension (vLLM itself, ``modelprint serve``); raises
        :class:`TransportError` when the server cannot give them."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.score_async(query, replies))
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, self.score_async(query, replies)).result()

    async def score_async(self, query: Query, replies: Sequence[str]) -> list[float]:
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        semaphore = asyncio.Semaphore(self.concurrency)
        async with httpx.AsyncClient(
            headers=headers, timeout=httpx.Timeout(self.timeout), transport=self._transport,
            trust_env=False,
        ) as client:  # fmt: skip

            async def logprobs(
                messages: list[dict[str, str]], continuing: bool
            ) -> list[float | None]:
                body = {
                    "model": self.model, "messages": messages, "max_tokens": 1,
                    "temperature": 0, "prompt_logprobs": 0,
                    "add_generation_prompt": not continuing, "continue_final_message": continuing,
                }  # fmt: skip
                async with semaphore:
                    try:
                        return _prompt_logprobs(await client.post(self.url, json=body))
                    except _Fatal as exc:
                        raise TransportError(f"{self.url}: {exc}") from None
                    except httpx.HTTPError as exc:
                        raise TransportError(f"{self.url}: {failure_reason(exc)}") from None

            prompt = query.chat()
            prefix = len(await logprobs(prompt, False))
            full = await asyncio.gather(
                *(logprobs([*prompt, {"role": "assistant", "content": r}], True) for r in replies)
            )
        return [sum(v for v in lp[prefix:] if v is not None) for lp in full]

    async def _ask(self, client: httpx.AsyncClient, query: Query) -> Reply:
        body = {
            "model": self.model,
            "messages": query.chat(),
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stream": False,
        }
        began = time.perf_counter()
        last = "no attempt"
        for attempt in range(self.retries + 1):
            try:
                response = await client.post(self.url, json=body)
                if response.status_code == 429 or response.status_code >= 500:
                    raise _Retryable(f"HTTP {response.status_code}", _retry_after(response))
                if response.status_code != 200:
                    raise _Fatal(f"HTTP {response.status_code}")
                text = _content(response)
                return Reply(query.index, text, None, time.perf_counter() - began)
            except _Fatal as exc:
                return Reply(query.index, None, str(exc), time.perf_counter() - began)
            except _Retryable as exc:
                last, wait = str(exc), exc.retry_after
            except httpx.TimeoutException:
                last, wait = f"timed out after {self.timeout:g} s", None
            except httpx.HTTPError as exc:
                last, wait = f"{self.url}: {failure_reason(exc)}", None
            if attempt < self.retries:
                delay = self.backoff * (2**attempt) if wait is None else min(wait, 30.0)
                await asyncio.sleep(delay)
        tries = self.retries + 1
        return Reply(
            query.index,
            None,
            f"{last} (after {tries} attempt{'s' * (tries > 1)})",
            time.perf_counter() - began,
        )


def _prompt_logprobs(response: httpx.Response) -> list[float | None]:
    """The ``prompt_logprobs`` of a vLLM-style reply: one entry per prompt token (the first may be
    null), each a map holding the token's own log-probability; raises :class:`_Fatal`."""
    if response.status_code != 200:
        raise _Fatal(f"HTTP {response.status_code}")
    if len(response.content) > MAX_REPLY_BYTES:
        raise _Fatal("reply too large")
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _Fatal("malformed JSON in the reply") from None
    entries = data.get("prompt_logprobs") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise _Fatal("the reply has no prompt_logprobs (the server does not offer them)")
    out: list[float | None] = []
    for entry in entries:
        if entry is None:
            out.append(None)
            continue
        if not isinstance(entry, dict) or not entry:
            raise _Fatal("malformed prompt_logprobs entry")
        # the prompt's own token is the one of rank 1 when several are listed
        chosen = min(
            (v for v in entry.values() if isinstance(v, dict)),
            key=lambda v: v.get("rank", 1) if isinstance(v.get("rank", 1), int) else 1,
            default=None,
        )
        value = chosen.get("logprob") if chosen is not None else None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value > 0:
            raise _Fatal("malformed prompt_logprobs entry")
        out.append(float(value))
    return out


def _combined(query: Query, replies: Sequence[Reply]) -> Reply:
    """One reply holding every sample that came back (an error only when none did)."""
    outputs = [r.output for r in replies if r.output is not None]
    seconds = sum(r.seconds for r in replies)
    if not outputs:
        return Reply(query.index, None, replies[0].error, seconds)
    return Reply(query.index, outputs[0], None, seconds, tuple(outputs[1:]))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


# -- transcripts ---------------------------------------------------------------------------------


class TranscriptResponder:
    """Replays outputs recorded in an earlier ``verify --json`` output or ``--report FILE.json``.

    A recorded output is used only when its index AND its prompt (the exact chat messages) match
    the query; anything else is reported as a failed query, never guessed.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            doc = json.loads(read_bytes(self.path).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise DecodeError(f"{self.path}: not a JSON transcript") from None
        entries = doc.get("queries") if isinstance(doc, dict) else None
        if not isinstance(entries, list):
            raise DecodeError(f"{self.path}: a transcript needs a 'queries' list")
        self._recorded: dict[int, tuple[Any, Any, tuple[str, ...]]] = {}
        for e in entries:
            if not isinstance(e, dict) or not isinstance(e.get("index"), int):
                raise DecodeError(f"{self.path}: malformed transcript entry")
            more = e.get("outputs")
            more = (
                tuple(more[1:])
                if isinstance(more, list) and all(isinstance(o, str) for o in more)
                else ()
            )
            self._recorded[e["index"]] = (e.get("prompt"), e.get("output"), more)

    def describe(self) -> str:
        return f"transcript {self.path}"

    def answer(self, queries: Sequence[Query], progress: Progress | None = None) -> list[Reply]:
        replies = []
        for q in queries:
            recorded = self._recorded.get(q.index)
            if recorded is None:
                reply = Reply(q.index, None, "not in the transcript")
            elif recorded[0] != q.chat():
                reply = Reply(q.index, None, "the transcript's prompt differs from the query")
            elif not isinstance(recorded[1], str):
                reply = Reply(q.index, None, "the transcript holds no output for this query")
            else:
                reply = Reply(q.index, recorded[1], None, 0.0, recorded[2][: q.samples - 1])
            replies.append(reply)
            if progress:
                progress(reply)
        return replies
