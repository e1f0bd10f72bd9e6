"""Every problem with an example file, or with a number typed as text, is one line naming the field.

Reproducers from issue 11: a weight written as a 400-digit or 5,000-digit integer, 100,000 nested
brackets, a device (/dev/zero), a pipe, a file over the size limit, a key written twice, a UTF-8
byte-order mark; then random documents and random typed text, which must never raise anything
but the package's one-line error.
"""

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_tutor import load_example
from backprop_tutor.core import checks
from backprop_tutor.core.example_files import MAX_FILE_BYTES, example_from_dict
from backprop_tutor.core.spec import SpecError

MAZUR_JSON = Path(__file__).resolve().parent.parent / "backprop_tutor" / "examples" / "mazur.json"
MAZUR_TEXT = MAZUR_JSON.read_text("utf-8")


def one_line(excinfo, field: str) -> str:
    message = str(excinfo.value)
    assert excinfo.value.field == field and message.startswith(f"{field}: ") and "\n" not in message, message
    return message


def write(tmp_path, text: str, name: str = "example.json") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize("digits", [400, 5000])
def test_a_weight_with_too_many_digits_is_named(tmp_path, digits):
    path = write(tmp_path, MAZUR_TEXT.replace("[0.15, 0.20]", "[" + "9" * digits + ", 0.20]", 1))
    with pytest.raises(SpecError) as excinfo:
        load_example(path)
    assert one_line(excinfo, "weights[0][0][0]").endswith(f"got a whole number with {digits} digits")


def test_deep_nesting_is_one_line(tmp_path):
    path = write(tmp_path, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(SpecError) as excinfo:
        load_example(path)
    assert "nests lists or objects too deeply" in one_line(excinfo, "example")


@pytest.mark.parametrize("where", ["/dev/zero", "directory", "fifo"])
def test_anything_but_a_regular_file_is_never_read(tmp_path, where):
    if where == "directory":
        path = tmp_path
    elif where == "fifo":
        path = tmp_path / "pipe.json"
        os.mkfifo(path)   # reading it would wait for a writer forever
    else:
        path = Path(where)
    with pytest.raises(SpecError) as excinfo:
        load_example(path)
    assert one_line(excinfo, "example").endswith("is not a regular file")


def test_a_file_over_the_size_limit_is_named_with_the_limit(tmp_path):
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(SpecError) as excinfo:
        load_example(path)
    assert "an example file may be at most 10 MB" in one_line(excinfo, "example")


def test_a_key_written_twice_is_refused_by_name(tmp_path):
    path = write(tmp_path, MAZUR_TEXT.replace('"epochs": 20000,', '"epochs": 20000,\n  "epochs": 5,'))
    with pytest.raises(SpecError) as excinfo:
        load_example(path)
    assert one_line(excinfo, "epochs") == "epochs: written twice in the file; keep one"


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + MAZUR_TEXT.encode("utf-8"))
    assert load_example(path) == load_example(MAZUR_JSON)


@pytest.mark.parametrize("check, field", [(checks.number, "weights"), (checks.whole_number, "epochs"),
                                          (checks.learning_rate, "learning_rate")])
def test_typed_numbers_too_long_for_a_float_are_one_line(check, field):
    with pytest.raises(SpecError) as excinfo:
        check("9" * 5000, field, text=True)
    assert one_line(excinfo, field).endswith("got a whole number with 5000 digits")
    with pytest.raises(SpecError) as excinfo:
        check(10 ** 5000, field)     # given as a Python int: not converted to text to say so
    assert "about 5001 digits" in one_line(excinfo, field)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)
FIELDS = ["layers", "activations", "loss", "bias", "train_bias", "weights", "biases", "inputs", "targets",
          "learning_rate", "epochs", "update", "name", "description"]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=len(FIELDS)))
def test_random_documents_raise_only_the_one_line_error(document):
    data = json.loads(MAZUR_TEXT)
    data.update(document)
    try:
        example_from_dict(data)
    except SpecError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(f"{exc.field}: ")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.from_regex(r"[+-]?\d{300,6000}", fullmatch=True))
def test_random_typed_text_raises_only_the_one_line_error(text):
    for check in (checks.number, checks.whole_number, checks.learning_rate):
        try:
            check(text, "field", text=True)
        except SpecError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("field: ")


TEXT_FIELDS = ["layers", "activations", "learning_rate", "epochs", "inputs", "targets", "weights", "biases"]
# Anything a student might type, but no short runs of digits in the layer sizes: "40, 40" is a real
# network, derived for seconds, and that is the budget's test, not this one.
TYPED = (st.text(alphabet=st.characters(blacklist_categories=("Cs", "Nd")), max_size=40)
         | st.from_regex(r"[+-]?\d{300,6000}", fullmatch=True)
         | st.sampled_from(["nan", "inf", "-1", "1e400", "0x10", "1_000", "2,,2", "2, 2, 2, 2, 2, 2, 2", "", " "]))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(TEXT_FIELDS), TYPED)
def test_random_editor_text_raises_only_the_one_line_error(field, text):
    """Whatever is typed into a field, the editor shows a one-line message beside it or applies it."""
    from backprop_tutor.views.widgets import NetworkEditor
    editor = NetworkEditor("mazur")
    before = editor.tutorial.example
    editor.fields[field].value = text          # the field's handler builds and applies, or shows the error
    shown = [label.value for label in editor.errors.values() if label.value]
    assert editor.tutorial.example == before or not shown
    for message in shown:
        assert "\n" not in message and "role=\"alert\"" in message
