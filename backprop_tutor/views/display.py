"""One-call displays for notebook cells: walkthrough steps, labelled values, the notation table,
training summaries, SymPy's derivations, the matrix form and the autograd comparison, as rich Markdown.

The narrative of a notebook types no numbers; these calls show them, computed by the package, and
every number they show stands beside the name of the quantity it is (no bare lists or tuples).
"""

from __future__ import annotations

from collections.abc import Sequence

from IPython.display import Markdown

from ..core.engine import Training, evaluate_step, train
from ..core.example_files import load_example
from ..core.quantities import Delta, ErrorTerm, Net, Out, Target, TotalError, Weight
from ..core.spec import Example
from ..teaching.compare import compare_gradients
from ..teaching.formatting import aligned_tex, alternative_tex, fmt
from ..teaching.matrix_form import matrix_form
from ..teaching.matrix_text import matrix_markdown
from ..teaching.notation import Namer, quantity
from ..teaching.render import training_lines
from ..teaching.sympy_steps import derivation_steps
from ..teaching.walkthrough import Walkthrough, walkthrough

__all__ = ["example_markdown", "notation_markdown", "notation_table", "show_activations", "show_derivation",
           "show_error_curve", "show_example", "show_gradient_comparison", "show_matrix_form", "show_steps",
           "show_training", "show_values", "steps_markdown", "values_markdown"]

# A preset name or file path, an example, or a walkthrough already built.
Source = str | Example | Walkthrough
# Quantities by printed name ("dE/dw5") or key; one name alone is allowed.
Keys = str | Sequence[str | tuple] | None


def _walk(source: Source, notation: str) -> Walkthrough:
    if isinstance(source, Walkthrough):
        return source
    example = load_example(source) if isinstance(source, str) else source
    return walkthrough(example, notation)


def steps_markdown(source: Source = "mazur", keys: Keys = None, phase: str | None = None, notation: str = "mazur",
                   titles: bool = True, alternatives: bool = True) -> str:
    """Markdown (with LaTeX) for the steps of one phase, or for the steps computing ``keys``.

    ``keys`` names quantities by their printed names in either notation (``"dE/dw5"``,
    ``"delta_o1"``, ``"w5+"``) or by quantity keys; a single name may be given without a list.
    ``alternatives=False`` leaves out the other forms (the delta rule), for a page that has not
    introduced the delta yet.
    """
    walk = _walk(source, notation)
    if keys is not None:
        steps = [walk.step_for(k) for k in ([keys] if isinstance(keys, str) else keys)]
    else:
        steps = [s for s in walk if phase is None or s.phase == phase]
    out = []
    for step in steps:
        if titles:
            out.append(f"**{step.title}.** {step.explanation}")
        out.append("$$" + aligned_tex(step.formula, step.value_tex) + "$$")
        for alt in step.alternatives if alternatives else ():
            out.append(f"*{alt.label}:*\n\n$$" + alternative_tex(alt, step.value_tex) + "$$")
    return "\n\n".join(out)


def show_steps(source: Source = "mazur", keys: Keys = None, phase: str | None = None, notation: str = "mazur",
               titles: bool = True, alternatives: bool = True) -> Markdown:
    """Display the steps computing chosen quantities (``show_steps(example, "dE/dw5")``), or a phase's steps."""
    return Markdown(steps_markdown(source, keys, phase, notation, titles, alternatives))


def show_training(source: str | Example = "mazur", epochs: int | None = None, learning_rate: float | None = None,
                  notation: str = "mazur") -> Markdown:
    """Train and display the summary: final error, outputs against targets, divergence if any."""
    example: Example = load_example(source) if isinstance(source, str) else source
    result: Training = train(example, epochs=epochs, learning_rate=learning_rate)
    lines = training_lines(result, walkthrough(example, notation))
    return Markdown("\n".join(f"- {line}" for line in lines))


# --- labelled values ----------------------------------------------------------------------------

def _example(source: str | Example | Walkthrough | Training) -> Example:
    if isinstance(source, (Walkthrough, Training)):
        return source.example
    return load_example(source) if isinstance(source, str) else source


def values_markdown(source: str | Example | Walkthrough | Training = "mazur", names: Keys = None,
                    notation: str = "mazur") -> str:
    """A Markdown table of named quantities and their values: names in the first row, values below.

    ``names`` are printed names in either notation (``"i1"``, ``"target_o1"``, ``"w5"``, ``"eta"``,
    ``"net_h1"``); a single name may be given without a list; by default every weight and bias.
    From an example the values are those of the first step on its first sample; from a
    :class:`Training` (the result of ``train``) they are the trained weights and biases.
    """
    example = _example(source)
    network = example.network
    namer = Namer(network, notation)
    if names is None:
        keys = list(network.parameters.keys)
    else:
        keys = [quantity(n, network) for n in ([names] if isinstance(names, str) else names)]
    if isinstance(source, Training):
        known = network.parameters.named(source.weights, source.biases)
        missing = [namer.text(k) for k in keys if k not in known]
        if missing:
            raise KeyError(f"a training run holds only the trained weights and biases, not {', '.join(missing)}")
        values = [known[k] for k in keys]
    else:
        step = source.values if isinstance(source, Walkthrough) else walkthrough(example, notation).values
        values = [step[k] for k in keys]
    head = "| " + " | ".join(f"${namer.tex(k)}$" for k in keys) + " |"
    rule = "|" + "---|" * len(keys)
    row = "| " + " | ".join(fmt(v) for v in values) + " |"
    return "\n".join([head, rule, row])


def show_values(source: str | Example | Walkthrough | Training = "mazur", names: Keys = None,
                notation: str = "mazur") -> Markdown:
    """Display named quantities with their values (default: every weight and bias) as a small table."""
    return Markdown(values_markdown(source, names, notation))


def example_markdown(source: str | Example = "mazur") -> str:
    """An example's name and description, and its training settings in words."""
    example = _example(source)
    net = example.network
    lines = [f"**{example.name}.** {example.description}".rstrip()]
    if net.parameters.has_bias:
        biases = "the biases are trained with the weights" if net.train_bias else "the biases stay fixed"
    else:
        biases = "no biases"
    samples = "one sample" if example.n_samples == 1 else f"{example.n_samples} samples"
    update = "an update after each sample" if example.update == "online" else "one update per epoch (batch)"
    lines.append(f"Learning rate η = {fmt(example.learning_rate)}, {example.epochs:,} epochs, {samples}, "
                 f"{update}; {biases}.")
    return "\n\n".join(lines)


def show_example(source: str | Example = "mazur") -> Markdown:
    """Display an example's name, description, learning rate, epochs and whether its biases train."""
    return Markdown(example_markdown(source))


# --- the two notations side by side ---------------------------------------------------------------

def _layer_word(depth: int, l: int) -> str:
    if l == depth:
        return "output layer"
    return "hidden layer" if depth == 2 else f"hidden layer {l}"


def notation_markdown(source: str | Example = "mazur") -> str:
    """Mazur's names beside the layered ones for every quantity of a network, as a Markdown table.

    Layers and neurons are counted from 1, the inputs being layer 1, as the layered names count them.
    """
    example = _example(source)
    net = example.network
    mazur, layered = Namer(net, "mazur"), Namer(net, "layered")
    sizes, depth = net.layers, net.depth

    def names(namer, keys):
        return ", ".join(f"${namer.tex(k)}$" for k in keys)

    rows = [("inputs", 1, [Out(0, k) for k in range(sizes[0])])]
    for l in range(1, depth + 1):
        where = f"the {_layer_word(depth, l)}"
        rows.append((f"weights into {where}", l + 1,
                     [Weight(l, j, k) for j in range(sizes[l]) for k in range(sizes[l - 1])]))
        biases = net.parameters.biases_of(l)
        if biases:
            rows.append((f"bias of {where}" if len(biases) == 1 else f"biases of {where}", l + 1, biases))
        rows.append((f"net inputs of {where}", l + 1, [Net(l, j) for j in range(sizes[l])]))
        rows.append((f"outputs of {where}", l + 1, [Out(l, j) for j in range(sizes[l])]))
    rows.append(("targets", depth + 1, [Target(j) for j in range(sizes[-1])]))
    rows.append(("error of each output", depth + 1, [ErrorTerm(j) for j in range(sizes[-1])]))
    rows.append(("total error", None, [TotalError()]))
    for l in range(depth, 0, -1):
        rows.append((f"node deltas of the {_layer_word(depth, l)}: "
                     r"$\partial E_{\mathrm{total}} / \partial \mathrm{net}$ of each neuron", l + 1,
                     [Delta(l, j) for j in range(sizes[l])]))
    lines = ["| quantity | layer | Mazur's names | layered names |", "|---|---|---|---|"]
    for what, layer, keys in rows:
        lines.append(f"| {what} | {'' if layer is None else layer} | {names(mazur, keys)} | {names(layered, keys)} |")
    k = 1 if sizes[0] > 1 else 0
    w = Weight(1, 0, k)
    note = (f"The layered names count the layers from 1 at the inputs and the neurons from 1 within each layer: "
            f"${layered.tex(Net(1, 0))}$ is the net input of neuron 1 of layer 2 (Mazur's ${mazur.tex(Net(1, 0))}$), "
            f"and ${layered.tex(w)}$ is the weight into neuron 1 of layer 2 from neuron {k + 1} of layer 1 "
            f"(Mazur's ${mazur.tex(w)}$): the neuron it goes into first, the one it comes from second.")
    return "\n".join(lines) + "\n\n" + note


def notation_table(source: str | Example = "mazur") -> Markdown:
    """Display the notation table: each quantity's name in Mazur's notation and in the layered one."""
    return Markdown(notation_markdown(source))


# --- SymPy at work, the matrix form, autograd ------------------------------------------------------

def show_derivation(what: str | Example = "sigmoid", neuron: int = 0, notation: str = "mazur") -> Markdown:
    """Display SymPy's steps: an activation's slope (``"sigmoid"``, ``"tanh"``) or the softmax delta (``"softmax"``)."""
    return Markdown(derivation_steps(what, neuron, notation).markdown())


def show_matrix_form(source: Source = "mazur", layer: int | None = None, part: str | None = None,
                     notation: str = "mazur") -> Markdown:
    """Display the matrix form of one layer (numbered as shown, inputs are 1) or all, and one part or all.

    ``part`` is ``"forward"`` (z = W a + b), ``"delta"`` (∂E/∂a and δ) or ``"gradient"`` (∂E/∂W, ∂E/∂b).
    """
    walk = _walk(source, notation)
    return Markdown(matrix_markdown(matrix_form(walk), layer, part))


def show_gradient_comparison(source: str | Example = "mazur", sample: int = 0, notation: str = "mazur") -> Markdown:
    """Display every gradient three ways: the derivation, finite differences and PyTorch (when installed)."""
    return Markdown(compare_gradients(source, sample, notation).markdown())


# --- pictures: the error against one parameter, the activations ------------------------------------

def show_error_curve(source: str | Example = "mazur", parameter: str | tuple = "w5", sample: int = 0,
                     notation: str = "mazur"):
    """Display one sample's error against a weight or bias: its tangent (∂E/∂w) and the update step (a figure)."""
    from .widgets.see_it import ErrorCurvePanel  # widgets load only when a picture is asked for

    example = _example(source)
    panel = ErrorCurvePanel()
    panel.show(example, quantity(parameter, example.network), sample, Namer(example.network, notation))
    return panel.box


def show_activations(source: str | Example = "mazur", sample: int = 0, notation: str = "mazur"):
    """Display each activation with its slope and every neuron where the sample puts it now (a figure)."""
    from .widgets.see_it import ActivationPanel

    example = _example(source)
    panel = ActivationPanel()
    panel.show(evaluate_step(example, sample), example.network, Namer(example.network, notation))
    return panel.box
