"""The quick start works: the seed trains to the seed's outputs and the CLI prints the walkthrough."""

from backprop_tutor import preset, train
from backprop_tutor.app.cli import main


def test_seed_trains_to_the_seed_notebooks_outputs():
    # Seed notebook, cell 35: outputs after 20,000 epochs.
    result = train(preset("seed"))
    assert abs(result.outputs[0][0] - 0.010633774372091731) < 1e-12
    assert abs(result.outputs[0][1] - 0.9893773083483602) < 1e-12


def test_cli_prints_the_walkthrough(capsys):
    assert main([]) == 0
    text = capsys.readouterr().out
    assert "net_h1 = w1*i1 + w2*i2 + b1*1" in text
    assert "= 0.3775" in text
