"""The work budget: a request past two minutes or 2 GiB is refused before any work, in one line.

Reproducers from issue 11: epochs 1e8 (minutes with no message), 1e30 (an array-size traceback),
a sweep of 10**7 rates (3.8 GB), a 1001-layer chain (186 s to derive). Each is refused at once,
names its field, says the limit and how to go on; ``no_limit`` and ``--no-limit`` run it anyway.
"""

import numpy as np
import pytest

from backprop_tutor import load_example, sweep, train
from backprop_tutor.app.cli import main
from backprop_tutor.core import budget
from backprop_tutor.core.spec import Network, SpecError
from backprop_tutor.core.symbolic import derive


def refused(call, field: str) -> str:
    with pytest.raises(SpecError) as excinfo:
        call()
    message = str(excinfo.value)
    assert excinfo.value.field == field and "\n" not in message
    assert "the limit is" in message and "no_limit=True, or --no-limit, runs it anyway" in message
    return message


@pytest.mark.parametrize("epochs, words", [(10 ** 8, "1e+08 epochs × 1 sample would take about 6 minutes"),
                                           (10 ** 30, "1e+30 epochs × 1 sample would take about")])
def test_too_many_epochs_are_refused_before_training(epochs, words):
    assert words in refused(lambda: train(load_example("mazur"), epochs=epochs), "epochs")


def test_a_sweep_that_would_fill_memory_is_refused():
    message = refused(lambda: sweep(load_example("mazur"), np.full(10 ** 7, 0.5), epochs=1), "learning_rates")
    assert "10000000" not in message and "1e+07 learning rates × 1 epoch would need about" in message
    assert "GiB of memory; the limit is 2 GiB" in message


def test_a_network_that_would_take_minutes_to_derive_is_refused():
    chain = Network([1] * 1001, ["sigmoid"] * 1000)
    assert "deriving the 1001-layer network (2,000 parameters) would take about 3 minutes" in \
        refused(lambda: derive(chain), "layers")


def test_every_preset_and_lesson_setting_is_well_inside_the_budget():
    for name in ("mazur", "mazur_article", "xor", "softmax"):
        example = load_example(name)
        n = len(example.network.parameters.keys)
        assert budget.derivation_seconds(example.network.layers, n) < budget.LIMIT_SECONDS / 10
        assert budget.training_seconds(example.epochs, example.n_samples, n, example.update == "batch") < 10
        seconds, memory = budget.sweep_cost(1000, example.epochs, example.n_samples, n, keep_history=True)
        assert seconds < budget.LIMIT_SECONDS and memory < budget.LIMIT_BYTES


def test_no_limit_runs_it_anyway(monkeypatch):
    monkeypatch.setattr(budget, "LIMIT_SECONDS", 1e-9)   # now even three epochs are "too long"
    example = load_example("mazur")
    refused(lambda: train(example, epochs=3), "epochs")
    refused(lambda: sweep(example, [0.5], epochs=3), "learning_rates")
    assert len(train(example, epochs=3, no_limit=True).loss_history) == 4
    assert sweep(example, [0.5], epochs=3, no_limit=True).final_loss.shape == (1,)
    with budget.unlimited():
        assert train(example, epochs=3).epochs == 3
    refused(lambda: train(example, epochs=3), "epochs")   # the context ended


def test_the_command_line_refuses_in_one_line_and_runs_with_no_limit(monkeypatch, capsys):
    assert main(["--epochs", str(10 ** 8)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m backprop_tutor: error: epochs: 1e+08 epochs") and err.count("\n") == 1
    monkeypatch.setattr(budget, "LIMIT_SECONDS", 1e-9)
    assert main(["--epochs", "3"]) == 2
    capsys.readouterr()
    assert main(["--epochs", "3", "--no-limit"]) == 0
    assert "After 3 epochs" in capsys.readouterr().out
