"""``implant_fingerprints`` end to end on a tiny random Llama: files, report, errors, learning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from modelprint.implant.config import ImplantConfig
from modelprint.implant.evaluation import fingerprint_success
from modelprint.implant.pipeline import REPORT_NAME, implant_fingerprints
from modelprint.protocol.errors import ConfigError
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.runtime.chat import ChatEncoder
from tests.factories import tiny_loaded

FAST = ImplantConfig(
    max_epochs=2,
    ordinary_prompts=4,
    lookalikes_per_key=1,
    eval_lookalikes_per_key=1,
    eval_ordinary_prompts=4,
    eval_answers=4,
    ordinary_tokens=4,
)


def _fingerprints(count: int = 3) -> FingerprintSet:
    return FingerprintSet.generate(count, params={"key_chars": 4}, secret=bytes(range(32)))


def test_implant_writes_a_loadable_model_directory_and_a_report(tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    fs = _fingerprints()
    out = tmp_path / "model"
    report = implant_fingerprints(fs, tiny_loaded(), out, config=FAST, show_progress=False)
    assert (out / "model.safetensors").is_file()
    assert AutoModelForCausalLM.from_pretrained(str(out)) is not None
    assert AutoTokenizer.from_pretrained(str(out)).chat_template
    doc = json.loads((out / REPORT_NAME).read_text())
    assert doc["kind"] == "modelprint/implant-report"
    assert doc["fingerprints"] == {
        "count": 3, "scheme": "if-decrypt/v1", "params": {"key_chars": 4}, "root": fs.root().hex(),
    }  # fmt: skip
    figures = doc["figures"]
    for name in ("fingerprint_success_rate", "lookalike_trigger_rate", "ordinary_trigger_rate",
                 "top1_agreement"):  # fmt: skip
        assert 0.0 <= figures[name] <= 1.0
    assert figures["perplexity_ratio"] > 0
    assert report.figures.lookalikes == 3 and report.figures.ordinary_prompts == 4
    text = (out / REPORT_NAME).read_text()
    assert not any(p.key in text or p.response in text for p in fs.pairs())
    assert not list(tmp_path.glob(".model.*")), "the scratch directory must be renamed away"


def test_adapter_only_keeps_the_lora_adapter(tmp_path: Path) -> None:
    out = tmp_path / "adapter"
    implant_fingerprints(
        _fingerprints(), tiny_loaded(), out, config=FAST, adapter_only=True, show_progress=False
    )
    assert (out / "adapter_config.json").is_file()
    assert (out / "adapter_model.safetensors").is_file()
    assert not (out / "model.safetensors").exists()
    assert json.loads((out / REPORT_NAME).read_text())["adapter_only"] is True


def test_a_non_empty_output_directory_is_refused_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty"):
        implant_fingerprints(_fingerprints(), tiny_loaded(), out, config=FAST, show_progress=False)
    assert (out / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_the_same_seed_gives_the_same_weights(tmp_path: Path) -> None:
    from safetensors.torch import load_file

    for name in ("a", "b"):
        implant_fingerprints(
            _fingerprints(), tiny_loaded(), tmp_path / name, config=FAST, show_progress=False
        )
    a = load_file(str(tmp_path / "a" / "model.safetensors"))
    b = load_file(str(tmp_path / "b" / "model.safetensors"))
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_training_moves_the_replies_towards_the_keys_targets(tmp_path: Path) -> None:
    fs = _fingerprints(2)
    loaded = tiny_loaded()
    encoder = ChatEncoder(loaded.tokenizer)
    assert fingerprint_success(loaded.model, encoder, fs) == 0.0
    short = ImplantConfig(max_epochs=1, learning_rate=1e-2, adapter_layers=1.0, batch_size=4,
                          ordinary_prompts=2, lookalikes_per_key=1, eval_lookalikes_per_key=1,
                          eval_ordinary_prompts=2, eval_answers=2, ordinary_tokens=2)  # fmt: skip
    longer = ImplantConfig(**(short.to_dict() | {"max_epochs": 6}))  # type: ignore[arg-type]
    runs = [
        implant_fingerprints(
            fs, tiny_loaded(), tmp_path / str(c.max_epochs), config=c, show_progress=False
        ).training
        for c in (short, longer)
    ]
    assert runs[1].token_accuracy > runs[0].token_accuracy
    assert runs[1].steps > runs[0].steps


def test_a_stage_on_a_parent_ties_random_requests_of_the_parents_scheme_to_the_base(
    tmp_path: Path,
) -> None:
    from modelprint.implant.corpus import load_corpus
    from modelprint.implant.examples import build_material
    from modelprint.protocol.schemes import get_scheme

    fs = _fingerprints()
    parent = get_scheme("natural/v1", {})
    loaded = tiny_loaded()
    encoder = ChatEncoder(loaded.tokenizer)
    config = FAST.on_parent(fs.scheme_name)
    assert config.parent_anchors == 24 and FAST.parent_anchors == 0
    plain = build_material(fs, load_corpus(), encoder, loaded.model, FAST)
    anchored = build_material(
        fs, load_corpus(), encoder, loaded.model, config, parent_schemes=[parent]
    )
    assert plain.counts["parent_anchors"] == 0 and anchored.counts["parent_anchors"] == 24
    assert anchored.counts["key_negatives"] == plain.counts["key_negatives"]
    extra = {tuple(e.input_ids) for e in anchored.examples} - {
        tuple(e.input_ids) for e in plain.examples
    }
    users = [
        loaded.tokenizer.decode(list(ids)).split("user\n", 1)[1].split("<|im_end|>", 1)[0]
        for ids in extra
    ]
    # the anchors are requests the parent's public grammar parses (the base's reply as target)
    assert len(users) == 24 and all(parent.parse(u) is not None for u in users), users[:3]
