"""Pytest fixtures for trusted time, shared by every test package.

* ``tsa_server`` (session): a real RFC 3161 TSA (``openssl ts -reply``) on loopback;
  ``.url`` to request tokens from, ``.root_cert`` (PEM path) to pin with ``--trust-tsa``.
* ``log_server`` (session): a real ``modelprint log serve`` subprocess on loopback;
  ``.url`` to submit to, ``.pub`` (``LOG.pub``) to pin with ``--trust-log``.
* :func:`start_tsa`: a real ``modelprint tsa serve`` subprocess for a folder ``modelprint tsa init``
  made; ``.url`` and ``.root_cert`` (``DIR/root.pem``, to pin with ``--trust-tsa``).
* :func:`start_witness`: a real ``modelprint witness serve`` subprocess for a log's key;
  ``.url`` and ``.pub`` (``W.pub``, to pin with ``--trust-witness``); a log asks it when started
  with ``start_log(..., args=["--witness", f"{w.url}={w.pub}"])``.

Register with ``pytest_plugins = ["tests.servers"]`` in ``tests/conftest.py``. A bundle
with trusted time: ``add_evidence(bundle, log=log_server.url, tsa=tsa_server.url)``.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.tsa import PKI, OpenSSLTSA, make_pki

__all__ = [
    "LogProcess",
    "TSAProcess",
    "TSAServer",
    "WitnessProcess",
    "log_server",
    "start_log",
    "start_tsa",
    "start_witness",
    "tsa_server",
]

ORIGIN = "modelprint.test/log"


@dataclass
class TSAServer:
    url: str
    root_cert: Path
    pki: PKI


def _default_sigint() -> None:
    """In the server's process, before it starts: Ctrl-C as a terminal delivers it. A suite run
    in the background (``make test &``, CI runners without job control) ignores SIGINT, and the
    children would inherit that; the tests that press Ctrl-C need the default."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class _Served:
    """A modelprint server subprocess; :meth:`kill` (SIGKILL), :meth:`stop`, :meth:`restart`."""

    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self, *, timeout: float = 30.0) -> None:
        """Start the server (on the port it had before, if any) and wait until it listens."""
        cmd = [sys.executable, "-m", "modelprint", *self.command(), "--port", str(self.port)]
        self.proc = subprocess.Popen(
            cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, preexec_fn=_default_sigint
        )
        assert self.proc.stderr is not None
        deadline = time.monotonic() + timeout
        buffer = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stderr], [], [], 0.2)
            if ready:
                chunk = os.read(self.proc.stderr.fileno(), 4096)
                if not chunk:
                    break
                buffer += chunk
                if b"serving at http://" in buffer:
                    line = buffer.decode().split("serving at ")[1].split()[0]
                    self.port = int(line.rsplit(":", 1)[1])
                    return
            elif self.proc.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"{cmd[3]} server did not start: {buffer.decode(errors='replace')}")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no flush."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()


@dataclass(kw_only=True)
class LogProcess(_Served):
    """A ``modelprint log serve`` subprocess; ``args`` are extra ``log serve`` flags."""

    folder: Path
    origin: str
    key: Path
    pub: Path
    db: Path
    args: list[str] = field(default_factory=list)

    def command(self) -> list[str]:
        return [
            "log", "serve", "--db", str(self.db), "--key", str(self.key), "--origin", self.origin,
            "--host", "127.0.0.1", *self.args,
        ]  # fmt: skip


@dataclass(kw_only=True)
class WitnessProcess(_Served):
    """A ``modelprint witness serve`` subprocess witnessing the logs whose keys are ``logs``."""

    key: Path
    pub: Path
    logs: list[Path]

    def command(self) -> list[str]:
        keys = [a for log in self.logs for a in ("--log-key", str(log))]
        return ["witness", "serve", "--key", str(self.key), "--host", "127.0.0.1", *keys]


@dataclass(kw_only=True)
class TSAProcess(_Served):
    """A ``modelprint tsa serve`` subprocess for the TSA directory ``folder``."""

    folder: Path

    @property
    def root_cert(self) -> Path:
        return self.folder / "root.pem"

    def command(self) -> list[str]:
        return ["tsa", "serve", "--dir", str(self.folder), "--host", "127.0.0.1"]


def start_tsa(folder: Path, name: str = "CLI TSA") -> TSAProcess:
    """Create a TSA with ``modelprint tsa init`` (unless ``folder`` holds one) and serve it on a
    free port."""
    if not (folder / "root.pem").exists():
        cmd = [sys.executable, "-m", "modelprint", "tsa", "init", "--dir", str(folder),
               "--name", name]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    tsa = TSAProcess(folder=folder)
    tsa.start()
    return tsa


def _keygen(key: Path, group: str, flag: str, name: str) -> Path:
    """``modelprint <group> keygen --out key <flag> name``, unless ``key`` exists already."""
    key.parent.mkdir(parents=True, exist_ok=True)
    if not key.exists():
        cmd = [sys.executable, "-m", "modelprint", group, "keygen", "--out", str(key), flag, name]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    return key


def start_witness(folder: Path, name: str, logs: list[Path]) -> WitnessProcess:
    """Create a witness key with ``modelprint witness keygen`` and serve it on a free port."""
    key = _keygen(folder / "W.key", "witness", "--name", name)
    witness = WitnessProcess(key=key, pub=folder / "W.pub", logs=logs)
    witness.start()
    return witness


def start_log(
    folder: Path, origin: str = ORIGIN, *, args: list[str] | None = None, start: bool = True
) -> LogProcess:
    """Create a log key with ``modelprint log keygen`` and (with ``start``) serve it on a free
    port; ``args`` are extra ``log serve`` flags."""
    key = _keygen(folder / "LOG.key", "log", "--origin", origin)
    log = LogProcess(
        folder=folder, origin=origin, key=key, pub=folder / "LOG.pub", db=folder / "log.sqlite",
        args=list(args or []),
    )  # fmt: skip
    if start:
        log.start()
    return log


@pytest.fixture(scope="session")
def tsa_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TSAServer]:
    pki = make_pki(tmp_path_factory.mktemp("tsa"))
    with OpenSSLTSA(pki) as tsa:
        yield TSAServer(tsa.url, pki.root_cert, pki)


@pytest.fixture(scope="session")
def log_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LogProcess]:
    log = start_log(tmp_path_factory.mktemp("log"))
    try:
        yield log
    finally:
        log.stop()
