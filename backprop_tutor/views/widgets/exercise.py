"""Exercise: one question on a practice network, answered in the notebook.

``ExerciseView("compute", 1, topic="net")`` shows the question, an answer field that fits the
kind (a number field for compute, Increase / Decrease for sign, one tick box per candidate
factor for chain, the four outcomes as buttons for learning_rate), and three buttons: **Check**
grades the answer (right, close or off; after a wrong try, a hint), **Solution** shows the worked
solution (formula, formula with numbers, value), **New numbers** draws the next practice network
and asks the same kind of question on it. Enter in the number field checks too.

The state lives in an :class:`ExerciseSession` (a traitlets model: the exercise, the last
feedback, tries and the score); the view renders it. What a learner types is handed to
:meth:`Exercise.grade`, which reads it as a number or a choice and never evaluates it.

The view is a plain VBox, not a :class:`~.base.View`: an exercise has its own practice network,
not a :class:`Tutorial` to follow, so a cell run again leaves no observer behind. ``close()``
closes the view, its controls and its session's observers.
"""

from __future__ import annotations

import html

import ipywidgets as w
import traitlets as t

from ...teaching.exercises import Exercise, make_exercise
from ...teaching.grading import Feedback
from .access import Announcer
from .base import button, math_block, tooltip_on_label

__all__ = ["ExerciseSession", "ExerciseView"]

_NEW_TRIES = 50   # seeds tried for a question that differs from the current one

_HEADINGS = {"compute": "Compute it by hand", "sign": "Increase or decrease?",
             "chain": "Which factors make the chain?", "learning_rate": "What will this learning rate do?"}
_OUTCOME_TIPS = {"converge slowly": "The loss falls, but by less than a factor of ten",
                 "converge": "The loss falls by a factor of ten or more",
                 "oscillate": "The loss rises again and again on its way down",
                 "diverge": "The loss grows, or becomes infinite"}
_VERDICTS = {"right": ("✔ Right", "#1a7f37"), "close": ("≈ Close", "#9a6700"), "off": ("✘ Not yet", "#b00020"),
             "invalid": ("⚠", "#b00020")}


def _same(answer):
    """An answer in a form that compares equal however it was given (ticked factors in any order)."""
    if isinstance(answer, (list, tuple, set, frozenset)):
        return tuple(sorted(str(a) for a in answer))
    return str(answer if answer is not None else "").strip()


class ExerciseSession(t.HasTraits):
    """The state of one exercise widget: the exercise, the last feedback, tries and the score.

    A malformed answer is not a try; the same answer checked twice counts once. ``solved``
    counts exercises answered right before their solution was shown, ``seen`` those drawn.
    """

    exercise = t.Instance(Exercise)
    feedback = t.Instance(Feedback, allow_none=True)
    solution_shown = t.Bool(False)
    tries = t.Int(0)
    solved = t.Int(0)
    seen = t.Int(1)

    def __init__(self, kind: str = "compute", seed: int = 1, example=None, *, topic=None, quantity=None):
        self.kind, self.seed, self.topic, self.quantity = kind, seed, topic, quantity
        super().__init__(exercise=make_exercise(kind, seed, example, topic=topic, quantity=quantity))
        self._last = None          # the last answer graded on this exercise
        self._right = False        # whether this exercise was answered right

    def check(self, answer) -> Feedback:
        """Grade an answer (typed text, a choice, or the ticked factors) and keep the feedback."""
        same = _same(answer)
        if self.feedback is not None and self.feedback.verdict != "invalid" and same == self._last:
            return self.feedback   # Enter, then Check, on the same answer: one try
        feedback = self.exercise.grade(answer, attempt=self.tries + 1)
        with self.hold_trait_notifications():
            if feedback.verdict != "invalid":
                self._last = same
                self.tries += 1
                if feedback.right and not self._right:
                    self._right = True
                    if not self.solution_shown:
                        self.solved += 1
            self.feedback = feedback
        return feedback

    def show_solution(self) -> None:
        """Show the worked solution (an answer checked right afterwards no longer scores)."""
        self.solution_shown = True

    def new_numbers(self) -> Exercise:
        """The same kind of question on the next practice network (skipping one that asks the very same)."""
        question = self.exercise.question
        seed = self.seed
        for _ in range(_NEW_TRIES):
            seed += 1
            exercise = make_exercise(self.kind, seed, topic=self.topic, quantity=self.quantity)
            if exercise.question != question:
                break
        self.seed = seed
        self._last, self._right = None, False
        with self.hold_trait_notifications():
            self.feedback = None
            self.solution_shown = False
            self.tries = 0
            self.seen += 1
            self.exercise = exercise
        return exercise


def feedback_html(feedback: Feedback | None, tries: int) -> str:
    """The feedback as HTML: the verdict in words and colour, the message, and after a wrong try the hint."""
    if feedback is None:
        return ""
    label, colour = _VERDICTS[feedback.verdict]
    count = f" (try {tries})" if feedback.verdict in ("close", "off") else ""
    hint = (f'<div class="bt-hint"><b>Hint:</b> {html.escape(feedback.hint)}</div>'
            if feedback.hint and feedback.verdict in ("close", "off") else "")
    return (f'<div class="bt-feedback" role="status" style="color:{colour}"><b>{label}</b>{count} '
            f"{html.escape(feedback.message)}</div>{hint}")


def solution_html(exercise: Exercise) -> str:
    """The worked solution as HTML with display maths: formula, the same with numbers, the value."""
    solution = exercise.solution
    parts = ["<p><b>Solution</b></p>"]
    if exercise.kind == "sign":
        parts.append(f"<p>{html.escape(solution.substituted.partition(': ')[0])}.</p>")
    if solution.tex:
        parts.append(math_block(solution.tex))
    else:
        parts += [f'<p class="bt-solution-formula">Formula: {html.escape(solution.formula)}</p>',
                  f'<p class="bt-solution-numbers">With numbers: {html.escape(solution.substituted)}</p>']
    if exercise.kind in ("compute", "chain"):
        value = f"{exercise.asks} = {solution.value}"
    else:
        value = f"Answer: {solution.value}"
    parts.append(f'<p class="bt-solution-value"><b>{html.escape(value)}</b></p>')
    return "\n".join(parts)


class ExerciseView(w.VBox):
    """One exercise on a practice network: the question, an answer field, Check, Solution, New numbers.

    ``kind`` is compute, sign, chain or learning_rate; the second argument picks the practice
    network (the same number, the same numbers), or ``example`` gives one (**New numbers** then
    goes on with practice networks); ``topic`` or ``quantity`` narrow what is asked (see
    :func:`~backprop_tutor.teaching.exercises.make_exercise`).
    """

    def __init__(self, kind: str = "compute", seed: int = 1, example=None, *, topic=None, quantity=None,
                 **kwargs):
        session = ExerciseSession(kind, seed, example, topic=topic, quantity=quantity)  # a bad kind fails here
        super().__init__(**kwargs)
        self.session = session
        self.heading = w.HTML()
        self.question = w.HTMLMath()
        self.answer_box = w.VBox()
        self.answer = None
        self.check_button = button("Check", "Check your answer", "check", "primary")
        self.solution_button = button("Solution", "Show the worked solution: the formula, the numbers, the value",
                                      "eye")
        self.new_button = button("New numbers", "A new practice network with the same kind of question", "refresh")
        self.feedback = w.HTML()
        self.solution = w.HTMLMath(layout=w.Layout(overflow="auto"))  # long equations scroll
        self.score = w.HTML()
        self.check_button.on_click(lambda _: self.check())
        self.solution_button.on_click(lambda _: self.session.show_solution())
        self.new_button.on_click(lambda _: self.session.new_numbers())
        self.session.observe(self._on_session, ["exercise", "feedback", "solution_shown", "tries", "solved"])
        # The Announcer brings the page's accessibility script (named controls, a visible focus ring).
        self.children = [self.heading, self.question, self.answer_box,
                         w.HBox([self.check_button, self.solution_button, self.new_button, self.score]),
                         self.feedback, self.solution, Announcer()]
        self._shown = None
        self._render()

    # -- answer controls, one kind each ----------------------------------------------------
    def _answer_controls(self, exercise: Exercise):
        if exercise.kind == "compute":
            field = w.Text(description="Your answer", placeholder="a number, e.g. 0.25",
                           tooltip=f"Type {exercise.asks} as a number and press Enter or Check "
                                   "(a comma decimal works too)",
                           continuous_update=False, style={"description_width": "initial"})
            field.observe(self._on_typed, "value")   # Enter (or leaving the field) checks
            tooltip_on_label(field)
            return field, [field]
        if exercise.kind == "chain":
            boxes = [w.Checkbox(value=False, description=name, indent=False,
                                tooltip=f"Tick if {name} is a factor of {exercise.asks}")
                     for name in exercise.choices]
            label = w.HTML(f"<b>Tick the factors of {html.escape(exercise.asks)}:</b>")
            return boxes, [label, *boxes]
        if exercise.kind == "sign":
            choice = w.ToggleButtons(options=[(c.capitalize(), c) for c in exercise.choices], value=None,
                                     description="It will", style={"button_width": "auto"},
                                     tooltip=f"Will {exercise.asks.rstrip('+')} increase or decrease?",
                                     tooltips=["The weight gets larger", "The weight gets smaller"])
            tooltip_on_label(choice)
            return choice, [choice]
        # Toggle buttons, not radio buttons: each choice carries its own tooltip in the browser.
        choice = w.ToggleButtons(options=[(c.capitalize(), c) for c in exercise.choices], value=None,
                                 description="The loss will", tooltip="Pick what training at this rate will do",
                                 tooltips=[_OUTCOME_TIPS[c] for c in exercise.choices],
                                 style={"button_width": "auto", "description_width": "initial"})
        tooltip_on_label(choice)
        return choice, [choice]

    def answer_value(self):
        """What the learner has entered: the typed text, the choice, or the ticked factors."""
        if isinstance(self.answer, list):
            return tuple(box.description for box in self.answer if box.value)
        return self.answer.value

    # -- view -> model -----------------------------------------------------------------------
    def check(self) -> Feedback:
        """Check the current answer (what the Check button does)."""
        return self.session.check(self.answer_value())

    def _on_typed(self, change):
        if change["new"].strip():
            self.session.check(change["new"])

    def _on_session(self, change):
        self._render()

    # -- model -> view -----------------------------------------------------------------------
    def _render(self):
        session = self.session
        exercise = session.exercise
        if self._shown is not exercise:
            self._shown = exercise
            self.answer, controls = self._answer_controls(exercise)
            for old in self.answer_box.children:
                old.close()
            self.answer_box.children = controls
            # Bold text, not a heading: the notebook's own "Your turn" heading comes before it, at
            # whatever level the page is at (a fixed <h4> would skip levels under an <h2>).
            self.heading.value = (f"<p class='bt-exercise-heading' style='margin:0.3em 0;font-weight:bold;"
                                  f"font-size:1.1em'>Exercise: {html.escape(_HEADINGS[exercise.kind])}</p>")
            self.question.value = f'<p class="bt-question">{html.escape(exercise.question)}</p>'
        self.feedback.value = feedback_html(session.feedback, session.tries)
        self.solution.value = solution_html(exercise) if session.solution_shown else ""
        self.solution_button.disabled = session.solution_shown
        self.score.value = (f'<span class="bt-score" style="margin-left:1em">Solved <b>{session.solved}</b> '
                            f"of {session.seen}</span>")

    def close(self):
        """Close the view, its controls and its session's observers (again: nothing more to do)."""
        if getattr(self, "_closed", False) or getattr(self, "session", None) is None:
            return
        self._closed = True
        self.session.unobserve(self._on_session, ["exercise", "feedback", "solution_shown", "tries", "solved"])
        for child in list(_walk(self))[1:]:
            child.close()
        super().close()


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
