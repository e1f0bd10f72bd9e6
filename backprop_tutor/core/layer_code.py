"""Layer-level NumPy code generated from the derivation's per-layer forms (:mod:`layer_forms`).

Two loops, both printed from the same forms by the bridge's NumPy printer:

* **matrix code** for one larger net: a vector per layer, ``W @ a + b``, the activation and
  delta forms on whole vectors, ``Wᵀδ`` back, outer-product gradients. Per-neuron code makes a
  Python operation per weight; this makes a handful of NumPy calls per layer.
* **a stacked sweep** over many learning rates: every parameter array gains a last axis, one
  entry per rate; each layer is a few calls on (neurons × rates) arrays, the structural ones
  written into preallocated buffers, where the per-neuron sweep made calls per neuron.

The matrix products only regroup the derived sums (each checked against the derivation in
:mod:`layer_forms`), and every loop is run for one epoch when it is built and compared with the
scalar path on random numbers: a loop that differs is not used (None), and the callers keep their
per-neuron paths.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import sympy as sp

from . import registry
from .bridge import _printer, compile_network, numpy_namespace
from .layer_forms import BACK, GRAD, NET, OUT, PARAM, TARGET, LayerForms, layer_forms
from .loop_code import function_from_source, training_loop
from .quantities import LearningRate
from .spec import Network
from .symbolic import symbol_for

__all__ = ["matrix_loop", "stacked_sweep"]

# Agreement asked of a loop with the scalar path at build time: the matrix products add
# the same terms in another order, so a last bit may differ; a wrong form is off by far more.
_TOLERANCE = {"rtol": 1e-10, "atol": 1e-12}


def _print(expr: sp.Expr, names: dict) -> str:
    """A form as NumPy code, its placeholders named by ``names`` (placeholder -> variable name)."""
    return _printer("numpy").doprint(expr.xreplace({p: sp.Symbol(n, real=True) for p, n in names.items()}))


# In the stacked sweep a sum over an axis this short is written as additions of slices: a NumPy
# reduction costs about three additions' time at these sizes. Slices of the fixed buffers are
# taken once per chunk.
_UNROLL = 4


def _sum_lines(parts: list, out: str) -> list:
    """Lines adding the arrays ``parts`` left to right into ``out`` (as a reduction over them adds)."""
    lines = [f"_add({parts[0]}, {parts[1]}, out={out})"]
    return lines + [f"_add({out}, {part}, out={out})" for part in parts[2:]]


def _source(forms: LayerForms, eta: sp.Symbol, stacked: bool) -> tuple:
    """(arguments, body) of the loop: epochs _start.._stop-1 (matrix code) or a chunk of a sweep (``stacked``)."""
    layers = forms.layers
    L = len(layers)
    biased = [f.layer for f in layers if f.bias != "none"]
    # The derived update w - η·g, done in place on the gradient's buffer and the weights (the same
    # two operations, without allocating); another form is printed as it is.
    in_place = forms.update == PARAM - GRAD * eta
    lines = [f"[{', '.join(f'W{f.layer}' for f in layers)}] = _W",
             f"[{''.join(f'b{l}, ' for l in biased)}] = _b",
             # Buffers the structural products write into (the forms' own arithmetic allocates).
             f"[{', '.join(f'_m{f.layer}, _z{f.layer}, _g{f.layer}, _back{f.layer}' for f in layers)}] = _buffers"]
    if stacked:
        for f in layers:
            l = f.layer
            if 2 <= f.fan_in <= _UNROLL:
                lines.append(f"[{', '.join(f'_m{l}c{k}' for k in range(f.fan_in))}] = "
                             f"[{', '.join(f'_m{l}[:, {k}]' for k in range(f.fan_in))}]")
            if l > 1 and 2 <= f.size <= _UNROLL:
                lines.append(f"[{', '.join(f'_m{l}r{i}' for i in range(f.size))}] = "
                             f"[{', '.join(f'_m{l}[{i}]' for i in range(f.size))}]")
        lines.append("for _i in range(_stop - _start):")
    else:
        lines.append("_push = _history.append")
        lines.append("for _epoch in range(_start, _stop):")
    body = []
    for f in layers:
        l = f.layer
        if stacked:   # W (n, m, rates) · a (m, rates) summed over m
            below = "a0" if l == 1 else f"a{l - 1}[None]"
            body.append(f"_multiply(W{l}, {below}, out=_m{l})")
            if 2 <= f.fan_in <= _UNROLL:
                body += _sum_lines([f"_m{l}c{k}" for k in range(f.fan_in)], f"_z{l}") + [f"z{l} = _z{l}"]
            else:
                body.append(f"z{l} = _add_reduce(_m{l}, 1, None, _z{l})")
            body += [f"z{l} += b{l}"] if f.bias != "none" else []
        else:
            body.append(f"z{l} = W{l} @ a{l - 1}" + (f" + b{l}" if f.bias != "none" else ""))
        body.append(f"a{l} = {_print(f.activation, {NET: f'z{l}'})}")
    error = _print(forms.error, {OUT: f"a{L}", TARGET: "t"})
    if stacked and 2 <= layers[-1].size <= _UNROLL:
        body += [f"_e = {error}", "_r = _rows[_i]"]
        body += _sum_lines([f"_e[{j}]" for j in range(layers[-1].size)], "_r")
    elif stacked:
        body.append(f"_add_reduce({error}, 0, None, _rows[_i])")
    else:
        # Python's sum adds left to right, as the derived E = E_0 + E_1 + ...; a float compares fast.
        body += [f"E = _sum(({error}).tolist())", "if not E < inf:", "    return _epoch, None", "_push(E)"]
    # Every delta before any update: a hidden delta reads the weights above it as they were.
    for f in reversed(layers):
        l = f.layer
        if l == L:
            body.append(f"d{l} = {_print(f.delta, {NET: f'z{l}', OUT: f'a{l}', TARGET: 't'})}")
            continue
        if stacked:
            body.append(f"_multiply(W{l + 1}, d{l + 1}[:, None], out=_m{l + 1})")
            above = layers[l].size   # layer l + 1's
            if 2 <= above <= _UNROLL:
                body += _sum_lines([f"_m{l + 1}r{i}" for i in range(above)], f"_back{l}") + [f"back{l} = _back{l}"]
            else:
                body.append(f"back{l} = _add_reduce(_m{l + 1}, 0, None, _back{l})")
        else:
            body.append(f"back{l} = d{l + 1} @ W{l + 1}")
        body.append(f"d{l} = {_print(f.delta, {NET: f'z{l}', OUT: f'a{l}', BACK: f'back{l}'})}")
    for f in reversed(layers):
        l = f.layer
        below = f"a{l - 1}" if l == 1 or not stacked else f"a{l - 1}[None]"
        body.append(f"_multiply(d{l}[:, None], {below}, out=_g{l})")   # ∂E/∂w_jk = δ_j a_k
        if in_place:
            body += [f"_multiply(_g{l}, {eta.name}, out=_g{l})", f"_subtract(W{l}, _g{l}, out=W{l})"]
        else:
            body.append(f"W{l} = {_print(forms.update, {PARAM: f'W{l}', GRAD: f'_g{l}'})}")
        if f.bias_trained:
            if not stacked:
                shared = f"_sum(d{l}.tolist())"
            elif f.size <= _UNROLL:
                shared = "(" + " + ".join(f"d{l}[{j}]" for j in range(f.size)) + ")"
            else:
                shared = f"_add_reduce(d{l}, 0)"
            gradient = f"d{l}" if f.bias == "per_neuron" else shared
            body.append(f"b{l} = {_print(forms.update, {PARAM: f'b{l}', GRAD: gradient})}")
    lines += ["    " + line for line in body]
    state = f"([{', '.join(f'W{f.layer}' for f in layers)}], [{''.join(f'b{l}, ' for l in biased)}])"
    lines.append(f"return {state}" if stacked else f"return _stop, {state}")
    args = f"_W, _b, a0, t, {eta.name}, _start, _stop, " + ("_rows, _buffers" if stacked else "_history, _buffers")
    return args, "\n".join("    " + line for line in lines)


def _compiled(args: str, code: str, namespace: dict, name: str) -> Callable:
    """The function ``def name(args): code``, every namespace name it reads a default argument (a fast local)."""
    # Names, not attributes (".sum" is no read of "sum").
    read = sorted(set(re.findall(r"(?<![.\w])([A-Za-z_]\w*)\b", code)) & namespace.keys())
    source = f"def {name}({args}{''.join(f', {n}=None' for n in read)}):\n{code}\n"
    # Printed from the derivation's forms alone (placeholders, numbers, the registry's function names).
    return function_from_source(source, f"<{name}>", namespace, args.split(", ")[-1])


def _namespace() -> dict:
    namespace = numpy_namespace()
    namespace.update(inf=math.inf, _add=np.add, _multiply=np.multiply, _subtract=np.subtract, _add_reduce=np.add.reduce,
                     _sum=sum)
    return namespace


class _Layout:
    """Where each layer's weights and biases sit in the flat parameter list (network.parameters order)."""

    def __init__(self, forms: LayerForms):
        self.layers, offset = [], 0
        for f in forms.layers:
            biases = {"shared": 1, "per_neuron": f.size, "none": 0}[f.bias]
            self.layers.append((offset, f.size, f.fan_in, f.bias))
            offset += f.size * f.fan_in + biases

    def split(self, flat, extra: tuple = ()) -> tuple:
        """(weight arrays (n, m, *extra), bias arrays) from the flat parameters (floats or arrays)."""
        flat = np.asarray(flat, dtype=float)
        weights, biases = [], []
        for offset, n, m, bias in self.layers:
            weights.append(flat[offset: offset + n * m].reshape((n, m) + extra).copy())
            if bias == "shared":
                biases.append(flat[offset + n * m].copy() if extra else float(flat[offset + n * m]))
            elif bias == "per_neuron":
                biases.append(flat[offset + n * m: offset + n * m + n].copy())
        return weights, biases

    def join(self, weights, biases, extra: tuple = ()) -> list:
        """The flat parameter list (a float, or an array of shape ``extra``, each) back from :meth:`split`'s arrays."""
        flat, b = [], iter(biases)
        for (_, n, m, bias), W in zip(self.layers, weights):
            flat += list(np.reshape(W, (n * m,) + extra))
            if bias == "shared":
                flat.append(next(b))
            elif bias == "per_neuron":
                flat += list(np.reshape(next(b), (n,) + extra))
        return flat if extra else [float(v) for v in flat]


def _buffers(sizes, extra: tuple = ()) -> list:
    """Per layer: the (n, m) product, (n,) net input, (n, m) gradient and (n,) back-propagated sum buffers."""
    buffers = []
    for n, m in zip(sizes[1:], sizes[:-1]):
        buffers += [np.empty((n, m) + extra), np.empty((n,) + extra), np.empty((n, m) + extra), np.empty((n,) + extra)]
    return buffers


def _random_case(compiled, rng, columns: int = 1):
    """Random parameters (one column per run), inputs, targets inside (0, 1) for the logs, and rates."""
    d = compiled.derivation
    params = rng.uniform(-1, 1, (len(d.params), columns))
    x = list(rng.uniform(-1, 1, len(d.input_keys)))
    t = list(rng.uniform(0.1, 0.9, len(d.target_keys)))
    return params, x, t, rng.uniform(0.05, 1.0, columns)


def _agrees(network, got_loss, got_params, params, x, t, rates) -> bool:
    """Whether each column's loss and updated parameters are the scalar path's (one epoch of the
    generated scalar loop: the derived assignments as printed, the step function's numbers; for a
    large net it is built in a third of the time the step function is lambdified in)."""
    loop = training_loop(network)
    for c in range(params.shape[1]):
        history: list = []
        try:
            after = loop([float(v) for v in params[:, c]], x, t, float(rates[c]), 0, 1, history)[1]
        except (OverflowError, ValueError, ZeroDivisionError):
            return False
        if after is None or not (np.allclose(got_loss[c], history[0], **_TOLERANCE)
                                 and np.allclose([float(v) for v in got_params[:, c]], after, **_TOLERANCE)):
            return False
    return True


def matrix_loop(network: Network) -> Callable | None:
    """``loop(params, x, t, eta, start, stop, history)`` in matrix code, or None where it cannot be used.

    The same contract as :func:`loop_code.training_loop` (flat parameters in and out, the loss
    before each epoch appended to ``history``, ``(epoch, None)`` at the first inf or nan loss);
    it records no path and freezes no parameter, so callers use it without ``mask`` or ``trace``.
    """
    return _matrix(network, registry.generation())


def _prepared(network: Network, stacked: bool):
    """(compiled network, parameter layout, generated loop), or None when a layer has no shared form."""
    compiled = compile_network(network)
    forms = layer_forms(compiled.derivation)
    if forms is None:
        return None
    name = "stacked_sweep" if stacked else "matrix_loop"
    loop = _compiled(*_source(forms, symbol_for(LearningRate()), stacked=stacked), _namespace(), name)
    return compiled, _Layout(forms), loop


@lru_cache(maxsize=32)
def _matrix(network: Network, generation: int) -> Callable | None:
    prepared = _prepared(network, stacked=False)
    if prepared is None:
        return None
    compiled, layout, loop = prepared

    def run(params, x, t, rate, start, stop, history, trace=None):
        weights, biases = layout.split(params)
        buffers = _buffers(network.layers)
        # Overflow gives inf or nan, which the loop reports (as the scalar loop's float errors).
        with np.errstate(all="ignore"):
            epoch, state = loop(weights, biases, np.asarray(x, dtype=float), np.asarray(t, dtype=float), rate,
                                start, stop, history, buffers)
        return epoch, None if state is None else layout.join(*state)

    params, x, t, rates = _random_case(compiled, np.random.default_rng(0))
    history: list = []
    after = run(params[:, 0], x, t, float(rates[0]), 0, 1, history)[1]
    if after is None or not _agrees(network, history, np.array(after)[:, None], params, x, t, rates):
        return None
    return run


def stacked_sweep(network: Network) -> Callable | None:
    """``run(params, x, t, rates, start, stop, rows)``: a chunk of a sweep, one sample, online; or None.

    ``params``: the flat list of (rates,) arrays; returns the list after epoch ``stop - 1``. The
    loss before each epoch goes to a row of ``rows`` (at least ``stop - start`` rows by rates),
    inf or nan where a run has diverged: the caller reads the divergence epochs from them.
    """
    return _stacked(network, registry.generation())


@lru_cache(maxsize=32)
def _stacked(network: Network, generation: int) -> Callable | None:
    prepared = _prepared(network, stacked=True)
    if prepared is None:
        return None
    compiled, layout, loop = prepared

    def run(params, x, t, rates, start, stop, rows):
        count = rates.shape[0]
        weights, biases = layout.split(params, (count,))
        buffers = _buffers(network.layers, (count,))
        with np.errstate(all="ignore"):   # a diverging run's inf and nan are read from ``rows``
            state = loop(weights, biases, np.asarray(x, dtype=float)[:, None], np.asarray(t, dtype=float)[:, None],
                         rates, start, stop, rows, buffers)
        return layout.join(*state, (count,))

    params, x, t, rates = _random_case(compiled, np.random.default_rng(0), 3)
    rows = np.empty((1, 3))
    after = run(list(params), x, t, rates, 0, 1, rows)
    if not _agrees(network, rows[0], np.array(after), params, x, t, rates):
        return None
    return run
