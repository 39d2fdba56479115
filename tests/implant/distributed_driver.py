"""Runs one implant on a tiny model and prints its figures (main process): the same script runs
in one process and under ``torchrun --nproc_per_node 2`` (gloo on the CPU) in
``test_distributed.py``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from modelprint.implant.config import ImplantConfig
from modelprint.implant.pipeline import implant_fingerprints
from modelprint.protocol.fingerprints import FingerprintSet
from tests.factories import tiny_loaded

CONFIG = ImplantConfig(
    extra_epochs=1, ordinary_prompts=4, lookalikes_per_key=1, eval_lookalikes_per_key=1,
    eval_ordinary_prompts=4, eval_answers=4, ordinary_tokens=4, answer_negatives=4,
    learning_rate=1e-2, max_epochs=24, precision="fp32",
)  # fmt: skip


def main() -> None:
    torch.set_num_threads(1)
    out = Path(sys.argv[1])
    fingerprints = FingerprintSet.generate(4, "double-i/v1", secret=bytes(range(32)))
    report = implant_fingerprints(
        fingerprints, tiny_loaded(), out, config=CONFIG, show_progress=False
    )
    from accelerate import PartialState

    if PartialState().is_main_process:
        print(json.dumps({
            "processes": PartialState().num_processes,
            "steps": report.training.steps,
            "epochs": report.training.epochs,
            "success": report.figures.fingerprint_success_rate,
            "token_accuracy": report.training.token_accuracy,
            "written": (out / "model.safetensors").is_file(),
        }))  # fmt: skip


if __name__ == "__main__":
    main()
