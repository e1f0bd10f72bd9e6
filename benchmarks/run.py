"""Benchmarks, as ratios against baselines measured in the same process (machines here are noisy).

    python benchmarks/run.py            # the numbers the README quotes
    python benchmarks/run.py --quick    # a smoke run with tiny sizes (the test suite uses it)

Baseline: the seed notebook's own pure-Python loop (benchmarks/seed_loop.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seed_loop  # noqa: E402

from backprop_tutor import Network, preset, sweep, train  # noqa: E402
from backprop_tutor.core.bridge import clear_caches, compile_network  # noqa: E402


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _row(name: str, seconds: float, ratio: str, target: str) -> None:
    print(f"{name:<48} {seconds:>10.4f} s   {ratio:<34} {target}")


def derive_and_compile_seconds(sizes) -> float:
    """Seconds to derive a sigmoid net symbolically and lambdify every numeric function."""
    clear_caches()
    network = Network(sizes, ["sigmoid"] * (len(sizes) - 1))
    start = time.perf_counter()
    compile_network(network)
    return time.perf_counter() - start


def lr_redraw_seconds(epochs: int, changes: int) -> list:
    """Seconds from a learning-rate slider change to the redrawn loss-curve image, per change."""
    from backprop_tutor.views.widgets import LearningRateExplorer

    explorer = LearningRateExplorer("seed", epochs=epochs)
    rates = np.logspace(-2, 0.5, changes)
    times = []
    for rate in rates:
        before = explorer.picture.image.value
        start = time.perf_counter()
        explorer.rate.value = float(rate)
        times.append(time.perf_counter() - start)
        assert explorer.picture.image.value != before, "the loss curve was not redrawn"
    return times


def main(argv=None) -> int:
    """Print every benchmark as a ratio against its same-process baseline."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the script runs, measures nothing")
    args = parser.parse_args(argv)
    epochs, rates, repeats, changes = (200, 20, 1, 3) if args.quick else (10_000, 1_000, 5, 25)
    seed = preset("seed")
    train(seed, epochs=1)  # derive and compile once, outside the timings

    print(f"{'benchmark':<48} {'time':>12}   {'ratio':<34} target")
    baseline = _median_time(lambda: seed_loop.run(epochs), repeats)
    _row(f"seed loop, {epochs:,} epochs (baseline)", baseline, "1", "")

    engine = _median_time(lambda: train(seed, epochs=epochs), repeats)
    _row(f"engine, {epochs:,} epochs, one configuration", engine,
         f"{baseline / engine:.2f}x the seed loop's speed", ">= 1x")

    grid = np.logspace(-3, 2, rates)
    swept = _median_time(lambda: sweep(seed, grid, epochs), max(1, repeats // 2))
    per_config = swept / rates
    _row(f"sweep, {rates:,} rates x {epochs:,} epochs", swept,
         f"{baseline / per_config:.1f}x faster per configuration", ">= 20x")

    for sizes in ([2, 2, 2], [4, 8, 4], [8, 16, 8]):
        seconds = min(derive_and_compile_seconds(sizes) for _ in range(1 if args.quick else 3))
        _row(f"derive + compile {'-'.join(map(str, sizes))}", seconds,
             f"{seconds / baseline:.2f}x the baseline loop's time", "8-16-8 < 1 s" if sizes[-1] == 8 else "")

    redraws = lr_redraw_seconds(epochs, changes)
    bare = _median_time(lambda: train(seed, epochs=epochs, learning_rate=0.3), repeats)
    median = statistics.median(redraws)
    _row(f"learning-rate change -> redrawn curve ({epochs:,} ep.)", median,
         f"{median / bare:.1f}x the bare training time", "median < 0.1 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
