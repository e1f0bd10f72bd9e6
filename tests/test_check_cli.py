"""``python -m backprop_tutor check FILE.py --function NAME [--example EX]``: the homework checker's command line.

Exit status 0 when the student's numbers are right, 1 when they are wrong (the report names the
mistake), 2 for a usage or file error, said in one line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_mistakes import MISTAKEN, STUDENT, edited

from backprop_tutor.app.cli import main

REPO = Path(__file__).resolve().parents[1]
PROG = "python -m backprop_tutor check"


def run_check(*args):
    """``python -m backprop_tutor check ARGS`` in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "backprop_tutor", "check", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def run_main(args, capsys):
    try:
        code = main(["check", *args])
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def homework(tmp_path):
    def write(source: str, name: str = "homework.py") -> Path:
        path = tmp_path / name
        path.write_text(source, "utf-8")
        return path
    return write


def test_a_correct_file_exits_0(homework):
    result = run_check(str(homework(STUDENT)), "--function", "backprop")
    assert result.returncode == 0, result.stderr
    assert "All 32 numbers you gave are right." in result.stdout
    assert result.stderr == ""


def test_a_correct_file_on_another_example(homework, capsys):
    code, out, err = run_main([str(homework(STUDENT)), "--function", "backprop", "--example", "mazur_article"], capsys)
    assert code == 0 and 'the example "Mazur\'s article (biases fixed)"' in out and err == ""


def test_a_mistaken_file_exits_1_and_names_the_mistake(homework):
    source = edited(STUDENT, MISTAKEN["updated_weights_in_hidden_deltas"][0])
    result = run_check(str(homework(source)), "--function", "backprop", "--example", "mazur_article")
    assert result.returncode == 1, result.stderr
    assert "First wrong: delta_h1" in result.stdout
    assert "(updated_weights_in_hidden_deltas)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("mistake_id", ["missing_activation_derivative", "learning_rate_missing"])
def test_other_mistakes_by_main(homework, capsys, mistake_id):
    path = homework(edited(STUDENT, MISTAKEN[mistake_id][0]))
    code, out, _ = run_main([str(path), "--function", "backprop"], capsys)
    assert code == 1 and f"({mistake_id}" in out


def test_a_function_that_raises_exits_1_with_one_line(homework, capsys):
    path = homework("def backprop(p):\n    return p['nope']\n")
    code, out, err = run_main([str(path), "--function", "backprop"], capsys)
    assert code == 1 and err == ""
    assert out.strip() == "Cannot check your function: your function raised KeyError: 'nope' " \
                          "(line 2 of homework.py, in backprop)"


def test_the_file_may_import_its_neighbours(homework, capsys):
    homework("import math\n\ndef sigmoid(x):\n    return 1 / (1 + math.exp(-x))\n", "helpers.py")
    source = STUDENT.replace("import math\n", "import math\nfrom helpers import sigmoid as _unused  # noqa\n", 1)
    code, out, _ = run_main([str(homework(source)), "--function", "backprop"], capsys)
    assert code == 0, out


def _one_line_error(result_or_err: str, *parts) -> None:
    text = result_or_err
    assert text.count("\n") == 1 and text.endswith("\n"), text
    assert text.startswith(f"{PROG}: error: "), text
    for part in parts:
        assert part in text, text


def test_a_missing_file_exits_2_with_one_line(tmp_path):
    result = run_check(str(tmp_path / "nope.py"), "--function", "backprop")
    assert result.returncode == 2 and result.stdout == ""
    _one_line_error(result.stderr, "no file", "nope.py")


def test_a_missing_function_exits_2_with_one_line(homework):
    result = run_check(str(homework(STUDENT)), "--function", "back_prop")
    assert result.returncode == 2 and result.stdout == ""
    _one_line_error(result.stderr, "homework.py has no function 'back_prop'", "functions in it: backprop, sigmoid")


@pytest.mark.parametrize("source, expected", [
    ("def backprop(p)\n    return {}\n", "homework.py could not be imported: SyntaxError"),
    ("raise RuntimeError('boom')\n", "homework.py could not be imported: RuntimeError: boom"),
    ("backprop = 3\n", "'backprop' in homework.py is not a function"),
])
def test_a_file_that_cannot_be_used_exits_2(homework, capsys, source, expected):
    code, out, err = run_main([str(homework(source)), "--function", "backprop"], capsys)
    assert code == 2 and out == ""
    _one_line_error(err, expected)


def test_usage_errors_exit_2(homework, capsys, tmp_path):
    code, out, err = run_main([str(homework(STUDENT))], capsys)
    assert code == 2 and "--function" in err and err.count("\n") == 1
    code, out, err = run_main([str(homework(STUDENT)), "--function", "backprop", "--example", "nope"], capsys)
    assert code == 2
    _one_line_error(err, "example: no preset or file named 'nope'")
    text = tmp_path / "notes.txt"
    text.write_text("hello", "utf-8")
    code, out, err = run_main([str(text), "--function", "backprop"], capsys)
    assert code == 2
    _one_line_error(err, "notes.txt is not a Python file")
