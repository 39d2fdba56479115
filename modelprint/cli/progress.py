"""One progress display for the long-running commands, drawn from the library's progress events.

The library reports phases and counts (:mod:`modelprint.runtime.progress`); this module renders
them. On a terminal it is one live line: the current phase's name, a bar when its total is known
(a pulse when it is not), the count, the time left and the time spent. A phase that ends leaves
one line behind (its bar completed, so nothing stops short), with the library's note when it
ended unusually ("stopped early at epoch 3 of at most 10: gates held"). The time left is the
remaining count at the phase's mean rate since its first step (the first step pays for warm-up),
shown only once a few steps have been timed, so it does not swing. Details (gate figures,
timings) appear only with ``-v``.

When stdout or stderr is not a terminal, or with ``--json``, there is no bar: one plain line on
stderr per phase as it ends, with its count and time (and the notes, and with ``-v`` the details),
no control characters.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from ..runtime.progress import (
    Advance,
    Detail,
    Phase,
    PhaseEnd,
    ProgressCallback,
    ProgressEvent,
    count_text,
    phase_summary,
    progress_lines,
)

__all__ = ["ProgressDisplay", "progress_display"]

STEADY_AFTER = 3
"""Steps timed (after a phase's first) before its time left is shown."""


class _Count(ProgressColumn):
    """``12/17 steps`` when the phase's total is known, ``5 queries`` (or nothing) when it is not."""

    def render(self, task: Task) -> Text:
        phase: Phase = task.fields["phase"]
        return Text(count_text(phase, int(task.completed)).removesuffix(", "))


class _TimeLeft(ProgressColumn):
    """The phase's remaining count at its mean rate since its first step, once that is steady."""

    max_refresh = 1.0

    def render(self, task: Task) -> Text:
        rate: _Rate = task.fields["rate"]
        left = rate.seconds_left(task.completed, task.total)
        if left is None:
            return Text("")
        minutes, seconds = divmod(round(left), 60)
        return Text(f"~{minutes}:{seconds:02d} left", style="progress.remaining")


class _Rate:
    """Mean seconds per unit in one phase, timed from its first step (warm-up excluded)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.first: tuple[float, float] | None = None  # (time, completed) at the first step
        self.last: tuple[float, float] | None = None
        self.steps = 0

    def record(self, completed: float) -> None:
        now = self.clock()
        if self.first is None:
            self.first = (now, completed)
        else:
            self.steps += 1
        self.last = (now, completed)

    def seconds_left(self, completed: float, total: float | None) -> float | None:
        if total is None or self.first is None or self.last is None:
            return None
        if self.steps < STEADY_AFTER:
            return None
        spent, done = self.last[0] - self.first[0], self.last[1] - self.first[1]
        if spent <= 0 or done <= 0:
            return None
        left = (total - completed) * spent / done - (self.clock() - self.last[0])
        return max(0.0, left)


class ProgressDisplay:
    """Renders a command's progress events; use it as a context manager around the work."""

    def __init__(
        self,
        console: Console,
        *,
        live: bool,
        verbose: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = console
        self.verbose = verbose
        self.live = live
        self._clock = clock
        self._plain: ProgressCallback = progress_lines(self._write, details=verbose, clock=clock)
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=30),
            _Count(),
            _TimeLeft(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None
        self._started = 0.0

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self(PhaseEnd())  # the command's last phase ends with it
        if self.live:
            self._progress.stop()

    def __call__(self, event: ProgressEvent) -> None:
        if not self.live:
            self._plain(event)
        elif isinstance(event, Phase):
            self._begin(event)
        elif isinstance(event, Advance):
            self._advance(event.count)
        elif isinstance(event, PhaseEnd):
            self._end(event)
        elif isinstance(event, Detail) and self.verbose:
            self._print(Text(f"  {event.text}", style="dim"))

    def _write(self, line: str) -> None:
        self.console.file.write(line + "\n")
        self.console.file.flush()

    def _print(self, text: Text) -> None:
        self._progress.console.print(text, highlight=False, soft_wrap=True)

    def _begin(self, phase: Phase) -> None:
        if self._task is not None:
            self._end(PhaseEnd())
        self._started = self._clock()
        self._task = self._progress.add_task(
            phase.name, total=phase.total, phase=phase, rate=_Rate(self._clock)
        )

    def _advance(self, count: int) -> None:
        if self._task is None:
            return
        self._progress.advance(self._task, count)
        task = self._current(self._task)
        task.fields["rate"].record(task.completed)

    def _current(self, task_id: TaskID) -> Task:
        return next(t for t in self._progress.tasks if t.id == task_id)

    def _end(self, end: PhaseEnd) -> None:
        if self._task is not None:
            task = self._current(self._task)
            phase: Phase = task.fields["phase"]
            done = int(task.completed)
            if phase.total is not None:  # an ended phase is complete: no bar stops short
                self._progress.update(self._task, completed=max(done, phase.total))
            self._progress.remove_task(self._task)
            self._task = None
            self._print(Text(f"✓ {phase_summary(phase, done, self._clock() - self._started)}"))
        if end.note:
            self._print(Text(f"  {end.note}"))


def progress_display(
    *, json_mode: bool, verbose: bool, stream: TextIO | None = None
) -> ProgressDisplay:
    """The display for one command: live on a terminal, plain lines otherwise (and with --json)."""
    err = stream if stream is not None else sys.stderr
    console = Console(file=err, highlight=False)
    live = console.is_terminal and sys.stdout.isatty() and not json_mode
    return ProgressDisplay(console, live=live, verbose=verbose)
