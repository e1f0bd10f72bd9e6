"""Worked-example files: a teacher's JSON in, a validated :class:`Example` out, and back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .spec import Example, Network, SpecError

__all__ = ["PRESETS", "example_from_dict", "example_to_dict", "load_example", "preset"]

PRESETS = ("mazur", "mazur_article", "xor", "softmax")
# Older names that still load (maintainers' scripts and notebooks written before the rename).
ALIASES = {"seed": "mazur"}
_PRESET_DIR = Path(__file__).resolve().parent.parent / "examples"

_REQUIRED = ("layers", "activations", "weights", "inputs", "targets")
_NETWORK_KEYS = ("layers", "activations", "loss", "bias", "train_bias")
_EXAMPLE_KEYS = ("weights", "biases", "inputs", "targets", "learning_rate", "epochs", "update",
                 "name", "description")


def example_from_dict(data: Any) -> Example:
    """Build an :class:`Example` from the worked-example JSON structure."""
    if not isinstance(data, dict):
        raise SpecError("example", f"expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(_NETWORK_KEYS) - set(_EXAMPLE_KEYS))
    if unknown:
        raise SpecError(unknown[0], "unknown field (allowed: " + ", ".join(_NETWORK_KEYS + _EXAMPLE_KEYS) + ")")
    for key in _REQUIRED:
        if key not in data:
            raise SpecError(key, "missing")
    network = Network(**{key: data[key] for key in _NETWORK_KEYS if key in data})
    fields = {key: data[key] for key in _EXAMPLE_KEYS if key in data}
    fields.setdefault("biases", None)
    return Example(network=network, **fields)


def example_to_dict(example: Example) -> dict:
    """The worked-example JSON structure of an :class:`Example` (inverse of example_from_dict)."""
    net = example.network
    data = {
        "name": example.name,
        "description": example.description,
        "layers": list(net.layers),
        "activations": list(net.activations),
        "loss": net.loss,
        "bias": net.bias,
        "train_bias": net.train_bias,
        "weights": [[list(row) for row in w] for w in example.weights],
        "inputs": [list(row) for row in example.inputs],
        "targets": [list(row) for row in example.targets],
        "learning_rate": example.learning_rate,
        "epochs": example.epochs,
        "update": example.update,
    }
    biases = net.parameters.biases_json(example.biases)
    if biases is not None:
        data["biases"] = biases
    return data


def preset(name: str) -> Example:
    """One of the examples that ship with the package: mazur, mazur_article, xor, softmax."""
    name = ALIASES.get(name, name)
    if name not in PRESETS:
        raise SpecError("example", f"unknown preset {name!r} (presets: {', '.join(PRESETS)})")
    text = (_PRESET_DIR / f"{name}.json").read_text("utf-8")
    return example_from_dict(json.loads(text))


def load_example(source: str | Path) -> Example:
    """A preset by name, or a worked-example JSON file by path."""
    if isinstance(source, str) and (source in PRESETS or source in ALIASES):
        return preset(source)
    path = Path(source)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise SpecError("example", f"no preset or file named {str(source)!r} (presets: {', '.join(PRESETS)})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError("example", f"cannot read {path}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise SpecError("example", f"{path} is not valid JSON: {exc.msg} at {where}") from None
    return example_from_dict(data)
