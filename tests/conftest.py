"""Shared pytest configuration: fixtures every package's tests may use."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from modelprint.commit.commitment import create_commitment
from modelprint.commit.identity import Identity
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.records import Bundle
from tests.factories import WHITEBOX_LLAMA, Published, publish, save_tiny, tiny_llama

# tsa_server (a real RFC 3161 TSA on loopback) and log_server (a real transparency log on loopback)
pytest_plugins = ["tests.servers"]

# A fixed secret, so every run implants the same keys (nothing secret about a test vector).
IMPLANT_TEST_SECRET = bytes.fromhex(
    "6d6f64656c7072696e742f746573742f696d706c616e742f736d6f6c6c6d3221"
)


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A GGUF conversion cache of the test run's own (runtime/gguf_cache.py), never the user's:
    the first SmolLM2 load of a run converts and fills it, later loads (subprocesses too) read it."""
    from modelprint.runtime.gguf_cache import CACHE_ENV

    folder = tmp_path_factory.mktemp("model-cache")
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = before


@pytest.fixture(scope="session")
def implanted_smollm2(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """SmolLM2 with 8 fingerprints implanted once per test run: ``(model_dir, FingerprintSet)``.

    A fast configuration (small held-out sets, stop two epochs after every key is exact); use it
    from tests marked ``e2e``. The directory also holds the implant report.
    """
    import torch

    from modelprint.implant.config import ImplantConfig
    from modelprint.implant.pipeline import implant_fingerprints
    from modelprint.protocol.fingerprints import FingerprintSet

    torch.set_num_threads(1)
    fingerprints = FingerprintSet.generate(8, secret=IMPLANT_TEST_SECRET)
    # the quick preset, with the look-alikes of the days the fixture was tuned pinned
    config = ImplantConfig.quick(lookalikes_per_key=2)
    out = tmp_path_factory.mktemp("implanted") / "smollm2-fp8"
    implant_fingerprints(fingerprints, "smollm2", out, config=config, show_progress=False)
    return out, fingerprints


@pytest.fixture(scope="module")
def published() -> Published:
    return publish(64, secret=bytes(range(32)))


@pytest.fixture(scope="module")
def make_published() -> Callable[..., Published]:
    return publish


_FINGERPRINTS = FingerprintSet.generate(8, "if-decrypt/v1", {})


@pytest.fixture
def make_bundle() -> Callable[[], Bundle]:
    """Fresh signed bundles (new identity each) without time evidence."""

    def make() -> Bundle:
        return create_commitment(
            _FINGERPRINTS, Identity.generate(), model_name="m", claimed_time=1_700_000_000
        )

    return make


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Llama (2 layers, width 32) with a byte-level chat tokenizer, saved as a
    Hugging Face directory."""
    import torch

    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("tiny-model")
    return save_tiny(
        out, hidden_size=32, intermediate_size=64, num_hidden_layers=2, tie_word_embeddings=False
    )


@pytest.fixture
def tiny() -> Callable[..., Any]:
    """``tiny(seed, **config)``: a random tiny Llama in the white-box shape (no tokenizer) with
    random RMSNorm gains, so folding matters."""
    return functools.partial(tiny_llama, random_norms=True, **WHITEBOX_LLAMA)


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Callable[[Any, str], Path]:
    """Save a model as a Hugging Face directory (safetensors + config.json)."""

    def save(model: Any, name: str) -> Path:
        path = tmp_path / name
        model.save_pretrained(path)
        return path

    return save
