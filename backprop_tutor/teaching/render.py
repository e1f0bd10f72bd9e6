"""Render a walkthrough and a training run as text, Markdown, LaTeX or the result JSON."""

from __future__ import annotations

import json
import math

from ..core.engine import Training, evaluate_step
from ..core.quantities import Delta, Net, Out, TotalError, Updated, gradient
from ..core.spec import Example
from .formatting import aligned_tex, alternative_tex, fmt, latex_escape, rhs
from .notation import Namer
from .walkthrough import PHASE_TITLES, Walkthrough

__all__ = ["FORMATS", "first_step_result", "render", "result_json"]

FORMATS = ("text", "markdown", "latex", "json")



def training_lines(training: Training, walk: Walkthrough) -> list:
    """One sentence per fact about the training run, shared by every format."""
    n = training.example.n_samples
    loss_name = Namer(walk.example.network, walk.notation).dataset_loss_words(n)
    if training.state == "diverged":
        lines = [f"Training at learning rate {fmt(training.learning_rate)} diverged at epoch {training.diverged_at} "
                 f"of {training.epochs} (the loss or a weight became inf or nan); the values below are the last "
                 f"finite ones, after epoch {max(training.diverged_at - 1, 0)}:"]
    elif training.state == "stopped":
        lines = [f"Training at learning rate {fmt(training.learning_rate)} was stopped after epoch "
                 f"{training.stopped_at} of {training.epochs}; the values below are from there:"]
    elif training.state == "saturated":
        lines = [f"Training at learning rate {fmt(training.learning_rate)} stalled: after {training.epochs} epochs "
                 f"every gradient is practically 0, because the neurons sit where their activation is flat "
                 f"(a sigmoid pinned at 0 or 1, a ReLU below 0), so more epochs change nothing. "
                 f"The step was too large; try a smaller learning rate:"]
    else:
        lines = [f"After {training.epochs} epochs at learning rate {fmt(training.learning_rate)}:"]
    # A run whose very first loss is already inf or nan (weights near 1e308) has an empty history.
    start = training.loss_history[0] if len(training.loss_history) else math.nan
    lines.append(f"{loss_name} = {fmt(training.loss)} (it started at {fmt(start)})")
    for s, (outputs, targets) in enumerate(zip(training.outputs, training.example.targets)):
        pairs = ", ".join(f"{fmt(o)} (target {fmt(t)})" for o, t in zip(outputs, targets))
        prefix = f"sample {s + 1}: " if training.example.n_samples > 1 else ""
        lines.append(f"{prefix}outputs {pairs}")
    return lines


def _on_path(walk: Walkthrough, path: str) -> list:
    """(number shown, step) for each step on the path, numbered from 1 as the step-through does."""
    return [(n, walk[i]) for n, i in enumerate(walk.path(path), start=1)]


def _path_note(walk: Walkthrough, path: str) -> list:
    if path == "full":
        return []
    return [f"The lecture path: {len(walk.path(path))} of the {len(walk)} steps, one of each kind."]


def _text(walk: Walkthrough, training: Training | None, path: str) -> str:
    ex = walk.example
    out = [f"Backpropagation, step by step: {ex.name} ({walk.notation} notation)"]
    if ex.description:
        out.append(ex.description)
    out += _path_note(walk, path)
    phase = None
    for number, step in _on_path(walk, path):
        if step.phase != phase:
            phase = step.phase
            out += ["", PHASE_TITLES[phase], "=" * len(PHASE_TITLES[phase])]
        out += ["", f"[{number}] {step.title}", f"    {step.explanation}"]
        if step.value is None:
            out.append(f"    {step.formula.text} = {step.formula.text_numbers}")
            continue
        indent = " " * (4 + len(step.name_text))
        out.append(f"    {step.formula.text}")
        if rhs(step.formula.text_numbers) != fmt(step.value):
            out.append(f"{indent} = {rhs(step.formula.text_numbers)}")
        out.append(f"{indent} = {step.value_text}")
        for alt in step.alternatives:
            out.append(f"    {alt.label}: {alt.text} = {rhs(alt.text_numbers)} = {step.value_text}")
    if training is not None:
        out += ["", "Training", "========", ""] + training_lines(training, walk)
    return "\n".join(out) + "\n"


def _markdown(walk: Walkthrough, training: Training | None, path: str) -> str:
    ex = walk.example
    out = [f"# Backpropagation, step by step: {ex.name}", ""]
    if ex.description:
        out += [ex.description, ""]
    out += [line for note in _path_note(walk, path) for line in (note, "")]
    phase = None
    for number, step in _on_path(walk, path):
        if step.phase != phase:
            phase = step.phase
            out += [f"## {PHASE_TITLES[phase]}", ""]
        out += [f"### {number}. {step.title}", "", step.explanation, "",
                "$$", aligned_tex(step.formula, step.value_tex), "$$", ""]
        for alt in step.alternatives:
            out += [f"*{alt.label}:*", "", "$$", alternative_tex(alt, step.value_tex), "$$", ""]
    if training is not None:
        out += ["## Training", ""] + [f"- {line}" for line in training_lines(training, walk)] + [""]
    return "\n".join(out)


def _latex(walk: Walkthrough, training: Training | None, path: str) -> str:
    ex = walk.example
    out = [r"\documentclass{article}", r"\usepackage{amsmath}", r"\usepackage[margin=2cm]{geometry}",
           rf"\title{{Backpropagation, step by step: {latex_escape(ex.name)}}}", r"\date{}",
           r"\begin{document}", r"\maketitle"]
    if ex.description:
        out.append(latex_escape(ex.description))
    out += [latex_escape(note) for note in _path_note(walk, path)]
    phase = None
    for number, step in _on_path(walk, path):
        if step.phase != phase:
            phase = step.phase
            out.append(rf"\section*{{{latex_escape(PHASE_TITLES[phase])}}}")
        out += [rf"\subsection*{{{number}. {latex_escape(step.title)}}}", latex_escape(step.explanation),
                r"\[", aligned_tex(step.formula, step.value_tex), r"\]"]
        for alt in step.alternatives:
            out += [rf"\emph{{{latex_escape(alt.label)}:}}", r"\[", alternative_tex(alt, step.value_tex), r"\]"]
    if training is not None:
        out.append(r"\section*{Training}")
        out.append(r"\begin{itemize}")
        out += [rf"\item {latex_escape(line)}" for line in training_lines(training, walk)]
        out.append(r"\end{itemize}")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def _finite(value):
    """JSON has no inf or nan: write null for them."""
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def first_step_result(example: Example) -> dict:
    """The ``first_step`` part of the result JSON: the first sample with the initial parameters."""
    step = evaluate_step(example, 0)
    net = example.network
    layout = net.parameters
    layers = range(1, net.depth + 1)
    grad_weights, grad_biases = layout.unflatten(step[gradient(p)] for p in layout.keys)
    weights, biases = layout.unflatten(step[Updated(p)] for p in layout.keys)
    return {
        "net": [[step[Net(l, j)] for j in range(net.layers[l])] for l in layers],
        "out": [[step[Out(l, j)] for j in range(net.layers[l])] for l in layers],
        "loss": step[TotalError()],
        "delta": [[step[Delta(l, j)] for j in range(net.layers[l])] for l in layers],
        "grad_weights": grad_weights,
        "grad_biases": grad_biases,
        "weights": weights,
        "biases": biases,
    }


def result_json(training: Training) -> dict:
    """The result JSON: first_step, loss_history, final and diverged_at."""
    ex = training.example
    return _finite({
        "example": ex.name,
        "learning_rate": training.learning_rate,
        "epochs": training.epochs,
        "first_step": first_step_result(ex),
        "loss_history": [float(v) for v in training.loss_history],
        "final": {
            "weights": training.weights,
            "biases": training.biases,
            "outputs": training.outputs,
            "loss": training.loss,
        },
        "diverged_at": training.diverged_at,
    })


def render(walk: Walkthrough, training: Training | None = None, fmt_name: str = "text", path: str = "full") -> str:
    """The walkthrough's steps on ``path`` ("full" or "lecture"), and the training run if given, in one of FORMATS."""
    if fmt_name == "json":
        if training is None:
            raise ValueError("format: json needs a training run")
        return json.dumps(result_json(training), indent=2) + "\n"
    renderers = {"text": _text, "markdown": _markdown, "latex": _latex}
    if fmt_name not in renderers:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}; got {fmt_name!r}")
    walk.path(path)   # an unknown path fails here, before any output
    return renderers[fmt_name](walk, training, path)

