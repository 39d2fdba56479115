"""The adversary's transforms applied to tiny random Llamas.

``tiny`` (the models) and ``tiny_dir`` (saving them) are fixtures of ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from tests.factories import TINY_LLAMA, WHITEBOX_LLAMA, tiny_llama

torch.set_num_threads(1)


def disguise(model: Any, seed: int) -> Any:
    """The same function behind different weights: fold norms, rotate, permute, scramble inside."""
    from modelprint.verify.whitebox import transforms as t

    config = model.config.to_dict()
    gen = torch.Generator().manual_seed(seed)
    state = {k: v.double() for k, v in model.state_dict().items()}
    state = t.fold_norms(state, config)
    state = t.rotate_hidden(state, config, t.random_orthogonal(model.config.hidden_size, gen))
    state = t.rotate_hidden(state, config, t.random_permutation(model.config.hidden_size, gen))
    state = t.scramble_inner(state, config, gen)
    shape = {k: config[k] for k in (*TINY_LLAMA, *WHITEBOX_LLAMA)}
    twin = tiny_llama(seed + 1000, random_norms=True, **shape)
    twin.load_state_dict({k: v.float() for k, v in state.items()})
    return twin


def lora_finetune(model: Any, *, steps: int = 10, lr: float = 1e-3, seed: int = 0) -> Any:
    """A few LoRA steps (r=8, all linear layers, AdamW) on random tokens; returns the merged model.

    On a random tiny model (weights ~0.02) ten steps at 1e-3 already move the attention and MLP
    matrices by about 20% of their norm, far more than a real fine-tune moves a trained model.
    """
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(seed)
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    peft_model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=targets))
    optimizer = torch.optim.AdamW([p for p in peft_model.parameters() if p.requires_grad], lr=lr)
    data = torch.randint(0, model.config.vocab_size, (8, 24))
    peft_model.train()
    for _ in range(steps):
        loss = peft_model(input_ids=data, labels=data).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    merged = peft_model.merge_and_unload().eval()
    return merged


@pytest.fixture
def disguised() -> Callable[[Any, int], Any]:
    return disguise


@pytest.fixture
def finetuned() -> Callable[..., Any]:
    return lora_finetune
