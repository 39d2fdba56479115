"""HuRef invariants: unchanged by function-preserving disguises, robust to fine-tuning, and
uncorrelated between independent models."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from modelprint.protocol.errors import ConfigError
from modelprint.verify.whitebox import (
    compare,
    compute_invariants,
    invariants_of,
    load_weights,
    select_token_ids,
    similarity,
    weights_from_model,
)
from modelprint.verify.whitebox import transforms as t

Factory = Callable[..., Any]


def _logits(model: Any, seed: int = 0) -> torch.Tensor:
    ids = torch.randint(
        0, model.config.vocab_size, (2, 20), generator=torch.Generator().manual_seed(seed)
    )
    with torch.no_grad():
        out: torch.Tensor = model(ids).logits
    return out


def test_disguise_keeps_outputs_but_changes_every_weight(tiny: Factory, disguised: Any) -> None:
    base = tiny(0)
    twin = disguised(base, 1)
    assert torch.allclose(_logits(base), _logits(twin), atol=1e-5, rtol=1e-4)
    for name in ("model.embed_tokens.weight", "model.layers.2.self_attn.q_proj.weight"):
        a, b = base.state_dict()[name].ravel(), twin.state_dict()[name].ravel()
        assert abs(float(torch.nn.functional.cosine_similarity(a, b, dim=0))) < 0.3


def test_similarity_is_100_under_permutation_rotation_and_inner_scrambling(
    tiny: Factory, disguised: Any
) -> None:
    base = tiny(0)
    result = compare(base, disguised(base, 7)).result
    assert result.similarity > 99.99
    assert all(v > 99.99 for v in result.terms.values())


def test_rotation_is_refused_until_norm_gains_are_folded(tiny: Factory) -> None:
    base = tiny(0)
    config = base.config.to_dict()
    rotation = t.random_orthogonal(64, torch.Generator().manual_seed(0))
    with pytest.raises(ConfigError, match="fold"):
        t.rotate_hidden(base.state_dict(), config, rotation)


def test_similarity_stays_high_after_lora_finetune(tiny: Factory, finetuned: Factory) -> None:
    base = tiny(0)
    before = _logits(base)
    tuned = finetuned(tiny(0))
    name = "model.layers.2.mlp.up_proj.weight"
    w0, w1 = base.state_dict()[name], tuned.state_dict()[name]
    assert (w1 - w0).norm() / w0.norm() > 0.1  # a heavy fine-tune for this model
    assert (_logits(tuned) - before).abs().max() > 1e-3
    assert compare(base, tuned).result.similarity > 90


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_independently_seeded_models_are_unrelated(tiny: Factory, seed: int) -> None:
    assert compare(tiny(0), tiny(seed)).result.similarity < 10


def test_attention_term_matches_explicit_per_head_sum_with_gqa(tiny: Factory) -> None:
    model = tiny(0)
    w = weights_from_model(model, last_layers=1)
    layer = w.layers[0]
    ids = select_token_ids(w.vocab_size, 8)
    x = w.embedding[list(ids)] * layer.attn_norm
    expected = torch.zeros(8, 8, dtype=torch.float64)
    group = w.num_heads // w.num_kv_heads
    for h in range(w.num_heads):
        g = h // group
        wq = layer.q[h * w.head_dim : (h + 1) * w.head_dim].T
        wk = layer.k[g * w.head_dim : (g + 1) * w.head_dim].T
        expected += x @ wq @ wk.T @ x.T
    expected = (expected - expected.mean()) / expected.std(unbiased=False)
    got = compute_invariants(w, ids).terms["attn_qk"][0]
    assert np.allclose(got, expected.numpy(), atol=1e-9)


def test_token_ids_are_deterministic_rare_and_in_range() -> None:
    ids = select_token_ids(49152)
    assert ids == select_token_ids(49152)
    assert len(ids) == len(set(ids)) == 64
    assert min(ids) >= 49152 // 2 and max(ids) < 49152 - 491
    with pytest.raises(ConfigError):
        select_token_ids(40, 64)


def test_comparison_probes_both_models_at_the_first_models_tokens(tiny: Factory) -> None:
    a, b = tiny(0), tiny(1, vocab_size=1024)
    result = compare(a, b)
    assert result.a.token_ids == result.b.token_ids == select_token_ids(512)
    with pytest.raises(ConfigError, match="different tokens"):
        similarity(invariants_of(a), invariants_of(b))


def test_safetensors_directory_reads_the_same_weights_as_the_model(
    tiny: Factory, tiny_dir: Callable[[Any, str], Path]
) -> None:
    model = tiny(0)
    from_dir = load_weights(tiny_dir(model, "m"))
    from_model = weights_from_model(model)
    assert [layer.index for layer in from_dir.layers] == [1, 2]
    assert torch.equal(from_dir.layers[1].down, from_model.layers[1].down)
    assert compare(from_dir, from_model).result.similarity == 100.0


def test_non_llama_state_is_refused(tiny: Factory) -> None:
    from modelprint.verify.whitebox import weights_from_model as wfm

    model = tiny(0)
    model.model.layers[2].mlp.up_proj = torch.nn.Identity()
    with pytest.raises(ConfigError, match="up_proj"):
        wfm(model)
