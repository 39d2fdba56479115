"""``modelprint implant`` and ``modelprint attack finetune`` on a tiny model directory."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from modelprint.cli import main
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.runtime.documents import save_fingerprints
from tests.factories import save_tiny


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def implant(capsys: pytest.CaptureFixture[str], workdir: Path, *extra: str) -> tuple[int, str, str]:
    """``implant`` of the work folder's fingerprints into its tiny model, writing ``m``."""
    return run(
        capsys, "implant", "--fingerprints", str(workdir / "fp.secret"), "--base",
        str(workdir / "tiny"), "--out", str(workdir / "m"), *extra,
    )  # fmt: skip


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    save_tiny(tmp_path / "tiny")
    fs = FingerprintSet.generate(2, params={"key_chars": 4}, secret=bytes(range(32)))
    save_fingerprints(tmp_path / "fp.secret", fs)
    return tmp_path


@pytest.fixture
def small_implant(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's implant config, cut down to what a tiny model trains in a second."""
    from modelprint.implant import config as config_module

    original = config_module.ImplantConfig
    small = original(
        max_epochs=1, ordinary_prompts=2, lookalikes_per_key=1, eval_lookalikes_per_key=1,
        eval_ordinary_prompts=2, eval_answers=2, ordinary_tokens=2,
    )  # fmt: skip
    monkeypatch.setattr(
        config_module, "ImplantConfig", lambda seed=0, **chosen: original(
            **(small.to_dict() | {"seed": seed} | chosen)  # type: ignore[arg-type]
        ),
    )  # fmt: skip


@pytest.mark.usefixtures("small_implant")
def test_implant_prints_the_report_as_json(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = implant(
        capsys, workdir, "--seed", "3", "--contrast-per-key", "2", "--max-epochs", "2",
        "--precision", "fp32", "--margin", "0.5", "--json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert doc["kind"] == "modelprint/implant-report"
    assert doc["config"]["seed"] == 3
    assert doc["config"]["max_epochs"] == 2 and doc["config"]["contrast_per_key"] == 2
    assert doc["config"]["precision"] == "fp32" and doc["training"]["precision"] == "fp32"
    assert doc["config"]["margin_weight"] == 0.5
    rounds = doc["config"]["contrast_rounds"]
    assert doc["config"]["material"]["contrasts"] == 2 * 2 * rounds  # 2 keys, 2 each per turn
    assert (workdir / "m" / "model.safetensors").is_file()
    assert json.loads((workdir / "m" / "modelprint-implant.json").read_text()) == doc


CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # anything but a newline


@pytest.mark.usefixtures("small_implant")
def test_implant_progress_off_a_terminal_is_one_plain_line_per_phase(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = implant(capsys, workdir, "--max-epochs", "2")
    assert code == 0, err
    assert not CONTROL.search(err)
    lines = err.splitlines()
    assert lines[0].startswith("loading the base model: ")
    assert lines[1].startswith("base targets from the base model: ")
    assert lines[2].startswith("scoring the base model on held-out answers: ")
    assert re.match(r"training epoch 1 of at most 2: (\d+)/\1 steps, \d+ s$", lines[3])
    assert lines[-2].startswith("merging and saving the model: ")
    assert lines[-1].startswith("evaluating on held-out keys and prompts: ")
    assert "{" not in err and "keys exact" not in err  # no raw dicts; figures only with -v


@pytest.mark.usefixtures("small_implant")
def test_implant_progress_details_with_verbose(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = implant(capsys, workdir, "-v")
    assert code == 0, err
    assert "epoch 1: keys exact" in err and "training on " in err
    assert "{" not in err and not CONTROL.search(err)


def test_attack_finetune_writes_a_model_and_measures_success(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "attack", "finetune", "--model", str(workdir / "tiny"), "--out",
        str(workdir / "attacked"), "--steps", "2", "--fingerprints", str(workdir / "fp.secret"),
        "--json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert doc["steps"] == 2 and 0.0 <= doc["fingerprint_success_rate"] <= 1.0
    assert re.search(r"^fine-tuning a rank-8 LoRA adapter: 2/2 steps, \d+ s$", err, re.M)
    assert "measuring fingerprint success after the attack: " in err
    assert not CONTROL.search(err)
    assert (workdir / "attacked" / "model.safetensors").is_file()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--fingerprints", "{w}/missing.secret", "--base", "{w}/tiny"], "missing.secret"),
        (["--fingerprints", "{w}/fp.secret", "--base", "{w}/nowhere"], "nowhere"),
        (["--fingerprints", "{w}/tiny/config.json", "--base", "{w}/tiny"], "config.json"),
        (
            ["--fingerprints", "{w}/fp.secret", "--base", "{w}/tiny", "--max-epochs", "0"],
            "max_epochs=0",
        ),
        (
            ["--fingerprints", "{w}/fp.secret", "--base", "{w}/tiny", "--margin", "-1"],
            "margin_weight=-1.0",
        ),
    ],
)
def test_bad_inputs_are_one_line_errors(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    (workdir / "tiny" / "config.json").chmod(0o600)
    args = [a.format(w=workdir) for a in argv]
    code, _, err = run(capsys, "implant", *args, "--out", str(workdir / "out"))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("modelprint: error:")
    assert needle in err and "Traceback" not in err
    assert not (workdir / "out").exists()


def test_attack_without_a_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "attack")
    assert code == 2 and "finetune" in err


def _parent_files(workdir: Path) -> dict[str, Path]:
    """A parent's bundle, a challenge of 2 of its 4 keys and its signed reveal, as files."""
    from modelprint.runtime.documents import save_bundle
    from tests.factories import publish

    parent = publish(4, secret=bytes(range(1, 33)))
    challenge = parent.challenge(2)
    files = {
        "bundle": workdir / "parent.bundle",
        "challenge": workdir / "parent.challenge",
        "reveal": workdir / "parent.reveal",
        "secret": workdir / "parent.secret",
    }
    save_bundle(files["bundle"], parent.bundle)
    files["challenge"].write_bytes(challenge.to_bytes())
    files["reveal"].write_bytes(parent.reveal(challenge).to_bytes())
    save_fingerprints(files["secret"], parent.fingerprints)
    return files


@pytest.mark.usefixtures("small_implant")
def test_implant_scores_the_parents_keys_before_and_after(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _parent_files(workdir)
    code, out, err = implant(
        capsys, workdir, "--parent-bundle", str(files["bundle"]), "--parent-challenge",
        str(files["challenge"]), "--parent-reveal", str(files["reveal"]),
        "--parent-fingerprints", str(files["secret"]), "--json",
    )  # fmt: skip
    assert code == 0, err
    parents = json.loads(out)["parents"]
    assert [(p["label"], p["source"], p["keys"]) for p in parents] == [
        ("parent", "fingerprints", 4),
        ("test-model", "reveal", 2),
    ]
    for p in parents:
        assert 0.0 <= p["success_before"] <= 1.0 and 0.0 <= p["success_after"] <= 1.0
    report = json.loads((workdir / "m" / "modelprint-implant.json").read_text())
    assert report["parents"] == parents


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ("uneven", "come in threes"),
        ("other-bundle", "another bundle"),
        ("tampered-reveal", "parent.reveal"),
    ],
)
def test_a_parent_reveal_that_does_not_check_trains_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str], change: str, needle: str
) -> None:
    from modelprint.runtime.documents import save_bundle
    from tests.factories import publish

    files = _parent_files(workdir)
    argv = ["--parent-bundle", str(files["bundle"]), "--parent-challenge", str(files["challenge"])]
    if change != "uneven":
        argv += ["--parent-reveal", str(files["reveal"])]
    if change == "other-bundle":
        save_bundle(files["bundle"], publish(4).bundle)
    if change == "tampered-reveal":
        data = bytearray(files["reveal"].read_bytes())
        data[-5] ^= 1
        files["reveal"].write_bytes(bytes(data))
    code, _, err = implant(capsys, workdir, *argv)
    assert code in (1, 2), err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err
    assert not (workdir / "m").exists()
