"""Define before use: no figure or page shows δ before the lesson has defined it."""

from backprop_tutor import load_example
from backprop_tutor.views.display import steps_markdown
from backprop_tutor.views.figures import backward_hidden_figure, backward_output_figure


def _texts(fig) -> list:
    fig.canvas.draw()
    return [a.get_text() for a in fig.findobj(lambda a: hasattr(a, "get_text"))]


def test_the_output_layer_figure_shows_no_delta():
    """Notebook 03 opens with this figure; δ is defined further down the page."""
    texts = _texts(backward_output_figure(load_example("mazur")))
    assert not [t for t in texts if "δ" in t or "delta" in t]
    assert any("out 0.7514" in t for t in texts)   # the values it does show are still there


def test_the_hidden_layer_figure_shows_output_deltas_but_not_its_own():
    """Notebook 04 builds on 03's output deltas; the hidden deltas come later on its page."""
    texts = "\n".join(_texts(backward_hidden_figure(load_example("mazur"))))
    assert "δ 0.1385" in texts          # δ_o1, defined in notebook 03
    assert texts.count("δ") == 2        # δ_o1 and δ_o2 only, no δ_h


def test_a_gradient_can_be_shown_without_the_delta_rule():
    with_rule = steps_markdown("mazur", keys="dE/dw5")
    without = steps_markdown("mazur", keys="dE/dw5", alternatives=False)
    assert r"\delta" in with_rule and r"\delta" not in without
