"""The exercise widget driven headlessly, as a learner would: type into the field, tick boxes, pick
a choice, press Check, Solution and New numbers; then read what the widget DISPLAYS.

Every value compared with comes from the exercise model (the walkthrough), never typed here.
"""

from __future__ import annotations

import html
import re
import sys

import ipywidgets as w
import pytest

import backprop_tutor
from backprop_tutor import SpecError
from backprop_tutor.teaching.exercises import make_exercise
from backprop_tutor.views.widgets import ExerciseSession, ExerciseView

SENTINEL = "backprop_tutor_widget_evaluated"
EVIL = f"__import__('sys').modules.__setitem__('{SENTINEL}', 1)"


def text_of(value: str) -> str:
    """The visible text of an HTML string: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", value))


def shown_feedback(view: ExerciseView) -> str:
    return text_of(view.feedback.value)


def wrong_choice(view: ExerciseView) -> str:
    exercise = view.session.exercise
    return next(c for c in exercise.choices if c != exercise.answer)


def test_top_level_name():
    assert backprop_tutor.ExerciseView is ExerciseView
    assert "ExerciseView" in backprop_tutor.__all__


def test_every_control_has_a_visible_label_and_a_tooltip():
    for kind in ("compute", "sign", "chain", "learning_rate"):
        view = ExerciseView(kind, 3)
        for b in (view.check_button, view.solution_button, view.new_button):
            assert b.description and b.tooltip
        controls = view.answer if isinstance(view.answer, list) else [view.answer]
        for control in controls:
            assert control.description and (control.tooltip or getattr(control, "tooltips", None)), kind
        view.close()


def test_compute_check_hint_right_solution_new_numbers():
    view = ExerciseView("compute", 1, topic="delta_hidden")
    exercise = view.session.exercise
    assert isinstance(view.answer, w.Text) and view.answer.continuous_update is False   # Enter submits
    assert text_of(view.question.value) == exercise.question
    assert exercise.asks.startswith("delta_h")

    # Malformed: a one-line message, not a try.
    view.answer.value = "1+1"
    assert "expected a number" in shown_feedback(view) and view.session.tries == 0

    # Wrong: "not yet", the hint, and the value is not given away.
    view.answer.value = repr(exercise.answer * 3)
    shown = shown_feedback(view)
    assert "Not yet" in shown and "Hint:" in shown and exercise.solution.value not in shown
    assert view.session.tries == 1
    view.check_button.click()                         # Check on the same answer: still one try
    assert view.session.tries == 1

    # Right, with a comma decimal.
    view.answer.value = repr(exercise.answer).replace(".", ",")
    shown = shown_feedback(view)
    assert "Right" in shown and exercise.solution.value in shown
    assert view.session.solved == 1 and "Solved 1 of 1" in text_of(view.score.value)

    # Solution: formula, numbers and the value.
    assert view.solution.value == ""
    view.solution_button.click()
    solution = view.solution.value
    assert exercise.solution.tex in solution
    assert f"{exercise.asks} = {exercise.solution.value}" in text_of(solution)
    assert view.solution_button.disabled

    # New numbers: a new question of the same kind, everything else reset.
    old_field = view.answer
    view.new_button.click()
    new = view.session.exercise
    assert new.question != exercise.question and new.kind == "compute" and new.asks.startswith("delta_h")
    assert text_of(view.question.value) == new.question
    assert view.feedback.value == "" and view.solution.value == "" and not view.solution_button.disabled
    assert view.answer is not old_field and view.answer.value == ""
    assert "Solved 1 of 2" in text_of(view.score.value)
    view.close()


def test_compute_a_named_quantity_stays_on_new_numbers():
    view = ExerciseView("compute", 4, quantity="net_h2")
    first = view.session.exercise
    view.new_button.click()
    assert view.session.exercise.asks == first.asks == "net_h2"
    assert view.session.exercise.answer != first.answer
    view.close()


@pytest.mark.parametrize("typed", ["", "   ", "__import__('os')", EVIL, "1+1", "nan"])
def test_typed_text_is_never_evaluated(typed):
    view = ExerciseView("compute", 2)
    view.answer.value = typed
    view.check_button.click()
    assert SENTINEL not in sys.modules
    assert view.session.tries == 0
    if typed.strip():
        assert "expected a number" in shown_feedback(view)
    view.close()


def test_solution_first_then_right_does_not_score():
    view = ExerciseView("compute", 5)
    view.solution_button.click()
    view.answer.value = repr(view.session.exercise.answer)
    assert "Right" in shown_feedback(view)
    assert view.session.solved == 0 and "Solved 0 of 1" in text_of(view.score.value)
    view.close()


def test_sign():
    view = ExerciseView("sign", 6, topic="output")
    assert isinstance(view.answer, w.ToggleButtons) and view.answer.value is None
    view.check_button.click()
    assert "expected one of" in shown_feedback(view)
    view.answer.value = wrong_choice(view)
    view.check_button.click()
    assert "Not yet" in shown_feedback(view) and "Hint:" in shown_feedback(view)
    view.answer.value = view.session.exercise.answer
    view.check_button.click()
    assert "Right" in shown_feedback(view)
    view.solution_button.click()
    assert f"Answer: {view.session.exercise.answer}" in text_of(view.solution.value)
    view.close()


def test_chain():
    view = ExerciseView("chain", 7, topic="hidden")
    exercise = view.session.exercise
    boxes = view.answer
    assert [b.description for b in boxes] == list(exercise.choices)
    view.check_button.click()
    assert "pick the factors first" in shown_feedback(view)
    extra = next(c for c in exercise.choices if c not in exercise.answer)
    for box in boxes:
        box.value = box.description in exercise.answer or box.description == extra
    view.check_button.click()
    assert "Not yet" in shown_feedback(view) and extra in shown_feedback(view)
    for box in boxes:
        box.value = box.description in exercise.answer
    view.check_button.click()
    assert "Right" in shown_feedback(view)
    view.solution_button.click()
    assert f"{exercise.asks} = {exercise.solution.value}" in text_of(view.solution.value)
    view.new_button.click()
    assert [b.description for b in view.answer] == list(view.session.exercise.choices)
    assert not any(b.value for b in view.answer)
    view.close()


def test_learning_rate():
    view = ExerciseView("learning_rate", 2)
    assert isinstance(view.answer, w.ToggleButtons) and view.answer.value is None
    assert len(view.answer.tooltips) == len(view.answer.options)
    view.answer.value = wrong_choice(view)
    view.check_button.click()
    assert "Not yet" in shown_feedback(view)
    view.answer.value = view.session.exercise.answer
    view.check_button.click()
    assert "Right" in shown_feedback(view)
    view.solution_button.click()
    solution = text_of(view.solution.value)
    assert view.session.exercise.solution.substituted in solution
    question = view.question.value
    view.new_button.click()
    assert view.question.value != question
    view.close()


def test_session_is_the_state():
    session = ExerciseSession("compute", 9)
    assert session.exercise.as_dict() == make_exercise("compute", 9).as_dict()
    assert session.check("0,5").verdict in ("close", "off", "right") and session.tries == 1
    session.new_numbers()
    assert session.seed > 9 and session.tries == 0 and session.feedback is None and session.seen == 2


def test_bad_arguments_fail_before_any_widget():
    with pytest.raises(SpecError):
        ExerciseView("guess", 1)
    with pytest.raises(SpecError):
        ExerciseView("compute", 1, topic="bogus")


def test_close_closes_controls_and_observers():
    view = ExerciseView("chain", 8)
    widgets = [view.check_button, view.question, *view.answer]
    view.close()
    view.close()   # again: nothing more to do
    assert all(widget.comm is None for widget in widgets)
    assert not any(view.session._trait_notifiers.get(name, {}).get("change")
                   for name in ("exercise", "feedback", "solution_shown", "tries", "solved"))
