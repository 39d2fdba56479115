"""modelprint.protocol: the sans-IO core. Every byte that is hashed or signed is produced here.

Imports neither torch, transformers nor any HTTP library.
"""

from .errors import *  # noqa: F403
from .errors import __all__ as _errors_all

__all__ = list(_errors_all)
