"""XOR properly (any sample, the dataset loss named apart from one sample's error) and softmax written out."""

import pytest

from backprop_tutor import evaluate_step, load_example, train, walkthrough
from backprop_tutor.app.cli import main
from backprop_tutor.core.quantities import Net, Out, Partial
from backprop_tutor.teaching.render import training_lines


def test_the_command_line_walks_through_any_sample(capsys):
    assert main(["--example", "xor", "--sample", "2", "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    xor = load_example("xor")
    first = ", ".join(f"i{k + 1} = {v:g}" for k, v in enumerate(xor.inputs[1])).replace(", ", " and ")
    assert f"Sample 2 of 4. We feed the inputs {first} forward" in out
    # The numbers are sample 2's: its net input, computed by the engine.
    net_h1 = evaluate_step(xor, 1)[Net(1, 0)]
    assert f"= {net_h1:.9g}" in out and f"= {evaluate_step(xor, 0)[Net(1, 0)]:.9g}\n" not in out


@pytest.mark.parametrize("value, message", [("5", "sample: this example has 4 sample(s); got 5"),
                                            ("0", "argument --sample: expected a whole number >= 1, got 0"),
                                            ("two", "argument --sample: expected a whole number >= 1")])
def test_a_sample_that_is_not_there_is_one_line(value, message, capsys):
    try:
        code = main(["--example", "xor", "--sample", value])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


def test_the_dataset_loss_and_one_samples_error_have_different_names():
    xor = load_example("xor")
    lines = training_lines(train(xor, epochs=3), walkthrough(xor))
    assert lines[1].startswith("L, the mean of E_total over the 4 samples = ")
    mazur = load_example("mazur")   # one sample: the loss is that sample's error
    assert training_lines(train(mazur, epochs=3), walkthrough(mazur))[1].startswith("E_total = ")
    assert walkthrough(xor).step_for("E_total").title == "Total error"
    assert "Sample 1 of 4." in walkthrough(xor)[0].explanation and "Sample" not in walkthrough(mazur)[0].explanation


def test_a_mean_over_one_output_is_written_without_a_factor_of_one():
    step = walkthrough(load_example("xor")).step_for("E_o1")
    assert step.formula.text == "E_o1 = (target_o1 - out_o1)**2"
    assert r"1 \cdot" not in step.formula.tex


def test_softmax_is_written_out_and_its_jacobian_has_steps_of_its_own():
    example = load_example("softmax")
    walk = walkthrough(example)
    assert all("softmax_" not in s.formula.text + s.formula.text_numbers for s in walk)
    assert walk.step_for("out_o2").formula.text == "out_o2 = exp(net_o2)/(exp(net_o1) + exp(net_o2) + exp(net_o3))"
    values = evaluate_step(example)
    outs = [values[Out(2, i)] for i in range(3)]
    for i in range(3):
        for j in range(3):
            step = walk.step_for(Partial(Out(2, i), Net(2, j)))
            expected = outs[i] * (1 - outs[i]) if i == j else -outs[i] * outs[j]
            assert step.value == pytest.approx(expected, rel=1e-12)
            # Each entry comes before the deltas that use it.
            assert step.index < walk.step_for("delta_o1").index


def test_the_views_name_xors_dataset_loss_L():
    """The training view and the learning-rate explorer report the mean loss, so they call it L on XOR."""
    from backprop_tutor.views.widgets import LearningRateExplorer, TrainingView
    explorer = LearningRateExplorer("xor", epochs=40)
    assert "L = " in explorer.status.value and "E_total = " not in explorer.status.value
    training = TrainingView("xor", epochs_per_tick=5)
    assert " · L = " in training.counter.value
    assert " · E_total = " in TrainingView("mazur", epochs_per_tick=5).counter.value   # one sample: the same number
