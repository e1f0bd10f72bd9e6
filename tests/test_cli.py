"""The command line: ``python -m backprop_tutor`` prints the walkthrough and the training summary.

Golden strings come from the seed notebook (cells 3, 6, 14, 35) at the nine significant digits
Mazur's article prints, or from the walkthrough model the CLI renders.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from golden import MAZUR, SEED, SEED_CELL35_OUTPUTS, SEED_E_TOTAL

from backprop_tutor import preset, walkthrough
from backprop_tutor.app.cli import main

REPO = Path(__file__).resolve().parents[1]
PROG = "python -m backprop_tutor"


def run_module(*args):
    """``python -m backprop_tutor ARGS`` in a fresh interpreter, from the repository root."""
    return subprocess.run([sys.executable, "-m", "backprop_tutor", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def run_main(args, capsys):
    """cli.main(args) in this process: (exit status, stdout, stderr)."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse rejects bad options by exiting
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rhs(equation):
    return equation.partition(" = ")[2]


# --- the default run ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_run():
    return run_module()


def test_module_prints_every_step(default_run):
    """Each step's formula, the formula with numbers, and the value appear in the text output."""
    assert default_run.returncode == 0, default_run.stderr
    assert default_run.stderr == ""
    out = default_run.stdout
    walk = walkthrough(preset("seed"))
    for step in walk:
        assert step.title in out
        assert step.formula.text in out, step.index
        assert _rhs(step.formula.text_numbers) in out, step.index
        if step.value is not None:
            assert f"= {step.value_text}" in out, step.index


def test_module_prints_the_seed_numbers(default_run):
    """The walkthrough reads as the seed does: net_h1 (cell 3), out_h1 (cell 6), E_total (cell 14)."""
    out = default_run.stdout
    assert "net_h1 = w1*i1 + w2*i2 + b1*1" in out
    assert "= 0.15*0.05 + 0.2*0.1 + 0.35*1" in out
    assert f"= {MAZUR['net_h1']}" in out          # seed cell 3
    assert "out_h1 = 1/(1 + exp(-net_h1))" in out
    assert f"= {MAZUR['out_h1']}" in out          # seed cell 6 / Mazur out_h1
    assert "E_total = E_o1 + E_o2" in out
    assert f"= {MAZUR['E_total']}" in out         # seed cell 14 / Mazur E_total
    assert f"= {MAZUR['delta_o1']}" in out        # seed cell 18 / Mazur δ_o1


def test_module_prints_the_training_summary(default_run):
    """After the walkthrough: 20,000 epochs, the loss, and the outputs of seed cell 35."""
    out = default_run.stdout
    assert "\nTraining\n========\n" in out
    assert "After 20000 epochs at learning rate 0.5:" in out
    assert f"(it started at {MAZUR['E_total']})" in out  # seed cell 14
    # seed cell 35 at nine significant digits
    assert f"outputs {SEED_CELL35_OUTPUTS[0]:.9g} (target 0.01), {SEED_CELL35_OUTPUTS[1]:.9g} (target 0.99)" in out


def test_main_prints_what_the_module_prints(default_run, capsys):
    """cli.main([]) in process prints exactly what ``python -m backprop_tutor`` prints."""
    code, out, err = run_main([], capsys)
    assert code == 0 and err == ""
    assert out == default_run.stdout


def test_main_epochs_option(capsys):
    """--epochs 5 trains five epochs."""
    code, out, _ = run_main(["--epochs", "5"], capsys)
    assert code == 0
    assert "After 5 epochs at learning rate 0.5:" in out
    assert "net_h1 = w1*i1 + w2*i2 + b1*1" in out


# --- notations and formats ---------------------------------------------------------------------

def test_layered_notation(capsys):
    """--notation layered names quantities as the seed's code does: w11_2, z1_2, a1_2."""
    code, out, _ = run_main(["--notation", "layered", "--epochs", "1"], capsys)
    assert code == 0
    assert "z1_2 = w11_2*x1 + w12_2*x2" in out    # seed cell 2
    assert "a1_2 = 1/(1 + exp(-z1_2))" in out
    assert "z1_3 = w11_3*a1_2 + w12_3*a2_2" in out  # seed cell 7
    assert f"= {MAZUR['net_h1']}" in out          # seed cell 3
    for mazur_name in ("net_h1", "out_h1", "w5", "E_total"):
        assert mazur_name not in out


def test_markdown_format(capsys):
    """--format markdown: headings per phase, display maths in $$ blocks, the training section."""
    code, out, _ = run_main(["--format", "markdown", "--epochs", "2"], capsys)
    assert code == 0
    assert out.startswith("# Backpropagation, step by step: Mazur's example\n")
    for heading in ("## Forward pass", "## Total error", "## Training"):
        assert f"\n{heading}\n" in out
    assert r"\mathrm{net}_{h1} &= w_{1} \cdot i_{1} + w_{2} \cdot i_{2} + b_{1} \cdot 1" in out
    assert out.count("$$") % 2 == 0 and out.count("$$") > 0
    assert MAZUR["E_total"] in out                # seed cell 14


def test_latex_format_is_a_complete_document(capsys):
    """--format latex: a complete document with balanced environments and maths."""
    code, out, _ = run_main(["--format", "latex", "--epochs", "2"], capsys)
    assert code == 0
    assert out.startswith(r"\documentclass")
    assert out.count(r"\begin{document}") == 1
    assert out.rstrip().endswith(r"\end{document}")
    for env in set(re.findall(r"\\begin\{(\w+)\}", out)):
        assert out.count(rf"\begin{{{env}}}") == out.count(rf"\end{{{env}}}"), env
    assert out.count(r"\[") == out.count(r"\]") > 0
    assert out.replace(r"\$", "").count("$") % 2 == 0
    assert r"\usepackage{amsmath}" in out
    assert r"w_{1} \cdot i_{1} + w_{2} \cdot i_{2}" in out


def _shape(value):
    """Nested list lengths: [[1, 2], [3, 4]] -> [2, [2, 2]] style description."""
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def test_json_format_structure(capsys):
    """--format json --epochs 5: the result JSON with the seed's first step and 6 losses."""
    code, out, _ = run_main(["--format", "json", "--epochs", "5"], capsys)
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"first_step", "loss_history", "final", "diverged_at"}
    assert data["epochs"] == 5
    assert data["diverged_at"] is None

    first = data["first_step"]
    assert set(first) == {"net", "out", "loss", "delta", "grad_weights", "grad_biases", "weights", "biases"}
    per_neuron = [["float", "float"], ["float", "float"]]          # one list per non-input layer
    weight_shape = [[["float", "float"], ["float", "float"]]] * 2  # weights[l][j][k], as the example JSON
    for name in ("net", "out", "delta"):
        assert _shape(first[name]) == per_neuron, name
    assert isinstance(first["loss"], float)
    assert _shape(first["grad_weights"]) == weight_shape
    assert _shape(first["weights"]) == weight_shape
    assert _shape(first["grad_biases"]) == ["float", "float"]  # shared: one per non-input layer
    assert _shape(first["biases"]) == ["float", "float"]
    # seed cells 3, 10, 14, 18, 20, 22, 29, 31
    assert first["net"][0][0] == pytest.approx(SEED["cell3_net_h1"], abs=1e-12)
    assert first["out"][1] == pytest.approx([SEED["cell10_out_o1"], SEED["cell10_out_o2"]], abs=1e-12)
    assert first["loss"] == pytest.approx(SEED_E_TOTAL, abs=1e-12)
    assert first["delta"][1] == pytest.approx([SEED["cell18_delta_o1"], SEED["cell18_delta_o2"]], abs=1e-12)
    assert first["grad_weights"][1][0][0] == pytest.approx(SEED["cell20_dE_dw5"], abs=1e-12)
    assert first["grad_biases"] == pytest.approx([SEED["cell29_dE_db1"], SEED["cell20_dE_db2"]], abs=1e-12)
    assert first["weights"][0][0][0] == pytest.approx(SEED["cell31_w1_new"], abs=1e-12)
    assert first["biases"] == pytest.approx([SEED["cell31_b1_new"], SEED["cell22_b2_new"]], abs=1e-12)

    history = data["loss_history"]
    assert len(history) == 6
    assert history[0] == pytest.approx(SEED_E_TOTAL, abs=1e-12)
    assert history == sorted(history, reverse=True)

    final = data["final"]
    assert set(final) >= {"weights", "biases", "outputs", "loss"}
    assert _shape(final["weights"]) == weight_shape
    assert _shape(final["biases"]) == ["float", "float"]
    assert _shape(final["outputs"]) == [["float", "float"]]  # one row per sample
    assert final["loss"] == pytest.approx(history[-1], abs=1e-15)


def test_json_default_run_reaches_seed_cell35(capsys):
    """--format json with the seed's 20,000 epochs: epochs + 1 losses and the outputs of cell 35."""
    code, out, _ = run_main(["--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["epochs"] == 20000
    assert len(data["loss_history"]) == data["epochs"] + 1
    assert data["loss_history"][0] == pytest.approx(SEED_E_TOTAL, abs=1e-12)
    assert data["final"]["outputs"][0] == pytest.approx(list(SEED_CELL35_OUTPUTS), abs=1e-12)


# --- other examples -----------------------------------------------------------------------------

def test_xor_example_file_subprocess():
    """--example examples/xor.json runs from the repository root."""
    result = run_module("--example", "examples/xor.json", "--epochs", "10")
    assert result.returncode == 0, result.stderr
    assert "Backpropagation, step by step: XOR" in result.stdout
    assert "After 10 epochs" in result.stdout
    assert "sample 4: outputs" in result.stdout  # XOR has four samples


def test_xor_example_file_json(capsys, monkeypatch):
    """--example examples/xor.json --format json: per-neuron biases, 1 + epochs losses."""
    monkeypatch.chdir(REPO)
    code, out, _ = run_main(["--example", "examples/xor.json", "--epochs", "10", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert len(data["loss_history"]) == 11
    assert _shape(data["first_step"]["grad_biases"]) == [["float"] * 3, ["float"]]
    assert _shape(data["final"]["outputs"]) == [["float"]] * 4


# --- bad arguments ------------------------------------------------------------------------------

BAD_OPTIONS = [
    pytest.param(["--epochs", "-1"], "--epochs", id="epochs_negative"),
    pytest.param(["--epochs", "abc"], "--epochs", id="epochs_not_a_number"),
    pytest.param(["--learning-rate", "0"], "--learning-rate", id="learning_rate_zero"),
]


def _bad_files(tmp_path):
    malformed = tmp_path / "malformed.json"
    malformed.write_text('{"layers": [2, 2, 2], "weights": ', encoding="utf-8")
    bad_field = tmp_path / "bad_field.json"
    data = json.loads((REPO / "examples" / "mazur.json").read_text("utf-8"))
    data["layers"] = [2, "two", 2]
    bad_field.write_text(json.dumps(data), encoding="utf-8")
    return {
        "nosuchfile": (["--example", "nosuchfile"], "example"),
        "malformed_json": (["--example", str(malformed)], "example"),
        "bad_field": (["--example", str(bad_field)], "layers[1]"),
    }


BAD_FILES = ["nosuchfile", "malformed_json", "bad_field"]


def _assert_one_line_error(code, out, err, name, usage_allowed):
    """Non-zero exit, nothing on stdout, one 'error:' line naming the option or field, no traceback."""
    assert code not in (0, None)
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip("\n").splitlines()
    errors = [line for line in lines if line.startswith(f"{PROG}: error:")]
    assert len(errors) == 1, err
    assert name in errors[0]
    assert lines[-1] == errors[0]
    usage = lines[:-1]
    if usage_allowed:  # argparse shows its usage block before the error line
        assert not usage or (usage[0].startswith("usage:") and all(line.startswith(" ") for line in usage[1:]))
    else:
        assert usage == []


@pytest.mark.parametrize("args, name", BAD_OPTIONS)
def test_bad_option_main(capsys, args, name):
    """cli.main rejects a bad option with one error line naming it."""
    code, out, err = run_main(args, capsys)
    _assert_one_line_error(code, out, err, name, usage_allowed=True)


@pytest.mark.parametrize("args, name", BAD_OPTIONS)
def test_bad_option_subprocess(args, name):
    """python -m backprop_tutor rejects a bad option with one error line naming it."""
    result = run_module(*args)
    _assert_one_line_error(result.returncode, result.stdout, result.stderr, name, usage_allowed=True)


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_example_main(capsys, tmp_path, case):
    """cli.main rejects a missing or malformed example with exactly one line naming the field."""
    args, name = _bad_files(tmp_path)[case]
    code, out, err = run_main(args, capsys)
    _assert_one_line_error(code, out, err, name, usage_allowed=False)


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_example_subprocess(tmp_path, case):
    """python -m backprop_tutor rejects a missing or malformed example with exactly one line."""
    args, name = _bad_files(tmp_path)[case]
    result = run_module(*args)
    _assert_one_line_error(result.returncode, result.stdout, result.stderr, name, usage_allowed=False)


def test_malformed_json_message_says_where(capsys, tmp_path):
    """The malformed-file error says it is not valid JSON and where."""
    args, _ = _bad_files(tmp_path)["malformed_json"]
    _, _, err = run_main(args, capsys)
    assert "is not valid JSON" in err and "line 1" in err
