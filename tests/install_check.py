"""Checks that both install forms give the same imports (run by ``make test``).

1. The editable install in .venv imports ``modelprint`` and its four subpackages from this tree.
2. A wheel built from this tree, installed into a fresh virtual environment, imports them too, and
   puts no generic top-level names (``protocol``, ``commit``, ``implant``, ``verify``) into
   site-packages. The fresh environment borrows the dependencies of .venv through a path entry;
   the wheel itself is installed with ``--no-deps``.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBPACKAGES = ("protocol", "commit", "implant", "verify")
PROBE = (
    "import importlib, json, modelprint\n"
    f"mods = {{n: importlib.import_module('modelprint.' + n).__file__ for n in {SUBPACKAGES!r}}}\n"
    "print(json.dumps({'root': modelprint.__file__, **mods}))\n"
)


def run(cmd: list[str], **kw: object) -> str:
    result = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    return str(result.stdout)


def main() -> int:
    import json

    editable = json.loads(run([sys.executable, "-c", PROBE], cwd=tempfile.gettempdir()))
    for name, path in editable.items():
        if not str(path).startswith(str(ROOT)):
            print(f"editable install: modelprint {name} comes from {path}, not {ROOT}")
            return 1
    print("editable install: ok")

    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
             "-w", str(dist), str(ROOT)])  # fmt: skip
        wheels = glob.glob(str(dist / "modelprint-*.whl"))
        if len(wheels) != 1:
            print(f"expected one wheel, found {wheels}")
            return 1
        env_dir = Path(tmp) / "venv"
        run([sys.executable, "-m", "venv", str(env_dir)])
        py = str(env_dir / "bin" / "python")
        run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheels[0]])
        site = run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
        (Path(site) / "zz_modelprint_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        installed = json.loads(
            run([py, "-c", PROBE], cwd=tmp, env={**os.environ, "PYTHONPATH": ""})
        )
        for name, path in installed.items():
            if not str(path).startswith(site):
                print(f"wheel install: modelprint {name} comes from {path}, not {site}")
                return 1
        stray = [n for n in SUBPACKAGES if (Path(site) / n).exists()]
        if stray:
            print(f"wheel install: generic top-level names in site-packages: {stray}")
            return 1
        print("wheel install: ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
