"""Progress and Stop: training in chunks gives the same numbers, and a Stop or Ctrl-C keeps the partial run."""

import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backprop_tutor import load_example, train, walkthrough
from backprop_tutor.core.spec import Network, SpecError
from backprop_tutor.teaching.render import training_lines

REPO = Path(__file__).resolve().parent.parent


def linear_output(rate: float):
    mazur = load_example("mazur")
    return mazur.replace(network=Network((2, 2, 2), ("sigmoid", "linear")), learning_rate=rate, epochs=3000)


@pytest.mark.parametrize("example", [load_example("mazur"), load_example("xor"), load_example("softmax"),
                                     linear_output(3.0), linear_output(0.1)],
                         ids=["mazur", "xor", "softmax", "diverging", "linear"])
def test_a_run_reported_in_chunks_is_the_same_run(example):
    whole = train(example, epochs=3000)
    calls = []
    chunked = train(example, epochs=3000, progress=lambda done, total: calls.append((done, total)))
    assert np.array_equal(whole.loss_history, chunked.loss_history)
    assert whole.parameters == chunked.parameters and whole.diverged_at == chunked.diverged_at
    assert all(total == 3000 for _, total in calls) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    if whole.diverged_at is None:
        assert calls[-1][0] == 3000
    else:
        assert all(done <= whole.diverged_at for done, _ in calls)


def test_stop_keeps_the_run_so_far():
    example = load_example("mazur")
    stopped = train(example, epochs=5000, progress=lambda done, total: done < 1000)
    assert stopped.state == "stopped" and stopped.stopped_at == 1024
    shorter = train(example, epochs=1024)
    assert np.array_equal(stopped.loss_history, shorter.loss_history) and stopped.parameters == shorter.parameters
    assert training_lines(stopped, walkthrough(example))[0].startswith(
        "Training at learning rate 0.5 was stopped after epoch 1024 of 5000")


def test_ctrl_c_during_a_run_stops_it_cleanly():
    def interrupt(done, total):
        if done >= 512:
            raise KeyboardInterrupt
    stopped = train(load_example("xor"), epochs=5000, progress=interrupt)
    assert stopped.stopped_at == 512 and len(stopped.loss_history) == 513


def test_progress_and_a_recorded_path_are_not_asked_together():
    with pytest.raises(SpecError, match="^progress: "):
        train(load_example("mazur"), epochs=10, record_path=True, progress=lambda d, t: None)


def test_the_command_line_shows_progress_and_stops_on_ctrl_c():
    """A long run draws a bar on stderr; Ctrl-C ends it with one line and the results so far."""
    process = subprocess.Popen([sys.executable, "-m", "backprop_tutor", "--epochs", "30000000"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               # a background process starts with Ctrl-C ignored: give it the terminal's default
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for line in iter(process.stderr.readline, ""):   # wait for the bar: the run is under way
            if re.search(r"training:.*\d epoch/s|training:.*\d+\.\d+epoch/s", line):
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("python -m backprop_tutor: training stopped at epoch ") and "of 30000000 (Ctrl-C)" in last
    assert "was stopped after epoch" in out and "Traceback" not in err
