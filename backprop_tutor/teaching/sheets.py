"""Exercise sheets and their answer keys, as Markdown, LaTeX or JSON, drawn from one number.

``exercise_sheet(7, count=10)`` deals ten exercises on fresh practice networks: the kinds take
turns (compute, sign, chain, learning_rate), a compute exercise asks about a different part of
the epoch each time (forward pass, error, output layer, hidden layer, update) and a sign or chain
exercise alternates between output and hidden weights. No question appears twice on a sheet.
The same number gives the same sheet, byte for byte; every question, answer and worked solution
comes from :mod:`.exercises` (the walkthrough and the engine), never typed.

With ``answers=True`` the answer key follows the sheet (in LaTeX on a new page): each answer
with its formula, the formula with numbers, and the value. The JSON always has the same keys:
``{"seed": 7, "exercises": [{"id", "kind", "question", "example", "asks", "answer",
"tolerance", "solution": {"formula", "substituted", "value"}}]}``; without answers, ``answer``,
``tolerance`` and ``solution`` are null.
"""

from __future__ import annotations

import json
import random
import re
from itertools import cycle

from ..core.checks import SpecError, whole_number
from .exercises import COMPUTE_TOPICS, KINDS, LAYER_TOPICS, Exercise, make_exercise
from .formatting import fmt, latex_escape
from .grading import RIGHT

__all__ = ["MAX_COUNT", "SHEET_FORMATS", "answer_line", "answer_text", "exercise_sheet", "sheet_exercises",
           "upright_names"]

SHEET_FORMATS = ("markdown", "latex", "json")
MAX_COUNT = 100
_TRIES = 50   # seeds tried for a question not yet on the sheet before a kind gives up its turn

# A word of two or more letters in LaTeX that is not a command (\frac) nor an environment's name.
# A word already inside \mathrm{...} (Namer writes names upright) is left as it is.
_WORD = re.compile(r"(?<!\\begin\{)(?<!\\end\{)(?<!\\mathrm\{)(?<![\\A-Za-z])([A-Za-z]{2,})")


_TEXT = re.compile(r"(\\text\{[^{}]*\})")


def upright_names(tex: str) -> str:
    r"""Multi-letter names set upright, as a textbook sets them: net_{h1} becomes \mathrm{net}_{h1}.

    Words inside \text{...} are prose already (a \mathrm there would not compile): left alone.
    """
    return "".join(part if part.startswith(r"\text{") else _WORD.sub(r"\\mathrm{\1}", part)
                   for part in _TEXT.split(tex))


def _kinds(kinds) -> tuple:
    kinds = KINDS if kinds is None else ((kinds,) if isinstance(kinds, str) else tuple(kinds))
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise SpecError("kinds", f"expected one or more of {', '.join(KINDS)}; got {bad[0] if bad else kinds!r}")
    return tuple(dict.fromkeys(kinds))


def sheet_exercises(seed: int, count: int = 10, kinds=None) -> list:
    """The exercises of sheet ``seed``: ``count`` of them, the ``kinds`` taking turns, no question twice."""
    seed = whole_number(seed, "seed")
    count = whole_number(count, "count", minimum=1)
    if count > MAX_COUNT:
        raise SpecError("count", f"expected at most {MAX_COUNT} exercises, got {count}")
    kinds = _kinds(kinds)
    rng = random.Random(f"sheet-{seed}")
    topics = {"compute": cycle(rng.sample(COMPUTE_TOPICS, len(COMPUTE_TOPICS))),
              "sign": cycle(rng.sample(LAYER_TOPICS, len(LAYER_TOPICS))),
              "chain": cycle(rng.sample(LAYER_TOPICS, len(LAYER_TOPICS)))}
    exercises, questions = [], set()
    turns = cycle(kinds)
    exhausted = set()
    while len(exercises) < count:
        kind = next(turns)
        if kind in exhausted:
            if exhausted >= set(kinds):
                raise SpecError("count", f"sheet {seed} has only {len(exercises)} different exercises of these kinds")
            continue
        topic = next(topics[kind]) if kind in topics else None
        for _ in range(_TRIES):
            exercise = make_exercise(kind, rng.randrange(1, 10**6), topic=topic)
            if exercise.question not in questions:
                questions.add(exercise.question)
                exercises.append(exercise)
                break
        else:
            exhausted.add(kind)   # every setting of this kind is on the sheet already
    return exercises


# --- what every format says -----------------------------------------------------------------

_TITLE = "Backpropagation exercises"
_INSTRUCTIONS = (f"Work each exercise by hand or with a calculator. A number counts as right within "
                 f"{RIGHT:.0%}: keep at least four significant digits in the values along the way.")


def answer_text(exercise: Exercise) -> str:
    """The answer in one line: a value with its name, a choice, or the product of factors."""
    if exercise.kind == "compute":
        return f"{exercise.asks} = {exercise.solution.value} (right within ±{fmt(exercise.tolerance, 3)})"
    if exercise.kind == "chain":
        return " · ".join(exercise.answer)
    return str(exercise.answer)


def answer_line(exercise: Exercise) -> str:
    """What the learner writes the answer after: the name asked for, or the choices."""
    if exercise.kind == "compute":
        return f"{exercise.asks} ="
    if exercise.kind == "chain":
        return f"{exercise.asks} ="
    return "Answer (" + " / ".join(exercise.choices) + "):"


# --- Markdown -------------------------------------------------------------------------------

def _markdown(seed: int, exercises: list, answers: bool) -> str:
    out = [f"# {_TITLE}: sheet {seed}", "", _INSTRUCTIONS, ""]
    for number, exercise in enumerate(exercises, 1):
        out += [f"## Exercise {number}", "", exercise.question, "", f"**{answer_line(exercise)}** ______", ""]
    if answers:
        out += ["---", "", f"# Answer key: sheet {seed}", ""]
        for number, exercise in enumerate(exercises, 1):
            solution = exercise.solution
            out += [f"## Exercise {number}", "", f"**Answer:** {answer_text(exercise)}", "",
                    f"- Formula: `{solution.formula}`", f"- With numbers: `{solution.substituted}`",
                    f"- Value: `{solution.value}`", ""]
            if solution.tex:
                out += ["$$", upright_names(solution.tex), "$$", ""]
    return "\n".join(out)


# --- LaTeX ----------------------------------------------------------------------------------

_PREAMBLE = [r"\documentclass[11pt]{article}", r"\usepackage{amsmath}", r"\usepackage[margin=2cm]{geometry}",
             r"\setlength{\parindent}{0pt}", r"\setlength{\parskip}{0.6\baselineskip}", r"\begin{document}"]


def _latex(seed: int, exercises: list, answers: bool) -> str:
    e = latex_escape
    out = list(_PREAMBLE)
    out += [rf"\section*{{{e(_TITLE)}: sheet {seed}}}", e(_INSTRUCTIONS)]
    for number, exercise in enumerate(exercises, 1):
        out += [rf"\subsection*{{Exercise {number}}}", e(exercise.question), "",
                rf"\textbf{{{e(answer_line(exercise))}}} \rule{{6cm}}{{0.4pt}}"]
    if answers:
        out += [r"\newpage", rf"\section*{{Answer key: sheet {seed}}}"]
        for number, exercise in enumerate(exercises, 1):
            solution = exercise.solution
            out += [rf"\subsection*{{Exercise {number}}}", rf"\textbf{{Answer:}} {e(answer_text(exercise))}", ""]
            if solution.tex:
                if exercise.kind == "sign":   # the reason in words; the numbers follow as maths
                    out += [e(solution.substituted.partition(": ")[0]) + ".", ""]
                out += [r"\[", upright_names(solution.tex), r"\]"]
            else:
                # Plain lines, not itemize: its bullet would need a bitmap font that Debian's TeX Live
                # base has only as METAFONT source.
                out += [rf"Formula: {e(solution.formula)}\\", rf"With numbers: {e(solution.substituted)}\\",
                        rf"Value: {e(solution.value)}"]
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


# --- JSON -----------------------------------------------------------------------------------

def _json(seed: int, exercises: list, answers: bool) -> str:
    data = {"seed": seed, "exercises": [exercise.as_dict(answers) for exercise in exercises]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


_WRITERS = {"markdown": _markdown, "latex": _latex, "json": _json}


def exercise_sheet(seed: int, count: int = 10, fmt_name: str = "markdown", answers: bool = False,
                   kinds=None) -> str:
    """Sheet ``seed`` as Markdown, LaTeX (a complete pdfLaTeX document) or JSON; ``answers`` adds the key."""
    if fmt_name not in _WRITERS:
        raise SpecError("format", f"expected one of {', '.join(SHEET_FORMATS)}; got {fmt_name!r}")
    seed = whole_number(seed, "seed")
    return _WRITERS[fmt_name](seed, sheet_exercises(seed, count, kinds), answers)
