"""Predict first: the step-through hides each value until the learner predicts it.

Expected values come from the walkthrough (the seed's net_h1 = 0.3775 is printed by the seed
notebook, In [3]); the score lives in the Tutorial model, not in the widget.
"""

import pytest
from golden import SEED

from backprop_tutor import StepThrough, Tutorial, walkthrough
from backprop_tutor.core.quantities import Net, Updated, Weight
from backprop_tutor.views.widgets.models import Predictions, StepCursor


@pytest.fixture
def view():
    v = StepThrough(Tutorial("seed"))
    v.predict_toggle.value = True
    return v


def _go(view, key):
    view.cursor.index = view.tutorial.walk.step_for(key).index


def test_a_value_stays_hidden_until_predicted(view):
    """With Predict first on, neither the text nor the diagram shows the current value."""
    _go(view, Net(1, 0))
    assert view.predictions.hidden
    assert view.displayed_value == ""
    assert "0.3775" not in view.body.value and "net_h1 = ?" in view.body.value
    assert "0.3775" not in view.picture.alt and "0.3775" not in view.picture.svg   # nor on the diagram
    assert view.predict_box.layout.display == ""


def test_a_right_prediction_reveals_and_counts(view):
    """A prediction within 1% is right, reveals the value and counts in the tutorial's score."""
    _go(view, Net(1, 0))
    view.guess.value = str(SEED["cell3_net_h1"])
    assert not view.predictions.hidden
    assert "✔" in view.feedback.value and "net_h1 = 0.3775" in view.feedback.value
    assert view.displayed_value == "net_h1 = 0.3775"
    assert (view.tutorial.predictions_right, view.tutorial.predictions_tried) == (1, 1)
    assert "1</b> of 1" in view.score.value


def test_a_comma_decimal_is_a_number(view):
    """'0,3775' is read as 0.3775."""
    _go(view, Net(1, 0))
    view.guess.value = "0,3775"
    assert view.predictions.feedback.verdict == "right"


@pytest.mark.parametrize("typed", ["abc", "1+1", "__import__('os').system('echo pwned')", "0.5.5"])
def test_text_that_is_not_a_number_gets_one_line_and_is_not_a_try(view, typed):
    """Text that is not a number: one line, the value stays hidden, the score is unchanged."""
    _go(view, Net(1, 0))
    view.guess.value = typed
    assert view.predictions.hidden
    assert "expected a number such as 0.0822" in view.feedback.value
    assert view.tutorial.predictions_tried == 0


def test_close_and_off_predictions_get_a_hint_naming_a_factor(view):
    """Off by 5%: close; far off: off; both with a hint; a left-out factor is named."""
    step = view.tutorial.walk.step_for("dE_total/dw5")
    _go(view, step.key)
    view.guess.value = str(step.value * 1.05)
    assert view.predictions.feedback.verdict == "close" and view.predictions.feedback.hint
    view.predictions.revealed = []
    # Leaving out the last factor ∂net_o1/∂w5 = out_h1 gives δ_o1: the hint names that factor.
    _, name, _, value = step.factors[-1]
    view.guess.value = str(step.value / value)
    feedback = view.predictions.feedback
    assert feedback.verdict == "off" and name in feedback.hint and "left out" in feedback.hint


def test_an_update_step_asks_for_a_direction(view):
    """An update step asks increase or decrease; the answer follows the gradient's sign."""
    _go(view, Updated(Weight(2, 0, 0)))
    assert view.direction.layout.display == "" and view.guess.layout.display == "none"
    assert "increase or decrease" in view.body.value
    view.direction.value = "decrease"                 # ∂E/∂w5 > 0: w5 falls (seed notebook, In [22])
    assert view.predictions.feedback.verdict == "right"
    assert view.displayed_value.startswith("w5+ = ")


def test_enter_again_goes_on_and_show_reveals_without_counting(view):
    """After the value is shown, Enter goes to the next step; Show reveals without a try."""
    _go(view, Net(1, 0))
    view.guess.value = "0.3775"
    index = view.cursor.index
    view._on_submit(view.guess)          # the second Enter
    assert view.cursor.index == index + 1
    assert view.predictions.hidden and view.guess.value == ""
    view.show_button.click()
    assert not view.predictions.hidden and view.tutorial.predictions_tried == 1


def test_new_numbers_hide_every_value_again():
    """A new example (new walkthrough) hides the values that were revealed."""
    t = Tutorial("seed")
    cursor = StepCursor(t)
    predictions = Predictions(t, cursor)
    predictions.enabled = True
    cursor.index = 1
    predictions.show()
    assert not predictions.hidden
    t.example = t.example.replace(learning_rate=0.25)
    assert predictions.hidden


def test_predict_first_off_shows_everything():
    """Without Predict first the step-through is unchanged: the value is shown, no prediction row."""
    v = StepThrough(Tutorial("seed"))
    v.cursor.index = walkthrough(v.tutorial.example).step_for(Net(1, 0)).index
    assert v.displayed_value == "net_h1 = 0.3775"
    assert v.predict_box.layout.display == "none"
