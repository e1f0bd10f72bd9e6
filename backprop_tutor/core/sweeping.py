"""Learning-rate sweeps: one copy of an example trained per rate, all in one NumPy run.

Three ways, the same fields (:class:`Sweep`): a few rates of a one-sample online example run one
by one through :func:`engine.train`'s generated loop; more run in layer-stacked code
(:func:`layer_code.stacked_sweep`) where every layer has one derived form; anything else runs the
per-neuron functions lambdified for NumPy (:mod:`bridge`), one array entry per rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import budget, checks
from .bridge import Compiled, compile_network
from .engine import _columns, _stalled_columns, train
from .layer_code import loss_stays_finite, stacked_sweep
from .spec import Example, SpecError

__all__ = ["FEW_RATES", "Sweep", "sweep"]


@dataclass(frozen=True)
class Sweep:
    """Training at many learning rates at once; arrays have one entry per rate.

    ``diverged_at`` is the epoch at which a run's loss or a parameter became inf or nan, as
    :func:`train` reports it, and -1 where a run did not diverge; ``final_loss`` is nan where it
    did. ``saturated`` marks the runs that stalled instead (see :class:`Training`); ``state`` says
    "diverged", "saturated" or "trained" for each. ``loss_history`` is (epochs + 1, rates) when
    asked for (nan from a run's divergence on), else None.
    """

    example: Example
    learning_rates: np.ndarray   # (C,)
    epochs: int
    final_loss: np.ndarray       # (C,)
    diverged_at: np.ndarray      # (C,) int
    parameters: np.ndarray       # (C, P)
    outputs: np.ndarray          # (C, samples, outputs)
    loss_history: np.ndarray | None
    saturated: np.ndarray | None = None   # (C,) bool

    @property
    def state(self) -> np.ndarray:
        """How each run ended: "diverged", "saturated" or "trained"."""
        saturated = np.zeros(self.diverged_at.shape, bool) if self.saturated is None else self.saturated
        return np.where(self.diverged_at >= 0, "diverged", np.where(saturated, "saturated", "trained"))


def _check_rates(learning_rates) -> np.ndarray:
    try:
        rates = np.asarray(learning_rates)
        if rates.dtype.kind not in "iuf":  # text such as "0.5" and bools are not rates
            raise TypeError
        rates = rates.astype(float).reshape(-1)
    except (TypeError, ValueError):
        raise SpecError("learning_rates", f"expected a list of numbers, got {learning_rates!r}") from None
    if rates.size == 0:
        raise SpecError("learning_rates", "expected at least one learning rate")
    if not np.all(np.isfinite(rates)) or np.any(rates <= 0):
        bad = rates[~(np.isfinite(rates) & (rates > 0))][0]
        raise SpecError("learning_rates", f"expected positive finite numbers, got {bad}")
    return rates


def sweep(example: Example, learning_rates: Sequence[float] | np.ndarray, epochs: int | None = None,
          keep_history: bool = False, *, no_limit: bool = False) -> Sweep:
    """Train one copy of the example per learning rate, all in one NumPy run (within the work budget).

    Up to :data:`FEW_RATES` rates of a one-sample online example run one by one through
    :func:`train`'s generated loop instead, which is faster there; more run in layer-stacked code
    (:func:`layer_code.stacked_sweep`) where every layer has one derived form. The fields are the same.
    """
    if no_limit:
        with budget.unlimited():
            return sweep(example, learning_rates, epochs, keep_history)
    rates = _check_rates(learning_rates)
    epochs = example.epochs if epochs is None else checks.whole_number(epochs, "epochs")
    budget.check_sweep(rates.size, epochs, example.n_samples, len(example.network.parameters.keys), keep_history)
    if example.update == "online" and example.n_samples == 1 and rates.size <= FEW_RATES:
        return _sweep_by_runs(example, rates, epochs, keep_history)
    compiled = compile_network(example.network)
    if example.update == "online" and example.n_samples == 1:
        # Layer-stacked code where the derivation has one form per layer (None: per-neuron code).
        run = stacked_sweep(example.network)
        if run is not None:
            return _sweep_stacked(run, compiled, example, rates, epochs, keep_history)
    d = compiled.derivation
    count = rates.size
    p = [np.full(count, v) for v in example.flat_parameters()]
    diverged = np.full(count, -1)
    history = np.empty((epochs + 1, count)) if keep_history else None
    batch = example.update == "batch"
    # Samples on axis 0, configurations on axis 1.
    xs, ts = _columns(example.inputs, 1), _columns(example.targets, 1)
    samples = list(zip(example.inputs, example.targets))
    trained = [key in d.updates for key in d.params]
    with np.errstate(all="ignore"):
        for epoch in range(epochs + 1):
            if batch:
                out = compiled.gradient_numpy(p, xs, ts)
                loss = np.mean(np.broadcast_to(out[0], (len(samples), count)), axis=0)
            elif len(samples) == 1 and epoch < epochs:
                out = compiled.step_numpy(p, samples[0][0], samples[0][1], rates)
                loss = out[0]  # depends on every parameter, so already one value per rate
            else:
                loss = np.mean(np.broadcast_to(compiled.forward_numpy(p, xs, ts)[0], (len(samples), count)), axis=0)
            if keep_history:  # before a break: the last row kept is written, never left uninitialised
                history[epoch] = loss
            if not np.isfinite(loss).all():  # the common case skips this bookkeeping
                diverged[(diverged < 0) & ~np.isfinite(loss)] = epoch
                if np.all(diverged >= 0):
                    break
            if epoch == epochs:
                break
            if batch:
                p = [pk - rates * np.mean(np.broadcast_to(g, (len(samples), count)), axis=0) if tk else pk
                     for pk, g, tk in zip(p, out[1:], trained)]
            elif len(samples) == 1:
                p = out[1:]  # every updated parameter depends on its own (count,) array
            else:
                for x, t in samples:
                    p = compiled.step_numpy(p, x, t, rates)[1:]
    if keep_history:
        history = history[: epoch + 1]
    return _sweep_end(compiled, example, rates, epochs, p, diverged, loss, history)


# The stacked sweep records this many epochs' losses before it looks for divergence in them.
_SWEEP_CHUNK = 256


def _sweep_stacked(run, compiled: Compiled, example: Example, rates: np.ndarray, epochs: int,
                   keep_history: bool) -> Sweep:
    """The sweep by :func:`layer_code.stacked_sweep`, chunk by chunk; the same fields as the vectorised loop.

    Each chunk writes every epoch's loss to a row of ``rows``, read once at the chunk's end: a run's
    divergence epoch is its first row that is inf or nan, exact without replaying the chunk (a run
    goes on as nan after it, in its own column). A parameter gone nan behind a finite loss is found
    at the end (:func:`_sweep_end`), as in the per-neuron sweep.

    Without ``keep_history``, where the loss can only be inf or nan at a nan output
    (:func:`layer_code.loss_stays_finite`), a chunk first runs without computing the loss, and is
    run again with it only when a run's parameters have newly gone inf or nan: a nan output makes
    δ nan and so the update after it (∂E/∂w = δ·a), and a parameter once inf or nan stays so.
    """
    count = rates.size
    p = [np.full(count, v) for v in example.flat_parameters()]
    diverged = np.full(count, -1)
    history = np.empty((epochs + 1, count)) if keep_history else None
    rows = np.empty((min(_SWEEP_CHUNK, max(epochs, 1)), count))
    x, t = example.inputs[0], example.targets[0]
    unrecorded = not keep_history and loss_stays_finite(example.network, t)
    broken = np.zeros(count, bool)   # runs whose parameters were inf or nan at the last chunk's end
    with np.errstate(all="ignore"):
        for start in range(0, epochs, _SWEEP_CHUNK):
            stop = min(start + _SWEEP_CHUNK, epochs)
            if unrecorded:
                after = run(p, x, t, rates, start, stop)   # ``p`` is left as it was, for a replay
                now = ~np.isfinite(np.stack(after)).all(axis=0)
                if not (now & ~broken).any():
                    p, broken = after, now
                    continue
                broken = now
            p = run(p, x, t, rates, start, stop, rows)
            chunk = rows[: stop - start]
            if keep_history:
                history[start:stop] = chunk
            bad = ~np.isfinite(chunk)
            if bad.any():   # the common case skips this bookkeeping
                new = (diverged < 0) & bad.any(axis=0)
                diverged[new] = start + np.argmax(bad[:, new], axis=0)
                if np.all(diverged >= 0):
                    # As the vectorised loop: it stops at the epoch the last run diverged.
                    last = int(diverged.max())
                    history = None if history is None else history[: last + 1]
                    return _sweep_end(compiled, example, rates, epochs, p, diverged, chunk[last - start], history)
        loss = np.broadcast_to(compiled.forward_numpy(p, x, t)[0], (count,))
        if keep_history:
            history[epochs] = loss
        diverged[(diverged < 0) & ~np.isfinite(loss)] = epochs
    return _sweep_end(compiled, example, rates, epochs, p, diverged, loss, history)


def _sweep_end(compiled: Compiled, example: Example, rates: np.ndarray, epochs: int, p: list, diverged: np.ndarray,
               loss: np.ndarray, history) -> Sweep:
    """The sweep's fields from its end state: ``loss`` the last loss computed, ``p`` one array per parameter."""
    d = compiled.derivation
    count = rates.size
    xs, ts = _columns(example.inputs, 1), _columns(example.targets, 1)
    samples = list(zip(example.inputs, example.targets))
    trained = [key in d.updates for key in d.params]
    keep_history = history is not None
    with np.errstate(all="ignore"):
        # A parameter can go nan while the loss stays finite (a ReLU output hides it): those few
        # runs are found here and their epoch taken from the exact scalar loop.
        hidden = (diverged < 0) & ~np.all(np.isfinite(np.stack(p)), axis=0)
        for c in np.flatnonzero(hidden):
            diverged[c] = train(example, epochs=epochs, learning_rate=float(rates[c])).diverged_at
            if keep_history:
                history[diverged[c]:, c] = np.nan
        final = np.where(diverged < 0, loss, np.nan)
        saturated = (diverged < 0) & _stalled_columns(compiled, p, xs, ts, final, trained)
        outputs = np.stack([
            np.stack([np.broadcast_to(v, (count,)) for v in compiled.forward_numpy(p, x, t)[1:]], axis=-1)
            for x, t in samples
        ], axis=1)
    return Sweep(example, rates, epochs, final, diverged, np.stack(p, axis=1), outputs, history, saturated)


# Up to this many rates, one sample online: a run per rate in the generated loop (about 1 µs per
# epoch on the seed's net) is faster than the vectorised sweep (about seventy NumPy calls per epoch
# in the seed's layer-stacked code, each at least 0.25 µs however few the rates).
FEW_RATES = 32


def _sweep_by_runs(example: Example, rates: np.ndarray, epochs: int, keep_history: bool) -> Sweep:
    """The sweep as one :func:`train` per rate: the same fields, each run's own numbers."""
    runs = [train(example, epochs, float(rate), no_limit=True) for rate in rates]
    diverged = np.array([-1 if run.diverged_at is None else run.diverged_at for run in runs])
    history = None
    if keep_history:
        # As the vectorised sweep: rows up to the last divergence when every run diverged, nan from one on.
        rows = epochs + 1 if np.any(diverged < 0) else int(diverged.max()) + 1
        history = np.full((rows, len(runs)), np.nan)
        for c, run in enumerate(runs):
            history[: len(run.loss_history), c] = run.loss_history
    return Sweep(example, rates, epochs, np.array([run.loss if run.diverged_at is None else np.nan for run in runs]),
                 diverged, np.array([run.parameters for run in runs], dtype=float),
                 np.array([run.outputs for run in runs], dtype=float), history,
                 np.array([run.saturated for run in runs]))
