"""HuRef on the real embedded model: SmolLM2-135M-Instruct (30 layers, GQA 9:3, tied embedding)."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from modelprint.verify.whitebox import (
    check_whitebox_attachments,
    compare,
    encode_invariants,
    invariants_of,
    weights_from_model,
    weights_from_state,
)
from modelprint.verify.whitebox import transforms as t

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def smollm2() -> Any:
    from modelprint.runtime.models import load_model

    torch.set_num_threads(1)
    return load_model("smollm2").model


def test_smollm2_matches_its_disguise_and_not_random_models_of_its_shape(smollm2: Any) -> None:
    config = smollm2.config.to_dict()
    base = weights_from_model(smollm2)
    gen = torch.Generator().manual_seed(0)
    state = {k: v.double() for k, v in smollm2.state_dict().items()}
    state = t.fold_norms(state, config)
    state = t.rotate_hidden(state, config, t.random_orthogonal(576, gen))
    state = t.scramble_inner(state, config, gen)
    disguised = weights_from_state(state, config)
    assert compare(base, disguised).result.similarity > 99.9

    from transformers import LlamaConfig, LlamaForCausalLM

    for seed in (1, 2):
        torch.manual_seed(seed)
        shape = {**config, "num_hidden_layers": 2}
        random_model = LlamaForCausalLM(LlamaConfig(**shape)).eval()
        assert compare(base, random_model).result.similarity < 10

    attachments = {"huref/v1": encode_invariants(invariants_of(base))}
    check = check_whitebox_attachments(attachments, disguised)
    assert check.similarity is not None and check.similarity.similarity > 99.5
