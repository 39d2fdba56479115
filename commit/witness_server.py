"""A minimal witness over HTTP (c2sp.org/tlog-witness ``add-checkpoint``, stdlib ``http.server``).

    POST /add-checkpoint   body: "old <size>\\n" <consistency proof, base64 lines> "\\n"
                           <the log's signed checkpoint>
                           -> 200 text/plain: the witness's cosignature line (cosignature/v1)
                           -> 409 text/x.tlog.size: the size it last cosigned (retry from there)
                           -> 404 unknown log; 403 the log's signature does not verify;
                              422 not consistent with what it cosigned (a split view); 400 bad body

The rule itself is :class:`~modelprint.protocol.cosignature.Witness` (sans-IO). The last checkpoint
cosigned for each log is written to the state file (atomically, before the cosignature is sent), so
a restarted witness still refuses a view inconsistent with what it already cosigned.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path

from ..protocol.checkpoint import NoteVerifier
from ..protocol.cosignature import AddCheckpoint, Witness, WitnessRefusal, WitnessSigner
from ..protocol.errors import DecodeError, InputError, LogError
from ..runtime.files import read_bytes, write_atomic
from ..runtime.http import BadRequest, QuietThreadingServer, StrictRequestHandler, read_body

__all__ = ["MAX_BODY", "WitnessServer", "load_witness_state"]

MAX_BODY = 32 * 1024
"""The largest request body the witness reads (bytes); larger requests get 413."""

_STATUS = {
    "malformed": HTTPStatus.BAD_REQUEST,
    "unknown-log": HTTPStatus.NOT_FOUND,
    "bad-signature": HTTPStatus.FORBIDDEN,
    "conflict": HTTPStatus.CONFLICT,
    "inconsistent": HTTPStatus.UNPROCESSABLE_ENTITY,
}


def load_witness_state(path: Path) -> dict[str, bytes]:
    """The witness's last cosigned checkpoint per log origin (empty when the file is absent)."""
    if not path.exists():
        return {}
    try:
        doc = json.loads(read_bytes(path, max_size=4 * 1024 * 1024))
        if not isinstance(doc, dict) or not all(isinstance(v, str) for v in doc.values()):
            raise ValueError
        return {str(k): v.encode("utf-8") for k, v in doc.items()}
    except (ValueError, UnicodeError):
        raise DecodeError(f"{path}: not a witness state file") from None


class _Handler(StrictRequestHandler):
    server_version = "modelprint-witness/1"
    sys_version = ""
    timeout = 30
    server: WitnessServer

    def _send(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type + "; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def send_refusal(self, status: int, message: str) -> None:
        self.close_connection = True
        self._send(status, (message + "\n").encode("utf-8"))

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0] != "/add-checkpoint":
            raise BadRequest(HTTPStatus.NOT_FOUND, "not found")
        body = read_body(self.headers, self.rfile, limit=MAX_BODY)
        try:
            request = AddCheckpoint.from_bytes(body)
        except DecodeError as exc:
            self._send(
                HTTPStatus.BAD_REQUEST, f"malformed add-checkpoint request: {exc}\n".encode()
            )
            return
        try:
            line = self.server.add_checkpoint(request)
        except WitnessRefusal as exc:
            if exc.reason == "conflict":
                size = f"{exc.latest_size}\n".encode("ascii")
                self._send(HTTPStatus.CONFLICT, size, "text/x.tlog.size")
            else:
                self._send(_STATUS[exc.reason], f"{exc}\n".encode())
            return
        except InputError as exc:  # the state could not be written: cosign nothing
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, f"witness unavailable: {exc}\n".encode())
            return
        self._send(HTTPStatus.OK, line.encode("utf-8"))

    def do_GET(self) -> None:
        raise BadRequest(HTTPStatus.NOT_FOUND, "not found")

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET


class WitnessServer(QuietThreadingServer):
    """A witness behind HTTP. ``state`` (a file) keeps what it cosigned across restarts."""

    log_prefix = "witness: "

    def __init__(
        self,
        signer: WitnessSigner,
        logs: Iterable[NoteVerifier],
        state: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], float] = time.time,
        verbose: bool = False,
    ) -> None:
        self.state_path = state
        try:
            self.witness = Witness(signer, logs, load_witness_state(state) if state else None)
        except LogError as exc:
            raise DecodeError(f"{state}: a stored checkpoint does not verify ({exc})") from None
        self.clock = clock
        self.verbose = verbose
        self._lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def add_checkpoint(self, request: AddCheckpoint) -> str:
        """Cosign ``request`` under the witness's rule, persist the new state, return the line."""
        with self._lock:
            before = self.witness.state()
            signature = self.witness.add_checkpoint(request, int(self.clock()))
            if self.state_path is not None:
                doc = {k: v.decode("utf-8") for k, v in self.witness.state().items()}
                try:
                    write_atomic(self.state_path, json.dumps(doc, indent=1).encode(), mode=0o644)
                except (OSError, InputError) as exc:
                    self.witness = Witness(self.witness.signer, _logs(self.witness), before)
                    raise InputError(f"{self.state_path}: cannot save the state ({exc})") from None
            return signature.line()


def _logs(witness: Witness) -> list[NoteVerifier]:
    return [v for verifiers in witness.logs.values() for v in verifiers]
