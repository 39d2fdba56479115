"""The ``modelprint`` command line.

Each command group lives in its own module with a ``register(subparsers)`` function; a command's
handler takes the parsed arguments and a :class:`~modelprint.cli.output.Output` and returns the exit
code. Exit codes: 0 success or positive verdict, 1 negative/rejected verdict or failed verification,
2 bad input or usage. Errors are one line on stderr, never a traceback unless ``--debug``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ..protocol.errors import ModelprintError
from .output import Output

__all__ = ["build_parser", "main"]

# Command modules, in the order their verbs appear in --help.
_COMMAND_MODULES = (
    "modelprint.cli.keys",
    "modelprint.cli.inspect",
    "modelprint.cli.check",
    "modelprint.cli.log",
    "modelprint.cli.demo",
    "modelprint.cli.whitebox",
    "modelprint.cli.challenge",
    "modelprint.cli.implant",
)


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and a one-line message for usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"modelprint: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="modelprint", description="Cryptographic provenance for LLMs.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version="modelprint 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    out = Output(json_mode=bool(getattr(args, "json", False)))
    try:
        code: int = args.func(args, out)
        return code
    except ModelprintError as exc:
        if args.debug:
            raise
        out.error(exc.diagnostics())
        return exc.exit_code
    except KeyboardInterrupt:
        out.error("interrupted")
        return 130
    except OSError as exc:
        if args.debug:
            raise
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        out.error(f"{where}{exc.strerror or type(exc).__name__}")
        return 2
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if args.debug:
            raise
        out.error(f"internal error ({type(exc).__name__}); rerun with --debug for details")
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
