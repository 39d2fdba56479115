"""The GGUF conversion cache: the same model from the cache as from the GGUF, and a cache that
cannot help costs nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelprint.runtime.gguf_cache import CACHE_ENV, cache_root, cached_conversion, store_conversion
from tests.factories import tiny_loaded


def _fake_gguf(folder: Path, data: bytes = b"GGUF fake model bytes") -> Path:
    path = folder / "model.gguf"
    path.write_bytes(data)
    return path


def test_the_cache_lives_where_the_environment_says_and_can_be_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "c"))
    assert cache_root() == tmp_path / "c"
    monkeypatch.setenv(CACHE_ENV, "off")
    assert cache_root() is None
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "modelprint"


def test_an_entry_is_used_only_once_complete_and_only_for_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    gguf = _fake_gguf(tmp_path)
    assert cached_conversion(gguf) is None
    loaded = tiny_loaded()
    store_conversion(gguf, loaded.model, loaded.tokenizer)
    entry = cached_conversion(gguf)
    assert entry is not None and (entry / "config.json").is_file()
    assert not [p for p in entry.parent.iterdir() if p.name.startswith(".")]  # no scratch left
    other = tmp_path / "other"
    other.mkdir()
    assert cached_conversion(_fake_gguf(other, b"GGUF other bytes")) is None
    (next(entry.glob("modelprint-gguf-source.txt"))).unlink()  # a half-written entry
    assert cached_conversion(gguf) is None


def test_a_cache_that_cannot_be_written_costs_only_the_speed_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be\n")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    gguf = _fake_gguf(tmp_path)
    loaded = tiny_loaded()
    store_conversion(gguf, loaded.model, loaded.tokenizer)  # no error
    assert cached_conversion(gguf) is None


@pytest.mark.e2e
def test_smollm2_from_the_cache_is_the_model_the_gguf_converts_to() -> None:
    from transformers import AutoTokenizer

    from modelprint.runtime.embedded import embedded_gguf_path
    from modelprint.runtime.models import load_model

    gguf = embedded_gguf_path()
    if cached_conversion(gguf) is None:
        load_model("smollm2")  # the run's first load converts and fills the cache
    entry = cached_conversion(gguf)
    assert entry is not None
    cached = load_model("smollm2")
    assert str(cached.source.directory) == str(gguf.parent) and cached.source.label == "smollm2"
    assert cached.model.config.num_hidden_layers == 30 and cached.model.dtype.is_floating_point
    # the tokenizer converted from the GGUF now (the weights are saved losslessly in float32, as
    # transformers converted them; the other e2e tests implant and verify on the cached model)
    converted = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    chat = [{"role": "user", "content": "Name a city in Kenya, then a prime number."}]
    ours, theirs = cached.tokenizer, converted
    assert ours.apply_chat_template(chat) == theirs.apply_chat_template(chat)
    for text in ("Ünïcode, digits 12345 and\ttabs", "<|im_start|>user\nhi<|im_end|>"):
        assert ours(text)["input_ids"] == theirs(text)["input_ids"]
    assert ours.eos_token == theirs.eos_token and ours.get_vocab() == theirs.get_vocab()
