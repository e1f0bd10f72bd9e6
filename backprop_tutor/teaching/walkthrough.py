"""The walkthrough model: the ordered teaching steps of one epoch, in the order Mazur tells them.

Each :class:`Step` says what it computes, the formula, the same formula with today's numbers,
the value, and which nodes and edges of the network it touches. It holds strings and numbers
only, so any view (CLI, notebook, widget, diagram) renders it without doing mathematics.
Values come from :func:`backprop_tutor.engine.evaluate_step`; formulas from the derivation.

Nodes are ``(layer, neuron)`` with layer 0 the inputs, or ``("bias", layer)`` for the bias
unit feeding a layer; an edge is ``(from_node, to_node)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..core import registry
from ..core.engine import StepValues, evaluate_step
from ..core.quantities import (
    ErrorAfter,
    ErrorTerm,
    LearningRate,
    Net,
    Out,
    Parameter,
    Partial,
    Quantity,
    Target,
    TotalError,
    Updated,
    Weight,
    gradient,
    renamed,
)
from ..core.spec import Example
from ..core.symbolic import Derivation, derive, symbol_for
from .formatting import Form, Printers, fmt, product, tex_number, total
from .notation import Namer, quantity

__all__ = ["PATHS", "PHASES", "PHASE_TITLES", "Step", "Walkthrough", "walkthrough"]

PHASES = ("forward", "error", "output", "hidden", "update")
PHASE_TITLES = {
    "forward": "Forward pass",
    "error": "Total error",
    "output": "Backward pass: output layer",
    "hidden": "Backward pass: hidden layers",
    "update": "Updating the parameters",
}
# "full": every step of the epoch; "lecture": one step of each kind, for a 50-minute class.
PATHS = ("full", "lecture")

@dataclass(frozen=True)
class Step:
    """One teaching step: what it computes, how (formula and numbers), and what it touches."""

    index: int
    phase: str
    title: str
    explanation: str
    key: Quantity | None       # quantity computed; None for the opening step
    name_tex: str
    name_text: str
    value: float | None
    formula: Form              # "net_h1 = w1 i1 + w2 i2 + b1 1" and its numbers
    alternatives: tuple = ()   # further Forms: the delta rule, the derived expression
    factors: tuple = ()        # chain-rule factors: (name_tex, name_text, formula Form, value)
    nodes: tuple = ()
    edges: tuple = ()
    rhs: sp.Expr | None = field(default=None, compare=False, repr=False)

    @property
    def value_text(self) -> str:
        """The value as the tutorial prints it (nine significant digits)."""
        return fmt(self.value)

    @property
    def value_tex(self) -> str:
        """The value in LaTeX."""
        return tex_number(self.value) if self.value is not None else ""


@dataclass(frozen=True)
class Walkthrough:
    """The ordered steps of one epoch on one sample, in one notation."""

    example: Example
    notation: str
    sample: int
    steps: tuple
    values: StepValues

    def __len__(self):
        return len(self.steps)

    def __getitem__(self, index):
        return self.steps[index]

    def __iter__(self):
        return iter(self.steps)

    def phase_start(self, phase: str) -> int:
        """Index of the first step of a phase."""
        for step in self.steps:
            if step.phase == phase:
                return step.index
        raise ValueError(f"phase: {phase!r} has no steps in this walkthrough")

    @property
    def phases(self) -> list:
        """Phases present, in order."""
        return [p for p in PHASES if any(s.phase == p for s in self.steps)]

    @property
    def parameters(self) -> tuple:
        """The network's weights and biases, in canonical order."""
        return self.example.network.parameters.keys

    def path(self, name: str = "full") -> tuple:
        """The indices of the steps on a path: every step ("full") or one of each kind ("lecture")."""
        if name == "full":
            return tuple(range(len(self.steps)))
        if name != "lecture":
            raise ValueError(f"path: expected one of {', '.join(PATHS)}; got {name!r}")
        keys = {s.key for s in self.steps}
        picked = {0} | {s.index for s in self.steps if s.key in self._lecture_keys() and s.key in keys}
        return tuple(sorted(picked))

    def _lecture_keys(self) -> set:
        # One of each kind, always the first neuron: a net input and an output, the error, an
        # output delta, gradient and update, then one layer down the hidden ∂E/∂out (the sum),
        # its delta, a weight's gradient and update, the bias gradient, and the error afterwards.
        net = self.example.network
        L, below = net.depth, net.depth - 1
        keys = {Net(1, 0), Out(1, 0), TotalError(), renamed(Partial(TotalError(), Net(L, 0))),
                gradient(Weight(L, 0, 0)), Updated(Weight(L, 0, 0)), ErrorAfter()}
        if below >= 1:
            bias = net.parameters.bias_key(below, 0)
            keys |= {Partial(TotalError(), Out(below, 0)), renamed(Partial(TotalError(), Net(below, 0))),
                     gradient(Weight(below, 0, 0)), Updated(Weight(below, 0, 0))}
            if bias is not None:
                keys.add(gradient(bias))
        return keys

    def values_so_far(self, index: int) -> dict:
        """Quantity key -> value of every step up to and including ``index``."""
        return {s.key: s.value for s in self.steps[: index + 1] if s.key is not None}

    def step_for(self, key: str | tuple) -> Step:
        """The step that computes a quantity, given by key or printed name (``"dE/dw5"``, ``"delta_o1"``)."""
        key = renamed(quantity(key, self.example.network))
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(f"no step computes {key!r} in this walkthrough")


class _Builder:
    def __init__(self, example: Example, notation: str, sample: int):
        self.example = example
        self.net = example.network
        self.d: Derivation = derive(example.network)
        self.namer = Namer(example.network, notation)
        self.values = evaluate_step(example, sample)
        self.steps: list = []
        tex_names, text_names, numbers = {}, {}, {}
        for key, value in self.values.values.items():
            if isinstance(key, (Updated, ErrorAfter)):
                continue  # never a symbol inside another formula
            key = renamed(key)  # ∂E/∂net_o1 is named δ_o1 wherever it appears
            symbol = symbol_for(key)
            tex_names[symbol], text_names[symbol] = self.namer.tex(key), self.namer.text(key)
            numbers[symbol] = value
        self.p = Printers(tex_names, text_names, numbers)

    # -- helpers -------------------------------------------------------------------------
    def form(self, label, name_tex, name_text, rhs) -> Form:
        return Form(label, f"{name_tex} = {self.p.tex(rhs)}", f"{name_tex} = {self.p.tex_numbers(rhs)}",
                    f"{name_text} = {self.p.text(rhs)}", f"{name_text} = {self.p.text_numbers(rhs)}")

    def add(self, phase, title, explanation, key, rhs, *, value=None, alternatives=(),
            factors=(), nodes=(), edges=()):
        name_tex, name_text = self.namer.tex(key), self.namer.text(key)
        value = self.values[key] if value is None else value
        self.steps.append(Step(
            index=len(self.steps), phase=phase, title=title, explanation=explanation, key=key,
            name_tex=name_tex, name_text=name_text, value=float(value),
            formula=self.form("formula", name_tex, name_text, rhs), alternatives=tuple(alternatives),
            factors=tuple(factors), nodes=tuple(nodes), edges=tuple(edges), rhs=rhs,
        ))

    def factor_entry(self, factor):
        name_tex, name_text = self.namer.tex(factor.key), self.namer.text(factor.key)
        form = self.form("factor", name_tex, name_text, factor.expr)
        return (name_tex, name_text, form, float(self.values[factor.key]))

    def bias_node(self, l):
        return ("bias", l) if self.net.parameters.has_bias else None

    def incoming(self, l, j):
        nodes = [(l - 1, k) for k in range(self.net.layers[l - 1])]
        edges = [((l - 1, k), (l, j)) for k in range(self.net.layers[l - 1])]
        if self.bias_node(l):
            nodes.append(self.bias_node(l))
            edges.append((self.bias_node(l), (l, j)))
        return nodes + [(l, j)], edges

    def downstream(self, l, j):
        """Nodes and edges from neuron (l, j) to every output it reaches."""
        nodes, edges, frontier = [(l, j)], [], [(l, j)]
        for m in range(l + 1, self.net.depth + 1):
            nxt = [(m, i) for i in range(self.net.layers[m])]
            edges += [(a, b) for a in frontier for b in nxt]
            nodes += nxt
            frontier = nxt
        return nodes, edges

    # -- phases ----------------------------------------------------------------------------
    def opening(self):
        inputs = self.d.input_keys
        names_tex = ", ".join(self.namer.tex(k) for k in inputs)
        values_tex = ", ".join(tex_number(self.values[k]) for k in inputs)
        names_text = ", ".join(self.namer.text(k) for k in inputs)
        values_text = ", ".join(fmt(self.values[k]) for k in inputs)
        form = Form("formula", f"({names_tex})", f"({values_tex})", f"({names_text})", f"({values_text})")
        def named(keys):   # "i1 = 0.05 and i2 = 0.1": each number with its name, never a bare tuple
            pairs = [f"{self.namer.text(k)} = {fmt(self.values[k])}" for k in keys]
            return ", ".join(pairs[:-1]) + (" and " if len(pairs) > 1 else "") + pairs[-1]

        self.steps.append(Step(
            index=0, phase="forward", title="The network and its inputs",
            explanation=self._which_sample() + f"We feed the inputs {named(inputs)} forward through the network; "
                        f"the targets are {named(self.d.target_keys)}.",
            key=None, name_tex="", name_text="", value=None, formula=form,
            nodes=tuple((0, k) for k in range(self.net.layers[0])),
        ))

    def _which_sample(self) -> str:
        n = self.example.n_samples
        return f"Sample {self.values.sample + 1} of {n}. " if n > 1 else ""

    def forward(self):
        S = symbol_for
        for l in range(1, self.net.depth + 1):
            layer = "output" if l == self.net.depth else "hidden"
            for j in range(self.net.layers[l]):
                terms = [product(S(Weight(l, j, k)), S(Out(l - 1, k))) for k in range(self.net.layers[l - 1])]
                bias = self.net.parameters.bias_key(l, j)
                if bias:
                    terms.append(product(S(bias), sp.Integer(1)))
                nodes, edges = self.incoming(l, j)
                neuron = self.namer.neuron(l, j)
                self.add("forward", f"Net input of {layer} neuron {neuron}",
                         "A neuron's net input is the weighted sum of the previous layer's outputs"
                         + (" plus the bias." if bias else "."),
                         Net(l, j), total(*terms), nodes=nodes, edges=edges)
            entry = registry.activation(self.net.activations[l - 1])
            for j in range(self.net.layers[l]):
                nodes = [(l, i) for i in range(self.net.layers[l])] if entry.coupled else [(l, j)]
                self.add("forward", f"Output of {layer} neuron {self.namer.neuron(l, j)}", entry.why,
                         Out(l, j), self.d.definitions[Out(l, j)], nodes=nodes)

    def error(self):
        L, S = self.net.depth, symbol_for
        n = self.net.layers[L]
        loss = registry.loss(self.net.loss)
        for j in range(n):
            # The term exactly as the registry writes it (target first, as the seed does).
            self.add("error", f"Error of output {self.namer.neuron(L, j)}", loss.why,
                     ErrorTerm(j), loss.term(S(Out(L, j)), S(Target(j)), n), nodes=[(L, j)])
        self.add("error", "Total error", "The total error sums the errors of the output neurons.",
                 TotalError(), total(*[S(ErrorTerm(j)) for j in range(n)]), nodes=[(L, j) for j in range(n)])

    def layer_deltas(self, l):
        entry = registry.activation(self.net.activations[l - 1])
        if entry.coupled:  # every delta needs every ∂E/∂out and every ∂out/∂net: list those first
            n = self.net.layers[l]
            for j in range(n):
                self.error_by_output(l, j)
            for j in range(n):     # the Jacobian, one entry a step: how each output moves with net_j
                for i in range(n):
                    slope = self.d.factors[Partial(Out(l, i), Net(l, j))]
                    self.add(self.phase(l), f"How {self.namer.text(Out(l, i))} changes with "
                             f"{self.namer.text(Net(l, j))}", entry.slope_why, slope.key, slope.expr,
                             nodes=sorted({(l, i), (l, j)}))
            for j in range(n):
                self.delta(l, j)
            return
        for j in range(self.net.layers[l]):
            self.error_by_output(l, j)
            slope = self.d.factors[Partial(Out(l, j), Net(l, j))]
            self.add(self.phase(l), f"How {self.namer.text(Out(l, j))} changes with {self.namer.text(Net(l, j))}",
                     entry.slope_why, slope.key, slope.expr, nodes=[(l, j)])
            self.delta(l, j)

    def phase(self, l):
        return "output" if l == self.net.depth else "hidden"

    def error_by_output(self, l, j):
        neuron = self.namer.neuron(l, j)
        dE_dout = self.d.factors[Partial(TotalError(), Out(l, j))]
        title = f"How the error changes with {self.namer.text(Out(l, j))}"
        if l == self.net.depth:
            self.add("output", title,
                     "Differentiate the total error with respect to this output; the other outputs' terms vanish.",
                     dE_dout.key, dE_dout.expr, nodes=[(l, j)])
            return
        fan_out = self.net.layers[l + 1]
        nodes, edges = self.downstream(l, j)
        self.add("hidden", title,
                 f"{neuron} feeds every neuron of the next layer, so its effect on the error "
                 "is the sum over them of their delta times the connecting weight.",
                 dE_dout.key, total(*[product(down.symbol, local.expr) for down, local in dE_dout.terms]),
                 alternatives=[self.form("chain rule", self.namer.tex(dE_dout.key), self.namer.text(dE_dout.key),
                                         total(*[product(down.symbol, local.symbol)
                                                 for down, local in dE_dout.terms]))],
                 factors=[self.factor_entry(f) for term in dE_dout.terms for f in term],
                 nodes=nodes[: 1 + fan_out], edges=edges[:fan_out])

    def delta(self, l, j):
        delta = self.d.delta(l, j)
        coupled = registry.activation(self.net.activations[l - 1]).coupled
        chain = total(*[product(*[f.symbol for f in term]) for term in delta.terms])
        name = renamed(delta.key)
        self.add(self.phase(l), f"The node delta of {self.namer.neuron(l, j)}",
                 "The delta is how much the error changes with the neuron's net input: "
                 + (f"a sum over every output, since {self.net.activations[l - 1]} couples them." if coupled
                    else "the product of " + " and ".join(self.namer.text(f.key) for f in delta.terms[0]) + "."),
                 name, chain, value=self.values[delta.key],
                 alternatives=[self.form("derived", self.namer.tex(name), self.namer.text(name), delta.expr)],
                 factors=[self.factor_entry(f) for term in delta.terms for f in term],
                 nodes=[(l, i) for i in range(self.net.layers[l])] if coupled else [(l, j)])

    def layer_gradients(self, l):
        phase = self.phase(l)
        for param in self.net.parameters.layer_keys(l):
            factor = self.d.gradients[param]
            chain = self.d.chain(param)
            nodes, edges = self.param_reach(param)
            self.add(phase, f"Gradient for {self.namer.text(param)}",
                     "Chain rule: the error depends on the parameter only through the net inputs it feeds.",
                     factor.key, total(*[product(*[f.symbol for f in term]) for term in chain]),
                     alternatives=[self.form("delta rule", self.namer.tex(factor.key), self.namer.text(factor.key),
                                             total(*[product(delta.symbol, local.expr)
                                                     for delta, local in factor.terms]))],
                     factors=[self.factor_entry(f) for term in chain for f in term],
                     nodes=nodes, edges=edges)

    def param_reach(self, param: Parameter, downstream=True):
        """Nodes and edges a parameter's gradient flows through (only its own edges if not downstream)."""
        l, fed = param.layer, self.net.parameters.fed_by(param)
        if isinstance(param, Weight):
            source, target = (l - 1, param.source), (l, param.target)
            nodes, edges = [source, target], [(source, target)]
        else:
            nodes, edges = [("bias", l)] + [(l, j) for j in fed], [(("bias", l), (l, j)) for j in fed]
        if not downstream:
            return nodes, edges
        for j in fed:
            more_nodes, more_edges = self.downstream(l, j)
            nodes += [n for n in more_nodes if n not in nodes]
            edges += [e for e in more_edges if e not in edges]
        return nodes, edges

    def updates(self):
        S = symbol_for
        eta = S(LearningRate())
        why = ("Step against the gradient, scaled by the learning rate: the original weights "
               "were used for every derivative above.")
        if self.example.update == "batch" and self.example.n_samples > 1:
            why += (f" This is the update for this sample alone; batch training averages the gradient over "
                    f"all {self.example.n_samples} samples before it updates.")
        for l in range(self.net.depth, 0, -1):
            for param in [p for p in self.net.parameters.layer_keys(l) if p in self.d.updates]:
                rhs = sp.Add(S(param), sp.Mul(-1, eta, S(gradient(param)), evaluate=False), evaluate=False)
                nodes, edges = self.param_reach(param, downstream=False)
                self.add("update", f"Update {self.namer.text(param)}", why, Updated(param), rhs,
                         nodes=nodes, edges=edges)
        before = self.values[TotalError()]
        after = self.values[ErrorAfter()]
        name_tex, name_text = self.namer.tex(TotalError()), self.namer.text(TotalError())
        form = Form("formula", rf"{{{name_tex}}}^{{+}} = {name_tex}\text{{ with the updated parameters}}",
                    rf"{{{name_tex}}}^{{+}} = {tex_number(after)}",
                    f"{name_text}+ = {name_text} with the updated parameters", f"{name_text}+ = {fmt(after)}")
        L = self.net.depth
        self.steps.append(Step(
            index=len(self.steps), phase="update", title="The error after one update",
            explanation=f"Feeding the same inputs forward again, the error falls from {fmt(before)} to {fmt(after)}.",
            key=ErrorAfter(), name_tex=self.namer.tex(ErrorAfter()), name_text=self.namer.text(ErrorAfter()),
            value=float(after),
            formula=form, nodes=tuple((L, j) for j in range(self.net.layers[L])),
        ))


def walkthrough(example: Example, notation: str = "mazur", sample: int = 0) -> Walkthrough:
    """The teaching steps of one epoch on one sample: forward, error, output, hidden, update."""
    builder = _Builder(example, notation, sample)
    builder.opening()
    builder.forward()
    builder.error()
    for l in range(example.network.depth, 0, -1):
        builder.layer_deltas(l)
        builder.layer_gradients(l)
    builder.updates()
    return Walkthrough(example, notation, sample, tuple(builder.steps), builder.values)
