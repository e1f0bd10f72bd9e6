"""The seed notebook's own training loop (cells 1, 4 and 32), the baseline every ratio is against.

Copied from the seed notebook as it is, except that the debugging ``print(Etotal)`` inside
``epoch`` is left out (printing would dominate the time) and the module-level data is wrapped
in ``run`` so that the loop can be timed.
"""

from math import e

x1 = 0.05
x2 = 0.10
y1 = 0.01
y2 = 0.99


def logistic_function(z):
    return 1 / (1 + e ** (-z))


def epoch(w11_2, w12_2, w21_2, w22_2, b1, w11_3, w12_3, w21_3, w22_3, b2):
    z1_2 = w11_2 * x1 + w12_2 * x2 + b1 * 1
    z2_2 = w21_2 * x1 + w22_2 * x2 + b1 * 1
    a1_2 = logistic_function(z1_2)
    a2_2 = logistic_function(z2_2)
    z1_3 = w11_3 * a1_2 + w12_3 * a2_2 + b2 * 1
    z2_3 = w21_3 * a1_2 + w22_3 * a2_2 + b2 * 1
    a1_3 = logistic_function(z1_3)
    a2_3 = logistic_function(z2_3)
    E_o1 = 0.5 * (y1 - a1_3) ** 2
    E_o2 = 0.5 * (y2 - a2_3) ** 2
    E_total = E_o1 + E_o2  # noqa: F841 (computed but unused in the seed too)
    delta_y1 = -(y1 - a1_3) * a1_3 * (1 - a1_3)
    delta_y2 = -(y2 - a2_3) * a2_3 * (1 - a2_3)
    w11_3_contrib = delta_y1 * a1_2
    w12_3_contrib = delta_y1 * a2_2
    w21_3_contrib = delta_y2 * a1_2
    w22_3_contrib = delta_y2 * a2_2
    b2_contrib = delta_y1 + delta_y2
    alfa = 0.5
    w11_3_updated = w11_3 - alfa * w11_3_contrib
    w12_3_updated = w12_3 - alfa * w12_3_contrib
    w21_3_updated = w21_3 - alfa * w21_3_contrib
    w22_3_updated = w22_3 - alfa * w22_3_contrib
    b2_updated = b2 - alfa * b2_contrib
    dEo1_da1_3 = -1 * (y1 - a1_3)
    dEo2_da2_3 = -1 * (y2 - a2_3)
    Etotal = dEo1_da1_3 + dEo2_da2_3  # noqa: F841 (the seed prints this; we do not)
    da1_3_dz1_3 = a1_3 * (1 - a1_3)
    da2_3_dz2_3 = a2_3 * (1 - a2_3)
    dz1_3_da1_2 = w11_3
    dz2_3_da1_2 = w21_3
    dz1_3_da2_2 = w12_3
    dz2_3_da2_2 = w22_3
    da1_2_dz1_2 = a1_2 * (1 - a1_2)
    da2_2_dz2_2 = a2_2 * (1 - a2_2)
    dz1_2_dw11_2 = x1
    dz1_2_dw12_2 = x2
    dz2_2_dw21_2 = x1
    dz2_2_dw22_2 = x2
    dz1_2_db1 = 1
    dz2_2_db1 = 1
    w11_2_contrib = (((dEo1_da1_3 * da1_3_dz1_3 * dz1_3_da1_2) + (dEo2_da2_3 * da2_3_dz2_3 * dz2_3_da1_2))
                     * da1_2_dz1_2 * dz1_2_dw11_2)
    w12_2_contrib = (((dEo1_da1_3 * da1_3_dz1_3 * dz1_3_da1_2) + (dEo2_da2_3 * da2_3_dz2_3 * dz2_3_da1_2))
                     * da1_2_dz1_2 * dz1_2_dw12_2)
    w21_2_contrib = (((dEo1_da1_3 * da1_3_dz1_3 * dz1_3_da2_2) + (dEo2_da2_3 * da2_3_dz2_3 * dz2_3_da2_2))
                     * da2_2_dz2_2 * dz2_2_dw21_2)
    w22_2_contrib = (((dEo1_da1_3 * da1_3_dz1_3 * dz1_3_da2_2) + (dEo2_da2_3 * da2_3_dz2_3 * dz2_3_da2_2))
                     * da2_2_dz2_2 * dz2_2_dw22_2)
    b1_contrib = (delta_y1 * ((dz1_3_da1_2 * da1_2_dz1_2 * dz1_2_db1) + (dz1_3_da2_2 * da2_2_dz2_2 * dz2_2_db1))
                  + delta_y2 * ((dz2_3_da1_2 * da1_2_dz1_2 * dz1_2_db1) + (dz2_3_da2_2 * da2_2_dz2_2 * dz2_2_db1)))
    w11_2_updated = w11_2 - alfa * w11_2_contrib
    w12_2_updated = w12_2 - alfa * w12_2_contrib
    w21_2_updated = w21_2 - alfa * w21_2_contrib
    w22_2_updated = w22_2 - alfa * w22_2_contrib
    b1_updated = b1 - alfa * b1_contrib
    return (w11_2_updated, w12_2_updated, w21_2_updated, w22_2_updated, b1_updated,
            w11_3_updated, w12_3_updated, w21_3_updated, w22_3_updated, b2_updated)


def run(epochs):
    """The seed's cell 33: train from the initial weights for ``epochs`` epochs."""
    params = (0.15, 0.20, 0.25, 0.30, 0.35, 0.4, 0.45, 0.5, 0.55, 0.60)
    for _ in range(epochs):
        params = epoch(*params)
    return params
