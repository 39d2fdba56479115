"""The ``modelprint`` command line.

Each command group lives in its own module with a ``register(subparsers)`` function; a command's
handler takes the parsed arguments and a :class:`~modelprint.cli.output.Output` and returns the exit
code. Exit codes: 0 success or positive verdict, 1 negative/rejected verdict or failed verification,
2 bad input or usage. Errors are one line on stderr naming the file and the problem, never a
traceback or a Python class name unless ``--debug``. ``--debug`` and ``-v`` work before or after the
verb; a group without its verb (``modelprint log``) prints that group's help.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from ..protocol.errors import ModelprintError
from .output import Output
from .quiet import quiet_libraries

__all__ = ["build_parser", "main"]

# Command modules, in the order their verbs appear in --help.
_COMMAND_MODULES = (
    "modelprint.cli.keys",
    "modelprint.cli.inspect",
    "modelprint.cli.check",
    "modelprint.cli.export",
    "modelprint.cli.log",
    "modelprint.cli.tsa",
    "modelprint.cli.demo",
    "modelprint.cli.whitebox",
    "modelprint.cli.challenge",
    "modelprint.cli.implant",
)

EXIT_CODES = """\
exit codes:
  0    success, or a positive verdict (match, valid)
  1    a negative or rejected verdict, or a failed verification
  2    bad input or usage, or a server that failed (a bundle written without the log or TSA
       evidence asked for is said so, with the command that adds it)
  130  interrupted

Errors are one line on stderr naming the file and the problem; --debug shows the traceback,
-v shows library warnings. Every modelprint file can be read with 'modelprint inspect FILE'."""

_JSON_HELP = "print machine-readable JSON on stdout"


class _HelpFormatter(argparse.HelpFormatter):
    """Help that shows each option's default, unless it is empty or the help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            action.option_strings
            and default not in (None, False, [], (), argparse.SUPPRESS)
            and "default" not in text
            and "%(default)" not in text
        ):
            text += " (default: %(default)s)"
        return text


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and a one-line message for usage errors; every verb's parser
    also takes ``--debug`` and ``-v`` (so they work after the verb too)."""

    def __init__(self, *args: Any, top: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs.setdefault("conflict_handler", "resolve")  # a verb's own --verbose wins
        super().__init__(*args, **kwargs)
        default = False if top else argparse.SUPPRESS
        self.add_argument(
            "--debug", action="store_true", default=default, help="show tracebacks on errors"
        )
        self.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            default=default,
            help="show library warnings and progress details",
        )

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if "--json" in args and not kwargs.get("help"):
            kwargs["help"] = _JSON_HELP
        return super().add_argument(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"modelprint: error: {message} (see {self.prog} --help)\n")


def _mark_groups(parser: argparse.ArgumentParser) -> None:
    """Let every parser with verbs remember itself, so a missing verb prints its own help."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            parser.set_defaults(help_parser=parser)
            for child in action.choices.values():
                _mark_groups(child)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="modelprint",
        description="Cryptographic provenance for LLMs.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        top=True,
    )
    parser.add_argument("--version", action="version", version="modelprint 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    _mark_groups(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        getattr(args, "help_parser", parser).print_help(sys.stderr)
        return 2
    out = Output(json_mode=bool(getattr(args, "json", False)))
    try:
        with quiet_libraries(verbose=args.verbose or args.debug):
            code: int = args.func(args, out)
        return code
    except ModelprintError as exc:
        if args.debug:
            raise
        out.error(exc.summary())
        return exc.exit_code
    except KeyboardInterrupt:
        out.error("interrupted")
        return 130
    except OSError as exc:
        if args.debug:
            raise
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        out.error(f"{where}{exc.strerror or exc or 'operating system error'}")
        return 2
    except Exception:  # the last line of defence: one line, never a traceback
        if args.debug:
            raise
        out.error("internal error; rerun with --debug for the traceback")
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
