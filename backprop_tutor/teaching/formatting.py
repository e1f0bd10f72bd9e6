"""Print SymPy expressions and numbers as a textbook does: with names, or with today's numbers.

Both printers keep the order the expression was built in (``order='none'``), so a display
formula built as w1·i1 + w2·i2 + b1·1 is printed in that order, and its numeric twin lines
up with it term by term. A :class:`Form` is one equation written both ways; the LaTeX
helpers lay it out as one block aligned on "=".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

__all__ = ["Form", "Printers", "aligned_tex", "alternative_tex", "fmt", "rhs", "latex_escape", "product", "tex_number",
           "total"]

SIGNIFICANT = 9  # Mazur prints 0.298371109: nine significant digits


def fmt(value: float, digits: int = SIGNIFICANT) -> str:
    """A number as plain text with ``digits`` significant digits (0.593269992)."""
    if value is None:
        return "-"
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return str(value)
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{value:.{digits}g}"
    return "0" if text == "-0" else text


def tex_number(value: float, digits: int = SIGNIFICANT) -> str:
    """A number as LaTeX: 1.5e-05 becomes 1.5 \\times 10^{-5}."""
    text = fmt(value, digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    if text in ("inf", "-inf", "nan"):
        return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}[text]
    return text


class _NamedStr(StrPrinter):
    def __init__(self, names: dict):
        super().__init__({"order": "none"})
        self._names = names

    def _print_Symbol(self, expr):
        return self._names.get(expr, expr.name)

    def _print_sigmoid(self, expr):
        x = expr.args[0]
        inner = self._print(x) if x.is_Atom else f"({self._print(x)})"
        return f"1/(1 + exp(-{inner}))"

    def _exp(self, x) -> str:
        inner = self._print(x)   # a negative number prints in brackets already: exp((-0.1)) would be one too many
        return f"exp{inner}" if _one_bracket(inner) else f"exp({inner})"

    def _print_clog(self, expr):
        return f"ln({self._print(expr.args[0])})"

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name == "softmax":   # written out, as the LaTeX is: e^(net_i) over the sum of e^(net_k)
            i, xs = int(expr.args[0]), expr.args[1:]
            return f"{self._exp(xs[i])}/({' + '.join(self._exp(x) for x in xs)})"
        return super()._print_Function(expr)


def _one_bracket(text: str) -> bool:
    """Whether ``text`` is one bracketed group: "(-0.5)", not "(-0.5)*(-0.5)", which starts and ends with one."""
    if not text.startswith("("):
        return False
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:   # the first bracket closes here: at the very end, or the text goes on
            return i == len(text) - 1
    return False


def _bracket(text: str, left: str, right: str) -> str:
    return f"{left}{text}{right}" if text.startswith("-") else text


class Printers:
    """LaTeX and text printers for one mapping of symbols to names and one to values."""

    def __init__(self, tex_names: dict, text_names: dict, values: dict):
        self.tex_names = tex_names
        self.text_names = text_names
        # A negative number inside a product or after a minus sign needs brackets.
        self.tex_values = {s: _bracket(tex_number(v), r"\left(", r"\right)") for s, v in values.items()}
        self.text_values = {s: _bracket(fmt(v), "(", ")") for s, v in values.items()}

    def tex(self, expr) -> str:
        """The expression in LaTeX with names."""
        return LatexPrinter({"order": "none", "mul_symbol": "dot", "symbol_names": self.tex_names}).doprint(expr)

    def tex_numbers(self, expr) -> str:
        """The expression in LaTeX with every symbol replaced by its value."""
        return LatexPrinter({"order": "none", "mul_symbol": "dot", "symbol_names": self.tex_values}).doprint(expr)

    def text(self, expr) -> str:
        """The expression in plain text with names."""
        return _NamedStr(self.text_names).doprint(expr)

    def text_numbers(self, expr) -> str:
        """The expression in plain text with every symbol replaced by its value."""
        return _NamedStr(self.text_values).doprint(expr)


def product(*factors) -> sp.Expr:
    """An unevaluated product, printed in the given order."""
    factors = [f for f in factors]
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def total(*terms) -> sp.Expr:
    """An unevaluated sum, printed in the given order."""
    terms = [t for t in terms]
    return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)


@dataclass(frozen=True)
class Form:
    """One way of writing a step's equation, with names and with numbers, in LaTeX and text."""

    label: str
    tex: str
    tex_numbers: str
    text: str
    text_numbers: str


def rhs(equation: str) -> str:
    """The right-hand side of an equation written "name = ...": what a table or a hint quotes."""
    return equation.partition(" = ")[2]


def aligned_tex(form: Form, value_tex: str) -> str:
    """An equation as a LaTeX aligned block: formula, numbers, value (``value_tex`` "" when none)."""
    if not value_tex:
        return rf"{form.tex} = {form.tex_numbers}"
    name, _, formula = form.tex.partition(" = ")
    numbers = rhs(form.tex_numbers)
    rows = [rf"{name} &= {formula}"]
    if numbers != value_tex:
        rows.append(rf"&= {numbers}")
    rows.append(rf"&= {value_tex}")
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"


def alternative_tex(alt: Form, value_tex: str = "") -> str:
    """Another form of a step's equation as a LaTeX aligned block: with names, with numbers, then the value."""
    return aligned_tex(alt, value_tex) if value_tex else aligned_tex(alt, rhs(alt.tex_numbers))


# Every TeX special character, and the non-ASCII characters the package's sentences use, as
# plain pdfLaTeX (no inputenc or fontenc needed): one pass, so an escape is never escaped again.
_LATEX_TEXT = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#",
    "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}",
    "η": r"$\eta$", "δ": r"$\delta$", "σ": r"$\sigma$", "Σ": r"$\Sigma$", "∂": r"$\partial$",
    "½": r"$\frac{1}{2}$", "²": r"$^{2}$", "⁺": r"$^{+}$", "−": r"$-$", "·": r"$\cdot$", "×": r"$\times$",
    "±": r"$\pm$", "≈": r"$\approx$", "→": r"$\rightarrow$", "≤": r"$\leq$", "≥": r"$\geq$", "∞": r"$\infty$",
    "…": r"\ldots{}", "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "\u00a0": "~",
}


def _escape_char(char: str) -> str:
    if char in _LATEX_TEXT:
        return _LATEX_TEXT[char]
    if not char.isascii():
        return "?"
    # A control character: a carriage return would end TeX's line early, ^^? is invalid input.
    return char if char.isprintable() or char in "\n\t" else " "


def latex_escape(text: str) -> str:
    """Plain text as pdfLaTeX text: TeX's special characters escaped, the package's symbols (η, Σ, ½, −) as TeX.

    Every ``^`` and ``\\`` is escaped on its own, so TeX never sees a ``^^5c`` code or a command.
    Any other non-ASCII character is written as a question mark and an ASCII control character as
    a space, so the document always compiles.
    """
    return "".join(_escape_char(char) for char in str(text))
