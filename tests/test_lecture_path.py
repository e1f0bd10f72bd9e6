"""The lecture path: one step of each kind, in the walkthrough's order, for a 50-minute class."""

import pytest

from backprop_tutor import load_example
from backprop_tutor.app.cli import main
from backprop_tutor.core.spec import Example, Network
from backprop_tutor.teaching.walkthrough import walkthrough
from backprop_tutor.views.widgets.models import StepCursor, Tutorial

# The kinds issue 10 asks for, by their names in Mazur's example, in the order the class meets them.
MAZUR_LECTURE = ["", "net_h1", "out_h1", "E_total", "delta_o1", "dE_total/dw5", "dE_total/dout_h1", "delta_h1",
                 "dE_total/dw1", "dE_total/db1", "w5+", "w1+", "E_total+"]


def _names(walk, path):
    return [walk[i].name_text for i in walk.path(path)]


def test_the_lecture_path_has_one_step_of_each_kind():
    walk = walkthrough(load_example("mazur"))
    assert _names(walk, "lecture") == MAZUR_LECTURE
    assert walk.path("full") == tuple(range(len(walk))) and len(walk) == 45


def test_every_delta_on_the_lecture_path_comes_before_the_gradient_that_uses_it():
    walk = walkthrough(load_example("mazur"))
    names = _names(walk, "lecture")
    assert names.index("delta_o1") < names.index("dE_total/dw5")
    assert names.index("delta_h1") < names.index("dE_total/dw1")
    # Each delta's sentence names its factors itself: they are not on the lecture path.
    assert "dE_total/dout_o1 and dout_o1/dnet_o1" in walk.step_for("delta_o1").explanation


@pytest.mark.parametrize("name", ["mazur", "mazur_article", "xor", "softmax"])
def test_every_preset_has_a_short_lecture_path_through_every_phase(name):
    walk = walkthrough(load_example(name))
    path = walk.path("lecture")
    assert 11 <= len(path) <= 14 < len(walk)
    assert path == tuple(sorted(path)) and path[0] == 0
    assert {walk[i].phase for i in path} == set(walk.phases)


def test_a_network_without_a_hidden_layer_skips_the_hidden_steps():
    example = Example(Network([1, 1], ["sigmoid"]), [[[0.5]]], [0.25], [[1.0]], [[0.75]])
    walk = walkthrough(example)
    assert [walk[i].name_text for i in walk.path("lecture")] == [
        "", "net_o1", "out_o1", "E_total", "delta_o1", "dE_total/dw1", "w1+", "E_total+"]


def test_an_unknown_path_is_refused_by_name():
    with pytest.raises(ValueError, match="^path: expected one of full, lecture; got 'short'$"):
        walkthrough(load_example("mazur")).path("short")


def test_the_cursor_walks_the_lecture_path_and_can_open_the_full_one():
    tutorial = Tutorial("mazur")
    cursor = StepCursor(tutorial, path="lecture")
    visited = [cursor.index]
    while not cursor.at_end:
        cursor.next()
        visited.append(cursor.index)
    assert visited == list(tutorial.walk.path("lecture"))
    cursor.previous()
    assert cursor.index == visited[-2] and cursor.position == len(visited) - 2
    cursor.jump("hidden")
    assert tutorial.walk[cursor.index].name_text == "dE_total/dout_h1"
    cursor.path = "full"                       # Show all steps: the place is kept
    assert tutorial.walk[cursor.index].name_text == "dE_total/dout_h1"
    cursor.next()
    assert tutorial.walk[cursor.index].name_text == "dout_h1/dnet_h1"   # a step only the full path has
    cursor.path = "lecture"                    # back to the lecture: the step before, on the path
    assert tutorial.walk[cursor.index].name_text == "dE_total/dout_h1"
    cursor.show(tutorial.walk.step_for("dout_h1/dnet_h1").index)   # a click on a step off the path
    assert cursor.path == "full" and cursor.step.name_text == "dout_h1/dnet_h1"
    cursor.go_to(99)
    assert cursor.at_end


def test_the_command_line_prints_the_lecture_path(capsys):
    assert main(["--steps", "lecture", "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "The lecture path: 13 of the 45 steps, one of each kind." in out
    assert "[13] The error after one update" in out and "[14]" not in out
    assert main(["--steps", "lecture", "--format", "markdown", "--epochs", "1"]) == 0
    markdown = capsys.readouterr().out
    assert "### 13. The error after one update" in markdown and "### 14." not in markdown
    assert main(["--epochs", "1"]) == 0
    assert "[45] The error after one update" in capsys.readouterr().out
