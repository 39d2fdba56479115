"""Function-preserving weight transforms: what an adversary does to hide a model's lineage.

Each transform takes a llama-style state dict (Hugging Face names, ``nn.Linear`` layout ``[out, in]``)
and returns a new one that computes the same logits (up to float rounding) while every weight matrix
looks different. HuRef's invariants must not move under any of them; the tests and the benchmark use
them to show that.

* :func:`fold_norms` moves every RMSNorm gain into the matrices after it (gains become ones) and
  unties ``lm_head`` from the embedding. A residual-stream rotation is only function-preserving after
  this, because RMSNorm's ``x/rms(x)`` commutes with rotations but its elementwise gain does not.
* :func:`rotate_hidden` applies an orthogonal ``R`` to the residual stream (a permutation of hidden
  dimensions is a special case): ``E → E·R``, readers ``W → W·R``, writers ``W → Rᵀ·W``.
* :func:`scramble_inner` changes bases inside blocks: permutes attention head groups and SwiGLU
  neurons, scales q/k and up/down reciprocally, and applies a random invertible map in each value/output
  head space.

The returned model is untied (``tie_word_embeddings=False``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ...protocol.errors import ConfigError

__all__ = [
    "fold_norms",
    "random_orthogonal",
    "random_permutation",
    "rotate_hidden",
    "scramble_inner",
]

State = dict[str, torch.Tensor]

_READERS = (
    "self_attn.q_proj",
    "self_attn.k_proj",
    "self_attn.v_proj",
    "mlp.gate_proj",
    "mlp.up_proj",
)
_WRITERS = ("self_attn.o_proj", "mlp.down_proj")


def _num_layers(config: Mapping[str, Any]) -> int:
    return int(config["num_hidden_layers"])


def _layer(i: int) -> str:
    return f"model.layers.{i}."


def fold_norms(state: Mapping[str, torch.Tensor], config: Mapping[str, Any]) -> State:
    """Fold RMSNorm gains into the following projections (and the final norm into ``lm_head``)."""
    out = {k: v.clone() for k, v in state.items()}
    for i in range(_num_layers(config)):
        p = _layer(i)
        for norm, readers in (
            ("input_layernorm", _READERS[:3]),
            ("post_attention_layernorm", _READERS[3:]),
        ):
            gain = out[f"{p}{norm}.weight"]
            for reader in readers:
                out[f"{p}{reader}.weight"] = out[f"{p}{reader}.weight"] * gain[None, :]
            out[f"{p}{norm}.weight"] = torch.ones_like(gain)
    head = state.get("lm_head.weight", state["model.embed_tokens.weight"])
    out["lm_head.weight"] = head * out["model.norm.weight"][None, :]
    out["model.norm.weight"] = torch.ones_like(out["model.norm.weight"])
    return out


def random_orthogonal(size: int, generator: torch.Generator) -> torch.Tensor:
    """A random orthogonal matrix (QR of a Gaussian matrix, signs fixed), float64."""
    q, r = torch.linalg.qr(torch.randn(size, size, generator=generator, dtype=torch.float64))
    return q * torch.sign(torch.diagonal(r))[None, :]


def random_permutation(size: int, generator: torch.Generator) -> torch.Tensor:
    """A random permutation matrix, float64."""
    return torch.eye(size, dtype=torch.float64)[torch.randperm(size, generator=generator)]


def rotate_hidden(
    state: Mapping[str, torch.Tensor], config: Mapping[str, Any], rotation: torch.Tensor
) -> State:
    """Rotate the residual stream by ``rotation`` (orthogonal); norms must already be folded."""
    norms = [k for k in state if k.endswith("norm.weight")]
    if any(not torch.all(state[k] == 1) for k in norms) or "lm_head.weight" not in state:
        raise ConfigError(
            "fold the RMSNorm gains first (fold_norms): rotation would change outputs"
        )

    def rot(w: torch.Tensor, left: bool) -> torch.Tensor:
        r = rotation.to(w.dtype)
        return r.T @ w if left else w @ r

    out = dict(state)
    out["model.embed_tokens.weight"] = rot(state["model.embed_tokens.weight"], False)
    out["lm_head.weight"] = rot(state["lm_head.weight"], False)
    for i in range(_num_layers(config)):
        p = _layer(i)
        for name in _READERS:
            out[f"{p}{name}.weight"] = rot(state[f"{p}{name}.weight"], False)
        for name in _WRITERS:
            out[f"{p}{name}.weight"] = rot(state[f"{p}{name}.weight"], True)
    return out


def scramble_inner(
    state: Mapping[str, torch.Tensor], config: Mapping[str, Any], generator: torch.Generator
) -> State:
    """Permute head groups and SwiGLU neurons, rescale q/k and up/down, mix value/output spaces."""
    heads = int(config["num_attention_heads"])
    kv = int(config.get("num_key_value_heads") or heads)
    hd = int(config.get("head_dim") or int(config["hidden_size"]) // heads)
    rep = heads // kv
    out = dict(state)
    for i in range(_num_layers(config)):
        p = _layer(i)
        q, k = state[f"{p}self_attn.q_proj.weight"], state[f"{p}self_attn.k_proj.weight"]
        v, o = state[f"{p}self_attn.v_proj.weight"], state[f"{p}self_attn.o_proj.weight"]
        dt = q.dtype
        groups = torch.randperm(kv, generator=generator)
        q_order = (groups[:, None] * rep + torch.arange(rep)[None, :]).reshape(-1)
        scale = torch.rand(kv, generator=generator, dtype=torch.float64).to(dt) + 0.5
        q_rows = q.reshape(heads, hd, -1)[q_order] * scale.repeat_interleave(rep)[:, None, None]
        k_rows = k.reshape(kv, hd, -1)[groups] / scale[:, None, None]
        mix = torch.randn(kv, hd, hd, generator=generator, dtype=torch.float64)
        mix = (mix / hd**0.5 + torch.eye(hd, dtype=torch.float64)).to(dt)  # well conditioned
        v_rows = mix @ v.reshape(kv, hd, -1)[groups]
        o_heads = o.reshape(o.shape[0], heads, hd)[:, q_order].permute(1, 0, 2)
        o_cols = (o_heads @ torch.linalg.inv(mix).repeat_interleave(rep, dim=0)).permute(1, 0, 2)
        out[f"{p}self_attn.q_proj.weight"] = q_rows.reshape(q.shape)
        out[f"{p}self_attn.k_proj.weight"] = k_rows.reshape(k.shape)
        out[f"{p}self_attn.v_proj.weight"] = v_rows.reshape(v.shape)
        out[f"{p}self_attn.o_proj.weight"] = o_cols.reshape(o.shape)
        gate, up = state[f"{p}mlp.gate_proj.weight"], state[f"{p}mlp.up_proj.weight"]
        down = state[f"{p}mlp.down_proj.weight"]
        perm = torch.randperm(gate.shape[0], generator=generator)
        c = torch.rand(gate.shape[0], generator=generator, dtype=torch.float64).to(dt) * 1.5 + 0.5
        out[f"{p}mlp.gate_proj.weight"] = gate[perm]
        out[f"{p}mlp.up_proj.weight"] = up[perm] * c[:, None]
        out[f"{p}mlp.down_proj.weight"] = down[:, perm] / c[None, :]
    return out
