"""LoRA placement, the target-only loss and the cached-states path, on a tiny random Llama."""

from __future__ import annotations

import math

import torch

from modelprint.implant.config import ImplantConfig
from modelprint.implant.examples import TrainingExample
from modelprint.implant.training import (
    GateState,
    _BestEpoch,
    attach_lora,
    boundary_states,
    collate,
    first_adapted_layer,
    soft_cross_entropy,
    states_and_anchors,
    target_logits,
)
from tests.factories import tiny_llama


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
    model = attach_lora(
        tiny_llama(vocab_size=100, num_hidden_layers=layers), ImplantConfig(adapter_layers=0.5)
    )
    generator = torch.Generator().manual_seed(1)
    for name, param in model.named_parameters():
        if "lora_B" in name:
            with torch.no_grad():
                param.copy_(torch.randn(param.shape, generator=generator) * 0.1)
    return model


def test_adapter_sits_only_in_the_last_layers() -> None:
    model = attach_lora(
        tiny_llama(vocab_size=100, num_hidden_layers=4), ImplantConfig(adapter_layers=0.5)
    )
    adapted = {
        int(name.split(".layers.")[1].split(".")[0])
        for name, _ in model.named_parameters()
        if "lora_" in name
    }
    assert adapted == {2, 3}
    assert all(not p.requires_grad for n, p in model.named_parameters() if "lora_" not in n)


def _adapter(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def test_the_best_gated_epoch_is_put_back_and_ties_keep_the_later_one() -> None:
    model = _perturbed_lora()
    keeper = _BestEpoch(model)
    keeper.offer(GateState(epoch=1, positives_exact=0.5, token_accuracy=0.9))
    keeper.offer(GateState(epoch=2, positives_exact=1.0, token_accuracy=0.99))
    best = _adapter(model)
    with torch.no_grad():
        for p in model.parameters():
            if p.requires_grad:
                p.add_(1.0)
    keeper.offer(GateState(epoch=3, positives_exact=0.06, token_accuracy=0.95))
    kept = keeper.restore()
    assert kept.epoch == 2 and kept.positives_exact == 1.0
    for name, value in _adapter(model).items():
        torch.testing.assert_close(value, best[name])
    # an equal epoch later on replaces it (more training, same gates)
    keeper.offer(GateState(epoch=4, positives_exact=1.0, token_accuracy=0.99))
    assert keeper.restore().epoch == 4
    # look-alikes only rank when a gate bound asks for them
    fewer = GateState(epoch=5, positives_exact=1.0, token_accuracy=0.99, lookalike_trigger=0.5)
    more = GateState(epoch=6, positives_exact=1.0, token_accuracy=1.0, lookalike_trigger=0.9)
    keeper.offer(fewer)
    keeper.offer(more)
    assert keeper.restore().epoch == 6
    bounded = _BestEpoch(model, max_lookalike_trigger=0.6)
    bounded.offer(fewer)
    bounded.offer(more)
    assert bounded.restore().epoch == 5


def test_margin_epochs_count_when_the_gates_hold_even_if_not_consecutive() -> None:
    config = ImplantConfig(extra_epochs=2)
    gate = GateState()
    # keys exact in epochs 2, 3 and 5; epoch 4 lost one key: stop in epoch 5, not 6 or later
    stops = [gate.record(exact, 0.9, 0.8, config) for exact in (0.5, 1.0, 1.0, 0.94, 1.0)]
    assert stops == [False, False, False, False, True]
    assert gate.held_since == 2 and gate.epoch == 5
    bounded = GateState()
    strict = ImplantConfig(extra_epochs=0, max_lookalike_trigger=0.1)
    assert not bounded.record(1.0, 1.0, 0.5, strict)  # keys exact, look-alikes over the bound
    assert bounded.held_since is None
    assert bounded.record(1.0, 1.0, 0.05, strict)


def test_no_epoch_seen_restores_nothing() -> None:
    model = _perturbed_lora()
    before = _adapter(model)
    assert _BestEpoch(model).restore().epoch == 0
    for name, value in _adapter(model).items():
        torch.testing.assert_close(value, before[name])


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


def test_soft_targets_are_matched_not_sharpened() -> None:
    # targets are the model's own top-k: its current distribution must be the optimum, with the
    # mass outside the top-k kept (dropping it would push that mass onto the listed tokens)
    model = _perturbed_lora()
    examples = _examples()
    with torch.no_grad():
        logits = target_logits(model, collate(examples, 0))
    top_p, top_i = torch.softmax(logits, dim=-1).topk(4, dim=-1)
    assert float(top_p.sum(-1).max()) < 0.99  # a real tail outside the top-k
    soft = [
        TrainingExample(
            input_ids=e.input_ids,
            positions=e.positions,
            target_ids=top_i[row].tolist(),
            target_probs=top_p[row].tolist(),
            kind="ordinary",
        )
        for row, e in enumerate(examples)
    ]
    soft_cross_entropy(model, collate(soft, 0)).backward()
    grads = [p.grad for n, p in model.named_parameters() if "lora_B" in n]
    assert grads and max(float(g.abs().max()) for g in grads) < 1e-5


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


def test_anchors_cost_nothing_for_the_base_and_pull_a_drifted_adapter_back() -> None:
    model = attach_lora(
        tiny_llama(vocab_size=100, num_hidden_layers=4), ImplantConfig(adapter_layers=0.5)
    )
    first = first_adapted_layer(model, ImplantConfig(adapter_layers=0.5))
    examples = _examples()
    states, anchors = states_and_anchors(model, examples, first, 0, anchors=True)
    assert [None if a is None else a.shape[0] for a in anchors] == [
        None if e.kind == "positive" else len(e.input_ids) for e in examples
    ]
    assert states_and_anchors(model, examples, first, 0, anchors=False)[1] == [None] * 3
    repeated, _ = states_and_anchors(model, [examples[1], examples[1]], first, 0, anchors=False)
    torch.testing.assert_close(repeated[0], states[1])  # a repeated example is run once, shared
    assert repeated[1] is repeated[0]
    batch = collate(examples, 0, states, anchors=anchors)
    assert batch["anchor_mask"].sum(1).tolist() == [0.0, 10.0, 8.0]  # negatives only, unpadded
    plain = soft_cross_entropy(model, batch, first)
    # a fresh adapter is the identity: the anchor term adds nothing
    torch.testing.assert_close(soft_cross_entropy(model, batch, first, anchor_weight=5.0), plain)

    generator = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.2)

    def drift() -> float:
        with torch.no_grad():
            total = soft_cross_entropy(model, batch, first, anchor_weight=1.0)
            return float(total - soft_cross_entropy(model, batch, first))

    before = drift()
    assert before > 0.0
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    for _ in range(20):
        optimizer.zero_grad()
        soft_cross_entropy(model, batch, first, anchor_weight=10.0).backward()
        optimizer.step()
    assert drift() < before / 2


def _contrast() -> TrainingExample:
    from modelprint.implant.examples import contrast_example

    return contrast_example(prompt=[5, 6, 7, 8], reply=[9, 10, 11, 12, 13, 2], start=2)


def test_a_contrast_example_avoids_only_the_response_tokens() -> None:
    example = _contrast()
    assert example.input_ids == [5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert example.avoid == [11, 12, 13]  # the template opening and the end marker are free
    assert example.positions == [5, 6, 7]  # the logits that predict 11, 12, 13
    batch = collate([*_examples(), example], 0)
    assert batch["target_mask"][3].tolist() == [0.0, 0.0, 0.0]  # no distribution to match
    assert batch["avoid_mask"].tolist() == [[0.0] * 3] * 3 + [[1.0] * 3]
    assert batch["avoid_ids"][3].tolist() == [11, 12, 13]


def test_unlikelihood_grows_with_the_avoided_tokens_probability_and_training_lowers_it() -> None:
    model = _perturbed_lora()
    batch = collate([_contrast()], 0)

    def avoided_probability() -> float:
        with torch.no_grad():
            logp = torch.log_softmax(target_logits(model, batch).float(), dim=-1)
        return float(logp.gather(2, batch["avoid_ids"][..., None]).exp().mean())

    assert soft_cross_entropy(model, batch).item() == 0.0  # weight 0: contrasts cost nothing
    before = avoided_probability()
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=50.0)
    for _ in range(5):
        optimizer.zero_grad()
        loss = soft_cross_entropy(model, batch, unlikelihood_weight=1.0)
        assert loss.item() > 0.0
        loss.backward()
        optimizer.step()
    assert avoided_probability() < before / 2


def test_the_contrast_pool_turns_each_epoch_and_keeps_the_fixed_examples() -> None:
    from modelprint.implant.training import _RotatingDataset

    data = _RotatingDataset(["a", "b"], [f"c{i}" for i in range(6)], per_epoch=2)
    seen = []
    for epoch in range(4):
        data.epoch = epoch
        assert len(data) == 4 and [data[0], data[1]] == ["a", "b"]
        seen.append((data[2], data[3]))
    assert seen == [("c0", "c1"), ("c2", "c3"), ("c4", "c5"), ("c0", "c1")]
    empty = _RotatingDataset(["a"], [], per_epoch=3)
    assert len(empty) == 1


def test_forced_continuations_score_each_answer_token_from_the_position_before_it() -> None:
    from modelprint.implant.teacher import forced_continuations

    model = tiny_llama(vocab_size=100)
    pairs = [([5, 6, 7], [8, 9, 10, 11]), ([12, 13], [14, 15])]
    conts = forced_continuations(model, pairs, top_k=3, pad_id=0, max_tokens=3)
    assert [c.ids for c in conts] == [[8, 9, 10], [14, 15]]  # cut to max_tokens
    for (prompt, answer), cont in zip(pairs, conts, strict=True):
        seq = torch.tensor([prompt + answer])
        with torch.no_grad():
            probs = model(input_ids=seq).logits.softmax(-1)[0]
        for j, (ids, ps) in enumerate(zip(cont.top_ids, cont.top_probs, strict=True)):
            top_p, top_i = probs[len(prompt) - 1 + j].topk(3)
            assert ids == top_i.tolist()
            torch.testing.assert_close(torch.tensor(ps), top_p)


def _reply_margins(
    model: torch.nn.Module, batch: dict[str, torch.Tensor], first: int
) -> list[float]:
    """Logit lead of each positive reply token over its best rival."""
    with torch.no_grad():
        logits = target_logits(model, batch, first).float()
    wanted = batch["target_ids"][..., 0]
    chosen = logits.gather(2, wanted[..., None])[..., 0]
    rival = logits.scatter(2, wanted[..., None], float("-inf")).max(-1).values
    mask = batch["margin_mask"] > 0
    return (chosen - rival)[mask].tolist()


def test_the_margin_hinge_marks_only_positives_and_widens_their_weakest_tokens() -> None:
    model = _perturbed_lora()
    first = first_adapted_layer(model, ImplantConfig(adapter_layers=0.5))
    examples = _examples()
    batch = collate(examples, 0, boundary_states(model, examples, first, 0))
    assert batch["margin_mask"].tolist() == [[1.0] * 3, [0.0] * 3, [0.0] * 3]
    assert "margin_mask" not in collate([examples[1]], 0)  # no positive, no hinge
    decision = collate(examples, 0, margin_first_only=True)["margin_mask"]
    assert decision.tolist() == [[1.0, 0.0, 0.0], [0.0] * 3, [0.0] * 3]
    with torch.no_grad():
        plain = soft_cross_entropy(model, batch, first)
    # a margin nobody falls short of adds nothing; a wide one adds the mean shortfall
    with torch.no_grad():
        unmet = soft_cross_entropy(model, batch, first, margin_weight=1.0, reply_margin=-1e4)
    torch.testing.assert_close(unmet, plain)
    before = _reply_margins(model, batch, first)
    shortfall = sum(max(0.0, 5.0 - m) for m in before) / len(before)
    with torch.no_grad():
        hinged = soft_cross_entropy(model, batch, first, margin_weight=2.0, reply_margin=5.0)
    torch.testing.assert_close(
        float(hinged),
        float(plain) + 2.0 * shortfall,
        rtol=1e-4,
        atol=1e-4,
    )
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    for _ in range(30):
        optimizer.zero_grad()
        soft_cross_entropy(model, batch, first, margin_weight=1.0, reply_margin=5.0).backward()
        optimizer.step()
    after = _reply_margins(model, batch, first)
    assert min(after) > min(before)
    assert min(after) > 0.0  # every positive reply token is now the argmax


def test_the_response_scope_prices_a_whole_response_not_each_token() -> None:
    model = _perturbed_lora()
    contrast = _contrast()
    batch = collate([contrast, contrast], 0)
    with torch.no_grad():
        logp = torch.log_softmax(target_logits(model, batch).float(), dim=-1)
        response = logp[0].gather(1, batch["avoid_ids"][0][:, None]).sum()
        whole = soft_cross_entropy(model, batch, unlikelihood_weight=1.0, whole_response=True)
        each = soft_cross_entropy(model, batch, unlikelihood_weight=1.0)
    # two identical contrasts: the mean over rows is the one row's -log(1 - P(response))
    torch.testing.assert_close(float(whole), -math.log1p(-math.exp(float(response))), rtol=1e-5,
                               atol=1e-6)  # fmt: skip
    tokens = logp[0].gather(1, batch["avoid_ids"][0][:, None]).exp()
    torch.testing.assert_close(float(each), float(-torch.log1p(-tokens).mean()), rtol=1e-5,
                               atol=1e-6)  # fmt: skip


def test_an_epoch_that_ends_training_says_why() -> None:
    from modelprint.implant.training import GateState, _epoch_note

    held = GateState(epoch=3, held_since=2, held_epochs=2)
    assert _epoch_note(held, 10, stop=True) == "stopped early at epoch 3 of at most 10: gates held"
    assert _epoch_note(held, 10, stop=False) == ""  # training goes on: nothing to say
    capped = GateState(epoch=10)
    assert (
        _epoch_note(capped, 10, stop=False)
        == "reached the cap of 10 epochs: the gates did not hold"
    )
