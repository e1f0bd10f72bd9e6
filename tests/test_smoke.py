"""The quick start works: the seed trains to the seed's outputs and the CLI prints the walkthrough."""

from golden import MAZUR, SEED_CELL35_OUTPUTS

from backprop_tutor import preset, train
from backprop_tutor.app.cli import main


def test_seed_trains_to_the_seed_notebooks_outputs():
    # Seed notebook, cell 35: outputs after 20,000 epochs.
    result = train(preset("seed"))
    assert abs(result.outputs[0][0] - SEED_CELL35_OUTPUTS[0]) < 1e-12
    assert abs(result.outputs[0][1] - SEED_CELL35_OUTPUTS[1]) < 1e-12


def test_cli_prints_the_walkthrough(capsys):
    assert main([]) == 0
    text = capsys.readouterr().out
    assert "net_h1 = w1*i1 + w2*i2 + b1*1" in text
    assert f"= {MAZUR['net_h1']}" in text  # seed cell 3
