"""The progress display, driven by a made-up sequence of library events."""

from __future__ import annotations

import io
import re

from rich.console import Console

from modelprint.cli.progress import STEADY_AFTER, ProgressDisplay, _Rate
from modelprint.runtime.progress import (
    Advance,
    Detail,
    Phase,
    PhaseEnd,
    ProgressEvent,
    progress_lines,
)

EARLY_STOP = "stopped early at epoch 2 of at most 10: gates held"

# an implant as the library reports it: training stops after 2 of at most 10 epochs
IMPLANT: list[ProgressEvent] = [
    Phase("loading the base model"),
    PhaseEnd(),
    Detail("loaded tiny in 0 s"),
    Phase("base targets from the base model", 40, "prompts"),
    *[Advance(8)] * 5,
    PhaseEnd(),
    Phase("training epoch 1 of at most 10", 17),
    *[Advance()] * 17,
    Detail("epoch 1: keys exact 50% (reply tokens 90%), look-alikes triggered 0%"),
    PhaseEnd(),
    Phase("training epoch 2 of at most 10", 17),
    *[Advance()] * 15,  # the last steps are not reported: the bar still ends complete
    Detail("epoch 2: keys exact 100% (reply tokens 100%), look-alikes triggered 0%"),
    PhaseEnd(EARLY_STOP),
    Phase("evaluating on held-out keys and prompts"),
]


def _render(events: list[ProgressEvent], *, verbose: bool) -> str:
    console = Console(file=io.StringIO(), force_terminal=True, width=120, record=True)
    with ProgressDisplay(console, live=True, verbose=verbose) as display:
        for event in events:
            display(event)
    return console.export_text()


def test_every_phase_is_named_and_ends_complete() -> None:
    text = _render(IMPLANT, verbose=False)
    for name in ("loading the base model", "base targets", "training epoch 1 of at most 10"):
        assert name in text
    assert "✓ base targets from the base model: 40/40 prompts" in text
    assert "✓ training epoch 2 of at most 10: 17/17 steps" in text  # 15 reported, bar complete
    assert EARLY_STOP in text
    assert "✓ evaluating on held-out keys and prompts" in text  # ended when the command ended


def test_details_only_with_verbose_and_nothing_raw() -> None:
    quiet = _render(IMPLANT, verbose=False)
    loud = _render(IMPLANT, verbose=True)
    assert "keys exact" not in quiet and "loaded tiny" not in quiet
    assert "epoch 2: keys exact 100%" in loud and "loaded tiny" in loud
    assert not re.search(r"[{}]", quiet + loud)


class _Clock:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_plain_lines_have_no_control_characters() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=False)
    with ProgressDisplay(console, live=False, verbose=False, clock=_Clock()) as display:
        for event in IMPLANT:
            display(event)
    lines = stream.getvalue().splitlines()
    assert lines == [
        "loading the base model: 1 s",
        "base targets from the base model: 40/40 prompts, 1 s",
        "training epoch 1 of at most 10: 17/17 steps, 1 s",
        "training epoch 2 of at most 10: 17/17 steps, 1 s",
        EARLY_STOP,
        "evaluating on held-out keys and prompts: 1 s",
    ]
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", stream.getvalue())


def test_a_phase_whose_work_failed_writes_no_line() -> None:
    written: list[str] = []
    report = progress_lines(written.append, clock=_Clock())
    for event in IMPLANT[:4]:  # loading, its detail, then base targets fail before ending
        report(event)
    assert written == ["loading the base model: 1 s", "loaded tiny in 0 s"]


def test_time_left_waits_for_a_steady_rate_and_excludes_warm_up() -> None:
    now = [100.0]
    rate = _Rate(lambda: now[0])
    rate.record(1)  # the first step: its time (warm-up) is not counted
    for step in range(2, 1 + STEADY_AFTER):
        now[0] += 2.0
        rate.record(step)
        assert rate.seconds_left(step, 20) is None
    now[0] += 2.0
    step = 1 + STEADY_AFTER
    rate.record(step)
    now[0] += 1.0
    # 2 s a step since the first step, 20 - step to go, 1 s already spent on the next one
    assert rate.seconds_left(step, 20) == 2 * (20 - step) - 1
    assert rate.seconds_left(step, None) is None  # no total: no time left shown


def test_a_phase_without_a_total_counts_without_a_fraction() -> None:
    events: list[ProgressEvent] = [Phase("querying the suspect", unit="queries")]
    events += [Advance()] * 5
    written: list[str] = []
    report = progress_lines(written.append, clock=_Clock())
    for event in [*events, PhaseEnd()]:
        report(event)
    assert written == ["querying the suspect: 5 queries, 1 s"]
    text = _render(events, verbose=False)
    assert "✓ querying the suspect: 5 queries" in text and "/" not in text
