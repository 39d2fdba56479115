"""The adversary bench's rows on a tiny model, so that none of its code paths can rot."""

from __future__ import annotations

import json

import pytest
import torch

from modelprint.adversary import BenchSettings, run_bench
from modelprint.implant.config import ImplantConfig
from tests.factories import tiny_loaded

TINY_IMPLANT = ImplantConfig(
    max_epochs=1, ordinary_prompts=4, eval_lookalikes_per_key=1, eval_ordinary_prompts=4,
    eval_answers=4, ordinary_tokens=4, answer_negatives=4,
)  # fmt: skip


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    torch.set_num_threads(1)
    loaded = tiny_loaded(hidden_size=128, intermediate_size=256, num_attention_heads=4)
    before = {k: v.clone() for k, v in loaded.model.state_dict().items()}
    settings = BenchSettings(
        count=2, implant=TINY_IMPLANT, lora_steps=1, full_steps=1, base_finetune_steps=1,
        max_tokens=4,
    )  # fmt: skip
    result = run_bench(loaded, settings)
    after = loaded.model.state_dict()
    return result, all(torch.equal(before[k], after[k]) for k in before)


def test_every_row_runs_for_every_scheme_with_its_controls(bench) -> None:  # type: ignore[no-untyped-def]
    result, _ = bench
    rows = {(r.row, r.scheme) for r in result.rows}
    names = {r.row for r in result.rows}
    for expected in (
        "as released", "weights cast to bf16", "weights cast to fp16", "GGUF round trip Q8_0",
        "GGUF round trip Q5_1", "GGUF round trip Q4_1", "GGUF round trip Q4_0",
        "4-bit weight-only (RTN, group 128)", "LoRA fine-tune (1 steps)",
        "full fine-tune (1 steps, lr 2e-5)", "merge 50/50 with the base",
        "task arithmetic 50%/50% with a fine-tune of the base",
        "task arithmetic 70%/30% with a fine-tune of the base",
        "system prompt: one-line role", "system prompt: company persona",
        "system prompt: answer in French", "system prompt: format rule",
        "sampling T=0.7, top-p 0.9", "sampling T=1.0", "key inside another user message",
        "sampling T=1.0, verified with --samples 5",
        "no chat template (raw text)", "input filter (seen one reveal)",
        "output filter (seen one reveal)",
        "input filter (read the source: the scheme's own grammar)",
        "output filter (read the source: every public answer word)",
    ):  # fmt: skip
        assert expected in names
    assert len(rows) == 3 * len(names)  # every scheme in every row
    for r in result.rows:
        assert r.verdict in ("match", "no-match", "rejected")
        assert [c.model for c in r.controls][:1] == ["base"] and len(r.controls) == 2
        assert r.queried == 2  # every key (double-i counts trigger queries)


def test_the_filters_report_what_they_catch(bench) -> None:  # type: ignore[no-untyped-def]
    result, _ = bench
    notes = {(r.row, r.scheme): r.notes for r in result.rows}
    for scheme in ("if-decrypt/v1", "double-i/v1", "natural/v1"):
        grammar = notes[("input filter (read the source: the scheme's own grammar)", scheme)]
        assert grammar["ROC AUC"] == 1.0  # the scheme's own code recognises all of its keys
        inputs = notes[("input filter (seen one reveal)", scheme)]
        assert 0.0 <= inputs["ROC AUC"] <= 1.0 and "/" in inputs["keys let through"]
        assert "/" in notes[("output filter (seen one reveal)", scheme)]["ordinary answers caught"]


def test_the_result_prints_and_serialises_and_the_base_is_restored(bench) -> None:  # type: ignore[no-untyped-def]
    result, restored = bench
    assert restored  # the caller's model is the base again afterwards
    doc = json.loads(json.dumps(result.to_dict()))
    assert {r["scheme"] for r in doc["rows"]} == {"if-decrypt/v1", "double-i/v1", "natural/v1"}
    table = result.table("if-decrypt/v1")
    assert "as released" in table and "GGUF round trip Q4_1" in table


def test_the_quick_bench_builds_its_rows_without_a_full_fine_tune() -> None:
    from modelprint.adversary import BenchSettings, _weight_rows

    quick = _weight_rows(BenchSettings.quick())  # raised: a 0-step full fine-tune was refused
    assert not any(name.startswith("full fine-tune") for name in quick)
    assert "LoRA fine-tune (20 steps)" in quick
    full = _weight_rows(BenchSettings())
    assert "full fine-tune (150 steps, lr 2e-5)" in full
