"""What a student reads holds no programmer-only text: no quantity keys such as ("z", 1, 0), no
"seed" (students never see the notebook the package grew from: they meet "Mazur's example"),
and no bare Python values (a tuple of inputs, a list of seventeen-digit weights) without names.

Checked everywhere a student looks: the notebooks' Markdown and code, the outputs of the executed
notebooks (Voilà's presentation hides the code but shows every output), the text of every widget
view (descriptions, tooltips, option labels, placeholders, HTML and Label values; the step-through
at every step of the walkthrough, in both notations), the command line's header and the shipped
examples' names and descriptions. The checks test themselves first: each must catch what it is for.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [path.stem for path in NOTEBOOKS]
SHOWN_MIME = ("text/plain", "text/markdown", "text/html")

# --- the checks ---------------------------------------------------------------------------------

# A quantity key written as a tuple: ("z", 1, 0), ('w', 2, 0, 0), ("d", ("E",), ...), ("E",); not a
# call's arguments (ExerciseView("compute", 11)): a bracket right after a name or a bracket opens a call or an index.
_NOT_CALL = r"(?<![\w)\]])"
TUPLE_KEY = re.compile(_NOT_CALL + r"""\(\s*["'][A-Za-z]+["']\s*,\s*[\d()]""")
SEED = re.compile(r"\bseed\b", re.IGNORECASE)
_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# A run of Python literal text: brackets, commas, spaces and numbers only, opened by ( or [.
_LITERAL = re.compile(_NOT_CALL + rf"[\[(](?:\s|,|[\[\]()]|{_NUM})*[\])]")
# A float printed with all its digits (repr): the package's own numbers stop at nine significant
# digits, so at most twelve decimals (0.000123456789).
LONG_FLOAT = re.compile(r"\d\.\d{13,}")


def _numbers(text: str) -> int:
    return len(re.findall(_NUM, text))


def _groups(run: str) -> list:
    """The bracketed groups of a literal run, each with how deep its brackets nest: "(1, 2) [3]" -> two."""
    groups, depth, deepest, start = [], 0, 0, None
    for i, char in enumerate(run):
        if char in "[(":
            start = i if depth == 0 else start
            depth += 1
            deepest = max(deepest, depth)
        elif char in "])" and depth > 0:
            depth -= 1
            if depth == 0:
                groups.append((run[start: i + 1], deepest))
                deepest = 0
    return groups


def raw_literals(text: str) -> list:
    """Bare Python lists or tuples of numbers: five or more numbers, or numbers nested in brackets.

    A value right after a field's name (``"weights": [[...]]``, the worked-example JSON) is labelled.
    """
    found = []
    for match in _LITERAL.finditer(text):
        if re.search(r"""["']\s*:\s*$""", text[: match.start()]):
            continue
        for group, deepest in _groups(match.group(0)):
            count = _numbers(group)
            if count > 4 or (deepest > 1 and count >= 2):
                found.append(group)
    return found


def bare_value(text: str) -> bool:
    """Whether a whole output is one Python value alone: 0.5, (20000, 0.5), [[0.15, 0.2]], {...}."""
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return isinstance(value, (int, float, tuple, list, dict, set)) and not isinstance(value, bool)


def problems(text: str, *, whole_output: bool = False) -> list:
    """Every piece of programmer-only text in ``text``, each named with an excerpt."""
    found = []

    def excerpt(match_start: int, match_end: int) -> str:
        return text[max(0, match_start - 30): match_end + 30].replace("\n", " ")

    for match in TUPLE_KEY.finditer(text):
        found.append(f"a quantity key as a tuple: ...{excerpt(match.start(), match.end())}...")
    for match in SEED.finditer(text):
        found.append(f"the word 'seed': ...{excerpt(match.start(), match.end())}...")
    for literal in raw_literals(text):
        found.append(f"a bare list or tuple of numbers: {literal[:80]}")
    for match in LONG_FLOAT.finditer(text):
        found.append(f"a number with all its digits: ...{excerpt(match.start(), match.end())}...")
    if whole_output and bare_value(text):
        found.append(f"an output that is a bare Python value, without names: {text.strip()[:80]}")
    return found


def test_the_checks_catch_a_tuple_key():
    assert problems('show_steps(ex, keys=[("z", 1, 0), ("a", 1, 0)])')
    assert problems('show_steps(ex, keys=("z", 1, 0))')
    assert problems("the key ('w', 2, 0, 0) is w5")
    assert problems('keys=[("d", ("E",), ("a", 2, 0)), ("E",)]')
    assert problems('("E",) is the total error')
    assert not problems('show_steps(example, "dE/dw5") and $w^{(2)}_{11}$, $z^{(2)}_{1}$ (net_h1)')
    assert not problems('ExerciseView("compute", 11, quantity="net_h2")')       # a call, not a key


def test_the_checks_catch_the_word_seed():
    for text in ("the seed notebook", "What the Seed's loop printed", 'load_example("seed")', "SEED"):
        assert problems(text), text
    assert not problems("Mazur's example (trained biases) and Mazur's article (biases fixed); seedless, seeds")


def test_the_checks_catch_bare_numbers():
    assert problems("[0.20095144172536, 0.3019028834507, 0.30024084, 0.40048168, 2.37384571]")
    assert problems("((0.05, 0.1), (0.01, 0.99))")                   # the inputs and targets as a tuple
    assert problems("([[[0.2, 0.3], [0.3, 0.4]], [[-2.3, -2.2], [2.6, 2.6]]], [2.3, -0.3])")
    assert problems("[[[0.2009514417, 0.3019028834],\n  [0.3002408442, 0.4004816884]]]")   # pretty-printed
    assert problems("out_o1 = 0.010633774372091731")                # a repr, all 17 digits
    assert problems("(20000, 0.5)", whole_output=True)               # epochs and rate, unlabelled
    assert problems("0.5", whole_output=True)
    assert problems("{'activations': ['sigmoid', 'tanh']}", whole_output=True)
    labelled = ("(i1, i2) = (0.05, 0.1); a slider from 0.001 to 100; $w^{(2)}_{12}$ = 0.2; layers [2, 2, 2]; "
                "out_o1 = 0.751365070 (target 0.01); E_total = 3.51019e-05; 0.000123456789")
    assert not problems(labelled)
    assert not problems("After 20000 epochs at learning rate 0.5:", whole_output=True)
    assert not problems("(i1, i2) = (0.05, 0.1)\n\n[2] Net input of h2")
    assert not problems('{"weights": [[[0.15, 0.20], [0.25, 0.30]]], "inputs": [[0.05, 0.10]]}')   # a JSON file
    assert not problems('p["weights"][0][0][1] is w2; Network([2, 2, 2], ["sigmoid", "linear"]); f(1, 2, 3, 4, 5)')
    assert not problems("| $w_{1}$ | $w_{2}$ |\n|---|---|\n| 0.15 | 0.2 |", whole_output=True)


# --- the notebooks: what they say, and what they show once run -----------------------------------

def _read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_text_is_for_students(path):
    """Markdown and code: no tuple keys, no "seed", no bare lists of numbers."""
    found = []
    for index, cell in enumerate(_read(path).cells):
        if cell.cell_type in ("markdown", "code"):
            found += [f"cell {index} ({cell.cell_type}): {p}" for p in problems(cell.source)]
    assert not found, f"{path.name}:\n" + "\n".join(found)


_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
# A word written as a name in maths, in italic: net_{h1} rather than \mathrm{net}_{h1}, E_{total}.
_ITALIC_WORD = re.compile(r"(?<![\\A-Za-z{])(net|out|target)_|_\{(total|backprop|finite)\}")


def italic_words(markdown: str) -> list:
    """Multi-letter names set in math italic in a Markdown cell's maths (a word reads as a product)."""
    segments = [m.group(1) or m.group(2) for m in _MATH.finditer(markdown)]
    return [m.group(0) for segment in segments for m in _ITALIC_WORD.finditer(segment)]


def test_the_check_catches_italic_words():
    assert italic_words(r"$net_{h1} = w_1 i_1$ and $$E_{total}$$") == ["net_", "_{total}"]
    assert italic_words(r"$\mathrm{net}_{h1}$, $E_{\mathrm{total}}$, $w_{ho}$, net_h1 in prose") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_maths_sets_names_upright(path):
    r"""The notebooks' own maths writes \mathrm{net}, as the package's equations on the same page do."""
    found = [f"cell {i}: {word}" for i, cell in enumerate(_read(path).cells) if cell.cell_type == "markdown"
             for word in italic_words(cell.source)]
    assert not found, f"{path.name}:\n" + "\n".join(found)


def _shown_texts(cell) -> list:
    """What a cell's outputs put on the screen: printed text and each shown representation."""
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            texts.append(("stream", output.get("text", "")))
        data = output.get("data", {})
        richer = [mime for mime in data if mime != "text/plain"]
        for mime in SHOWN_MIME:
            if mime == "text/plain" and richer:
                continue   # shown only where nothing richer renders (a widget's, a table's repr)
            value = data.get(mime)
            if value is not None:
                texts.append((mime, value if isinstance(value, str) else "".join(value)))
    return texts


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_outputs_are_for_students(path, executed_notebook):
    nb, error = executed_notebook(path)
    assert error is None, f"{path.name} did not run to the end (see test_notebooks.py): {error}"
    found = []
    for index, cell in enumerate(nb.cells):
        for mime, text in _shown_texts(cell):
            whole = mime in ("text/plain", "stream")
            found += [f"cell {index} ({mime}): {p}" for p in problems(text, whole_output=whole)]
    assert not found, f"{path.name}:\n" + "\n".join(found)


# --- the widgets -----------------------------------------------------------------------------------

def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def widget_texts(view) -> list:
    """Every text a widget tree shows: labels, tooltips, option labels, placeholders, HTML and Label values."""
    import ipywidgets as w

    texts = []
    for widget in _walk(view):
        for trait in ("description", "tooltip", "placeholder"):
            value = getattr(widget, trait, None)
            if isinstance(value, str) and value:
                texts.append(value)
        texts += [t for t in (getattr(widget, "tooltips", None) or ()) if t]
        if isinstance(widget, (w.HTML, w.HTMLMath, w.Label)):
            texts.append(widget.value)
        labels = getattr(widget, "_options_labels", None)
        if labels:
            texts += list(labels)
    return texts


def _check(texts: list, where: str) -> list:
    found = []
    for text in texts:
        found += [f"{where}: {p}" for p in problems(text)]
    return found


PRESET_NAMES = pytest.importorskip("backprop_tutor").PRESETS


@pytest.fixture
def no_pictures(monkeypatch):
    """Views without their PNG renders: only text is read here (a diagram's text alternative is still set)."""
    from backprop_tutor.views.widgets.base import FigureImage

    monkeypatch.setattr(FigureImage, "refresh", lambda self: None)


def test_widget_text_check_finds_text_deep_in_a_view():
    """The walker reaches nested controls and every kind of text (so a slip there would fail)."""
    import ipywidgets as w

    inner = w.HBox([w.Dropdown(options=[("the seed", 1)], description="Preset"),
                    w.Button(description="Go", tooltip="loads ('z', 1, 0)")])
    view = w.VBox([w.HTML("<p>fine</p>"), w.VBox([inner, w.Text(placeholder="[0.1, 0.2, 0.3, 0.4, 0.5]")])])
    found = _check(widget_texts(view), "test")
    assert len(found) == 3, found


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_step_through_text_at_every_step(name, no_pictures):
    from backprop_tutor import StepThrough, Tutorial

    found = []
    for notation in ("mazur", "layered"):
        view = StepThrough(Tutorial(name, notation=notation))
        for index in range(len(view.tutorial.walk)):
            view.cursor.index = index
            found += _check(widget_texts(view), f"{name}, {notation}, step {index + 1}")
        if view.tutorial.example.n_samples > 1:   # the sample selector: another sample's steps
            view.sample_choice.value = view.tutorial.example.n_samples - 1
            for index in range(len(view.tutorial.walk)):
                view.cursor.index = index
                found += _check(widget_texts(view), f"{name}, {notation}, last sample, step {index + 1}")
        view.predict_toggle.value = True          # Predict first: the prompt and its controls
        view.cursor.reset()
        found += _check(widget_texts(view), f"{name}, {notation}, predict first")
        view.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_other_views_text(name, no_pictures):
    from backprop_tutor import ChainExplorer, LearningRateExplorer, NetworkEditor, TrainingView, Tutorial

    found = []
    t = Tutorial(name)
    explorer = ChainExplorer(t)
    for _, parameter in explorer.choice.options:
        explorer.choice.value = parameter
        found += _check(widget_texts(explorer), f"{name}: ChainExplorer at {parameter}")
    rate = LearningRateExplorer(t, epochs=200)
    found += _check(widget_texts(rate), f"{name}: LearningRateExplorer")
    training = TrainingView(t, panels=("activations", "boundary"))   # with the figures that follow training
    training.run.advance(50)
    found += _check(widget_texts(training), f"{name}: TrainingView")
    editor = NetworkEditor(t)
    found += _check(widget_texts(editor), f"{name}: NetworkEditor")
    for view in (explorer, rate, training, editor):
        view.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("kind", ["compute", "sign", "chain", "learning_rate"])
def test_exercise_view_text(kind):
    from backprop_tutor import ExerciseView

    view = ExerciseView(kind, 3)
    texts = widget_texts(view)
    view.session.show_solution()
    texts += widget_texts(view)
    view.close()
    found = _check(texts, f"ExerciseView({kind!r})")
    assert not found, "\n".join(found)


# --- the command line and the shipped examples -------------------------------------------------------

def test_command_line_header_is_for_students():
    result = subprocess.run([sys.executable, "-m", "backprop_tutor"], capture_output=True, text=True, check=True,
                            cwd=ROOT, timeout=300)
    header = "\n".join(result.stdout.splitlines()[:12])
    assert not SEED.search(header), header
    assert not problems(header), problems(header)


@pytest.mark.parametrize("folder", [ROOT / "examples", ROOT / "backprop_tutor" / "examples"],
                         ids=["examples", "package-examples"])
def test_example_names_and_descriptions_say_no_seed(folder):
    files = sorted(folder.glob("*.json"))
    assert files, f"no examples in {folder}"
    for path in files:
        data = json.loads(path.read_text("utf-8"))
        for field in ("name", "description"):
            assert not SEED.search(data.get(field, "")), f"{path.name}: {field} {data.get(field)!r}"
