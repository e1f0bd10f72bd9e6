"""Interactive views for Jupyter: each is one call in a notebook cell.

All views of one :class:`Tutorial` stay in step: edit the network in the editor and the
step-through, chain-rule explorer, learning-rate explorer and training view all follow.
An :class:`ExerciseView` stands alone: a question on its own practice network.
"""

from .chain_explorer import ChainExplorer
from .editor import NetworkEditor
from .exercise import ExerciseSession, ExerciseView
from .lr_explorer import LearningRateExplorer
from .models import LearningRateRun, StepCursor, TrainingRun, Tutorial
from .step_through import StepThrough
from .training_view import TrainingView

__all__ = [
    "ChainExplorer",
    "ExerciseSession",
    "ExerciseView",
    "LearningRateExplorer",
    "LearningRateRun",
    "NetworkEditor",
    "StepCursor",
    "StepThrough",
    "TrainingRun",
    "TrainingView",
    "Tutorial",
]
