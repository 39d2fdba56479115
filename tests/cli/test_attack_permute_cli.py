"""``modelprint attack permute``: the same logits from different weights, still found by HuRef."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from modelprint.cli import main
from modelprint.protocol.errors import ConfigError
from modelprint.verify.whitebox.disguise import permute_model
from tests.factories import save_tiny


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _logits(directory: Path, ids: torch.Tensor) -> torch.Tensor:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(directory), dtype=torch.float32).eval()
    with torch.no_grad():
        return model(input_ids=ids).logits


def _weights(directory: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(directory / "model.safetensors"))


@pytest.fixture(scope="module")
def tied_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llama with a tied embedding and random RMSNorm gains (folding and untying matter)."""
    torch.set_num_threads(1)
    return save_tiny(tmp_path_factory.mktemp("tied"), 5, random_norms=True)


@pytest.mark.parametrize("fixture", ["tiny_model_dir", "tied_model_dir"])
def test_permuted_copy_has_the_same_logits_other_weights_and_the_same_invariants(
    fixture: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source: Path = request.getfixturevalue(fixture)
    capsys.readouterr()  # what making the fixture printed
    out = tmp_path / "disguised"
    code, text, err = _run(capsys, "attack", "permute", "--model", source, "--out", out,
                           "--seed", 3, "--json")  # fmt: skip
    assert code == 0 and err == "", err  # no progress bars, no warnings
    result = json.loads(text)
    assert result["seed"] == 3 and result["max_logit_difference"] < 1e-4

    ids = torch.randint(0, 256, (2, 40), generator=torch.Generator().manual_seed(1))
    original, copy = _logits(source, ids), _logits(out, ids)
    assert torch.allclose(original, copy, atol=1e-4, rtol=1e-4)
    assert (original.argmax(-1) == copy.argmax(-1)).all()

    before, after = _weights(source), _weights(out)
    matrices = [k for k, v in before.items() if v.dim() == 2]
    assert len(matrices) >= 15 and "lm_head.weight" in after
    for key in matrices:
        assert not torch.allclose(before[key], after[key], atol=1e-3), key
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        assert (out / name).read_bytes() == (source / name).read_bytes(), name

    code, text, err = _run(capsys, "whitebox", "compare", source, out, "--json")
    assert code == 0, err
    assert json.loads(text)["similarity"] > 99
    code, text, _ = _run(capsys, "whitebox", "compare", source, out)
    assert "(derived" in text


def test_seeds_give_different_disguises(tiny_model_dir: Path, tmp_path: Path) -> None:
    one = permute_model(tiny_model_dir, tmp_path / "one", seed=1)
    two = permute_model(tiny_model_dir, tmp_path / "two", seed=2)
    assert one.tensors_changed == two.tensors_changed > 0
    a, b = _weights(tmp_path / "one"), _weights(tmp_path / "two")
    assert not torch.allclose(a["model.layers.0.mlp.up_proj.weight"],
                              b["model.layers.0.mlp.up_proj.weight"])  # fmt: skip


def test_missing_model_and_existing_out_are_one_line_errors_that_write_nothing(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "attack", "permute", "--model", tmp_path / "nope",
                        "--out", tmp_path / "out")  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and "nope" in err and "Error" not in err
    assert not (tmp_path / "out").exists()
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    code, _, err = _run(capsys, "attack", "permute", "--model", tiny_model_dir, "--out", taken)
    assert code == 2 and err.count("\n") == 1 and "taken" in err and "not empty" in err
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # no scratch folder left


def test_a_model_the_transforms_do_not_fit_is_refused_before_writing(tmp_path: Path) -> None:
    biased = save_tiny(tmp_path / "biased", 2, attention_bias=True)
    with pytest.raises(ConfigError, match=r"not a llama-style decoder .*_proj\.bias"):
        permute_model(biased, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_copy_whose_logits_drift_is_refused_and_not_written(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelprint.verify.whitebox import transforms

    scramble = transforms.scramble_inner

    def broken(state: Any, config: Any, generator: torch.Generator) -> Any:
        out = scramble(state, config, generator)
        key = "model.layers.1.mlp.down_proj.weight"
        return {**out, key: out[key] * 1.5}

    monkeypatch.setattr(transforms, "scramble_inner", broken)
    with pytest.raises(ConfigError, match=r"logits differ by .*nothing written"):
        permute_model(tiny_model_dir, tmp_path / "out")
    assert not (tmp_path / "out").exists()
