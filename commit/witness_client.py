"""A log asking witnesses to cosign its checkpoints (c2sp.org/tlog-witness ``add-checkpoint``).

:class:`WitnessClient` talks to one witness: it sends the old size, a consistency proof and the new
checkpoint, and checks the cosignature it gets back against the witness's pinned key before
returning it. :class:`Witnesses` is the log's side for all of its configured witnesses: it learns
each witness's last cosigned size from a 409 reply (as tlog-witness intends) and returns the
checkpoint note with every cosignature it could get. A witness that is down or refuses costs its
cosignature, never the log's availability: failures are collected, one line each.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from ..protocol.checkpoint import NoteSignature, SignedNote
from ..protocol.cosignature import AddCheckpoint, WitnessVerifier
from ..protocol.errors import ConfigError, DecodeError, LogError, TransportError
from ..runtime.http import failure_reason

__all__ = ["WitnessClient", "WitnessConflict", "Witnesses"]

MAX_REPLY = 16 * 1024
_SIZE = re.compile(r"[0-9]{1,19}")


class WitnessConflict(TransportError):
    """The witness last cosigned another size of this log (HTTP 409); ``latest_size`` is it."""

    def __init__(self, message: str, latest_size: int) -> None:
        super().__init__(message)
        self.latest_size = latest_size


class WitnessClient:
    """A client of the witness at ``url`` whose cosigning key is ``verifier``."""

    def __init__(
        self,
        url: str,
        verifier: WitnessVerifier,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"witness URL must be http(s)://..., not {url!r}")
        self.url = url.rstrip("/")
        self.verifier = verifier
        self._http = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def add_checkpoint(self, request: AddCheckpoint) -> NoteSignature:
        """Ask for a cosignature; return it once it verifies under the witness's key.

        Raises :class:`WitnessConflict` when the witness last cosigned another size,
        :class:`TransportError` for any other refusal or failure, :class:`LogError` when the
        witness answers with a cosignature that does not verify.
        """
        where = f"{self.url}/add-checkpoint"
        try:
            response = self._http.post(where, content=request.to_bytes())
        except httpx.HTTPError as exc:
            raise TransportError(f"{where}: {failure_reason(exc)}") from None
        body = response.content[:MAX_REPLY].decode("utf-8", "replace")
        if response.status_code == 409 and _SIZE.fullmatch(body.strip()):
            raise WitnessConflict(f"{where}: HTTP 409", int(body.strip()))
        if response.status_code != 200:
            detail = body.strip().split("\n")[0]
            raise TransportError(f"{where}: HTTP {response.status_code} {detail}"[:300])
        try:  # the reply is signature lines: parse them as the signature block of the note
            text = SignedNote.from_bytes(request.checkpoint).text
            lines = SignedNote.from_bytes(text.encode("utf-8") + b"\n" + body.encode()).signatures
        except DecodeError as exc:
            raise TransportError(f"{where}: malformed cosignature ({exc})") from None
        mine = [s for s in lines if self.verifier.signed(s)]
        if not mine:
            raise LogError(f"{where}: the reply holds no cosignature by {self.verifier.name}")
        self.verifier.verify(text, mine[0])
        return mine[0]


@dataclass
class _Witness:
    client: WitnessClient
    size: int = 0  # what the log believes the witness last cosigned


class Witnesses:
    """Every witness of one log; :meth:`cosign` collects their cosignatures on a checkpoint.

    ``consistency(old, new)`` is the log's own consistency proof between two tree sizes.
    """

    def __init__(
        self,
        clients: Sequence[WitnessClient],
        consistency: Callable[[int, int], list[bytes]],
    ) -> None:
        self._witnesses = [_Witness(c) for c in clients]
        self._consistency = consistency
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self._witnesses)

    def close(self) -> None:
        for w in self._witnesses:
            w.client.close()

    def _ask(self, witness: _Witness, size: int, note: bytes) -> NoteSignature:
        for _ in range(2):  # a 409 teaches the witness's size; retry once from there
            old = min(witness.size, size)
            proof = tuple(self._consistency(old, size)) if old else ()
            try:
                signature = witness.client.add_checkpoint(AddCheckpoint(old, proof, note))
            except WitnessConflict as exc:
                if exc.latest_size > size:
                    raise TransportError(
                        f"{witness.client.url}: the witness has cosigned {exc.latest_size} "
                        f"entries of this log, more than it has ({size})"
                    ) from None
                witness.size = exc.latest_size
                continue
            witness.size = size
            return signature
        raise TransportError(f"{witness.client.url}: the witness keeps changing its size")

    def cosign(self, size: int, note: bytes) -> tuple[bytes, list[str]]:
        """``note`` (a checkpoint of ``size`` entries) with every witness's cosignature added,
        and one line for each witness that gave none."""
        parsed = SignedNote.from_bytes(note)
        added: list[NoteSignature] = []
        failures: list[str] = []
        with self._lock:
            for witness in self._witnesses:
                try:
                    added.append(self._ask(witness, size, note))
                except (TransportError, LogError) as exc:
                    failures.append(str(exc))
        kept = [s for s in parsed.signatures if not any(s.name == a.name for a in added)]
        return SignedNote(parsed.text, (*kept, *added)).to_bytes(), failures
