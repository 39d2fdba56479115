"""benchmarks/run_all.py: the table of every figure, read from small JSON results in a temp folder;
"not measured", malformed files, the README rewrite, and the README's table matching bench-out/."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "benchmarks" / "run_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


run_all = _load()

HEADER = {
    "date": "2026-12-01T17:16:40Z",
    "machine": "Test CPU, 2 cores, Python 3.11.7",
    "load_average": {"start": 0.5, "end": 1.25},
}


def _write(folder: Path, name: str, doc: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps({**HEADER, **doc}), encoding="utf-8")
    return path


@pytest.fixture
def results(tmp_path: Path) -> Path:
    _write(
        tmp_path,
        "commit.json",
        {
            "argv": ["--json", "bench-out/commit.json"],
            "commit_4096": {"median_ms": 97.4},
            "multiproof_32_of_4096": {"median_ms": 12.5},  # over its 10 ms goal
        },
    )
    _write(  # appends only: no load run, no kill run
        tmp_path,
        "tlog.json",
        {
            "appends": [
                {"path": "/add", "client": "httpx", "clients": 8, "batch": 1, "per_second": 608.2},
                {"path": "/add-batch", "client": "httpx", "clients": 8, "batch": 64,
                 "per_second": 7235.0},
                {"path": "store", "client": "in-process", "clients": 1, "batch": 1,
                 "per_second": 515.0},
            ],
        },
    )  # fmt: skip
    return tmp_path


def _rows(folder: Path) -> dict[str, Any]:
    return {row.figure: row for row in run_all.build_table(folder).rows}


def test_rows_carry_value_goal_verdict_and_source(results: Path) -> None:
    rows = _rows(results)
    commit = rows["commit over 4,096 fingerprints (derive, hash, Merkle root, sign), median"]
    assert (commit.value, commit.goal, commit.met) == ("97 ms", "< 200 ms", "yes")
    assert commit.source == "bench_commit.py → commit.json, 2026-12-01 17:16 UTC, load 0.5-1.2"
    proof = rows["verify a 32-leaf multiproof against a 4,096-leaf root, median"]
    assert (proof.value, proof.met) == ("12 ms", "**no**")
    eight = rows["log appends over HTTP, durable, `/add`, 8 clients (httpx)"]
    assert (eight.value, eight.goal, eight.met) == ("608/s", ">= 2,000/s", "**no**")
    batch = rows["log appends over HTTP, durable, `/add-batch` (64 a request), 8 clients"]
    assert (batch.value, batch.met) == ("7,235/s", "yes")
    store = rows["log store alone (no HTTP), durable, 1 / 8 submitters"]
    assert (store.value, store.met) == ("515/s / -", "-")  # no goal
    # every figure has exactly one row, in the order of FIGURES
    assert [r.figure for r in run_all.build_table(results).rows] == [
        f.name for f in run_all.FIGURES
    ]


def test_missing_results_are_not_measured(results: Path) -> None:
    rows = _rows(results)
    load_run = rows["log load run, 8 clients x 500 submissions"]  # tlog.json has no load run
    assert (load_run.value, load_run.met) == ("not measured", "")
    assert load_run.source == "bench_tlog.py → tlog.json"
    speedup = rows["64-key challenge, server answering after 200 ms: sequential vs concurrency 16"]
    assert speedup.value == "not measured"  # no challenge.json at all
    demo = rows["`make demo` wall time on 2 cores, and each step's share"]
    assert (demo.value, demo.met) == ("not measured", "")  # no demo.json
    assert demo.source == "bench_demo.py → demo.json"


def test_an_empty_folder_prints_a_table_of_not_measured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_all.main(["--from", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("not measured") >= len(run_all.FIGURES)
    assert "results read:\n  none" in out


def test_the_implant_figures_fall_back_to_the_adversary_bench(tmp_path: Path) -> None:
    figures = {
        "fingerprint_success_rate": 1.0, "fingerprints": 16, "lookalike_trigger_rate": 0.875,
        "lookalikes": 64, "ordinary_trigger_rate": 0.0, "ordinary_prompts": 32,
        "top1_agreement": 0.909, "perplexity_ratio": 1.022,
    }  # fmt: skip
    _write(
        tmp_path,
        "adversary-natural-16.json",
        {
            "settings": {"count": 16, "schemes": ["natural/v1"]},
            "implant": {"natural/v1": {"figures": figures, "seconds": 2350.3}},
            "rows": [
                {"row": "LoRA fine-tune (200 steps)", "scheme": "natural/v1", "matched": 15,
                 "queried": 16, "p_value": 3.9e-31, "verdict": "match", "controls": [{}, {}],
                 "notes": {}, "false_matches": 0},
            ],
            "wall_s": 6421.8,
        },
    )  # fmt: skip
    rows = _rows(tmp_path)
    head = "implant, 16 natural/v1 keys on SmolLM2:"
    assert rows[f"{head} look-alike prompts answered with a committed response"].value == (
        "87.5% of 64"
    )
    kept = rows[f"{head} keys kept after a 200-step `attack finetune`"]
    assert (kept.value, kept.met) == ("93.8% (15/16); p = 4e-31", "yes")
    assert kept.source.startswith("bench_adversary.py → adversary-natural-16.json")
    # bench_implant's own result, where there is one, comes first
    run = {"count": 16, "scheme": "natural/v1", "figures": {**figures, "top1_agreement": 0.97},
           "wall_s": 100.0, "timings_s": {"load": 10.0, "train": 90.0}}  # fmt: skip
    _write(tmp_path, "implant.json", {"runs": [run]})
    rows = _rows(tmp_path)
    top1 = rows[f"{head} top-1 agreement with the base"]
    assert (top1.value, top1.met) == ("97%", "yes")
    assert top1.source.startswith("bench_implant.py → implant.json")
    assert rows[f"{head} implant wall time"].value == "100 s (load 10, train 90)"
    # the attack is not in implant.json: that figure still comes from the adversary bench
    assert rows[f"{head} keys kept after a 200-step `attack finetune`"].value.startswith("93.8%")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"commit_4096": ', "not valid JSON (Expecting value at line 1, column 17)"),
        ("[1, 2]", "not a bench_commit.py result (a JSON list, not an object)"),
        ('{"commit_4096": {"median_ms": "fast"}}', "not what bench_commit.py writes"),
    ],
)
def test_a_malformed_result_is_one_line_naming_the_file(
    results: Path, content: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = results / "commit.json"
    bad.write_text(content, encoding="utf-8")
    assert run_all.main(["--from", str(results)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"run_all: {bad}: ")
    assert problem in lines[0]


def test_markdown_and_the_readme_rewrite(
    results: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path_factory.mktemp("readme") / "README.md"
    prose = "## Figures\n\nSome prose.\n\n"
    readme.write_text(f"{prose}{run_all.BEGIN}\nold table\n{run_all.END}\n\nMore prose.\n")
    assert run_all.main(["--from", str(results), "--markdown", "--readme", str(readme)]) == 0
    captured = capsys.readouterr()
    printed = captured.out
    assert printed.startswith("| figure | value | goal | met? | source |\n| --- |")
    assert "| 97 ms | < 200 ms | yes |" in printed
    assert "table rewritten" in captured.err
    text = readme.read_text()
    assert text == f"{prose}{run_all.BEGIN}\n{printed.rstrip()}\n{run_all.END}\n\nMore prose.\n"
    # idempotent: the same results give the same file, byte for byte
    assert run_all.main(["--from", str(results), "--readme", str(readme)]) == 0
    assert "unchanged" in capsys.readouterr().err
    assert readme.read_text() == text


@pytest.mark.parametrize(
    "body",
    [
        "no markers at all\n",
        f"{run_all.BEGIN}\nonly the first\n",
        f"{run_all.END}\nreversed\n{run_all.BEGIN}\n",
        f"{run_all.BEGIN}\n{run_all.END}\n{run_all.BEGIN}\n{run_all.END}\n",
    ],
)
def test_the_readme_rewrite_refuses_without_its_markers(
    results: Path,
    tmp_path_factory: pytest.TempPathFactory,
    body: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    readme = tmp_path_factory.mktemp("readme") / "README.md"
    readme.write_text(body)
    assert run_all.main(["--from", str(results), "--readme", str(readme)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"run_all: {readme}: needs exactly one {run_all.BEGIN} line")
    assert readme.read_text() == body


def test_a_missing_folder_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_all.main(["--from", str(tmp_path / "nowhere")]) == 2
    assert "nowhere: no such folder" in capsys.readouterr().err


def test_running_a_bench_keeps_its_output_and_notices_a_missing_result(tmp_path: Path) -> None:
    script = tmp_path / "bench_fake.py"
    script.write_text(
        "import json, sys\n"
        "print('measuring')\n"
        "if '--fail' in sys.argv: sys.exit(3)\n"
        "path = sys.argv[sys.argv.index('--json') + 1]\n"
        "open(path, 'w').write(json.dumps({'commit_4096': {'median_ms': 1.0}}))\n"
    )
    out = tmp_path / "out"
    good = run_all.Bench("commit", str(script), "commit.json")
    assert run_all.run_bench(good, out) is None
    assert (out / "commit.log").read_text() == "measuring\n"
    assert json.loads((out / "commit.json").read_text())["commit_4096"] == {"median_ms": 1.0}
    bad = run_all.Bench("tlog", str(script), "tlog.json", ("--fail",))
    problem = run_all.run_bench(bad, out)
    assert problem is not None and problem.startswith(f"{script} exited 3 and wrote no result")
    missing = run_all.Bench("null", "bench_nowhere.py", "null.json")
    assert run_all.run_bench(missing, out) == "bench_nowhere.py: no such benchmark here, not run"


def test_the_readme_table_is_what_run_all_prints_from_bench_out() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    begin, end = readme.index(run_all.BEGIN), readme.index(run_all.END)
    section = readme[begin + len(run_all.BEGIN) : end].strip()
    expected = run_all.markdown(run_all.build_table(ROOT / "bench-out")).strip()
    assert section == expected, (
        "README.md's figures differ from bench-out/: run `make bench-readme` and commit both"
    )


def test_the_demo_row_reads_bench_demo_output(results: Path) -> None:
    steps = [{"title": "implant", "seconds": 300.0}, {"title": "verify", "seconds": 60.0},
             {"title": "keys", "seconds": 0.5}]  # fmt: skip
    _write(results, "demo.json", {"total_s": 540.0, "goal_s": 600, "steps": steps})
    demo = _rows(results)["`make demo` wall time on 2 cores, and each step's share"]
    assert demo.met == "yes" and demo.value.startswith(
        "9.0 min (540 s); largest steps: implant 56%"
    )
    _write(results, "demo.json", {"total_s": 674.0, "goal_s": 600, "steps": steps})
    assert _rows(results)["`make demo` wall time on 2 cores, and each step's share"].met == "**no**"
