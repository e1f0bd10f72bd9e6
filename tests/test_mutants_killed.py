"""Tests that pin what mutation testing found (`make mutate`, README "Mutation testing").

Each test kills one or more mutants that survived the rest of mutmut's test selection: a small
change to the package (a flipped sign, a changed constant, a dropped argument) that no other test
noticed. Each names the behaviour it checks; its expected values come from a formula written
again in the test or from the definition it cites, never from the package's own output.
"""

from __future__ import annotations

import math
import re
import types

import numpy as np
import pytest
import sympy as sp

from backprop_tutor import (
    Bias,
    ErrorTerm,
    Example,
    Namer,
    Net,
    Network,
    Out,
    Partial,
    SpecError,
    Target,
    TotalError,
    Weight,
    preset,
    quantity,
    sweep,
    train,
)
from backprop_tutor.core import budget, engine, registry, sweeping
from backprop_tutor.core.bridge import compile_network, resolved
from backprop_tutor.core.registry import softmax
from backprop_tutor.core.sweeping import FEW_RATES
from backprop_tutor.core.symbolic import derive
from backprop_tutor.teaching.formatting import Form, Printers, alternative_tex, latex_escape, product, total
from backprop_tutor.teaching.render import render, training_lines
from backprop_tutor.teaching.walkthrough import walkthrough

MAZUR_NET = Network((2, 2, 2), ("sigmoid", "sigmoid"))


# --- teaching/notation.py ---------------------------------------------------------------------

def test_an_unknown_notation_is_refused_naming_both_notations():
    with pytest.raises(ValueError) as error:
        Namer(MAZUR_NET, "greek")
    assert str(error.value) == "notation: expected one of mazur, layered; got 'greek'"


def test_the_dataset_loss_is_called_L_past_one_sample_and_E_total_for_one():
    namer = Namer(MAZUR_NET, "mazur")
    assert namer.dataset_loss(1) == (r"E_{\mathrm{total}}", "E_total")
    # L is the mean loss over the dataset in both its TeX and its plain name.
    assert namer.dataset_loss(4) == ("L", "L")
    assert Namer(MAZUR_NET, "layered").dataset_loss(2) == ("L", "L")


@pytest.mark.parametrize("size, separator", [(8, ""), (9, ""), (10, ",")])
def test_layered_weight_indices_get_a_comma_only_past_nine_neurons(size, separator):
    # With at most 9 neurons every index is one digit, so "w19_2" reads "to 1, from 9" unambiguously.
    namer = Namer(Network((size, 2, 1), ("sigmoid", "sigmoid")), "layered")
    last = Weight(1, 0, size - 1)
    assert namer.text(last) == f"w1{separator}{size}_2"
    assert namer.tex(last) == f"w^{{(2)}}_{{1{separator}{size}}}"
    assert namer.parse(namer.text(last)) == last


@pytest.mark.parametrize("notation", ["mazur", "layered"])
def test_the_names_an_unknown_name_suggests_are_real_names_in_its_notation(notation):
    namer = Namer(preset("mazur").network, notation)
    with pytest.raises(SpecError) as error:
        namer.parse("no_such_thing")
    suggested = re.search(r"\(names look like (.*)\)$", str(error.value))
    assert suggested is not None, str(error.value)
    names = suggested.group(1).split(", ")
    assert len(names) == 5
    kinds = [type(namer.parse(name)).__name__ for name in names]   # each one reads back in this notation
    assert kinds == ["Weight", "Net", "Delta", "Partial", "Updated"]


@pytest.mark.parametrize("notation", ["mazur", "layered"])
def test_every_input_target_and_error_term_reads_back_when_layer_sizes_differ(notation):
    # 3 inputs, 1 hidden neuron, 3 outputs: a table sized by the wrong layer misses some names.
    namer = Namer(Network((3, 1, 3), ("sigmoid", "sigmoid")), notation)
    keys = [Out(0, k) for k in range(3)] + [Target(j) for j in range(3)] + [ErrorTerm(j) for j in range(3)]
    for key in keys:
        assert namer.parse(namer.text(key)) == key


@pytest.mark.parametrize("notation, name", [("mazur", "net_i1"), ("mazur", "delta_i2"),
                                            ("layered", "z1_1"), ("layered", "delta2_1")])
def test_inputs_have_no_net_input_or_delta_to_read_back(notation, name):
    # The input layer only holds the data: no neuron there sums anything or has a delta.
    with pytest.raises(SpecError):
        Namer(MAZUR_NET, notation).parse(name)


def test_a_key_that_is_no_quantity_is_refused_quoting_it():
    with pytest.raises(SpecError) as error:
        quantity(("nope", 1), MAZUR_NET)
    assert "('nope', 1)" in str(error.value)
    assert str(error.value).startswith("quantity: ")


# --- teaching/formatting.py -------------------------------------------------------------------

def test_softmax_text_brackets_each_exponent_once():
    # softmax_i = e^(z_i) / sum_k e^(z_k), written out as exp(...) in plain text.
    a, b, w, c = sp.symbols("a b w c")
    printers = Printers({}, {a: "net_o1", b: "net_o2", w: "w5", c: "b2"}, {a: -0.5, b: 1.5, w: -0.5, c: 0.25})
    assert printers.text(softmax(0, a, b)) == "exp(net_o1)/(exp(net_o1) + exp(net_o2))"
    # A negative number prints in brackets already: exp(-0.5), never exp((-0.5)).
    assert printers.text_numbers(softmax(0, a, b)) == "exp(-0.5)/(exp(-0.5) + exp(1.5))"
    # A sum that merely starts with a bracket still needs its own: exp((-0.5)*(-0.5) + 0.25).
    z = total(product(w, a), c)
    assert printers.text_numbers(softmax(1, z, b)) == "exp(1.5)/(exp((-0.5)*(-0.5) + 0.25) + exp(1.5))"


def test_an_alternative_form_without_a_value_ends_on_its_numbers():
    form = Form("by the chain rule", "a = b + c", "a = 1 + 2", "a = b + c", "a = 1 + 2")
    assert alternative_tex(form) == r"\begin{aligned}a &= b + c \\ &= 1 + 2\end{aligned}"
    assert alternative_tex(form, "3") == r"\begin{aligned}a &= b + c \\ &= 1 + 2 \\ &= 3\end{aligned}"


def test_latex_escape_turns_control_characters_into_spaces_but_keeps_newline_and_tab():
    # A carriage return would end TeX's input line early and DEL is invalid input: both become a space.
    assert latex_escape("a\rb\x7fc\td\ne") == "a b c\td\ne"


# --- teaching/render.py -----------------------------------------------------------------------

def test_the_training_sentences_name_the_loss_in_the_walkthroughs_notation():
    one = preset("mazur")
    run = train(one, epochs=3)
    assert training_lines(run, walkthrough(one, "layered"))[1].startswith("E = ")
    assert training_lines(run, walkthrough(one, "mazur"))[1].startswith("E_total = ")
    four = preset("xor")
    assert len(four.inputs) == 4
    run = train(four, epochs=3)
    assert training_lines(run, walkthrough(four, "layered"))[1].startswith("L, the mean of E over the 4 samples = ")


def test_a_stopped_run_is_said_to_be_stopped_at_its_epoch():
    example = preset("mazur")
    stopped = train(example, epochs=5000, progress=lambda done, total: False)
    assert stopped.state == "stopped" and 0 < stopped.stopped_at < 5000
    assert training_lines(stopped, walkthrough(example))[0] == (
        f"Training at learning rate 0.5 was stopped after epoch {stopped.stopped_at} of 5000; "
        "the values below are from there:")


def test_a_saturated_run_is_said_to_have_stalled_at_its_rate():
    example = preset("mazur")
    run = train(example, epochs=300, learning_rate=1e6)   # every sigmoid pinned at a flat end
    assert run.state == "saturated"
    assert training_lines(run, walkthrough(example))[0].startswith(
        "Training at learning rate 1000000 stalled: after 300 epochs every gradient is practically 0")


def test_the_lecture_path_is_announced_in_every_format():
    walk = walkthrough(preset("mazur"))
    note = f"The lecture path: {len(walk.path('lecture'))} of the {len(walk)} steps, one of each kind."
    assert len(walk.path("lecture")) < len(walk)
    assert note in render(walk, fmt_name="text", path="lecture").splitlines()
    lines = render(walk, fmt_name="markdown", path="lecture").splitlines()
    assert lines[lines.index(note) + 1] == ""   # a paragraph of its own
    assert note in render(walk, fmt_name="latex", path="lecture").splitlines()
    for fmt_name in ("text", "markdown", "latex"):
        assert "lecture path" not in render(walk, fmt_name=fmt_name)


# --- core/registry.py -------------------------------------------------------------------------

def test_an_unknown_activation_or_loss_is_named_in_the_error():
    with pytest.raises(ValueError) as error:
        registry.activation("swish_nope")
    assert str(error.value) == "activation: unknown 'swish_nope'"
    with pytest.raises(ValueError) as error:
        registry.loss("hinge_nope")
    assert str(error.value) == "loss: unknown 'hinge_nope'"


def test_evaluated_rebuilds_a_display_expression_with_sympys_simplifications():
    x, y = sp.symbols("x y")
    shown = sp.Mul(2, sp.Add(x, x, evaluate=False), evaluate=False)   # 2·(x + x), kept as written
    assert shown != 4 * x
    assert registry.evaluated(shown) == 4 * x
    assert registry.evaluated(sp.Add(y, sp.Mul(-1, y, evaluate=False), evaluate=False)) == 0
    assert registry.evaluated(x) == x


# --- core/bridge.py ---------------------------------------------------------------------------

def test_resolved_hands_a_loop_the_lambdified_function_itself():
    compiled = compile_network(MAZUR_NET)
    plain = resolved(compiled.forward_math)
    # The function lambdify made, not the wrapper that makes it on first use: a loop calls it directly.
    assert isinstance(plain, types.FunctionType)
    assert resolved(compiled.forward_math) is plain
    assert resolved(plain) is plain
    example = preset("mazur")
    x, t = example.inputs[0], example.targets[0]
    assert list(plain(example.flat_parameters(), x, t)) == list(compiled.forward_math(example.flat_parameters(), x, t))


def test_lambdify_never_prints_the_derived_expressions_into_a_docstring():
    # Printing every expression again for the docstring was a large part of a big net's compile
    # time (bridge._Lazy): the functions carry no expression and no source in their docstring.
    compiled = compile_network(Network((2, 2, 1), ("sigmoid", "sigmoid")))
    for field in ("forward_math", "step_numpy", "evaluate"):
        doc = resolved(getattr(compiled, field)).__doc__ or ""
        assert "def _lambdifygenerated" not in doc and "return" not in doc, field


# --- core/symbolic.py -------------------------------------------------------------------------

def _chain_keys(derivation, param):
    return [tuple(factor.key for factor in product) for product in derivation.chain(param)]


def test_the_chain_rule_of_an_elementwise_activation_has_one_product_per_path():
    # Mazur's ∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5: out_o2 does not depend on
    # net_o1 for a sigmoid, so no product goes through it.
    E = TotalError()
    d = derive(MAZUR_NET)
    assert _chain_keys(d, Weight(2, 0, 0)) == [
        (Partial(E, Out(2, 0)), Partial(Out(2, 0), Net(2, 0)), Partial(Net(2, 0), Weight(2, 0, 0)))]
    assert _chain_keys(d, Weight(1, 0, 0)) == [
        (Partial(E, Out(1, 0)), Partial(Out(1, 0), Net(1, 0)), Partial(Net(1, 0), Weight(1, 0, 0)))]
    # A softmax output depends on every net input of its layer: one product through each output.
    d = derive(Network((2, 3), ("softmax",), loss="ce"))
    assert _chain_keys(d, Weight(1, 0, 0)) == [
        (Partial(E, Out(1, i)), Partial(Out(1, i), Net(1, 0)), Partial(Net(1, 0), Weight(1, 0, 0))) for i in range(3)]


# --- core/engine.py: training some parameters only, with progress, and the replay --------------

# Mazur's published values after one update (mattmazur.com, "A Step by Step Backpropagation Example").
MAZUR_W1_AFTER, MAZUR_W5_AFTER = 0.149780716, 0.35891648


def test_training_only_some_parameters_moves_those_and_keeps_the_rest():
    example = preset("mazur")
    start = example.flat_parameters()
    keys = list(example.network.parameters.keys)
    run = train(example, epochs=1, only=[Weight(2, 0, 0), Weight(1, 0, 0)])
    for key, before, after in zip(keys, start, run.parameters):
        if key == Weight(2, 0, 0):
            assert after == pytest.approx(MAZUR_W5_AFTER, abs=1e-8)
        elif key == Weight(1, 0, 0):
            assert after == pytest.approx(MAZUR_W1_AFTER, abs=1e-9)
        else:
            assert after == before, key
    # One key on its own is one key, not a sequence of its fields.
    alone = train(example, epochs=1, only=Weight(2, 0, 0))
    assert alone.parameters[keys.index(Weight(2, 0, 0))] == pytest.approx(MAZUR_W5_AFTER, abs=1e-8)
    assert sum(a != b for a, b in zip(alone.parameters, start)) == 1
    # The same with progress reported: the chunks keep the other parameters too.
    chunked = train(example, epochs=600, only=[Weight(2, 0, 0)], progress=lambda done, total: True)
    assert sum(a != b for a, b in zip(chunked.parameters, start)) == 1


def test_only_a_parameter_that_is_not_trained_is_refused_naming_it():
    example = preset("mazur")
    frozen_bias = example.replace(network=Network((2, 2, 2), ("sigmoid", "sigmoid"), train_bias=False))
    with pytest.raises(SpecError) as error:
        train(frozen_bias, epochs=1, only=[Bias(1)])
    assert error.value.field == "only"
    assert str(error.value) == f"only: {Bias(1)!r} is not a trained parameter of this network"


def _calls(log):
    return lambda done, total: log.append((done, total))


def test_a_run_reporting_progress_gives_the_numbers_of_one_run():
    example = preset("mazur")
    whole = train(example, epochs=3000)
    log = []
    chunked = train(example, epochs=3000, progress=_calls(log))
    np.testing.assert_array_equal(chunked.loss_history, whole.loss_history)
    assert chunked.parameters == whole.parameters and chunked.stopped_at is None
    dones = [done for done, _ in log]
    assert all(total == 3000 for _, total in log) and dones == sorted(set(dones)) and dones[-1] == 3000
    assert all(isinstance(done, int) for done in dones)


def test_progress_comes_every_hundredth_of_a_long_run():
    log = []
    train(preset("mazur"), epochs=30_000, progress=_calls(log))
    assert [done for done, _ in log] == list(range(300, 30_001, 300))


def test_a_run_of_no_epochs_with_progress_has_the_first_loss_only():
    run = train(preset("mazur"), epochs=0, progress=_calls([]))
    assert list(run.loss_history) == [pytest.approx(0.298371109, abs=1e-9)]   # Mazur's E_total


def test_a_diverging_run_reporting_progress_diverges_at_the_same_epoch():
    linear = preset("seed").replace(network=Network((2, 2, 2), ("linear", "linear")), learning_rate=50.0)
    whole = train(linear, epochs=100)
    chunked = train(linear, epochs=100, progress=lambda done, total: True)
    assert whole.diverged_at is not None and whole.diverged_at >= 1
    assert chunked.diverged_at == whole.diverged_at
    np.testing.assert_array_equal(chunked.loss_history, whole.loss_history)
    assert chunked.parameters == whole.parameters


def test_ctrl_c_in_the_progress_callback_or_in_a_chunk_stops_after_the_last_whole_chunk(monkeypatch):
    example = preset("mazur")

    def interrupt(done, total):
        if done >= 512:
            raise KeyboardInterrupt
    stopped = train(example, epochs=5000, progress=interrupt)
    assert stopped.state == "stopped" and stopped.stopped_at == 512
    np.testing.assert_array_equal(stopped.loss_history, train(example, epochs=512).loss_history)

    real_run, calls = engine._run, []

    def interrupted_run(*args):
        calls.append(1)
        if len(calls) == 3:   # Ctrl-C during the third chunk: the first two stand
            raise KeyboardInterrupt
        return real_run(*args)
    monkeypatch.setattr(engine, "_run", interrupted_run)
    stopped = train(example, epochs=5000, progress=lambda done, total: True)
    assert stopped.state == "stopped" and stopped.stopped_at == 512
    assert len(stopped.loss_history) == 513


def test_a_weight_gone_nan_behind_a_finite_loss_is_found_at_its_epoch():
    # A linear hidden layer into ReLU outputs at an absurd rate: a weight overflows while the loss
    # stays finite. The reference: every epoch's step by hand, every parameter checked after it.
    net = Network([2, 2, 2], ["linear", "relu"], bias="shared")
    example = Example(net, [[[0.0, -8.01], [8.53, 1.64]], [[2.47, -1.23], [-7.48, 9.99]]], [0.1, 0.1],
                      [[-0.66, -0.27]], [[0.5, 1.0]], learning_rate=6e307, epochs=1000)
    step = compile_network(net).step_math
    params, history, diverged_at = example.flat_parameters(), [], None
    x, t = example.inputs[0], example.targets[0]
    for epoch in range(example.epochs):
        out = step(params, x, t, example.learning_rate)
        assert math.isfinite(out[0])
        history.append(out[0])
        if not all(map(math.isfinite, out[1:])):
            diverged_at = epoch + 1
            break
        params = list(out[1:])
    assert diverged_at is not None
    run = train(example)
    assert run.diverged_at == diverged_at
    assert list(run.loss_history) == history
    assert run.parameters == params


# --- core/sweeping.py: the layer-stacked sweep ------------------------------------------------

def _linear_seed(epochs=100):
    return preset("seed").replace(network=Network((2, 2, 2), ("linear", "linear")), epochs=epochs)


def test_a_stacked_sweep_where_every_rate_diverges_matches_train_rate_by_rate():
    example = _linear_seed()
    rates = np.linspace(40.0, 80.0, FEW_RATES + 8)   # more than FEW_RATES: the layer-stacked code
    swept = sweep(example, rates, 100, keep_history=True)
    runs = [train(example, 100, float(rate)) for rate in rates]
    assert list(swept.diverged_at) == [run.diverged_at for run in runs]
    last = max(run.diverged_at for run in runs)
    # The sweep stops at the epoch the last run diverged; each column is its run's losses (NumPy and
    # Python floats differ in the last bits as they grow to 1e248), then not finite.
    assert swept.loss_history.shape == (last + 1, rates.size)
    for c, run in enumerate(runs):
        np.testing.assert_allclose(swept.loss_history[: run.diverged_at, c], run.loss_history, rtol=1e-12)
        assert not np.isfinite(swept.loss_history[run.diverged_at, c])
    assert np.all(np.isnan(swept.final_loss)) and list(swept.state) == ["diverged"] * rates.size


def test_a_stacked_sweep_without_history_keeps_none():
    rates = np.linspace(0.1, 0.5, FEW_RATES + 8)
    assert sweep(_linear_seed(), rates, 20).loss_history is None
    assert sweep(_linear_seed(), np.linspace(40.0, 80.0, FEW_RATES + 8), 20).loss_history is None


def test_a_stacked_sweep_whose_first_loss_overflows_diverges_at_epoch_0_everywhere():
    example = _linear_seed().replace(weights=[[[1e308, 1e308], [1e308, 1e308]], [[1e308, 1e308], [1e308, 1e308]]])
    rates = np.linspace(0.1, 0.5, FEW_RATES + 8)
    swept = sweep(example, rates, 50, keep_history=True)
    assert train(example, 50, 0.1).diverged_at == 0
    assert list(swept.diverged_at) == [0] * rates.size
    assert swept.loss_history.shape == (1, rates.size) and not np.any(np.isfinite(swept.loss_history))


def test_a_stacked_sweep_of_diverging_and_converging_rates_matches_train_rate_by_rate():
    example = _linear_seed(60)
    rates = np.linspace(0.1, 80.0, FEW_RATES + 8)
    swept = sweep(example, rates, 60)   # under pytest's "RuntimeWarning is an error": no overflow warning
    assert swept.epochs == 60
    runs = [train(example, 60, float(rate)) for rate in rates]
    assert list(swept.diverged_at) == [-1 if run.diverged_at is None else run.diverged_at for run in runs]
    assert 0 < np.sum(swept.diverged_at < 0) < rates.size
    for c, run in enumerate(runs):
        if run.diverged_at is None:
            assert swept.final_loss[c] == pytest.approx(run.loss, rel=1e-9, abs=1e-15)


def test_every_run_of_a_sweep_by_runs_is_let_past_the_budget_with_no_limit(monkeypatch):
    monkeypatch.setattr(budget, "LIMIT_SECONDS", 1e-12)   # every run is "too long" now
    example = preset("mazur")
    with pytest.raises(SpecError):
        sweep(example, [0.5, 1.0], 20)
    swept = sweep(example, [0.5, 1.0], 20, no_limit=True)
    assert list(swept.diverged_at) == [-1, -1] and swept.epochs == 20


def test_batch_training_of_some_parameters_keeps_the_others():
    example = preset("mazur").replace(update="batch")   # one sample: the batch step is Mazur's step
    keys = list(example.network.parameters.keys)
    run = train(example, epochs=1, only=[Weight(2, 0, 0)])
    for key, before, after in zip(keys, example.flat_parameters(), run.parameters):
        if key == Weight(2, 0, 0):
            assert after == pytest.approx(MAZUR_W5_AFTER, abs=1e-8)
        else:
            assert after == before, key


def test_a_batch_runs_recorded_path_holds_the_parameters_of_every_epoch():
    example = preset("xor").replace(update="batch")
    run = train(example, epochs=3, record_path=True)
    assert run.path.shape == (4, len(example.flat_parameters()))
    assert list(run.path[0]) == example.flat_parameters()
    for epoch in (1, 2, 3):
        assert list(run.path[epoch]) == train(example, epochs=epoch).parameters


def test_no_limit_keeps_every_other_option_of_train_and_sweep(monkeypatch):
    monkeypatch.setattr(budget, "LIMIT_SECONDS", 1e-12)   # every run is "too long": only no_limit runs it
    example = preset("mazur")
    start = example.flat_parameters()
    only = train(example, epochs=1, only=[Weight(2, 0, 0)], no_limit=True)
    assert sum(a != b for a, b in zip(only.parameters, start)) == 1
    assert train(example, epochs=3, record_path=True, no_limit=True).path.shape == (4, len(start))
    log = []
    train(example, epochs=600, progress=_calls(log), no_limit=True)
    assert log and log[-1] == (600, 600)
    swept = sweep(_linear_seed(), np.linspace(0.1, 0.5, FEW_RATES + 8), 20, keep_history=True, no_limit=True)
    assert swept.loss_history.shape == (21, FEW_RATES + 8) and swept.epochs == 20


def test_progress_and_a_recorded_path_together_are_refused_naming_progress():
    with pytest.raises(SpecError) as error:
        train(preset("mazur"), epochs=10, record_path=True, progress=lambda done, total: True)
    assert str(error.value) == ("progress: a recorded path is made in one run; "
                                "ask for progress or the path, not both")


# --- core/sweeping.py and core/engine.py: which path runs -------------------------------------

def _spy(monkeypatch, module, name, calls):
    """Replace ``module.name`` by a wrapper that notes each call by name and delegates to the real one."""
    real = getattr(module, name)

    def spy(*args, **kwargs):
        calls.append(name)
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, spy)


@pytest.mark.parametrize("update, samples, count, expected", [
    ("online", 1, FEW_RATES, ["_sweep_by_runs"]),        # up to FEW_RATES rates of one sample: one train() per rate
    ("online", 1, FEW_RATES + 1, ["_sweep_stacked"]),    # more: the layer-stacked code (a sigmoid net has one form)
    ("online", 4, 2, []),                                 # several samples: the per-neuron vectorised sweep
    ("batch", 1, 2, []),                                  # batch: the per-neuron vectorised sweep, whatever the count
    ("batch", 1, FEW_RATES + 1, []),
])
def test_a_sweep_runs_the_path_its_docstring_names(monkeypatch, update, samples, count, expected):
    calls = []
    _spy(monkeypatch, sweeping, "_sweep_by_runs", calls)
    _spy(monkeypatch, sweeping, "_sweep_stacked", calls)
    base = preset("mazur") if samples == 1 else preset("xor")
    example = base.replace(update=update)
    assert example.n_samples == samples
    swept = sweep(example, np.linspace(0.1, 0.5, count), 3)
    assert calls == expected
    assert swept.final_loss.shape == (count,) and np.all(swept.diverged_at == -1)


def test_a_sweeps_budget_counts_the_history_it_is_asked_to_keep(monkeypatch):
    # Memory of a sweep (budget.sweep_cost): 8 bytes × rates × parameters × (2 + 3 per sample), and
    # with keep_history 8 bytes × (epochs + 1) × rates more. Mazur's net (10 parameters), 2 rates,
    # 100 epochs: 800 bytes without the history, 800 + 1616 with it.
    monkeypatch.setattr(budget, "LIMIT_BYTES", 2000)
    example = preset("mazur")
    assert sweep(example, [0.5, 1.0], 100).loss_history is None
    with pytest.raises(SpecError) as error:
        sweep(example, [0.5, 1.0], 100, keep_history=True)
    assert error.value.field == "learning_rates" and "memory" in str(error.value)


def test_the_runs_of_a_sweep_by_runs_are_not_held_to_trains_own_memory_budget(monkeypatch):
    # A sweep's memory grows with rates × parameters, one run's with its epochs (8 bytes each):
    # 2 rates × 2000 epochs of Mazur's 10 parameters fit the sweep's 8000 bytes (800 needed), while
    # one train() of 2000 epochs on its own would be refused (16008 bytes).
    monkeypatch.setattr(budget, "LIMIT_BYTES", 8000)
    example = preset("mazur")
    with pytest.raises(SpecError):
        train(example, 2000)
    swept = sweep(example, [0.5, 1.0], 2000)
    assert list(swept.diverged_at) == [-1, -1]
    assert swept.final_loss[0] == pytest.approx(train(example, 2000, 0.5, no_limit=True).loss, rel=1e-12)


def test_trains_budget_costs_a_batch_epoch_as_batch_and_an_online_one_as_online(monkeypatch):
    # budget.training_seconds: an online epoch of one sample costs 0.5 + 0.3 µs per parameter
    # (Mazur's 10: 3.5 µs), a batch epoch 3.05 µs per parameter (30.5 µs). 100 epochs: 0.35 ms
    # online, 3.05 ms batch; a limit of 1 ms lets the first through and refuses the second.
    example = preset("mazur")
    compile_network(example.network)   # derived before the limit drops (deriving has its own estimate)
    monkeypatch.setattr(budget, "LIMIT_SECONDS", 1e-3)
    assert train(example, 100).diverged_at is None
    with pytest.raises(SpecError) as error:
        train(example.replace(update="batch"), 100)
    assert error.value.field == "epochs"


def _big_net_example():
    # 2·16 + 16·16 weights and 16 + 16 biases: 320 parameters, MATRIX_FROM (160) per weight layer exactly.
    network = Network([2, 16, 16], ["sigmoid", "sigmoid"], "half_sse", "per_neuron")
    weights, biases = network.parameters.random(seed=3)
    return Example(network, weights, biases, [[0.3, 0.7]], [[0.5] * 16], learning_rate=0.5, epochs=5)


def _spy_matrix_loop(monkeypatch):
    """Note every matrix-code loop engine builds and every chunk it runs."""
    from backprop_tutor.core.layer_code import matrix_loop

    built, ran = [], []

    def spy(network):
        built.append(network)
        loop = matrix_loop(network)

        def run(*args):
            ran.append(args[4:6])   # (start, stop)
            return loop(*args)
        return None if loop is None else run
    monkeypatch.setattr(engine, "matrix_loop", spy)
    return built, ran


def test_one_sample_online_training_runs_matrix_code_from_matrix_from_parameters_per_layer(monkeypatch):
    example = _big_net_example()
    assert len(example.network.parameters.keys) == engine.MATRIX_FROM * example.network.depth == 320
    built, ran = _spy_matrix_loop(monkeypatch)
    run = train(example, 5)
    assert ran == [(0, 5)] and run.diverged_at is None
    # Mazur's net (10 parameters, 5 per layer) keeps the scalar generated loop.
    built.clear(), ran.clear()
    calls = []
    _spy(monkeypatch, engine, "_train_generated", calls)
    train(preset("mazur"), 5)
    assert built == [] and ran == [] and calls == ["_train_generated"]
    # A 4-10-4 net (94 parameters, 47 per layer) is under the limit as well.
    middle = Network([4, 10, 4], ["sigmoid", "sigmoid"], "half_sse", "per_neuron")
    assert len(middle.parameters.keys) == 94 and middle.depth == 2
    weights, biases = middle.parameters.random(seed=3)
    train(Example(middle, weights, biases, [[0.1, 0.2, 0.3, 0.4]], [[0.5] * 4], learning_rate=0.5, epochs=2))
    assert built == [] and ran == []


def test_a_big_net_trained_with_only_keeps_the_other_parameters_in_the_scalar_loop(monkeypatch):
    # The matrix code cannot freeze parameters: with `only` the run keeps the scalar generated loop.
    example = _big_net_example()
    built, ran = _spy_matrix_loop(monkeypatch)
    keys = list(example.network.parameters.keys)
    run = train(example, 3, only=[Weight(1, 0, 0)])
    assert ran == []
    moved = [key for key, before, after in zip(keys, example.flat_parameters(), run.parameters) if before != after]
    assert moved == [Weight(1, 0, 0)]


def _reference_online(example, epochs, rate, mask=None):
    """Online training by hand, sample by sample: (losses before each epoch, parameters at each epoch start,
    diverged_at). The loss is the mean over the samples before the epoch; a parameter outside ``mask`` is
    kept; a float error, or a non-finite loss or parameter, is a divergence (the last finite parameters kept)."""
    step = compile_network(example.network).step_math
    forward = compile_network(example.network).forward_math
    params = list(example.flat_parameters())
    losses, path = [], []
    samples = list(zip(example.inputs, example.targets))

    def loss_of(p):
        try:
            value = sum(forward(p, x, t)[0] for x, t in samples) / len(samples)
        except (OverflowError, ValueError, ZeroDivisionError):
            return math.inf
        return value

    for epoch in range(epochs + 1):
        loss = loss_of(params)
        if not math.isfinite(loss):
            return losses, path, epoch
        losses.append(loss)
        path.append(list(params))
        if epoch == epochs:
            return losses, path, None
        new = params
        try:
            for x, t in samples:
                out = step(new, x, t, rate)[1:]
                new = list(out) if mask is None else [n if keep else o for n, o, keep in zip(out, new, mask)]
        except (OverflowError, ValueError, ZeroDivisionError):
            return losses, path, epoch + 1
        if not all(map(math.isfinite, new)):
            return losses, path, epoch + 1
        params = list(new)


def test_online_training_of_several_samples_with_only_keeps_the_other_parameters():
    example = preset("xor").replace(update="online")
    assert example.n_samples == 4
    keys = list(example.network.parameters.keys)
    run = train(example, 5, only=[Weight(2, 0, 0)])
    moved = [key for key, before, after in zip(keys, example.flat_parameters(), run.parameters) if before != after]
    assert moved == [Weight(2, 0, 0)]
    mask = [key == Weight(2, 0, 0) for key in keys]
    losses, path, diverged_at = _reference_online(example, 5, example.learning_rate, mask)
    assert diverged_at is None
    np.testing.assert_allclose(run.loss_history, losses, rtol=1e-12)


def test_online_training_of_several_samples_records_the_parameters_at_each_epoch():
    example = preset("xor").replace(update="online")
    run = train(example, 4, record_path=True)
    losses, path, _ = _reference_online(example, 4, example.learning_rate)
    assert run.path.shape == (5, len(example.flat_parameters()))
    np.testing.assert_allclose(run.path, path, rtol=1e-12)
    np.testing.assert_allclose(run.loss_history, losses, rtol=1e-12)


# --- core/engine.py: saturation with only, and the limits --------------------------------------

def _saturated_hidden():
    # w1 = 100 into a sigmoid: out_h1 = 1/(1 + e^-100) is 1.0 in floats, so its slope out(1 - out)
    # is exactly 0 and so is ∂E/∂w1; the output neuron (w2 = 1, out 0.731 against 0.9) still learns.
    network = Network([1, 1, 1], ["sigmoid", "sigmoid"], "half_sse", "none")
    return Example(network, [[[100.0]], [[1.0]]], [], [[1.0]], [[0.9]], learning_rate=0.5, epochs=0)


def test_a_run_whose_only_trained_parameter_has_no_gradient_is_saturated():
    example = _saturated_hidden()
    assert train(example, 0, only=[Weight(1, 0, 0)]).state == "saturated"
    assert train(example, 3, only=[Weight(1, 0, 0)]).state == "saturated"
    # Trained with w2 as well, or with w2 alone, the run is not stalled: w2's gradient is not 0.
    assert train(example, 0).state == "trained"
    assert train(example, 0, only=[Weight(2, 0, 0)]).state == "trained"


def test_a_run_with_no_trained_parameter_is_not_called_saturated():
    # No trained parameter: no gradient to be flat (the loss is still above SATURATED_LOSS).
    example = _saturated_hidden()
    run = train(example, 2, only=[])
    assert run.parameters == example.flat_parameters() and run.state == "trained"


def _linear_one_weight(x, target, weight=0.0, loss="half_sse"):
    network = Network([1, 1], ["linear"], loss, "none")
    return Example(network, [[[weight]]], [], [[x]], [[target]], learning_rate=0.5, epochs=0)


def test_a_gradient_of_exactly_saturated_gradient_is_not_below_the_limit():
    # out = w·x = 0 against t = -1: E = ½ > SATURATED_LOSS and ∂E/∂w = (out - t)·x = x.
    assert engine.SATURATED_GRADIENT == 1e-12
    assert train(_linear_one_weight(1e-12, -1.0), 0).state == "trained"
    assert train(_linear_one_weight(0.5e-12, -1.0), 0).state == "saturated"


def test_a_sweeps_loss_of_exactly_saturated_loss_is_not_above_the_limit():
    # out = w·x = 1e7 · 1e-10 = 0.001 (exact in floats) against t = 0, E = (t - out)² = 1e-6 exactly;
    # ∂E/∂w = 2·out·x = 2e-13, under SATURATED_GRADIENT. The layer-stacked sweep's end (more than
    # FEW_RATES rates, no epoch) checks the loss against SATURATED_LOSS itself.
    assert engine.SATURATED_LOSS == 1e-6 and (1e7 * 1e-10) ** 2 == 1e-6
    rates = np.linspace(0.1, 0.5, FEW_RATES + 1)
    at_limit = sweep(_linear_one_weight(1e-10, 0.0, 1e7, "sse"), rates, 0)
    assert list(at_limit.final_loss) == [1e-6] * rates.size and list(at_limit.state) == ["trained"] * rates.size
    above = sweep(_linear_one_weight(1e-10, 0.0, 2e7, "sse"), rates, 0)
    assert list(above.state) == ["saturated"] * rates.size


# --- core/engine.py: divergence found after the generated loop's first chunk --------------------

def _slow_linear(rate=2.075, inputs=(1.0,), weights=None):
    # w ← w - η·(w·x - 0)·x = (1 - η)·w for x = 1: at η = 2.075, w = (-1.075)^epoch grows past 1.34e154,
    # where ½w² overflows, only after about 154 / log10(1.075) ≈ 4910 epochs: in the generated loop's
    # third chunk of _LOOP_CHUNK (2048) epochs, so the hand-over starts at the second one's start.
    network = Network([len(inputs), 1], ["linear"], "half_sse", "none")
    weights = [[[1.0] * len(inputs)]] if weights is None else weights
    return Example(network, weights, [], [list(inputs)], [[0.0]], learning_rate=rate, epochs=6000)


def _assert_like_reference(run, reference):
    losses, path, diverged_at = reference
    assert run.diverged_at == diverged_at
    assert list(run.loss_history) == losses
    assert run.parameters == path[-1]


def test_a_divergence_after_the_first_chunk_is_found_at_the_reference_epoch():
    example = _slow_linear()
    reference = _reference_online(example, 6000, 2.075)
    assert 2 * engine._LOOP_CHUNK == 4096 < reference[2] < 6000
    _assert_like_reference(train(example, 6000), reference)
    recorded = train(example, 6000, record_path=True)
    _assert_like_reference(recorded, reference)
    np.testing.assert_array_equal(recorded.path, reference[1])


def test_a_loss_that_overflows_only_after_the_last_epoch_is_a_divergence_at_that_epoch():
    # Trained for exactly the reference's divergence epoch D: every update is finite, and only the
    # loss after the last one overflows. diverged_at is D, the history the D finite losses.
    example = _slow_linear()
    diverged_at = _reference_online(example, 6000, 2.075)[2]
    reference = _reference_online(example, diverged_at, 2.075)
    assert reference[2] == diverged_at > 2 * engine._LOOP_CHUNK
    _assert_like_reference(train(example, diverged_at), reference)
    recorded = train(example, diverged_at, record_path=True)
    _assert_like_reference(recorded, reference)
    np.testing.assert_array_equal(recorded.path, reference[1])


def test_a_loss_that_overflows_after_the_last_epoch_with_only_keeps_the_other_parameter():
    # Two inputs of 1: with only w1 trained, out = w1 + w2 goes (1 - η)·out as above.
    example = _slow_linear(inputs=(1.0, 1.0), weights=[[[0.5, 0.5]]])
    mask = [True, False]
    diverged_at = _reference_online(example, 6000, 2.075, mask)[2]
    assert diverged_at is not None and diverged_at > 2 * engine._LOOP_CHUNK
    reference = _reference_online(example, diverged_at, 2.075, mask)
    run = train(example, diverged_at, only=[Weight(1, 0, 0)])
    _assert_like_reference(run, reference)
    assert run.parameters[1] == 0.5


def test_a_weight_gone_nan_in_the_last_epoch_run_is_found_at_that_epoch():
    from test_divergence import relu_that_hides_nan

    example = relu_that_hides_nan()
    diverged_at = _reference_online(example, 1000, example.learning_rate)[2]
    assert diverged_at is not None
    run = train(example, diverged_at)
    assert run.diverged_at == diverged_at and len(run.loss_history) == diverged_at


def test_several_samples_diverging_online_match_the_reference_loop():
    network = Network([1, 1], ["linear"], "half_sse", "none")
    example = Example(network, [[[1.0]]], [], [[1.0], [2.0]], [[0.0], [0.0]], learning_rate=2.15, epochs=2000)
    reference = _reference_online(example, 2000, 2.15)
    assert reference[2] is not None
    _assert_like_reference(train(example, 2000), reference)


# --- core/sweeping.py: the layer-stacked sweep's divergences ------------------------------------

def test_a_stacked_sweep_where_every_rate_diverges_after_the_first_chunk_matches_the_reference():
    # w ← (1 - η)·w from w = 1: ½w² overflows once |1 - η|^epoch passes 1.34e154, between epochs
    # 154 / log10(2.9) ≈ 333 and 154 / log10(2.3) ≈ 426 at these rates: every run after the first
    # 256-epoch chunk of the stacked sweep.
    example = _slow_linear()
    rates = np.linspace(3.3, 3.9, FEW_RATES + 1)
    swept = sweep(example, rates, 1000)
    expected = [_reference_online(example, 1000, float(rate))[2] for rate in rates]
    assert all(256 < at < 1000 for at in expected)
    assert list(swept.diverged_at) == expected
    assert swept.epochs == 1000 and list(swept.state) == ["diverged"] * rates.size


def _relu_overflowing_weight(rate=1e-3, epochs=50):
    # out = relu(w·x) = 10 against t = 0 with x = 10: the first update w - η·(10 - 0)·10 overflows to
    # -inf at η = 6e307, and from then on out = relu(-inf) = 0, so the loss (½·0²) stays finite while
    # the weight is not: diverged at 1, behind a finite loss. Small rates train normally.
    network = Network([1, 1], ["relu"], "half_sse", "none")
    return Example(network, [[[1.0]]], [], [[10.0]], [[0.0]], learning_rate=rate, epochs=epochs)


def test_a_stacked_sweep_finds_a_weight_gone_inf_behind_a_finite_loss():
    example = _relu_overflowing_weight(epochs=0)   # the sweep's own epochs and rates are used, not these
    rates = np.concatenate([[6e307], np.linspace(1e-3, 2e-3, FEW_RATES)])
    swept = sweep(example, rates, 40, keep_history=True)
    assert swept.diverged_at[0] == 1 and np.all(swept.diverged_at[1:] == -1)
    assert swept.loss_history.shape == (41, rates.size)
    assert swept.loss_history[0, 0] == 50.0 and np.all(np.isnan(swept.loss_history[1:, 0]))
    assert np.all(np.isfinite(swept.loss_history[:, 1:]))
    assert list(swept.state) == ["diverged"] + ["trained"] * FEW_RATES
    assert math.isnan(swept.final_loss[0])


def test_several_samples_where_the_second_samples_step_overflows_diverge_in_that_epoch():
    # Epoch 0: both losses ½·1² are finite; the first sample's update makes w = 1 - 1e200·1·1 = -1e200,
    # and the second sample's step (its loss ½·(1e200)²) overflows: diverged at 1, one loss kept.
    network = Network([1, 1], ["linear"], "half_sse", "none")
    example = Example(network, [[[1.0]]], [], [[1.0], [1.0]], [[0.0], [0.0]], learning_rate=1e200, epochs=10)
    reference = _reference_online(example, 10, 1e200)
    assert reference[2] == 1 and reference[0] == [0.5]
    _assert_like_reference(train(example, 10), reference)


def test_a_stacked_sweep_whose_last_loss_overflows_diverges_at_its_last_epoch_without_a_warning():
    # As above for one run: trained for exactly its divergence epoch, only the loss after the last
    # update overflows, computed once the stacked loop is over (pytest makes a RuntimeWarning an error).
    example = _slow_linear(rate=2.15)
    diverged_at = _reference_online(example, 6000, 2.15)[2]
    assert diverged_at is not None
    rates = np.full(FEW_RATES + 1, 2.15)
    swept = sweep(example, rates, diverged_at)
    assert list(swept.diverged_at) == [diverged_at] * rates.size


def test_a_weight_gone_inf_in_the_second_epoch_behind_a_finite_loss_is_found_by_replaying_both():
    # out = relu(w·1) against t = 1e-10 at η = 1e160, from w = 1e-300: the first update gives
    # w = 1e-300 + 1e160·1e-10 = 1e150 (loss ½·1e300, finite); the second w - 1e160·1e150 overflows to
    # -inf, and relu(-inf) = 0 keeps the loss finite: diverged at 2, two losses kept.
    network = Network([1, 1], ["relu"], "half_sse", "none")
    example = Example(network, [[[1e-300]]], [], [[1.0]], [[1e-10]], learning_rate=1e160, epochs=10)
    reference = _reference_online(example, 10, 1e160)
    assert reference[2] == 2 and len(reference[0]) == 2
    _assert_like_reference(train(example, 10), reference)


# --- the layer-stacked sweep without history: the loss skipped, a chunk replayed -------------------

def _stacked_calls(monkeypatch) -> list:
    """Record (first epoch, loss recorded?) of every chunk the stacked sweep runs."""
    calls, real = [], sweeping.stacked_sweep

    def counting(network):
        run = real(network)

        def counted(p, x, t, rates, start, stop, rows=None):
            calls.append((start, rows is not None))
            return run(p, x, t, rates, start, stop, rows)
        return counted

    monkeypatch.setattr(sweeping, "stacked_sweep", counting)
    monkeypatch.setattr(sweeping, "FEW_RATES", 0)
    return calls


def test_a_sigmoid_sweep_without_history_runs_every_chunk_once_and_without_the_loss(monkeypatch):
    calls = _stacked_calls(monkeypatch)
    plain = sweep(preset("seed"), [0.1, 0.5, 2.0], 1000)
    assert calls == [(0, False), (256, False), (512, False), (768, False)]
    calls.clear()
    kept = sweep(preset("seed"), [0.1, 0.5, 2.0], 1000, keep_history=True)
    assert calls == [(0, True), (256, True), (512, True), (768, True)]
    np.testing.assert_array_equal(plain.parameters, kept.parameters)


def test_a_sweep_without_history_replays_each_chunk_where_a_run_first_breaks(monkeypatch):
    # 1-1-1, linear then sigmoid, bce: the loss is skipped. At η = 40 the run diverges at epoch 233
    # (first chunk), at η = 12 at 395 (second); at 0.5 never. Each chunk where a run first breaks is
    # run again with the loss, and only those: the epochs are train()'s.
    from see_it_networks import random_networks

    from backprop_tutor.core.layer_code import loss_stays_finite

    example = random_networks(16, start=11)[15]
    assert example.network.activations == ("linear", "sigmoid")
    assert loss_stays_finite(example.network, example.targets[0])
    rates = [40.0, 12.0, 0.5]
    expected = [train(example, 1000, rate).diverged_at or -1 for rate in rates]
    assert expected[0] < 256 < expected[1] < 512 and expected[2] == -1
    calls = _stacked_calls(monkeypatch)
    swept = sweep(example, rates, 1000)
    assert list(swept.diverged_at) == expected
    assert calls == [(0, False), (0, True), (256, False), (256, True), (512, False), (768, False)]


def test_the_in_place_sigmoid_writes_the_allocating_ones_numbers():
    x = np.array([-800.0, -708.5, -30.0, -1.0, 0.0, 0.5, 37.0, 800.0, np.nan])
    out = np.full_like(x, 7.0)
    with np.errstate(all="ignore"):
        want = registry._np_sigmoid(x)
        got = registry._np_sigmoid(x, out=out)
    assert got is out
    np.testing.assert_array_equal(out, want)
    # As its definition 1 / (1 + e^-x), with e^-x capped at e^708.
    np.testing.assert_array_equal(want[2:8], 1.0 / (1.0 + np.exp(-x[2:8])))
    assert want[0] == 1.0 / (1.0 + math.exp(708.0))


def test_predict_gives_the_outputs_when_only_the_loss_beside_them_overflows():
    # tanh(0.5·1) against a target of 1e200: ½(1e200 - out)² overflows (Python's ** raises), the output does not.
    network = Network([1, 1], ["tanh"], "half_sse", "none")
    example = Example(network, [[[0.5]]], [], [[1.0]], [[1e200]], learning_rate=0.1, epochs=10)
    assert engine.predict(example) == [[pytest.approx(math.tanh(0.5), rel=1e-15)]]
    run = train(example, 10)
    assert run.diverged_at == 0 and run.outputs == [[pytest.approx(math.tanh(0.5), rel=1e-15)]]
