"""The widgets' state as plain traitlets models: no widgets, no drawing, fully unit-testable.

One :class:`Tutorial` holds the example being studied; every view observes it, so a change
in the network editor re-derives the formulas and every open view follows. The smaller
models hold what one view steps through: a walkthrough index, a learning-rate run, a
training run played epoch by epoch. Views only link controls to these and render them.
"""

from __future__ import annotations

import ctypes
import threading

import traitlets as t

from ...core import budget, checks
from ...core.engine import Training, predict, train
from ...core.example_files import load_example
from ...core.quantities import Updated, gradient
from ...core.spec import Example, SpecError
from ...core.sweeping import sweep
from ...teaching.grading import DIRECTIONS, Feedback, grade_number
from ...teaching.notation import NOTATIONS
from ...teaching.walkthrough import PATHS, PHASES, Walkthrough, walkthrough

__all__ = ["BACKGROUND_SECONDS", "EXPLORER_SECONDS", "RATE_EXPONENTS", "Job", "LearningRateRun", "Predictions",
           "StepCursor", "Tutorial", "TrainingRun", "as_tutorial", "explorer_epochs", "interrupt"]


class Tutorial(t.HasTraits):
    """The example under study, its notation, the sample walked through, and its walkthrough (re-derived on change).

    ``sample`` counts from 0; a new example with fewer samples starts again at its first.
    """

    example = t.Instance(Example)
    notation = t.Enum(NOTATIONS, default_value="mazur")
    sample = t.Int(0)
    walk = t.Instance(Walkthrough, allow_none=True)
    # The learner's running score over every prediction made in any view of this tutorial.
    predictions_right = t.Int(0)
    predictions_tried = t.Int(0)

    def __init__(self, example: Example | str = "mazur", notation: str = "mazur", sample: int = 0):
        example = load_example(example) if isinstance(example, str) else example
        super().__init__(example=example, notation=notation)
        self._views: dict = {}
        self._replaced: dict = {}
        if sample:
            self.sample = sample   # validated against this example, and derived by the observer
        else:
            self._rederive()

    @t.validate("sample")
    def _valid_sample(self, proposal):
        value = proposal["value"]
        if not 0 <= value < self.example.n_samples:
            raise t.TraitError(f"sample: expected 0 to {self.example.n_samples - 1} (counted from 0), got {value}")
        return value

    @t.observe("example", "notation", "sample")
    def _on_change(self, change):
        if self.sample >= self.example.n_samples:
            self.sample = 0   # this observer runs again for the new sample, and derives then
            return
        self._rederive()

    def _rederive(self):
        self.walk = walkthrough(self.example, self.notation, self.sample)

    def attach(self, slot: str, view) -> None:
        """Register a view; a view already in the same slot is detached first.

        Re-running a notebook cell builds a new view for the same tutorial: detaching the old
        one keeps exactly one set of observers per slot.
        """
        old = self._views.get(slot)
        if old is not None and old is not view:
            old.detach()
            # One replaced view per slot stays on the page as a note; the one replaced before it goes.
            stub = self._replaced.get(slot)
            if stub is not None and stub is not old:
                stub.close()
            self._replaced[slot] = old
        self._views[slot] = view

    def observer_count(self) -> int:
        """How many callbacks observe this tutorial (for tests that guard against leaks)."""
        return sum(len(handlers) for names in self._trait_notifiers.values() for handlers in names.values())


def as_tutorial(source) -> Tutorial:
    """A Tutorial from a Tutorial, an Example, or a preset name / file path."""
    return source if isinstance(source, Tutorial) else Tutorial(source)


class StepCursor(t.HasTraits):
    """Where a student is in the walkthrough: Previous, Next, Reset and a jump to each phase.

    ``index`` is always an index of the full walkthrough; ``path`` ("full" or "lecture") says
    which of its steps Previous and Next visit.
    """

    index = t.Int(0)
    path = t.Enum(PATHS, default_value="full")

    def __init__(self, tutorial: Tutorial, path: str = "full"):
        super().__init__()
        self.tutorial = tutorial
        self.path = path
        tutorial.observe(self._on_walk, "walk")
        self.observe(self._on_path, "path")

    def detach(self):
        """Stop following the tutorial."""
        self.tutorial.unobserve(self._on_walk, "walk")

    def _on_walk(self, change):
        # Same network shape keeps the student's place (new numbers, same step); a new shape
        # has other steps, so it starts again.
        old = change["old"]
        if old is None or old.example.network.layers != self.tutorial.example.network.layers:
            self.index = 0
        else:
            self._snap(min(self.index, len(self.tutorial.walk) - 1))

    def _on_path(self, change):
        self._snap(self.index)

    def _snap(self, index: int):
        # The nearest step of the path at or before ``index`` (the first step is on every path).
        self.index = max(i for i in self.steps if i <= index)

    @property
    def steps(self) -> tuple:
        """Indices of the steps on the current path."""
        return self.tutorial.walk.path(self.path)

    @property
    def position(self) -> int:
        """Where the current step is on the path, counted from 0."""
        return self.steps.index(self.index)

    @property
    def step(self):
        """The current step."""
        return self.tutorial.walk[self.index]

    @property
    def at_start(self) -> bool:
        return self.index == self.steps[0]

    @property
    def at_end(self) -> bool:
        return self.index == self.steps[-1]

    def next(self):
        """Move one step on along the path (stays on the last step)."""
        self.index = next((i for i in self.steps if i > self.index), self.steps[-1])

    def previous(self):
        """Move one step back along the path (stays on the first)."""
        self.index = max((i for i in self.steps if i < self.index), default=self.steps[0])

    def reset(self):
        """Back to the first step."""
        self.index = 0

    def go_to(self, position: int):
        """To the step at ``position`` on the path (counted from 0)."""
        steps = self.steps
        self.index = steps[min(max(int(position), 0), len(steps) - 1)]

    def jump(self, phase: str):
        """To the first step of a phase on the path: forward, error, output, hidden or update."""
        if phase not in PHASES:
            raise ValueError(f"phase: expected one of {', '.join(PHASES)}; got {phase!r}")
        walk = self.tutorial.walk
        start = walk.phase_start(phase)
        self.index = next((i for i in self.steps if i >= start and walk[i].phase == phase), start)

    def show(self, index: int):
        """To any step of the walkthrough; one off the lecture path opens the full path first."""
        if index not in self.steps:
            self.path = "full"
        self.index = index


class Predictions(t.HasTraits):
    """Predict first: a step's value stays hidden until the learner predicts it or asks to see it.

    A value step takes a number (right within 1% or the printed precision, close within 10%);
    an update step takes a direction, increase or decrease. Each prediction counts in the
    tutorial's score; **Show** reveals without counting.
    """

    enabled = t.Bool(False)
    revealed = t.List()            # indices of the steps whose value is shown
    feedback = t.Instance(Feedback, allow_none=True)

    def __init__(self, tutorial: Tutorial, cursor: StepCursor):
        super().__init__()
        self.tutorial, self.cursor = tutorial, cursor
        tutorial.observe(self._on_walk, "walk")
        cursor.observe(self._on_index, "index")

    def detach(self):
        """Stop following the tutorial and the cursor."""
        self.tutorial.unobserve(self._on_walk, "walk")
        self.cursor.unobserve(self._on_index, "index")

    def _on_walk(self, change):
        self.revealed = []   # new numbers: every value is to be predicted again
        self.feedback = None

    def _on_index(self, change):
        self.feedback = None

    @property
    def hidden(self) -> bool:
        """Whether the current step's value is hidden, waiting for a prediction."""
        step = self.cursor.step
        return self.enabled and step.value is not None and step.index not in self.revealed

    @property
    def asks_direction(self) -> bool:
        """Whether the current step asks for a direction (an update) rather than a number."""
        return isinstance(self.cursor.step.key, Updated)

    def predict(self, typed) -> Feedback:
        """Grade a prediction for the current step, count it, and reveal the value."""
        step = self.cursor.step
        if step.value is None:
            return Feedback("invalid", "this step has no value to predict")
        if self.asks_direction:
            feedback = self._grade_direction(step, typed)
        else:
            feedback = grade_number(step, typed)
        if feedback.verdict == "invalid":
            self.feedback = feedback   # a typo is not a try: the value stays hidden
            return feedback
        self.tutorial.predictions_tried += 1
        self.tutorial.predictions_right += feedback.right
        self._reveal(step.index)
        self.feedback = feedback
        return feedback

    def show(self) -> None:
        """Reveal the current step's value without predicting (not counted)."""
        self._reveal(self.cursor.index)

    def _reveal(self, index: int) -> None:
        if index not in self.revealed:
            self.revealed = [*self.revealed, index]

    def _grade_direction(self, step, typed) -> Feedback:
        choice = str(typed).strip().lower()
        if choice not in DIRECTIONS:
            return Feedback("invalid", "expected increase or decrease")
        before = self.tutorial.walk.values[step.key.param]
        answer = "increase" if step.value > before else "decrease"
        if choice == answer:
            return Feedback("right", f"Right: it will {answer}, to {step.name_text} = {step.value_text}.")
        slope = self.tutorial.walk.step_for(gradient(step.key.param))
        sign = "positive" if slope.value > 0 else "negative"
        return Feedback("off", f"Not quite: it will {answer}, to {step.name_text} = {step.value_text}.",
                        f"Gradient descent steps against the gradient: {slope.name_text} = {slope.value_text} "
                        f"is {sign}, so the parameter {'falls' if slope.value > 0 else 'rises'}.")


class Job:
    """Work on a background thread that a Stop button can end: the kernel stays free to hear the click.

    ipywidgets runs a click's handler on the kernel's thread, so a click cannot arrive while a
    long call runs there. The work runs here instead; ``stop()`` sets the flag the work reads
    (a training's ``progress`` callback returns False then) and ``wait()`` joins the thread.
    """

    def __init__(self, work):
        self.stop_requested = threading.Event()
        self.thread = threading.Thread(target=work, args=(self,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Ask the work to stop at its next check."""
        self.stop_requested.set()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the work has ended."""
        self.thread.join(timeout)

    @property
    def running(self) -> bool:
        """Whether the work is still going."""
        return self.thread.is_alive()


def interrupt(thread: threading.Thread) -> None:
    """Raise KeyboardInterrupt inside ``thread`` at its next Python instruction (stops a sweep)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt))


#: Training that would take longer than this (the budget's estimate) runs on a thread with progress and Stop.
BACKGROUND_SECONDS = 1.0
#: The explorer trains at most this long per slider move; past it, it trains fewer epochs and says so.
EXPLORER_SECONDS = 5.0
#: Hard bounds of the explorer's slider (log10): the example's own rate widens them when outside.
RATE_EXPONENTS = (-3, 2)


def explorer_epochs(example: Example) -> tuple:
    """The epochs the explorer trains the example for, and a sentence if that is not the example's own."""
    samples, n = example.n_samples, len(example.network.parameters.keys)
    batch = example.update == "batch"
    per_epoch = budget.training_seconds(1, samples, n, batch)
    if example.epochs * per_epoch <= EXPLORER_SECONDS:
        return example.epochs, ""
    fewer = max(1, int(EXPLORER_SECONDS / per_epoch))
    fewer = fewer // 1000 * 1000 if fewer >= 1000 else fewer   # a round number
    return fewer, (f"Trained {fewer:,} epochs, not the example's {example.epochs:,}: each move of the slider "
                   f"would take about {example.epochs * per_epoch:.0f} seconds. Type more epochs to train longer.")


class LearningRateRun(t.HasTraits):
    """Training at the chosen learning rate and epochs, recomputed on every change.

    A run the budget estimates at over :data:`BACKGROUND_SECONDS` trains on a thread: ``done``
    and ``total`` follow its progress, ``stop()`` ends it and the partial run is the result
    (its ``state`` is "stopped"). A request past the budget sets ``error`` and keeps the last result.
    """

    learning_rate = t.Float(0.5)
    epochs = t.Int(10000)
    result = t.Instance(Training, allow_none=True)
    error = t.Unicode("")
    note = t.Unicode("")        # what the explorer changed from the example's settings, and why
    running = t.Bool(False)
    done = t.Int(0)
    total = t.Int(0)

    def __init__(self, tutorial: Tutorial, learning_rate: float | None = None, epochs: int | None = None):
        fitted, note = explorer_epochs(tutorial.example)
        super().__init__(
            learning_rate=tutorial.example.learning_rate if learning_rate is None else learning_rate,
            epochs=fitted if epochs is None else epochs,
            note=note if epochs is None else "",
        )
        self.tutorial = tutorial
        self.job: Job | None = None
        self.lock = threading.RLock()   # held while a result is published and drawn
        self._adopting = False
        tutorial.observe(self._on_example, "example")
        self.observe(self._on_settings, ["learning_rate", "epochs"])
        self.run()

    def detach(self):
        """Stop following the tutorial (and stop a run under way)."""
        self.tutorial.unobserve(self._on_example, "example")
        self.stop()
        self.wait()

    def _on_example(self, change):
        # A new example's own learning rate or epochs (changed in the editor, a preset) replace
        # the current settings; settings it leaves alone keep the student's choice.
        old, new = change["old"], change["new"]
        self._adopting = True
        try:
            if old is None or new.learning_rate != old.learning_rate:
                self.learning_rate = new.learning_rate
            if old is None or new.epochs != old.epochs:
                self.epochs, self.note = explorer_epochs(new)
        finally:
            self._adopting = False
        self.run()

    def _on_settings(self, change):
        if not self._adopting:
            if change["name"] == "epochs":
                self.note = ""
            self.run()

    def _check(self) -> float:
        """The budget's estimate of the run in seconds; a bad setting or a run past the budget raises SpecError."""
        example = self.tutorial.example
        checks.learning_rate(self.learning_rate)
        epochs = checks.whole_number(self.epochs, "epochs")
        n, batch = len(example.network.parameters.keys), example.update == "batch"
        budget.check_training(epochs, example.n_samples, n, batch)
        return budget.training_seconds(epochs, example.n_samples, n, batch)

    def run(self) -> None:
        """Train with the current settings; a bad setting sets ``error`` and keeps the last result."""
        self.stop()
        self.wait()
        try:
            seconds = self._check()
        except SpecError as exc:
            self.error = str(exc)
            return
        if seconds <= BACKGROUND_SECONDS:
            self._publish(train(self.tutorial.example, epochs=self.epochs, learning_rate=self.learning_rate))
            return
        example, epochs, rate = self.tutorial.example, self.epochs, self.learning_rate
        self.done, self.total, self.running = 0, epochs, True
        self.job = Job(lambda job: self._train_in_background(job, example, epochs, rate))

    def _train_in_background(self, job: Job, example: Example, epochs: int, rate: float) -> None:
        def progress(done, total):
            self.done = done
            return not job.stop_requested.is_set()

        try:
            result = train(example, epochs=epochs, learning_rate=rate, progress=progress)
        except SpecError as exc:
            self.error, self.running = str(exc), False
            return
        self.running = False
        if example is self.tutorial.example:   # a stale run (the example changed meanwhile) is dropped
            self._publish(result)

    def _publish(self, result: Training) -> None:
        with self.lock:
            self.error = ""
            self.result = result

    def stop(self) -> None:
        """Stop the run under way (the partial run becomes the result)."""
        if self.job is not None:
            self.job.stop()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the run under way to end."""
        if self.job is not None and self.job.thread is not threading.current_thread():
            self.job.wait(timeout)

    def sweep(self, rates, epochs: int | None = None):
        """Final loss at many learning rates at once (the vectorised engine)."""
        return sweep(self.tutorial.example, rates, self.epochs if epochs is None else epochs)


class TrainingRun(t.HasTraits):
    """Training played epoch by epoch: Play, Pause, Step and Reset move this model."""

    epoch = t.Int(0)
    loss_history = t.List()
    parameters = t.List()
    outputs = t.List()
    diverged_at = t.Int(None, allow_none=True)
    saturated = t.Bool(False)   # the last epochs stalled: more of them change nothing

    def __init__(self, tutorial: Tutorial):
        super().__init__()
        self.tutorial = tutorial
        tutorial.observe(self._on_example, "example")
        self.reset()

    def detach(self):
        """Stop following the tutorial."""
        self.tutorial.unobserve(self._on_example, "example")

    def _on_example(self, change):
        self.reset()

    def reset(self):
        """Back to the initial parameters, epoch 0."""
        example = self.tutorial.example
        self.diverged_at = None
        self.saturated = False
        self.parameters = example.flat_parameters()
        self.outputs = predict(example)
        self.loss_history = [train(example, epochs=0).loss]
        self.epoch = 0

    def advance(self, epochs: int = 1) -> None:
        """Train ``epochs`` more epochs from where the run stands (no-op once diverged)."""
        if self.diverged_at is not None or epochs <= 0:
            return
        example = self.tutorial.example
        weights, biases = example.network.parameters.unflatten(self.parameters)
        result = train(example.replace(weights=weights, biases=biases), epochs=epochs)
        # On divergence the engine returns the last finite parameters, diverged_at - 1 epochs on.
        done = epochs if result.diverged_at is None else max(result.diverged_at - 1, 0)
        if result.diverged_at is not None:
            self.diverged_at = self.epoch + result.diverged_at
        self.saturated = result.state == "saturated"
        self.parameters = result.parameters
        self.outputs = result.outputs
        self.loss_history = list(self.loss_history) + [float(v) for v in result.loss_history[1:]]
        self.epoch = self.epoch + done

    @property
    def weights(self):
        """The current weights, nested as in the worked-example JSON."""
        return self.tutorial.example.network.parameters.unflatten(self.parameters)[0]

    @property
    def biases(self):
        """The current biases, nested as in the worked-example JSON."""
        return self.tutorial.example.network.parameters.unflatten(self.parameters)[1]

    @property
    def loss(self) -> float:
        return self.loss_history[-1] if self.loss_history else float("nan")

