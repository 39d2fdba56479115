"""The bundle file (re-exported from the sans-IO records) and its file helpers."""

from ..protocol.records import Bundle
from .commitment import load_bundle, save_bundle

__all__ = ["Bundle", "load_bundle", "save_bundle"]
