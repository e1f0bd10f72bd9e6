"""One message for one mistake: the API, the command line and the editor give the same reason.

For each bad learning rate or epoch count, the reason is read three ways: from the SpecError
``train`` raises, from the CLI's ``argument --learning-rate: <reason>`` line, and from the
``⚠ learning_rate: <reason>`` label beside the editor's field. The three must be identical word
for word, and none of the three may change anything.
"""

from __future__ import annotations

import html
import math
import re

import pytest

from backprop_tutor import NetworkEditor, SpecError, Tutorial, preset, train
from backprop_tutor.app.cli import main

PROG = "python -m backprop_tutor"

# (field, the value as the API takes it, the text a learner types on the command line and in the editor)
MISTAKES = [
    ("learning_rate", -1, "-1"),
    ("learning_rate", 0, "0"),
    ("learning_rate", "abc", "abc"),
    ("learning_rate", float("nan"), "nan"),
    ("learning_rate", "1+1", "1+1"),   # text in the API too: nothing typed is evaluated
    ("epochs", -3, "-3"),
    ("epochs", 2.5, "2.5"),
    ("epochs", "abc", "abc"),
]
IDS = [f"{field}={typed}" for field, _, typed in MISTAKES]


def _api_reason(field, value):
    """The reason train() gives; the seed preset is the same before and after."""
    before = preset("seed")
    settings = {field: value}
    if field == "learning_rate":
        settings["epochs"] = 0  # a good learning rate would train no further than needed
    with pytest.raises(SpecError) as caught:
        train(before, **settings)
    assert caught.value.field == field
    assert str(caught.value) == f"{field}: {caught.value.reason}"
    assert before == preset("seed")
    return caught.value.reason


def _cli_reasons(field, typed, capsys):
    """The reason the CLI gives, for ``--option VALUE`` and ``--option=VALUE`` (they must agree)."""
    option = "--" + field.replace("_", "-")
    reasons = []
    for argv in ([option, typed], [f"{option}={typed}"]):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        out, err = capsys.readouterr()
        assert exited.value.code == 2
        assert out == ""  # nothing ran: no walkthrough, no training
        prefix = f"{PROG}: error: argument {option}: "
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith(prefix), err
        reasons.append(lines[0][len(prefix):])
    assert reasons[0] == reasons[1]
    return reasons[0]


def _editor_reason(field, typed):
    """The reason beside the editor's field; the tutorial's example stays the seed's."""
    tutorial = Tutorial("seed")
    editor = NetworkEditor(tutorial)
    before = tutorial.example
    editor.fields[field].value = typed
    assert editor.apply() is False
    assert tutorial.example is before and tutorial.example == preset("seed")
    shown = [name for name, label in editor.errors.items() if label.value]
    assert shown == [field]  # the message sits beside the field that caused it, and only there
    text = html.unescape(re.sub(r"<[^>]*>", "", editor.errors[field].value)).strip()
    prefix = f"⚠ {field}: "
    assert text.startswith(prefix), text
    return text[len(prefix):]


@pytest.mark.parametrize("field, value, typed", MISTAKES, ids=IDS)
def test_api_cli_and_editor_give_the_same_reason(field, value, typed, capsys):
    """The same mistake gets the same words in all three places."""
    api = _api_reason(field, value)
    cli = _cli_reasons(field, typed, capsys)
    editor = _editor_reason(field, typed)
    assert api == cli == editor
    # One line that quotes what was given.
    assert "\n" not in api and api.startswith("expected ")
    assert api.endswith(typed if not isinstance(value, str) else repr(typed)), api


def test_the_mistakes_cover_numbers_and_text():
    """The list above holds numbers the API takes as numbers and text it takes as text."""
    assert any(isinstance(v, int) for _, v, _ in MISTAKES)
    assert any(isinstance(v, float) and math.isnan(v) for _, v, _ in MISTAKES)
    assert any(isinstance(v, str) for _, v, _ in MISTAKES)
    assert {field for field, _, _ in MISTAKES} == {"learning_rate", "epochs"}
