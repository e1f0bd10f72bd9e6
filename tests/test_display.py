"""The notebook displays that put numbers and names on the page: labelled values, the notation
table, an example's settings. Every number is checked against the package's own values, never typed."""

from __future__ import annotations

import re

import pytest

import backprop_tutor
from backprop_tutor import Namer, Network, load_example, train, walkthrough
from backprop_tutor.core.quantities import Delta, Net, Out, Weight
from backprop_tutor.teaching.formatting import fmt
from backprop_tutor.views.display import (
    example_markdown,
    notation_markdown,
    notation_table,
    show_example,
    show_values,
    values_markdown,
)


def _table(markdown: str) -> tuple[list, list]:
    """The header cells and the value cells of a two-row Markdown table."""
    head, rule, row = markdown.splitlines()
    assert set(rule) <= set("|-")
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in (head, row)]
    return cells[0], cells[1]


def test_values_are_named_and_come_from_the_example():
    example = load_example("mazur")
    names, values = _table(values_markdown(example, ["i1", "i2", "target_o1", "target_o2", "eta"]))
    namer = Namer(example.network)
    assert names == [f"${namer.tex(Out(0, 0))}$", f"${namer.tex(Out(0, 1))}$", r"$\mathrm{target}_{o1}$",
                     r"$\mathrm{target}_{o2}$", r"$\eta$"]
    expected = [*example.inputs[0], *example.targets[0], example.learning_rate]
    assert values == [fmt(v) for v in expected]


def test_values_default_to_every_weight_and_bias_in_order():
    example = load_example("mazur")
    names, values = _table(values_markdown(example))
    namer = Namer(example.network)
    assert names == [f"${namer.tex(k)}$" for k in example.network.parameters.keys]
    assert values == [fmt(v) for v in example.flat_parameters()]
    assert names[0] == "$w_{1}$" and names[-1] == "$b_{2}$"


def test_computed_values_and_either_notation():
    example = load_example("mazur")
    walk = walkthrough(example)
    names, values = _table(values_markdown(example, "net_h1"))      # one name, no list
    assert names == [r"$\mathrm{net}_{h1}$"] and values == [walk.step_for("net_h1").value_text]
    names, _ = _table(values_markdown(example, ["w5", "delta_o1"], notation="layered"))
    assert names == ["$w^{(3)}_{11}$", r"$\delta^{(3)}_{1}$"]
    names, values = _table(values_markdown(walk, "z1_2"))            # a layered name, a walkthrough
    assert values == [walk.step_for("net_h1").value_text]


def test_values_of_a_training_run_are_the_trained_parameters():
    example = load_example("mazur_article")
    run = train(example, epochs=50)
    names, values = _table(values_markdown(run))
    assert len(names) == example.network.parameter_count
    assert values == [fmt(v) for v in run.parameters]
    assert values != [fmt(v) for v in example.flat_parameters()]          # they did train
    assert all(len(re.sub(r"[^0-9]", "", v)) <= 10 for v in values)       # nine significant digits, not a repr
    with pytest.raises(KeyError, match="net_h1"):
        values_markdown(run, "net_h1")


def test_show_values_is_markdown():
    shown = show_values("mazur", "w1")
    assert shown.data == values_markdown("mazur", "w1")


def test_notation_table_pairs_every_quantity_in_both_notations():
    example = load_example("mazur")
    text = notation_markdown(example)
    mazur, layered = Namer(example.network, "mazur"), Namer(example.network, "layered")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 14
    keys = [Out(0, 0), Out(0, 1), Net(1, 0), Out(2, 1), Delta(2, 0), Delta(1, 1)]
    keys += list(example.network.parameters.keys)
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]   # what, layer, Mazur, layered
    for key in keys:
        [row] = [c for c in cells if f"${mazur.tex(key)}$" in c[2].split(", ")]
        position = row[2].split(", ").index(f"${mazur.tex(key)}$")
        assert row[3].split(", ")[position] == f"${layered.tex(key)}$", key
    [hidden_nets] = [c for c in cells if c[0] == "net inputs of the hidden layer"]
    assert hidden_nets[1] == "2"        # layers counted from 1 at the inputs
    assert "neuron 1 of layer 2" in text
    assert notation_table(example).data == text


def test_notation_table_of_deeper_and_per_neuron_networks():
    text = notation_markdown("xor")
    assert "biases of the hidden layer" in text and "$b^{(2)}_{1}$" in text
    deep = load_example("mazur").replace(
        network=Network([2, 2, 2, 2], ["sigmoid", "sigmoid", "sigmoid"], loss="half_sse", bias="shared"),
        weights=[[[0.1, 0.2], [0.3, 0.4]]] * 3, biases=[0.1, 0.2, 0.3])
    text = notation_markdown(deep)
    assert "weights into the hidden layer 1 | 2 |" in text and "weights into the hidden layer 2 | 3 |" in text
    assert "weights into the output layer | 4 |" in text
    w = Weight(3, 0, 0)
    assert f"${Namer(deep.network, 'layered').tex(w)}$" == "$w^{(4)}_{11}$" and "$w^{(4)}_{11}$" in text


def test_example_settings_in_words():
    for name in ("mazur", "mazur_article"):
        example = load_example(name)
        text = example_markdown(name)
        assert text.startswith(f"**{example.name}.**") and example.description in text
        assert f"{example.epochs:,} epochs" in text and f"η = {fmt(example.learning_rate)}" in text
        fixed = "the biases stay fixed" in text
        assert fixed is (not example.network.train_bias)
    assert "one update per epoch" in example_markdown("xor")
    assert show_example("xor").data == example_markdown("xor")


def test_the_displays_are_exported_at_the_top_level():
    for name in ("show_values", "show_example", "notation_table"):
        assert name in backprop_tutor.__all__
        assert getattr(backprop_tutor, name) is globals()[name]


def test_show_steps_takes_the_quantities_as_its_second_argument():
    """``show_steps(example, "dE/dw5")``, as the README and the notebooks write it."""
    from backprop_tutor.views.display import show_steps, steps_markdown
    assert show_steps("mazur", "dE/dw5").data == steps_markdown("mazur", keys="dE/dw5")
    assert "Gradient for w5" in steps_markdown("mazur", "dE/dw5")
