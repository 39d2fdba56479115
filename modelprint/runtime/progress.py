"""Progress of long-running work as typed events: the library reports, its caller renders.

A long operation (an implant, a downstream fine-tune, a verification that queries many keys)
reports what it is doing as a sequence of events passed to one callback:

- :class:`Phase` starts a named phase, with its total when that is known exactly (never a guess;
  ``None`` means the amount of work is not known and a display shows no fraction);
- :class:`Advance` counts work done in the current phase;
- :class:`PhaseEnd` closes it, with a note when it ended differently from what its name promised
  (training that stopped early because the gates held);
- :class:`Detail` carries figures for people who asked for them (losses, per-epoch gate figures).

The library never draws anything: the CLI renders the events as one bar
(:mod:`modelprint.cli.progress`), and :func:`progress_lines` turns them into plain lines for a log
or ``print``, one per ended phase with its count and time (what the CLI writes when it draws no
bar).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = [
    "Advance",
    "Detail",
    "Phase",
    "PhaseEnd",
    "ProgressCallback",
    "ProgressEvent",
    "count_text",
    "ignore_progress",
    "in_phase",
    "phase_summary",
    "progress_lines",
]


@dataclass(frozen=True, slots=True)
class Phase:
    """A phase starts; it replaces the previous one if that was not ended."""

    name: str
    total: int | None = None
    """How many units of work the phase has, exactly; ``None`` when that is not known."""
    unit: str = "steps"


@dataclass(frozen=True, slots=True)
class Advance:
    """``count`` more units of the current phase are done."""

    count: int = 1


@dataclass(frozen=True, slots=True)
class PhaseEnd:
    """The current phase is over (a display completes its bar); ``note`` says how, if unusual."""

    note: str = ""


@dataclass(frozen=True, slots=True)
class Detail:
    """A line for people who asked for details (``-v``): figures, not progress."""

    text: str


ProgressEvent = Phase | Advance | PhaseEnd | Detail
ProgressCallback = Callable[[ProgressEvent], None]


def ignore_progress(event: ProgressEvent) -> None:
    """The callback of a caller that wants no progress."""


@contextlib.contextmanager
def in_phase(
    report: ProgressCallback, name: str, total: int | None = None, unit: str = "steps"
) -> Iterator[None]:
    """Report ``name`` as the current phase for the duration of the block."""
    report(Phase(name, total, unit))
    yield
    report(PhaseEnd())


def phase_summary(phase: Phase, done: int, seconds: float) -> str:
    """An ended phase as one line: its name, its count (complete: it ended) and its time."""
    return f"{phase.name}: {count_text(phase, done, ended=True)}{seconds:.0f} s"


def count_text(phase: Phase, done: int, *, ended: bool = False) -> str:
    """``12/17 steps, `` for a phase with a total (complete once ended), ``5 queries, `` for one
    without that has counted something, else nothing."""
    if phase.total is not None:
        shown = max(done, phase.total) if ended else done
        return f"{shown}/{phase.total} {phase.unit}, "
    return f"{done} {phase.unit}, " if done else ""


def progress_lines(
    write: Callable[[str], None],
    *,
    details: bool = True,
    clock: Callable[[], float] = time.monotonic,
) -> ProgressCallback:
    """A callback that writes one line per ended phase (:func:`phase_summary`), then its note,
    and (``details``) each detail. A phase that never ends (its work failed) writes nothing."""
    current: list[tuple[Phase, float]] = []
    done = [0]

    def report(event: ProgressEvent) -> None:
        if isinstance(event, Phase):
            if current:
                report(PhaseEnd())
            current.append((event, clock()))
            done[0] = 0
        elif isinstance(event, Advance):
            done[0] += event.count
        elif isinstance(event, PhaseEnd):
            if current:
                phase, started = current.pop()
                write(phase_summary(phase, done[0], clock() - started))
            if event.note:
                write(event.note)
        elif details:
            write(event.text)

    return report
