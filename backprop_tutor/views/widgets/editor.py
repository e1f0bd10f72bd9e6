"""Network editor: every field of a worked example; a valid change re-derives every open view.

An invalid entry shows its one-line error beside its field and changes nothing else.
"""

from __future__ import annotations

import ipywidgets as w

from ...core import budget, checks
from ...core.example_files import PRESETS, preset
from ...core.parameters import BIAS_MODES
from ...core.registry import ACTIVATIONS, LOSSES
from ...core.spec import UPDATES, Example, Network, SpecError, random_parameters
from .base import View, button, error_label, show_error, tooltip_on_label
from .parsing import format_matrices, format_rows, parse_matrices, parse_names, parse_rows, parse_whole_numbers

__all__ = ["EDITOR_SECONDS", "NetworkEditor", "convert_biases"]

#: The editor derives a new network on the kernel's thread, where no Stop can reach it: it accepts
#: only networks whose derivation the budget estimates under this (the API allows the full budget).
EDITOR_SECONDS = 20.0

_WIDTH = "28em"   # a Layout each: a closed view closes its own, never a shared one
_STYLE = {"description_width": "9em"}


class NetworkEditor(View):
    """Edit inputs, targets, weights, biases, activations, loss, bias mode and layer sizes."""

    slot = "network-editor"

    def __init__(self, tutorial="mazur", slot: str | None = None):
        super().__init__(tutorial, slot)
        self.fields = {
            "preset": w.Dropdown(options=PRESETS, value=None, description="Load preset",
                                 tooltip="Replace everything with one of the shipped examples"),
            "layers": w.Text(description="Layer sizes", tooltip="Neurons per layer, inputs first, e.g. 2, 2, 2"),
            "activations": w.Text(description="Activations",
                                  tooltip="One per non-input layer: " + ", ".join(ACTIVATIONS)),
            "loss": w.Dropdown(options=list(LOSSES), description="Loss", tooltip="half_sse is Mazur's ½Σ(t − o)²"),
            "bias": w.Dropdown(options=BIAS_MODES, description="Bias mode",
                               tooltip="shared: one bias per layer (as in Mazur's example); per_neuron: one per "
                                       "neuron; none"),
            "train_bias": w.Checkbox(description="Train biases", indent=False,
                                     tooltip="Whether gradient descent updates the biases"),
            "update": w.Dropdown(options=UPDATES, description="Update",
                                 tooltip="online: one update per sample; batch: one per epoch"),
            "learning_rate": w.Text(description="Learning rate", tooltip="A positive number, e.g. 0.5"),
            "epochs": w.Text(description="Epochs", tooltip="A whole number of training epochs"),
            "inputs": w.Textarea(description="Inputs", tooltip="One sample per line, numbers separated by commas"),
            "targets": w.Textarea(description="Targets", tooltip="One sample per line, as many lines as inputs"),
            "weights": w.Textarea(description="Weights", rows=6,
                                  tooltip="One matrix per layer, separated by a blank line; row j holds the "
                                          "weights into neuron j"),
            "biases": w.Textarea(description="Biases",
                                 tooltip="One line per non-input layer: one number (shared) or one per neuron"),
        }
        self.errors = {name: error_label() for name in self.fields}
        for field in self.fields.values():
            field.style = _STYLE
            tooltip_on_label(field)
            if isinstance(field, (w.Text, w.Textarea)):
                field.continuous_update = False
                field.layout = w.Layout(width=_WIDTH)
        self.randomize_button = button("Random weights", "New small random weights and biases", "random")
        self.randomize_button.on_click(lambda _: self._randomize())
        self.status = w.HTML()
        self._filling = False
        self._seed = 0
        self._fill(self.tutorial.example)
        for name, field in self.fields.items():
            field.observe(self._on_field(name), "value")
        self.follow(self.tutorial, self._on_example, "example")
        self.children = [w.HBox([field, self.errors[name]]) for name, field in self.fields.items()] + [
            self.randomize_button, self.status]

    # -- example -> fields ----------------------------------------------------------------
    def _fill(self, example: Example):
        net = example.network
        self._shape = (tuple(net.layers), net.bias)   # the shape the fields describe
        self._filling = True
        try:
            values = {
                "layers": ", ".join(map(str, net.layers)),
                "activations": ", ".join(net.activations),
                "loss": net.loss, "bias": net.bias, "train_bias": net.train_bias, "update": example.update,
                "learning_rate": f"{example.learning_rate:g}", "epochs": str(example.epochs),
                "inputs": format_rows(example.inputs), "targets": format_rows(example.targets),
                "weights": format_matrices(example.weights),
                "biases": format_rows(net.parameters.bias_rows(example.biases)),
            }
            for name, value in values.items():
                self.fields[name].value = value
            for label in self.errors.values():
                show_error(label, "")
        finally:
            self._filling = False

    def _on_example(self, change):
        self._fill(change["new"])

    # -- fields -> example ----------------------------------------------------------------
    def _on_field(self, name):
        def handler(change):
            if self._filling:
                return
            if name == "preset":
                if change["new"]:
                    self.tutorial.example = preset(change["new"])
                    self._fill(self.tutorial.example)   # the same preset again: no change event, so refill here
                    self._filling = True
                    self.fields["preset"].value = None  # choosing the same preset again reloads it
                    self._filling = False
                return
            if name == "bias":
                self._rebias()
            elif name == "layers":
                self._reshape()
            self.apply()

        return handler

    def _reshape(self):
        """New layer sizes or bias mode: fit activations, data, weights and biases to the new shape."""
        names = self.fields["activations"].value.replace(",", " ").split()
        hidden = names[0] if names and names[0] in ACTIVATIONS and not ACTIVATIONS[names[0]].coupled else "sigmoid"
        output = names[-1] if names and names[-1] in ACTIVATIONS else "sigmoid"
        try:
            layers = parse_whole_numbers(self.fields["layers"].value, "layers")
            network = Network(layers, [hidden] * (len(layers) - 2) + [output][: len(layers) - 1],
                              loss=self.fields["loss"].value, bias=self.fields["bias"].value)
        except SpecError as exc:
            self._show(exc)
            return
        if (tuple(network.layers), network.bias) == self._shape:
            return  # same shape (a typo put right, a space added): keep the weights the fields hold
        self._shape = (tuple(network.layers), network.bias)
        self._seed += 1
        weights, biases = random_parameters(network, seed=self._seed)
        self._filling = True
        try:
            self.fields["activations"].value = ", ".join(network.activations)
            self.fields["weights"].value = format_matrices(weights)
            self.fields["biases"].value = format_rows(network.parameters.bias_rows(biases))
            self.fields["inputs"].value = format_rows(_fit(self._rows("inputs"), layers[0], 0.5))
            self.fields["targets"].value = format_rows(_fit(self._rows("targets"), layers[-1], 0.5))
        finally:
            self._filling = False

    def _rebias(self):
        """A new bias mode on the same layers: the weights stay as typed, the biases are converted."""
        try:
            layers = parse_whole_numbers(self.fields["layers"].value, "layers")
        except SpecError:
            return self._reshape()
        if self._shape[0] != tuple(layers):
            return self._reshape()
        old_mode, new_mode = self._shape[1], self.fields["bias"].value
        self._shape = (tuple(layers), new_mode)
        rows = convert_biases(self._rows("biases"), old_mode, new_mode, layers[1:])
        self._filling = True
        try:
            self.fields["biases"].value = format_rows(rows)
        finally:
            self._filling = False
        return None

    def _rows(self, name):
        try:
            return parse_rows(self.fields[name].value, name)
        except SpecError:
            return [[]]

    def _randomize(self):
        network = self.tutorial.example.network
        self._seed += 1
        weights, biases = random_parameters(network, seed=self._seed)
        self._filling = True
        try:
            self.fields["weights"].value = format_matrices(weights)
            self.fields["biases"].value = format_rows(network.parameters.bias_rows(biases))
        finally:
            self._filling = False
        self.apply()

    def _show(self, exc: SpecError):
        field = exc.field.split("[")[0].split(" ")[0]
        show_error(self.errors.get(field, self.errors["layers"]), str(exc))

    def build(self) -> Example:
        """The example the fields describe; raises SpecError naming the first bad field."""
        f = {name: field.value for name, field in self.fields.items()}
        network = Network(parse_whole_numbers(f["layers"], "layers"), parse_names(f["activations"], "activations"),
                          loss=f["loss"], bias=f["bias"], train_bias=bool(f["train_bias"]))
        layout = network.parameters
        biases = layout.biases_from_rows(parse_rows(f["biases"], "biases")) if layout.has_bias else None
        # The same checks, and so the same words, as the command line and the API.
        epochs = checks.whole_number(f["epochs"], "epochs", text=True)
        rate = checks.learning_rate(f["learning_rate"], text=True)
        _check_budget(network, epochs, len(parse_rows(f["inputs"], "inputs")), f["update"] == "batch")
        return Example(network=network, weights=parse_matrices(f["weights"], "weights"), biases=biases,
                       inputs=parse_rows(f["inputs"], "inputs"), targets=parse_rows(f["targets"], "targets"),
                       learning_rate=rate, epochs=epochs, update=f["update"],
                       name=self.tutorial.example.name, description=self.tutorial.example.description)

    def apply(self) -> bool:
        """Build the example from the fields; on success every view follows, on error nothing changes."""
        for label in self.errors.values():
            show_error(label, "")
        try:
            example = self.build()
        except SpecError as exc:
            self._show(exc)
            self.status.value = ""
            return False
        if example != self.tutorial.example:
            self.tutorial.example = example
            self.status.value = "<span style='color:#1a7f37'>Applied: every view now shows this network.</span>"
        return True


def _check_budget(network: Network, epochs: int, samples: int, batch: bool) -> None:
    """Refuse, in one line and before any work, a network too slow to derive here or epochs past the budget."""
    n = len(network.parameters.keys)
    # The editor cannot stop a derivation once it starts, so it allows less than code does.
    budget.check_derivation(network.layers, n, limit=EDITOR_SECONDS,
                            go_on=f"the editor cannot stop it once started; derive() in code allows "
                                  f"{budget.LIMIT_SECONDS:.0f} seconds")
    budget.check_training(epochs, samples, n, batch)


def convert_biases(rows, old: str, new: str, sizes) -> list:
    """Bias rows from one bias mode to another: a shared bias spreads to each neuron, per-neuron biases average."""
    if new == "none":
        return []
    rows = rows if old != "none" and len(rows) == len(sizes) else [[0.0] for _ in sizes]
    if new == "shared":
        return [[sum(row) / len(row)] if row else [0.0] for row in rows]
    return [(list(row) * size)[:size] if len(row) == 1 else (list(row) + [0.0] * size)[:size]
            for row, size in zip(rows, sizes)]


def _fit(rows, width, fill):
    """Each row cut or padded to ``width`` numbers."""
    return [(list(row) + [fill] * width)[:width] for row in rows if row is not None] or [[fill] * width]
