"""One line that names the machine a benchmark ran on (CPU model, cores, load, versions), and the
JSON result file a benchmark writes with ``--json`` (read back by ``benchmarks/run_all.py``)."""

from __future__ import annotations

import json
import os
import platform
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path


def describe_machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    parts = [cpu, f"{os.cpu_count()} cores", f"Python {platform.python_version()}"]
    torch = sys.modules.get("torch")
    if torch is not None:
        parts.append(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    if hasattr(os, "getloadavg"):
        parts.append(f"load average {os.getloadavg()[0]:.2f}")
    return ", ".join(parts)


def load_average() -> float | None:
    """The 1-minute load average, where the system has one."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


class Run:
    """One benchmark run: started when made, written by :meth:`write` as one JSON document with
    the bench's results and where they come from (script, arguments, date, machine, load average
    at the start and at the end)."""

    def __init__(self) -> None:
        self.load_start = load_average()

    def write(self, path: Path | None, results: Mapping[str, object]) -> None:
        """Write ``results`` to ``path`` (nothing when ``path`` is None), atomically."""
        if path is None:
            return
        machine = re.sub(r",? ?load average [\d.]+", "", describe_machine())
        doc = {
            "bench": Path(sys.argv[0]).name,
            "argv": sys.argv[1:],
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": machine,
            "load_average": {"start": self.load_start, "end": load_average()},
            **results,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        part.replace(path)
        print(f"wrote {path}", flush=True)
