"""Issue 18 figure: `make demo`'s wall time on this machine, and each step's share.

    .venv/bin/python benchmarks/bench_demo.py [--workdir DIR] [--json FILE]
    .venv/bin/python benchmarks/bench_demo.py --from-report demo-work/demo-report.json --json FILE

Runs ``modelprint demo`` (the whole lifecycle: two implants on SmolLM2, servers, challenges, the
chain and three controls) in a fresh folder, or reads the report an earlier run wrote, and prints
the total and every step's time and share. The goal is under 10 minutes on 2 quiet cores; the load
average at the start and the end is recorded beside it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from _machine import Run, describe_machine  # noqa: E402

GOAL_S = 600


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--workdir", type=Path, help="the demo's folder (default: a temporary one)")
    ap.add_argument("--from-report", type=Path, help="read this demo-report.json, run nothing")
    ap.add_argument("--json", type=Path, help="write the figures as JSON")
    args = ap.parse_args()
    run = Run()
    print(f"machine: {describe_machine()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        report = args.from_report
        if report is None:
            workdir = args.workdir or Path(tmp) / "demo"
            demo = [sys.executable, "-m", "modelprint", "demo", "--workdir", str(workdir)]
            code = subprocess.run(demo, check=False).returncode
            if code != 0:  # the demo said which step failed and why
                raise SystemExit(f"bench_demo: the demo failed (exit {code}); no figure")
            report = workdir / "demo-report.json"
        doc = json.loads(report.read_text(encoding="utf-8"))
    total = float(doc["total_s"])
    print(f"\nmodelprint demo: {total:.0f} s ({total / 60:.1f} min; goal < 10 min)")
    for step in doc["steps"]:
        print(f"  {step['seconds']:7.1f} s {100 * step['seconds'] / total:4.0f}%  {step['title']}")
    print(f"machine: {describe_machine()}")
    run.write(
        args.json,
        {
            "total_s": total,
            "goal_s": GOAL_S,
            "demo_load_average": doc.get("load_average"),
            "steps": [{"title": s["title"], "seconds": s["seconds"]} for s in doc["steps"]],
        },
    )


if __name__ == "__main__":
    main()
