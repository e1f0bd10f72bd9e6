"""The widgets driven headlessly, as a student would: set a slider's value, click a button, type
into a field, press a toggle, tick Play; then read what the widget DISPLAYS (its HTML, its image
and the image's text alternative) and compare it with the engine (``evaluate_step``, ``train``,
``sweep``, ``walkthrough``).

Displayed numbers have nine significant digits, so they are compared with the engine at rel 1e-8.
The only typed-in numbers are the seed notebook's printed values, each named after the cell that
prints it (SEED_CELL6_OUT_H1 is printed by In [6]).
"""

from __future__ import annotations

import fnmatch
import html
import os
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import tomllib
from golden import B1, SEED, SEED_CELL35_OUTPUTS, W5, W7, E, dE

from backprop_tutor import Network, derive, evaluate_step, preset, sweep, train, walkthrough
from backprop_tutor.teaching.formatting import aligned_tex, rhs
from backprop_tutor.teaching.walkthrough import PHASES
from backprop_tutor.views.widgets import (
    ChainExplorer,
    LearningRateExplorer,
    NetworkEditor,
    StepThrough,
    TrainingView,
    Tutorial,
    access,
    base,
    svg_diagram,
)
from backprop_tutor.views.widgets.step_through import step_html

SEED_CELL6_OUT_H1 = SEED["cell6_out_h1"]          # seed notebook, In [6]: a1_2
SEED_CELL20_DE_DW5 = SEED["cell20_dE_dw5"]        # In [20]: w11_3_contrib = ∂E/∂w5
SEED_CELL22_W5_UPDATED = SEED["cell22_w5_new"]    # In [22]: w11_3_updated = w5⁺
SHOWN = 1e-8   # relative tolerance of a number shown with nine significant digits

PNG = b"\x89PNG\r\n\x1a\n"




# --- reading what is displayed ------------------------------------------------------------

def text_of(value: str) -> str:
    """The visible text of an HTML string: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", value))


def shown_line(body: str, css: str = "bt-value") -> tuple:
    """The (name, value) of a step's value line for screen readers, e.g. ('out_h1', 0.593269992)."""
    match = re.search(rf'<p class="{css}" style="[^"]*">(.*?) = ([^<]*)</p>', body)
    assert match, f"no {css} line in {body[:300]!r}"
    return html.unescape(match.group(1)), float(match.group(2))


def shown_factors(body: str) -> list:
    """The values in the chain-rule explorer's 'value' column, in order."""
    return [float(v) for v in re.findall(r'<td class="bt-factor-value"[^>]*><b>([^<]*)</b></td>', body)]


def displayed_number(value: float) -> str:
    """How a value appears inside a substituted formula (nine significant digits)."""
    return f"{value:.9g}"


def counter(view: TrainingView) -> dict:
    """The training view's counter line: epoch, loss, outputs, and the divergence epoch if shown."""
    text = text_of(view.counter.value)
    match = re.fullmatch(r"Epoch (\d+) · (\S+) = (\S+) · outputs (.*?)( — diverged at epoch (\d+))?", text)
    assert match, text
    return {"epoch": int(match.group(1)), "loss": float(match.group(3)),
            "outputs": [float(v) for v in match.group(4).split(", ")],
            "diverged_at": int(match.group(6)) if match.group(6) else None}


def lr_status(view: LearningRateExplorer) -> dict:
    """The learning-rate explorer's status line."""
    text = text_of(view.status.value)
    match = re.fullmatch(r"η = (\S+): after (\d+) epochs? (\S+) = (\S+) \(from (\S+)\)\.", text)
    if match:
        return {"rate": float(match.group(1)), "epochs": int(match.group(2)), "loss": float(match.group(4)),
                "initial": float(match.group(5)), "diverged_at": None}
    match = re.fullmatch(r"η = (\S+) diverged at epoch (\d+): the loss or a parameter became infinite or not "
                         r"a number\. The curve stops there\.", text)
    assert match, text
    return {"rate": float(match.group(1)), "diverged_at": int(match.group(2))}


def caption_outputs(view) -> list:
    """The outputs the learning-rate explorer's caption (text alternative) shows."""
    text = text_of(view.picture.caption.value)
    assert text == view.picture.image.tooltip
    match = re.search(r"outputs (.*?) against targets", text)
    assert match, text
    return [float(v) for v in match.group(1).split(", ")]


def parameter_values(view: LearningRateExplorer) -> dict:
    """The 'Final parameters' table: name -> value."""
    return {html.unescape(name): float(value) for name, value in
            re.findall(r"<tr><td>([^<]*)</td><td style='text-align:right'>([^<]*)</td></tr>", view.weights.value)}


def assert_png(data):
    data = bytes(data)
    assert data.startswith(PNG), data[:16]


def assert_svg(text: str):
    """An inline SVG document: no XML prolog (it goes inside HTML), one root, labels as text."""
    assert text.startswith("<svg") and text.rstrip().endswith("</svg>"), text[:40]
    assert "<text" in text


# === StepThrough ==========================================================================

def test_three_next_clicks_show_out_h1_as_the_seed_prints_it():
    view = StepThrough("seed")
    for _ in range(3):
        view.next_button.click()
    values = evaluate_step(preset("seed"))
    name, value = shown_line(view.body.value)
    assert name == "out_h1"
    assert value == pytest.approx(SEED_CELL6_OUT_H1, rel=SHOWN)
    assert value == pytest.approx(values[("a", 1, 0)], rel=SHOWN)
    body = view.body.value
    out, net = r"\mathrm{out}_{h1}", r"\mathrm{net}_{h1}"   # words upright in the maths
    # One block aligned on "=": the formula, the same with numbers, the value.
    assert (rf"$$\begin{{aligned}}{out} &= \frac{{1}}{{1 + e^{{-{net}}}}} \\ "
            rf"&= \frac{{1}}{{1 + e^{{-{displayed_number(values[('z', 1, 0)])}}}}} \\ "
            rf"&= {displayed_number(values[('a', 1, 0)])}\end{{aligned}}$$") in body
    assert body.count("$$") == 2                                                            # one block only
    assert view.displayed_value == f"out_h1 = {displayed_number(SEED_CELL6_OUT_H1)}"
    assert view.position.value == 4 and view.phase_buttons.value == "forward"  # the slider counts from 1


# The quantity the first step of each phase computes, and the engine quantities its substituted
# formula shows (keys only: the numbers come from evaluate_step).
PHASE_FIRST_STEPS = {
    "forward": (None, [("x", 0), ("x", 1)]),
    "error": (("Eo", 0), [("a", 2, 0), ("t", 0)]),
    "output": (dE(("a", 2, 0)), [("a", 2, 0), ("t", 0)]),
    "hidden": (dE(("a", 1, 0)), [dE(("z", 2, 0)), W5, dE(("z", 2, 1)), W7]),
    "update": (("new", W5), [W5, ("eta",), dE(W5)]),
}


def _engine_value(values, key):
    if key[0] == "x":   # the opening step shows the inputs
        return preset("seed").inputs[0][key[1]]
    return values[key]


def test_phase_buttons_jump_to_the_first_step_of_each_phase_and_show_its_formula_and_numbers():
    view = StepThrough("seed")
    walk, values = walkthrough(preset("seed")), evaluate_step(preset("seed"))
    view.position.value = len(walk)                # start from the last step
    for phase in PHASES:
        view.phase_buttons.value = phase
        start = walk.phase_start(phase)
        assert view.cursor.index == start and view.position.value == start + 1
        step, body = walk[start], view.body.value
        assert text_of(body).startswith(f"Step {start + 1} of {len(walk)}")
        assert step.title in text_of(body)
        key, shown_keys = PHASE_FIRST_STEPS[phase]
        assert step.key == key
        if key is None:
            assert f"$${step.formula.tex} = {step.formula.tex_numbers}$$" in body
        else:
            # One aligned block: the symbolic formula, with today's numbers, the value.
            assert f"$${aligned_tex(step.formula, step.value_tex)}$$" in body
            name, value = shown_line(body)
            assert value == pytest.approx(values[key], rel=SHOWN)
        numbers = rhs(step.formula.tex_numbers) if key is not None else body
        for k in shown_keys:
            assert displayed_number(_engine_value(values, k)) in numbers, (phase, k)


def test_update_phase_shows_the_seed_update_of_w5():
    view = StepThrough("seed")
    view.phase_buttons.value = "update"
    name, value = shown_line(view.body.value)
    assert name == "w5+"
    assert value == pytest.approx(SEED_CELL22_W5_UPDATED, rel=SHOWN)
    assert displayed_number(SEED_CELL20_DE_DW5) in view.body.value


def test_previous_reset_and_the_disabled_ends():
    view = StepThrough("seed")
    walk = walkthrough(preset("seed"))
    assert view.previous_button.disabled and not view.next_button.disabled
    before = view.body.value
    view.previous_button.click()                     # disabled in the browser; harmless if forced
    assert view.cursor.index == 0 and view.body.value == before
    view.phase_buttons.value = "output"
    start = walk.phase_start("output")
    view.previous_button.click()
    assert view.cursor.index == start - 1
    assert walk[start - 1].title in text_of(view.body.value)
    assert view.phase_buttons.value == walk[start - 1].phase == "error"   # the toggle follows
    assert not view.previous_button.disabled and not view.next_button.disabled
    view.reset_button.click()
    assert view.cursor.index == 0 and view.position.value == 1 and view.phase_buttons.value == "forward"
    assert view.body.value == before and view.previous_button.disabled
    view.position.value = len(walk) - 1
    view.next_button.click()
    assert view.cursor.index == len(walk) - 1
    assert view.next_button.disabled and not view.previous_button.disabled
    last = view.body.value
    view.next_button.click()
    assert view.cursor.index == len(walk) - 1 and view.body.value == last
    name, value = shown_line(last)
    assert name == "E_total+" and value == pytest.approx(evaluate_step(preset("seed"))[("E_after",)], rel=SHOWN)


def test_notation_buttons_switch_the_body_to_layered_names_and_back():
    t = Tutorial("seed")
    view = StepThrough(t)
    view.position.value = 4
    view.notation_buttons.value = "layered"
    assert t.notation == "layered"
    body = view.body.value
    assert "z^{(2)}_{1}" in body and "a^{(2)}_{1}" in body
    assert "{out}_{h1}" not in body and "{net}_{h1}" not in body
    assert shown_line(body)[0] == "a1_2"
    assert shown_line(body)[1] == pytest.approx(SEED_CELL6_OUT_H1, rel=SHOWN)
    assert "a1_2" in view.picture.alt and "h1" not in view.picture.alt
    assert view.cursor.index == 3                    # the student keeps their place
    view.notation_buttons.value = "mazur"
    assert r"\mathrm{out}_{h1}" in view.body.value and "a^{(2)}_{1}" not in view.body.value


def test_notation_set_on_the_tutorial_moves_the_toggle():
    t = Tutorial("seed")
    view = StepThrough(t)
    t.notation = "layered"
    assert view.notation_buttons.value == "layered"
    assert "x_{1}" in view.body.value


def test_opening_at_a_phase():
    t = Tutorial("seed")
    view = StepThrough(t, phase="hidden")
    start = walkthrough(preset("seed")).phase_start("hidden")
    assert view.cursor.index == start and view.position.value == start + 1
    assert view.phase_buttons.value == "hidden"
    assert rhs(t.walk[start].formula.tex_numbers) in view.body.value
    name, value = shown_line(view.body.value)
    assert value == pytest.approx(evaluate_step(preset("seed"))[dE(("a", 1, 0))], rel=SHOWN)
    with pytest.raises(ValueError, match="phase"):
        StepThrough(Tutorial("seed"), phase="sideways")


def test_diagram_image_changes_between_steps_and_its_text_says_what_is_highlighted():
    view = StepThrough("seed")
    values = evaluate_step(preset("seed"))
    images = [view.picture.svg]
    tips = [view.picture.alt]
    assert_svg(images[0])
    assert "Highlighted: i1" in tips[0] and "i2" in tips[0]
    for _ in range(3):
        view.next_button.click()
        images.append(view.picture.svg)
        tips.append(view.picture.alt)
    assert len(set(images)) == 4, "every step draws a different picture"
    for data in images:
        assert_svg(data)
    highlighted = tips[3].split("Highlighted: ")[1]
    assert highlighted.startswith("h1 (")
    assert f"out {values[('a', 1, 0)]:.4g}" in highlighted and f"net {values[('z', 1, 0)]:.4g}" in highlighted
    assert "o1" not in highlighted.split(".")[0]
    assert view.picture.widget.description == tips[3]    # the same text, shown on Describe
    # The gradient of w5 highlights its edge with the engine's gradient.
    walk = walkthrough(preset("seed"))
    view.position.value = walk.steps.index(walk.step_for(dE(W5))) + 1
    assert f"edge w5 from h1 to o1 (value 0.4, gradient {values[dE(W5)]:.4g}" in view.picture.alt


def _double_script(tex: str) -> list:
    """x^{a}_{b}^{c} or x_{a}^{b}_{c}: TeX and MathJax refuse these ('Double exponent')."""
    group = r"\{(?:[^{}]|\{[^{}]*\})*\}"
    return re.findall(rf"\^{group}_{group}\^|_{group}\^{group}_", tex)


@pytest.mark.parametrize("notation", ["mazur", "layered"])
def test_every_step_is_valid_tex_in_both_notations(notation):
    """No step shows a double superscript, which MathJax prints as an error instead of the formula."""
    t = Tutorial("seed", notation=notation)
    view = StepThrough(t)
    bad = {m for step in t.walk for m in _double_script(step_html(step, len(t.walk)))}
    assert not bad  # the walkthrough braces updated names: {w^{(2)}_{11}}^{+}
    assert not _double_script(view.body.value)


def header(view) -> str:
    """The step-through's header line, e.g. 'Step 3 of 13 · Forward pass'."""
    return text_of(re.search(r'<div class="bt-step-header"[^>]*>(.*?)</div>', view.body.value).group(1))


def test_the_lecture_path_counts_its_own_steps_and_show_all_steps_switches_paths():
    t = Tutorial("mazur")
    lecture, full = t.walk.path("lecture"), t.walk.path("full")
    assert len(lecture) == 13 and len(full) == 45
    view = StepThrough(t, path="lecture")
    assert header(view).startswith("Step 1 of 13 ·") and view.position.max == 13
    assert view.all_steps.value is False
    view.next_button.click()
    view.next_button.click()
    assert view.cursor.index == lecture[2] and header(view).startswith("Step 3 of 13 ·")
    assert view.position.value == 3
    assert view.body.value.count("bt-step-title") == 1 and t.walk[lecture[2]].title in view.body.value
    view.position.value = 13                         # the slider runs over the path
    assert view.cursor.index == lecture[-1] and view.next_button.disabled
    view.all_steps.value = True                      # Show all steps: the same step, numbered in the whole walk
    assert view.cursor.path == "full" and view.position.max == 45
    assert header(view).startswith(f"Step {lecture[-1] + 1} of 45 ·")
    view.position.value = 3                          # net_h2 is not on the lecture path ...
    assert 2 not in lecture and 1 in lecture
    view.all_steps.value = False                     # ... so the lecture path goes back to net_h1, its step 2
    assert view.cursor.path == "lecture" and view.cursor.index == 1 and header(view).startswith("Step 2 of 13")
    default = StepThrough(Tutorial("mazur"))
    assert default.cursor.path == "full" and default.all_steps.value and header(default).startswith("Step 1 of 45")


def test_clicking_the_diagram_opens_the_step_of_what_was_clicked():
    t = Tutorial("mazur")
    walk = t.walk
    view = StepThrough(t)
    view.picture.click("bt-w-2-0-0-label")           # w5, in the forward pass: its gradient
    assert view.cursor.index == walk.step_for(dE(W5)).index and "Gradient for w5" in view.body.value
    view.phase_buttons.value = "update"
    view.picture.click("bt-w-2-1-0")                 # w7's edge, in the update phase: its update
    assert view.cursor.step.key == ("new", W7)
    view.phase_buttons.value = "forward"
    view.picture.click("bt-n-1-0")                   # h1 forward: its net input
    assert view.cursor.step.key == ("z", 1, 0)
    view.phase_buttons.value = "hidden"
    view.picture.click("bt-n-1-0-label")             # h1 backward: its delta
    assert view.cursor.step.title == "The node delta of h1"
    view.picture.click("bt-n-1-0-label")             # the same part twice is two clicks: nothing breaks
    view.picture.click("bt-b-1-edge1")               # a shared bias, from any of its edges
    assert view.cursor.step.key == dE(B1)
    before = (view.cursor.index, view.body.value)
    for bad in ("bt-w-9-0-0", "bt-n-0-0", "bt-b-1-0", "alert(1)", ""):   # never an error, never a move
        view.picture.click(bad)
    assert (view.cursor.index, view.body.value) == before


def test_a_click_off_the_lecture_path_opens_the_full_path():
    t = Tutorial("mazur")
    view = StepThrough(t, path="lecture")
    w6 = t.walk.step_for(dE(("w", 2, 0, 1)))
    assert w6.index not in t.walk.path("lecture")
    view.picture.click("bt-w-2-0-1-label")
    assert view.cursor.path == "full" and view.all_steps.value and view.cursor.index == w6.index
    assert header(view).startswith(f"Step {w6.index + 1} of 45")


def test_the_diagram_is_svg_whose_parts_are_named_for_screen_readers():
    view = StepThrough("mazur")
    # Labels as large as the text leave a crowded layer's weights unnamed until highlighted: open w8's step.
    view.picture.click("bt-w-2-1-1")
    svg = view.picture.svg
    for part in ("bt-w-1-0-0", "bt-w-2-1-1-label", "bt-b-2", "bt-n-2-1", "bt-n-1-0-label"):
        assert f'id="{part}"' in svg, part
    assert view.picture.widget.names["bt-w-2-0-0"] == "w5" and view.picture.widget.names["bt-n-1-0"] == "h1"
    view.notation_buttons.value = "layered"
    assert view.picture.widget.names["bt-w-2-0-0"] == "w11_3"
    one = view.picture.svg
    view.next_button.click()
    assert view.picture.svg != one and view.picture.svg.startswith("<svg")


def test_describe_shows_the_text_alternative_and_hides_it_again():
    step = StepThrough("mazur")
    assert step.picture.widget.description == step.picture.alt and "Network 2-2-2" in step.picture.alt
    assert not step.picture.widget.described     # read by screen readers, not shown
    step.picture.describe.value = True
    assert step.picture.widget.described
    step.picture.describe.value = False
    assert not step.picture.widget.described
    view = TrainingView("mazur")                  # a PNG figure: the caption is hidden ...
    caption = view.picture.caption
    assert "clip:rect(0,0,0,0)" in caption.value and caption.layout.height == "0px"
    # ... from screen readers too: the image's own name (its title, and the alt copied from it) says it
    assert 'aria-hidden="true"' in caption.value
    assert text_of(caption.value) == view.picture.image.tooltip != ""
    view.picture.describe.value = True            # ... until Describe is pressed
    assert "clip" not in caption.value and caption.layout.height is None and "aria-hidden" not in caption.value
    assert text_of(caption.value) == view.picture.image.tooltip
    view.picture.describe.value = False
    assert "clip:rect(0,0,0,0)" in caption.value and 'aria-hidden="true"' in caption.value


def test_in_projector_mode_the_diagram_takes_the_wider_column_and_writes_large_names(monkeypatch):
    monkeypatch.setenv(base.PROJECTOR_ENV, "1")
    view = StepThrough("mazur")
    picture = view.picture
    figures = view.children[-1].children[1]          # the diagram's column, beside the text
    assert picture.projector and picture.column == 58 and figures.layout.width == "58%"
    assert picture.box in figures.children
    assert picture.min_font == pytest.approx(72 * 7.5 / 25)
    texts = [t for t in view.diagram.ax.texts if t.get_visible() and t.get_text()]
    assert min(t.get_fontsize() for t in texts) >= picture.min_font
    monkeypatch.setenv(base.PROJECTOR_ENV, "")
    normal = StepThrough("mazur")
    assert normal.picture.min_font == pytest.approx(72 * 7.5 / 48) and not normal.diagram.layout.sparse
    texts = [t for t in normal.diagram.ax.texts if t.get_visible() and t.get_text()]
    assert min(t.get_fontsize() for t in texts) >= normal.picture.min_font


def test_present_tells_the_kernel_by_the_variable_the_views_read():
    from backprop_tutor.app import present
    assert present.PROJECTOR_ENV == base.PROJECTOR_ENV


# === ChainExplorer ========================================================================

@pytest.fixture(scope="module")
def seed_chain():
    return ChainExplorer("seed")


@pytest.mark.parametrize("param", derive(preset("seed").network).params,
                         ids=lambda p: "_".join(map(str, p)))
def test_chain_explorer_shows_every_factor_the_product_and_the_update(seed_chain, param):
    view = seed_chain
    label = dict((v, k) for k, v in view.choice.options)[param]
    if view.choice.value == param:
        view.choice.label = next(k for k, v in view.choice.options if v != param)
    body = view.body.value
    view.choice.label = label                        # the student picks it from the dropdown
    assert view.body.value != body
    assert view.choice.value == param
    values = evaluate_step(preset("seed"))
    chain = derive(preset("seed").network).chain(param)
    factors = [f for term in chain for f in term]
    shown = shown_factors(view.body.value)
    assert len(shown) == len(factors)
    for value, factor in zip(shown, factors):
        assert value == pytest.approx(values[factor.key], rel=SHOWN, abs=1e-15), factor.key
    name, gradient = shown_line(view.body.value)
    assert name.endswith(label) and name.startswith("dE_total/d")
    assert gradient == pytest.approx(values[dE(param)], rel=SHOWN)
    # The product of the factors shown (summed over paths) is the gradient shown.
    product = sum(np.prod([values[f.key] for f in term]) for term in chain)
    assert gradient == pytest.approx(product, rel=SHOWN)
    name, new = shown_line(view.body.value, "bt-update-value")
    assert name == f"{label}+"
    assert new == pytest.approx(values[("new", param)], rel=SHOWN)
    assert "not trained" not in view.body.value


def test_chain_explorer_w5_is_the_seed_gradient_and_update():
    view = ChainExplorer("seed", parameter=W5)
    assert view.choice.label == "w5"
    assert shown_line(view.body.value)[1] == pytest.approx(SEED_CELL20_DE_DW5, rel=SHOWN)
    assert shown_line(view.body.value, "bt-update-value")[1] == pytest.approx(SEED_CELL22_W5_UPDATED, rel=SHOWN)
    assert "gradient" in view.picture.alt and "w5" in view.picture.alt


def test_clicking_the_diagram_chooses_a_parameter_in_the_chain_explorer():
    view = ChainExplorer("mazur", parameter="w5")
    body = view.body.value
    view.picture.click("bt-w-2-1-0-label")            # w7
    assert view.choice.label == "w7" and view.body.value != body and "Gradient for w7" in view.body.value
    view.picture.click("bt-b-1")                     # the bias unit b1
    assert view.choice.label == "b1"
    view.picture.click("bt-n-2-1")                   # neuron o2: the first weight into it, w7 (from h1)
    assert view.choice.label == "w7"
    view.picture.click("bt-w-7-0-0")                 # not in this network: nothing changes
    assert view.choice.label == "w7"


def test_chain_explorer_mazur_bias_is_not_trained():
    view = ChainExplorer("mazur_article")
    values = evaluate_step(preset("mazur_article"))
    view.choice.label = "b1"
    assert view.choice.value == B1
    body = view.body.value
    assert "not trained" in text_of(body)
    assert "bt-update-value" not in body
    assert shown_line(body)[1] == pytest.approx(values[dE(B1)], rel=SHOWN)
    picture = view.picture.svg
    view.choice.label = "w5"
    assert "not trained" not in view.body.value and "bt-update-value" in view.body.value
    assert view.picture.svg != picture


# === LearningRateExplorer =================================================================

@pytest.fixture(scope="module")
def seed_explorer():
    return LearningRateExplorer("seed", epochs=20000)


def test_lr_explorer_at_the_seed_rate_shows_the_seed_outputs(seed_explorer):
    view = seed_explorer
    assert view.rate.value == 0.5 and view.epochs.value == 20000
    expected = train(preset("seed"), epochs=20000, learning_rate=0.5)
    outputs = caption_outputs(view)
    assert outputs == pytest.approx(list(SEED_CELL35_OUTPUTS), rel=SHOWN)
    assert outputs == pytest.approx(expected.outputs[0], rel=SHOWN)
    status = lr_status(view)
    assert status["rate"] == 0.5 and status["epochs"] == 20000
    assert status["loss"] == pytest.approx(expected.loss, rel=SHOWN)
    assert status["initial"] == pytest.approx(evaluate_step(preset("seed"))[E], rel=SHOWN)
    shown = parameter_values(view)
    names = ["w1", "w2", "w3", "w4", "b1", "w5", "w6", "w7", "w8", "b2"]
    assert list(shown) == names
    assert list(shown.values()) == pytest.approx(expected.parameters, rel=SHOWN)
    assert_png(bytes(view.picture.image.value))


def test_lr_slider_retrains_and_the_display_follows():
    view = LearningRateExplorer("seed", epochs=300)
    status, picture = view.status.value, bytes(view.picture.image.value)
    view.rate.value = 2.0
    rate = view.rate.value
    expected = train(preset("seed"), epochs=300, learning_rate=rate)
    assert view.status.value != status and bytes(view.picture.image.value) != picture
    shown = lr_status(view)
    assert shown["rate"] == pytest.approx(rate, rel=1e-3)
    assert shown["loss"] == pytest.approx(expected.loss, rel=SHOWN)
    assert caption_outputs(view) == pytest.approx(expected.outputs[0], rel=SHOWN)
    assert list(parameter_values(view).values()) == pytest.approx(expected.parameters, rel=SHOWN)
    assert view.loss_curve.current.get_ydata()[-1] == pytest.approx(expected.loss, rel=1e-12)


def test_lr_explorer_reports_divergence_at_the_engine_epoch():
    linear = preset("seed").replace(network=Network([2, 2, 2], ["sigmoid", "linear"]))
    view = LearningRateExplorer(linear, epochs=2000)
    assert lr_status(view)["diverged_at"] is None
    view.rate.value = 10.0
    expected = train(linear, epochs=2000, learning_rate=view.rate.value)
    assert expected.diverged_at is not None
    shown = lr_status(view)
    assert shown["diverged_at"] == expected.diverged_at
    assert shown["rate"] == pytest.approx(view.rate.value, rel=1e-3)
    assert view.loss_curve.note.get_visible()
    assert view.loss_curve.note.get_text() == f"diverged at epoch {expected.diverged_at}"
    assert view.epochs_error.value == ""             # divergence is a result, not an input error


def _faint(view):
    return [line for line in view.loss_curve.earlier if line.get_visible()]


def test_clear_removes_the_faint_curves_of_earlier_rates():
    view = LearningRateExplorer("seed", epochs=100)
    for rate in (0.1, 1.0, 3.0):
        view.rate.value = rate
    assert len(_faint(view)) == 3
    current = [np.copy(a) for a in view.loss_curve.current.get_data()]
    view.clear_button.click()
    assert _faint(view) == []
    np.testing.assert_array_equal(view.loss_curve.current.get_data()[1], current[1])
    assert "earlier runs" not in [t.get_text() for t in view.loss_curve.legend.texts if t.get_visible()]
    view.rate.value = 0.5
    assert len(_faint(view)) == 1


def test_sweep_draws_the_final_losses_and_marks_the_rate():
    view = LearningRateExplorer("seed", epochs=200)
    assert bytes(view.sweep_picture.image.value) == b""
    view.sweep_button.click()
    assert_png(bytes(view.sweep_picture.image.value))
    rates = np.logspace(-3, 2, 300)
    expected = sweep(preset("seed"), rates, 200)
    ok = (expected.diverged_at < 0) & np.isfinite(expected.final_loss)
    x, y = view.sweep_curve.line.get_data()
    np.testing.assert_allclose(x, rates[ok], rtol=1e-12)
    np.testing.assert_allclose(y, expected.final_loss[ok], rtol=1e-12)
    assert view.sweep_curve.marker.get_visible()
    assert list(view.sweep_curve.marker.get_xdata()) == [0.5, 0.5]
    alt = view.sweep_picture.image.tooltip
    best = rates[np.nanargmin(expected.final_loss)]
    assert f"lowest at η = {best:.3g}" in alt and "current rate 0.5 is marked" in alt
    assert f"{int(np.sum(expected.diverged_at >= 0))} diverged" in alt
    picture = bytes(view.sweep_picture.image.value)
    view.rate.value = 3.0                              # the mark follows the slider
    assert list(view.sweep_curve.marker.get_xdata()) == [view.rate.value] * 2
    assert bytes(view.sweep_picture.image.value) != picture


def test_epochs_field_trains_what_is_typed_and_refuses_past_the_budget():
    view = LearningRateExplorer("seed", epochs=50)
    view.epochs.value = 0                               # zero epochs: the initial loss, as train says
    assert view.run.epochs == 0 and lr_status(view)["epochs"] == 0
    assert lr_status(view)["loss"] == pytest.approx(train(preset("seed"), epochs=0).loss, rel=SHOWN)
    view.epochs.value = 400
    assert lr_status(view)["loss"] == pytest.approx(train(preset("seed"), epochs=400).loss, rel=SHOWN)
    status = view.status.value
    view.epochs.value = 10**9                           # past the work budget: its message, no work started
    assert "⚠" in view.epochs_error.value and "the limit is" in text_of(view.epochs_error.value)
    assert view.status.value == status                  # the last result stays on show
    view.run.epochs = -1                                # a bad value reaching the model: error beside the field
    assert "⚠" in view.epochs_error.value and "epochs" in text_of(view.epochs_error.value)
    assert view.status.value == status
    view.epochs.value = 120
    assert view.epochs_error.value == ""
    assert lr_status(view)["epochs"] == 120


def test_lr_explorer_follows_the_notation():
    t = Tutorial("seed")
    view = LearningRateExplorer(t, epochs=50)
    curves = len(_faint(view))
    t.notation = "layered"
    assert list(parameter_values(view))[:2] == ["w11_2", "w12_2"]
    assert " E = " in text_of(view.status.value)
    assert len(_faint(view)) == curves                 # a renaming is not a new run


# === TrainingView =========================================================================

def _assert_counter_is_training(view, example, k):
    expected = train(example, epochs=k)
    shown = counter(view)
    assert shown["epoch"] == k
    assert shown["loss"] == pytest.approx(expected.loss, rel=SHOWN)
    assert shown["outputs"] == pytest.approx(expected.outputs[0], rel=SHOWN)
    assert f"after {k} epochs" in view.picture.image.tooltip
    return shown


def test_play_ticks_step_and_reset():
    view = TrainingView("seed", epochs_per_tick=7)
    seed = preset("seed")
    start = _assert_counter_is_training(view, seed, 0)
    assert start["loss"] == pytest.approx(evaluate_step(seed)[E], rel=SHOWN)
    pictures = {bytes(view.picture.image.value)}
    for tick in range(1, 4):
        view.play.value += 1
        _assert_counter_is_training(view, seed, 7 * tick)
        pictures.add(bytes(view.picture.image.value))
    assert len(pictures) == 4
    view.step_button.click()
    _assert_counter_is_training(view, seed, 22)
    view.speed.value = 3
    view.play.value += 1
    _assert_counter_is_training(view, seed, 25)
    view.play.playing = True
    view.reset_button.click()
    assert view.play.playing is False
    assert counter(view) == start
    view.play.value += 1                               # Play goes on from epoch 0
    _assert_counter_is_training(view, seed, 3)


def test_divergence_stops_play_and_is_shown():
    example = preset("seed").replace(network=Network([2, 2, 2], ["sigmoid", "linear"]), learning_rate=10.0)
    n = train(example, epochs=1000).diverged_at
    assert n is not None
    view = TrainingView(example, epochs_per_tick=50)
    view.play.playing = True
    ticks = 0
    while view.play.playing and ticks < 100:
        view.play.value += 1
        ticks += 1
    assert view.play.playing is False and ticks == n // 50 + 1
    shown = counter(view)
    assert shown["diverged_at"] == n
    assert shown["epoch"] == n - 1
    assert shown["loss"] == pytest.approx(train(example, epochs=n - 1).loss, rel=SHOWN)
    assert view.loss_curve.note.get_visible() and view.loss_curve.note.get_text() == f"diverged at epoch {n}"
    stuck = view.counter.value
    view.play.value += 1
    view.step_button.click()
    assert view.counter.value == stuck
    view.reset_button.click()
    assert counter(view)["epoch"] == 0 and counter(view)["diverged_at"] is None
    assert not view.loss_curve.note.get_visible()


# === NetworkEditor ========================================================================

def _row_of(editor, name):
    """The HBox that holds a field and, beside it, its error label."""
    for row in editor.children:
        if getattr(row, "children", ()) and row.children[0] is editor.fields[name]:
            return row
    raise AssertionError(name)


def _snapshot(desk):
    return {
        "example": desk["t"].example,
        "step": desk["step"].body.value,
        "step_image": desk["step"].picture.svg,
        "chain": desk["chain"].body.value,
        "chain_options": desk["chain"].choice.options,
        "lr": desk["lr"].status.value,
        "lr_weights": desk["lr"].weights.value,
        "training": desk["training"].counter.value,
        "fields": {name: field.value for name, field in desk["editor"].fields.items()},
    }


def _desk(name="seed"):
    t = Tutorial(name)
    desk = {"t": t, "editor": NetworkEditor(t), "step": StepThrough(t, phase="update"),
            "chain": ChainExplorer(t, parameter=W5), "lr": LearningRateExplorer(t, epochs=200),
            "training": TrainingView(t, epochs_per_tick=5)}
    desk["training"].play.value += 1
    return desk


@pytest.fixture(scope="module")
def shared_desk():
    return _desk()


SEED_WEIGHTS = "0.15, 0.2\n0.25, 0.3\n\n0.4, 0.45\n0.5, 0.55"

# (field, what the student types, words the message beside that field must contain)
BAD_ENTRIES = [
    ("learning_rate", "abc", "expected a number, got text 'abc'"),
    ("learning_rate", "0", "positive"),
    ("learning_rate", "-0.5", "positive"),
    ("learning_rate", "1+1", "expected a number, got text '1+1'"),
    ("learning_rate", "__import__('os').environ.__setitem__('BT_EVALUATED', '1')", "expected a number, got text"),
    ("weights", "0.15, 0.2\n0.1, x\n\n0.4, 0.45\n0.5, 0.55", "expected a number, got text 'x'"),
    ("weights", "0.15, 0.2, 0.3\n0.25, 0.3\n\n0.4, 0.45\n0.5, 0.55", "expected 2 numbers"),
    ("weights", "0.15, 0.2\n0.25, 0.3", "expected 2 matrices"),
    ("activations", "sigmoid, swish", "swish"),
    ("activations", "softmax, sigmoid", "softmax is only allowed on the output layer"),
    ("layers", "2, x, 2", "expected a whole number >= 0, got text 'x'"),
    ("layers", "2, 0, 2", ">= 1"),
    ("epochs", "2e3", "expected a whole number >= 0, got 2000.0"),
    ("inputs", "0.05", "expected 2 numbers"),
    ("targets", "__import__('os')", "expected a number, got text"),
    ("biases", "0.35, 0.6, 0.7", "expected 2 entries"),
]


@pytest.mark.parametrize("field, typed, message", BAD_ENTRIES, ids=[f"{f}={t!r}" for f, t, _ in BAD_ENTRIES])
def test_a_bad_entry_is_reported_beside_its_field_and_changes_nothing(shared_desk, field, typed, message):
    desk, editor = shared_desk, shared_desk["editor"]
    before = _snapshot(desk)
    assert all(label.value == "" for label in editor.errors.values())
    original = editor.fields[field].value
    os.environ.pop("BT_EVALUATED", None)
    try:
        editor.fields[field].value = typed
        row = _row_of(editor, field)
        shown = text_of(row.children[1].value)
        assert shown.startswith("⚠") and message in shown, shown
        assert 'role="alert"' in row.children[1].value
        others = [name for name, label in editor.errors.items() if label.value and name != field]
        assert others == [], others
        assert "BT_EVALUATED" not in os.environ, "typed text was evaluated"
        after = _snapshot(desk)
        after["fields"][field] = original
        assert after == before
        assert editor.status.value == ""
    finally:
        editor.fields[field].value = original
    assert editor.errors[field].value == ""           # putting it right clears the message
    assert _snapshot(desk) == before                   # ... and changes nothing either


def test_a_valid_learning_rate_reaches_every_view():
    desk = _desk()
    t, step, chain, lr, training = desk["t"], desk["step"], desk["chain"], desk["lr"], desk["training"]
    before = _snapshot(desk)
    assert counter(training)["epoch"] == 5
    desk["editor"].fields["learning_rate"].value = "0.1"
    assert t.example == preset("seed").replace(learning_rate=0.1)
    assert "Applied" in desk["editor"].status.value
    values = evaluate_step(t.example)
    assert shown_line(step.body.value) == ("w5+", pytest.approx(values[("new", W5)], rel=SHOWN))
    assert r"0.4 - 0.1 \cdot " in step.body.value
    assert shown_line(chain.body.value, "bt-update-value")[1] == pytest.approx(values[("new", W5)], rel=SHOWN)
    assert lr.rate.value == pytest.approx(0.1) and lr_status(lr)["rate"] == 0.1
    assert lr_status(lr)["loss"] == pytest.approx(train(t.example, epochs=200).loss, rel=SHOWN)
    _assert_counter_is_training(training, t.example, 0)
    training.play.value += 1
    _assert_counter_is_training(training, t.example, 5)
    assert _snapshot(desk)["chain_options"] == before["chain_options"]


def test_a_valid_weight_reaches_every_view():
    desk = _desk()
    t, step = desk["t"], desk["step"]
    step.phase_buttons.value = "forward"
    step.next_button.click()                            # net_h1 = w1·i1 + w2·i2 + b1·1
    before = _snapshot(desk)
    desk["editor"].fields["weights"].value = SEED_WEIGHTS.replace("0.15", "0.2", 1)
    assert t.example.weights[0][0][0] == 0.2
    values = evaluate_step(t.example)
    assert shown_line(step.body.value) == ("net_h1", pytest.approx(values[("z", 1, 0)], rel=SHOWN))
    assert r"0.2 \cdot 0.05" in step.body.value
    after = _snapshot(desk)
    for key in ("step", "step_image", "chain", "lr", "lr_weights", "training"):
        assert after[key] != before[key], key
    assert shown_line(desk["chain"].body.value)[1] == pytest.approx(values[dE(W5)], rel=SHOWN)
    assert lr_status(desk["lr"])["loss"] == pytest.approx(train(t.example, epochs=200, learning_rate=0.5).loss,
                                                          rel=SHOWN)
    _assert_counter_is_training(desk["training"], t.example, 0)


def test_a_typo_in_the_layer_sizes_put_right_keeps_the_weights():
    desk = _desk()
    editor, t = desk["editor"], desk["t"]
    before = _snapshot(desk)
    editor.fields["layers"].value = "2, 2,, x"
    assert editor.errors["layers"].value
    editor.fields["layers"].value = "2, 2, 2"
    assert t.example == preset("seed")
    assert editor.fields["weights"].value == SEED_WEIGHTS
    assert _snapshot(desk) == before


def test_new_layer_sizes_reach_every_view():
    desk = _desk()
    editor, t = desk["editor"], desk["t"]
    editor.fields["layers"].value = "2, 3, 2"
    network = t.example.network
    assert network.layers == (2, 3, 2)
    assert all(label.value == "" for label in editor.errors.values())
    walk = walkthrough(t.example)
    step = desk["step"]
    assert step.position.max == len(walk)
    assert step.cursor.index <= len(walk) - 1
    assert step.body.value.count("$$") >= 2 and walk[step.cursor.index].title in text_of(step.body.value)
    assert "Network 2-3-2" in step.picture.alt
    params = derive(network).params
    assert [v for _, v in desk["chain"].choice.options] == list(params)
    assert lr_status(desk["lr"])["loss"] == pytest.approx(train(t.example, epochs=200).loss, rel=SHOWN)
    assert len(parameter_values(desk["lr"])) == len(params)
    _assert_counter_is_training(desk["training"], t.example, 0)
    assert desk["training"].diagram.network.layers == (2, 3, 2)


def test_loading_a_preset_reaches_every_view():
    desk = _desk()
    editor, t = desk["editor"], desk["t"]
    editor.fields["preset"].value = "xor"
    xor = preset("xor")
    assert t.example == xor
    assert editor.fields["layers"].value == "2, 3, 1" and editor.fields["update"].value == "batch"
    assert [v for _, v in desk["chain"].choice.options] == list(derive(xor.network).params)
    assert shown_line(desk["chain"].body.value)[1] == pytest.approx(
        evaluate_step(xor)[dE(desk["chain"].choice.value)], rel=SHOWN)
    walk = walkthrough(xor)
    step = desk["step"]
    assert step.position.max == len(walk)
    assert step.cursor.index == 0  # a new shape starts the walkthrough again
    assert walk[0].formula.tex_numbers in step.body.value
    # The explorer takes the preset's own rate and epochs.
    assert (desk["lr"].rate.value, desk["lr"].epochs.value) == (xor.learning_rate, xor.epochs)
    shown = lr_status(desk["lr"])
    assert shown["epochs"] == xor.epochs
    assert shown["loss"] == pytest.approx(train(xor).loss, rel=SHOWN)
    _assert_counter_is_training(desk["training"], xor, 0)


# === Leaks ================================================================================

def _artists(figure) -> int:
    return sum(len(ax.lines) + len(ax.texts) + len(ax.patches) + len(ax.collections) + len(ax.images)
               for ax in figure.axes)


def _measures(t, views):
    figures = [views["step"].picture.figure, views["lr"].picture.figure, views["lr"].sweep_picture.figure,
               views["training"].picture.figure, views["chain"].picture.figure]
    return len(plt.get_fignums()), t.observer_count(), [_artists(f) for f in figures]


RATES = (0.01, 0.1, 1.0, 10.0, 100.0, 0.3, 3.0)


def _workout(views, n):
    step, lr, training = views["step"], views["lr"], views["training"]
    for i in range(n):
        lr.rate.value = RATES[i % len(RATES)]
    last = len(step.tutorial.walk) - 1
    forward = True
    for _ in range(n):
        if step.cursor.index == last:
            forward = False
        elif step.cursor.index == 0:
            forward = True
        (step.next_button if forward else step.previous_button).click()
    for _ in range(n):
        training.play.value += 1


def test_500_slider_moves_clicks_and_ticks_leave_no_figures_observers_or_artists(monkeypatch):
    """Figures, observers and artists stay the same after 500 of each action.

    A real PNG render costs about 0.1 s per action, so 5 actions of each kind are drawn for real
    and the 500 then run with ``FigureImage.refresh`` skipped: it only rasterises the artists the
    views update, and adds none.
    """
    t = Tutorial("seed")
    views = {"step": StepThrough(t), "lr": LearningRateExplorer(t, epochs=50),
             "training": TrainingView(t, epochs_per_tick=2), "chain": ChainExplorer(t)}
    views["lr"].rate.value = 0.2                      # the first slider change
    baseline = _measures(t, views)
    assert baseline[0] == len(plt.get_fignums())
    _workout(views, 5)
    assert _measures(t, views) == baseline
    monkeypatch.setattr(base.FigureImage, "refresh", lambda self: None)
    _workout(views, 500)
    assert _measures(t, views) == baseline
    assert counter(views["training"])["epoch"] == 2 * 505
    assert len(_faint(views["lr"])) == len(views["lr"].loss_curve.earlier)   # the pool, not more


@pytest.mark.parametrize("make", [
    lambda t: StepThrough(t),
    lambda t: ChainExplorer(t),
    lambda t: LearningRateExplorer(t, epochs=30),
    lambda t: TrainingView(t, epochs_per_tick=3),
    lambda t: NetworkEditor(t),
], ids=["StepThrough", "ChainExplorer", "LearningRateExplorer", "TrainingView", "NetworkEditor"])
def test_running_a_cell_again_replaces_the_view_without_adding_observers(make):
    t = Tutorial("seed")
    old = make(t)
    count = t.observer_count()
    new = make(t)
    assert t.observer_count() == count
    make(t)
    assert t.observer_count() == count
    del new

    def display(view):
        return [getattr(view, name).value for name in ("body", "status", "weights", "counter")
                if getattr(view, name, None) is not None] \
            + ([f.value for f in view.fields.values()] if getattr(view, "fields", None) else [])

    # The replaced view shows only a note saying so; its other widgets are closed.
    assert len(old.children) == 1 and "replaced" in old.children[0].value

    shown = display(old)
    t.notation = "layered"
    t.example = preset("seed").replace(weights=[[[0.1, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]])
    assert display(old) == shown, "the replaced view still reacts"
    latest = make(t)
    assert display(latest) != shown


def test_training_view_at_epoch_zero_follows_a_new_example():
    """Before any tick the run is already at epoch 0: a new example must still be drawn."""
    t = Tutorial("seed")
    view = TrainingView(t, epochs_per_tick=5)
    t.example = preset("xor")
    _assert_counter_is_training(view, preset("xor"), 0)
    assert view.diagram.network.layers == (2, 3, 1)
    loss = float(re.search(r"Loss (\S+);", view.picture.image.tooltip).group(1))
    assert loss == pytest.approx(train(preset("xor"), epochs=0).loss, rel=SHOWN)


def test_the_diagram_widget_assets_ship_in_the_wheel():
    """The SVG and access widgets' scripts and style sheets are files beside them: package-data must list them."""
    root = Path(svg_diagram.__file__).resolve().parents[2]     # backprop_tutor/
    patterns = tomllib.loads((root.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    widget, announcer = svg_diagram.DiagramWidget(), access.Announcer()
    for path, loaded in ((svg_diagram.SCRIPT, widget._esm), (svg_diagram.STYLE, widget._css),
                         (access.ACCESS_SCRIPT, announcer._esm), (access.ACCESS_STYLE, announcer._css)):
        assert path.read_text() in loaded     # the widget loads these very files (the diagram, with the access style)
        relative = path.relative_to(root).as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns["backprop_tutor"]), relative
