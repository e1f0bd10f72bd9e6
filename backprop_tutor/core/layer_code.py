"""Layer-level NumPy code generated from the derivation's per-layer forms (:mod:`layer_forms`).

Two loops, both printed from the same forms by the bridge's NumPy printer:

* **matrix code** for one larger net: a vector per layer, ``W @ a + b``, the activation and
  delta forms on whole vectors, ``Wᵀδ`` back, outer-product gradients. Per-neuron code makes a
  Python operation per weight; this makes a handful of NumPy calls per layer.
* **a stacked sweep** over many learning rates: every parameter array gains a last axis, one
  entry per rate, and every operation writes into a preallocated buffer (the forms through
  :mod:`inplace_code`). A small layer goes a weight at a time on contiguous (rates,) rows, a
  larger one in whole (neurons, inputs, rates) blocks; the loss is computed only when asked for.

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
from .inplace_code import InPlace, in_place_namespace
from .layer_forms import BACK, GRAD, NET, OUT, PARAM, TARGET, LayerForms, layer_forms
from .loop_code import function_from_source, training_loop
from .quantities import LearningRate
from .spec import Network
from .symbolic import symbol_for

__all__ = ["loss_stays_finite", "matrix_loop", "stacked_sweep"]

# Agreement asked of a loop with the scalar path at build time: the matrix products add
# the same terms in another order, so a last bit may differ; a wrong form is off by far more.
_TOLERANCE = {"rtol": 1e-10, "atol": 1e-12}


def _print(expr: sp.Expr, names: dict) -> str:
    """A form as NumPy code, its placeholders named by ``names`` (placeholder -> variable name)."""
    return _printer("numpy").doprint(expr.xreplace({p: sp.Symbol(n, real=True) for p, n in names.items()}))


def _source(forms: LayerForms, eta: sp.Symbol) -> tuple:
    """(arguments, body) of the matrix code's loop over epochs _start.._stop-1."""
    layers = forms.layers
    L = len(layers)
    biased = [f.layer for f in layers if f.bias != "none"]
    # The weights' update is written in place (into the gradient's buffer and the weights, without
    # allocating); the other forms' arithmetic allocates, which at these sizes costs little.
    namespace, constants, blocks = _namespace(), {}, []
    body = []
    for f in layers:
        l = f.layer
        body.append(f"z{l} = W{l} @ a{l - 1}" + (f" + b{l}" if f.bias != "none" else ""))
        body.append(f"a{l} = {_print(f.activation, {NET: f'z{l}'})}")
    error = _print(forms.error, {OUT: f"a{L}", TARGET: "t"})
    # Python's sum adds left to right, as the derived E = E_0 + E_1 + ...; a float compares fast.
    body += [f"E = _sum(({error}).tolist())", "if not E < inf:", "    return _epoch, None", "_push(E)"]
    # Every delta before any update: a hidden delta reads the weights above it as they were.
    for f in reversed(layers):
        l = f.layer
        if l == L:
            body.append(f"d{l} = {_print(f.delta, {NET: f'z{l}', OUT: f'a{l}', TARGET: 't'})}")
            continue
        body.append(f"back{l} = d{l + 1} @ W{l + 1}")
        body.append(f"d{l} = {_print(f.delta, {NET: f'z{l}', OUT: f'a{l}', BACK: f'back{l}'})}")
    for f in reversed(layers):
        l = f.layer
        body.append(f"_multiply(d{l}[:, None], a{l - 1}, _g{l})")   # ∂E/∂w_jk = δ_j a_k
        blocks.append(InPlace(f"_t{l}_", f"({f.size}, {f.fan_in})", namespace, constants))
        body += blocks[-1].assign(_print(forms.update, {PARAM: f"W{l}", GRAD: f"_g{l}"}), f"W{l}", (f"_g{l}",))
        if f.bias_trained:
            gradient = f"d{l}" if f.bias == "per_neuron" else f"_sum(d{l}.tolist())"
            body.append(f"b{l} = {_print(forms.update, {PARAM: f'b{l}', GRAD: gradient})}")
    state = f"([{', '.join(f'W{f.layer}' for f in layers)}], [{''.join(f'b{l}, ' for l in biased)}])"
    lines = [f"[{', '.join(f'W{f.layer}' for f in layers)}] = _W",
             f"[{''.join(f'b{l}, ' for l in biased)}] = _b",
             f"[{', '.join(f'_g{f.layer}' for f in layers)}] = _buffers",   # each layer's gradient δ aᵀ
             *[line for block in blocks for line in block.prologue()],
             *[f"{name} = _array({value!r})" for value, name in constants.items()],
             "_push = _history.append",
             "for _epoch in range(_start, _stop):",
             *["    " + line for line in body],
             f"return _stop, {state}"]
    args = f"_W, _b, a0, t, {eta.name}, _start, _stop, _history, _buffers"
    return args, "\n".join("    " + line for line in lines)


# In the stacked sweep a layer of at most this many weights is written a weight at a time, on
# contiguous (rates,) rows: at these sizes a NumPy call costs about 0.4 µs on a row and three
# times that broadcast over a (neurons, inputs, rates) block. Larger layers stay whole blocks.
_PER_WEIGHT = 16
# A sum of this few rows is written as additions of rows (a NumPy reduction costs about three).
_UNROLL = 4


class _Stacked:
    """The text of a chunk of a layer-stacked sweep, built up line by line (see :func:`_stacked_source`)."""

    def __init__(self):
        self.namespace = _namespace()
        self.constants: dict = {}
        self.rows: dict = {}         # row view name -> its indexing text
        self.buffers: list = []      # allocation lines
        self.blocks: dict = {}       # shape text -> its InPlace
        self.body: list = []

    def per_weight(self, f) -> bool:
        """Whether layer ``f`` is written a weight at a time (else as whole blocks)."""
        return f.size * f.fan_in <= _PER_WEIGHT

    def row(self, name: str, *index: int) -> str:
        """A named view of ``name[index]``, made once before the loop (of the inputs ``_x``: a 0-d array)."""
        view = f"{name}_{'_'.join(map(str, index))}"
        self.rows.setdefault(view, f"{name}[{', '.join(map(str, index))}{', ...' if name == '_x' else ''}]")
        return view

    def below(self, l: int, k: int) -> str:
        """Input k of layer l: an input as a 0-d array, or a row of the layer below's outputs."""
        return self.row("_x", k, 0) if l == 1 else self.row(f"a{l - 1}", k)

    def form(self, expr: sp.Expr, names: dict, out: str, shape: str, spent: tuple = ()) -> None:
        """The form with its placeholders named, computed in place into ``out`` (an array of ``shape``);
        ``spent``: arrays of that shape it may overwrite (see :meth:`InPlace.assign`)."""
        block = self.blocks.setdefault(shape, InPlace(f"_t{len(self.blocks)}_", shape, self.namespace,
                                                      self.constants))
        self.body += block.assign(_print(expr, names), out, spent)

    def row_sum(self, parts: list, out: str) -> None:
        """``out`` = parts[0] + parts[1] + ..., left to right as the derived sums add."""
        if len(parts) == 1:
            self.body.append(f"_copyto({out}, {parts[0]})")
            return
        self.body.append(f"_add({parts[0]}, {parts[1]}, {out})")
        self.body += [f"_add({out}, {part}, {out})" for part in parts[2:]]

    def dot_rows(self, pairs: list, out: str) -> None:
        """``out`` = Σ a·b over the (a, b) row pairs, left to right, products through the scratch row ``_q``."""
        (a, b), rest = pairs[0], pairs[1:]
        self.body.append(f"_multiply({a}, {b}, {out})")
        for a, b in rest:
            self.body += [f"_multiply({a}, {b}, _q)", f"_add({out}, _q, {out})"]


def _stacked_source(forms: LayerForms, eta: sp.Symbol, record: bool) -> tuple:
    """(arguments, body) of a chunk of a layer-stacked sweep: epochs _start.._stop-1, every array with
    a last axis of one entry per rate; with ``record``, each epoch's loss written to a row of ``_rows``."""
    code = _Stacked()
    layers, body = forms.layers, code.body
    L = len(layers)
    biased = [f.layer for f in layers if f.bias != "none"]
    for f in layers:
        l, n, m = f.layer, f.size, f.fan_in
        layer = f"({n}, _c)"
        code.buffers += [f"{name}{l} = _empty({layer})" for name in ("z", "a", "d")]
        code.buffers += [f"back{l} = _empty({layer})"] if l < L else []
        if not code.per_weight(f):   # a whole block's products and gradients
            code.buffers += [f"_m{l} = _empty(({n}, {m}, _c))", f"_g{l} = _empty(({n}, {m}, _c))"]
        code.buffers += [f"_s{l} = _empty(_c)"] if f.bias_trained and f.bias == "shared" and n > 1 else []
        # Net inputs: z_j = Σ_k w_jk a_k (+ b).
        if code.per_weight(f):
            for j in range(n):
                code.dot_rows([(code.row(f"W{l}", j, k), code.below(l, k)) for k in range(m)], code.row(f"z{l}", j))
                if f.bias != "none":
                    bias = f"b{l}" if f.bias == "shared" else code.row(f"b{l}", j)
                    body.append(f"_add({code.row(f'z{l}', j)}, {bias}, {code.row(f'z{l}', j)})")
        else:
            body.append(f"_multiply(W{l}, {'_x' if l == 1 else f'a{l - 1}[None]'}, _m{l})")
            body.append(f"_add_reduce(_m{l}, 1, None, z{l})")
            body += [f"_add(z{l}, b{l}, z{l})"] if f.bias != "none" else []
        code.form(f.activation, {NET: f"z{l}"}, f"a{l}", layer)
    top = layers[-1]
    if record:
        code.buffers.append(f"_e = _empty(({top.size}, _c))")
        code.form(forms.error, {OUT: f"a{L}", TARGET: "t"}, "_e", f"({top.size}, _c)")
        body.append("_r = _rows[_i]")
        if top.size <= _UNROLL:
            code.row_sum([code.row("_e", j) for j in range(top.size)], "_r")
        else:
            body.append("_add_reduce(_e, 0, None, _r)")
    # Every delta before any update: a hidden delta reads the weights above it as they were.
    for f in reversed(layers):
        l, layer = f.layer, f"({f.size}, _c)"
        if l == L:
            code.form(f.delta, {NET: f"z{l}", OUT: f"a{l}", TARGET: "t"}, f"d{l}", layer)
            continue
        above = layers[l]   # layer l + 1's form
        if code.per_weight(above):   # back_k = Σ_j w_jk δ_j over the layer above
            for k in range(f.size):
                code.dot_rows([(code.row(f"W{l + 1}", j, k), code.row(f"d{l + 1}", j)) for j in range(above.size)],
                              code.row(f"back{l}", k))
        else:
            body.append(f"_multiply(W{l + 1}, d{l + 1}[:, None], _m{l + 1})")
            body.append(f"_add_reduce(_m{l + 1}, 0, None, back{l})")
        code.form(f.delta, {NET: f"z{l}", OUT: f"a{l}", BACK: f"back{l}"}, f"d{l}", layer, (f"back{l}",))
    for f in reversed(layers):
        l, n, m = f.layer, f.size, f.fan_in
        if code.per_weight(f):   # ∂E/∂w_jk = δ_j a_k, a weight at a time
            for j in range(n):
                for k in range(m):
                    weight = code.row(f"W{l}", j, k)
                    body.append(f"_multiply({code.row(f'd{l}', j)}, {code.below(l, k)}, _q)")
                    code.form(forms.update, {PARAM: weight, GRAD: "_q"}, weight, "_c", ("_q",))
        else:
            body.append(f"_multiply(d{l}[:, None], {'_x' if l == 1 else f'a{l - 1}[None]'}, _g{l})")
            code.form(forms.update, {PARAM: f"W{l}", GRAD: f"_g{l}"}, f"W{l}", f"({n}, {m}, _c)", (f"_g{l}",))
        if f.bias_trained:
            if f.bias == "per_neuron":
                code.form(forms.update, {PARAM: f"b{l}", GRAD: f"d{l}"}, f"b{l}", f"({n}, _c)")
                continue
            if n == 1:
                gradient = code.row(f"d{l}", 0)
            elif n <= _UNROLL:
                code.row_sum([code.row(f"d{l}", j) for j in range(n)], gradient := f"_s{l}")
            else:
                body.append(f"_add_reduce(d{l}, 0, None, _s{l})")
                gradient = f"_s{l}"
            code.form(forms.update, {PARAM: f"b{l}", GRAD: gradient}, f"b{l}", "_c", (gradient,) if n > 1 else ())
    lines = [f"[{', '.join(f'W{f.layer}' for f in layers)}] = _W",
             f"[{''.join(f'b{l}, ' for l in biased)}] = _b",
             f"_c = {eta.name}.shape[0]",
             "_q = _empty(_c)",
             *code.buffers,
             *[line for block in code.blocks.values() for line in block.prologue()],
             *[f"{name} = _array({value!r})" for value, name in code.constants.items()],
             *[f"{view} = {index}" for view, index in code.rows.items()],
             "for _i in range(_stop - _start):",
             *["    " + line for line in body],
             f"return ([{', '.join(f'W{f.layer}' for f in layers)}], [{''.join(f'b{l}, ' for l in biased)}])"]
    args = f"_W, _b, _x, t, {eta.name}, _start, _stop, _rows"
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
    namespace.update(in_place_namespace())
    namespace.update(inf=math.inf, _add_reduce=np.add.reduce, _sum=sum)
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


def _buffers(sizes) -> list:
    """Per weight layer, the (n, m) buffer of its gradient δ aᵀ."""
    return [np.empty((n, m)) for n, m in zip(sizes[1:], sizes[:-1])]


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


@lru_cache(maxsize=32)
def _matrix(network: Network, generation: int) -> Callable | None:
    compiled = compile_network(network)
    forms = layer_forms(compiled.derivation)
    if forms is None:
        return None
    layout = _Layout(forms)
    loop = _compiled(*_source(forms, symbol_for(LearningRate())), _namespace(), "matrix_loop")

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
    """``run(params, x, t, rates, start, stop, rows=None)``: a chunk of a sweep, one sample, online; or None.

    ``params``: the flat list of (rates,) arrays, left as they are; returns the list after epoch
    ``stop - 1``. With ``rows`` (at least ``stop - start`` rows by rates) the loss before each
    epoch goes to a row, inf or nan where a run has diverged: the caller reads the divergence
    epochs from them. Without, no loss is computed (about a tenth of the work).
    """
    return _stacked(network, registry.generation())


@lru_cache(maxsize=32)
def _stacked(network: Network, generation: int) -> Callable | None:
    compiled = compile_network(network)
    forms = layer_forms(compiled.derivation)
    if forms is None:
        return None
    eta, layout = symbol_for(LearningRate()), _Layout(forms)
    loops = {record: _compiled(*_stacked_source(forms, eta, record), _namespace(), "stacked_sweep")
             for record in (True, False)}

    def run(params, x, t, rates, start, stop, rows=None):
        count = rates.shape[0]
        weights, biases = layout.split(params, (count,))   # copies: ``params`` is left as it was
        # Targets as full (outputs, rates) rows: NumPy broadcasts a column about twice as slowly.
        targets = np.repeat(np.asarray(t, dtype=float)[:, None], count, axis=1)
        with np.errstate(all="ignore"):   # a diverging run's inf and nan are read from ``rows``
            state = loops[rows is not None](weights, biases, np.asarray(x, dtype=float)[:, None], targets, rates,
                                            start, stop, rows)
        return layout.join(*state, (count,))

    params, x, t, rates = _random_case(compiled, np.random.default_rng(0), 3)
    rows = np.empty((1, 3))
    after = run(list(params), x, t, rates, 0, 1, rows)
    unrecorded = run(list(params), x, t, rates, 0, 1)
    if not (_agrees(network, rows[0], np.array(after), params, x, t, rates)
            and np.array_equal(np.array(after), np.array(unrecorded))):
        return None
    return run


def loss_stays_finite(network: Network, targets) -> bool:
    """Whether the loss can be inf or nan only where an output is nan, for these targets.

    So where the output activation is bounded (outputs in [-1, 1]) and the sum of each error
    term's largest value at the two ends of that range is finite: the terms (squares of t - out,
    t·log of a clamped out) are convex in the output, so none is larger inside. A nan output
    makes the update after it nan too, which the stacked sweep watches for instead of the loss.
    """
    if not registry.activation(network.activations[-1]).bounded:
        return False
    error = _error_term(network, registry.generation())
    if error is None:
        return False
    with np.errstate(all="ignore"):
        ends = error(np.array([[-1.0], [1.0]]), np.asarray(targets, dtype=float)[None])
        return bool(np.isfinite(np.sum(np.max(np.broadcast_to(ends, (2, len(targets))), axis=0))))


@lru_cache(maxsize=32)
def _error_term(network: Network, generation: int) -> Callable | None:
    """``error(out, target)``: one output's error term, printed from its layer form (None: no forms)."""
    forms = layer_forms(compile_network(network).derivation)
    if forms is None:
        return None
    code = f"    return {_print(forms.error, {OUT: '_out', TARGET: '_target'})}"
    return _compiled("_out, _target", code, _namespace(), "error_term")
