"""Worked-example files: a teacher's JSON in, a validated :class:`Example` out, and back."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from . import checks
from .spec import Example, Network, SpecError

__all__ = ["MAX_FILE_BYTES", "PRESETS", "example_from_dict", "example_to_dict", "load_example", "preset"]

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


# An example file is a teacher's few kilobytes of JSON; anything past this is a mistake (or /dev/zero).
MAX_FILE_BYTES = 10 * 1024 * 1024


def _unique_keys(pairs: list) -> dict:
    """A JSON object's fields, refusing one written twice (json keeps the last without a word)."""
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise SpecError(str(key), "written twice in the file; keep one")
        seen[key] = value
    return seen


def _json_integer(text: str):
    """A whole number from the file; one longer than any float is infinite (the field's check names it)."""
    digits = len(text.lstrip("-"))
    if digits > checks.MAX_DIGITS:
        return checks.LongWholeNumber(digits, text.startswith("-"))
    return int(text)


def _read_text(path: Path) -> str:
    """The file's text: a regular file under the size limit, UTF-8 with or without a byte-order mark."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SpecError("example", f"no preset or file named {str(path)!r} (presets: {', '.join(PRESETS)})") from None
    except OSError as exc:
        raise SpecError("example", f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):   # a folder, a device such as /dev/zero, a pipe: never read
        raise SpecError("example", f"{path} is not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise SpecError("example", f"{path} is {info.st_size / 2**20:.1f} MB; an example file may be at most "
                                   f"{MAX_FILE_BYTES // 2**20} MB")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)   # the file may have grown since stat()
        if len(raw) > MAX_FILE_BYTES:
            raise SpecError("example", f"{path} is over {MAX_FILE_BYTES // 2**20} MB")
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError("example", f"cannot read {path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise SpecError("example", f"cannot read {path}: {exc.strerror or exc}") from None


def load_example(source: str | Path) -> Example:
    """A preset by name, or a worked-example JSON file by path."""
    if isinstance(source, str) and (source in PRESETS or source in ALIASES):
        return preset(source)
    path = Path(source)
    text = _read_text(path)
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_int=_json_integer)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise SpecError("example", f"{path} is not valid JSON: {exc.msg} at {where}") from None
    except RecursionError:
        raise SpecError("example", f"{path} nests lists or objects too deeply to be an example") from None
    return example_from_dict(data)
