"""One line that names the machine a benchmark ran on (CPU model, cores, load, versions)."""

from __future__ import annotations

import os
import platform
import sys
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
