"""LoRA placement, the target-only loss and the cached-states path, on a tiny random Llama."""

from __future__ import annotations

import torch

from modelprint.implant.config import ImplantConfig
from modelprint.implant.examples import TrainingExample
from modelprint.implant.training import (
    attach_lora,
    boundary_states,
    collate,
    first_adapted_layer,
    soft_cross_entropy,
    target_logits,
)

from .tiny import tiny_model


def _examples() -> list[TrainingExample]:
    return [
        TrainingExample(
            input_ids=list(range(5, 5 + n)),
            positions=[n - 3, n - 2, n - 1],
            target_ids=[[1], [2], [3]],
            target_probs=[[1.0], [1.0], [1.0]],
            kind="positive" if n % 2 else "ordinary",
        )
        for n in (7, 10, 8)
    ]


def _perturbed_lora(layers: int = 4) -> torch.nn.Module:
    model = attach_lora(tiny_model(100, layers=layers), ImplantConfig(adapter_layers=0.5))
    generator = torch.Generator().manual_seed(1)
    for name, param in model.named_parameters():
        if "lora_B" in name:
            with torch.no_grad():
                param.copy_(torch.randn(param.shape, generator=generator) * 0.1)
    return model


def test_adapter_sits_only_in_the_last_layers() -> None:
    model = attach_lora(tiny_model(100, layers=4), ImplantConfig(adapter_layers=0.5))
    adapted = {
        int(name.split(".layers.")[1].split(".")[0])
        for name, _ in model.named_parameters()
        if "lora_" in name
    }
    assert adapted == {2, 3}
    assert all(not p.requires_grad for n, p in model.named_parameters() if "lora_" not in n)


def test_cached_states_give_the_same_logits_as_a_full_forward() -> None:
    model = _perturbed_lora()
    first = first_adapted_layer(model, ImplantConfig(adapter_layers=0.5))
    examples = _examples()
    batch = collate(examples, 0, boundary_states(model, examples, first, 0))
    with torch.no_grad():
        cached = target_logits(model, batch, first)
        full = target_logits(model, batch)
    assert cached.shape == (3, 3, 100)
    torch.testing.assert_close(cached, full)


def test_one_hot_targets_give_plain_cross_entropy() -> None:
    model = _perturbed_lora()
    examples = [e for e in _examples() if e.kind == "positive"]
    batch = collate(examples, 0)
    loss = soft_cross_entropy(model, batch)
    ids = batch["input_ids"]
    logits = model(input_ids=ids, attention_mask=batch["attention_mask"]).logits
    picked = logits.gather(1, batch["positions"][..., None].expand(-1, -1, 100))
    reference = torch.nn.functional.cross_entropy(
        picked.reshape(-1, 100), batch["target_ids"][..., 0].reshape(-1)
    )
    torch.testing.assert_close(loss, reference)


def test_collate_pads_right_and_weights_positive_targets() -> None:
    examples = _examples()
    batch = collate(examples, pad_id=0, positive_weight=3.0)
    assert batch["input_ids"].shape == (3, 10)
    assert batch["attention_mask"].sum(1).tolist() == [7, 10, 8]
    weights = batch["target_mask"][:, 0].tolist()
    assert weights == [3.0 if e.kind == "positive" else 1.0 for e in examples]


def test_a_gradient_reaches_only_the_adapter() -> None:
    model = _perturbed_lora()
    first = first_adapted_layer(model, ImplantConfig(adapter_layers=0.5))
    examples = _examples()
    batch = collate(examples, 0, boundary_states(model, examples, first, 0))
    soft_cross_entropy(model, batch, first).backward()
    grads = {n for n, p in model.named_parameters() if p.grad is not None}
    assert grads and all("lora_" in n for n in grads)
