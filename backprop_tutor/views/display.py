"""One-call displays for notebook cells: walkthrough steps and training summaries as rich Markdown.

The narrative of a notebook types no numbers; these calls show them, computed by the package.
"""

from __future__ import annotations

from collections.abc import Sequence

from IPython.display import Markdown

from ..core.engine import Training, train
from ..core.example_files import load_example
from ..core.spec import Example
from ..teaching.formatting import aligned_tex, alternative_tex
from ..teaching.render import training_lines
from ..teaching.walkthrough import Walkthrough, walkthrough

__all__ = ["show_steps", "show_training", "steps_markdown"]

# A preset name or file path, an example, or a walkthrough already built.
Source = str | Example | Walkthrough
# Quantities by printed name ("dE/dw5") or key; one name alone is allowed.
Keys = str | Sequence[str | tuple] | None


def _walk(source: Source, notation: str) -> Walkthrough:
    if isinstance(source, Walkthrough):
        return source
    example = load_example(source) if isinstance(source, str) else source
    return walkthrough(example, notation)


def steps_markdown(source: Source = "mazur", phase: str | None = None, keys: Keys = None, notation: str = "mazur",
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
            out.append(f"*{alt.label}:*\n\n$$" + alternative_tex(alt) + "$$")
    return "\n\n".join(out)


def show_steps(source: Source = "mazur", phase: str | None = None, keys: Keys = None, notation: str = "mazur",
               titles: bool = True, alternatives: bool = True) -> Markdown:
    """Display the steps of a phase (forward, error, output, hidden, update) or of chosen quantities."""
    return Markdown(steps_markdown(source, phase, keys, notation, titles, alternatives))


def show_training(source: str | Example = "mazur", epochs: int | None = None, learning_rate: float | None = None,
                  notation: str = "mazur") -> Markdown:
    """Train and display the summary: final error, outputs against targets, divergence if any."""
    example: Example = load_example(source) if isinstance(source, str) else source
    result: Training = train(example, epochs=epochs, learning_rate=learning_rate)
    lines = training_lines(result, walkthrough(example, notation))
    return Markdown("\n".join(f"- {line}" for line in lines))
