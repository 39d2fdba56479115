"""Library warnings out of the user's way while a command runs (shown again with ``-v``/``--debug``).

What the libraries beneath us warn about is not ours to show a user: deprecation notices from
transformers (``is_gradient_checkpointing`` during fine-tunes), torch's ``pin_memory`` note on a
machine without an accelerator, transformers' advisory log lines. :func:`quiet_libraries` hides
them for the duration of one command and restores everything afterwards; the library installs no
warning filters, so a Python caller sees what its libraries say. (Model loading already hides the
GGUF conversion bar itself: :mod:`modelprint.runtime.models`.) Training progress and modelprint's
own lines are not touched.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator

__all__ = ["quiet_libraries"]


@contextlib.contextmanager
def quiet_libraries(*, verbose: bool) -> Iterator[None]:
    """Hide library warnings and advisory log lines for one command, unless ``verbose``."""
    if verbose:
        yield
        return
    had_env = "TRANSFORMERS_VERBOSITY" in os.environ
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # read when transformers loads
    logging = sys.modules.get("transformers.utils.logging")  # already loaded: lower it now
    level = logging.get_verbosity() if logging is not None else None
    if logging is not None:
        logging.set_verbosity_error()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=FutureWarning)
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", message=".*pin_memory.*")
            yield
    finally:
        if logging is not None and level is not None:
            logging.set_verbosity(level)
        if not had_env:
            os.environ.pop("TRANSFORMERS_VERBOSITY", None)
