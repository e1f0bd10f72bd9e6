"""The network diagram and the figures: one artist per node and edge, restyled in place, never re-created."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (only to check that nothing registers with pyplot)
import pytest  # noqa: E402
from golden import W5, dE
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import (
    same_color,  # noqa: E402
    to_rgb,  # noqa: E402
)
from matplotlib.figure import Figure  # noqa: E402

from backprop_tutor import Example, Namer, Network, evaluate_step, preset, random_parameters, walkthrough  # noqa: E402
from backprop_tutor.core.quantities import Bias, Weight  # noqa: E402
from backprop_tutor.teaching.touches import edge_parameter, known_values, step_highlights  # noqa: E402
from backprop_tutor.views.diagram import NetworkDiagram  # noqa: E402
from backprop_tutor.views.diagram_ids import element_id, element_target  # noqa: E402
from backprop_tutor.views.figures import (  # noqa: E402
    FILES,
    backward_hidden_figure,
    backward_output_figure,
    figure_png,
    main,
    network_figure,
)
from backprop_tutor.views.palette import FADED_INK, FILLS, HIGHLIGHT, INK  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DE_DW5 = dE(W5)   # the gradient step of Mazur's w5
W1 = ("d", ("E",), ("w", 1, 0, 0))


def make(example, notation="mazur", size=(10, 5), **kwargs):
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    diagram = NetworkDiagram(ax, example.network, Namer(example.network, notation), **kwargs)
    diagram.update(weights=example.weights, biases=example.biases)
    return diagram


def artist_count(ax):
    return len(ax.lines) + len(ax.texts) + len(ax.patches) + len(ax.collections)


def edge_style(line):
    return (line.get_color(), line.get_linewidth(), line.get_linestyle(), line.get_alpha())


def node_style(line):
    return (line.get_markeredgecolor(), line.get_markeredgewidth(), line.get_markerfacecolor(), line.get_alpha())


@pytest.fixture(scope="module")
def seed():
    return preset("seed")


@pytest.fixture(scope="module")
def seed_walk(seed):
    return walkthrough(seed)


# --- structure -----------------------------------------------------------------------------

def test_one_artist_per_neuron_bias_and_error_node_and_per_edge(seed):
    d = make(seed)
    neurons = [(l, j) for l, n in enumerate(seed.network.layers) for j in range(n)]
    assert set(d.node_artists) == set(neurons) | {("bias", 1), ("bias", 2), ("E",)}
    weights = [((l - 1, k), (l, j)) for l in (1, 2) for j in range(2) for k in range(2)]
    biases = [(("bias", l), (l, j)) for l in (1, 2) for j in range(2)]
    errors = [((2, j), ("E",)) for j in range(2)]
    assert set(d.edge_artists) == set(weights + biases + errors)
    assert len(d.edge_artists) == 14
    assert set(d.edge_labels) == set(weights)  # a shared bias is labelled once, at its node
    every = list(d.node_artists.values()) + list(d.edge_artists.values())
    assert all(artist in d.ax.lines for artist in every) and len(set(map(id, every))) == len(every)
    assert d.figure is d.ax.figure


def test_per_neuron_biases_have_one_unit_per_layer_and_one_labelled_edge_per_neuron():
    xor = preset("xor")  # 2-3-1, per_neuron
    d = make(xor)
    assert [n for n in d.node_artists if n[0] == "bias"] == [("bias", 1), ("bias", 2)]
    bias_edges = [e for e in d.edge_artists if e[0][0] == "bias"]
    assert len(bias_edges) == 3 + 1
    assert set(bias_edges) <= set(d.edge_labels)


def test_no_bias_units_and_no_error_node_when_asked():
    net = Network((3, 2), ("sigmoid",), bias="none")
    weights, _ = random_parameters(net)
    example = Example(net, weights, [], [[0.1, 0.2, 0.3]], [[0.0, 1.0]])
    d = make(example, show_error=False)
    assert set(d.node_artists) == {(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)}
    assert len(d.edge_artists) == 6


# --- styles --------------------------------------------------------------------------------

def test_highlighting_a_step_restyles_exactly_its_nodes_and_edges(seed, seed_walk):
    d = make(seed)
    before_edges = {e: edge_style(line) for e, line in d.edge_artists.items()}
    before_nodes = {n: node_style(line) for n, line in d.node_artists.items()}
    step = seed_walk.step_for(DE_DW5)
    d.highlight_step(step, known_values(seed_walk, step.index))
    nodes, edges = step_highlights(step, seed.network)
    assert set(nodes) == {(1, 0), (2, 0), ("E",)}
    assert set(edges) == {((1, 0), (2, 0)), ((2, 0), ("E",))}
    strong_edges = {e for e, line in d.edge_artists.items() if same_color(line.get_color(), HIGHLIGHT)}
    strong_nodes = {n for n, line in d.node_artists.items() if same_color(line.get_markeredgecolor(), HIGHLIGHT)}
    assert strong_edges == set(edges)
    assert strong_nodes == set(nodes)
    for e, line in d.edge_artists.items():
        if e in edges:
            assert line.get_linewidth() > before_edges[e][1] and line.get_alpha() == 1.0
        else:
            assert line.get_alpha() < before_edges[e][3]  # faded
    for n, line in d.node_artists.items():
        if n not in nodes:
            assert line.get_alpha() < 1.0
    d.update()  # no highlight: every artist back to its plain style
    assert {e: edge_style(line) for e, line in d.edge_artists.items()} == before_edges
    assert {n: node_style(line) for n, line in d.node_artists.items()} == before_nodes


def test_update_highlights_only_the_items_given(seed):
    d = make(seed)
    edge = ((0, 1), (1, 0))
    d.update(highlight_nodes=[(0, 1)], highlight_edges=[edge])
    assert [e for e, line in d.edge_artists.items() if same_color(line.get_color(), HIGHLIGHT)] == [edge]
    assert [n for n, line in d.node_artists.items() if same_color(line.get_markeredgecolor(), HIGHLIGHT)] == [(0, 1)]


def test_weights_of_opposite_sign_differ_in_line_style_not_only_colour(seed):
    d = make(seed)
    weights = [[list(row) for row in matrix] for matrix in seed.weights]
    weights[1][0][0] = -0.4  # w5 negative, w6 positive
    d.update(weights=weights)
    negative, positive = d.edge_artists[((1, 0), (2, 0))], d.edge_artists[((1, 1), (2, 0))]
    assert negative.get_linestyle() == "--" and positive.get_linestyle() == "-"
    assert not same_color(negative.get_color(), positive.get_color())
    d.update(weights=[[[0.1, 3.0], [0.1, 0.1]], [[0.1, 0.1], [0.1, 0.1]]])
    assert d.edge_artists[((0, 1), (1, 0))].get_linewidth() > d.edge_artists[((0, 0), (1, 0))].get_linewidth()


def test_labels_show_names_values_and_the_focused_gradient(seed, seed_walk):
    d = make(seed)
    d.update(values=evaluate_step(seed).values)
    value = d.value_labels[(1, 0)].get_text()
    assert "net 0.3775" in value and "out 0.5933" in value
    assert "δ 0.008771" in value
    assert d.value_labels[(0, 0)].get_text() == "= 0.05"
    assert "target 0.01" in d.value_labels[(2, 0)].get_text()
    w5 = d.edge_labels[((1, 0), (2, 0))].get_text()
    assert "$w_{5}$" in w5 and "0.4" in w5 and "partial" not in w5
    step = seed_walk.step_for(DE_DW5)
    d.highlight_step(step, known_values(seed_walk, step.index))
    assert "0.08217" in d.edge_labels[((1, 0), (2, 0))].get_text()
    assert "δ" not in d.value_labels[(1, 0)].get_text()  # hidden deltas come later in the walkthrough
    d.update(show_weight_values=False)
    assert d.edge_labels[((1, 0), (2, 0))].get_text() == "$w_{5}$"


@pytest.mark.parametrize("name", ["seed", "xor", "softmax"])
@pytest.mark.parametrize("notation", ["mazur", "layered"])
def test_every_step_of_the_walkthrough_draws(name, notation):
    example = preset(name)
    walk = walkthrough(example, notation)
    d = make(example, notation)
    count = artist_count(d.ax)
    for step in walk:
        d.highlight_step(step, known_values(walk, step.index))
        nodes, edges = step_highlights(step, example.network)
        assert {e for e, line in d.edge_artists.items() if same_color(line.get_color(), HIGHLIGHT)} == set(edges)
    d.figure.canvas.draw()  # mathtext in every label parses
    assert artist_count(d.ax) == count


def test_layered_names_on_nodes(seed):
    d = make(seed, "layered")
    assert d.node_labels[(0, 0)].get_text() == "$x_{1}$"
    assert d.node_labels[(1, 0)].get_text() == "$a^{(2)}_{1}$"
    assert d.node_labels[("E",)].get_text() == "$E$"
    assert make(seed).node_labels[(1, 1)].get_text() == "$h_{2}$"


def test_large_networks_hide_per_edge_labels_unless_highlighted():
    net = Network((8, 16, 8), ("sigmoid", "sigmoid"), bias="per_neuron")
    weights, biases = random_parameters(net, 3)
    example = Example(net, weights, biases, [[0.5] * 8], [[0.5] * 8])
    d = make(example, size=(10, 6.5))
    assert not any(label.get_visible() for label in d.edge_labels.values())
    edge = ((0, 3), (1, 5))
    d.update(highlight_nodes=[(0, 3), (1, 5)], highlight_edges=[edge])
    assert [e for e, label in d.edge_labels.items() if label.get_visible()] == [edge]
    d.figure.canvas.draw()


def test_five_hundred_updates_create_no_artists_and_no_pyplot_figures(seed, seed_walk):
    figures = plt.get_fignums()
    d = make(seed)
    d.figure.canvas.draw()
    count, children = artist_count(d.ax), len(d.ax.get_children())
    for i in range(500):
        step = seed_walk[i % len(seed_walk)]
        d.highlight_step(step, known_values(seed_walk, step.index), weights=seed.weights, biases=seed.biases)
    d.figure.canvas.draw()
    assert artist_count(d.ax) == count
    assert len(d.ax.get_children()) == children
    assert plt.get_fignums() == figures


# --- text alternative ------------------------------------------------------------------------

def test_text_alternative_names_what_is_highlighted(seed, seed_walk):
    d = make(seed)
    assert "Network 2-2-2" in d.text_alternative() and "Nothing is highlighted" in d.text_alternative()
    assert "w5 = 0.4" in d.text_alternative()
    step = seed_walk.step_for(DE_DW5)
    d.highlight_step(step, known_values(seed_walk, step.index))
    text = d.text_alternative()
    assert "Highlighted:" in text
    assert "edge w5 from h1 to o1 (value 0.4, gradient 0.08217)" in text
    assert "E_total" in text and "o1 (net 1.106" in text
    assert "\n" not in text and "$" not in text
    assert "edge from o1 to the error E_total" in text  # a gradient lights the output's way to the error


def test_text_alternative_in_layered_notation(seed, seed_walk):
    walk = walkthrough(seed, "layered")
    step = walk.step_for(W1)
    d = make(seed, "layered")
    d.highlight_step(step, known_values(walk, step.index))
    text = d.text_alternative()
    assert "edge w11_2 from x1 to a1_2" in text and "a1_3" in text


# --- figures -------------------------------------------------------------------------------

def strong_items(fig):
    ax = fig.axes[0]
    edges = [line for line in ax.lines if line.get_marker() in ("None", None, "") and
             same_color(line.get_color(), HIGHLIGHT)]
    nodes = [line for line in ax.lines if line.get_marker() not in ("None", None, "") and
             same_color(line.get_markeredgecolor(), HIGHLIGHT)]
    return len(nodes), len(edges)


def test_figures_highlight_the_walkthrough_steps(seed):
    assert strong_items(network_figure(seed)) == (0, 0)
    assert strong_items(backward_output_figure(seed)) == (3, 2)   # h1, o1, E; w5 and o1 -> E
    assert strong_items(backward_hidden_figure(seed)) == (5, 5)   # i1, h1, o1, o2, E
    text = " ".join(t.get_text() for t in backward_output_figure(seed).texts)
    assert r"\frac{\partial E_{\mathrm{total}}}{\partial w_{5}}" in text and "0.0821670406" in text


def test_figures_do_not_register_with_pyplot(seed):
    figures = plt.get_fignums()
    png = figure_png(network_figure(seed, "layered"))
    assert png.startswith(PNG_SIGNATURE)
    assert plt.get_fignums() == figures


def test_figures_command_writes_three_pngs(tmp_path, capsys):
    assert main([str(tmp_path / "img")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for name, line in zip(FILES, lines):
        path = tmp_path / "img" / name
        assert str(path) in line
        assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_figures_command_reports_a_bad_example(tmp_path, capsys):
    assert main([str(tmp_path), "--example", "no-such-preset"]) == 2
    assert "error: example" in capsys.readouterr().err


# --- ids of the clickable parts (what an SVG click sends back) ------------------------------------

@pytest.mark.parametrize("name", ["seed", "xor"])
def test_every_weight_bias_and_neuron_artist_names_what_it_draws(name):
    """Each weight edge, bias and neuron artist carries an id that reads back as its own quantity."""
    example = preset(name)
    net = example.network
    d = make(example)
    for edge, line in d.edge_artists.items():
        param = edge_parameter(net, edge)
        assert element_target(line.get_gid(), net) == param, (edge, line.get_gid())
    for edge, text in d.edge_labels.items():
        assert element_target(text.get_gid(), net) == edge_parameter(net, edge)
    for node in d.nodes:
        gids = {d.node_artists[node].get_gid(), d.node_labels[node].get_gid(), d.value_labels[node].get_gid()}
        if node[0] == "bias":
            expected = Bias(node[1]) if net.parameters.shared else None
        elif node != ("E",) and node[0] > 0:
            expected = node
        else:
            expected = None   # inputs and the error open no step
        assert {element_target(g, net) if g else None for g in gids} == {expected}, node
    # Every id in the diagram is unique, as an SVG needs.
    ids = [a.get_gid() for a in d.ax.lines + d.ax.texts if a.get_gid()]
    assert len(ids) == len(set(ids))


def test_element_ids_read_back_only_what_the_network_has():
    seed_net, xor_net = preset("seed").network, preset("xor").network
    assert element_id(Weight(2, 0, 0)) == "bt-w-2-0-0" and element_target("bt-w-2-0-0", seed_net) == Weight(2, 0, 0)
    assert element_target("bt-w-2-0-0-label", seed_net) == Weight(2, 0, 0)
    assert element_target("bt-b-1-edge1", seed_net) == Bias(1)
    assert element_target("bt-n-2-1-value", seed_net) == (2, 1)
    assert element_target("bt-b-1-2", xor_net) == Bias(1, 2)          # xor: one bias per neuron
    for bad in ("bt-w-3-0-0", "bt-w-2-2-0", "bt-w-0-0-0", "bt-n-3-0", "bt-n-1-5", "bt-b-1-0", "bt-b-3",
                "bt-w-2-0", "w5", "", "bt-w-2-0-0-LABEL", "bt-w-2-0-0 ", "__import__('os')", "bt-x-1-0"):
        assert element_target(bad, seed_net) is None, bad
    assert element_target("bt-b-1", xor_net) is None                  # no shared bias there
    assert element_id(("E",)) is None and element_id(None) is None


def test_a_minimum_font_raises_every_text_and_writes_names_only(seed, seed_walk):
    """A projector's diagram: no text under ``min_font``, no numbers on it, no legend."""
    d = make(seed, size=(7.5, 4.2), min_font=21.6)
    step = seed_walk.step_for(DE_DW5)
    d.highlight_step(step, evaluate_step(seed).values, weights=seed.weights, biases=seed.biases)
    shown = [t for t in d.ax.texts if t.get_visible() and t.get_text()]
    assert shown and min(t.get_fontsize() for t in shown) >= 21.6
    assert not [t.get_text() for t in shown if "=" in t.get_text()]   # values are written "w5 = 0.4", "= 0.05"
    assert d.ax.get_legend() is None
    assert d.edge_labels[((1, 0), (2, 0))].get_visible()            # the highlighted w5 keeps its name
    normal = make(seed, size=(7.5, 4.2))
    assert max(t.get_fontsize() for t in normal.ax.texts) < 21.6 and normal.ax.get_legend() is not None


def _contrast(a, b) -> float:
    """WCAG 2.1 contrast ratio of two colours (the relative-luminance formula, written out here)."""
    def luminance(colour):
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_faded_text_keeps_aa_contrast(seed, seed_walk):
    """Text that is not highlighted is faded by colour, not transparency: 4.5:1 (WCAG AA) on white and every fill."""
    assert _contrast("#000000", "#ffffff") == pytest.approx(21.0) and _contrast("#777777", "#ffffff") < 4.5
    for background in ("white", *FILLS.values()):
        assert _contrast(FADED_INK, background) >= 4.5, background
    d = make(seed, size=(7.5, 4.2))
    step = seed_walk.step_for(DE_DW5)
    d.highlight_step(step, evaluate_step(seed).values, weights=seed.weights, biases=seed.biases)
    texts = [t for t in d.ax.texts if t.get_visible() and t.get_text()]
    faded = [t for t in texts if same_color(t.get_color(), FADED_INK)]
    assert faded and all(same_color(t.get_color(), INK) for t in texts if t not in faded)
    assert all(t.get_alpha() in (None, 1.0) for t in texts)           # no text is see-through


def test_every_value_on_the_diagram_is_in_its_text_alternative(seed, seed_walk):
    """What the picture writes (faded or highlighted) a screen reader hears: each number drawn is in the words."""
    d = make(seed, size=(7.5, 4.2))
    step = seed_walk.step_for(DE_DW5)
    d.highlight_step(step, known_values(seed_walk, step.index), weights=seed.weights, biases=seed.biases)
    words = d.text_alternative()
    drawn = [t.get_text() for t in d.ax.texts if t.get_visible() and t.get_text()]
    numbers = {n for text in drawn for n in re.findall(r"-?\d+\.\d+", text)}
    assert len(numbers) > 10
    assert all(n in words for n in numbers), sorted(n for n in numbers if n not in words)
