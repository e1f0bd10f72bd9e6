"""A printable handout of one worked example: two pages of summary, then the answer key.

Pages 1 and 2, in two columns: the network figure (drawn by the app layer; named here only by its
file name), the notation table (Mazur's names beside the layered ones), the four equations of
backpropagation in the example's own names, the lecture path's worked numbers and a few exercises
on fresh numbers. Page 3: the exercises' answer key. Every name, formula and number comes from
the walkthrough, the :class:`Namer` and the exercise generator, never typed. The document needs
only TeX Live's base set (amsmath, geometry, graphicx, multicol) and no inputenc: it is ASCII.
"""

from __future__ import annotations

import re

import sympy as sp

from ..core.checks import SpecError, whole_number
from ..core.quantities import Delta, ErrorTerm, Net, Out, Partial, Target, TotalError, Updated, Weight, gradient
from ..core.spec import Example, Network
from .formatting import aligned_tex, fmt, latex_escape, rhs
from .notation import Namer
from .sheets import answer_line, answer_text, sheet_exercises, upright_names
from .walkthrough import Step, Walkthrough, walkthrough

__all__ = ["HANDOUT_KINDS", "KEY_MARK", "backprop_equations", "handout_tex", "notation_groups", "step_block"]

# Exercise kinds on the handout, one of each: they fit the summary pages (a learning-rate
# question is about training, which the handout does not cover).
HANDOUT_KINDS = ("compute", "sign", "chain")
# Written to pdflatex's log when the key starts: "answer key on page 3" is the layout working.
KEY_MARK = "backprop_tutor handout: answer key on page"
_FIGURE_NAME = re.compile(r"[A-Za-z0-9-]+\.(pdf|png)")

_PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[a4paper,margin=1.1cm]{geometry}
\usepackage{amsmath}
\usepackage{graphicx}
\usepackage{multicol}
\setlength{\parindent}{0pt}
\setlength{\columnsep}{0.6cm}
\raggedcolumns
\pagestyle{empty}
\newcommand{\heading}[1]{\par\smallskip{\large\bfseries #1}\par\smallskip}
% Page 2 holds one epoch's numbers and the exercises: \small, with the display skips tighter still.
\newcommand{\compact}{\small
  \setlength{\abovedisplayskip}{2pt plus 1pt}\setlength{\belowdisplayskip}{2pt plus 1pt}%
  \setlength{\abovedisplayshortskip}{0pt plus 1pt}\setlength{\belowdisplayshortskip}{2pt plus 1pt}}
% A block wider than its column (a softmax's sum over every output) is shrunk to fit, never cut off.
\newsavebox{\fitbox}
\newcommand{\fit}[1]{\sbox{\fitbox}{$\displaystyle #1$}%
  \ifdim\wd\fitbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\fitbox}}\else\usebox{\fitbox}\fi}
\begin{document}"""


def _aligned(rows: list) -> str:
    """(left, right) rows as one LaTeX aligned block on "=", names upright."""
    body = r" \\ ".join(f"{left} &= {right}" for left, right in rows)
    return upright_names(r"\begin{aligned}" + body + r"\end{aligned}")


def _split(tex: str) -> tuple:
    name, _, formula = tex.partition(" = ")
    return name, formula


# --- the notation table ------------------------------------------------------------------------

def _layer_word(network: Network, l: int) -> str:
    if l == network.depth:
        return "output"
    return "hidden" if network.depth == 2 else f"hidden {l}"


def notation_groups(network: Network) -> list:
    """The notation table's rows: (what, [(Mazur TeX, layered TeX), ...]) for each kind of quantity."""
    mazur, layered = Namer(network, "mazur"), Namer(network, "layered")
    sizes, layout = network.layers, network.parameters
    groups = [("inputs", [Out(0, k) for k in range(sizes[0])])]
    for l in range(1, network.depth + 1):
        where = _layer_word(network, l)
        groups += [(f"weights ({where})", [k for k in layout.layer_keys(l) if isinstance(k, Weight)]),
                   (f"bias ({where})", layout.biases_of(l)),
                   (f"net inputs ({where})", [Net(l, j) for j in range(sizes[l])]),
                   (f"outputs ({where})", [Out(l, j) for j in range(sizes[l])]),
                   (f"deltas ({where})", [Delta(l, j) for j in range(sizes[l])])]
    groups += [("targets", [Target(j) for j in range(sizes[-1])]),
               ("errors", [ErrorTerm(j) for j in range(sizes[-1])] + [TotalError()])]
    return [(what, [(mazur.tex(k), layered.tex(k)) for k in keys]) for what, keys in groups if keys]


def _notation_table(network: Network) -> list:
    both = r"\multicolumn{2}{c}{Mazur = layered}"
    lines = [r"{\small\renewcommand{\arraystretch}{1.2}",
             r"\begin{tabular}{@{}l@{\hspace{6pt}}c@{${}={}$}c@{\hspace{8pt}}c@{${}={}$}c@{}}",
             rf"& {both} & {both} \\ \hline"]
    for what, pairs in notation_groups(network):
        for row in range(0, len(pairs), 2):
            cells = [f"${upright_names(tex)}$" for pair in pairs[row:row + 2] for tex in pair]
            if len(cells) < 4:   # an odd one out: no "=" in the empty pair
                cells.append(r"\multicolumn{2}{c}{}")
            label = latex_escape(what) if row == 0 else ""
            lines.append(" & ".join([label] + cells) + r" \\")
    lines.append(r"\end{tabular}}")
    return lines


# --- the four equations ---------------------------------------------------------------------------

def _hidden_delta_rows(walk: Walkthrough, namer: Namer, l: int) -> list:
    """δ of the first neuron of layer l, with each ∂E/∂out written out as its sum over the next layer."""
    step = walk.step_for(Delta(l, 0))
    name, formula = _split(step.formula.tex)
    summed = formula
    for j in range(walk.example.network.layers[l]):
        dE_dout = namer.tex(Partial(TotalError(), Out(l, j)))
        if dE_dout in summed:
            total = rhs(walk.step_for(Partial(TotalError(), Out(l, j))).formula.tex)
            summed = summed.replace(dE_dout, rf"\left({total}\right)")
    derived = [("", rhs(alt.tex)) for alt in step.alternatives if alt.label == "derived" and rhs(alt.tex) != summed]
    return [(name, formula), ("", summed)] + derived


def backprop_equations(walk: Walkthrough) -> list:
    """The four equations of backpropagation in the example's names: (what, LaTeX aligned block).

    Output delta, hidden delta (a sum over the next layer), weight gradient (delta times input),
    update; a network without a hidden layer has no hidden delta.
    """
    net = walk.example.network
    namer = Namer(net, walk.notation)
    L = net.depth
    output = walk.step_for(Delta(L, 0))
    rows = [_split(output.formula.tex)]
    rows += [("", rhs(alt.tex)) for alt in output.alternatives if alt.label == "derived"]
    equations = [("Output delta", _aligned(rows))]
    if L > 1:
        equations.append(("Hidden delta: a sum over the next layer", _aligned(_hidden_delta_rows(walk, namer, L - 1))))
    # The lecture's parameters: the first weight of the last two layers, and a bias (a weight whose input is 1).
    params = [Weight(l, 0, 0) for l in range(L, max(L - 2, 0), -1)]
    bias = net.parameters.bias_key(params[-1].layer, 0)
    params += [bias] if bias is not None else []
    gradients = [walk.step_for(gradient(p)) for p in params]
    rule = [next(a for a in g.alternatives if a.label == "delta rule") for g in gradients]
    what = "Gradient: delta times input" + (" (a bias's input is 1)" if bias is not None else "")
    equations.append((what, _aligned([_split(r.tex) for r in rule])))
    update = walk.step_for(Updated(Weight(L, 0, 0)))
    equations.append(("Update: a step against the gradient", _aligned([_split(update.formula.tex)])))
    return equations


# --- the worked numbers --------------------------------------------------------------------------

def _forms(step: Step) -> tuple:
    """The form a step is worked in, and the further forms shown with it (the delta rule)."""
    rule = next((a for a in step.alternatives if a.label == "delta rule"), None)
    if rule is None:
        return step.formula, ()
    if isinstance(step.rhs, sp.Add):   # a sum of chains (a shared bias): the delta rule says it shorter
        return rule, ()
    return step.formula, (rule,)


def step_block(step: Step) -> str:
    """A step as one aligned block: formula, numbers, value; each further form's numbers end in the value too."""
    if step.value is None:   # the opening: (i1, i2) = (0.05, 0.1)
        return upright_names(aligned_tex(step.formula, ""))
    form, more = _forms(step)
    name, formula = _split(form.tex)
    numbers, value = rhs(form.tex_numbers), step.value_tex
    rows = [(name, formula)] + ([("", numbers)] if numbers != value else []) + [("", value)]
    for alt in more:
        rows += [("", rf"{rhs(alt.tex)} \quad\text{{({alt.label})}}"), ("", f"{rhs(alt.tex_numbers)} = {value}")]
    return _aligned(rows)


# --- the document --------------------------------------------------------------------------------

def _header(example: Example) -> list:
    net = example.network
    name = " ".join(example.name.split())   # a blank line in a name would end the heading's paragraph
    facts = (f"{'-'.join(map(str, net.layers))} network, {', '.join(dict.fromkeys(net.activations))} neurons, "
             f"learning rate η = {fmt(example.learning_rate)}")
    lines = [rf"{{\LARGE\bfseries Backpropagation, step by step: {latex_escape(name)}}}\par\smallskip",
             latex_escape(facts) + ("." if not example.description else ". " + latex_escape(example.description)),
             r"\par\medskip"]
    return lines


def _exercises(seed: int) -> tuple:
    """The exercises' questions (summary pages) and their answer key (last page), as LaTeX lines."""
    exercises = sheet_exercises(seed, len(HANDOUT_KINDS), kinds=HANDOUT_KINDS)
    e = latex_escape
    questions = [rf"\heading{{Exercises on fresh numbers (set {seed})}}"]
    key = [rf"\section*{{Answer key: exercises of set {seed}}}"]
    for number, exercise in enumerate(exercises, 1):
        questions += [rf"\textbf{{{number}.}} {e(exercise.question)}\par",
                      rf"\textbf{{{e(answer_line(exercise))}}} \rule{{3cm}}{{0.4pt}}\par\smallskip"]
        key += [rf"\textbf{{{number}.}} {e(answer_text(exercise))}\par"]
        if exercise.kind == "sign":   # the reason in words; the numbers follow as maths
            key.append(e(exercise.solution.substituted.partition(": ")[0]) + r".\par")
        if exercise.solution.tex:
            key += [r"\[", upright_names(exercise.solution.tex), r"\]"]
    return questions, key


def handout_tex(example: Example, figure: str, seed: int = 1, notation: str = "mazur") -> str:
    """The handout as a pdfLaTeX document; ``figure`` is the network figure's file name beside the .tex."""
    if not isinstance(figure, str) or not _FIGURE_NAME.fullmatch(figure):
        raise SpecError("figure", f"expected a file name of letters, digits and hyphens ending in .pdf or .png, "
                                  f"got {figure!r}")
    seed = whole_number(seed, "seed")
    walk = walkthrough(example, notation)
    path = walk.path("lecture")
    questions, key = _exercises(seed)
    # Page 1 is the map (figure, names, equations), page 2 the numbers and the exercises, page 3 the key.
    out = [_PREAMBLE, *_header(example),
           rf"\begin{{center}}\includegraphics[width=\textwidth]{{{figure}}}\end{{center}}",
           r"\begin{multicols}{2}", r"\heading{Mazur's names and the layered ones}",
           r"Layered names count layers from 1 at the inputs: $w^{(l)}_{jk}$ is the weight from neuron $k$ "
           r"of layer $l-1$ to neuron $j$ of layer $l$.\par\smallskip", *_notation_table(example.network),
           r"\columnbreak", r"\heading{The four equations of backpropagation}"]
    for number, (what, tex) in enumerate(backprop_equations(walk), 1):
        out += [rf"\smallskip({number}) {latex_escape(what)}", rf"\[\fit{{{tex}}}\]"]
    out += [r"\end{multicols}", r"\clearpage", r"\compact", r"\begin{multicols}{2}",
            rf"\heading{{One epoch by hand: the lecture's {len(path)} steps}}"]
    for number, index in enumerate(path, 1):
        step = walk[index]
        out += [rf"\textbf{{{number}. {latex_escape(step.title)}.}} {latex_escape(step.explanation)}",
                rf"\[\fit{{{step_block(step)}}}\]"]
    out += [*questions, r"\end{multicols}", r"\clearpage", r"\normalsize", rf"\typeout{{{KEY_MARK} \thepage}}",
            *key,
            r"\end{document}"]
    return "\n".join(out) + "\n"
