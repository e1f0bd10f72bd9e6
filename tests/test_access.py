"""Accessibility in the kernel: every view carries a live region, and says in words what just changed.

(What the browser does with it — named sliders, aria-pressed, the focus ring, axe-core — is
checked in a real browser by tests/test_browser.py.)
"""

from __future__ import annotations

import ipywidgets as w
from golden import SEED

from backprop_tutor.views.widgets import ChainExplorer, ExerciseView, LearningRateExplorer, StepThrough, TrainingView
from backprop_tutor.views.widgets.access import Announcer
from backprop_tutor.views.widgets.base import plain_text
from backprop_tutor.views.widgets.step_through import step_announcement


def test_every_view_carries_one_announcer_whatever_its_layout():
    for view in (StepThrough("mazur"), ChainExplorer("mazur"), TrainingView("mazur"),
                 LearningRateExplorer("mazur", epochs=50)):
        assert isinstance(view.children[0], Announcer)
        assert sum(isinstance(c, Announcer) for c in view.children) == 1
        view.children = [w.HTML("a new layout")]          # a layout set later keeps it too
        assert view.children[0] is view.announcer and len(view.children) == 2
    assert any(isinstance(c, Announcer) for c in ExerciseView("compute", 1).children)


def test_a_replaced_view_closes_its_announcer():
    view = StepThrough("mazur")
    announcer = view.announcer
    StepThrough(view.tutorial)                               # the same slot: the old view is detached
    assert announcer.comm is None and len(view.children) == 1 and "replaced" in view.children[0].value


def test_next_announces_the_new_step_and_its_value():
    view = StepThrough("mazur")
    assert view.announcer.text == "Step 1 of 45: The network and its inputs."
    view.next_button.click()
    # The seed notebook prints net_h1 = 0.3775 (In [3]).
    assert view.announcer.text == f"Step 2 of 45: Net input of hidden neuron h1. net_h1 = {SEED['cell3_net_h1']}."
    view.position.value = 5                                # the slider announces too
    assert view.announcer.text.startswith("Step 5 of 45: ")


def test_a_hidden_value_is_not_announced():
    view = StepThrough("mazur")
    view.predict_toggle.value = True
    view.next_button.click()
    assert view.announcer.text == "Step 2 of 45: Net input of hidden neuron h1. Predict net_h1."
    assert "0.3775" not in view.announcer.text
    step = view.cursor.step
    assert step_announcement(step, 2, 45, hidden=True).endswith("Predict net_h1.")
    assert step_announcement(step, 2, 45).endswith(f"net_h1 = {step.value_text}.")


def test_the_chain_explorer_and_the_learning_rate_explorer_announce_their_result():
    chain = ChainExplorer("mazur")
    chain.choice.value = dict(chain.choice.options)["w5"]
    said = chain.announcer.text
    assert said.startswith("Chain rule for dE_total/dw5 = ")
    # The seed notebook's dE_total/dw5 (In [20]), to the digits the text shows.
    assert abs(float(said.split("= ")[1].rstrip(".")) - SEED["cell20_dE_dw5"]) < 1e-9
    explorer = LearningRateExplorer("mazur", epochs=50)
    assert explorer.announcer.text == plain_text(explorer.status.value)
    assert explorer.announcer.text.startswith("η = 0.5: after 50 epochs E_total = ")


def test_training_is_announced_when_it_stops_not_on_every_tick():
    view = TrainingView("mazur")
    view.play.playing = True
    said = view.announcer.text
    view.run.advance(10)
    assert view.announcer.text == said                      # playing: quiet
    view.play.playing = False                               # paused: where training stands
    assert view.announcer.text.startswith("Epoch 10 · E_total = ")


def test_plain_text_reads_html_as_words():
    assert plain_text("<b>η = 0.5</b>: after <i>10</i> epochs<p>loss &lt; 1</p>") == "η = 0.5: after 10 epochs loss < 1"
