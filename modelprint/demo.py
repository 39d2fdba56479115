"""``modelprint demo``: the whole lifecycle, for real, on the embedded SmolLM2 model.

Every step runs the ``modelprint`` command line exactly as a user would type it, so the demo is also
a walkthrough: it prints each command before running it and its time after. The services (a
transparency log, an RFC 3161 TSA and the OpenAI-compatible model servers) run as child processes
on loopback and are stopped at the end. Two parties take part: a publisher who implants, commits
and releases a model, and a licensee who adds its own fingerprints to the released model under a
grant. An auditor then checks the served final model stage by stage, and three controls show what
the checks refuse: the base model, an overclaim against a model first seen before the commitment,
and a copy disguised by a weight permutation. It ends with one report of every step.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from .protocol.errors import ConfigError, TransportError

__all__ = ["DEMO_MARKER", "fresh_workdir", "run_demo"]

DEMO_MARKER = ".modelprint-demo"
REPORT_NAME = "demo-report.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Step:
    title: str
    seconds: float = 0.0
    commands: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)


class _Demo:
    """Runs the commands, times each step and keeps what the final report shows."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.exe = [sys.executable, "-m", "modelprint"]
        self.steps: list[_Step] = []
        self.last_code = 0
        self.started = time.perf_counter()
        self._step_started = self.started

    def say(self, text: str) -> None:
        self._close_step()
        self.steps.append(_Step(text))
        print(f"\n== {len(self.steps)}. {text}", flush=True)

    def _close_step(self) -> None:
        now = time.perf_counter()
        if self.steps:
            self.steps[-1].seconds += now - self._step_started
        self._step_started = now

    def note(self, result: str) -> None:
        """A result line for the step's row in the final report."""
        self.steps[-1].results.append(result)

    def run(self, *args: str, expect: int | None = 0, echo: bool = True) -> str:
        """Run ``modelprint ARGS``; stop the demo unless it exits ``expect`` (None: any code,
        kept in ``last_code``)."""
        line = "modelprint " + " ".join(shlex.quote(a) for a in args)
        print("$ " + line, flush=True)
        self.steps[-1].commands.append(line)
        t = time.perf_counter()
        proc = subprocess.run(
            [*self.exe, *args], cwd=self.workdir, stdout=subprocess.PIPE, text=True, check=False
        )
        if proc.stdout and echo:
            print(proc.stdout.rstrip())
        print(f"   [{time.perf_counter() - t:.1f} s, exit {proc.returncode}]", flush=True)
        self.last_code = proc.returncode
        if expect is not None and proc.returncode != expect:
            raise SystemExit(
                f"demo: step {len(self.steps)} ({args[0]}) exited {proc.returncode}, expected "
                f"{expect}; stopping (files in {self.workdir})"
            )
        return proc.stdout

    def run_json(self, *args: str, expect: int = 0) -> dict[str, object]:
        """Run a command with ``--json``; its JSON is kept for the report, not printed."""
        try:
            doc = json.loads(self.run(*args, expect=None, echo=False))
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            raise SystemExit(f"demo: {args[0]} did not print a JSON object")
        reasons = doc.get("reasons")
        if self.last_code != expect:
            raise SystemExit(
                f"demo: step {len(self.steps)} ({args[0]}) exited {self.last_code}, expected "
                f"{expect}: {'; '.join(map(str, reasons)) if isinstance(reasons, list) else ''}"
                f"; stopping (files in {self.workdir})"
            )
        return doc

    @contextlib.contextmanager
    def server(self, args: list[str], health_url: str, timeout: float) -> Iterator[None]:
        line = "modelprint " + " ".join(shlex.quote(a) for a in args) + " &"
        print("$ " + line, flush=True)
        self.steps[-1].commands.append(line)
        name = "-".join(a for a in args[:2] if not a.startswith("-"))
        log = open(self.workdir / f"server-{name}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen([*self.exe, *args], cwd=self.workdir, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise TransportError(f"server {name} exited early; see {log.name}")
                try:
                    if httpx.get(health_url, timeout=2).status_code < 500:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TransportError(f"server {name} did not start in {timeout:.0f} s")
                time.sleep(0.3)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()

    def report(self) -> str:
        """Print the final report (and write it as JSON); returns its path."""
        self._close_step()
        total = time.perf_counter() - self.started
        print(f"\n== report: {len(self.steps)} steps in {total:.0f} s", flush=True)
        width = max(len(s.title) for s in self.steps)
        for i, s in enumerate(self.steps, 1):
            share = 100 * s.seconds / total if total else 0.0
            print(f"{i:>2}. {s.title:<{width}}  {s.seconds:6.1f} s {share:4.0f}%")
            for result in s.results:
                print(f"      -> {result}")
        path = self.workdir / REPORT_NAME
        doc = {
            "kind": "modelprint/demo-report",
            "version": 1,
            "total_s": round(total, 1),
            "cpu_count": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "steps": [
                {
                    "title": s.title,
                    "seconds": round(s.seconds, 1),
                    "commands": s.commands,
                    "results": s.results,
                }
                for s in self.steps
            ],
        }
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        return str(path)


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


def _verdict(doc: dict[str, object]) -> str:
    """``match, 4 of 4 keys, p = 3.7e-09`` from a verify report's JSON."""
    p = doc.get("p_value")
    p_text = f", p = {p:.1e}" if isinstance(p, float) else ""
    reasons = doc.get("reasons") or []
    why = (
        f" ({reasons[0]})"
        if isinstance(reasons, list) and reasons and doc.get("verdict") == "rejected"
        else ""
    )
    return f"{doc.get('verdict', '?')}, {doc.get('matched', '?')} of {doc.get('queried', '?')} keys{p_text}{why}"


_PARENT_CHECK_KEYS = 2
"""The publisher's keys the licensee's implant scores the parent on (revealed to the licensee)."""

_CONTROL_KEYS = 3
"""Fresh keys the untouched base model is queried on; its verdict must be no match (the report
says how many of them it answered)."""

_OTHER_KEYS = _PARENT_CHECK_KEYS + 1 + _CONTROL_KEYS
"""The publisher's keys beyond the two challenges: the licensee's check, the overclaim, the base."""


def run_demo(
    workdir: Path,
    *,
    fingerprints: int = 16,
    licensee_fingerprints: int = 6,
    challenge_keys: int = 5,
) -> int:
    """The lifecycle in ``workdir``; the publisher's set must hold two fresh challenges (the
    served model's and the chain's), the licensee's check of it, the overclaim control and the
    base control (:data:`_OTHER_KEYS` in all); the licensee's, one challenge."""
    needed = 2 * challenge_keys + _OTHER_KEYS
    if fingerprints < needed or licensee_fingerprints < challenge_keys:
        raise ConfigError(
            f"--fingerprints must be at least {needed} and "
            f"--licensee-fingerprints at least {challenge_keys} for challenges of {challenge_keys}"
        )
    fresh_workdir(workdir)
    d = _Demo(workdir)
    os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))
    ports = {name: _free_port() for name in ("log", "tsa", "acme", "final")}
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    pins = ["--trust-log", "log.pub", "--trust-tsa", "tsa/root.pem"]
    k = str(challenge_keys)
    revealed = ["acme.reveal", "parent-check.reveal", "chain-acme.reveal"]  # the publisher's

    d.say("Two parties create identities: the publisher and a licensee")
    d.run("keygen", "--out", "publisher.key")
    d.run("keygen", "--out", "licensee.key")

    d.say("Trust services on loopback (in production: a public log and a TSA you do not run)")
    d.run("log", "keygen", "--out", "log.key", "--origin", "demo.log.example/log")
    d.run("tsa", "init", "--dir", "tsa", "--name", "modelprint demo TSA")
    log_args = ["log", "serve", "--db", "log.sqlite", "--key", "log.key", "--origin",
                "demo.log.example/log", "--host", "127.0.0.1", "--port", str(ports["log"])]  # fmt: skip
    tsa_args = ["tsa", "serve", "--dir", "tsa", "--host", "127.0.0.1", "--port", str(ports["tsa"])]
    with (
        d.server(log_args, f"{url['log']}/checkpoint", 60),
        d.server(tsa_args, url["tsa"], 60),
    ):
        d.say("The publisher draws a secret fingerprint set and implants it into SmolLM2")
        d.run("fingerprints", "--count", str(fingerprints), "--out", "acme.secret")
        d.run("implant", "--quick", "--fingerprints", "acme.secret", "--base", "smollm2",
              "--out", "acme-model")  # fmt: skip
        d.note(_implant_line(workdir / "acme-model"))

        before_commit = datetime.now(UTC) - timedelta(days=1)
        d.say("Before release the publisher commits: signed, logged, timestamped")
        d.run("commit", "--identity", "publisher.key", "--fingerprints", "acme.secret",
              "--model-name", "acme/smollm2-fp", "--whitebox", "acme-model",
              "--log", url["log"], "--tsa", url["tsa"], "--out", "acme.bundle")  # fmt: skip
        d.run("check", "acme.bundle", *pins)

        with d.server(["serve", "--model", "acme-model", "--port", str(ports["acme"])],
                      f"{url['acme']}/v1/models", 180):  # fmt: skip
            first_seen = _iso(datetime.now(UTC))
            d.say("An auditor challenges the served model; the publisher reveals the chosen keys")
            d.run("challenge", "--bundle", "acme.bundle", "--count", k,
                  "--first-seen", first_seen, "--out", "acme.challenge")  # fmt: skip
            d.run("reveal", "acme.challenge", "--fingerprints", "acme.secret",
                  "--identity", "publisher.key", "--out", "acme.reveal")  # fmt: skip
            d.run("verify", "--bundle", "acme.bundle", "--challenge", "acme.challenge",
                  "--reveal", "acme.reveal", "--api", url["acme"], "--model", "acme-model",
                  *pins, "--report", "acme-verify.json", "--html", "acme-verify.html")  # fmt: skip
            d.note("served acme-model: " + _verdict(_load(workdir / "acme-verify.json")))

        d.say("The publisher grants a licence; the licensee implants its own keys on top")
        (workdir / "terms.txt").write_text("Licensed for fine-tuning and resale, demo terms.\n")
        d.run("grant", "--identity", "publisher.key", "--parent", "acme.bundle",
              "--to", "licensee.pub", "--terms", "terms.txt", "--max-depth", "0",
              "--out", "licensee.grant")  # fmt: skip
        # character keys: a licensee's natural/v1 keys would overwrite some of the publisher's of
        # the same kind (README, after "chain verify"); these look like no natural request
        d.run("fingerprints", "--count", str(licensee_fingerprints), "--scheme", "if-decrypt/v1",
              "--out", "licensee.secret")  # fmt: skip
        # the licensee measures the publisher's keys through a reveal, as any verifier would
        d.run("challenge", "--bundle", "acme.bundle", "--count", str(_PARENT_CHECK_KEYS),
              "--avoid", "acme.reveal",
              "--first-seen", _iso(datetime.now(UTC)), "--out", "parent-check.challenge")  # fmt: skip
        d.run("reveal", "parent-check.challenge", "--fingerprints", "acme.secret",
              "--identity", "publisher.key", "--out", "parent-check.reveal")  # fmt: skip
        d.run("implant", "--quick", "--fingerprints", "licensee.secret", "--base", "acme-model",
              "--out", "licensee-model", "--parent-bundle", "acme.bundle",
              "--parent-challenge", "parent-check.challenge",
              "--parent-reveal", "parent-check.reveal")  # fmt: skip
        d.note(_implant_line(workdir / "licensee-model"))
        d.run("commit", "--identity", "licensee.key", "--fingerprints", "licensee.secret",
              "--model-name", "licensee/smollm2-ft", "--parent", "acme.bundle",
              "--grant", "licensee.grant", "--log", url["log"], "--tsa", url["tsa"],
              "--out", "licensee.bundle")  # fmt: skip

        with d.server(["serve", "--model", "licensee-model", "--port", str(ports["final"])],
                      f"{url['final']}/v1/models", 180):  # fmt: skip
            first_seen = _iso(datetime.now(UTC))
            d.say("The auditor verifies the chain against the served final model, stage by stage")
            # every challenge of the publisher avoids the keys revealed before: all are scored
            for party, secret, identity, avoid in (
                ("acme", "acme.secret", "publisher.key", ["acme.reveal", "parent-check.reveal"]),
                ("licensee", "licensee.secret", "licensee.key", []),
            ):
                d.run("challenge", "--bundle", f"{party}.bundle", "--count", k,
                      *(["--avoid", *avoid] if avoid else []),
                      "--first-seen", first_seen, "--out", f"chain-{party}.challenge")  # fmt: skip
                d.run("reveal", f"chain-{party}.challenge", "--fingerprints", secret,
                      "--identity", identity, "--out", f"chain-{party}.reveal")  # fmt: skip
            chain = d.run_json("chain", "verify", "acme.bundle", "licensee.bundle",
                               "--challenge", "chain-acme.challenge", "--reveal", "chain-acme.reveal",
                               "--challenge", "chain-licensee.challenge",
                               "--reveal", "chain-licensee.reveal",
                               "--api", url["final"], "--model", "licensee-model",
                               "--terms", "1=terms.txt", *pins, "--html", "chain.html", "--json")  # fmt: skip
            print(_chain_line(chain).replace("; ", "\n  "))
            d.note(_chain_line(chain))

            d.say("Control: an overclaim against a model first seen before the commitment")
            d.run("challenge", "--bundle", "acme.bundle", "--count", "1", "--avoid", *revealed,
                  "--first-seen", _iso(before_commit), "--out", "overclaim.challenge")  # fmt: skip
            d.run("reveal", "overclaim.challenge", "--fingerprints", "acme.secret",
                  "--identity", "publisher.key", "--out", "overclaim.reveal")  # fmt: skip
            d.run("verify", "--bundle", "acme.bundle", "--challenge", "overclaim.challenge",
                  "--reveal", "overclaim.reveal", "--api", url["final"], "--model", "licensee-model",
                  *pins, "--report", "overclaim.json", expect=1)  # fmt: skip
            d.note("overclaim: " + _verdict(_load(workdir / "overclaim.json")))

    d.say("Control: the untouched base model must not match (fresh keys)")
    d.run("challenge", "--bundle", "acme.bundle", "--count", str(_CONTROL_KEYS),
          "--avoid", *revealed, "overclaim.reveal", "--first-seen", _iso(datetime.now(UTC)),
          "--out", "control.challenge")  # fmt: skip
    d.run("reveal", "control.challenge", "--fingerprints", "acme.secret",
          "--identity", "publisher.key", "--out", "control.reveal")  # fmt: skip
    d.run("verify", "--bundle", "acme.bundle", "--challenge", "control.challenge",
          "--reveal", "control.reveal", "--local", "smollm2", *pins,
          "--report", "control.json", expect=1)  # fmt: skip
    d.note("base smollm2: " + _verdict(_load(workdir / "control.json")))

    d.say(
        "Control: a copy disguised by a weight permutation; white-box evidence still says derived"
    )
    d.run("attack", "permute", "--model", "acme-model", "--out", "disguised-model")
    d.run("whitebox", "check", "acme.bundle", "disguised-model", "--html", "whitebox.html")
    d.note("permuted copy of acme-model: derived from the committed invariants")

    path = d.report()
    print(f"\ndemo complete: files in {workdir}; reports: {path}, acme-verify.html, chain.html, "
          "whitebox.html")  # fmt: skip
    return 0


def _load(path: Path) -> dict[str, object]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"demo: {path}: cannot read the report ({exc})") from None
    return doc if isinstance(doc, dict) else {}


def _implant_line(model_dir: Path) -> str:
    """The implant report's headline figures, and the parents' keys before and after."""
    doc = _load(model_dir / "modelprint-implant.json")
    fig = doc.get("figures", {})
    if not isinstance(fig, dict):
        return "no figures"
    line = (
        f"{model_dir.name}: keys {fig.get('fingerprint_success_rate', 0):.0%}, "
        f"top-1 agreement {fig.get('top1_agreement') or 0:.1%}, "
        f"perplexity ratio {fig.get('perplexity_ratio') or 0:.3f}"
    )
    parents = doc.get("parents")
    for parent in parents if isinstance(parents, list) else []:
        if isinstance(parent, dict):
            line += (
                f"; {parent.get('label')}'s revealed keys {parent.get('success_before', 0):.0%} "
                f"before, {parent.get('success_after', 0):.0%} after"
            )
    return line


def _chain_line(doc: dict[str, object]) -> str:
    parts = [f"chain {doc.get('verdict', '?')}"]
    links = doc.get("links")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and isinstance(link.get("challenge"), dict):
            parts.append(
                f"stage {link.get('stage')} {link.get('model_name')}: {_verdict(link['challenge'])}"
            )
    return "; ".join(parts)
