"""Every formula checked against a second, independent statement of it, never against itself.

Each loss's value for 1 and 3 outputs against the formula written here in NumPy, and its
gradients against central finite differences of that NumPy formula; ReLU's slope at exactly 0
in both numeric backends, and ``train`` against ``sweep`` where a net input is exactly 0; the
displayed formula of every activation and loss pinned against the textbook's expected LaTeX.
(These are the survivors of a mutation-testing run: see the README's "Tests" section.)
"""

from __future__ import annotations

import numpy as np
import pytest

from backprop_tutor import (
    Bias,
    ErrorTerm,
    Example,
    Net,
    Network,
    Out,
    Partial,
    TotalError,
    Weight,
    evaluate_step,
    sweep,
    train,
)
from backprop_tutor.core.registry import numeric_functions
from backprop_tutor.teaching.walkthrough import walkthrough

# --- the losses, written independently: E = sum over outputs of the per-output term --------

INDEPENDENT_LOSSES = {
    "half_sse": lambda a, t: np.sum(0.5 * (t - a) ** 2),
    "sse": lambda a, t: np.sum((t - a) ** 2),
    "mse": lambda a, t: np.sum((t - a) ** 2) / a.size,
    "bce": lambda a, t: -np.sum(t * np.log(a) + (1 - t) * np.log(1 - a)),
    "ce": lambda a, t: -np.sum(t * np.log(a)),
}
INDEPENDENT_ACTIVATIONS = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "linear": lambda z: z,
    "softmax": lambda z: np.exp(z) / np.sum(np.exp(z)),
}
CASES = [(loss, act) for loss in ("half_sse", "sse", "mse") for act in ("sigmoid", "tanh", "linear")]
CASES += [("bce", "sigmoid"), ("ce", "sigmoid"), ("ce", "softmax")]

X = np.array([0.35, -0.6])
W = np.array([[0.15, 0.2], [-0.25, 0.3], [0.4, -0.45]])
B = np.array([0.35, -0.1, 0.2])
T = np.array([0.01, 0.99, 0.4])


def _example(loss: str, act: str, n: int) -> Example:
    net = Network((2, n), (act,), loss=loss, bias="per_neuron")
    return Example(net, [W[:n].tolist()], [B[:n].tolist()], [X.tolist()], [T[:n].tolist()])


def _independent(loss: str, act: str, w: np.ndarray, b: np.ndarray, n: int) -> float:
    a = INDEPENDENT_ACTIVATIONS[act](w @ X + b)
    return float(INDEPENDENT_LOSSES[loss](a, T[:n]))


# Every (loss, activation) pair for 1 and 3 outputs; a softmax of one output is the constant 1.
SIZED_CASES = [(loss, act, n) for loss, act in CASES for n in (1, 3) if not (act == "softmax" and n == 1)]


@pytest.mark.parametrize("loss, act, n", SIZED_CASES)
def test_loss_value_matches_independent_formula(loss, act, n):
    step = evaluate_step(_example(loss, act, n))
    assert step[TotalError()] == pytest.approx(_independent(loss, act, W[:n], B[:n], n), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("loss, act, n", SIZED_CASES)
def test_loss_gradient_matches_finite_differences_of_independent_formula(loss, act, n):
    step = evaluate_step(_example(loss, act, n))
    h = 1e-6
    # dE/da_j of the loss itself, with the outputs as the variables.
    a = INDEPENDENT_ACTIVATIONS[act](W[:n] @ X + B[:n])
    if act != "softmax":  # a softmax's outputs are not free variables of the loss
        for j in range(n):
            up, down = a.copy(), a.copy()
            up[j] += h
            down[j] -= h
            numeric = (INDEPENDENT_LOSSES[loss](up, T[:n]) - INDEPENDENT_LOSSES[loss](down, T[:n])) / (2 * h)
            assert step[Partial(TotalError(), Out(1, j))] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    # dE/dw and dE/db through the activation.
    for j in range(n):
        for k in range(2):
            up, down = W[:n].copy(), W[:n].copy()
            up[j, k] += h
            down[j, k] -= h
            numeric = (_independent(loss, act, up, B[:n], n) - _independent(loss, act, down, B[:n], n)) / (2 * h)
            assert step[Partial(TotalError(), Weight(1, j, k))] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
        up, down = B[:n].copy(), B[:n].copy()
        up[j] += h
        down[j] -= h
        numeric = (_independent(loss, act, W[:n], up, n) - _independent(loss, act, W[:n], down, n)) / (2 * h)
        assert step[Partial(TotalError(), Bias(1, j))] == pytest.approx(numeric, rel=1e-6, abs=1e-9)


# --- ReLU at exactly 0 ----------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["math", "numpy"])
def test_relu_and_its_slope_at_exactly_zero(backend):
    """relu(0) = 0 and its slope at 0 is 0, in both backends (the docs: step is 1 only for x > 0)."""
    functions = numeric_functions(backend)
    for x in (0.0, -0.0):
        value = x if backend == "math" else np.array([x])
        assert float(np.asarray(functions["relu"](value)).reshape(-1)[0]) == 0.0
        assert float(np.asarray(functions["step"](value)).reshape(-1)[0]) == 0.0
    for x, slope in ((1e-300, 1.0), (-1e-300, 0.0), (2.5, 1.0)):
        value = x if backend == "math" else np.array([x])
        assert float(np.asarray(functions["step"](value)).reshape(-1)[0]) == slope


def _relu_at_zero() -> Example:
    # net_h1 = 0.5 * 0.5 + (-0.25) * 1.0 = 0 exactly, with non-zero inputs.
    net = Network((2, 1, 1), ("relu", "linear"), bias="none")
    return Example(net, [[[0.5, -0.25]], [[0.8]]], [], [[0.5, 1.0]], [[1.0]], learning_rate=0.1, epochs=5)


def test_relu_net_input_exactly_zero_train_agrees_with_sweep():
    example = _relu_at_zero()
    step = evaluate_step(example)
    assert step[Out(1, 0)] == 0.0
    assert step[Partial(TotalError(), Weight(1, 0, 0))] == 0.0   # the slope at 0 is 0
    trained = train(example)
    swept = sweep(example, [example.learning_rate])
    assert trained.weights == [[[0.5, -0.25]], [[0.8]]]        # no gradient reaches any weight
    np.testing.assert_allclose(swept.parameters[0], [0.5, -0.25, 0.8], rtol=0, atol=0)
    assert swept.final_loss[0] == pytest.approx(trained.loss, rel=1e-15)


# --- displayed formulas, pinned ---------------------------------------------------------------

def _walk(act: str, loss: str, notation: str):
    net = Network((2, 3), (act,), loss=loss)
    targets = [[0.2, 0.3, 0.5]]
    return walkthrough(Example(net, [[[0.1, 0.2]] * 3], [0.3], [[0.5, 0.25]], targets), notation)


ACTIVATION_TEX = {
    "sigmoid": (r"a^{(2)}_{1} = \frac{1}{1 + e^{-z^{(2)}_{1}}}",
                r"\frac{\partial a^{(2)}_{1}}{\partial z^{(2)}_{1}} = a^{(2)}_{1} \cdot \left(1 - a^{(2)}_{1}\right)"),
    "tanh": (r"a^{(2)}_{1} = \tanh{\left(z^{(2)}_{1} \right)}",
             r"\frac{\partial a^{(2)}_{1}}{\partial z^{(2)}_{1}} = 1 - \left(a^{(2)}_{1}\right)^{2}"),
    "relu": (r"a^{(2)}_{1} = \max\left(0, z^{(2)}_{1}\right)",
             r"\frac{\partial a^{(2)}_{1}}{\partial z^{(2)}_{1}} = \left[z^{(2)}_{1} > 0\right]"),
    "linear": (r"a^{(2)}_{1} = z^{(2)}_{1}", r"\frac{\partial a^{(2)}_{1}}{\partial z^{(2)}_{1}} = 1"),
    "softmax": (r"a^{(2)}_{1} = \frac{e^{z^{(2)}_{1}}}{e^{z^{(2)}_{1}} + e^{z^{(2)}_{2}} + e^{z^{(2)}_{3}}}", None),
}


@pytest.mark.parametrize("act", sorted(ACTIVATION_TEX))
def test_activation_formula_pinned(act):
    walk = _walk(act, "half_sse", "layered")
    formula, slope = ACTIVATION_TEX[act]
    assert walk.step_for(Out(1, 0)).formula.tex == formula
    if slope is not None:
        assert walk.step_for(Partial(Out(1, 0), Net(1, 0))).formula.tex == slope


def test_softmax_formula_names_every_net_input_once():
    """The second output's numerator is its own net input; the denominator lists all three."""
    walk = _walk("softmax", "ce", "mazur")
    assert walk.step_for(Out(1, 1)).formula.tex == (
        r"\mathrm{out}_{o2} = \frac{e^{\mathrm{net}_{o2}}}"
        r"{e^{\mathrm{net}_{o1}} + e^{\mathrm{net}_{o2}} + e^{\mathrm{net}_{o3}}}")


LOSS_TEX = {
    "half_sse": ("sigmoid", r"E_{o1} = \frac{\left(\mathrm{target}_{o1} - \mathrm{out}_{o1}\right)^{2}}{2}",
                 "E_o1 = (target_o1 - out_o1)**2/2"),
    "sse": ("sigmoid", r"E_{o1} = \left(\mathrm{target}_{o1} - \mathrm{out}_{o1}\right)^{2}",
            "E_o1 = (target_o1 - out_o1)**2"),
    "mse": ("sigmoid", r"E_{o1} = \frac{\left(\mathrm{target}_{o1} - \mathrm{out}_{o1}\right)^{2}}{3}",
            "E_o1 = (target_o1 - out_o1)**2/3"),
    "bce": ("sigmoid", r"E_{o1} = - (\mathrm{target}_{o1} \cdot \ln\left(\mathrm{out}_{o1}\right) + "
                       r"\left(1 - \mathrm{target}_{o1}\right) "
                       r"\cdot \ln\left(1 - \mathrm{out}_{o1}\right))",
            "E_o1 = -(target_o1*ln(out_o1) + (1 - target_o1)*ln(1 - out_o1))"),
    "ce": ("softmax", r"E_{o1} = - \mathrm{target}_{o1} \cdot \ln\left(\mathrm{out}_{o1}\right)",
           "E_o1 = -target_o1*ln(out_o1)"),
}


@pytest.mark.parametrize("loss", sorted(LOSS_TEX))
def test_loss_formula_pinned(loss):
    act, tex, text = LOSS_TEX[loss]
    step = _walk(act, loss, "mazur").step_for(ErrorTerm(0))
    assert step.formula.tex == tex
    assert step.formula.text == text


# --- the printers of the custom SymPy functions, pinned -----------------------------------------

def test_custom_functions_print_as_the_textbook_writes_them():
    import sympy as sp

    from backprop_tutor.core.registry import clog, relu, sigmoid, softmax, step
    from backprop_tutor.teaching.formatting import Printers

    x, y, z = sp.symbols("x y z")
    printers = Printers({}, {}, {})
    assert sp.latex(sigmoid(x)) == r"\frac{1}{1 + e^{-x}}"
    assert sp.latex(sigmoid(x + y)) == r"\frac{1}{1 + e^{-\left(x + y\right)}}"
    assert sp.latex(relu(x)) == r"\max\left(0, x\right)" and sp.latex(step(x)) == r"\left[x > 0\right]"
    assert sp.latex(clog(x)) == r"\ln\left(x\right)"
    assert sp.latex(softmax(2, x, y, z)) == r"\frac{e^{z}}{e^{x} + e^{y} + e^{z}}"
    assert printers.text(sigmoid(x)) == "1/(1 + exp(-x))"
    assert printers.text(sigmoid(x + y)) == "1/(1 + exp(-(x + y)))"
    assert printers.text(softmax(1, x, y, z)) == "exp(y)/(exp(x) + exp(y) + exp(z))"   # written out
    assert printers.text(clog(x)) == "ln(x)" and printers.text(sp.tanh(x)) == "tanh(x)"
    assert printers.text(x) == "x"   # a symbol without a name keeps its own


def test_printers_bracket_negative_numbers_only():
    import sympy as sp

    from backprop_tutor.teaching.formatting import Printers

    a, b = sp.symbols("a b")
    printers = Printers({a: "a_{1}", b: "b_{1}"}, {a: "a1", b: "b1"}, {a: -0.5, b: 0.25})
    product = sp.Mul(a, b, evaluate=False)
    assert printers.tex(product) == r"a_{1} \cdot b_{1}"
    assert printers.tex_numbers(product) == r"\left(-0.5\right) \cdot 0.25"
    assert printers.text(product) == "a1*b1"
    assert printers.text_numbers(product) == "(-0.5)*0.25"


def test_registry_refuses_bad_names_with_its_message():
    from backprop_tutor import Activation, Loss, register_activation, register_loss

    with pytest.raises(ValueError, match=r"^activation: a name must be an identifier, got '1x'$"):
        register_activation(Activation("1x", lambda nets, i: nets[i], "", ""))
    with pytest.raises(ValueError, match=r"^activation: a name must be an identifier, got 5$"):
        register_activation(Activation(5, lambda nets, i: nets[i], "", ""))
    with pytest.raises(ValueError, match=r"^loss: 'sse' is registered already$"):
        register_loss(Loss("sse", lambda a, t, n: a, ""))
    with pytest.raises(ValueError, match=r"^activation: 'relu' is registered already$"):
        register_activation(Activation("relu", lambda nets, i: nets[i], "", ""))


def test_custom_functions_rewrite_and_differentiate_as_sympy_would():
    import sympy as sp

    from backprop_tutor import derive
    from backprop_tutor.core.registry import sigmoid, softmax, step
    from backprop_tutor.core.symbolic import symbol_for

    x, y = sp.symbols("x y")
    assert sigmoid(x).rewrite(sp.exp) == 1 / (1 + sp.exp(-x))
    assert softmax(1, x, y).rewrite(sp.exp) == sp.exp(y) / (sp.exp(x) + sp.exp(y))
    assert sp.simplify((sigmoid(x).diff(x) - sp.diff(1 / (1 + sp.exp(-x)), x)).rewrite(sp.exp)) == 0
    assert step(x).diff(x) == 0
    assert sp.simplify((softmax(0, x, y).diff(y) - softmax(0, x, y).rewrite(sp.exp).diff(y)).rewrite(sp.exp)) == 0
    kronecker = numeric_functions("math")["KroneckerDelta"]
    assert (kronecker(1, 1), kronecker(1, 2)) == (1.0, 0.0)
    assert numeric_functions("numpy")["KroneckerDelta"](0, 0) == 1.0
    d = derive(Network((2, 1), ("sigmoid",)))
    assert d.symbol(Weight(1, 0, 1)) == symbol_for(Weight(1, 0, 1))


def test_sweep_refuses_bad_learning_rates_with_its_message():
    from backprop_tutor import SpecError, preset

    example = preset("seed")
    with pytest.raises(SpecError, match=r"^learning_rates: expected a list of numbers, got \['fast'\]$"):
        sweep(example, ["fast"])
    with pytest.raises(SpecError, match=r"^learning_rates: expected at least one learning rate$"):
        sweep(example, [])
    with pytest.raises(SpecError, match=r"^learning_rates: expected positive finite numbers, got -1\.0$"):
        sweep(example, [0.5, -1.0])
    swept = sweep(example, [[0.1], [0.5]], epochs=2)   # any shape: one run per number
    assert list(swept.learning_rates) == [0.1, 0.5] and swept.final_loss.shape == (2,)


# --- sweeps: their bookkeeping, pinned against train -----------------------------------------

def _overflowing(update: str) -> Example:
    """A linear net whose very first loss is already inf: (1e308 + 1e308)² overflows."""
    net = Network((2, 1), ("linear",), loss="sse")
    return Example(net, [[[1e308, 1e308]]], [0.0], [[1.0, 1.0]], [[0.0]], epochs=3, update=update)


@pytest.mark.parametrize("update", ["online", "batch"])
def test_a_run_whose_first_loss_is_inf_diverges_at_epoch_0(update):
    from backprop_tutor.teaching.render import render

    example = _overflowing(update)
    trained = train(example)
    assert trained.diverged_at == 0 and len(trained.loss_history) == 0 and np.isnan(trained.loss)
    assert trained.weights == [[[1e308, 1e308]]]
    swept = sweep(example, [0.5, 1.0], keep_history=True)
    assert list(swept.diverged_at) == [0, 0] and np.all(np.isnan(swept.final_loss))
    assert swept.loss_history.shape == (1, 2) and not np.any(np.isfinite(swept.loss_history))
    text = render(walkthrough(example), trained, "text")   # once an IndexError on the empty history
    assert "diverged at epoch 0 of 3" in text and "E_total = nan (it started at nan)" in text


@pytest.mark.parametrize("name, update", [("xor", "online"), ("xor", "batch"), ("seed", "online")])
def test_sweep_history_and_fields_match_train(name, update):
    from backprop_tutor import preset

    example = preset(name).replace(update=update)
    rates = [0.1, 2.0]
    swept = sweep(example, rates, epochs=4, keep_history=True)
    assert swept.example is example and swept.epochs == 4 and list(swept.learning_rates) == rates
    assert swept.loss_history.shape == (5, 2)
    for c, rate in enumerate(rates):
        np.testing.assert_allclose(swept.loss_history[:, c], train(example, 4, rate).loss_history, rtol=1e-9)
    assert sweep(example, rates, epochs=4).loss_history is None


def test_sweep_where_every_rate_diverges():
    from backprop_tutor import preset

    seed = preset("seed")
    example = seed.replace(network=Network((2, 2, 2), ("linear", "linear")), epochs=50)
    swept = sweep(example, [50.0, 1e6], keep_history=True)
    runs = [train(example, learning_rate=r) for r in (50.0, 1e6)]
    assert list(swept.diverged_at) == [r.diverged_at for r in runs] and np.all(np.isnan(swept.final_loss))
    assert swept.loss_history.shape == (max(r.diverged_at for r in runs) + 1, 2)
    assert not np.all(np.isfinite(swept.loss_history[-1]))
    from backprop_tutor import SpecError

    with pytest.raises(SpecError, match=r"^epochs: expected a whole number >= 0, got -1$"):
        sweep(example, [0.1], epochs=-1)


def test_compile_assignments_backends():
    from backprop_tutor import derive
    from backprop_tutor.core.bridge import compile_assignments
    from backprop_tutor.core.symbolic import symbol_for

    d = derive(Network((1, 1), ("linear",), bias="none"))
    out = symbol_for(Out(1, 0))
    pairs = [(symbol_for(Net(1, 0)), d.definitions[Net(1, 0)]), (out, symbol_for(Net(1, 0)))]
    for backend in ("math", "numpy"):
        f = compile_assignments(d, pairs, [out], backend)
        assert float(np.asarray(f([0.5], [4.0], [0.0], 0.1)[0])) == 2.0
    with pytest.raises(ValueError, match=r"^backend: expected 'math' or 'numpy', got 'fortran'$"):
        compile_assignments(d, [], [out], "fortran")


def test_step_values_predict_and_divergence_bookkeeping():
    from backprop_tutor import predict, preset

    example = preset("xor")
    step = evaluate_step(example, 1)
    assert step.example is example and step.sample == 1
    assert predict(example) == predict(example, example.flat_parameters())
    # Several samples online: a float overflow inside an epoch's updates (x**2 of 1e200) stops it cleanly.
    net = Network((2, 2, 1), ("linear", "linear"), loss="sse")
    diverging = Example(net, [[[0.5, -0.3], [0.2, 0.8]], [[0.7, -0.4]]], [0.1, -0.2],
                        [[1.0, -0.5], [0.3, 0.8], [-1.0, 1.0]], [[0.5], [-0.2], [1.0]], learning_rate=1e6, epochs=50)
    run = train(diverging)
    assert run.diverged_at is not None and len(run.loss_history) == run.diverged_at
    assert np.all(np.isfinite(run.loss_history)) and np.all(np.isfinite(run.parameters))


def test_default_backend_and_sample_message():
    from backprop_tutor import SpecError, derive, preset
    from backprop_tutor.core.bridge import compile_assignments
    from backprop_tutor.core.symbolic import symbol_for

    d = derive(Network((1, 1), ("linear",), bias="none"))
    out, net = symbol_for(Out(1, 0)), symbol_for(Net(1, 0))
    f = compile_assignments(d, [(net, d.definitions[Net(1, 0)]), (out, net)], [out])   # "math" by default
    assert f([0.5], [4.0], [0.0], 0.1) == [2.0]
    with pytest.raises(SpecError, match=r"^sample: expected a sample index from 0 to 3, got 4$"):
        evaluate_step(preset("xor"), 4)
