"""A CLI that guides: refusals before damage, errors that say what and where, help that explains."""

from __future__ import annotations

import argparse
import json
import socket
import warnings
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from modelprint.cli import build_parser, main
from modelprint.commit.ledger import Ledger
from modelprint.protocol.errors import ModelprintError
from modelprint.protocol.fingerprints import FingerprintSet
from tests.servers import LogProcess
from tests.tsa import make_pki


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def publisher(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A publisher's folder: ID.key, other.key, FP.secret (8 keys) and M.bundle, challenged."""
    monkeypatch.chdir(tmp_path)
    steps: list[tuple[object, ...]] = [
        ("keygen", "--out", "ID.key"),
        ("keygen", "--out", "other.key"),
        ("fingerprints", "--count", "8", "--scheme", "if-decrypt/v1", "--out", "FP.secret"),
        ("commit", "--identity", "ID.key", "--fingerprints", "FP.secret", "--model-name", "m",
         "--out", "M.bundle", "--time", "2025-01-01"),
        ("challenge", "--bundle", "M.bundle", "--count", "4", "--first-seen", "2025-06-01",
         "--out", "C.challenge"),
    ]  # fmt: skip
    for argv in steps:
        code, _, err = run(capsys, *argv)
        assert code == 0, (argv, err)
    return tmp_path


def _burned(folder: Path) -> set[int]:
    root = FingerprintSet.from_bytes((folder / "FP.secret").read_bytes()).root()
    return Ledger.load(folder / "FP.secret.ledger", root).burned()


def _reveal(capsys: pytest.CaptureFixture[str], *extra: object) -> tuple[int, str, str]:
    return run(capsys, "reveal", "C.challenge", "--fingerprints", "FP.secret", "--out", "R.reveal",
               *extra)  # fmt: skip


# -- reveal never burns for a reveal no verifier would accept ---------------------------------


def test_reveal_with_another_identity_and_no_bundle_burns_nothing(
    publisher: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _reveal(capsys, "--identity", "other.key")
    assert code == 1, err
    assert "FP.secret.ledger" in err and "not by this identity" in err and "nothing" in err
    assert "Error" not in err and "Traceback" not in err
    assert _burned(publisher) == set()
    assert not (publisher / "R.reveal").exists()
    code, _, err = _reveal(capsys, "--identity", "ID.key")
    assert code == 0, err
    assert len(_burned(publisher)) == 4


def test_reveal_of_a_bundle_the_ledger_does_not_know_needs_the_bundle(
    publisher: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (publisher / "FP.secret.ledger").unlink()  # a set committed before ledgers knew bundles
    code, _, err = _reveal(capsys, "--identity", "ID.key")
    assert code == 2 and "--bundle" in err and "nothing was revealed" in err
    assert not (publisher / "FP.secret.ledger").exists() or _burned(publisher) == set()
    code, _, err = _reveal(capsys, "--identity", "other.key", "--bundle", "M.bundle")
    assert code == 1 and "another identity" in err
    assert _burned(publisher) == set()
    code, _, err = _reveal(capsys, "--identity", "ID.key", "--bundle", "M.bundle")
    assert code == 0, err
    # the bundle given once is remembered: answering again needs no --bundle
    code, _, err = _reveal(capsys, "--identity", "ID.key")
    assert code == 0, err
    assert _reveal(capsys, "--identity", "other.key")[0] == 1


def test_a_public_key_given_as_the_identity_is_named_not_chmod(
    publisher: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (publisher / "ID.pub").chmod(0o644)  # as keygen writes it: judging its mode would say chmod
    code, _, err = _reveal(capsys, "--identity", "ID.pub")
    assert code == 2 and "ID.pub" in err and "public key" in err and ".key" in err
    assert "chmod" not in err and "permissions" not in err
    assert _burned(publisher) == set()


# -- commit --log that fails says so, and how to add the evidence --------------------------


def test_commit_whose_log_fails_says_the_bundle_lacks_it_and_how_to_add_it(
    publisher: Path, capsys: pytest.CaptureFixture[str], log_server: LogProcess
) -> None:
    dead = "http://127.0.0.1:9"
    code, out, err = run(capsys, "commit", "--identity", "ID.key", "--fingerprints", "FP.secret",
                         "--model-name", "m", "--out", "L.bundle", "--log", dead)  # fmt: skip
    assert code == 2  # documented: bad input or a server that failed
    assert "wrote L.bundle" in out and "without" in out
    assert err.count("\n") == 1 and err.startswith("modelprint: error: L.bundle")
    assert "without log evidence" in err and dead in err and "cannot connect" in err
    assert f"modelprint publish L.bundle --log {dead}" in err
    assert "Error" not in err  # no Python class names
    code, out, err = run(capsys, "publish", "L.bundle", "--log", log_server.url)
    assert code == 0, err
    code, out, _ = run(capsys, "inspect", "L.bundle", "--json")
    assert json.loads(out)["log_proofs"] == 1


# -- inspect reads every file modelprint writes --------------------------------------------


def test_inspect_reads_the_ledger_log_keys_and_tsa_roots(
    publisher: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _reveal(capsys, "--identity", "ID.key")[0] == 0
    code, out, err = run(capsys, "inspect", "FP.secret.ledger", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["kind"] == "ledger" and len(doc["burned"]) == 4 and doc["challenges"] == 1
    bundle = json.loads(run(capsys, "inspect", "M.bundle", "--json")[1])
    assert doc["commitments"] == [
        {"bundle": bundle["content_id"], "publisher_key_id": bundle["publisher_key_id"]}
    ]
    code, out, err = run(capsys, "log", "keygen", "--out", "LOG.key", "--origin", "example/log")
    assert code == 0, err
    code, out, err = run(capsys, "inspect", "LOG.pub")
    assert code == 0 and "example/log" in out and "--trust-log" in out, err
    assert json.loads(run(capsys, "inspect", "LOG.pub", "--json")[1])["origin"] == "example/log"
    pki = make_pki(publisher / "pki")
    code, out, err = run(capsys, "inspect", pki.root_cert)
    assert code == 0 and "Root CA" in out and "(CA)" in out, err
    der = publisher / "root.der"
    cert = x509.load_pem_x509_certificate(pki.root_cert.read_bytes())
    der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    code, out, err = run(capsys, "inspect", der, "--json")
    assert code == 0 and json.loads(out)["certificates"][0]["ca"] is True, err


# -- errors name the URL, the port, the file; no class names; --debug after the verb --------


def test_an_unreachable_api_is_named_in_one_line(
    publisher: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _reveal(capsys, "--identity", "ID.key")[0] == 0
    api = "http://127.0.0.1:9/v1"
    code, _, err = run(capsys, "verify", "--bundle", "M.bundle", "--challenge", "C.challenge",
                       "--reveal", "R.reveal", "--api", api, "--model", "x", "--retries", "0",
                       "--unsafe-trust-claimed-time")  # fmt: skip
    assert code == 2 and err.count("\n") == 1
    assert "127.0.0.1:9" in err and "cannot connect" in err and "Error" not in err


def test_serve_on_a_busy_port_fails_before_loading_and_names_the_port(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # the model does not exist: had it been loaded first, the error would be about the model
        code, _, err = run(capsys, "serve", "--model", tmp_path / "no-model", "--port", port)
    assert code == 2 and err.count("\n") == 1
    assert f"127.0.0.1:{port}" in err and "cannot listen" in err and "no-model" not in err


@pytest.mark.parametrize(
    ("group", "verbs"),
    [
        ("log", ("keygen", "serve")),
        ("tsa", ("init", "serve")),
        ("chain", ("verify",)),
        ("whitebox", ("compare", "png")),
        ("attack", ("finetune", "permute")),
    ],
)
def test_a_group_without_its_verb_prints_its_own_help(
    group: str, verbs: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, group)
    assert code == 2
    assert f"usage: modelprint {group}" in err and all(v in err for v in verbs)
    assert "fingerprints" not in err  # not the top-level list of verbs


def test_debug_and_verbose_work_after_the_verb(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk"
    junk.write_bytes(b"\x93junk")
    code, _, err = run(capsys, "inspect", junk)
    assert code == 2 and "junk" in err and "Error" not in err and "Traceback" not in err
    with pytest.raises(ModelprintError):
        main(["inspect", str(junk), "--debug"])
    with pytest.raises(ModelprintError):
        main(["--debug", "inspect", str(junk)])
    assert run(capsys, "inspect", junk, "-v")[0] == 2


# -- --help explains every option, shows defaults and exit codes ----------------------------


def _parsers(
    parser: argparse.ArgumentParser, name: str = "modelprint"
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(name, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for verb, child in action.choices.items():
                found += _parsers(child, f"{name} {verb}")
    return found


def test_every_option_has_help_and_defaults_are_shown(capsys: pytest.CaptureFixture[str]) -> None:
    unexplained = [
        (name, action.option_strings[0] if action.option_strings else action.dest)
        for name, parser in _parsers(build_parser())
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction) and not action.help
    ]
    assert not unexplained, unexplained
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    text = capsys.readouterr().out
    assert "(default: 60.0)" in text and "(default: 48)" in text
    assert "(default: None)" not in text and "(default: False)" not in text


def test_top_level_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "exit codes:" in text
    for code, words in (("0", "success"), ("1", "negative"), ("2", "bad input")):
        assert any(line.split()[:1] == [code] and words in line for line in text.splitlines())


# -- library warnings stay out of the user's way, unless -v or --debug ----------------------


def _warning_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``inspect`` warn as transformers and torch do during a fine-tune."""
    import modelprint.cli.inspect as inspect_cli

    def noisy(data: bytes) -> tuple[dict[str, str], str]:
        warnings.warn("`is_gradient_checkpointing` is deprecated", FutureWarning, stacklevel=1)
        warnings.warn("'pin_memory' argument is set as true but no accelerator", stacklevel=1)
        return {"kind": "x"}, "x"

    monkeypatch.setattr(inspect_cli, "describe", noisy)


@pytest.mark.parametrize("flags", [(), ("-v",), ("--debug",)])
def test_library_warnings_are_hidden_unless_asked_for(
    flags: tuple[str, ...],
    publisher: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _warning_command(monkeypatch)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        before = list(warnings.filters)
        assert main(["inspect", "M.bundle", *flags]) == 0
        assert warnings.filters == before  # the command's filters are gone with it
    assert len(seen) == (2 if flags else 0)
