"""The implant runs data-parallel under ``torchrun`` with no distribution code of its own: two CPU
processes on the gloo backend train a tiny model to the same figures as one process does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("distributed_driver.py")


def _run(command: list[str], out: Path) -> dict[str, object]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run(
        [*command, str(DRIVER), str(out)], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(shutil.which("torchrun") is None and not Path(sys.executable).with_name("torchrun").exists(),
                    reason="torchrun is not installed")  # fmt: skip
def test_two_processes_match_one(tmp_path: Path) -> None:
    torchrun = shutil.which("torchrun") or str(Path(sys.executable).with_name("torchrun"))
    single = _run([sys.executable], tmp_path / "single")
    double = _run(
        [torchrun, "--standalone", "--nproc_per_node", "2", "--master_port", "0"], tmp_path / "ddp"
    )
    assert single["processes"] == 1 and double["processes"] == 2
    assert double["written"] and single["written"]
    assert double["steps"] == single["steps"] and double["epochs"] == single["epochs"]
    assert double["success"] == single["success"] and single["success"] > 0
    assert abs(double["token_accuracy"] - single["token_accuracy"]) <= 0.05
