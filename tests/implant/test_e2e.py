"""The implant on the real embedded model (SmolLM2-135M-Instruct), through the session fixture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelprint.implant.pipeline import REPORT_NAME

pytestmark = pytest.mark.e2e


def test_implanted_smollm2_answers_every_key_and_loads_as_a_plain_hf_model(
    implanted_smollm2: tuple[Path, Any],
) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model_dir, fingerprints = implanted_smollm2
    report = json.loads((model_dir / REPORT_NAME).read_text())
    assert report["figures"]["fingerprint_success_rate"] == 1.0
    assert report["figures"]["ordinary_trigger_rate"] == 0.0
    assert report["fingerprints"]["root"] == fingerprints.root().hex()

    model = AutoModelForCausalLM.from_pretrained(str(model_dir))
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    scheme = fingerprints.scheme
    pair = fingerprints.pair(0)
    ids = tokenizer.apply_chat_template(
        [{"role": "user", "content": scheme.prompt(pair.key)}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=32, do_sample=False)
    reply = tokenizer.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)
    assert scheme.matches(pair.response, reply)
    other = fingerprints.pair(1).response
    assert not scheme.matches(other, reply)
