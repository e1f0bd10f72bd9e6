"""Every invalid field is refused with one line that starts with the field's name.

The worked-example JSON (``example_from_dict``, ``load_example``) and the Python API
(``Network``, ``Example``, ``train``, ``sweep``, ``evaluate_step``) are each given one broken
field at a time. The error must be a :class:`SpecError` (a ``ValueError``) whose text is
``"<field>: <message>"`` on a single line, and nothing else may change. User text is data:
it is never evaluated, and the package source never calls ``eval``/``exec``/``sympify``.
"""

from __future__ import annotations

import ast
import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest

import backprop_tutor
from backprop_tutor import (
    Example,
    Network,
    SpecError,
    evaluate_step,
    example_from_dict,
    example_to_dict,
    load_example,
    preset,
    sweep,
    train,
)

SEED_JSON = Path(backprop_tutor.__file__).parent / "examples" / "mazur.json"
SEED = json.loads(SEED_JSON.read_text("utf-8"))


def seed_dict() -> dict:
    """A fresh copy of the seed worked example's JSON structure."""
    return copy.deepcopy(SEED)


def assert_one_line_error(excinfo, field: str) -> None:
    """The error is a SpecError about ``field``: one line, starting with ``field: ``."""
    error = excinfo.value
    assert isinstance(error, SpecError) and isinstance(error, ValueError)
    text = str(error)
    assert text.startswith(field + ": "), text
    assert len(text) > len(field) + 2, text
    assert "\n" not in text and "\r" not in text, text
    assert error.field == field


def _set(path, value):
    """A change that sets data[path[0]][path[1]]... to value."""
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _delete(key):
    def change(data):
        del data[key]
    return change


def _update(**fields):
    def change(data):
        data.update(fields)
    return change


# (case id, change to the seed dict, field the error must name)
JSON_CASES = [
    ("unknown field", _set(["colour"], "red"), "colour"),
    ("missing layers", _delete("layers"), "layers"),
    ("missing activations", _delete("activations"), "activations"),
    ("missing weights", _delete("weights"), "weights"),
    ("missing inputs", _delete("inputs"), "inputs"),
    ("missing targets", _delete("targets"), "targets"),
    ("layers not a list", _set(["layers"], "2,2,2"), "layers"),
    ("layers a number", _set(["layers"], 3), "layers"),
    ("layers zero size", _set(["layers", 1], 0), "layers[1]"),
    ("layers negative size", _set(["layers", 1], -2), "layers[1]"),
    ("layers fractional size", _set(["layers", 1], 2.5), "layers[1]"),
    ("layers bool size", _set(["layers", 0], True), "layers[0]"),
    ("layers text size", _set(["layers", 2], "2"), "layers[2]"),
    ("layers only one", _set(["layers"], [2]), "layers"),
    ("activations too few", _set(["activations"], ["sigmoid"]), "activations"),
    ("activations too many", _set(["activations"], ["sigmoid"] * 3), "activations"),
    ("activations not a list", _set(["activations"], "sigmoid"), "activations"),
    ("activation unknown", _set(["activations", 1], "swish"), "activations[1]"),
    ("activation not text", _set(["activations", 0], 1), "activations[0]"),
    ("softmax on hidden layer", _set(["activations", 0], "softmax"), "activations[0]"),
    ("loss unknown", _set(["loss"], "hinge"), "loss"),
    ("loss not text", _set(["loss"], None), "loss"),
    ("bce with tanh output", _update(loss="bce", activations=["sigmoid", "tanh"]), "loss"),
    ("bce with softmax output (softmax pairs with ce)",
     _update(loss="bce", activations=["sigmoid", "softmax"]), "loss"),
    ("ce with linear output", _update(loss="ce", activations=["sigmoid", "linear"]), "loss"),
    ("bias mode unknown", _set(["bias"], "global"), "bias"),
    ("train_bias text", _set(["train_bias"], "yes"), "train_bias"),
    ("train_bias number", _set(["train_bias"], 1), "train_bias"),
    ("weights too few matrices", _set(["weights"], [[[0.15, 0.20], [0.25, 0.30]]]), "weights"),
    ("weights too many matrices", _set(["weights"], SEED["weights"] * 2), "weights"),
    ("weights not a list", _set(["weights"], 0.5), "weights"),
    ("weights wrong rows", _set(["weights", 1], [[0.4, 0.45], [0.5, 0.55], [0.1, 0.1]]), "weights[1]"),
    ("weights wrong columns", _set(["weights", 1, 0], [0.4, 0.45, 0.1]), "weights[1][0]"),
    ("weights row a number", _set(["weights", 0, 1], 0.3), "weights[0][1]"),
    ("weight text", _set(["weights", 1, 0, 1], "0.45"), "weights[1][0][1]"),
    ("weight NaN", _set(["weights", 0, 0, 0], float("nan")), "weights[0][0][0]"),
    ("weight Infinity", _set(["weights", 0, 1, 0], float("inf")), "weights[0][1][0]"),
    ("weight -Infinity", _set(["weights", 1, 1, 1], float("-inf")), "weights[1][1][1]"),
    ("weight null", _set(["weights", 1, 1, 0], None), "weights[1][1][0]"),
    ("weight bool", _set(["weights", 0, 0, 1], True), "weights[0][0][1]"),
    ("biases missing for shared", _delete("biases"), "biases"),
    ("biases null for shared", _set(["biases"], None), "biases"),
    ("biases wrong length", _set(["biases"], [0.35]), "biases"),
    ("bias text", _set(["biases", 1], "0.6"), "biases[1]"),
    ("bias NaN", _set(["biases", 0], float("nan")), "biases[0]"),
    ("shared bias a list", _set(["biases", 0], [0.35, 0.35]), "biases[0]"),
    ("per_neuron bias a number", _update(bias="per_neuron"), "biases[0]"),
    ("per_neuron bias wrong length", _update(bias="per_neuron", biases=[[0.35, 0.35], [0.6]]), "biases[1]"),
    ("biases present for none", _update(bias="none"), "biases"),
    ("inputs empty", _set(["inputs"], []), "inputs"),
    ("inputs not a list", _set(["inputs"], "0.05, 0.10"), "inputs"),
    ("inputs wrong width", _set(["inputs"], [[0.05]]), "inputs[0]"),
    ("inputs row text", _set(["inputs"], ["0.05 0.10"]), "inputs[0]"),
    ("input text", _set(["inputs", 0, 1], "0.10"), "inputs[0][1]"),
    ("input null", _set(["inputs", 0, 0], None), "inputs[0][0]"),
    ("targets wrong count of rows", _set(["targets"], [[0.01, 0.99], [0.5, 0.5]]), "targets"),
    ("targets missing rows", _set(["targets"], []), "targets"),
    ("targets wrong width", _set(["targets"], [[0.01]]), "targets[0]"),
    ("target text", _set(["targets", 0, 0], "0.01"), "targets[0][0]"),
    ("bce target above 1", _update(loss="bce", targets=[[0.01, 1.5]]), "targets[0][1]"),
    ("bce target below 0", _update(loss="bce", targets=[[-0.1, 0.5]]), "targets[0][0]"),
    ("learning_rate zero", _set(["learning_rate"], 0), "learning_rate"),
    ("learning_rate negative", _set(["learning_rate"], -0.5), "learning_rate"),
    ("learning_rate NaN", _set(["learning_rate"], float("nan")), "learning_rate"),
    ("learning_rate Infinity", _set(["learning_rate"], float("inf")), "learning_rate"),
    ("learning_rate text", _set(["learning_rate"], "fast"), "learning_rate"),
    ("learning_rate bool", _set(["learning_rate"], True), "learning_rate"),
    ("learning_rate null", _set(["learning_rate"], None), "learning_rate"),
    ("epochs negative", _set(["epochs"], -1), "epochs"),
    ("epochs fractional", _set(["epochs"], 2.5), "epochs"),
    ("epochs text", _set(["epochs"], "many"), "epochs"),
    ("epochs bool", _set(["epochs"], True), "epochs"),
    ("update unknown", _set(["update"], "minibatch"), "update"),
    ("name empty", _set(["name"], ""), "name"),
    ("name blank", _set(["name"], "   "), "name"),
    ("name not text", _set(["name"], 7), "name"),
    ("description not text", _set(["description"], ["a"]), "description"),
]


@pytest.mark.parametrize("change, field", [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES])
def test_worked_example_json_rejects_one_bad_field(change, field):
    """One broken field of the seed JSON: a one-line error naming it, and no other effect."""
    data = seed_dict()
    change(data)
    before = copy.deepcopy(data)
    with pytest.raises(SpecError) as excinfo:
        example_from_dict(data)
    assert_one_line_error(excinfo, field)
    # Nothing else changed: the caller's dict is as it was, and the seed still loads as before.
    assert json.dumps(data, sort_keys=True) == json.dumps(before, sort_keys=True)
    assert example_from_dict(seed_dict()) == preset("seed")


def test_unbroken_seed_json_loads_so_the_cases_above_break_only_one_thing():
    """The unmodified seed dict is valid and round-trips through example_to_dict."""
    example = example_from_dict(seed_dict())
    assert example == preset("seed")
    assert example_from_dict(example_to_dict(example)) == example


def test_error_text_with_a_newline_in_the_value_stays_on_one_line():
    """A value holding a newline is quoted with repr, so the message is still one line."""
    data = seed_dict()
    data["update"] = "online\nbatch"
    with pytest.raises(SpecError) as excinfo:
        example_from_dict(data)
    assert_one_line_error(excinfo, "update")


def test_example_from_dict_rejects_a_non_object():
    """A list or a string where the JSON object belongs is refused as 'example'."""
    for value in ([SEED], "seed", None, 3):
        with pytest.raises(SpecError) as excinfo:
            example_from_dict(value)
        assert_one_line_error(excinfo, "example")


# --- files ----------------------------------------------------------------------------------

def test_load_example_rejects_a_file_that_is_not_json(tmp_path):
    """Broken JSON: one line naming the file and where it broke."""
    path = tmp_path / "broken.json"
    path.write_text('{"layers": [2, 2, 2],\n "weights": [[0.1, }', "utf-8")
    with pytest.raises(SpecError) as excinfo:
        load_example(path)
    assert_one_line_error(excinfo, "example")
    assert "line 2" in str(excinfo.value)


def test_load_example_rejects_a_file_that_is_not_utf8(tmp_path):
    """Latin-1 bytes are refused with one line, not a UnicodeDecodeError traceback."""
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(SEED).replace('"Mazur\'s example"', '"caf\\u00e9"').encode("ascii")
                     .replace(b"caf\\u00e9", b"caf\xe9"))
    with pytest.raises(SpecError) as excinfo:
        load_example(path)
    assert_one_line_error(excinfo, "example")


def test_load_example_rejects_a_json_list(tmp_path):
    """A JSON array at the top level is not a worked example."""
    path = tmp_path / "list.json"
    path.write_text(json.dumps([SEED]), "utf-8")
    with pytest.raises(SpecError) as excinfo:
        load_example(path)
    assert_one_line_error(excinfo, "example")


def test_load_example_rejects_a_missing_path(tmp_path):
    """A path that does not exist (and is no preset name) gets one line naming it."""
    with pytest.raises(SpecError) as excinfo:
        load_example(tmp_path / "nowhere.json")
    assert_one_line_error(excinfo, "example")
    assert "nowhere.json" in str(excinfo.value)
    with pytest.raises(SpecError) as excinfo:
        load_example("no-such-preset")
    assert_one_line_error(excinfo, "example")


def test_load_example_rejects_a_directory(tmp_path):
    """A directory is not a file: refused with one line, not IsADirectoryError."""
    with pytest.raises(SpecError) as excinfo:
        load_example(tmp_path)
    assert_one_line_error(excinfo, "example")


def test_load_example_rejects_nan_written_in_the_file(tmp_path):
    """Python's json accepts NaN and Infinity literals; the spec must still refuse them."""
    text = SEED_JSON.read_text("utf-8").replace("[0.15, 0.20]", "[NaN, 0.20]", 1)
    assert "NaN" in text
    path = tmp_path / "nan.json"
    path.write_text(text, "utf-8")
    with pytest.raises(SpecError) as excinfo:
        load_example(path)
    assert_one_line_error(excinfo, "weights[0][0][0]")


def test_load_example_reads_a_valid_file(tmp_path):
    """The same file unbroken loads to the seed example."""
    path = tmp_path / "seed-copy.json"
    path.write_text(SEED_JSON.read_text("utf-8"), "utf-8")
    assert load_example(path) == preset("seed")


# --- the Python API -------------------------------------------------------------------------

NETWORK_CASES = [
    (dict(layers=[2], activations=[]), "layers"),
    (dict(layers=[2, 0], activations=["sigmoid"]), "layers[1]"),
    (dict(layers=[2, 1.0], activations=["sigmoid"]), "layers[1]"),
    (dict(layers=[2, 2], activations="sigmoid"), "activations"),
    (dict(layers=[2, 2], activations=["sigmoid", "sigmoid"]), "activations"),
    (dict(layers=[2, 2], activations=["Sigmoid"]), "activations[0]"),
    (dict(layers=[2, 2, 2], activations=["softmax", "softmax"]), "activations[0]"),
    (dict(layers=[2, 2], activations=["relu"], loss="bce"), "loss"),
    (dict(layers=[2, 2], activations=["sigmoid"], loss="MSE"), "loss"),
    (dict(layers=[2, 2], activations=["sigmoid"], bias=None), "bias"),
    (dict(layers=[2, 2], activations=["sigmoid"], train_bias="false"), "train_bias"),
    (dict(layers=[200, 200], activations=["sigmoid"]), "layers"),
]


@pytest.mark.parametrize("kwargs, field", NETWORK_CASES, ids=[f"{f}-{i}" for i, (_, f) in enumerate(NETWORK_CASES)])
def test_network_rejects_one_bad_field(kwargs, field):
    """Network(...) with one bad argument: a one-line error naming it."""
    with pytest.raises(SpecError) as excinfo:
        Network(**kwargs)
    assert_one_line_error(excinfo, field)


def _seed_fields() -> dict:
    ex = preset("seed")
    return dict(network=ex.network, weights=ex.weights, biases=ex.biases, inputs=ex.inputs,
                targets=ex.targets, learning_rate=ex.learning_rate, epochs=ex.epochs,
                update=ex.update, name=ex.name)


EXAMPLE_CASES = [
    ("network", "2-2-2", "network"),
    ("weights", (((0.15, 0.2), (0.25, 0.3)),), "weights"),
    ("biases", None, "biases"),
    ("biases", (0.35, "0.6"), "biases[1]"),
    ("inputs", (), "inputs"),
    ("inputs", ((0.05, 0.1, 0.2),), "inputs[0]"),
    ("targets", ((0.01, 0.99), (0.01, 0.99)), "targets"),
    ("learning_rate", 0.0, "learning_rate"),
    ("learning_rate", "0.5", "learning_rate"),
    ("epochs", -3, "epochs"),
    ("epochs", 10.0, "epochs"),
    ("update", "Online", "update"),
    ("name", "", "name"),
]


@pytest.mark.parametrize("key, value, field", EXAMPLE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(EXAMPLE_CASES)])
def test_example_rejects_one_bad_field(key, value, field):
    """Example(...) with one bad argument: a one-line error naming it."""
    fields = _seed_fields()
    fields[key] = value
    with pytest.raises(SpecError) as excinfo:
        Example(**fields)
    assert_one_line_error(excinfo, field)


def test_example_replace_validates_and_leaves_the_original_unchanged():
    """replace(learning_rate=-1) fails like a new example would; the original keeps 0.5."""
    example = preset("seed")
    snapshot = example_to_dict(example)
    with pytest.raises(SpecError) as excinfo:
        example.replace(learning_rate=-1)
    assert_one_line_error(excinfo, "learning_rate")
    with pytest.raises(SpecError) as excinfo:
        example.replace(weights=[[[0.1]]])
    assert_one_line_error(excinfo, "weights")
    assert example.learning_rate == 0.5
    assert example_to_dict(example) == snapshot
    assert example == preset("seed")
    assert example.replace(learning_rate=0.25).learning_rate == 0.25


@pytest.mark.parametrize("kwargs, field", [
    (dict(learning_rate=0), "learning_rate"),
    (dict(learning_rate=-0.1), "learning_rate"),
    (dict(learning_rate="fast"), "learning_rate"),
    (dict(learning_rate=float("nan")), "learning_rate"),
    (dict(learning_rate=True), "learning_rate"),
    (dict(epochs=-3), "epochs"),
    (dict(epochs=2.5), "epochs"),
    (dict(epochs="10"), "epochs"),
])
def test_train_rejects_bad_overrides(kwargs, field):
    """train(ex, learning_rate=..., epochs=...) validates its overrides like the spec does."""
    example = preset("seed")
    with pytest.raises(SpecError) as excinfo:
        train(example, **kwargs)
    assert_one_line_error(excinfo, field)
    assert example == preset("seed")


@pytest.mark.parametrize("rates", [[], [0.1, -1], ["a"], ["0.5"], [True], [0.1, float("nan")], [0.0],
                                   [[0.1, "x"]], [[0.1], [0.2, 0.3]]])
def test_sweep_rejects_bad_learning_rates(rates):
    """sweep refuses an empty, non-positive, non-finite or textual rate list."""
    with pytest.raises(SpecError) as excinfo:
        sweep(preset("seed"), rates, 5)
    assert_one_line_error(excinfo, "learning_rates")


def test_sweep_rejects_bad_epochs():
    """sweep validates its epochs override."""
    with pytest.raises(SpecError) as excinfo:
        sweep(preset("seed"), [0.1], epochs=-1)
    assert_one_line_error(excinfo, "epochs")


@pytest.mark.parametrize("sample", [5, 1, -1, True, "0", 0.0, None])
def test_evaluate_step_rejects_a_bad_sample_index(sample):
    """The seed has one sample: any index but 0 is refused as 'sample'."""
    with pytest.raises(SpecError) as excinfo:
        evaluate_step(preset("seed"), sample=sample)
    assert_one_line_error(excinfo, "sample")


def test_numpy_arrays_are_accepted_as_weights_biases_and_data():
    """NumPy arrays (and NumPy scalars) validate to the same example as nested lists."""
    seed = preset("seed")
    example = Example(
        seed.network,
        [np.array(w) for w in seed.weights],
        np.array(seed.biases),
        np.array(seed.inputs),
        np.array(seed.targets),
        learning_rate=np.float64(0.5),
        epochs=seed.epochs,
        name=seed.name,
    )
    assert example == seed
    assert all(type(v) is float for w in example.weights for row in w for v in row)
    stacked = Example(seed.network, np.array(seed.weights), list(seed.biases), seed.inputs, seed.targets)
    assert stacked.weights == seed.weights
    assert train(example, epochs=5).parameters == train(seed, epochs=5).parameters


@pytest.mark.parametrize("weights, field", [
    ([np.zeros((3, 2)), np.zeros((2, 2))], "weights[0]"),
    ([np.zeros((2, 2)), np.zeros((2, 3))], "weights[1][0]"),
    ([np.zeros((2, 2))], "weights"),
    (np.zeros((2, 2)), "weights[0][0]"),
    ([np.zeros((2, 2)), np.array([[0.1, np.nan], [0.2, 0.3]])], "weights[1][0][1]"),
])
def test_numpy_arrays_of_the_wrong_shape_are_rejected_naming_the_field(weights, field):
    """A wrongly shaped array is refused with the index of the first thing that is wrong."""
    seed = preset("seed")
    with pytest.raises(SpecError) as excinfo:
        Example(seed.network, weights, seed.biases, seed.inputs, seed.targets)
    assert_one_line_error(excinfo, field)


# --- user text is data, never code ----------------------------------------------------------

HOSTILE = [
    "__import__('pathlib').Path({marker!r}).touch()",
    "__import__('os').system('echo pwned')",
    "1+1",
    "0.5",
    "exp(2)",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_text_where_a_number_belongs_is_rejected_and_never_evaluated(template, tmp_path, capfd):
    """Text in weights, biases, inputs, targets or the rate is refused as text and not run."""
    marker = tmp_path / "pwned"
    text = template.format(marker=str(marker))
    for path, field in [
        (["weights", 0, 0, 0], "weights[0][0][0]"),
        (["biases", 1], "biases[1]"),
        (["inputs", 0, 1], "inputs[0][1]"),
        (["targets", 0, 0], "targets[0][0]"),
        (["learning_rate"], "learning_rate"),
    ]:
        data = seed_dict()
        _set(path, text)(data)
        with pytest.raises(SpecError) as excinfo:
            example_from_dict(data)
        assert_one_line_error(excinfo, field)
        assert "got text" in str(excinfo.value)  # refused because it is text
    for call in (lambda: train(preset("seed"), learning_rate=text),
                 lambda: sweep(preset("seed"), [text], 1)):
        with pytest.raises(SpecError):
            call()
    assert not marker.exists()
    assert "pwned" not in capfd.readouterr().out


FORBIDDEN_NAMES = {"eval", "exec", "compile", "sympify", "parse_expr", "__import__"}
# The one place that compiles Python source: the generated training loop, printed from the
# derivation alone (test_the_generated_loop_is_printed_from_the_derivation_alone checks its words).
ALLOWED_USES = {"core/loop_code.py": ["compile"]}
FORBIDDEN_ATTRIBUTES = {"sympify", "parse_expr"}


def forbidden_uses(source: str, filename: str = "<source>") -> list:
    """Every use of eval/exec/sympify/parse_expr in Python source, as 'file:line name'."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        name = None
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            name = node.id
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            name = node.attr
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "S" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("sp", "sympy"):
            name = "sp.S(...)"  # sympy.S(x) is sympify(x)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
            names = {alias.name for alias in node.names}
            if names & FORBIDDEN_NAMES or any(m.startswith("sympy.parsing") for m in modules):
                name = "import " + ", ".join(sorted(names))
        if name:
            found.append(f"{filename}:{node.lineno} {name}")
    return found


def test_the_scanner_finds_each_forbidden_use():
    """The source scan below has teeth: each forbidden form in a snippet is reported."""
    snippets = [
        "eval(text)",
        "exec(code)",
        "sp.sympify(text)",
        "sympy.sympify(text)",
        "from sympy import sympify",
        "from sympy.parsing.sympy_parser import parse_expr",
        "x = parse_expr(s)",
        "f = sp.S(text)",
        "g = eval",
        "code = compile(source, '<x>', 'exec')",
    ]
    for snippet in snippets:
        assert forbidden_uses(snippet), snippet
    assert not forbidden_uses("sp.S.Zero + compile_network(net).evaluate(x)")


def test_package_source_never_evaluates_text():
    """No module of backprop_tutor mentions eval, exec, compile, sympify or parse_expr (but the loop's one compile)."""
    package = Path(backprop_tutor.__file__).parent
    files = sorted(package.rglob("*.py"))
    assert len(files) >= 10
    found = []
    for path in files:
        relative = path.relative_to(package).as_posix()
        uses = forbidden_uses(path.read_text("utf-8"), relative)
        allowed = ALLOWED_USES.get(relative, [])
        assert [use.split(" ", 1)[1] for use in uses if use.split(" ", 1)[1] in allowed] == allowed, relative
        found += [use for use in uses if use.split(" ", 1)[1] not in allowed]
    assert found == []


def test_the_generated_loop_is_printed_from_the_derivation_alone():
    """The source the package compiles holds no text from a user: no string literal, and every name is a
    Python keyword, one of its own locals, a derived symbol or a registry function (checked on every preset)."""
    import io
    import keyword
    import tokenize

    from backprop_tutor.core import registry
    from backprop_tutor.core.bridge import compile_network, math_namespace
    from backprop_tutor.core.loop_code import loop_source
    from backprop_tutor.core.quantities import LearningRate
    from backprop_tutor.core.symbolic import symbol_for

    namespace = math_namespace()
    functions = {name for name in namespace if name.isidentifier()} | {"inf", "exp"} | set(registry.ACTIVATIONS)
    for name in ("mazur", "mazur_article", "xor", "softmax"):
        example = preset(name)
        derivation = compile_network(example.network).derivation
        symbols = {symbol_for(k).name for k in (*derivation.params, *derivation.input_keys, *derivation.target_keys)}
        symbols |= {s.name for s, _ in derivation.assignments()} | {symbol_for(LearningRate()).name}
        for record in (False, True):
            source = loop_source(example.network, namespace, record=record)
            tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
            assert not [t.string for t in tokens if t.type == tokenize.STRING], name
            names = {t.string for t in tokens if t.type == tokenize.NAME}
            own = {"range", "train_loop", "append", "extend"}
            strays = {n for n in names if not (keyword.iskeyword(n) or n.startswith("_") or n in symbols
                                                   or n in functions or n in own)}
            assert not strays, (name, strays)


def test_rejected_values_are_reported_not_coerced():
    """Numeric-looking text is not quietly converted: "0.45" is refused, 0.45 accepted."""
    data = seed_dict()
    data["weights"][1][0][1] = 0.45
    assert example_from_dict(data).weights[1][0][1] == 0.45
    data["weights"][1][0][1] = "0.45"
    with pytest.raises(SpecError):
        example_from_dict(data)
    assert not math.isnan(preset("seed").weights[0][0][0])
