"""The tutorial's three figures, drawn from the worked example: ``python -m backprop_tutor figures DIR``.

They replace the seed's hand-drawn pictures (img/NN_structure.PNG, img/backwardpass.PNG,
img/hidden_layer_bp.PNG) with diagrams whose every name and number comes from the package.
Figures are built with ``matplotlib.figure.Figure`` and the Agg canvas, never with pyplot.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..core.example_files import PRESETS, load_example
from ..core.quantities import Delta, Weight, as_quantity, gradient
from ..core.spec import Example, SpecError
from ..teaching.formatting import tex_number
from ..teaching.notation import NOTATIONS, Namer
from ..teaching.touches import known_values
from ..teaching.walkthrough import walkthrough
from .diagram import NetworkDiagram
from .palette import INK

__all__ = [
    "FILES",
    "backward_hidden_figure",
    "backward_output_figure",
    "figure_pdf",
    "figure_png",
    "main",
    "network_figure",
]

FILES = ("NN_structure.png", "backwardpass.png", "hidden_layer_bp.png")
DPI = 150


def _canvas(example: Example, captions: int = 0):
    """A white Agg figure sized for the network, and the axes the diagram fills."""
    sizes = example.network.layers
    width = 3.2 + 2.6 * len(sizes)
    height = max(5.2, 3.2 + 0.8 * max(sizes)) + 0.55 * captions
    fig = Figure(figsize=(width, height), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    top = 0.8 / height                    # room for the title, in figure fractions
    bottom = (0.25 + 0.55 * captions) / height
    ax = fig.add_axes((0.02, bottom, 0.96, 1 - top - bottom))
    return fig, ax


def network_figure(example: Example, notation: str = "mazur") -> Figure:
    """The network with every name, the inputs, the targets and the initial weights."""
    fig, ax = _canvas(example)
    walk = walkthrough(example, notation)
    diagram = NetworkDiagram(ax, example.network, Namer(example.network, notation))
    values = known_values(walk, 0)
    diagram.update(weights=example.weights, biases=example.biases, values=values)
    sizes = "-".join(str(n) for n in example.network.layers)
    fig.suptitle(f"The {sizes} network: names, inputs, targets and initial weights",
                 fontsize=17, color=INK, y=1 - 0.3 / fig.get_figheight(), va="top")
    return fig


def _gradient_figure(example: Example, notation: str, param: Weight, title: str) -> Figure:
    walk = walkthrough(example, notation)
    step = walk.step_for(gradient(param))
    fig, ax = _canvas(example, captions=2)
    diagram = NetworkDiagram(ax, example.network, Namer(example.network, notation))
    diagram.update(weights=example.weights, biases=example.biases)
    # The page this figure opens has not defined the delta of this layer yet: leave it off the labels.
    values = {key: value for key, value in known_values(walk, step.index).items()
              if not (isinstance(as_quantity(key), Delta) and as_quantity(key).layer == param.layer)}
    diagram.highlight_step(step, values)
    form = step.formula
    if form.tex.count(" + ") and step.alternatives:   # a sum of chains: show the delta rule instead
        form = next((a for a in step.alternatives if a.label == "delta rule"), form)
    name, rhs = form.tex.split(" = ", 1)
    numbers = form.tex_numbers.split(" = ", 1)[1]
    lines = [f"${name} = {rhs}$", f"$= {numbers} = {tex_number(step.value)}$"]
    height = fig.get_figheight()
    fig.suptitle(title, fontsize=17, color=INK, y=1 - 0.3 / height, va="top")
    for i, line in enumerate(lines):
        fig.text(0.5, (0.2 + 0.55 * (1.5 - i)) / height, line.replace(r"\left", "").replace(r"\right", ""),
                 ha="center", va="center", fontsize=17 if i == 0 else 14, color=INK)
    return fig


def backward_output_figure(example: Example, notation: str = "mazur") -> Figure:
    """The output-layer backward pass for the first weight into the first output (Mazur's w5)."""
    namer = Namer(example.network, notation)
    L = example.network.depth
    param = Weight(L, 0, 0)
    return _gradient_figure(example, notation, param,
                            f"Backward pass, output layer: how the error changes with ${namer.tex(param)}$")


def backward_hidden_figure(example: Example, notation: str = "mazur") -> Figure:
    """The hidden-layer backward pass for the first weight of the first layer (Mazur's w1)."""
    if example.network.depth < 2:
        raise SpecError("layers", "a hidden-layer backward pass needs at least one hidden layer")
    namer = Namer(example.network, notation)
    param = Weight(1, 0, 0)
    return _gradient_figure(example, notation, param,
                            f"Backward pass, hidden layer: how the error changes with ${namer.tex(param)}$")


def figure_png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes on a white background."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def figure_pdf(fig: Figure) -> bytes:
    """The figure as PDF bytes (vector, for a LaTeX handout), without a creation date so the bytes repeat."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf", facecolor="white", metadata={"CreationDate": None})
    return buffer.getvalue()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m backprop_tutor figures",
                                     description="Draw the tutorial's three figures as PNG files.")
    parser.add_argument("directory", help="where to write " + ", ".join(FILES))
    parser.add_argument("--example", default="mazur", metavar="FILE_OR_PRESET",
                        help=f"a worked-example JSON file or a preset ({', '.join(PRESETS)}); default: mazur")
    parser.add_argument("--notation", choices=NOTATIONS, default="mazur", help="names to use (default: mazur)")
    return parser


def main(argv: list | None = None) -> int:
    """Write the three figures into a directory; prints one line per file; returns the exit status."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        example = load_example(args.example)
        builders = (network_figure, backward_output_figure, backward_hidden_figure)
        figures = [build(example, args.notation) for build in builders[: 3 if example.network.depth > 1 else 2]]
        directory = Path(args.directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name, fig in zip(FILES, figures):
            path = directory / name
            path.write_bytes(figure_png(fig))
            print(f"wrote {path}")
    except SpecError as exc:
        print(f"python -m backprop_tutor figures: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"python -m backprop_tutor figures: error: {exc}", file=sys.stderr)
        return 1
    return 0
