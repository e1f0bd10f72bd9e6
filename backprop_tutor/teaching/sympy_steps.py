"""SymPy at work: from an activation's definition to its textbook slope, and from the softmax
cross-entropy delta the derivation gives to out − target.

Each :class:`SympySteps` is a list of (sentence, SymPy expression) lines. Every line is checked
here, symbolically, to equal what ``sp.diff`` returned (or, for the last softmax line, to equal
it once the targets sum to 1) before anything is shown: a slip in a rewriting fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..core import registry
from ..core.checks import SpecError
from ..core.engine import evaluate_step
from ..core.example_files import load_example
from ..core.quantities import Delta, Net, Out, Partial, Target, TotalError
from ..core.spec import Example
from ..core.symbolic import derive, symbol_for
from .formatting import Printers, fmt
from .notation import Namer

__all__ = ["Line", "SympySteps", "activation_steps", "derivation_steps", "softmax_delta_steps"]

_X = sp.Symbol("x", real=True)
_U = sp.UnevaluatedExpr


def _named(name: str, x) -> sp.Expr:
    """The activation applied to x under the textbook's name: σ(x), tanh(x), relu(x)."""
    if name == "tanh":
        return sp.tanh(x)
    return sp.Function("sigma" if name == "sigmoid" else name)(x)


@dataclass(frozen=True)
class Line:
    """One step: what is done, in words, and the expression it gives (``lhs = rhs``)."""

    sentence: str
    lhs: sp.Expr
    rhs: sp.Expr
    code: str = ""   # the SymPy call that did it, when there is one


@dataclass(frozen=True)
class SympySteps:
    """A chain of rewritings, each line checked equal to the one SymPy started from."""

    title: str
    lines: tuple
    conclusion: str
    printers: Printers

    def markdown(self) -> str:
        """The steps as Markdown: each sentence, then its equation in LaTeX."""
        out = [f"**{self.title}**"]
        for line in self.lines:
            code = f" (`{line.code}`)" if line.code else ""
            out.append(f"{line.sentence}{code}\n\n$${self.printers.tex(line.lhs)} = {self.printers.tex(line.rhs)}$$")
        out.append(self.conclusion)
        return "\n\n".join(out)

    def _repr_markdown_(self) -> str:
        return self.markdown()


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether two expressions are equal for every x (SymPy simplifies their difference to 0)."""
    difference = (a.doit() - b.doit()).rewrite(sp.exp)   # both are SymPy expressions built here
    return sp.simplify(difference) == 0


def _checked(lines: list, reference: sp.Expr, unname: dict) -> tuple:
    """The lines, once each is shown equal to ``reference`` (named functions replaced by their definitions)."""
    for line in lines:
        if not _same(line.rhs.doit().subs(unname), reference):
            raise AssertionError(f"step {line.sentence!r} does not equal what sp.diff returned")
    return tuple(lines)


# --- an activation's slope -----------------------------------------------------------------------

def _sigmoid_middle(x):
    """e^(-x) / (1 + e^(-x))² rewritten, one move at a time, to σ(1 − σ)."""
    one_plus = sp.Add(1, sp.exp(-x), evaluate=False)
    first = _U(1 / one_plus)
    sigma = _named("sigmoid", x)
    return [
        Line("Split the square in the denominator: one factor for each copy of 1 + e^(−x)",
             None, sp.Mul(first, _U(sp.exp(-x) / one_plus), evaluate=False)),
        Line("Add and take away 1 in the second numerator, which changes nothing",
             None, sp.Mul(first, _U(sp.Add(one_plus, -1, evaluate=False) / one_plus), evaluate=False)),
        Line("Split the second fraction: (1 + e^(−x)) / (1 + e^(−x)) is 1",
             None, sp.Mul(first, sp.Add(1, sp.Mul(-1, first, evaluate=False), evaluate=False), evaluate=False)),
        Line("Both pieces are the logistic function σ(x) = 1 / (1 + e^(−x)) itself",
             None, sp.Mul(sigma, sp.Add(1, sp.Mul(-1, sigma, evaluate=False), evaluate=False), evaluate=False)),
    ]


def _tanh_parts(x):
    top = sp.Add(sp.exp(x), sp.Mul(-1, sp.exp(-x), evaluate=False), evaluate=False)
    bottom = sp.Add(sp.exp(x), sp.exp(-x), evaluate=False)
    return top, bottom


def _tanh_middle(x):
    """What sp.diff returns for tanh's definition, rewritten to 1 − tanh²."""
    top, bottom = _tanh_parts(x)
    fraction = _U(sp.Mul(top, sp.Pow(bottom, -1, evaluate=False), evaluate=False))
    return [
        Line("The two factors on top are the same up to sign, so the fraction is minus a square",
             None, sp.Add(1, sp.Mul(-1, _U(sp.Mul(sp.Pow(top, 2, evaluate=False),
                                                  sp.Pow(sp.Pow(bottom, 2, evaluate=False), -1, evaluate=False),
                                                  evaluate=False)), evaluate=False), evaluate=False)),
        Line("A square over a square is the square of the fraction",
             None, sp.Add(1, sp.Mul(-1, sp.Pow(fraction, 2, evaluate=False), evaluate=False), evaluate=False)),
        Line("The fraction is tanh(x) itself",
             None, sp.Add(1, sp.Mul(-1, sp.Pow(sp.tanh(x), 2, evaluate=False), evaluate=False), evaluate=False)),
    ]


def _definition(name: str, x) -> sp.Expr:
    """The activation written with e^x where it can be, for display (built unevaluated)."""
    if name == "sigmoid":
        return sp.Pow(sp.Add(1, sp.exp(-x), evaluate=False), -1, evaluate=False)
    if name == "tanh":
        top, bottom = _tanh_parts(x)
        return sp.Mul(top, sp.Pow(bottom, -1, evaluate=False), evaluate=False)
    entry = registry.activation(name)
    return entry.output([x], 0).rewrite(sp.exp)


_MIDDLE = {"sigmoid": _sigmoid_middle, "tanh": _tanh_middle}


def activation_steps(name: str) -> SympySteps:
    """From an activation's definition, through ``sp.diff``, to its slope as a textbook writes it."""
    if not isinstance(name, str) or name not in registry.ACTIVATIONS:
        raise SpecError("activation", f"expected one of {', '.join(registry.ACTIVATIONS)}, got {name!r}")
    entry = registry.activation(name)
    if entry.coupled:
        raise SpecError("activation", f"{name} couples its outputs, so it has no slope of one variable: "
                                      "see softmax_delta_steps for its delta")
    x = _X
    shown = _named(name, x)
    definition = _definition(name, x)
    slope = sp.diff(definition.doit(), x)
    d_dx = sp.Derivative(shown, x)
    lines = [Line("SymPy differentiates it", d_dx, slope, code="sp.diff(f, x)")]
    middle = _MIDDLE.get(name, lambda x: [])(x)
    lines += [Line(line.sentence, d_dx, line.rhs) for line in middle]
    if not middle:
        # No textbook rewriting to show: the derivation's own slope, with the output named f(x).
        out = sp.Symbol("out", real=True)
        final = entry.derivative([x], [out], 0, 0).subs(out, shown)
        if final != slope:
            lines.append(Line("The derivation writes it with the neuron's output", d_dx, final))
    checked = _checked(lines, slope, {shown: definition.doit()})
    written = ", written with the exponential function" if name in _MIDDLE else ""
    first = Line(f"The definition{written}", shown, definition)
    conclusion = ("Every line above was checked with SymPy: the difference between it and what `sp.diff` "
                  f"returned simplifies to 0. {entry.slope_why}")
    return SympySteps(f"The slope of {name}, derived by SymPy", (first,) + checked, conclusion, Printers({}, {}, {}))


# --- softmax with cross-entropy: δ = out − target --------------------------------------------------

def softmax_delta_steps(source: str | Example = "softmax", neuron: int = 0, notation: str = "mazur") -> SympySteps:
    """δ of one softmax output as the derivation gives it, reduced to out − target because the targets sum to 1."""
    example = load_example(source) if isinstance(source, str) else source
    if not isinstance(example, Example):
        raise SpecError("example", f"expected a preset name or an Example, got {type(example).__name__}")
    net = example.network
    L, n = net.depth, net.layers[-1]
    if not registry.activation(net.activations[-1]).coupled or net.loss != "ce":
        raise SpecError("loss", f"expected softmax outputs with the 'ce' loss, got {net.activations[-1]} "
                                f"with {net.loss!r}")
    if isinstance(neuron, bool) or not isinstance(neuron, int) or not 0 <= neuron < n:
        raise SpecError("neuron", f"expected an output neuron from 0 to {n - 1}, got {neuron!r}")
    d = derive(net)
    namer = Namer(net, notation)
    out, target = symbol_for(Out(L, neuron)), symbol_for(Target(neuron))
    targets = [symbol_for(Target(k)) for k in range(n)]
    delta_symbol = symbol_for(Delta(L, neuron))
    given = d.delta(L, neuron).expr
    expanded = sp.expand(given)
    collected = sp.collect(expanded, out, evaluate=False)
    grouped = sp.Add(sp.Mul(out, _U(collected.get(out, 0)), evaluate=False), collected.get(sp.S.One, 0),
                     evaluate=False)
    final = sp.Add(out, sp.Mul(-1, target, evaluate=False), evaluate=False)
    lines = [
        Line("The derivation sums the chain rule over every output softmax couples", delta_symbol, given),
        Line("Multiply out the brackets", delta_symbol, expanded, code="sp.expand(delta)"),
        Line(f"Collect the terms with {namer.text(Out(L, neuron))}", delta_symbol, grouped,
             code="sp.collect(delta, out)"),
    ]
    for line in lines[1:]:
        if sp.simplify(line.rhs.doit() - given) != 0:
            raise AssertionError(f"step {line.sentence!r} does not equal the derived delta")
    # The targets form a probability distribution: replace the last one by 1 minus the others.
    others = sp.Add(*targets[:-1])
    on_the_simplex = {targets[-1]: 1 - others}
    if sp.simplify((given - final).subs(on_the_simplex)) != 0:
        raise AssertionError("the softmax delta does not reduce to out - target")
    lines.append(Line("The targets sum to 1, so the bracket is 1", delta_symbol, final))
    keys = [Out(L, neuron), Delta(L, neuron)] + [Target(k) for k in range(n)] + [Net(L, k) for k in range(n)]
    printers = Printers({symbol_for(k): namer.tex(k) for k in keys}, {symbol_for(k): namer.text(k) for k in keys},
                        {})
    values = evaluate_step(example)
    total = sum(values[Target(k)] for k in range(n))
    derived = values[Partial(TotalError(), Net(L, neuron))]
    simple = values[Out(L, neuron)] - values[Target(neuron)]
    conclusion = (f"SymPy checked each line against the derived delta, and the last one after putting "
                  f"{namer.text(Target(n - 1))} = 1 minus the other targets. With this example's numbers "
                  f"(its targets sum to {fmt(total)}): {namer.text(Delta(L, neuron))} = {fmt(derived)} from the "
                  f"derivation, and {namer.text(Out(L, neuron))} − {namer.text(Target(neuron))} = {fmt(simple)}.")
    return SympySteps(f"The delta of output {namer.neuron(L, neuron)}: softmax with cross-entropy",
                      tuple(lines), conclusion, printers)


def derivation_steps(what: str | Example = "sigmoid", neuron: int = 0, notation: str = "mazur") -> SympySteps:
    """An activation's slope by name (``"sigmoid"``, ``"tanh"``), or the softmax delta (``"softmax"`` or an example)."""
    if isinstance(what, str) and what in registry.ACTIVATIONS and not registry.activation(what).coupled:
        return activation_steps(what)
    return softmax_delta_steps(what, neuron, notation)
