"""Benchmarks, as ratios against baselines measured in the same process (machines here are noisy).

    python benchmarks/run.py            # the numbers the README quotes
    python benchmarks/run.py --quick    # a smoke run with tiny sizes (checks the script runs)

Baselines: the seed notebook's own pure-Python loop (benchmarks/seed_loop.py) and, for the larger
nets, a hand-written NumPy matrix loop (benchmarks/numpy_matrix.py). Each repeat times the baseline
next to the measurement, so both see the same load (in alternating order, each after a garbage
collection); a row gives the median ratio and its spread (min–max over the repeats).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy_matrix  # noqa: E402
import seed_loop  # noqa: E402

from backprop_tutor import Example, Network, preset, sweep, train  # noqa: E402
from backprop_tutor.core import engine, sweeping  # noqa: E402


def _seconds(fn) -> float:
    # The garbage of the call before is collected first: otherwise the collector runs inside
    # whichever call comes second and charges it for the other's objects.
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _paired(baseline, measured, repeats: int) -> tuple:
    """(median seconds of ``measured``, the ratios baseline ÷ measured), the two timed in turn each repeat.

    The order alternates from one repeat to the next, so neither is always the one timed second."""
    times, ratios = [], []
    for repeat in range(repeats):
        if repeat % 2:
            took, base = _seconds(measured), _seconds(baseline)
        else:
            base, took = _seconds(baseline), _seconds(measured)
        times.append(took)
        ratios.append(base / took)
    return statistics.median(times), ratios


def _spread(values) -> str:
    return f"{statistics.median(values):.2f}x ({min(values):.2f}-{max(values):.2f})"


def _row(name: str, seconds: float, ratio: str, target: str) -> None:
    print(f"{name:<52} {seconds:>9.4f} s   {ratio:<58} {target}")


@contextlib.contextmanager
def _path(name: str):
    """Force one code path for a before/after row: "per-neuron" sweep, "scalar" or "matrix" training."""
    saved = sweeping.stacked_sweep, engine.MATRIX_FROM
    if name == "per-neuron":
        sweeping.stacked_sweep = lambda network: None
    else:
        engine.MATRIX_FROM = 0 if name == "matrix" else 10**9
    try:
        yield
    finally:
        sweeping.stacked_sweep, engine.MATRIX_FROM = saved


def _random_example(sizes) -> Example:
    network = Network(sizes, ["sigmoid"] * (len(sizes) - 1))
    weights, biases = network.parameters.random(seed=0)
    rng = np.random.default_rng(0)
    return Example(network, weights, biases, [list(rng.uniform(0, 1, sizes[0]))],
                   [list(rng.uniform(0.1, 0.9, sizes[-1]))], learning_rate=0.5, epochs=1)


_FRESH = """
import time, sys
start = time.perf_counter()
from backprop_tutor import Network
from backprop_tutor.core.bridge import compile_network
from backprop_tutor.core.engine import _matrix_loop
from backprop_tutor.core.loop_code import training_loop
network = Network({sizes!r}, ["sigmoid"] * {depth})
t0 = time.perf_counter()
compile_network(network)
t1 = time.perf_counter()
_matrix_loop(network) or training_loop(network)   # the loop train() runs on this net
print(t1 - t0, time.perf_counter() - t0)
"""


def fresh_compile_seconds(sizes) -> tuple:
    """(derive + compile, and up to the training loop train() runs) for a sigmoid net, in a fresh process."""
    code = _FRESH.format(sizes=list(sizes), depth=len(sizes) - 1)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    compile_seconds, loop_seconds = map(float, result.stdout.split())
    return compile_seconds, loop_seconds


def lr_redraw_seconds(epochs: int, changes: int) -> tuple:
    """Per change of the learning-rate slider: seconds to the redrawn loss-curve image, and to the
    end of the whole callback (the descent path on the loss landscape is drawn after the curve)."""
    from backprop_tutor.views.widgets import LearningRateExplorer

    explorer = LearningRateExplorer("seed", epochs=epochs)
    seen: dict = {}
    explorer.picture.image.observe(lambda change: seen.setdefault("at", time.perf_counter()), "value")
    rates = np.logspace(-2, 0.5, changes)
    curve, whole = [], []
    for rate in rates:
        seen.clear()
        start = time.perf_counter()
        explorer.rate.value = float(rate)
        whole.append(time.perf_counter() - start)
        assert "at" in seen, "the loss curve was not redrawn"
        curve.append(seen["at"] - start)
    return curve, whole


def main(argv=None) -> int:
    """Print every benchmark as a ratio against its same-process baseline."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the script runs, measures nothing")
    args = parser.parse_args(argv)
    quick = args.quick
    epochs, rates, repeats, changes = (200, 40, 1, 3) if quick else (10_000, 1_000, 7, 25)
    seed = preset("seed")
    train(seed, epochs=1)  # derive and compile once, outside the timings
    baseline = lambda: seed_loop.run(epochs)  # noqa: E731

    print(f"{'benchmark':<52} {'time':>11}   {'ratio: median (min-max)':<58} target")
    base_times = [_seconds(baseline) for _ in range(repeats)]
    _row(f"seed loop, {epochs:,} epochs (baseline)", statistics.median(base_times), "1", "")

    seconds, ratios = _paired(baseline, lambda: train(seed, epochs=epochs), repeats)
    _row(f"engine, {epochs:,} epochs, one configuration", seconds, _spread(ratios) + " the seed loop's speed",
         ">= 1.8x")

    grid = np.logspace(-3, 2, rates)
    sweep(seed, grid[:2], 2)
    seconds, ratios = _paired(baseline, lambda: sweep(seed, grid, epochs), max(1, repeats // 2))
    _row(f"sweep, {rates:,} rates x {epochs:,} epochs (layer-stacked)", seconds,
         _spread([r * rates for r in ratios]) + " faster per configuration", ">= 40x")
    seconds, ratios = _paired(baseline, lambda: sweep(seed, grid, epochs, keep_history=True), max(1, repeats // 2))
    _row("  the same, keeping every epoch's loss", seconds,
         _spread([r * rates for r in ratios]) + " faster per configuration", "")
    with _path("per-neuron"):
        seconds, ratios = _paired(baseline, lambda: sweep(seed, grid, epochs), max(1, repeats // 2))
    _row("  the same, per-neuron vectorised code (before)", seconds,
         _spread([r * rates for r in ratios]) + " faster per configuration", "")

    ten = np.logspace(-2, 0.5, 10)
    singles = lambda: [train(seed, epochs=epochs, learning_rate=float(r)) for r in ten]  # noqa: E731
    seconds, ratios = _paired(singles, lambda: sweep(seed, ten, epochs), repeats)
    _row(f"sweep, 10 rates x {epochs:,} epochs", seconds, _spread(ratios) + " the speed of 10 single runs",
         ">= 1x")

    for sizes in ([2, 2, 2], [8, 16, 8], [16, 32, 16]):
        example = _random_example(sizes)
        n = max(20, epochs // (10 if sizes[0] > 2 else 1))
        train(example, epochs=1)
        # The same shape, epochs and work, by hand in NumPy.
        matrix = lambda sizes=sizes, n=n: numpy_matrix.run(sizes, n)  # noqa: E731
        chosen = "matrix" if engine._matrix_loop(example.network) else "scalar"
        seconds, ratios = _paired(matrix, lambda example=example, n=n: train(example, epochs=n), repeats)
        _row(f"engine {'-'.join(map(str, sizes))}, 1 sample, {n:,} epochs ({chosen})", seconds,
             f"{n / seconds / 1000:.1f}k epochs/s, {_spread(ratios)} NumPy matrix code",
             ">= 1x from 8-16-8" if sizes[0] > 2 else "")
        if sizes[0] > 2:
            # The path not chosen at this size (engine.MATRIX_FROM is the crossover between them).
            other = "scalar" if chosen == "matrix" else "matrix"
            with _path(other):
                train(example, epochs=1)
                seconds, ratios = _paired(matrix, lambda example=example, n=n: train(example, epochs=n), repeats)
            _row(f"  the same in the {other} loop", seconds,
                 f"{n / seconds / 1000:.1f}k epochs/s, {_spread(ratios)} NumPy matrix code", "")

    for sizes in ([2, 2, 2], [8, 16, 8]) if quick else ([2, 2, 2], [8, 16, 8], [16, 32, 16]):
        runs = [fresh_compile_seconds(sizes) for _ in range(1 if quick else 3)]
        compile_seconds = statistics.median(r[0] for r in runs)
        loop_seconds = statistics.median(r[1] for r in runs)
        parameters = len(Network(sizes, ["sigmoid"] * (len(sizes) - 1)).parameters)
        _row(f"derive + compile {'-'.join(map(str, sizes))}, fresh process", compile_seconds,
             f"{compile_seconds / parameters * 1e3:.2f} ms per parameter; "
             f"{loop_seconds:.2f} s with the loop", "16-32-16 <= 1 s" if sizes[0] == 16 else "")

    redraw_epochs = 200 if quick else 20_000
    base = statistics.median(_seconds(lambda: seed_loop.run(redraw_epochs)) for _ in range(repeats))
    curve, whole = lr_redraw_seconds(redraw_epochs, changes)
    for name, times, target in (("redrawn curve", curve, "median <= 0.04 s"), ("whole callback", whole, "")):
        _row(f"learning-rate change -> {name} ({redraw_epochs:,} ep.)", statistics.median(times),
             f"min {min(times):.3f} s, max {max(times):.3f} s over {changes}; "
             f"{statistics.median(times) / base:.1f}x the seed loop's {redraw_epochs:,} epochs", target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
