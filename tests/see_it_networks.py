"""Random small networks for the "See it" tests (matrix form, autograd comparison): every activation,
loss and bias mode, with the net inputs kept away from ReLU's kink and the outputs away from 0 and 1
(where finite differences and a log lose their digits)."""

from __future__ import annotations

import random

from backprop_tutor import Example, Net, Network, Out, evaluate_step

HIDDEN = ("sigmoid", "tanh", "relu", "linear")
OUTPUTS = {"half_sse": HIDDEN + ("softmax",), "sse": HIDDEN + ("softmax",), "mse": HIDDEN + ("softmax",),
           "bce": ("sigmoid",), "ce": ("sigmoid", "softmax")}
BIASES = ("shared", "per_neuron", "none")


def _draw(rng: random.Random) -> Example:
    depth = rng.randint(1, 3)
    sizes = [rng.randint(1, 3) for _ in range(depth + 1)]
    loss = rng.choice(sorted(OUTPUTS))
    activations = [rng.choice(HIDDEN) for _ in range(depth - 1)] + [rng.choice(OUTPUTS[loss])]
    network = Network(sizes, activations, loss, rng.choice(BIASES), rng.random() < 0.5)
    weights = [[[rng.uniform(-2, 2) for _ in range(sizes[l])] for _ in range(sizes[l + 1])] for l in range(depth)]
    if network.bias == "shared":
        biases = [rng.uniform(-1, 1) for _ in range(depth)]
    elif network.bias == "per_neuron":
        biases = [[rng.uniform(-1, 1) for _ in range(sizes[l + 1])] for l in range(depth)]
    else:
        biases = []
    low = 0.0 if loss in ("bce", "ce") else -1.0
    inputs = [[rng.uniform(-1, 1) for _ in range(sizes[0])]]
    targets = [[rng.uniform(low, 1) for _ in range(sizes[-1])]]
    return Example(network, weights, biases, inputs, targets, learning_rate=0.5, epochs=1)


def _smooth(example: Example) -> bool:
    net, step = example.network, evaluate_step(example)
    for l in range(1, net.depth + 1):
        if net.activations[l - 1] == "relu" and any(abs(step[Net(l, j)]) < 0.05 for j in range(net.layers[l])):
            return False
    if net.loss in ("bce", "ce"):
        return all(1e-3 < step[Out(net.depth, j)] < 1 - 1e-3 for j in range(net.layers[-1]))
    return True


def random_networks(count: int, start: int = 0) -> list:
    """``count`` random examples, the same on every run (numbered draws, the rough ones skipped)."""
    rng, found = random.Random(start), []
    while len(found) < count:
        example = _draw(rng)
        if _smooth(example):
            found.append(example)
    return found
