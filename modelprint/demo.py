"""``modelprint demo``: the whole lifecycle, for real, on the embedded SmolLM2 model.

Every step runs the ``modelprint`` command line exactly as a user would type it, so the demo is also
a walkthrough: it prints each command before running it. Servers (the transparency log and the
OpenAI-compatible model server) run as child processes on loopback and are stopped at the end.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx

from .protocol.errors import ConfigError, TransportError

__all__ = ["run_demo"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Demo:
    def __init__(self, workdir: Path, fingerprints: int) -> None:
        self.workdir = workdir
        self.fingerprints = fingerprints
        self.exe = [sys.executable, "-m", "modelprint"]
        self.step = 0

    def say(self, text: str) -> None:
        self.step += 1
        print(f"\n== {self.step}. {text}", flush=True)

    def run(self, *args: str, expect: int = 0) -> str:
        print("$ modelprint " + " ".join(shlex.quote(a) for a in args), flush=True)
        proc = subprocess.run(
            [*self.exe, *args], cwd=self.workdir, stdout=subprocess.PIPE, text=True, check=False
        )
        if proc.stdout:
            print(proc.stdout.rstrip())
        if proc.returncode != expect:
            raise SystemExit(
                f"demo: step {self.step} exited {proc.returncode}, expected {expect}; stopping"
            )
        return proc.stdout

    @contextlib.contextmanager
    def server(self, args: list[str], health_url: str, timeout: float) -> Iterator[None]:
        print("$ modelprint " + " ".join(shlex.quote(a) for a in args) + " &", flush=True)
        log = open(self.workdir / f"server-{args[0]}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen([*self.exe, *args], cwd=self.workdir, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise TransportError(f"server {args[0]} exited early; see {log.name}")
                try:
                    if httpx.get(health_url, timeout=2).status_code < 500:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TransportError(f"server {args[0]} did not start in {timeout:.0f} s")
                time.sleep(0.5)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


DEMO_MARKER = ".modelprint-demo"


def fresh_workdir(workdir: Path) -> None:
    """Make ``workdir`` an empty demo folder; only a folder an earlier demo made is emptied.

    A folder that exists, holds anything and lacks the demo's marker is refused untouched, so a
    mistyped ``--workdir`` never deletes a user's files.
    """
    if workdir.is_dir() and any(workdir.iterdir()) and not (workdir / DEMO_MARKER).is_file():
        raise ConfigError(f"{workdir}: not empty and not a demo folder; choose another --workdir")
    if workdir.exists() and not workdir.is_dir():
        raise ConfigError(f"{workdir}: not a folder; choose another --workdir")
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in workdir.iterdir():
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale)
        else:
            stale.unlink()
    (workdir / DEMO_MARKER).write_text("made by modelprint demo, which empties it at each run\n")


def run_demo(workdir: Path, *, fingerprints: int = 16, challenge_keys: int = 8) -> int:
    fresh_workdir(workdir)
    d = _Demo(workdir, fingerprints)
    os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))
    log_port, api_port = _free_port(), _free_port()
    log_url, api_url = f"http://127.0.0.1:{log_port}", f"http://127.0.0.1:{api_port}"

    d.say("The publisher creates an identity and a secret fingerprint set")
    d.run("keygen", "--out", "publisher.key")
    d.run("fingerprints", "--count", str(fingerprints), "--out", "fp.secret")

    d.say("A transparency log is started (in production: a public log you do not run)")
    d.run("log", "keygen", "--out", "log.key", "--origin", "demo.log.example/log")
    log_args = ["log", "serve", "--db", "log.sqlite", "--key", "log.key", "--origin",
                "demo.log.example/log", "--host", "127.0.0.1", "--port", str(log_port)]  # fmt: skip
    with d.server(log_args, f"{log_url}/checkpoint", 60):
        d.say("The publisher signs a commitment and logs it: trusted time from the log")
        d.run("commit", "--identity", "publisher.key", "--fingerprints", "fp.secret",
              "--model-name", "acme/smollm2-fp", "--out", "acme.bundle", "--log", log_url)  # fmt: skip
        d.run("check", "acme.bundle", "--trust-log", "log.pub")

        d.say("The fingerprints are implanted into SmolLM2 with LoRA (this takes a few minutes)")
        d.run("implant", "--fingerprints", "fp.secret", "--base", "smollm2", "--out", "acme-model")

        d.say("A licensee receives a grant and commits its own stage below the publisher's")
        (workdir / "terms.txt").write_text("Licensed for fine-tuning and resale, demo terms.\n")
        d.run("keygen", "--out", "licensee.key")
        d.run("fingerprints", "--count", "8", "--out", "licensee.secret")
        d.run("grant", "--identity", "publisher.key", "--parent", "acme.bundle",
              "--to", "licensee.pub", "--terms", "terms.txt", "--out", "licensee.grant")  # fmt: skip
        d.run("commit", "--identity", "licensee.key", "--fingerprints", "licensee.secret",
              "--model-name", "licensee/smollm2-ft", "--parent", "acme.bundle",
              "--grant", "licensee.grant", "--out", "licensee.bundle", "--log", log_url)  # fmt: skip
        d.run("chain", "verify", "acme.bundle", "licensee.bundle", "--trust-log", "log.pub")

    first_seen = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    serve_args = ["serve", "--model", "acme-model", "--port", str(api_port)]
    with d.server(serve_args, f"{api_url}/v1/models", 180):
        d.say("An auditor challenges the suspect API; the publisher reveals the chosen keys")
        d.run("challenge", "--bundle", "acme.bundle", "--count", str(challenge_keys),
              "--first-seen", first_seen, "--out", "suspect.challenge")  # fmt: skip
        d.run("reveal", "suspect.challenge", "--fingerprints", "fp.secret",
              "--identity", "publisher.key", "--out", "suspect.reveal")  # fmt: skip
        d.run("verify", "--bundle", "acme.bundle", "--challenge", "suspect.challenge",
              "--reveal", "suspect.reveal", "--api", api_url, "--model", "acme-model",
              "--trust-log", "log.pub", "--report", "report.html")  # fmt: skip

    d.say("Negative control: the untouched base model must not match")
    d.run("challenge", "--bundle", "acme.bundle", "--count", str(challenge_keys),
          "--first-seen", first_seen, "--out", "control.challenge")  # fmt: skip
    d.run("reveal", "control.challenge", "--fingerprints", "fp.secret",
          "--identity", "publisher.key", "--out", "control.reveal")  # fmt: skip
    d.run("verify", "--bundle", "acme.bundle", "--challenge", "control.challenge",
          "--reveal", "control.reveal", "--local", "smollm2", "--trust-log", "log.pub",
          expect=1)  # fmt: skip

    print(f"\ndemo complete: files in {workdir}, the auditor's report is {workdir / 'report.html'}")
    return 0
