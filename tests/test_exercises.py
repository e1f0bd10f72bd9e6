"""The exercise model: every kind graded right, wrong and malformed; answers from the package;
practice networks reproducible and workable by hand over 1,000 seeds.

Nothing a learner types is evaluated: text that would leave a trace if it were run is graded
as "not a number" and leaves none.
"""

from __future__ import annotations

import math
import sys

import pytest

from backprop_tutor import SpecError, evaluate_step, example_to_dict, train, walkthrough
from backprop_tutor.core.quantities import Delta, ErrorTerm, Net, Out, Partial, Target, TotalError, Updated, Weight
from backprop_tutor.teaching.exercises import (
    COMPUTE_TOPICS,
    KINDS,
    LAYER_TOPICS,
    RATE_OUTCOMES,
    make_exercise,
    rate_outcome,
)
from backprop_tutor.teaching.grading import NUMBER_MESSAGE, grade_number, read_number
from backprop_tutor.teaching.random_examples import random_example

SENTINEL = "backprop_tutor_test_evaluated"
# Text that would leave a module behind in sys.modules if anything evaluated it.
EVIL = f"__import__('sys').modules.__setitem__('{SENTINEL}', 1)"
MALFORMED = ["", "   ", None, "1+1", "__import__('os')", EVIL, "nan", "inf", "-inf", "1_0", "0.5.1", "1,2,3",
             "1,234.5", "one", "0x10", "[0.5]"]


@pytest.fixture(autouse=True)
def nothing_evaluated():
    yield
    assert SENTINEL not in sys.modules, "a learner's text was evaluated"


def comma(value: float) -> str:
    return repr(value).replace(".", ",")


# --- reading numbers ------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [("0.0822", 0.0822), (" -1.5e-3 ", -1.5e-3), ("0,0822", 0.0822),
                                         ("−0.5", -0.5), ("- 0.5", -0.5), (3, 3.0), (0.25, 0.25)])
def test_read_number_reads_numbers(text, value):
    assert read_number(text) == value


@pytest.mark.parametrize("text", MALFORMED)
def test_read_number_rejects_anything_else_in_one_line(text):
    with pytest.raises(SpecError) as info:
        read_number(text)
    assert str(info.value) == f"answer: {NUMBER_MESSAGE}"


# --- compute ---------------------------------------------------------------------------------

def test_compute_answer_is_the_walkthroughs_value():
    exercise = make_exercise("compute", 5)
    step = walkthrough(exercise.example).step_for(exercise.asks)
    assert exercise.answer == step.value
    assert exercise.solution.value == step.value_text
    assert exercise.solution.formula == step.formula.text
    assert exercise.solution.tex.startswith(r"\begin{aligned}")
    assert exercise.asks in exercise.question and exercise.asks == step.name_text


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compute_right_close_off(seed):
    exercise = make_exercise("compute", seed)
    value = exercise.answer
    for typed in (repr(value), comma(value), value * (1 + 0.005), f"  {value!r}  "):
        assert exercise.grade(typed).verdict == "right", typed
    close = exercise.grade(value * 1.05)
    assert close.verdict == "close" and close.hint
    off = exercise.grade(value * 3)
    assert off.verdict == "off" and off.hint
    # A wrong answer does not give the value away: the Solution does.
    for feedback in (close, off):
        assert exercise.solution.value not in feedback.message


@pytest.mark.parametrize("typed", MALFORMED)
def test_compute_malformed_is_invalid_and_not_a_try(typed):
    feedback = make_exercise("compute", 4).grade(typed)
    assert feedback.verdict == "invalid"
    assert feedback.message == NUMBER_MESSAGE
    assert not feedback.hint


def test_compute_hints_name_the_mistake():
    exercise = make_exercise("compute", 6, quantity="dE_total/dw5")
    assert "sign" in exercise.grade(-exercise.answer).hint
    # Leaving out the last factor (dnet_o1/dw5 = out_h1) is recognised and named.
    step = exercise.step
    _, name, _, factor = step.factors[-1]
    hint = exercise.grade(exercise.answer / factor).hint
    assert hint.startswith("You left out a factor") and name in hint


def test_compute_first_hint_is_the_formula_then_the_numbers():
    exercise = make_exercise("compute", 7, quantity="net_h1")
    step = exercise.step
    first = exercise.grade(exercise.answer + 1, attempt=1).hint
    later = exercise.grade(exercise.answer + 1, attempt=2).hint
    assert step.formula.text in first
    assert step.formula.text_numbers.partition(" = ")[2] in later
    # grade_number without reveal=False still tells the value (the step-through's predictions use it).
    assert step.value_text in grade_number(step, exercise.answer + 1).message


@pytest.mark.parametrize("topic", COMPUTE_TOPICS)
def test_compute_topics_ask_their_family(topic):
    families = {"net": Net, "out": Out, "error": ErrorTerm, "total_error": TotalError, "delta_output": Delta,
                "delta_hidden": Delta, "gradient_output": Partial, "gradient_hidden": Partial, "update": Updated,
                "update_output": Updated, "update_hidden": Updated}
    for seed in range(1, 6):
        exercise = make_exercise("compute", seed, topic=topic)
        key = exercise.step.key
        assert isinstance(key, families[topic]), (topic, key)
        layer = {"delta_output": lambda k: k.layer, "delta_hidden": lambda k: k.layer,
                 "gradient_output": lambda k: k.wrt.layer, "gradient_hidden": lambda k: k.wrt.layer,
                 "update_output": lambda k: k.param.layer, "update_hidden": lambda k: k.param.layer}.get(topic)
        if layer:
            assert (layer(key) == 2) == topic.endswith("output")


@pytest.mark.parametrize("name", ["net_h1", "out_o2", "E_o1", "E_total", "delta_h2", "dE_total/dw5", "dE/dw3", "w7+",
                                  "∂E/∂w6"])
def test_compute_asks_a_named_quantity(name):
    exercise = make_exercise("compute", 8, quantity=name)
    step = walkthrough(exercise.example).step_for(name)
    assert (exercise.asks, exercise.answer) == (step.name_text, step.value)


def test_forward_questions_give_only_what_they_need():
    forward = make_exercise("compute", 9, topic="net").question
    assert "target" not in forward and "η" not in forward and "E_total" not in forward
    update = make_exercise("compute", 9, topic="update").question
    assert "target_o1" in update and "η" in update


@pytest.mark.parametrize("kwargs, field", [
    ({"topic": "bogus"}, "topic"), ({"topic": ()}, "topic"), ({"quantity": "w99"}, "quantity"),
    ({"quantity": "i1"}, "quantity"), ({"topic": "net", "quantity": "net_h1"}, "quantity"),
])
def test_compute_bad_topic_or_quantity(kwargs, field):
    with pytest.raises(SpecError) as info:
        make_exercise("compute", 1, **kwargs)
    assert info.value.field == field


# --- sign ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(1, 6))
def test_sign_right_wrong_malformed(seed):
    exercise = make_exercise("sign", seed)
    walk = walkthrough(exercise.example)
    weight = exercise.asks.rstrip("+")
    gradient = walk.step_for(f"dE_total/d{weight}").value
    assert exercise.answer == ("decrease" if gradient > 0 else "increase")
    assert walk.step_for(exercise.asks).value - walk.values[walk.step_for(exercise.asks).key.param] != 0
    assert exercise.grade(exercise.answer).right
    assert exercise.grade(f"  {exercise.answer.upper()} ").right
    wrong = next(c for c in exercise.choices if c != exercise.answer)
    off = exercise.grade(wrong)
    assert off.verdict == "off" and "gradient" in off.hint and exercise.answer not in off.message
    for typed in ("", None, "up", "1+1", EVIL):
        assert exercise.grade(typed).verdict == "invalid"


@pytest.mark.parametrize("topic, layer", [("output", 2), ("hidden", 1)])
def test_sign_and_chain_topics(topic, layer):
    for kind in ("sign", "chain"):
        for seed in range(1, 5):
            exercise = make_exercise(kind, seed, topic=topic)
            key = exercise.step.key
            assert isinstance(key.wrt, Weight) and key.wrt.layer == layer


def test_sign_and_chain_take_a_weight():
    assert make_exercise("sign", 3, quantity="w2").asks == "w2+"
    assert make_exercise("chain", 3, quantity="w6").asks == "dE_total/dw6"
    with pytest.raises(SpecError):
        make_exercise("sign", 3, quantity="net_h1")
    with pytest.raises(SpecError):
        make_exercise("chain", 3, topic="update")


# --- chain ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(1, 6))
def test_chain_right_wrong_malformed(seed):
    exercise = make_exercise("chain", seed)
    step = walkthrough(exercise.example).step_for(exercise.asks)
    assert exercise.answer == tuple(name for _, name, _, _ in step.factors)
    assert set(exercise.answer) <= set(exercise.choices) and len(exercise.choices) > len(exercise.answer)
    assert exercise.grade(list(reversed(exercise.answer))).right
    assert exercise.grade(", ".join(exercise.answer)).right
    assert exercise.grade(exercise.answer[:-1]).verdict == "close"
    extra = next(c for c in exercise.choices if c not in exercise.answer)
    off = exercise.grade(exercise.answer + (extra,))
    assert off.verdict == "off" and extra in off.hint
    for typed in ((), [], "", None, ("dE/dbogus",), EVIL, "1+1"):
        assert exercise.grade(typed).verdict == "invalid", typed
    assert math.isclose(float(exercise.solution.value), step.value, rel_tol=1e-8)


# --- learning_rate ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3, 6])
def test_learning_rate_right_wrong_malformed(seed):
    exercise = make_exercise("learning_rate", seed)
    # The solution names the setting ("train 2000 epochs at η = 5"); training it again gives the answer.
    epochs = int(exercise.solution.formula.split()[1])
    rate = float(exercise.solution.formula.rpartition("η = ")[2])
    assert f"η = {exercise.solution.formula.rpartition('η = ')[2]}" in exercise.question
    result = train(exercise.example, epochs=epochs, learning_rate=rate)
    assert exercise.answer == rate_outcome(result.loss_history, result.diverged_at)
    assert exercise.choices == RATE_OUTCOMES and exercise.asks == "E_total"
    assert exercise.grade(exercise.answer).right
    wrong = next(c for c in RATE_OUTCOMES if c != exercise.answer)
    off = exercise.grade(wrong)
    assert off.verdict == "off" and off.hint
    for typed in ("", None, "explode", EVIL):
        assert exercise.grade(typed).verdict == "invalid"


def test_learning_rate_takes_no_topic():
    with pytest.raises(SpecError):
        make_exercise("learning_rate", 1, topic="output")


def test_unknown_kind():
    with pytest.raises(SpecError) as info:
        make_exercise("guess", 1)
    assert info.value.field == "kind"


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_same_exercise(kind):
    assert make_exercise(kind, 11).as_dict() == make_exercise(kind, 11).as_dict()
    assert make_exercise(kind, 11).as_dict(answers=False)["answer"] is None


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_worked_solution(kind):
    for topic in (LAYER_TOPICS if kind in ("sign", "chain") else (None,)):
        exercise = make_exercise(kind, 12, topic=topic)
        solution = exercise.solution.as_dict()
        assert set(solution) == {"formula", "substituted", "value"} and all(solution.values())


# --- practice networks --------------------------------------------------------------------------

def _two_decimals(value: float) -> bool:
    return round(value, 2) == value


def test_random_examples_are_reproducible_and_workable_over_1000_seeds():
    seen = set()
    for seed in range(1000):
        example = random_example(seed)
        data = example_to_dict(example)
        assert example_to_dict(random_example(seed)) == data, seed
        seen.add(repr(data["weights"]))
        numbers = [v for layer in example.weights for row in layer for v in row]
        assert all(v != 0 for v in numbers), seed
        numbers += list(example.flat_parameters()) + list(example.inputs[0]) + list(example.targets[0])
        assert all(_two_decimals(v) for v in numbers), seed
        step = evaluate_step(example)
        L = example.network.depth
        for j in range(example.network.layers[-1]):
            assert abs(step[Out(L, j)] - step[Target(j)]) >= 0.01, seed
        derivatives = [v for k, v in step.values.items() if isinstance(k, Partial) and isinstance(k.of, TotalError)]
        assert derivatives and all(round(v, 4) != 0 for v in derivatives), seed
        deltas = [step[Partial(TotalError(), Net(l, j))] for l in range(1, L + 1)
                  for j in range(example.network.layers[l])]
        assert all(round(v, 4) != 0 for v in deltas), seed
    assert len(seen) == 1000


@pytest.mark.parametrize("seed", [-1, "x", 1.5, True])
def test_random_example_rejects_a_bad_seed(seed):
    with pytest.raises(SpecError):
        random_example(seed)
