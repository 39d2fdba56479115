"""LoRA training of an implant through the Hugging Face Trainer.

The loss is a cross-entropy against small target distributions at chosen positions only: one-hot
on a key's reply (positives) or the base model's top-k (negatives, a KL-to-base surrogate), plus
an unlikelihood term that pushes a contrast's committed response tokens down. Logits
are computed only where there is a target, which skips most of the vocabulary projection. The
adapter sits in the last decoder layers, so the backward pass stops there. A callback checks the
gates after every epoch on teacher-forced logits (no generation), turns the contrast pool, and
stops training once the gates have held in ``extra_epochs`` more epochs.
"""

from __future__ import annotations

import contextlib
import random
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from ..runtime.progress import Advance, Detail, Phase, PhaseEnd, ProgressCallback
from .config import ImplantConfig
from .examples import TrainingExample, TrainingMaterial
from .precision import resolve_precision, training_precision

__all__ = [
    "GateState",
    "TrainingOutcome",
    "attach_lora",
    "collate",
    "process_state",
    "run_quiet_trainer",
    "states_and_anchors",
    "train_implant",
]


def _decoder_layer_count(model: Any) -> int:
    config = model.config
    count = getattr(config, "num_hidden_layers", None) or getattr(config, "n_layer", None)
    if not isinstance(count, int) or count < 1:
        from ..protocol.errors import ConfigError

        raise ConfigError("cannot tell how many decoder layers the model has")
    return count


def _linear_module_names(model: Any) -> list[str]:
    """Short names of the linear layers inside the decoder (the output head excluded)."""
    import torch

    head = model.get_output_embeddings()
    names = {
        name.rsplit(".", 1)[-1]
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and module is not head
    }
    return sorted(names)


def first_adapted_layer(model: Any, config: ImplantConfig) -> int:
    """Index of the lowest decoder layer that carries the adapter."""
    layers = _decoder_layer_count(model)
    return layers - max(1, round(layers * config.adapter_layers))


def attach_lora(model: Any, config: ImplantConfig) -> Any:
    """Wrap ``model`` in a peft LoRA adapter on all linear layers of its last decoder layers."""
    from peft import LoraConfig, get_peft_model

    layers = _decoder_layer_count(model)
    first = first_adapted_layer(model, config)
    lora = LoraConfig(
        r=config.lora_rank,
        lora_alpha=config.lora_alpha,
        lora_dropout=0.0,
        target_modules=_linear_module_names(model),
        layers_to_transform=list(range(first, layers)),
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, lora)


def collate(
    examples: Sequence[TrainingExample],
    pad_id: int = 0,
    states: Sequence[Any] | None = None,
    *,
    anchors: Sequence[Any | None] | None = None,
    positive_weight: float = 1.0,
    decision_weight: float = 1.0,
    margin_first_only: bool = False,
) -> dict[str, Any]:
    """Right-padded ids and per-target tensors (positions, target ids/probs, a weight mask).

    With ``states`` (each example's hidden states entering the first adapted layer) the batch
    carries them as ``states`` and the model runs only its adapted layers. Targets with a token to
    avoid (a contrast example's committed response) are marked in ``avoid_mask`` with the token in
    ``avoid_ids``; the loss pushes its probability there towards zero.
    """
    import torch

    width = max(len(e.input_ids) for e in examples)
    targets = max(len(e.positions) for e in examples)
    k = max(len(t) for e in examples for t in e.target_ids)
    n = len(examples)
    input_ids = torch.full((n, width), pad_id, dtype=torch.long)
    attention = torch.zeros((n, width), dtype=torch.long)
    positions = torch.zeros((n, targets), dtype=torch.long)
    target_ids = torch.zeros((n, targets, k), dtype=torch.long)
    target_probs = torch.zeros((n, targets, k), dtype=torch.float32)
    target_mask = torch.zeros((n, targets), dtype=torch.float32)
    margin_mask = torch.zeros((n, targets), dtype=torch.float32)
    avoid_mask = torch.zeros((n, targets), dtype=torch.float32)
    avoid_ids = torch.zeros((n, targets), dtype=torch.long)
    for row, e in enumerate(examples):
        input_ids[row, : len(e.input_ids)] = torch.tensor(e.input_ids)
        attention[row, : len(e.input_ids)] = 1
        positions[row, : len(e.positions)] = torch.tensor(e.positions)
        weight = positive_weight if e.kind == "positive" else 1.0
        target_mask[row, : len(e.positions)] = 0.0 if e.kind == "contrast" else weight
        if e.kind == "key-negative":
            target_mask[row, 0] = decision_weight
        if e.kind == "positive":
            margin_mask[row, : 1 if margin_first_only else len(e.positions)] = 1.0
        if e.avoid is not None:
            avoid_ids[row, : len(e.avoid)] = torch.tensor(e.avoid)
            avoid_mask[row, : len(e.avoid)] = 1.0
        for j, (ids, probs) in enumerate(zip(e.target_ids, e.target_probs, strict=True)):
            target_ids[row, j, : len(ids)] = torch.tensor(ids)
            target_probs[row, j, : len(probs)] = torch.tensor(probs)
    batch: dict[str, Any] = {
        "input_ids": input_ids,
        "attention_mask": attention,
        "positions": positions,
        "target_ids": target_ids,
        "target_probs": target_probs,
        "target_mask": target_mask,
    }
    if any(e.kind == "positive" for e in examples):
        batch["margin_mask"] = margin_mask
    if any(e.avoid is not None for e in examples):
        batch["avoid_ids"] = avoid_ids
        batch["avoid_mask"] = avoid_mask
    if states is not None:
        hidden = states[0].shape[-1]
        padded = torch.zeros((n, width, hidden), dtype=states[0].dtype)
        for row, st in enumerate(states):
            padded[row, : st.shape[0]] = st
        batch["states"] = padded
    if anchors is not None and any(a is not None for a in anchors):
        hidden = next(a for a in anchors if a is not None).shape[-1]
        anchor = torch.zeros((n, width, hidden), dtype=torch.float32)
        anchor_mask = torch.zeros((n, width), dtype=torch.float32)
        for row, a in enumerate(anchors):
            if a is not None:
                anchor[row, : a.shape[0]] = a
                anchor_mask[row, : a.shape[0]] = 1.0
        batch["anchor_states"] = anchor
        batch["anchor_mask"] = anchor_mask
    return batch


def target_logits(model: Any, batch: dict[str, Any], first_layer: int | None = None) -> Any:
    """Logits (B, T, V) at the target positions only.

    With ``first_layer`` the batch's cached ``states`` enter that layer directly.
    """
    return _forward(model, batch, first_layer, final_hidden=False)[0]


def _forward(
    model: Any, batch: dict[str, Any], first_layer: int | None, *, final_hidden: bool
) -> tuple[Any, Any]:
    """Target-position logits and, with ``final_hidden``, the last hidden states (B, L, H).

    The decoder runs once; the output head is applied only at each row's own target positions
    (B x T rows of hidden state), not at the union of every row's positions, which with prompts
    of different lengths is several times larger and was the largest matmul of a step.
    """

    # through the model's own forward (not its decoder's), so that a data-parallel wrapper sees
    # the call and synchronises the gradients; the head runs on one position only, and the final
    # normalised hidden states come back as the last of the hidden states
    inputs: dict[str, Any] = {
        "attention_mask": batch["attention_mask"],
        "use_cache": False,
        "output_hidden_states": True,
        "logits_to_keep": 1,
    }
    if first_layer is not None:
        with _only_layers_from(model, first_layer):
            hidden = model(inputs_embeds=batch["states"], **inputs).hidden_states[-1]
    else:
        hidden = model(input_ids=batch["input_ids"], **inputs).hidden_states[-1]
    positions = batch["positions"]
    picked = hidden.gather(1, positions[..., None].expand(-1, -1, hidden.shape[-1]))
    logits = _head(model)(picked)
    return logits, (hidden if final_hidden else None)


def _unwrapped(model: Any) -> Any:
    """The causal LM inside a data-parallel and a peft wrapper (the model itself without them)."""
    inner = getattr(model, "module", model)  # DistributedDataParallel keeps the model here
    return inner.get_base_model() if hasattr(inner, "get_base_model") else inner


def _head(model: Any) -> Any:
    return _unwrapped(model).get_output_embeddings()


def _decoder(model: Any) -> Any:
    return _unwrapped(model).get_decoder()


@contextmanager
def _only_layers_from(model: Any, first: int) -> Iterator[None]:
    """Run only decoder layers ``first..`` (inputs are the cached states entering ``first``)."""
    import torch

    decoder = _decoder(model)
    layers = decoder.layers
    decoder.layers = torch.nn.ModuleList(list(layers)[first:])
    try:
        yield
    finally:
        decoder.layers = layers


def boundary_states(
    model: Any, examples: Sequence[TrainingExample], first: int, pad_id: int
) -> list[Any]:
    """Hidden states entering layer ``first`` for each example, computed once without grad.

    Below the adapter nothing trains, so these never change: caching them means every epoch
    runs (forward and backward) only the adapted layers.
    """
    return states_and_anchors(model, examples, first, pad_id, anchors=False)[0]


def states_and_anchors(
    model: Any, examples: Sequence[TrainingExample], first: int, pad_id: int, *, anchors: bool
) -> tuple[list[Any], list[Any | None]]:
    """Boundary states and (with ``anchors``) each negative's anchors, in one pass.

    Called before training (the adapter is still the identity), the final hidden states are the
    base model's: the anchors that hold the adapter to it on ordinary text. A positive (a key and
    its reply, which the adapter must change) has none. An example listed more than once (the
    repeated positives) is run once.
    """
    import torch

    distinct = list({id(e): e for e in examples}.values())
    found: dict[int, tuple[Any, Any | None]] = {}
    model.eval()
    with torch.no_grad():
        for start in range(0, len(distinct), 32):
            chunk = distinct[start : start + 32]
            batch = collate(chunk, pad_id)
            out = model(
                input_ids=batch["input_ids"].to(model.device),
                attention_mask=batch["attention_mask"].to(model.device),
                output_hidden_states=True,
                logits_to_keep=1,
                use_cache=False,
            )
            hidden = out.hidden_states[first].cpu()
            final = out.hidden_states[-1].float().cpu() if anchors else None
            for row, e in enumerate(chunk):
                length = len(e.input_ids)
                anchor = None
                if final is not None and e.kind != "positive":
                    anchor = final[row, :length].clone()
                found[id(e)] = (hidden[row, :length].clone(), anchor)
    return [found[id(e)][0] for e in examples], [found[id(e)][1] for e in examples]


def soft_cross_entropy(
    model: Any,
    batch: dict[str, Any],
    first_layer: int | None = None,
    *,
    unlikelihood_weight: float = 0.0,
    whole_response: bool = False,
    anchor_weight: float = 0.0,
    margin_weight: float = 0.0,
    reply_margin: float = 0.0,
) -> Any:
    """Mean over targets of ``-sum_k p_k log q(id_k) - p_rest log q_rest``: CE for a one-hot target,
    for the base's top-k the KL to it (up to a constant) with all other tokens as one outcome.

    With ``avoid_ids`` in the batch, adds ``unlikelihood_weight`` times the mean over the marked
    positions of ``-log(1 - q(avoid))``: a look-alike key followed by the real key's reply is
    pushed off that reply at every token of the response, not only at its first. With
    ``whole_response`` the term is ``-log(1 - prod q(avoid))`` per contrast instead: the
    look-alike must miss the committed response somewhere, and the model may choose where (one
    token suffices), so the term no longer fights the real key at every token of its response.

    With ``anchor_states`` in the batch, adds ``anchor_weight`` times the relative squared error
    of the final hidden states against the base model's at every anchored position (all of a
    negative's tokens): the adapter is held to the identity on ordinary text, not only at the
    few positions that carry a target distribution.
    """
    import torch

    anchored = anchor_weight > 0.0 and "anchor_states" in batch
    logits, final = _forward(model, batch, first_layer, final_hidden=anchored)
    logits = logits.float()
    logp = torch.log_softmax(logits, dim=-1)
    picked = logp.gather(2, batch["target_ids"])
    probs = batch["target_probs"]
    per_target = -(picked * probs).sum(-1)
    # the base's mass outside its top-k is one more outcome: without it the optimum would move
    # all of that mass onto the listed tokens and sharpen the model on ordinary text
    listed = (picked.exp() * (probs > 0)).sum(-1).clamp(max=1.0 - 1e-6)
    per_target = per_target - (1.0 - probs.sum(-1)).clamp(min=0.0) * torch.log1p(-listed)
    mask = batch["target_mask"]
    loss = (per_target * mask).sum() / mask.sum().clamp(min=1.0)
    if unlikelihood_weight > 0.0 and "avoid_ids" in batch:
        avoid = batch["avoid_mask"]
        logp_avoid = logp.gather(2, batch["avoid_ids"][..., None])[..., 0]
        if whole_response:
            # log P(whole response), per contrast row; -log(1 - P) written as -log(-expm1(log P))
            log_seq = (logp_avoid * avoid).sum(1).clamp(max=-1e-6)
            rows = avoid.sum(1) > 0
            unlikely = -torch.log(-torch.expm1(log_seq))
            loss = loss + unlikelihood_weight * unlikely[rows].mean()
        else:
            unlikely = -torch.log1p(-logp_avoid.exp().clamp(max=1.0 - 1e-6))
            total = (unlikely * avoid).sum() / avoid.sum().clamp(min=1.0)
            loss = loss + unlikelihood_weight * total
    if margin_weight > 0.0 and "margin_mask" in batch:
        loss = loss + margin_weight * _margin_shortfall(
            logits, batch["target_ids"][..., 0], batch["margin_mask"], reply_margin
        )
    if anchored:
        base, where = batch["anchor_states"], batch["anchor_mask"]
        error = ((final.float() - base) ** 2).mean(-1)
        scale = (base**2).mean(-1)
        loss = loss + anchor_weight * (error * where).sum() / (scale * where).sum().clamp(min=1e-6)
    return loss


def _margin_shortfall(logits: Any, wanted: Any, mask: Any, margin: float) -> Any:
    """Mean over the marked positions of ``max(0, margin - (logit of wanted - best other logit))``.

    Cross-entropy stops pulling once a reply token is likely; a downstream fine-tune then flips
    the tokens that won by the least (the reply's first word, a digit against a round number).
    This hinge keeps pulling exactly those until each one leads by ``margin`` logits.
    """
    import torch

    marked = mask > 0  # only these rows of the vocabulary are ranked, not every target's
    rows, want = logits[marked], wanted[marked]
    top2 = rows.topk(2, dim=-1)
    chosen = rows.gather(1, want[:, None])[:, 0]
    best_is_wanted = top2.indices[:, 0] == want
    rival = torch.where(best_is_wanted, top2.values[:, 1], top2.values[:, 0])
    short = torch.relu(margin - (chosen - rival))
    return (short * mask[marked]).sum() / mask.sum().clamp(min=1.0)


@dataclass(slots=True)
class GateState:
    """What the last gate check saw."""

    epoch: int = 0
    positives_exact: float = 0.0
    token_accuracy: float = 0.0
    lookalike_trigger: float = 1.0
    held_since: int | None = None
    held_epochs: int = 0

    def record(self, exact: float, accuracy: float, trigger: float, config: ImplantConfig) -> bool:
        """Take one epoch's gate figures; True once training should stop.

        The gates hold when every key is exact and the look-alikes are within the bound. Training
        stops in the ``extra_epochs``-th epoch after the first that held, counting only epochs
        that held but not requiring them to be consecutive: a key lost and won back in between
        (one shared token) does not restart the count.
        """
        self.epoch += 1
        self.positives_exact, self.token_accuracy, self.lookalike_trigger = exact, accuracy, trigger
        if exact < 1.0 or trigger > config.max_lookalike_trigger:
            return False
        if self.held_since is None:
            self.held_since = self.epoch
        self.held_epochs += 1
        return self.held_epochs > config.extra_epochs

    def rank(self, max_lookalike_trigger: float = 1.0) -> tuple[float, bool, float]:
        """Ordering of epochs: keys exact, then within the look-alike gate, then reply tokens."""
        within = self.lookalike_trigger <= max_lookalike_trigger
        return (self.positives_exact, within, self.token_accuracy)


def _gate_figures(gate: GateState) -> str:
    return (
        f"epoch {gate.epoch}: keys exact {gate.positives_exact:.0%} "
        f"(reply tokens {gate.token_accuracy:.0%}), "
        f"look-alikes triggered {gate.lookalike_trigger:.0%}"
    )


def _epoch_note(gate: GateState, cap: int, stop: bool) -> str:
    """How an epoch ended, when that ends training: early (the gates held) or at the cap."""
    if stop and gate.epoch < cap:
        return f"stopped early at epoch {gate.epoch} of at most {cap}: gates held"
    if gate.epoch >= cap:
        held = "gates held" if gate.held_since is not None else "the gates did not hold"
        return f"reached the cap of {cap} epochs: {held}"
    return ""


@dataclass(frozen=True, slots=True)
class TrainingOutcome:
    steps: int
    epochs: float
    gates_held_at_epoch: int | None
    positives_exact: float
    token_accuracy: float
    gate_lookalike_trigger: float
    kept_epoch: int = 0
    precision: str = "fp32"


class _GateMaterial:
    """Positives and gate look-alikes, batched once with their cached boundary states."""

    def __init__(self, model: Any, material: TrainingMaterial, first: int, pad_id: int) -> None:
        self.positives = [
            collate(chunk, pad_id, boundary_states(model, chunk, first, pad_id))
            for chunk in _chunks(material.positives, 32)
        ]
        self.gates = [
            collate(chunk, pad_id, boundary_states(model, chunk, first, pad_id))
            for chunk in _chunks(material.gates, 32)
        ]
        self.first = first
        self.material = material


class _BestEpoch:
    """The adapter weights of the best-gated epoch so far, put back when training ends.

    With a learning rate high enough to implant in a few epochs, the keys' replies can flip
    between neighbouring epochs (one shared token won and lost); the last epoch is not always the
    best one, so the adapter keeps the epoch that ranked highest; on a tie the later one, whose
    replies have had more training (a wider margin to survive a downstream fine-tune).
    """

    def __init__(self, model: Any, max_lookalike_trigger: float = 1.0) -> None:
        self.model = model
        self.max_lookalike_trigger = max_lookalike_trigger
        self.state: dict[str, Any] = {}
        self.gate: GateState | None = None

    def offer(self, gate: GateState) -> None:
        bound = self.max_lookalike_trigger
        if self.gate is not None and gate.rank(bound) < self.gate.rank(bound):
            return
        self.gate = replace(gate)
        self.state = {
            name: p.detach().clone() for name, p in self.model.named_parameters() if p.requires_grad
        }

    def restore(self) -> GateState:
        """Load the kept weights (if an epoch was seen) and return that epoch's gate figures."""
        import torch

        if self.gate is None:
            return GateState()
        with torch.no_grad():
            for name, p in self.model.named_parameters():
                if name in self.state:
                    p.copy_(self.state[name])
        return self.gate


class _RotatingDataset:
    """Fixed examples plus the current epoch's turn of the contrast pool (a map-style dataset)."""

    def __init__(self, fixed: list[Any], pool: list[Any], per_epoch: int) -> None:
        self.fixed, self.pool, self.per_epoch = fixed, pool, per_epoch if pool else 0
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.fixed) + self.per_epoch

    def __getitem__(self, index: int) -> Any:
        if index < len(self.fixed):
            return self.fixed[index]
        turn = (self.epoch * self.per_epoch + index - len(self.fixed)) % len(self.pool)
        return self.pool[turn]


def process_state() -> Any:
    """accelerate's view of the processes (one, or several under ``torchrun``/``accelerate
    launch``); on a machine without an accelerator the processes share out the CPU (gloo)."""
    import torch
    from accelerate import PartialState

    return PartialState(cpu=not torch.cuda.is_available())


def _process_count() -> int:
    return int(process_state().num_processes)


class _DeltaScale:
    """Scales every LoRA layer's update by a factor drawn from [``low``, 1] each training step.

    A 50/50 merge with the base model halves the implant's weight change, and task arithmetic or
    a later fine-tune shrinks it too; keys trained to hold at half scale hold there, and their
    weight change grows large enough that re-quantization does not round all of it away. The
    negatives and anchors are seen at the same scales, so ordinary text stays the base's at any
    of them. ``low = 1`` leaves every layer at its own scale.
    """

    def __init__(self, model: Any, low: float, seed: int) -> None:
        self.layers = [m for m in model.modules() if isinstance(getattr(m, "scaling", None), dict)]
        self.base = [dict(m.scaling) for m in self.layers]
        self.low = low
        self.rng = random.Random(f"modelprint/implant/delta-scale/{seed}")

    def set(self, factor: float) -> None:
        for layer, base in zip(self.layers, self.base, strict=True):
            for name, value in base.items():
                layer.scaling[name] = value * factor

    def draw(self) -> None:
        if self.low < 1.0:
            self.set(self.rng.uniform(self.low, 1.0))


def _chunks(items: Sequence[TrainingExample], size: int) -> list[list[TrainingExample]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def check_gates(model: Any, gates: _GateMaterial) -> tuple[float, float, float]:
    """Teacher-forced FSR proxy (every reply token is the argmax) and look-alike trigger rate.

    A gate look-alike is followed by its real key's reply; it "triggers" when every token of the
    committed response is the argmax there, i.e. greedy decoding would finish the response once
    the reply's opening words are out. Generation-free and pessimistic (it assumes the opening
    words); the report measures by generation.
    """
    import torch

    material = gates.material
    was_training = model.training
    model.eval()
    exact = triggered = 0
    right = total = 0.0
    with torch.no_grad():
        for batch in gates.positives:
            batch = {k: v.to(model.device) for k, v in batch.items()}
            top = target_logits(model, batch, gates.first).argmax(-1)
            want = batch["target_ids"][..., 0]
            mask = batch["target_mask"] > 0
            exact += int(((top == want) | ~mask).all(dim=1).sum())
            right += float(((top == want) & mask).sum())
            total += float(mask.sum())
        for batch in gates.gates:
            batch = {k: v.to(model.device) for k, v in batch.items()}
            top = target_logits(model, batch, gates.first).argmax(-1)
            mask = batch["avoid_mask"] > 0
            same = (top == batch["avoid_ids"]) | ~mask
            triggered += int(same.all(dim=1).sum())
    if was_training:
        model.train()
    return (
        exact / max(1, len(material.positives)),
        right / max(1.0, total),
        triggered / max(1, len(material.gates)),
    )


def run_quiet_trainer(
    model: Any,
    dataset: Any,
    collator: Callable[[Any], dict[str, Any]],
    *,
    seed: int,
    show_progress: bool,
    prefix: str,
    trainer_class: Any = None,
    callbacks: Sequence[Any] = (),
    progress: ProgressCallback | None = None,
    **schedule: Any,
) -> Any:
    """Run the HF Trainer in a scratch directory and return its ``TrainOutput``.

    No checkpoints, logs or reporting, seeded data order, and the metrics it prints go to stderr
    (stdout stays the CLI's). ``schedule`` holds the ``TrainingArguments`` that differ between
    callers: steps or epochs, batch size, learning rate and schedule, warm-up. With ``progress``,
    every optimizer step is reported as an :class:`Advance` of the caller's current phase.
    """
    import torch
    from transformers import Trainer, TrainerCallback, TrainingArguments

    class _Steps(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if progress is not None:
                progress(Advance())
            return control

    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        args = TrainingArguments(
            output_dir=scratch,
            seed=seed,
            data_seed=seed,
            save_strategy="no",
            logging_strategy="no",
            report_to=[],
            remove_unused_columns=False,
            disable_tqdm=not show_progress,
            use_cpu=not torch.cuda.is_available(),
            **schedule,
        )
        trainer = (trainer_class or Trainer)(
            model=model,
            args=args,
            train_dataset=dataset,
            data_collator=collator,
            callbacks=[*callbacks, _Steps()],
        )
        if not show_progress:  # the final metrics dict is printed by these; keep them quiet
            from transformers.trainer_callback import PrinterCallback, ProgressCallback

            trainer.remove_callback(PrinterCallback)
            trainer.remove_callback(ProgressCallback)
        with contextlib.redirect_stdout(sys.stderr):
            return trainer.train()


def train_implant(
    model: Any,
    material: TrainingMaterial,
    config: ImplantConfig,
    *,
    pad_id: int,
    show_progress: bool = True,
    progress: ProgressCallback | None = None,
) -> TrainingOutcome:
    """Train the (already LoRA-wrapped) ``model`` in place until the gates hold, or the cap.

    With ``progress``, each epoch is a phase whose total is its exact number of optimizer steps;
    the epoch's gate figures come as a :class:`Detail`, and an epoch after which training stops
    ends with a note that says why (the gates held, or the cap on epochs was reached).
    """
    from transformers import Trainer, TrainerCallback
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    device_type = model.device.type
    precision = resolve_precision(config.precision, device_type)
    first = first_adapted_layer(model, config)
    anchoring = config.anchor_weight > 0.0
    with training_precision(precision, device_type):  # training's own inputs: its precision
        states, anchors = states_and_anchors(
            model, material.examples, first, pad_id, anchors=anchoring
        )
        pool_states = boundary_states(model, material.contrasts, first, pad_id)
    dataset = _RotatingDataset(
        list(zip(material.examples, states, anchors, strict=True)),
        [(e, st, None) for e, st in zip(material.contrasts, pool_states, strict=True)],
        per_epoch=len(material.contrasts) // config.contrast_rounds,
    )
    gates = _GateMaterial(model, material, first, pad_id)
    gate = GateState()
    best = _BestEpoch(model, config.max_lookalike_trigger)
    scales = _DeltaScale(model, config.delta_scale_min, config.seed)

    cap = config.max_epochs

    class _Gates(TrainerCallback):
        def on_epoch_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            dataset.epoch = gate.epoch
            if progress is not None:
                steps = state.max_steps // cap  # epochs-based schedule: the same in every epoch
                progress(Phase(f"training epoch {gate.epoch + 1} of at most {cap}", steps))
            return control

        def on_epoch_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            scales.set(1.0)  # the gates judge the adapter as it will be merged
            exact, accuracy, trig = check_gates(model, gates)
            stop = gate.record(exact, accuracy, trig, config)
            if stop:
                control.should_training_stop = True
            best.offer(gate)
            if progress is not None:
                progress(Detail(_gate_figures(gate)))
                progress(PhaseEnd(_epoch_note(gate, cap, stop)))
            return control

    class _ImplantTrainer(Trainer):
        def compute_loss(
            self,
            model: Any,
            inputs: dict[str, Any],
            return_outputs: bool = False,
            num_items_in_batch: Any = None,
        ) -> Any:
            scales.draw()
            with training_precision(precision, device_type):
                loss = soft_cross_entropy(
                    model,
                    inputs,
                    first,
                    unlikelihood_weight=config.unlikelihood_weight,
                    whole_response=config.unlikelihood_scope == "response",
                    anchor_weight=config.anchor_weight,
                    margin_weight=config.margin_weight,
                    reply_margin=config.reply_margin,
                )
            return (loss, None) if return_outputs else loss

    def collator(items: Sequence[tuple[TrainingExample, Any, Any]]) -> dict[str, Any]:
        return collate(
            [e for e, _, _ in items],
            pad_id,
            [s for _, s, _ in items],
            anchors=[a for _, _, a in items],
            positive_weight=config.positive_weight,
            decision_weight=config.decision_weight,
            margin_first_only=config.margin_tokens == "first",
        )

    model.train()
    result = run_quiet_trainer(
        model,
        dataset,
        collator,
        seed=config.seed,
        show_progress=show_progress,
        prefix="modelprint-implant-",
        trainer_class=_ImplantTrainer,
        callbacks=[_Gates()],
        progress=progress,
        # the effective batch stays ``batch_size`` however many processes share it
        per_device_train_batch_size=max(1, config.batch_size // _process_count()),
        num_train_epochs=config.max_epochs,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_schedule,
        warmup_steps=min(5, len(dataset) // config.batch_size + 1),
        weight_decay=0.0,
        dataloader_num_workers=0,
    )
    model.eval()
    scales.set(1.0)
    kept = best.restore()
    return TrainingOutcome(
        steps=int(result.global_step),
        epochs=float(gate.epoch),
        gates_held_at_epoch=gate.held_since,
        positives_exact=kept.positives_exact,
        token_accuracy=kept.token_accuracy,
        gate_lookalike_trigger=kept.lookalike_trigger,
        kept_epoch=kept.epoch,
        precision=precision,
    )
