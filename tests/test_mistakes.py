"""The common-mistakes catalogue and the homework checker (backprop_tutor.teaching.mistakes).

The student code here is written as a student would: plain Python loops over lists, no package.
Each mistaken version is a copy of the correct one with the one mistake made in its source text,
so the difference between them is exactly the lines that ``MISTAKEN`` replaces.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from golden import CORRECT_ERROR_AFTER_ONE_UPDATE, MAZUR_ERROR_AFTER_ONE_UPDATE

from backprop_tutor import (
    MISTAKES,
    CheckReport,
    ErrorAfter,
    SpecError,
    check_backprop,
    evaluate_step,
    gradient_check,
    mistake_step,
    mistake_table,
    preset,
    train,
    train_with_mistake,
)
from backprop_tutor.teaching.mistakes import applicability, training_summary

# A student's backpropagation for sigmoid layers, the half squared error and one shared bias per
# layer (the seed and Mazur's article), in plain loops. It computes, layer by layer from the
# output back, the deltas, the gradients and the updated weights of that layer.
STUDENT = '''
import math


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def backprop(p):
    weights, biases, eta = p["weights"], p["biases"], p["learning_rate"]
    # forward pass
    outs = [p["inputs"]]
    nets = []
    for l in range(len(weights)):
        layer_nets = []
        for j in range(len(weights[l])):
            total = biases[l]
            for k in range(len(outs[l])):
                total += weights[l][j][k] * outs[l][k]
            layer_nets.append(total)
        nets.append(layer_nets)
        outs.append([sigmoid(net) for net in layer_nets])
    # backward pass, from the output layer back
    L = len(weights)
    deltas, grad_w, grad_b, new_w, new_b = [None] * L, [None] * L, [None] * L, [None] * L, [None] * L
    for l in range(L - 1, -1, -1):
        deltas[l] = []
        for j in range(len(weights[l])):
            out = outs[l + 1][j]
            if l == L - 1:
                d_out = out - p["targets"][j]
            else:
                d_out = 0.0
                for i in range(len(weights[l + 1])):
                    d_out += deltas[l + 1][i] * weights[l + 1][i][j]
            deltas[l].append(d_out * out * (1 - out))
        grad_w[l] = []
        new_w[l] = []
        for j in range(len(weights[l])):
            grad_w[l].append([deltas[l][j] * outs[l][k] for k in range(len(outs[l]))])
            new_w[l].append([weights[l][j][k] - eta * grad_w[l][j][k] for k in range(len(outs[l]))])
        grad_b[l] = sum(deltas[l])
        if p["train_bias"]:
            new_b[l] = biases[l] - eta * grad_b[l]
        else:
            new_b[l] = biases[l]
    return {"net": nets, "out": outs[1:], "delta": deltas, "grad_weights": grad_w, "grad_biases": grad_b,
            "weights": new_w, "biases": new_b}
'''

# mistake id -> (old line, new line) replacements that make the mistake, and the first wrong quantity.
MISTAKEN = {
    "missing_activation_derivative": (
        [("deltas[l].append(d_out * out * (1 - out))", "deltas[l].append(d_out)")], "delta_o1"),
    "activation_derivative_of_net": (
        [("deltas[l].append(d_out * out * (1 - out))",
          "deltas[l].append(d_out * nets[l][j] * (1 - nets[l][j]))")], "delta_o1"),
    "wrong_sign": ([('d_out = out - p["targets"][j]', 'd_out = p["targets"][j] - out')], "delta_o1"),
    "hidden_delta_missing_sum": (
        [("d_out += deltas[l + 1][i] * weights[l + 1][i][j]", "d_out = deltas[l + 1][j] * weights[l + 1][j][j]")],
        "delta_h1"),
    "updated_weights_in_hidden_deltas": (
        [("d_out += deltas[l + 1][i] * weights[l + 1][i][j]", "d_out += deltas[l + 1][i] * new_w[l + 1][i][j]")],
        "delta_h1"),
    "input_instead_of_previous_output": (
        [("[deltas[l][j] * outs[l][k] for k", "[deltas[l][j] * outs[l + 1][j] for k")], "dE_total/dw5"),
    "shared_bias_single_delta": ([("grad_b[l] = sum(deltas[l])", "grad_b[l] = deltas[l][0]")], "dE_total/db2"),
    "learning_rate_missing": (
        [("weights[l][j][k] - eta * grad_w[l][j][k]", "weights[l][j][k] - grad_w[l][j][k]"),
         ("new_b[l] = biases[l] - eta * grad_b[l]", "new_b[l] = biases[l] - grad_b[l]")], "w5+"),
}

# Other forms of some mistakes, as a student might write them.
OTHER_FORMS = {
    "plus_eta": ("wrong_sign", [("weights[l][j][k] - eta * grad_w", "weights[l][j][k] + eta * grad_w"),
                                ("biases[l] - eta * grad_b[l]", "biases[l] + eta * grad_b[l]")], "w5+"),
    "first_term_only": ("hidden_delta_missing_sum",
                        [("d_out += deltas[l + 1][i] * weights[l + 1][i][j]",
                          "d_out = deltas[l + 1][0] * weights[l + 1][0][j]")], "delta_h1"),
    "slope_missing_in_output_layer": ("missing_activation_derivative",
                                      [("deltas[l].append(d_out * out * (1 - out))",
                                        "deltas[l].append(d_out if l == L - 1 else d_out * out * (1 - out))")],
                                      "delta_o1"),
    "last_delta_for_bias": ("shared_bias_single_delta",
                            [("grad_b[l] = sum(deltas[l])", "grad_b[l] = deltas[l][-1]")], "dE_total/db2"),
}


def edited(source: str, replacements) -> str:
    """The source with each (old, new) replacement made; each old text occurs exactly once."""
    for old, new in replacements:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


def student(source: str = STUDENT):
    """The student's ``backprop`` function, from its source."""
    namespace: dict = {}
    exec(compile(source, "homework.py", "exec"), namespace)  # the test's own student code
    return namespace["backprop"]


def with_mistake(mistake_id: str):
    return student(edited(STUDENT, MISTAKEN[mistake_id][0]))


def test_the_catalogue_has_the_eight_mistakes():
    assert list(MISTAKES) == ["missing_activation_derivative", "activation_derivative_of_net", "wrong_sign",
                              "hidden_delta_missing_sum", "updated_weights_in_hidden_deltas",
                              "input_instead_of_previous_output", "shared_bias_single_delta",
                              "learning_rate_missing"]
    assert set(MISTAKEN) == set(MISTAKES)
    for entry in MISTAKES.values():
        assert entry.title and entry.explanation and entry.fix and entry.transformation
        assert entry.explanation.endswith(".") and entry.explanation.count(". ") == 0, entry.id
        assert entry.id in entry.markdown() and entry.title in str(entry)


# --- the right backpropagation re-assembled, and the golden slip ---------------------------

@pytest.mark.parametrize("name", ["mazur", "mazur_article", "xor", "softmax"])
def test_the_rules_without_a_mistake_give_the_derivation(name):
    """Re-assembled with no mistake, the backward pass gives the engine's numbers exactly."""
    example = preset(name)
    right, again = evaluate_step(example), mistake_step(example, None)
    assert set(again.values) <= set(right.values)
    assert all(again.values[key] == right.values[key] for key in again.values)


@pytest.mark.parametrize("name", ["seed", "xor", "softmax"])
def test_training_without_a_mistake_is_the_engines(name):
    example = preset(name)
    epochs = min(example.epochs, 300)
    right, again = train(example, epochs=epochs), train_with_mistake(example, None, epochs=epochs)
    np.testing.assert_allclose(again.loss_history, right.loss_history, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(again.parameters, right.parameters, rtol=1e-10, atol=1e-13)
    assert again.diverged_at == right.diverged_at


def test_updated_weights_reproduce_mazurs_published_error():
    """Mazur's early code used w5+..w8+ in the hidden deltas: the variant gives his 0.291027924."""
    wrong = mistake_step("mazur_article", "updated_weights_in_hidden_deltas")
    assert f"{wrong[ErrorAfter()]:.9f}" == MAZUR_ERROR_AFTER_ONE_UPDATE
    right = mistake_step("mazur_article", None)
    assert right[ErrorAfter()] == pytest.approx(CORRECT_ERROR_AFTER_ONE_UPDATE, abs=1e-10)
    assert train_with_mistake("mazur_article", "updated_weights_in_hidden_deltas", epochs=1).loss_history[1] == \
        pytest.approx(float(MAZUR_ERROR_AFTER_ONE_UPDATE), abs=5e-10)


def test_every_mistake_changes_the_seed_and_some_do_not_apply_elsewhere():
    for mistake_id in MISTAKES:
        assert applicability("seed", mistake_id) is None
        assert applicability("mazur_article", mistake_id) is None
    assert "no shared bias" in applicability("xor", "shared_bias_single_delta")
    assert "no shared bias" in applicability("softmax", "shared_bias_single_delta")
    # xor's hidden layer feeds one output: the sum over the next layer has one term already.
    assert "makes no difference" in applicability("xor", "hidden_delta_missing_sum")
    single = preset("seed").replace(learning_rate=1.0)
    assert "learning rate is 1" in applicability(single, "learning_rate_missing")
    from backprop_tutor import Network
    flat = preset("seed")
    flat = flat.replace(network=Network((2, 2), ("sigmoid",)), weights=(flat.weights[0],), biases=(0.35,))
    assert "no hidden layer" in applicability(flat, "updated_weights_in_hidden_deltas")
    assert "no hidden layer" in applicability(flat, "hidden_delta_missing_sum")
    with pytest.raises(SpecError, match="no hidden layer"):
        mistake_step(flat, "hidden_delta_missing_sum")
    with pytest.raises(SpecError, match="did you mean 'wrong_sign'"):
        mistake_step("seed", "wrong_signs")


@pytest.mark.parametrize("name", ["xor", "softmax"])
@pytest.mark.parametrize("mistake_id", list(MISTAKES))
def test_every_applicable_mistake_runs_on_other_networks(name, mistake_id):
    if applicability(name, mistake_id) is not None:
        return
    wrong, right = mistake_step(name, mistake_id), evaluate_step(preset(name))
    assert any(not math.isclose(wrong.values[k], right.values[k], rel_tol=1e-9, abs_tol=1e-12)
               for k in wrong.values) or name == "xor"


# --- the checker ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["mazur", "mazur_article"])
def test_a_correct_student_passes(name):
    report = check_backprop(student(), name)
    assert isinstance(report, CheckReport)
    assert report.ok and report.first_wrong is None and report.mistake is None and report.problem is None
    assert len(report.results) == 4 + 4 + 4 + 8 + 2 + 8 + 2
    text = str(report)
    assert "All 32 numbers you gave are right." in text
    assert "WRONG" not in text and "total error" in text and "not given" in text


def test_a_correct_student_passes_with_any_subset_and_numpy():
    fn = student()

    def some(p):
        result = fn(p)
        return {"delta": np.array(result["delta"]), "loss": np.float64(0.5) * 0 + _loss(result)}

    report = check_backprop(some, "seed")
    assert report.ok and [r.group for r in report.results] == ["loss"] + ["delta"] * 4


def _loss(result):
    targets = preset("seed").targets[0]
    return sum(0.5 * (t - o) ** 2 for t, o in zip(targets, result["out"][-1]))


@pytest.mark.parametrize("mistake_id", list(MISTAKEN))
def test_each_mistake_is_named(mistake_id):
    report = check_backprop(with_mistake(mistake_id), "seed")
    first_wrong = MISTAKEN[mistake_id][1]
    assert not report.ok
    assert report.mistake == mistake_id, str(report)
    assert report.first_wrong == first_wrong
    assert report.wrong[0].name == first_wrong
    text = str(report)
    assert f"First wrong: {first_wrong}: expected " in text
    assert MISTAKES[mistake_id].title in text and MISTAKES[mistake_id].fix in text
    assert not re.search(r"\d{12}", text), "numbers are printed at nine significant digits"


@pytest.mark.parametrize("form", list(OTHER_FORMS))
def test_other_forms_of_a_mistake_are_named(form):
    mistake_id, replacements, first_wrong = OTHER_FORMS[form]
    report = check_backprop(student(edited(STUDENT, replacements)), "seed")
    assert (report.mistake, report.first_wrong) == (mistake_id, first_wrong), str(report)


def test_mazurs_slip_is_named_on_the_mazur_preset():
    report = check_backprop(with_mistake("updated_weights_in_hidden_deltas"), "mazur_article")
    assert report.mistake == "updated_weights_in_hidden_deltas" and report.first_wrong == "delta_h1"


def test_a_mistake_given_only_by_its_updates_is_still_named():
    fn = with_mistake("hidden_delta_missing_sum")
    report = check_backprop(lambda p: {"weights": fn(p)["weights"]}, "seed")
    assert report.mistake == "hidden_delta_missing_sum" and report.first_wrong == "w1+"


def test_a_mistake_that_matches_none_is_reported_as_such():
    fn = student(edited(STUDENT, [('d_out = out - p["targets"][j]', 'd_out = 2 * (out - p["targets"][j])')]))
    report = check_backprop(fn, "seed")
    assert not report.ok and report.mistake is None and report.first_wrong == "delta_o1"
    assert "No known mistake matches these numbers" in str(report)


def test_two_mistakes_at_once_match_none():
    source = edited(STUDENT, MISTAKEN["missing_activation_derivative"][0] + MISTAKEN["learning_rate_missing"][0])
    report = check_backprop(student(source), "seed")
    assert report.mistake is None and report.first_wrong == "delta_o1"


# --- what a student's function may do wrong: one line each -------------------------------------

def _changed(change):
    fn = student()

    def wrapped(p):
        result = fn(p)
        change(result)
        return result
    return wrapped


MALFORMED = {
    "wrong shape": (_changed(lambda r: r["delta"][1].append(0.1)),
                    "delta[1]: expected 2 numbers (one per neuron of layer 2: o1, o2), got 3"),
    "too few layers": (_changed(lambda r: r["net"].pop()), "net: expected 2 lists (one per layer after the inputs)"),
    "weights shape": (_changed(lambda r: r["grad_weights"][0].pop()), "grad_weights[0]: expected 2 rows"),
    "unknown key": (_changed(lambda r: r.update(deltas=r.pop("delta"))),
                    "unknown key 'deltas' (did you mean 'delta'?"),
    "missing keys": (lambda p: {}, "empty dict: return at least one of net, out"),
    "no return": (lambda p: None, "returned None, not a dict"),
    "not a dict": (lambda p: [1, 2], "returned list [1, 2], not a dict"),
    "nan": (_changed(lambda r: r["out"][0].__setitem__(0, math.nan)), "out[0][0]: expected a finite number, got nan"),
    "text": (_changed(lambda r: r["grad_biases"].__setitem__(1, "0.1")), "grad_biases[1]: expected a number, got text"),
    "exception": (lambda p: p["weights"][0][0][0] / 0,
                  "your function raised ZeroDivisionError: float division by zero"),
    "missing input key": (lambda p: p["eta"], "your function raised KeyError: 'eta'"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_results_give_one_clear_line(case):
    fn, expected = MALFORMED[case]
    report = check_backprop(fn, "seed")
    assert not report.ok and report.problem is not None and report.results == ()
    text = str(report)
    assert "\n" not in text and expected in text, text
    assert text.startswith("Cannot check your function: ")


def test_an_exception_names_the_students_line():
    fn = student(edited(STUDENT, [("grad_b[l] = sum(deltas[l])", "grad_b[l] = sum(deltas[l]) / 0")]))
    text = str(check_backprop(fn, "seed"))
    assert re.search(r"ZeroDivisionError: float division by zero \(line \d+ of homework.py, in backprop\)", text), text


def test_bad_arguments_are_spec_errors():
    with pytest.raises(SpecError, match="fn: expected a function"):
        check_backprop("backprop", "seed")
    with pytest.raises(SpecError, match="example: no preset or file named 'nope'"):
        check_backprop(student(), "nope")
    with pytest.raises(SpecError, match="sample"):
        check_backprop(student(), "seed", sample=3)


# --- the gallery's helpers ----------------------------------------------------------------------

def test_mistake_table_shows_the_changed_numbers_beside_the_right_ones():
    table = mistake_table("seed", "learning_rate_missing")
    text = table.markdown()
    assert text.startswith("| quantity | right | with the mistake |")
    assert "w_{5}" in text and r"\delta" not in text  # the deltas and gradients are right
    assert table.rows[-1][0] == r"{E_{\mathrm{total}}}^{+}"
    assert "no shared bias" in mistake_table("xor", "shared_bias_single_delta").markdown()
    assert table._repr_markdown_() == text


def test_gradient_check_catches_the_gradient_mistakes_only():
    assert gradient_check("seed").passed
    for mistake_id in MISTAKES:
        check = gradient_check("seed", mistake_id)
        in_update = mistake_id == "learning_rate_missing"
        assert check.passed == in_update, mistake_id
        assert ("cannot see it" in check.sentence()) == in_update
    assert gradient_check("softmax").passed and gradient_check("xor").passed


def test_training_with_mistakes_and_its_summary():
    right = train(preset("seed"), epochs=200)
    wrong = train_with_mistake("seed", "wrong_sign", epochs=200)
    assert wrong.loss > wrong.loss_history[0]
    assert "does not learn" in training_summary(right, wrong, "wrong_sign")
    diverging = train_with_mistake("seed", "activation_derivative_of_net", epochs=200)
    assert diverging.diverged_at is not None
    assert len(diverging.loss_history) == diverging.diverged_at
    assert "diverges at epoch" in training_summary(right, diverging, "activation_derivative_of_net")


# --- notebook 08's template ----------------------------------------------------------------------

def _template_source() -> str:
    nb = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / "08_common_mistakes.ipynb", as_version=4)
    [source] = [cell.source for cell in nb.cells if cell.cell_type == "code" and "def my_backprop" in cell.source]
    return source


def _template_function(source: str):
    namespace: dict = {}
    exec(compile(source, "template.py", "exec"), namespace)  # the notebook's own template
    return namespace["my_backprop"]


FILLED_IN = [
    ("dE_dout = todo(out, target)", "dE_dout = out - target"),
    ("todo(delta_out[o], weights[1][o][j])", "delta_out[o] * weights[1][o][j]"),
    ("todo(deltas[l][j], outs[l][k])", "deltas[l][j] * outs[l][k]"),
    ("+ todo(eta, grad_w[l][j][k])", "- eta * grad_w[l][j][k]"),
    ("todo(deltas[l])", "sum(deltas[l])"),
    ('+ todo(eta, grad_b[l], p["train_bias"])', '- (eta * grad_b[l] if p["train_bias"] else 0)'),
]


def test_the_notebooks_template_runs_and_passes_once_filled_in():
    source = _template_source()
    report = check_backprop(_template_function(source), "seed")
    assert not report.ok and report.problem is None and report.first_wrong == "delta_o1" and report.mistake is None
    filled = edited(source, FILLED_IN).replace("dout_dnet = todo(out)", "dout_dnet = out * (1 - out)")
    assert "todo(" not in filled.split("def my_backprop")[1]
    for name in ("mazur", "mazur_article"):
        report = check_backprop(_template_function(filled), name)
        assert report.ok, str(report)
