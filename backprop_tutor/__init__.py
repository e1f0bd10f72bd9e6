"""backprop_tutor: SymPy derives backpropagation, NumPy evaluates it, widgets step through it.

Data flows one way: description (spec) -> derivation (symbolic) -> numbers (bridge, engine)
-> teaching steps (walkthrough) -> views (render, figures, widgets).
"""

from .core.bridge import compile_network
from .core.engine import (
    StepValues,
    Sweep,
    Training,
    evaluate_step,
    first_step_result,
    flatten_parameters,
    predict,
    sweep,
    train,
    unflatten_parameters,
)
from .core.example_files import PRESETS, example_from_dict, example_to_dict, load_example, preset
from .teaching.notation import NOTATIONS, Namer
from .teaching.render import FORMATS, render, result_json
from .core.spec import ACTIVATIONS, BIAS_MODES, LOSSES, UPDATES, Example, Network, SpecError, random_parameters
from .core.symbolic import Derivation, Factor, derive
from .teaching.walkthrough import PHASES, Step, Walkthrough, walkthrough

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "BIAS_MODES",
    "Derivation",
    "Example",
    "FORMATS",
    "Factor",
    "LOSSES",
    "NOTATIONS",
    "Namer",
    "Network",
    "PHASES",
    "PRESETS",
    "SpecError",
    "Step",
    "StepValues",
    "Sweep",
    "Training",
    "UPDATES",
    "Walkthrough",
    "compile_network",
    "derive",
    "evaluate_step",
    "example_from_dict",
    "example_to_dict",
    "first_step_result",
    "flatten_parameters",
    "load_example",
    "predict",
    "preset",
    "random_parameters",
    "render",
    "result_json",
    "sweep",
    "train",
    "unflatten_parameters",
    "walkthrough",
]
