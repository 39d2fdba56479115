"""Training precision: what ``auto`` resolves to, and that the autocast block changes matmuls only."""

from __future__ import annotations

import pytest
import torch

from modelprint.implant.config import ImplantConfig
from modelprint.implant.precision import native_bf16, resolve_precision, training_precision
from modelprint.protocol.errors import ConfigError


def test_explicit_precisions_stand_and_auto_follows_the_hardware() -> None:
    assert resolve_precision("fp32", "cpu") == "fp32"
    assert resolve_precision("bf16", "cpu") == "bf16"
    assert resolve_precision("auto", "cpu") == ("bf16" if native_bf16("cpu") else "fp32")
    assert resolve_precision("auto", "meta") == "fp32"  # nothing native there: no autocast


def test_bf16_autocast_lowers_matmuls_inside_the_block_only() -> None:
    a, b = torch.randn(4, 8), torch.randn(8, 3)
    with training_precision("bf16", "cpu"):
        assert (a @ b).dtype == torch.bfloat16
    with training_precision("fp32", "cpu"):
        assert (a @ b).dtype == torch.float32
    assert (a @ b).dtype == torch.float32


def test_an_unknown_precision_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="precision"):
        ImplantConfig(precision="fp8")
