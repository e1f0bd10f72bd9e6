"""Latency of the step-through's switches (issue 11: under 200 ms median), against a same-process baseline.

    python benchmarks/switches.py            # the numbers the README quotes
    python benchmarks/switches.py --quick    # a smoke run: checks the script runs, measures little

Baseline: the same switches with matplotlib's own mathtext cache (50 parsed labels, fewer than a
diagram in two notations holds, so each switch parsed every label again), measured in this process.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time

from matplotlib.mathtext import MathTextParser

from backprop_tutor import preset
from backprop_tutor.views import plots
from backprop_tutor.views.widgets import StepThrough, Tutorial

TARGET = 0.2   # seconds, median


def _median_time(fn, repeats: int) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def switch_seconds(repeats: int) -> tuple:
    """Median seconds of a notation switch and of a preset change in a step-through (warmed up once)."""
    tutorial = Tutorial("mazur")
    StepThrough(tutorial)
    notations, presets = ("layered", "mazur"), ("xor", "mazur")
    for name in notations:
        tutorial.notation = name
    examples = {name: preset(name) for name in presets}
    for name in presets:
        tutorial.example = examples[name]
    notation = _median_time(lambda i: setattr(tutorial, "notation", notations[i % 2]), repeats)
    example = _median_time(lambda i: setattr(tutorial, "example", examples[presets[i % 2]]), repeats)
    return notation, example


def _matplotlibs_own_cache() -> None:
    """matplotlib's mathtext cache as it ships: 50 labels per parser (the baseline)."""
    MathTextParser._parse_cached = functools.lru_cache(50)(MathTextParser._parse_cached.__wrapped__)


def _row(name: str, seconds: float, ratio: str, target: str) -> None:
    print(f"{name:<44} {seconds * 1000:>8.0f} ms   {ratio:<28} {target}")


def main(argv=None) -> int:
    """Print the switches' medians, now and with matplotlib's own cache (the baseline)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="two repeats: checks the script runs")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else 11
    _matplotlibs_own_cache()
    base_notation, base_example = switch_seconds(repeats)
    plots.keep_more_mathtext()
    notation, example = switch_seconds(repeats)
    print(f"{'benchmark (median)':<44} {'time':>11}   {'ratio':<28} target")
    _row("notation switch, matplotlib's cache (baseline)", base_notation, "1", "")
    _row("notation switch", notation, f"{base_notation / notation:.1f}x faster", f"< {TARGET * 1000:.0f} ms")
    _row("preset change, matplotlib's cache (baseline)", base_example, "1", "")
    _row("preset change", example, f"{base_example / example:.1f}x faster", f"< {TARGET * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
