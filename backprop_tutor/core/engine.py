"""The numeric engine: one step and training, all through the bridge (sweeps: :mod:`sweeping`).

Every number here comes from a function lambdified from the SymPy derivation
(:mod:`bridge`); this module only feeds them parameters and data, loops over samples and
epochs, and watches for divergence. Parameters travel as flat lists in the order of
``network.parameters`` (:mod:`parameters`).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from . import budget, checks
from .bridge import Compiled, compile_network, resolved
from .layer_code import matrix_loop
from .loop_code import training_loop
from .quantities import ErrorAfter, LearningRate, Quantity, Updated, as_quantity, derivative_of
from .spec import Example, SpecError

__all__ = [
    "SATURATED_GRADIENT",
    "SATURATED_LOSS",
    "StepValues",
    "Training",
    "evaluate_step",
    "predict",
    "train",
]

# Python float arithmetic signals divergence by raising instead of returning inf.
_FLOAT_FAILURES = (OverflowError, ValueError, ZeroDivisionError)


# --- one step, every intermediate value --------------------------------------------------

@dataclass(frozen=True)
class StepValues:
    """Every quantity of one forward and backward pass on one sample, keyed by quantity keys.

    ``values`` holds inputs, targets, parameters, net inputs, outputs, error terms, every
    chain-rule factor, every gradient ``Partial(TotalError(), param)``, every updated parameter
    ``Updated(param)``, the learning rate and ``ErrorAfter()``, the same sample's error after
    the update.
    """

    example: Example
    sample: int
    values: dict

    def __getitem__(self, key: Quantity) -> float:
        # A delta is stored as the partial derivative it names.
        return self.values[derivative_of(as_quantity(key))]


def evaluate_step(example: Example, sample: int = 0, parameters: Sequence[float] | None = None) -> StepValues:
    """One forward pass, backward pass and update on one sample (the walkthrough's numbers)."""
    if isinstance(sample, bool) or not isinstance(sample, int) or not 0 <= sample < example.n_samples:
        raise SpecError("sample", f"expected a sample index from 0 to {example.n_samples - 1}, got {sample!r}")
    compiled = compile_network(example.network)
    params = example.flat_parameters() if parameters is None else list(parameters)
    x, t = example.inputs[sample], example.targets[sample]
    try:
        numbers = compiled.evaluate(params, x, t, example.learning_rate)
    except _FLOAT_FAILURES:
        # A factor such as ∂E/∂out = -t/out is infinite where a sigmoid saturates, though the
        # delta (out cancelled) is finite: NumPy reports inf there instead of raising.
        with np.errstate(all="ignore"):
            numbers = compiled.evaluate_numpy(np.asarray(params, dtype=float), np.asarray(x, dtype=float),
                                              np.asarray(t, dtype=float), example.learning_rate)
            numbers = [float(v) for v in numbers]
    d = compiled.derivation
    values = dict(zip(compiled.evaluate_keys, numbers))
    values.update(zip(d.input_keys, x))
    values.update(zip(d.target_keys, t))
    values.update(zip(d.params, params))
    values[LearningRate()] = example.learning_rate
    after = [values[Updated(key)] for key in d.params]
    values[ErrorAfter()] = _forward_loss(compiled, after, x, t)
    return StepValues(example, sample, values)


def _forward_loss(compiled: Compiled, params, x, t) -> float:
    try:
        return float(compiled.forward_math(params, x, t)[0])
    except _FLOAT_FAILURES:
        return math.inf


def predict(example: Example, parameters: Sequence[float] | None = None) -> list:
    """The network's outputs for every sample, one row per sample."""
    compiled = compile_network(example.network)
    params = example.flat_parameters() if parameters is None else list(parameters)
    return [_outputs(compiled, params, x, t) for x, t in zip(example.inputs, example.targets)]


def _outputs(compiled: Compiled, params, x, t) -> list:
    try:
        values = compiled.forward_math(params, x, t)[1:]
    except _FLOAT_FAILURES:   # the loss beside them overflowed (Python's ** raises); the outputs may not have
        with np.errstate(all="ignore"):
            values = compiled.forward_numpy(params, x, t)[1:]
    return [float(v) for v in values]


# --- training -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Training:
    """The result of training: the loss before each epoch and after the last, and the end state.

    ``diverged_at`` is the epoch whose update made the loss or any parameter inf or nan (then
    training stopped, ``loss_history`` ends before it and the parameters are the last finite
    ones), else None. ``saturated``: training did not diverge but has stalled with the loss still
    above :data:`SATURATED_LOSS`, every gradient smaller than :data:`SATURATED_GRADIENT` (neurons
    pinned where their activation is flat: a sigmoid at 0 or 1, a ReLU below 0), so more epochs
    change nothing. ``path`` (when asked for) holds the parameters at each entry of ``loss_history``.
    """

    example: Example
    learning_rate: float
    epochs: int
    loss_history: np.ndarray   # (epochs run + 1,)
    parameters: list           # flat, in network.parameters order
    outputs: list              # (samples, outputs)
    diverged_at: int | None
    path: np.ndarray | None = None   # (len(loss_history), P) with record_path=True
    saturated: bool = False
    stopped_at: int | None = None    # epochs run before a Stop or Ctrl-C, else None

    @property
    def state(self) -> str:
        """How the run ended: "diverged", "stopped", "saturated" or "trained"."""
        if self.diverged_at is not None:
            return "diverged"
        return "stopped" if self.stopped_at is not None else "saturated" if self.saturated else "trained"

    @property
    def loss(self) -> float:
        """The dataset loss at the end (after the last finite epoch); nan if there was none."""
        return float(self.loss_history[-1]) if len(self.loss_history) else math.nan

    @property
    def weights(self) -> list:
        """The final weights, nested as in the worked-example JSON."""
        return self.example.network.parameters.unflatten(self.parameters)[0]

    @property
    def biases(self) -> list:
        """The final biases, nested as in the worked-example JSON."""
        return self.example.network.parameters.unflatten(self.parameters)[1]


def _dataset_loss_math(compiled: Compiled, params, example: Example) -> float:
    total, forward = 0.0, resolved(compiled.forward_math)
    for x, t in zip(example.inputs, example.targets):
        total += forward(params, x, t)[0]
    return total / example.n_samples


# The fast loop checks the parameters every this many epochs; when one has gone non-finite, a
# replay from the last good check finds the exact epoch (so the check costs the loop nothing).
_CHECK_EVERY = 256


def _finite(params) -> bool:
    """Whether every parameter is finite."""
    return all(map(math.isfinite, params))


def _replay(step, params, start: int, end: int, x, t, rate, history):
    """Epochs ``start``.. again from finite ``params``, checking them each epoch; the first bad state."""
    for epoch in range(start, end):
        out = step(params, x, t, rate)
        history[epoch] = out[0]            # finite: the fast loop saw it
        if not _finite(out[1:]):
            return history[: epoch + 1], params, epoch + 1
        params = out[1:]
    return None


def _train_online(compiled: Compiled, example: Example, params: list, rate: float, epochs: int,
                  begin: int = 0, history=None):
    # Returns (history, parameters, diverged_at). Diverged means a non-finite loss *or parameter*
    # (a ReLU output can keep the loss finite while a weight is inf); then the history ends with
    # the loss of the returned (last finite) parameters, so len(history) == diverged_at.
    # One sample may start at ``begin`` (a multiple of _CHECK_EVERY) with ``history`` filled up to
    # it: the generated loop hands a run over here to find where and how it diverged.
    step = resolved(compiled.step_math)
    history = np.empty(epochs + 1) if history is None else history
    samples = list(zip(example.inputs, example.targets))
    x0, t0 = samples[0]
    previous, epoch = params, begin
    try:
        if len(samples) == 1:
            for start in range(begin, epochs, _CHECK_EVERY):
                checked = params
                for epoch in range(start, min(start + _CHECK_EVERY, epochs)):
                    # The step's error is the loss before this epoch's update: no extra forward pass.
                    out = step(params, x0, t0, rate)
                    if not math.isfinite(out[0]):
                        return history[:epoch], previous, epoch
                    history[epoch] = out[0]
                    previous, params = params, out[1:]
                if not _finite(params):
                    return _replay(step, checked, start, epoch + 1, x0, t0, rate, history)
        else:
            for epoch in range(epochs):
                loss = _dataset_loss_math(compiled, params, example)
                if not math.isfinite(loss):
                    return history[:epoch], previous, epoch
                history[epoch] = loss
                previous = params
                try:
                    for x, t in samples:
                        params = step(params, x, t, rate)[1:]
                except _FLOAT_FAILURES:
                    return history[: epoch + 1], previous, epoch + 1
                if not _finite(params):
                    return history[: epoch + 1], previous, epoch + 1
        epoch = epochs
        final = _dataset_loss_math(compiled, params, example)
    except _FLOAT_FAILURES:
        return history[:epoch], previous, epoch
    if not math.isfinite(final):
        return history[:epochs], previous, epochs
    history[epochs] = final
    return history, params, None


# The generated loop checks the parameters after this many epochs (a multiple of _CHECK_EVERY, so
# a replay by the reference loop starts where that loop would have checked).
_LOOP_CHUNK = 8 * _CHECK_EVERY


def _train_generated(compiled: Compiled, example: Example, params: list, rate: float, epochs: int,
                     mask=None, trace=None, loop=None):
    """One sample, online: the generated whole loop (:mod:`loop_code`, or ``loop`` of the same
    contract: :func:`layer_code.matrix_loop`), chunk by chunk.

    The same numbers as :func:`_train_online` (the same operations in the same order). A chunk
    that diverges (a loss or parameter inf or nan, a float error) is handed back to the reference
    loop from the start of the chunk before it, so ``diverged_at``, the history and the last finite
    parameters are the reference loop's own. With ``mask`` or ``trace`` (a descent path), a run that
    diverges returns None: the caller runs it again the reference way (rare, and simpler than
    replaying a recorded path).
    """
    loop = training_loop(example.network, mask, trace is not None) if loop is None else loop
    x, t = example.inputs[0], example.targets[0]
    history = np.empty(epochs + 1)
    buffer: list = []
    rows = array("d")
    begin, begin_params = 0, params
    for start in range(0, epochs, _LOOP_CHUNK):
        stop = min(start + _LOOP_CHUNK, epochs)
        buffer.clear()
        try:
            after = loop(params, x, t, rate, start, stop, buffer, rows)[1]
        except _FLOAT_FAILURES:
            after = None
        if after is None or not _finite(after):
            if mask is not None or trace is not None:
                return None
            return _train_online(compiled, example, begin_params, rate, epochs, begin, history)
        history[start:stop] = buffer
        begin, begin_params, params = start, params, after
    try:
        final = _dataset_loss_math(compiled, params, example)
    except _FLOAT_FAILURES:
        final = math.nan
    if not math.isfinite(final):
        if mask is not None or trace is not None:
            return None
        return _train_online(compiled, example, begin_params, rate, epochs, begin, history)
    history[epochs] = final
    if trace is not None:
        # The path as one array: a row per epoch's starting parameters, then the end state.
        rows.extend(params)
        trace.rows = np.frombuffer(rows, dtype=float).reshape(epochs + 1, -1)
    return history, list(params), None


class _Trace(list):
    """The parameters at each epoch: a list of rows (the reference loop) or one array (``rows``)."""

    rows = None


def _columns(rows, extra_axes: int = 0):
    # (samples, neurons) -> one array per neuron, with the sample axis first.
    array = np.asarray(rows, dtype=float)
    return [array[:, k].reshape((-1,) + (1,) * extra_axes) for k in range(array.shape[1])]


def _train_batch(compiled: Compiled, example: Example, params: list, rate: float, epochs: int,
                 mask=None, trace=None):
    d = compiled.derivation
    trained = np.array([p in d.updates for p in d.params]) & (True if mask is None else np.asarray(mask))
    p = np.asarray(params, dtype=float)
    xs, ts = _columns(example.inputs), _columns(example.targets)
    history = np.empty(epochs + 1)
    previous = p
    with np.errstate(all="ignore"):
        for epoch in range(epochs + 1):
            out = compiled.gradient_numpy(p, xs, ts)
            loss = float(np.mean(out[0]))
            if not (math.isfinite(loss) and np.all(np.isfinite(p))):
                return history[:epoch], [float(v) for v in previous], epoch
            history[epoch] = loss
            if trace is not None:
                trace.append(p)
            if epoch == epochs:
                break
            # The derived update p - eta * dE/dp, applied to the mean of the per-sample gradients.
            mean_gradient = np.array([np.mean(g) for g in out[1:]])
            previous, p = p, np.where(trained, p - rate * mean_gradient, p)
    return history, [float(v) for v in p], None


def _frozen_step(step, mask):
    """The step function with the parameters outside ``mask`` kept as they were."""
    def step_some(params, x, t, rate):
        out = step(params, x, t, rate)
        return (out[0], *[new if keep else old for new, old, keep in zip(out[1:], params, mask)])
    return step_some


def _recording_step(step, trace: list):
    """The step function, noting the parameters each call starts from."""
    def step_and_note(params, x, t, rate):
        trace.append(params)
        return step(params, x, t, rate)
    return step_and_note


def _only_mask(compiled: Compiled, only) -> list:
    d = compiled.derivation
    keys = [as_quantity(k) for k in ([only] if isinstance(only, Quantity) else only)]
    for key in keys:
        if key not in d.updates:
            raise SpecError("only", f"{key!r} is not a trained parameter of this network")
    return [p in keys for p in d.params]


# From this many parameters per weight layer, one sample online trains in matrix code: its epoch
# costs about twenty NumPy calls per layer (15 µs on this machine), the scalar generated loop's
# about 0.08 µs per parameter. Measured (epochs/s, scalar vs matrix): 8-16-8 (129 per layer) 43k vs
# 31k; 4-16-16-4 (129) 25k vs 24k; 10-20-10 (201) 30k vs 54k; 16-32-16 (513) 10k vs 28k.
MATRIX_FROM = 160


def _matrix_loop(network):
    """The matrix-code loop for a net large enough to gain from it, else None (the scalar loop)."""
    if len(network.parameters.keys) < MATRIX_FROM * network.depth:
        return None
    return matrix_loop(network)


def _run(compiled: Compiled, example: Example, params: list, rate: float, epochs: int, mask, trace):
    """One training run: (history, parameters, diverged_at), by the loop the example's update needs."""
    if example.update == "batch":
        return _train_batch(compiled, example, params, rate, epochs, mask, trace)
    if example.n_samples == 1:
        # The matrix code neither freezes parameters nor records a path: those runs (a landscape's
        # two parameters) keep the scalar generated loop, which does both.
        loop = _matrix_loop(example.network) if mask is None and trace is None else None
        result = _train_generated(compiled, example, params, rate, epochs, mask, trace, loop)
        if result is not None:
            return result
    if mask is None and trace is None:
        return _train_online(compiled, example, params, rate, epochs)
    # The same loop with a wrapped step function: the fast path above stays as it is.
    step = resolved(compiled.step_math)
    step = step if mask is None else _frozen_step(step, mask)
    if trace is not None:
        step = _recording_step(step, trace)
    history, params, diverged_at = _train_online(replace(compiled, step_math=step), example, params, rate, epochs)
    if trace is not None:
        # One call per sample: each epoch starts at every n-th call; the end state is the last row.
        trace[:] = trace[::example.n_samples][: len(history)]
        if len(trace) < len(history):
            trace.append(params)
    return history, params, diverged_at


def _run_in_chunks(compiled: Compiled, example: Example, params: list, rate: float, epochs: int, mask, progress):
    """The run in chunks, telling ``progress(done, epochs)`` after each; False from it, or Ctrl-C, stops.

    Returns (history, parameters, diverged_at, stopped_at). The losses are the same numbers as one
    run's: each chunk's first loss is the previous chunk's last, which is dropped.
    """
    chunk = max(_CHECK_EVERY, epochs // 100)
    pieces, done, diverged_at, stopped_at = [], 0, None, None
    last = None
    while done < epochs:
        try:
            history, params_after, diverged = _run(compiled, example, params, rate, min(chunk, epochs - done),
                                                   mask, None)
        except KeyboardInterrupt:
            stopped_at = done
            break
        if diverged is not None:
            pieces.append(history)
            params, diverged_at, last = params_after, done + diverged, None
            break
        pieces.append(history[:-1])
        params, last, done = params_after, history[-1], done + len(history) - 1
        try:
            if progress(done, epochs) is False:
                stopped_at = done
                break
        except KeyboardInterrupt:
            stopped_at = done
            break
    if diverged_at is None:
        pieces.append([last if last is not None else _dataset_loss_math(compiled, params, example)])
    return np.concatenate([np.asarray(piece, dtype=float) for piece in pieces]), params, diverged_at, stopped_at


def train(example: Example, epochs: int | None = None, learning_rate: float | None = None, *,
          only=None, record_path: bool = False, no_limit: bool = False, progress=None) -> Training:
    """Train for ``epochs`` (default: the example's) at ``learning_rate`` (default: the example's).

    ``only``: parameter keys to train, the others kept at their values (a two-parameter
    landscape's descent path); ``record_path``: keep the parameters of every epoch in ``path``.
    ``progress(done, epochs)`` is called every few hundred epochs; returning False (a Stop
    button) or Ctrl-C during the run stops it there, and ``stopped_at`` says after which epoch.
    A run past the work budget (:mod:`budget`) is refused before it starts, unless ``no_limit``.
    """
    if no_limit:
        with budget.unlimited():
            return train(example, epochs, learning_rate, only=only, record_path=record_path, progress=progress)
    rate = example.learning_rate if learning_rate is None else checks.learning_rate(learning_rate)
    epochs = example.epochs if epochs is None else checks.whole_number(epochs, "epochs")
    budget.check_training(epochs, example.n_samples, len(example.network.parameters.keys),
                          example.update == "batch")
    if progress is not None and record_path:
        raise SpecError("progress", "a recorded path is made in one run; ask for progress or the path, not both")
    compiled = compile_network(example.network)
    params = example.flat_parameters()
    mask = None if only is None else _only_mask(compiled, only)
    trace = _Trace() if record_path else None
    stopped_at = None
    if progress is None:
        history, params, diverged_at = _run(compiled, example, params, rate, epochs, mask, trace)
    else:
        history, params, diverged_at, stopped_at = _run_in_chunks(compiled, example, params, rate, epochs, mask,
                                                                  progress)
    outputs = predict(example, params)
    if trace is not None and trace.rows is not None:
        path = trace.rows[: len(history)]
    else:
        path = None if trace is None else np.array(trace[: len(history)], dtype=float).reshape(len(history), -1)
    saturated = diverged_at is None and _stalled(compiled, example, params, float(history[-1]), mask)
    return Training(example, rate, epochs, history, [float(v) for v in params], outputs, diverged_at, path,
                    saturated, stopped_at)


# A run has stalled when the loss is still above this and no trained parameter's gradient is
# larger than that: at these sizes another 10**9 epochs could not move the loss.
SATURATED_LOSS = 1e-6
SATURATED_GRADIENT = 1e-12


def _stalled(compiled: Compiled, example: Example, params: list, loss: float, mask=None) -> bool:
    """Whether every trained parameter's mean gradient is (almost) zero while the loss is not: one sweep column."""
    if not loss > SATURATED_LOSS:   # the common case needs no gradient
        return False
    d = compiled.derivation
    trained = [p in d.updates and (mask is None or mask[i]) for i, p in enumerate(d.params)]
    with np.errstate(all="ignore"):
        return bool(_stalled_columns(compiled, [np.array([v], dtype=float) for v in params],
                                     _columns(example.inputs, 1), _columns(example.targets, 1),
                                     np.array([loss]), trained)[0])


def _stalled_columns(compiled: Compiled, p: list, xs, ts, loss, trained) -> np.ndarray:
    """Per run of a sweep: stalled (loss above SATURATED_LOSS, every trained gradient below SATURATED_GRADIENT)."""
    out = compiled.gradient_numpy(p, xs, ts)
    count = loss.shape[0]
    sizes = [np.abs(np.mean(np.broadcast_to(g, (xs[0].shape[0], count)), axis=0))
             for g, keep in zip(out[1:], trained) if keep]
    if not sizes:
        return np.zeros(count, bool)
    flat = np.all([np.isfinite(g) & (g < SATURATED_GRADIENT) for g in sizes], axis=0)
    return flat & (loss > SATURATED_LOSS)
