"""Talking to a transparency log over HTTP: submit entries, fetch checkpoints, tiles and proofs.

Nothing the log says is trusted: a submission's inclusion proof is checked against the checkpoint
that came with it (and that checkpoint's signature, when a log key is pinned) before a
:class:`~modelprint.protocol.timeproof.LogProof` is returned; consistency proofs are computed from
untrusted tiles and checked against signed checkpoints. Read-side calls use only C2SP tlog-tiles
paths, so they work against any tiles log (Tessera, Rekor v2, ...).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

import httpx

from ..protocol.checkpoint import (
    MAX_NOTE,
    Checkpoint,
    NoteVerifier,
    open_checkpoint,
    parse_checkpoint,
)
from ..protocol.errors import ConfigError, DecodeError, LogError, ProofError, TransportError
from ..protocol.merkle import consistency_proof, leaf_hash, verify_inclusion
from ..protocol.records import Evidenced
from ..protocol.tiles import TILE_WIDTH, TileHasher, tile_path
from ..protocol.timeproof import LogProof, Refresh, check_consistent, log_entry
from ..runtime.http import failure_reason
from .tlog_server import MAX_BATCH

__all__ = ["LogClient"]

MAX_REPLY = 64 * 1024
MAX_BATCH_REPLY_PER_ENTRY = 4096  # an /add-batch reply may hold this much more per entry


class LogClient:
    """A client of one log at ``url``; pass ``transport`` to swap the network (tests).

    One client keeps its connection open between requests (HTTP/1.1 keep-alive), so a publisher
    submitting many entries pays for one TCP handshake; :meth:`submit_entries` puts many entries
    into one request and one of the log's group commits.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"log URL must be http(s)://..., not {url!r}")
        self.url = url.rstrip("/")
        self._http = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LogClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP -----------------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, body: bytes | None = None, *, limit: int = MAX_REPLY
    ) -> tuple[int, bytes]:
        """Status and body (at most ``limit`` bytes) of one request."""
        try:
            with self._http.stream(
                method,
                f"{self.url}/{path}",
                content=body,
                headers={"Content-Type": "application/octet-stream"} if body else None,
            ) as response:
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > limit:
                        raise TransportError(f"{self.url}/{path}: reply over {limit} bytes")
                return response.status_code, bytes(data)
        except httpx.HTTPError as exc:
            raise TransportError(f"{self.url}/{path}: {failure_reason(exc)}") from None

    def _get(self, path: str) -> bytes:
        status, data = self._request("GET", path)
        if status != 200:
            raise TransportError(f"{self.url}/{path}: HTTP {status}")
        return data

    # -- write side -----------------------------------------------------------------------------

    def submit_entry(
        self, entry: bytes, *, verifiers: Sequence[NoteVerifier] = ()
    ) -> tuple[int, Checkpoint, bytes, list[bytes]]:
        """POST one entry; return (index, checkpoint, checkpoint note, inclusion proof), checked."""
        reply = self._post_json("add", entry, MAX_REPLY)
        try:
            index, proof = _placed(reply)
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise TransportError(f"{self.url}/add: malformed reply") from None
        checkpoint, note = self._checked(reply, [(entry, index, proof)], verifiers)
        return index, checkpoint, note, proof

    def submit_entries(
        self, entries: Sequence[bytes], *, verifiers: Sequence[NoteVerifier] = ()
    ) -> list[tuple[int, Checkpoint, bytes, list[bytes]]]:
        """POST ``entries`` to ``/add-batch``, ``MAX_BATCH`` a request (each request one of the
        log's commits); per entry, in order, what :meth:`submit_entry` returns, checked the same
        way: its proof against the checkpoint of the request that carried it."""
        out: list[tuple[int, Checkpoint, bytes, list[bytes]]] = []
        for lo in range(0, len(entries), MAX_BATCH):
            chunk = entries[lo : lo + MAX_BATCH]
            limit = MAX_REPLY + MAX_BATCH_REPLY_PER_ENTRY * len(chunk)
            reply = self._post_json("add-batch", b"".join(chunk), limit)
            try:
                items = reply["entries"]
                if not isinstance(items, list) or len(items) != len(chunk):
                    raise TypeError
                found = [_placed(item) for item in items]
            except (ValueError, KeyError, TypeError, binascii.Error):
                raise TransportError(f"{self.url}/add-batch: malformed reply") from None
            checks = [(e, i, p) for e, (i, p) in zip(chunk, found, strict=True)]
            checkpoint, note = self._checked(reply, checks, verifiers)
            out += [(i, checkpoint, note, p) for i, p in found]
        return out

    def _post_json(self, path: str, body: bytes, limit: int) -> dict[str, Any]:
        status, data = self._request("POST", path, body, limit=limit)
        if status != 200:
            detail = data.decode("utf-8", "replace").strip().split("\n")[0]
            raise TransportError(f"{self.url}/{path}: HTTP {status} {detail}"[:300])
        try:
            reply = json.loads(data)
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            raise TransportError(f"{self.url}/{path}: malformed reply")
        return reply

    def _checked(
        self,
        reply: dict[str, Any],
        placed: Sequence[tuple[bytes, int, list[bytes]]],
        verifiers: Sequence[NoteVerifier],
    ) -> tuple[Checkpoint, bytes]:
        """The reply's checkpoint, once every (entry, index, proof) in ``placed`` is proven in it."""
        note_text = reply.get("checkpoint")
        if not isinstance(note_text, str):
            raise TransportError(f"{self.url}: malformed reply (no checkpoint)")
        try:
            note = note_text.encode("utf-8")
        except UnicodeError:
            raise TransportError(f"{self.url}: malformed reply (checkpoint)") from None
        try:
            if verifiers:
                checkpoint, _ = open_checkpoint(note, verifiers)
            else:
                checkpoint, _ = parse_checkpoint(note)
            for entry, index, proof in placed:
                verify_inclusion(leaf_hash(entry), index, checkpoint.size, proof, checkpoint.root)
        except DecodeError as exc:
            raise LogError(f"{self.url}: the log answered a malformed checkpoint ({exc})") from None
        except ProofError as exc:
            raise LogError(
                f"{self.url}: the log's inclusion proof does not verify ({exc})"
            ) from None
        return checkpoint, note

    def submit(self, bundle: Evidenced, *, verifiers: Sequence[NoteVerifier] = ()) -> LogProof:
        """Log ``bundle`` (or a revocation) and return the checked evidence to store in it."""
        bundle.signed_by()  # never log a record whose signature does not hold
        index, _, note, proof = self.submit_entry(log_entry(bundle), verifiers=verifiers)
        return LogProof(index=index, inclusion_proof=tuple(proof), checkpoint=note, url=self.url)

    def submit_many(
        self, bundles: Sequence[Evidenced], *, verifiers: Sequence[NoteVerifier] = ()
    ) -> list[LogProof]:
        """Log many bundles (or revocations) in batched requests; one checked proof per bundle."""
        for bundle in bundles:
            bundle.signed_by()
        placed = self.submit_entries([log_entry(b) for b in bundles], verifiers=verifiers)
        return [
            LogProof(index=i, inclusion_proof=tuple(p), checkpoint=note, url=self.url)
            for i, _, note, p in placed
        ]

    # -- read side (C2SP tlog-tiles) ------------------------------------------------------------

    def checkpoint(self, verifiers: Sequence[NoteVerifier]) -> tuple[Checkpoint, bytes]:
        """The log's newest checkpoint (and its note bytes), signed by one of ``verifiers``."""
        note = self._get("checkpoint")
        if len(note) > MAX_NOTE:
            raise TransportError(f"{self.url}/checkpoint: over {MAX_NOTE} bytes")
        try:
            checkpoint, _ = open_checkpoint(note, verifiers)
        except DecodeError as exc:
            raise LogError(f"{self.url}/checkpoint: malformed ({exc})") from None
        return checkpoint, note

    def tile(self, level: int, index: int, width: int) -> bytes:
        """A hash tile; falls back to the full tile when a partial one is gone."""
        try:
            return self._get(tile_path(level, index, width))
        except TransportError:
            if width == TILE_WIDTH:
                raise
            return self._get(tile_path(level, index))[: 32 * width]

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """An RFC 9162 consistency proof computed from the log's tiles (unchecked)."""
        hasher = TileHasher(self.tile, new_size)
        return consistency_proof(hasher.hash_range, old_size, new_size)

    def refresh(self, proof: LogProof, verifiers: Sequence[NoteVerifier]) -> LogProof:
        """``proof`` with a refresh to the log's newest checkpoint, checked for consistency."""
        old, _ = open_checkpoint(proof.checkpoint, verifiers)
        new, note = self.checkpoint(verifiers)
        if new.origin != old.origin:
            raise LogError(f"{self.url} serves log {new.origin!r}, not {old.origin!r}")
        path = self.consistency_proof(old.size, new.size)
        check_consistent(old, new, path)
        return LogProof(
            index=proof.index,
            inclusion_proof=proof.inclusion_proof,
            checkpoint=proof.checkpoint,
            url=proof.url,
            refresh=Refresh(checkpoint=note, consistency_proof=tuple(path)),
        )


def _placed(item: Any) -> tuple[int, list[bytes]]:
    """(index, inclusion proof) of one entry in a reply; TypeError/ValueError when malformed."""
    index, hashes = item["index"], item["inclusion_proof"]
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise TypeError
    if not isinstance(hashes, list) or len(hashes) > 64:
        raise TypeError
    return index, [base64.b64decode(h, validate=True) for h in hashes]
