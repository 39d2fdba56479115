"""The README's Python API block runs as it is written, against real servers on loopback.

Only the addresses, the pinned-file names and the suspect's first-seen day are replaced (the log
and the TSA here run now, so the suspect must be first seen after them). The suspect is a real
OpenAI-compatible server whose model knows the fingerprints, so the verdict must be ``match``.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from modelprint.protocol.times import iso
from modelprint.verify.server import ChatServer

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "the Python API section holds one python block"
    return blocks[0]


def test_the_readme_python_api_block_runs(
    tmp_path: Path, log_server: Any, tsa_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    known: dict[str, str] = {}

    def backend(conversations, max_tokens):  # type: ignore[no-untyped-def]
        asked = conversations[0][-1]["content"]
        return [next((r for k, r in known.items() if k in asked), "I cannot help with that.")]

    server = ChatServer(("127.0.0.1", 0), backend, "their-model")
    server.start()
    code = _python_block()
    for old, new in {
        '"https://log.example"': repr(log_server.url),
        '"https://tsa.example"': repr(tsa_server.url),
        '"log.pub"': repr(str(log_server.pub)),
        '"tsa-root.pem"': repr(str(tsa_server.root_cert)),
        '"https://api.suspect.example/v1"': repr(server.url),
        '"2026-06-01T00:00:00Z"': repr(iso(int(time.time()) + 86_400)),
    }.items():
        assert old in code, f"the README block no longer mentions {old}"
        code = code.replace(old, new)
    # the suspect learned the publisher's fingerprints: fill the oracle once they exist
    code = code.replace(
        "fingerprints = mp.FingerprintSet.generate(16)\n",
        "fingerprints = mp.FingerprintSet.generate(16)\n"
        "known.update({p.key: p.response for p in fingerprints.pairs()})\n",
    )
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict[str, Any] = {"known": known}
        exec(compile(code, str(README), "exec"), namespace)
    finally:
        os.chdir(cwd)
        server.shutdown()
        server.server_close()
    assert namespace["outcome"].verdict.kind == "match"
    assert namespace["chain"].verdict == "valid"
    assert (tmp_path / "fp.secret.ledger").is_file()
    printed = capsys.readouterr().out
    assert "match" in printed and "valid" in printed
