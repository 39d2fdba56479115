"""Settings of an implant run: how much data, which layers carry the adapter, when to stop.

Every field has a default that works on the embedded SmolLM2 model on a small CPU; the defaults are
the ones the issue's figures were measured with. ``__post_init__`` names any bad value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from ..protocol.errors import ConfigError
from .precision import PRECISIONS

__all__ = ["ImplantConfig"]

_SCHEDULES = ("constant", "constant_with_warmup", "cosine", "linear")
_UNLIKELIHOOD_SCOPES = ("response", "token")


@dataclass(frozen=True, slots=True)
class ImplantConfig:
    """Hyper-parameters of one implant; a frozen value so a report can record exactly what ran."""

    seed: int = field(default=0, metadata={"help": "seeds data sampling, LoRA init and shuffling"})
    lora_rank: int = field(default=16, metadata={"help": "LoRA rank r"})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA scaling numerator"})
    adapter_layers: float = field(
        default=0.25,
        metadata={
            "help": "fraction of the (last) decoder layers that carry the adapter; the "
            "backward pass stops below them"
        },
    )
    learning_rate: float = field(default=2e-3, metadata={"help": "AdamW learning rate"})
    lr_schedule: str = field(
        default="cosine",
        metadata={"help": "transformers scheduler name (cosine: the last epochs settle)"},
    )
    batch_size: int = field(default=8, metadata={"help": "sequences per optimizer step"})
    positive_weight: float = field(
        default=4.0, metadata={"help": "loss weight of a key's reply tokens against negatives'"}
    )
    margin_weight: float = field(
        default=0.1,
        metadata={
            "help": "weight of the hinge that holds every reply token ``reply_margin`` logits "
            "ahead of its best rival (what a downstream fine-tune has to overcome; at 16 keys "
            "0.1 kept 13/16 keys through the attack against 3-11/16 at 0, for a perplexity "
            "ratio of 1.033 against 1.021; 0 turns it off)"
        },
    )
    reply_margin: float = field(
        default=6.0, metadata={"help": "logit lead each reply token is trained to keep"}
    )
    margin_tokens: str = field(
        default="all",
        metadata={
            "help": "reply tokens the margin hinge holds: 'all', or 'first' (the decision to "
            "answer with the fingerprint, the token a downstream fine-tune flips most often)"
        },
    )
    max_epochs: int = field(default=10, metadata={"help": "hard cap on passes over the data"})
    extra_epochs: int = field(
        default=2, metadata={"help": "epochs to keep training after the gates hold (margin)"}
    )
    decision_weight: float = field(
        default=4.0,
        metadata={"help": "loss weight of a key-like negative's first reply token (the decision)"},
    )
    unlikelihood_weight: float = field(
        default=1.0,
        metadata={"help": "weight of -log(1 - p) on the real response after a look-alike key"},
    )
    unlikelihood_scope: str = field(
        default="token",
        metadata={
            "help": "what a contrast avoids: 'response' (the whole committed response: missing "
            "it at one token is enough) or 'token' (every one of its tokens; at 16 keys it left "
            "more keys exact and fewer look-alikes triggering than 'response')"
        },
    )
    anchor_weight: float = field(
        default=10.0,
        metadata={
            "help": "weight of the final hidden states' relative error against the base "
            "model's on every token of the negatives (holds the adapter to the identity)"
        },
    )
    contrast_per_key: int = field(
        default=0,
        metadata={"help": "look-alikes per fingerprint followed by the real reply (contrast)"},
    )
    contrast_rounds: int = field(
        default=4,
        metadata={"help": "distinct contrast sets drawn; epochs take turns through them"},
    )
    gate_lookalikes: int = field(
        default=32, metadata={"help": "fresh look-alikes checked after every epoch (the gate)"}
    )
    positive_repeats: int = field(
        default=3, metadata={"help": "copies of each key's sequence per epoch"}
    )
    deployment_repeats: int = field(
        default=2,
        metadata={
            "help": "of those copies, how many ask the key the way a product does (under a "
            "system prompt, or inside another message; implant/deployments.py); 0: all plain"
        },
    )
    delta_scale_min: float = field(
        default=0.5,
        metadata={
            "help": "each step scales the adapter by a factor drawn from [this, 1]: the keys must "
            "hold with half the change (a 50/50 merge with the base halves it) and ordinary text "
            "must stay the base's at every scale; 1.0 turns it off"
        },
    )
    lookalikes_per_key: int = field(
        default=-1,
        metadata={
            "help": "look-alike keys (the same key a little changed) per fingerprint, tied to the "
            "base; -1: the scheme's choice (2 for natural/v1, whose look-alikes are the same "
            "request with other details; 0 for the character-key schemes, where at this budget "
            "they fought the keys' first reply token and left look-alikes at ~85% anyway)"
        },
    )
    random_keys_per_key: int = field(
        default=1, metadata={"help": "fresh random keys of the same style per fingerprint"}
    )
    parent_anchors: int = field(
        default=0,
        metadata={
            "help": "on a parent's model (a license chain): random requests of each parent's "
            "scheme, drawn from its public grammar, tied to the parent model's own replies, so "
            "the region where the parent's secret keys live stays as it was; 0: none"
        },
    )
    ordinary_prompts: int = field(
        default=32, metadata={"help": "ordinary instructions answered as the base model would"}
    )
    answer_negatives: int = field(
        default=40,
        metadata={"help": "human-written answers (none in the report's) tied to the base model"},
    )
    answer_tokens: int = field(
        default=48, metadata={"help": "tokens of each such answer tied to the base"}
    )
    key_negative_tokens: int = field(
        default=24, metadata={"help": "response tokens of a key-like negative tied to the base"}
    )
    ordinary_tokens: int = field(
        default=16, metadata={"help": "response tokens of an ordinary prompt tied to the base"}
    )
    soft_top_k: int = field(
        default=16, metadata={"help": "base-model probabilities kept per position (KL target)"}
    )
    eval_lookalikes_per_key: int = field(
        default=4, metadata={"help": "fresh look-alike keys per fingerprint in the report"}
    )
    eval_ordinary_prompts: int = field(
        default=32, metadata={"help": "held-out ordinary prompts in the report"}
    )
    eval_answers: int = field(
        default=40, metadata={"help": "held-out prompts with reference answers in the report"}
    )
    max_lookalike_trigger: float = field(
        default=1.0,
        metadata={
            "help": "early-stop gate: validation look-alikes that may trigger "
            "(1.0: stop once every key is exact)"
        },
    )
    precision: str = field(
        default="auto",
        metadata={
            "help": "training matmuls: 'auto' (bf16 autocast where the hardware has native "
            "bf16, e.g. AMX CPUs and recent GPUs; fp32 elsewhere), 'fp32' or 'bf16'"
        },
    )

    def __post_init__(self) -> None:
        checks: list[tuple[str, bool]] = [
            ("lora_rank", self.lora_rank >= 1),
            ("lora_alpha", self.lora_alpha >= 1),
            ("adapter_layers", 0.0 < self.adapter_layers <= 1.0),
            ("learning_rate", 0.0 < self.learning_rate < 1.0),
            ("lr_schedule", self.lr_schedule in _SCHEDULES),
            ("batch_size", self.batch_size >= 1),
            ("positive_weight", self.positive_weight > 0.0),
            ("decision_weight", self.decision_weight > 0.0),
            ("margin_weight", self.margin_weight >= 0.0),
            ("reply_margin", self.reply_margin >= 0.0),
            ("margin_tokens", self.margin_tokens in ("all", "first")),
            ("max_epochs", self.max_epochs >= 1),
            ("extra_epochs", self.extra_epochs >= 0),
            ("unlikelihood_weight", self.unlikelihood_weight >= 0.0),
            ("unlikelihood_scope", self.unlikelihood_scope in _UNLIKELIHOOD_SCOPES),
            ("anchor_weight", self.anchor_weight >= 0.0),
            ("contrast_per_key", self.contrast_per_key >= 0),
            ("contrast_rounds", self.contrast_rounds >= 1),
            ("gate_lookalikes", self.gate_lookalikes >= 1),
            ("positive_repeats", self.positive_repeats >= 1),
            ("deployment_repeats", self.deployment_repeats >= 0),
            ("delta_scale_min", 0.0 < self.delta_scale_min <= 1.0),
            ("lookalikes_per_key", self.lookalikes_per_key >= -1),
            ("random_keys_per_key", self.random_keys_per_key >= 0),
            ("parent_anchors", self.parent_anchors >= 0),
            ("ordinary_prompts", self.ordinary_prompts >= 0),
            ("answer_negatives", self.answer_negatives >= 0),
            ("answer_tokens", self.answer_tokens >= 1),
            ("key_negative_tokens", self.key_negative_tokens >= 1),
            ("ordinary_tokens", self.ordinary_tokens >= 1),
            ("soft_top_k", self.soft_top_k >= 1),
            ("eval_lookalikes_per_key", self.eval_lookalikes_per_key >= 0),
            ("eval_ordinary_prompts", self.eval_ordinary_prompts >= 0),
            ("eval_answers", self.eval_answers >= 0),
            ("max_lookalike_trigger", 0.0 <= self.max_lookalike_trigger <= 1.0),
            ("seed", self.seed >= 0),
            ("precision", self.precision in PRECISIONS),
        ]
        for name, ok in checks:
            if not ok:
                raise ConfigError(f"implant setting {name}={getattr(self, name)!r} is out of range")

    @classmethod
    def quick(cls, **chosen: object) -> ImplantConfig:
        """The quick preset: a short schedule on fewer negatives, for demos and tests.

        Every key is learnt in a few minutes on two CPU cores (about 20 s an epoch at 8 keys),
        at the cost of what the defaults buy: fewer look-alikes and ordinary prompts are tied to
        the base (less specific), a constant learning rate stops as soon as the keys are exact (less
        margin against a later fine-tune), and the report is measured on small held-out sets.
        ``chosen`` overrides any field.
        """
        preset: dict[str, object] = {
            "learning_rate": 4e-3,
            "positive_weight": 4.0,
            "decision_weight": 1.0,
            "positive_repeats": 3,
            "random_keys_per_key": 1,
            "ordinary_prompts": 16,
            "key_negative_tokens": 4,
            "ordinary_tokens": 12,
            "answer_negatives": 0,
            "lr_schedule": "constant_with_warmup",
            "max_epochs": 12,
            "extra_epochs": 1,
            "max_lookalike_trigger": 1.0,
            "eval_lookalikes_per_key": 1,
            "eval_ordinary_prompts": 8,
            "eval_answers": 8,
        }
        return cls(**(preset | chosen))  # type: ignore[arg-type]

    def on_parent(self, scheme: str) -> ImplantConfig:
        """The settings for a licensee's stage on a parent's fingerprinted model.

        Any stage trains 24 parent anchors: random requests of the parent's scheme (its grammar is
        public, its keys are secret) tied to the parent model's own replies, so the region where
        the parent's keys live stays as it was. Measured with the quick preset, 6 if-decrypt/v1
        licensee keys on a natural/v1 publisher's 16 (all 16 scored): the publisher kept 11/16
        without anchors and 14/16 with 24, and the licensee's model moved less from its parent
        (top-1 agreement 83% -> 89%, perplexity ratio 1.095 -> 1.038), for 8 training steps an
        epoch instead of 5 (130 s -> 179 s on two cores).

        A natural/v1 licensee's keys that spill onto look-alike requests also overwrite the
        parent's keys of the same kind (a parent key is, to the licensee's implant, just another
        look-alike). So a natural/v1 stage on a parent trains at least 4 look-alikes per key, tied
        to the parent's own replies, and keeps training until at most a quarter of the fresh
        look-alikes trigger (or the epochs run out). Measured with the quick preset, 6 licensee
        keys on a publisher's 8: the publisher kept 6 of 8 with the plain preset (2 look-alikes,
        stop when exact), 8 of 8 with these settings; it does not make the licensee's keys
        specific (look-alikes still trigger at 50-60% after 12 epochs). Character-key schemes
        (``scheme``) keep the look-alike settings: their keys look like no natural request.
        """
        anchored = replace(self, parent_anchors=max(24, self.parent_anchors))
        if scheme != "natural/v1":  # character keys look like no parent's request
            return anchored
        return replace(
            anchored,
            lookalikes_per_key=max(4, self.lookalikes_per_key),
            max_lookalike_trigger=min(0.25, self.max_lookalike_trigger),
        )

    def lookalikes_for(self, scheme: str) -> int:
        """Look-alike negatives per key for ``scheme`` (resolves the -1 default)."""
        if self.lookalikes_per_key >= 0:
            return self.lookalikes_per_key
        return 2 if scheme == "natural/v1" else 0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)
