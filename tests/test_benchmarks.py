"""benchmarks/run.py --quick: the script the README's performance table comes from still runs whole.

It measures nothing at these sizes (the machine is shared; ratios are not asserted): it checks
that every row is printed, with a time and a ratio that read as numbers, so the script cannot
rot between the times someone runs `make bench`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ROWS = ["seed loop", "engine, 200 epochs, one configuration", "sweep, 40 rates x 200 epochs (layer-stacked)",
        "the same, keeping every epoch's loss", "the same, per-neuron vectorised code", "sweep, 10 rates",
        "engine 2-2-2", "engine 8-16-8", "the same in the matrix loop", "engine 16-32-16",
        "the same in the scalar loop", "derive + compile 2-2-2", "derive + compile 8-16-8",
        "learning-rate change -> redrawn curve", "learning-rate change -> whole callback"]


def test_the_quick_benchmark_prints_every_row_with_a_time_and_a_ratio():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"], capture_output=True,
                            text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()[1:]
    assert len(lines) == len(ROWS)
    for line, row in zip(lines, ROWS):
        assert row in line, (row, line)
        seconds = re.search(r"\s(\d+\.\d{4}) s\s", line)
        assert seconds and float(seconds.group(1)) > 0, line
        if row.startswith("derive"):   # a fresh process's seconds, per parameter
            assert re.search(r"\d+\.\d+ ms per parameter", line), line
        elif row != "seed loop":   # the baseline's ratio is 1 by definition
            assert re.search(r"\d+\.\d+x", line), line
