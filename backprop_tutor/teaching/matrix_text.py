"""The matrix form as LaTeX and Markdown: each equation three ways, as symbols with their shapes,
as the entries' names, and as the entries' numbers, with the question it answers.

Layers are numbered from 1 at the inputs, as the layered names number them (W^(3) feeds the
outputs of a 2-2-2 network); entries carry their names in the walkthrough's notation.
"""

from __future__ import annotations

from .formatting import fmt, tex_number
from .matrix_form import Equation, Matrix, MatrixForm
from .notation import Namer

__all__ = ["DIGITS", "equation_tex", "matrix_markdown", "matrix_tex", "question"]

# Significant digits of a number inside a matrix: fewer than a step's nine, so a 3 × 3 fits a column.
DIGITS = 6


def matrix_tex(matrix: Matrix, namer: Namer | None = None, highlight: tuple | None = None) -> str:
    """A bmatrix of the entries' names (with a namer) or numbers (without); ``highlight`` (row, column) is boxed."""
    rows = []
    for i, keys in enumerate(matrix.keys):
        cells = []
        for j, key in enumerate(keys):
            if namer is None:
                cell = tex_number(matrix.values[i, j], DIGITS)
            else:
                cell = "1" if key is None else namer.tex(key)
            cells.append(rf"\boxed{{{cell}}}" if highlight == (i, j) else cell)
        rows.append(" & ".join(cells))
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def _shaped(matrix: Matrix) -> str:
    rows, columns = matrix.shape
    return rf"\underset{{{rows} \times {columns}}}{{{matrix.symbol}}}"


def _side(terms, render) -> str:
    out = []
    for operator, matrix in terms:
        out.append(f" {operator} " if operator in ("+", r"\odot") else " ")
        out.append(render(matrix))
    return "".join(out).strip()


def equation_tex(equation: Equation, namer: Namer, highlight: tuple | None = None, term_highlights: tuple = ()) -> str:
    """One equation as an aligned block: symbols with shapes, then names, then numbers.

    ``highlight`` boxes one entry of the left-hand side; ``term_highlights`` one entry (or None) per term.
    """
    marks = dict(enumerate(term_highlights))

    def side(with_names):
        terms = [(op, (m, marks.get(i))) for i, (op, m) in enumerate(equation.terms)]
        return _side(terms, lambda pair: matrix_tex(pair[0], namer if with_names else None, pair[1]))

    rows = [
        (_shaped(equation.lhs), _side(equation.terms, _shaped)),
        (matrix_tex(equation.lhs, namer, highlight), side(True)),
        (matrix_tex(equation.lhs, None, highlight), side(False)),
    ]
    return r"\begin{aligned}" + r" \\[1ex] ".join(f"{lhs} &= {rhs}" for lhs, rhs in rows) + r"\end{aligned}"


def _layer_name(form: MatrixForm, l: int) -> str:
    kind = "output layer" if l == form.walk.example.network.depth else "hidden layer"
    return f"layer {l + 1} (the {kind})"


def question(form: MatrixForm, equation: Equation) -> str:
    """The question an equation answers, and how the matrices answer it, in a sentence or two."""
    n, where = equation.layer + 1, _layer_name(form, equation.layer)
    layout = form.walk.example.network.parameters
    symbol = equation.lhs.symbol
    if equation.part == "forward":
        return (f"What are the net inputs of {where}? All at once: row j of $W^{{({n})}}$ holds the weights into "
                f"neuron j, so $W^{{({n})}} a^{{({n - 1})}}$ is every weighted sum"
                + ("." if not layout.has_bias else ", and the layer's one bias is added to each." if layout.shared
                   else ", and each neuron's own bias is added."))
    if symbol.startswith(r"\frac{\partial E}{\partial a"):
        return (f"How does the error change with each output of {where}? Each output feeds every neuron of "
                f"layer {n + 1}, so it sums their deltas times the connecting weights: a product with the "
                f"transposed weights $(W^{{({n + 1})}})^T$.")
    if symbol.startswith(r"\delta"):
        if form.layer(n).coupled:
            return (f"What are the deltas of {where}? Softmax couples its outputs: each net input moves every "
                    f"output, so the slope is not one number per neuron but the Jacobian $J^{{({n})}}$, "
                    rf"$J_{{ij}} = \partial a_i / \partial z_j$, and $\delta^{{({n})}} = (J^{{({n})}})^T "
                    rf"\frac{{\partial E}}{{\partial a^{{({n})}}}}$ is a matrix product, not an entrywise one.")
        hidden = " Put together: $\\delta^{(%d)} = (W^{(%d)})^T \\delta^{(%d)} \\odot f'(z^{(%d)})$." % (
            n, n + 1, n + 1, n) if equation.layer < form.walk.example.network.depth else ""
        return (f"What are the deltas of {where}? Each neuron's ∂E/∂a times its own slope, entry by entry "
                rf"($\odot$ multiplies matching entries).{hidden}")
    if "W" in symbol:
        return (f"What is the gradient of every weight into {where}? Entry (j, k) is the delta of neuron j "
                f"times the output k it comes from: a column times a row, $\\delta^{{({n})}} (a^{{({n - 1})}})^T$.")
    if layout.shared:
        return (f"What is the gradient of the bias of {where}? It feeds every neuron of the layer, so its "
                "gradient sums their deltas: a row of ones times the deltas.")
    return f"What are the gradients of the biases of {where}? Each bias feeds one neuron: its delta."


def matrix_markdown(form: MatrixForm, layer: int | None = None, part: str | None = None) -> str:
    """The equations of one layer (numbered as shown: inputs are 1) or all, and one part or all, as Markdown."""
    namer = Namer(form.walk.example.network, form.walk.notation)
    out = []
    for equation in form.equations(layer, part):
        out.append(question(form, equation))
        out.append("$$" + equation_tex(equation, namer) + "$$")
        out.append(f"*Shapes:* {_shapes(equation)}. NumPy's product and the values of the scalar steps differ by at "
                   f"most {fmt(equation.difference, 2)}.")
    return "\n\n".join(out)


def _shapes(equation: Equation) -> str:
    """(2 × 2)(2 × 1) + (2 × 1) gives 2 × 1."""
    text = ""
    for operator, matrix in equation.terms:
        text += (f" {operator.replace(chr(92) + 'odot', '⊙')} " if operator else "") + "({} × {})".format(*matrix.shape)
    return text + " gives {} × {}".format(*equation.lhs.shape)
