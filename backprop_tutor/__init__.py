"""backprop_tutor: SymPy derives backpropagation, NumPy evaluates it, widgets step through it.

Data flows one way, and the folders show it: ``core`` (description -> derivation -> numbers),
``teaching`` (names, walkthrough steps, text), ``views`` (diagram, plots, notebook displays,
widgets), ``app`` (command line, presentation mode). Imports only go down that list.

The notebook-facing names (``show_steps``, ``StepThrough``, ...) load matplotlib and ipywidgets
on first use, so the command line and the engine start without them.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

from .core.checks import SpecError
from .core.engine import StepValues, Training, evaluate_step, predict, train
from .core.example_files import PRESETS, example_from_dict, example_to_dict, load_example, preset
from .core.parameters import BIAS_MODES, ParameterLayout
from .core.quantities import (
    Bias,
    Delta,
    ErrorAfter,
    ErrorTerm,
    LearningRate,
    Net,
    Out,
    Partial,
    Quantity,
    Target,
    TotalError,
    Updated,
    Weight,
)
from .core.registry import ACTIVATIONS, LOSSES, Activation, Loss, register_activation, register_loss
from .core.spec import UPDATES, Example, Network, random_parameters
from .core.sweeping import Sweep, sweep
from .core.symbolic import Derivation, Factor, derive
from .teaching.compare import compare_gradients
from .teaching.matrix_form import matrix_form
from .teaching.mistakes import (
    MISTAKES,
    CheckReport,
    GradientCheck,
    Mistake,
    check_backprop,
    gradient_check,
    mistake_step,
    mistake_table,
    train_with_mistake,
)
from .teaching.notation import NOTATIONS, Namer, quantity
from .teaching.render import FORMATS, render, result_json
from .teaching.sympy_steps import derivation_steps
from .teaching.walkthrough import PHASES, Step, Walkthrough, walkthrough

try:
    __version__ = version("backprop_tutor")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

# Views, loaded on first use: name -> module under this package.
_VIEWS = {
    "notation_table": "views.display",
    "show_activations": "views.display",
    "show_derivation": "views.display",
    "show_error_curve": "views.display",
    "show_gradient_comparison": "views.display",
    "show_matrix_form": "views.display",
    "show_example": "views.display",
    "show_steps": "views.display",
    "show_training": "views.display",
    "show_values": "views.display",
    "show_mistake_training": "views.mistake_plots",
    "ChainExplorer": "views.widgets",
    "ExerciseView": "views.widgets",
    "LearningRateExplorer": "views.widgets",
    "MatrixView": "views.widgets.matrix_view",
    "NetworkEditor": "views.widgets",
    "StepThrough": "views.widgets",
    "TrainingView": "views.widgets",
    "Tutorial": "views.widgets",
}


def __getattr__(name: str):
    if name in _VIEWS:
        value = getattr(import_module(f".{_VIEWS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ACTIVATIONS",
    "BIAS_MODES",
    "FORMATS",
    "LOSSES",
    "MISTAKES",
    "NOTATIONS",
    "PHASES",
    "PRESETS",
    "UPDATES",
    "Activation",
    "Bias",
    "ChainExplorer",
    "CheckReport",
    "Delta",
    "Derivation",
    "ErrorAfter",
    "ErrorTerm",
    "Example",
    "ExerciseView",
    "Factor",
    "GradientCheck",
    "LearningRate",
    "LearningRateExplorer",
    "Loss",
    "MatrixView",
    "Mistake",
    "Namer",
    "Net",
    "Network",
    "NetworkEditor",
    "Out",
    "ParameterLayout",
    "Partial",
    "Quantity",
    "SpecError",
    "Step",
    "StepThrough",
    "StepValues",
    "Sweep",
    "Target",
    "TotalError",
    "Training",
    "TrainingView",
    "Tutorial",
    "Updated",
    "Walkthrough",
    "Weight",
    "__version__",
    "check_backprop",
    "compare_gradients",
    "derivation_steps",
    "derive",
    "evaluate_step",
    "example_from_dict",
    "example_to_dict",
    "gradient_check",
    "load_example",
    "matrix_form",
    "mistake_step",
    "mistake_table",
    "notation_table",
    "predict",
    "preset",
    "quantity",
    "random_parameters",
    "register_activation",
    "register_loss",
    "render",
    "result_json",
    "show_activations",
    "show_derivation",
    "show_error_curve",
    "show_example",
    "show_gradient_comparison",
    "show_matrix_form",
    "show_mistake_training",
    "show_steps",
    "show_training",
    "show_values",
    "sweep",
    "train",
    "train_with_mistake",
    "walkthrough",
]
