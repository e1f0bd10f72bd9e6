"""A hand-written NumPy matrix training loop: the baseline the engine is measured against on larger nets.

A sigmoid net with one shared bias per layer, half the sum of squared errors, one sample, online
updates: the textbook's matrix form (z = W a + b, δ = f'(z) ⊙ Wᵀδ, ∂E/∂W = δ aᵀ), written by hand
as a reader of notebook 09 would write it. Only the benchmarks use it: the package derives its
numbers with SymPy and never runs this.
"""

from __future__ import annotations

import numpy as np

__all__ = ["run"]


def run(layers, epochs: int, learning_rate: float = 0.5, seed: int = 0) -> float:
    """Train a random ``layers`` net for ``epochs`` epochs; the last loss (so the work is not skipped)."""
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-0.5, 0.5, (n, m)) for m, n in zip(layers[:-1], layers[1:])]
    biases = [float(b) for b in rng.uniform(-0.5, 0.5, len(layers) - 1)]
    x, t = rng.uniform(0, 1, layers[0]), rng.uniform(0.1, 0.9, layers[-1])
    loss = 0.0
    for _ in range(epochs):
        outs = [x]
        for W, b in zip(weights, biases):
            outs.append(1.0 / (1.0 + np.exp(-(W @ outs[-1] + b))))
        out = outs[-1]
        loss = 0.5 * float(np.sum((t - out) ** 2))
        delta = (out - t) * out * (1.0 - out)
        for l in range(len(weights) - 1, -1, -1):
            below = outs[l]
            back = weights[l].T @ delta if l else None
            weights[l] -= learning_rate * np.outer(delta, below)
            biases[l] -= learning_rate * float(delta.sum())
            if l:
                delta = back * below * (1.0 - below)
    return loss
