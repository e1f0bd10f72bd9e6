"""The work budget: what a request would cost, checked before any work starts.

A class re-runs cells and types big numbers; one typo (epochs 1e9, layers "1999, 1") must not
block a kernel for minutes or fill its memory. Each estimate below is a cost model measured on the
2-core machine this package is developed on (median of repeated runs, rounded up); past the
limit a request stops with one line saying what was asked, what the limit is and how to go on.
``no_limit=True`` in the API, or ``--no-limit`` on the command line, runs it anyway.
"""

from __future__ import annotations

import contextlib
import contextvars

from .checks import SpecError

__all__ = ["LIMIT_BYTES", "LIMIT_SECONDS", "check_derivation", "check_sweep", "check_training",
           "derivation_seconds", "sweep_cost", "training_seconds", "unlimited"]

LIMIT_SECONDS = 120.0          # two minutes: longer than any lesson needs, short enough to notice
LIMIT_BYTES = 2 * 1024 ** 3    # 2 GiB of arrays

# Measured (seconds): deriving and compiling grows with the parameters, with the square of a
# neuron's fan-in (one sum of that many terms), with the square of the outputs (E sums them and
# every ∂E/∂out mentions them) and with the cube of the depth (each delta nests the next layer's).
_PER_PARAMETER = 2.7e-3
_PER_FAN_IN_SQUARED = 2.7e-5
_PER_OUTPUT_SQUARED = 7.8e-5
_PER_DEPTH_CUBED = 1.8e-7
# Training, per epoch and sample (online) or per epoch (batch), in seconds.
_ONLINE_BASE, _ONLINE_PER_PARAMETER = 0.5e-6, 0.3e-6
_BATCH_PER_PARAMETER, _BATCH_PER_PARAMETER_SAMPLE = 3e-6, 0.05e-6
# Sweeps: per epoch, sample and parameter, plus per rate; memory (peak, traced) per rate and
# parameter: a few float arrays, and three more per sample for the per-sample gradients.
_SWEEP_PER_PARAMETER, _SWEEP_PER_PARAMETER_RATE = 6e-6, 0.006e-6
_SWEEP_FLOATS_PER_PARAMETER_RATE, _SWEEP_FLOATS_PER_SAMPLE = 2, 3

_unlimited = contextvars.ContextVar("backprop_tutor_unlimited", default=False)


@contextlib.contextmanager
def unlimited():
    """Run what is inside without the budget (``--no-limit``; ``no_limit=True`` in the API)."""
    token = _unlimited.set(True)
    try:
        yield
    finally:
        _unlimited.reset(token)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} seconds"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 86400:.0g} days"


def _count(count: float, noun: str) -> str:
    """A count as people say it, with its noun: 1 epoch, 20,000 epochs, 1e+08 epochs."""
    number = f"{count:,.0f}" if count < 1e7 else f"{count:.0e}"
    return f"{number} {noun}" + ("" if count == 1 else "s")


_GO_ON = "no_limit=True, or --no-limit, runs it anyway"


def _refuse(field: str, what: str, seconds: float | None = None, memory: float | None = None,
            limit: float | None = None, go_on: str = _GO_ON):
    limit = LIMIT_SECONDS if limit is None else limit
    if _unlimited.get():
        return
    if seconds is not None and seconds > limit:
        raise SpecError(field, f"{what} would take about {_duration(seconds)}; the limit is "
                               f"{_duration(limit)} ({go_on})")
    if memory is not None and memory > LIMIT_BYTES:
        raise SpecError(field, f"{what} would need about {memory / 1024 ** 3:.0f} GiB of memory; the limit is "
                               f"{LIMIT_BYTES // 1024 ** 3} GiB ({go_on})")


def derivation_seconds(layers, n_parameters: int) -> float:
    """About how long deriving and compiling a network of these layer sizes takes."""
    fan_in = sum(n_out * n_in ** 2 for n_in, n_out in zip(layers, layers[1:]))
    depth = len(layers) - 1
    return (_PER_PARAMETER * n_parameters + _PER_FAN_IN_SQUARED * fan_in
            + _PER_OUTPUT_SQUARED * layers[-1] ** 2 + _PER_DEPTH_CUBED * depth ** 3)


def check_derivation(layers, n_parameters: int, limit: float | None = None, go_on: str = _GO_ON) -> None:
    """Refuse, in one line, a network whose derivation would take longer than ``limit`` (default: the budget's)."""
    seconds = derivation_seconds(layers, n_parameters)
    sizes = "-".join(str(n) for n in layers) if len(layers) <= 6 else f"{len(layers)}-layer"
    _refuse("layers", f"deriving the {sizes} network ({n_parameters:,} parameters)", seconds, limit=limit,
            go_on=go_on)


def training_seconds(epochs: int, samples: int, n_parameters: int, batch: bool) -> float:
    """About how long training takes."""
    if batch:
        return epochs * n_parameters * (_BATCH_PER_PARAMETER + _BATCH_PER_PARAMETER_SAMPLE * samples)
    return epochs * samples * (_ONLINE_BASE + _ONLINE_PER_PARAMETER * n_parameters)


def check_training(epochs: int, samples: int, n_parameters: int, batch: bool) -> None:
    """Refuse, in one line, training that would take longer (or hold more history) than the limit."""
    what = f"{_count(epochs, 'epoch')} × {_count(samples, 'sample')}"
    _refuse("epochs", what, training_seconds(epochs, samples, n_parameters, batch), 8.0 * (epochs + 1))


def sweep_cost(rates: int, epochs: int, samples: int, n_parameters: int, keep_history: bool) -> tuple:
    """About (seconds, bytes) a learning-rate sweep takes."""
    seconds = epochs * samples * n_parameters * (_SWEEP_PER_PARAMETER + _SWEEP_PER_PARAMETER_RATE * rates)
    floats = rates * n_parameters * (_SWEEP_FLOATS_PER_PARAMETER_RATE + _SWEEP_FLOATS_PER_SAMPLE * samples)
    memory = 8.0 * (floats + ((epochs + 1) * rates if keep_history else 0))
    return seconds, memory


def check_sweep(rates: int, epochs: int, samples: int, n_parameters: int, keep_history: bool) -> None:
    """Refuse, in one line, a sweep that would take longer or need more memory than the limit."""
    seconds, memory = sweep_cost(rates, epochs, samples, n_parameters, keep_history)
    what = f"{_count(rates, 'learning rate')} × {_count(epochs, 'epoch')}"
    _refuse("learning_rates", what, seconds, memory)
