"""Golden numbers, in one place: what the seed notebook prints and what Mazur's article prints.

Tests import them with ``from golden import ...`` (pytest puts tests/ on sys.path: the folder has
no __init__.py). Every constant names its source:

- "seed notebook, In [n]": the seed notebook the tutorial grew from, the cell that prints it;
- "Mazur's article": Matt Mazur, "A Step by Step Backpropagation Example" (2015), as printed;
- "this package's algorithm": figures the article's own algorithm gives, checked against an
  independent plain-float reimplementation in test_golden_mazur.py.

Keys are the package's typed quantity keys (``Weight(2, 0, 0)`` is Mazur's w5).
"""

from backprop_tutor.core.quantities import (
    Bias,
    ErrorAfter,
    ErrorTerm,
    Net,
    Out,
    Partial,
    TotalError,
    Updated,
    Weight,
    gradient,
)

# --- keys: Mazur's names for the 2-2-2 network of the seed and the article ---------------------
W1, W2, W3, W4 = Weight(1, 0, 0), Weight(1, 0, 1), Weight(1, 1, 0), Weight(1, 1, 1)  # into h1, h2
W5, W6, W7, W8 = Weight(2, 0, 0), Weight(2, 0, 1), Weight(2, 1, 0), Weight(2, 1, 1)  # into o1, o2
B1, B2 = Bias(1), Bias(2)  # shared biases of the hidden and the output layer
E = TotalError()           # E_total
E_AFTER = ErrorAfter()     # E_total after one update


def dE(wrt):
    """Key of ∂E_total/∂wrt."""
    return gradient(wrt)


# --- the seed notebook ------------------------------------------------------------------------
# (id, engine key, path into first_step_result or None, value printed by the seed notebook)
SEED_CELLS = [
    # seed notebook, In [3]: z1_2, z2_2 (net_h1, net_h2)
    ("cell3_net_h1", Net(1, 0), ("net", 0, 0), 0.3775),
    ("cell3_net_h2", Net(1, 1), ("net", 0, 1), 0.39249999999999996),
    # seed notebook, In [6]: a1_2, a2_2 (out_h1, out_h2)
    ("cell6_out_h1", Out(1, 0), ("out", 0, 0), 0.5932699921071872),
    ("cell6_out_h2", Out(1, 1), ("out", 0, 1), 0.596884378259767),
    # seed notebook, In [8]: z1_3, z2_3 (net_o1, net_o2)
    ("cell8_net_o1", Net(2, 0), ("net", 1, 0), 1.10590596705977),
    ("cell8_net_o2", Net(2, 1), ("net", 1, 1), 1.2249214040964653),
    # seed notebook, In [10]: a1_3, a2_3 (out_o1, out_o2)
    ("cell10_out_o1", Out(2, 0), ("out", 1, 0), 0.7513650695523157),
    ("cell10_out_o2", Out(2, 1), ("out", 1, 1), 0.7729284653214625),
    # seed notebook, In [12]: E_o1, E_o2
    ("cell12_E_o1", ErrorTerm(0), None, 0.274811083176155),
    ("cell12_E_o2", ErrorTerm(1), None, 0.023560025583847746),
    # seed notebook, In [14]: E_total
    ("cell14_E_total", E, ("loss",), 0.2983711087600027),
    # seed notebook, In [16]: -(y1 - a1_3), -(y2 - a2_3) = ∂E/∂out_o1, ∂E/∂out_o2
    ("cell16_dE_dout_o1", dE(Out(2, 0)), None, 0.7413650695523157),
    ("cell16_dE_dout_o2", dE(Out(2, 1)), None, -0.21707153467853746),
    # seed notebook, In [17]: a1_3 (1 - a1_3), a2_3 (1 - a2_3) = ∂out_o/∂net_o
    ("cell17_dout_o1_dnet_o1", Partial(Out(2, 0), Net(2, 0)), None, 0.18681560180895948),
    ("cell17_dout_o2_dnet_o2", Partial(Out(2, 1), Net(2, 1)), None, 0.17551005281727122),
    # seed notebook, In [18]: delta_y1, delta_y2 = δ_o1, δ_o2
    ("cell18_delta_o1", dE(Net(2, 0)), ("delta", 1, 0), 0.13849856162855695),
    ("cell18_delta_o2", dE(Net(2, 1)), ("delta", 1, 1), -0.038098236516556236),
    # seed notebook, In [20]: w11_3_contrib .. w22_3_contrib, b2_contrib = ∂E/∂w5 .. ∂E/∂w8, ∂E/∂b2
    ("cell20_dE_dw5", dE(W5), ("grad_weights", 1, 0, 0), 0.08216704056423077),
    ("cell20_dE_dw6", dE(W6), ("grad_weights", 1, 0, 1), 0.08266762784753325),
    ("cell20_dE_dw7", dE(W7), ("grad_weights", 1, 1, 0), -0.02260254047747507),
    ("cell20_dE_dw8", dE(W8), ("grad_weights", 1, 1, 1), -0.022740242215978222),
    ("cell20_dE_db2", dE(B2), ("grad_biases", 1), 0.10040032511200071),
    # seed notebook, In [22]: w11_3_updated .. w22_3_updated, b2_updated = w5+ .. w8+, b2+
    ("cell22_w5_new", Updated(W5), ("weights", 1, 0, 0), 0.35891647971788465),
    ("cell22_w6_new", Updated(W6), ("weights", 1, 0, 1), 0.4086661860762334),
    ("cell22_w7_new", Updated(W7), ("weights", 1, 1, 0), 0.5113012702387375),
    ("cell22_w8_new", Updated(W8), ("weights", 1, 1, 1), 0.5613701211079891),
    ("cell22_b2_new", Updated(B2), ("biases", 1), 0.5497998374439996),
    # seed notebook, In [29]: w11_2_contrib .. w22_2_contrib, b1_contrib = ∂E/∂w1 .. ∂E/∂w4, ∂E/∂b1
    ("cell29_dE_dw1", dE(W1), ("grad_weights", 0, 0, 0), 0.00043856773447434685),
    ("cell29_dE_dw2", dE(W2), ("grad_weights", 0, 0, 1), 0.0008771354689486937),
    ("cell29_dE_dw3", dE(W3), ("grad_weights", 0, 1, 0), 0.0004977127352608601),
    ("cell29_dE_dw4", dE(W4), ("grad_weights", 0, 1, 1), 0.0009954254705217202),
    ("cell29_dE_db1", dE(B1), ("grad_biases", 0), 0.018725609394704128),
    # seed notebook, In [31]: w11_2_updated .. w22_2_updated, b1_updated = w1+ .. w4+, b1+
    ("cell31_w1_new", Updated(W1), ("weights", 0, 0, 0), 0.1497807161327628),
    ("cell31_w2_new", Updated(W2), ("weights", 0, 0, 1), 0.19956143226552567),
    ("cell31_w3_new", Updated(W3), ("weights", 0, 1, 0), 0.24975114363236958),
    ("cell31_w4_new", Updated(W4), ("weights", 0, 1, 1), 0.29950228726473915),
    ("cell31_b1_new", Updated(B1), ("biases", 0), 0.3406371953026479),
]
# The same values by id: SEED["cell14_E_total"].
SEED = {row[0]: row[3] for row in SEED_CELLS}

# seed notebook, In [14]: E_total before any update.
SEED_E_TOTAL = SEED["cell14_E_total"]
# seed notebook, In [35]: predict(...) after the 20,000 epochs of In [33].
SEED_CELL35_OUTPUTS = (0.010633774372091731, 0.9893773083483602)
# seed notebook, In [33]: the first lines the training loop prints; each is -(y1 - a1_3) - (y2 - a2_3),
# the sum of ∂E/∂out, which the seed's code calls "Etotal" (a slip: it is not the error).
SEED_CELL33_FIRST_PRINTS = (0.5242935348737783, 0.4980088204565475, 0.4705523481062296,
                            0.442177892432973, 0.4131983545075514)
# The seed's prose once prints δ_o1 as 0.18498562 (a dropped digit; DESIGN.md says not to copy it).
SEED_DELTA_O1_SLIP = 0.18498562


# --- Mazur's article --------------------------------------------------------------------------
# (id, engine key, value as Mazur's article prints it)
MAZUR_PRINTED = [
    ("net_h1", Net(1, 0), "0.3775"),
    ("out_h1", Out(1, 0), "0.593269992"),
    ("out_h2", Out(1, 1), "0.596884378"),
    ("net_o1", Net(2, 0), "1.105905967"),
    ("out_o1", Out(2, 0), "0.75136507"),
    ("out_o2", Out(2, 1), "0.772928465"),
    ("E_o1", ErrorTerm(0), "0.274811083"),
    ("E_o2", ErrorTerm(1), "0.023560026"),
    ("E_total", E, "0.298371109"),
    ("dE_dout_o1", dE(Out(2, 0)), "0.74136507"),
    ("dout_o1_dnet_o1", Partial(Out(2, 0), Net(2, 0)), "0.186815602"),
    ("dnet_o1_dw5", Partial(Net(2, 0), W5), "0.593269992"),
    ("dE_dw5", dE(W5), "0.082167041"),
    ("w5_new", Updated(W5), "0.35891648"),
    ("w6_new", Updated(W6), "0.408666186"),
    ("w7_new", Updated(W7), "0.511301270"),
    ("w8_new", Updated(W8), "0.561370121"),
    ("delta_o1", dE(Net(2, 0)), "0.138498562"),
    ("dnet_o1_dout_h1", Partial(Net(2, 0), Out(1, 0)), "0.40"),
    ("dE_dout_h1", dE(Out(1, 0)), "0.036350306"),
    ("dout_h1_dnet_h1", Partial(Out(1, 0), Net(1, 0)), "0.241300709"),
    ("dnet_h1_dw1", Partial(Net(1, 0), W1), "0.05"),
    ("dE_dw1", dE(W1), "0.000438568"),
    ("w1_new", Updated(W1), "0.149780716"),
    ("w2_new", Updated(W2), "0.19956143"),
    ("w3_new", Updated(W3), "0.24975114"),
    ("w4_new", Updated(W4), "0.29950229"),
]
# The same figures by id: MAZUR["delta_o1"] == "0.138498562".
MAZUR = {row[0]: row[2] for row in MAZUR_PRINTED}

# Mazur's article: E_total and δ_o1 as printed, as numbers.
MAZUR_E_TOTAL = float(MAZUR["E_total"])      # 0.298371109
MAZUR_DELTA_O1 = float(MAZUR["delta_o1"])    # 0.138498562
# Mazur's article, its worked values (both hidden products printed beside δ_o1 and δ_o2).
MAZUR_DEO1_DOUT_H1 = "0.055399425"           # ∂E_o1/∂out_h1 = δ_o1 · w5
MAZUR_DEO2_DOUT_H1 = "-0.019049119"          # ∂E_o2/∂out_h1 = δ_o2 · w7 (rounded twice)

# Mazur's article, the closing paragraph.
MAZUR_ERROR_BEFORE = MAZUR["E_total"]
MAZUR_ERROR_AFTER_ONE_UPDATE = "0.291027924"
MAZUR_ERROR_AFTER_10000 = "0.0000351085"
MAZUR_OUTPUTS_AFTER_10000 = ("0.015912196", "0.984065734")

# Mazur's article, its starting values: inputs, targets, b1, b2, learning rate, w1..w8.
MAZUR_INPUTS, MAZUR_TARGETS, MAZUR_B1, MAZUR_B2, MAZUR_ETA = (0.05, 0.10), (0.01, 0.99), 0.35, 0.60, 0.5
MAZUR_WEIGHTS = (0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55)

# This package's algorithm (the article's own: original w5..w8 in the hidden deltas, biases
# fixed), checked against test_golden_mazur.py's plain-float reimplementation.
CORRECT_ERROR_AFTER_ONE_UPDATE = 0.2910277737
CORRECT_ERROR_AFTER_10000 = 3.51019e-05
CORRECT_OUTPUTS_AFTER_10000 = (0.0159136204, 0.9840642735)
