"""core/inplace_code.py: a printed form as in-place ufunc calls gives the printed code's numbers to the bit."""

from __future__ import annotations

import numpy as np
import pytest
from see_it_networks import random_networks

from backprop_tutor.core.bridge import compile_network
from backprop_tutor.core.inplace_code import InPlace
from backprop_tutor.core.layer_code import _compiled, _namespace, _print
from backprop_tutor.core.layer_forms import BACK, GRAD, NET, OUT, PARAM, TARGET, layer_forms

NAMES = {NET: "net", OUT: "out", TARGET: "target", BACK: "back", PARAM: "param", GRAD: "grad"}


def _printed_forms() -> list:
    """Every activation, delta, error and update form of the random layered nets, as printed for NumPy."""
    forms = set()
    for example in random_networks(16, start=11):
        found = layer_forms(compile_network(example.network).derivation)
        if found is not None:
            forms |= {_print(form, NAMES) for f in found.layers for form in (f.activation, f.delta)}
            forms |= {_print(found.error, NAMES), _print(found.update, NAMES)}
    return sorted(forms)


# Beside the derived forms, constructs the printer can write that no registered form uses yet.
FORMS = _printed_forms() + ["net/back - out**3", "+2*net - -(1/4)*back", "-(net*back)"]
ARGS = "net, out, target, back, param, grad, eta"


def _values(rng):
    """Values of every placeholder, with a saturated, an overflowing and a nan entry among them."""
    values = [rng.uniform(-3, 3, (3, 50)) for _ in range(6)]
    values[0][0, :3] = [800.0, -800.0, np.nan]
    values[1][:, 0] = [0.0, 1.0, -1e200]
    return values + [rng.uniform(0.01, 1, 50)]


def test_the_forms_cover_every_kind():
    printed = " ".join(FORMS)
    assert all(part in printed for part in ("sigmoid(", "tanh(", "relu(", "step(", "clog(", "**2", "eta"))
    assert len(FORMS) >= 12


@pytest.mark.parametrize("form", FORMS)
def test_in_place_statements_equal_the_printed_code_to_the_bit(form):
    namespace = _namespace()
    printed = _compiled(ARGS, f"    return {form}", namespace, "printed")
    block = InPlace("_t", "(3, 50)", namespace, constants := {})
    lines = block.assign(form, "_result")
    code = "\n".join(["    " + line for line in block.prologue()]
                     + [f"    {name} = _array({value!r})" for value, name in constants.items()]
                     + ["    _result = _empty((3, 50))"] + ["    " + line for line in lines] + ["    return _result"])
    in_place = _compiled(ARGS, code, namespace, "in_place")
    values = _values(np.random.default_rng(len(form)))
    with np.errstate(all="ignore"):
        want = np.broadcast_to(printed(*values), (3, 50))
        got = in_place(*[v.copy() for v in values])
    np.testing.assert_array_equal(got, want)


def test_numbers_are_folded_and_named_once_and_temporaries_reused():
    block = InPlace("_t", "(3, _c)", _namespace(), constants := {})
    lines = block.assign("(1/2)*(target - out)**2 + (1/2)*(1 - out)*(1 - out)", "e")
    assert constants == {0.5: "_k0", 1.0: "_k1"}
    # Python's order: ((1/2)*(1 - out))*(1 - out), each operation into a temporary it frees.
    assert lines == ["_subtract(target, out, _t0)", "_square(_t0, _t0)", "_multiply(_k0, _t0, _t0)",
                     "_subtract(_k1, out, _t1)", "_multiply(_k0, _t1, _t1)", "_subtract(_k1, out, _t2)",
                     "_multiply(_t1, _t2, _t1)", "_add(_t0, _t1, e)"]
    assert len(block.prologue()) == 3


def test_a_spent_array_is_written_into_instead_of_a_temporary():
    block = InPlace("_t", "_c", _namespace(), {})
    assert block.assign("param - grad*eta", "param", spent=("grad",)) == [
        "_multiply(grad, eta, grad)", "_subtract(param, grad, param)"]
    assert block.prologue() == []
    # Read twice: the first product must not overwrite it before the second reads it.
    assert block.assign("grad*eta + grad", "param", spent=("grad",)) == [
        "_multiply(grad, eta, _t0)", "_add(_t0, grad, param)"]


def test_a_construct_it_does_not_know_is_evaluated_as_printed_and_copied():
    block = InPlace("_t", "_c", _namespace(), {})
    assert block.assign("back*where(net > 0, 1.0, 0.0)", "d") == [
        "_copyto(_t0, where(net > 0, 1.0, 0.0))", "_multiply(back, _t0, d)"]
    assert block.assign("net", "a") == ["_copyto(a, net)"]


@pytest.mark.parametrize(("source", "lines"), [
    ("sigmoid(net)", ["sigmoid(net, out=a)"]),                   # the registry's twin writes into its buffer
    ("tanh(net)", ["tanh(net, out=a)"]),                         # so does a NumPy ufunc
    ("relu(net)", ["_copyto(a, relu(net))"]),                    # a twin without out=: as printed, copied
    ("unknown(net)", ["_copyto(a, unknown(net))"]),              # a name the namespace does not have
    ("where(net > 0, 1.0, 0.0)", ["_copyto(a, where(net > 0, 1.0, 0.0))"]),
    ("(target - out)**2", ["_subtract(target, out, _t0)", "_square(_t0, a)"]),
    ("-net", ["_negative(net, a)"]),
    ("net/back", ["_divide(net, back, a)"]),
    ("net**3", ["_power(net, _k0, a)"]),
    ("-2*target", ["_multiply(_k0, target, a)"]),                # -2 is one number, not a negation
    ("back*-(net*out)", ["_multiply(net, out, _t0)", "_negative(_t0, _t0)", "_multiply(back, _t0, a)"]),
    ("back*sigmoid(net*out)", ["_multiply(net, out, _t0)", "sigmoid(_t0, out=_t0)", "_multiply(back, _t0, a)"]),
    ("back*(net - out)**2", ["_subtract(net, out, _t0)", "_square(_t0, _t0)", "_multiply(back, _t0, a)"]),
])
def test_each_operation_writes_into_its_array_or_the_temporary_it_reads(source, lines):
    """The last operation writes the result itself (no copy), and an operation on a temporary reuses it."""
    assert InPlace("_t", "_c", _namespace(), {}).assign(source, "a") == lines


def test_freed_temporaries_are_used_again():
    block = InPlace("_t", "_c", _namespace(), {})
    block.assign("(net - out)*(target - back) + (net - back)*(out - target)", "a")
    assert len(block.prologue()) == 3   # two products' operands, and the first product kept beside them
    block.assign("(net - back)*(out - target) + (net - out)*(target - back)", "d")   # the next reuses all three
    assert len(block.prologue()) == 3
