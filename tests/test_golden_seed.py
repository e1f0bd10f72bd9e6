"""Golden values: everything the seed notebook prints in cells 3 to 35, reproduced by the `seed` preset.

Every expected number (tests/golden.py) is copied from the seed notebook the tutorial grew from,
cells In [3]–[35]; the test id names the cell ("cell3_net_h1" is printed by In [3]).
Tolerance: absolute 1e-12.
"""

import math

import pytest
import sympy as sp
from golden import (
    MAZUR,
    MAZUR_DELTA_O1,
    MAZUR_E_TOTAL,
    SEED,
    SEED_CELL33_FIRST_PRINTS,
    SEED_CELL35_OUTPUTS,
    SEED_CELLS,
    SEED_DELTA_O1_SLIP,
    SEED_E_TOTAL,
    E,
    dE,
)

from backprop_tutor import PHASES, Delta, Net, Out, evaluate_step, preset, train, walkthrough
from backprop_tutor.core.symbolic import key_of
from backprop_tutor.teaching.render import first_step_result

TOL = 1e-12

_IDS = [row[0] for row in SEED_CELLS]


@pytest.fixture(scope="module")
def step():
    return evaluate_step(preset("seed"))


@pytest.fixture(scope="module")
def walk():
    return walkthrough(preset("seed"))


@pytest.fixture(scope="module")
def trained():
    return train(preset("seed"))


def _walk_key(key):
    """The walkthrough names ∂E/∂net its own quantity, δ: ("delta", l, j)."""
    if key[0] == "d" and key[1] == E and key[2][0] == "z":
        return ("delta",) + key[2][1:]
    return key


def _dig(data, path):
    for part in path:
        data = data[part]
    return data


@pytest.mark.parametrize("key, value", [(row[1], row[3]) for row in SEED_CELLS], ids=_IDS)
def test_evaluate_step_reproduces_seed(step, key, value):
    """evaluate_step(seed)[key] is the value the seed notebook prints."""
    assert step[key] == pytest.approx(value, abs=TOL)


_FIRST_STEP_ROWS = [row for row in SEED_CELLS if row[2] is not None]


@pytest.mark.parametrize("path, value", [(row[2], row[3]) for row in _FIRST_STEP_ROWS],
                         ids=[row[0] for row in _FIRST_STEP_ROWS])
def test_first_step_result_reproduces_seed(path, value):
    """first_step_result(seed) holds the seed's numbers at the documented places."""
    assert _dig(first_step_result(preset("seed")), path) == pytest.approx(value, abs=TOL)


@pytest.mark.parametrize("key, value", [(row[1], row[3]) for row in SEED_CELLS], ids=_IDS)
def test_walkthrough_step_reproduces_seed(walk, key, value):
    """The walkthrough step computing each quantity shows the seed's value."""
    assert walk.step_for(_walk_key(key)).value == pytest.approx(value, abs=TOL)


@pytest.mark.parametrize("j, value", list(enumerate(SEED_CELL35_OUTPUTS)), ids=["cell35_out_o1", "cell35_out_o2"])
def test_training_reproduces_seed_cell35_outputs(trained, j, value):
    """After the seed's 20,000 epochs the outputs are those of cell 35."""
    assert trained.epochs == 20000
    assert trained.diverged_at is None
    assert trained.outputs[0][j] == pytest.approx(value, abs=TOL)


@pytest.mark.parametrize("epoch, printed", list(enumerate(SEED_CELL33_FIRST_PRINTS)),
                         ids=[f"cell33_print{k}" for k in range(len(SEED_CELL33_FIRST_PRINTS))])
def test_cell33_prints_are_the_sum_of_dE_dout(epoch, printed):
    """Cell 33 prints Σ ∂E/∂out of the network before each epoch: the engine's trajectory matches."""
    example = preset("seed")
    outputs = train(example, epochs=epoch).outputs[0]
    targets = example.targets[0]
    assert sum(o - t for o, t in zip(outputs, targets)) == pytest.approx(printed, abs=TOL)


# --- the walkthrough ---------------------------------------------------------------------

def test_walkthrough_values_equal_engine_values(walk):
    """Every step's value is the engine's value for its quantity (walkthrough holds no maths)."""
    engine = evaluate_step(preset("seed"))
    checked = 0
    for s in walk:
        if s.key is None:
            continue
        key = ("d", E, ("z",) + s.key[1:]) if s.key[0] == "delta" else s.key
        assert s.value == engine[key], (s.index, s.key)
        checked += 1
    # Seed cells: 8 forward, 3 error, 6 output factors, 5 + 5 gradients, 6 hidden factors,
    # 10 updates and the error after the update.
    assert checked == 44


def test_walkthrough_step3_is_out_h1(walk):
    """Three Next clicks from the opening step show out_h1 = 0.593269992 (seed cell 6)."""
    s = walk[3]
    assert s.key == Out(1, 0)
    assert s.name_text == "out_h1"
    assert s.value == pytest.approx(SEED["cell6_out_h1"], abs=TOL)  # seed cell 6
    assert s.value_text == MAZUR["out_h1"]  # Mazur's printed out_h1


def test_walkthrough_phases_in_order(walk):
    """Steps run forward, error, output, hidden, update, each phase in one block."""
    assert list(PHASES) == ["forward", "error", "output", "hidden", "update"]
    assert walk.phases == list(PHASES)
    order = [PHASES.index(s.phase) for s in walk]
    assert order == sorted(order)
    assert [s.index for s in walk] == list(range(len(walk)))
    assert walk[0].phase == "forward" and walk[-1].phase == "update"


def _value_of(values, symbol):
    """The number a formula symbol stands for; δ symbols are the engine's ∂E/∂net."""
    key = key_of(symbol)
    if key[0] == "delta":
        key = ("d", E, ("z",) + key[1:])
    return values[key]


def test_walkthrough_formulas_evaluate_to_their_values(walk):
    """Each step's rhs, with its symbols' values substituted, evaluates (SymPy, not the bridge) to its value."""
    checked, wrong = 0, []
    for s in walk:
        if s.rhs is None:
            continue
        substituted = s.rhs.subs({x: _value_of(walk.values, x) for x in s.rhs.free_symbols})
        number = float(sp.N(substituted.rewrite(sp.exp), 30))
        if not math.isclose(number, s.value, rel_tol=0, abs_tol=TOL):
            wrong.append((s.index, s.name_text, number, s.value))
        checked += 1
    assert not wrong
    assert checked == len(walk) - 2  # the opening step and the error-after-update step have no rhs


# --- the slips of the seed that DESIGN.md says not to copy ---------------------------------

def test_net_h1_formula_uses_w2_for_i2(walk):
    """The seed's hidden-layer prose writes net_h1 = w1·i1 + w3·i2; its numbers (cell 2) use w2."""
    form = walk.step_for(Net(1, 0)).formula
    assert form.text == "net_h1 = w1*i1 + w2*i2 + b1*1"
    assert "w3" not in form.text
    assert r"w_{2} \cdot i_{2}" in form.tex and "w_{3}" not in form.tex
    # and the numbers are the seed's: w12_2 = 0.20 times x2 = 0.10 (cell 1)
    assert form.text_numbers == "net_h1 = 0.15*0.05 + 0.2*0.1 + 0.35*1"


def test_delta_o1_is_0_138498562_not_0_18498562(walk):
    """δ_o1 = 0.138498562 (Mazur, seed cell 18); the seed's prose once prints 0.18498562."""
    s = walk.step_for(Delta(2, 0))
    assert s.value_text == MAZUR["delta_o1"]
    assert s.value == pytest.approx(MAZUR_DELTA_O1, abs=5e-10)
    assert abs(s.value - SEED_DELTA_O1_SLIP) > 0.04
    assert "0.18498562" not in s.formula.text_numbers


def test_loss_history_is_the_error_not_the_sum_of_dE_dout(step, trained):
    """loss_history[0] is E_total (cell 14, Mazur 0.298371109), not cell 33's first print."""
    history = trained.loss_history
    assert len(history) == 20001
    assert history[0] == pytest.approx(SEED_E_TOTAL, abs=TOL)  # seed cell 14
    assert round(float(history[0]), 9) == MAZUR_E_TOTAL
    assert abs(history[0] - SEED_CELL33_FIRST_PRINTS[0]) > 0.2
    # The seed's printed "Etotal" is Σ ∂E/∂out: cells 16 summed give cell 33's first print.
    assert step[dE(Out(2, 0))] + step[dE(Out(2, 1))] == pytest.approx(SEED_CELL33_FIRST_PRINTS[0], abs=TOL)
    # And none of cell 33's later prints appear as losses either.
    assert all(abs(history[k] - SEED_CELL33_FIRST_PRINTS[k]) > 0.1 for k in range(1, 5))
