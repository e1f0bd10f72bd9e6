"""``backprop-tutor lessons DEST`` and ``backprop-tutor lab``: the lessons written into a folder
in the repository's layout, a student's edits never overwritten without --force, and the
JupyterLab command ``lab`` would run (no server is started here).

The same command from an installed wheel, outside the repository, is tests/test_wheel.py.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_notebooks import _images

from backprop_tutor.app import lab, lessons
from backprop_tutor.app.cli import main
from backprop_tutor.app.lessons import RECORD, lesson_files, write_lessons

REPO = Path(__file__).resolve().parents[1]
FIRST = "notebooks/00_start_here.ipynb"
EDITED = "notebooks/01_network_and_forward_pass.ipynb"


def run(args, capsys):
    try:
        code = main(args)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _files(dest: Path) -> dict:
    return {p.relative_to(dest).as_posix(): p.read_bytes() for p in dest.rglob("*") if p.is_file() and p.name != RECORD}


def _edit(path: Path, text: str = "my answer") -> bytes:
    nb = json.loads(path.read_text("utf-8"))
    nb["cells"].append({"cell_type": "markdown", "id": "mine", "metadata": {}, "source": [text]})
    data = (json.dumps(nb, indent=1) + "\n").encode()
    path.write_bytes(data)
    return data


# --- what the lessons are ------------------------------------------------------------------------

def test_the_lessons_are_the_numbered_notebooks_their_images_and_the_examples():
    files = lesson_files()
    notebooks = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [f for f in files if f.startswith("notebooks/")] == notebooks and FIRST in files
    assert sorted(f for f in files if f.startswith("examples/")) == sorted(
        f"examples/{p.name}" for p in (REPO / "backprop_tutor" / "examples").glob("*.json"))
    images = [f for f in files if f.startswith("img/")]
    assert images and not [f for f in images if "screenshot" in f], "the README's screenshots are not lessons"
    assert set(files) == {*notebooks, *images, *(f for f in files if f.startswith("examples/"))}


def test_every_image_and_example_a_notebook_names_is_a_lesson_file():
    """The copy is complete: each ../img/... and ../examples/... link of a notebook is among the lessons."""
    files = lesson_files()
    for name in (f for f in files if f.startswith("notebooks/")):
        nb = json.loads(files[name].read_text("utf-8"))
        for cell in nb["cells"]:
            source = "".join(cell["source"])
            targets = [t for _, t in _images(source)] if cell["cell_type"] == "markdown" else []
            targets += re.findall(r"\.\./examples/[\w.-]+", source)
            for target in (t for t in targets if not re.match(r"[a-z]+:", t)):  # not web addresses
                assert target.startswith("../"), f"{name}: {target} would not work in a lessons folder"
                assert posixpath.normpath(f"notebooks/{target}") in files, f"{name}: {target} is not a lesson file"


# --- backprop-tutor lessons DEST -----------------------------------------------------------------

def test_lessons_writes_the_repository_layout(tmp_path, capsys):
    dest = tmp_path / "lessons"
    code, out, err = run(["lessons", str(dest)], capsys)
    assert code == 0 and err == ""
    expected = {name: path.read_bytes() for name, path in lesson_files().items()}
    assert _files(dest) == expected
    assert out.splitlines() == [f"lessons in {dest}: {len(expected)} new, 0 updated, 0 unchanged; start with {FIRST}"]
    # The notebooks' links resolve in the copy exactly as in the repository.
    for notebook in (dest / "notebooks").glob("*.ipynb"):
        for cell in json.loads(notebook.read_text("utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                for _, target in _images("".join(cell["source"])):
                    assert (notebook.parent / target).is_file(), target
    assert (dest / "notebooks" / "../examples/mazur.json").is_file()


def test_lessons_again_changes_nothing(tmp_path, capsys):
    dest = tmp_path / "lessons"
    run(["lessons", str(dest)], capsys)
    code, out, _ = run(["lessons", str(dest)], capsys)
    assert code == 0
    assert out.splitlines() == [f"lessons in {dest}: 0 new, 0 updated, {len(lesson_files())} unchanged; "
                                f"start with {FIRST}"]


def test_lessons_refuses_to_overwrite_an_edited_notebook(tmp_path, capsys):
    """A notebook the student changed is kept, named in one line with the reason; the rest is written."""
    dest = tmp_path / "lessons"
    write_lessons(dest)
    mine = _edit(dest / EDITED)
    (dest / "img" / "NN_structure.png").unlink()  # a deleted file comes back
    code, out, err = run(["lessons", str(dest)], capsys)
    assert code == 0 and err == ""
    assert (dest / EDITED).read_bytes() == mine
    assert (dest / "img" / "NN_structure.png").is_file()
    summary, kept = out.splitlines()
    assert "1 new, 0 updated" in summary
    assert kept == f"kept 1 file you changed, not overwritten (--force overwrites them): {EDITED}"
    # Still kept the next time.
    code, out, _ = run(["lessons", str(dest)], capsys)
    assert (dest / EDITED).read_bytes() == mine and out.splitlines()[1].endswith(EDITED)


def test_force_overwrites_the_edited_notebook(tmp_path, capsys):
    dest = tmp_path / "lessons"
    write_lessons(dest)
    _edit(dest / EDITED)
    code, out, _ = run(["lessons", str(dest), "--force"], capsys)
    assert code == 0 and len(out.splitlines()) == 1 and "0 new, 1 updated" in out
    assert (dest / EDITED).read_bytes() == lesson_files()[EDITED].read_bytes()
    code, out, _ = run(["lessons", str(dest)], capsys)
    assert "0 updated" in out and "kept" not in out


def test_an_unedited_copy_of_an_older_release_is_refreshed_silently(tmp_path, capsys):
    """A file still byte for byte what was written there (the record says so) is replaced without a word."""
    dest = tmp_path / "lessons"
    write_lessons(dest)
    older = _edit(dest / EDITED, "what release 0.0 said")
    record = json.loads((dest / RECORD).read_text("utf-8"))
    record["files"][EDITED] = hashlib.sha256(older).hexdigest()
    (dest / RECORD).write_text(json.dumps(record), "utf-8")
    code, out, _ = run(["lessons", str(dest)], capsys)
    assert code == 0 and out.splitlines() == [
        f"lessons in {dest}: 0 new, 1 updated, {len(lesson_files()) - 1} unchanged; start with {FIRST}"]
    assert (dest / EDITED).read_bytes() == lesson_files()[EDITED].read_bytes()


def test_a_students_file_of_the_same_name_is_kept_on_a_first_copy(tmp_path, capsys):
    """Without a record (a folder the command never wrote), a differing file is the student's: kept."""
    dest = tmp_path / "course"
    (dest / "notebooks").mkdir(parents=True)
    (dest / EDITED).write_text("{}", "utf-8")
    (dest / "notebooks" / "my_notes.ipynb").write_text("{}", "utf-8")
    code, out, _ = run(["lessons", str(dest)], capsys)
    assert code == 0 and out.splitlines()[1].endswith(EDITED)
    assert (dest / EDITED).read_text("utf-8") == "{}"
    assert (dest / "notebooks" / "my_notes.ipynb").read_text("utf-8") == "{}", "other files are left alone"


def test_lessons_into_a_file_is_one_line(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("x", "utf-8")
    code, out, err = run(["lessons", str(target)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("backprop-tutor lessons: error:") and "a_file" in err


def test_lessons_without_dest_uses_the_default_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(lessons.DEFAULT_FOLDER_ENV, str(tmp_path / "from_env"))
    code, _, _ = run(["lessons"], capsys)
    assert code == 0 and (tmp_path / "from_env" / FIRST).is_file()
    monkeypatch.delenv(lessons.DEFAULT_FOLDER_ENV)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert lessons.default_folder() == tmp_path / "home" / "backprop_tutor_lessons"


@pytest.mark.parametrize("command", [["-m", "backprop_tutor", "lessons"], ["backprop-tutor", "lessons"]],
                         ids=["python -m backprop_tutor", "backprop-tutor"])
def test_the_command_runs_both_ways(tmp_path, command):
    """``python -m backprop_tutor lessons`` and the ``backprop-tutor`` console script."""
    if command[0] == "backprop-tutor":
        script = Path(sys.executable).with_name("backprop-tutor")
        assert script.exists(), "the backprop-tutor script is not installed: pip install -e ."
        command = [str(script), *command[1:]]
    else:
        command = [sys.executable, *command]
    result = subprocess.run([*command, str(tmp_path / "out")], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / FIRST).is_file() and (tmp_path / "out" / "examples" / "mazur.json").is_file()


# --- backprop-tutor lab ---------------------------------------------------------------------------

@pytest.fixture
def ran(monkeypatch):
    """The commands ``lab`` would run, instead of running them."""
    commands = []
    monkeypatch.setattr(lab, "_run", lambda command: commands.append(command) or 0)
    return commands


def test_lab_writes_the_lessons_and_opens_notebook_00_on_localhost(tmp_path, ran, capsys):
    dest = tmp_path / "course"
    code, out, err = run(["lab", str(dest), "--port", "8999", "--no-browser"], capsys)
    assert code == 0, err
    assert (dest / FIRST).is_file() and out.startswith(f"lessons in {dest}:")
    [command] = ran
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    options = command[3:]
    assert f"--ServerApp.root_dir={dest.resolve()}" in options
    assert "--ServerApp.ip=127.0.0.1" in options and not any("0.0.0.0" in o for o in options)
    assert "--ServerApp.port=8999" in options
    assert f"--LabApp.default_url=/lab/tree/{FIRST}" in options and (dest / FIRST).is_file()
    assert "--no-browser" in options


def test_lab_keeps_edits_and_uses_the_default_folder(tmp_path, monkeypatch, ran, capsys):
    monkeypatch.setenv(lessons.DEFAULT_FOLDER_ENV, str(tmp_path / "default"))
    assert run(["lab"], capsys)[0] == 0
    mine = _edit(tmp_path / "default" / EDITED)
    code, out, _ = run(["lab"], capsys)
    assert code == 0 and (tmp_path / "default" / EDITED).read_bytes() == mine and EDITED in out
    assert all(f"--ServerApp.root_dir={(tmp_path / 'default').resolve()}" in c for c in ran) and len(ran) == 2
    assert "--no-browser" not in ran[0]


def test_lab_without_jupyterlab_says_how_to_install_it(tmp_path, monkeypatch, ran, capsys):
    real = lab.importlib.util.find_spec
    monkeypatch.setattr(lab.importlib.util, "find_spec", lambda name: None if name == "jupyterlab" else real(name))
    code, out, err = run(["lab", str(tmp_path / "x")], capsys)
    assert code == 2 and ran == [] and err.count("\n") == 1 and "backprop_tutor[notebook]" in err


def test_lab_bad_port_is_one_line_naming_it(tmp_path, ran, capsys):
    code, _, err = run(["lab", str(tmp_path), "--port", "http"], capsys)
    assert code == 2 and ran == [] and err.count("\n") == 1 and "--port" in err


def test_the_command_lab_runs_is_jupyterlab():
    """``python -m jupyterlab`` (the module lab runs) exists here: ``--version`` answers without a server."""
    result = subprocess.run([sys.executable, "-m", "jupyterlab", "--version"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and result.stdout.strip()[:1].isdigit(), result.stderr
