"""The sans-IO core stays pure: importing it pulls in no torch, transformers or HTTP library."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "transformers", "httpx", "peft", "urllib3", "requests", "http.client")


def test_importing_the_core_and_the_root_imports_no_heavy_library() -> None:
    probe = (
        "import json, sys, modelprint, modelprint.protocol\n"
        "import modelprint.protocol.canonical, modelprint.protocol.merkle\n"
        "import modelprint.protocol.records, modelprint.protocol.fingerprints\n"
        "import pkgutil, importlib, modelprint.protocol as p\n"
        "for m in pkgutil.iter_modules(p.__path__): importlib.import_module('modelprint.protocol.' + m.name)\n"
        "modelprint.FingerprintSet, modelprint.ModelprintError\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_errors_are_reexported_from_the_root() -> None:
    import modelprint
    from modelprint.protocol.errors import ModelprintError, SignatureError

    assert modelprint.ModelprintError is ModelprintError
    assert issubclass(modelprint.SignatureError, modelprint.VerificationError)
    assert SignatureError.exit_code == 1
