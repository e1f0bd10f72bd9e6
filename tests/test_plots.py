"""Loss curve, output bars and sweep plot: artists made once, data replaced in place."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (only to check that nothing registers with pyplot)
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from backprop_tutor import Network, preset, sweep, train  # noqa: E402
from backprop_tutor.views.plots import LossCurve, OutputBars, SweepCurve, decimate  # noqa: E402


def axes():
    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def artist_count(ax):
    return len(ax.lines) + len(ax.texts) + len(ax.patches) + len(ax.collections)


@pytest.fixture(scope="module")
def diverging():
    """A linear 2-2-2 network that blows up at a large learning rate."""
    return preset("seed").replace(network=Network((2, 2, 2), ("tanh", "linear")), epochs=400)


def test_decimate_keeps_first_and_last_points():
    x, y = decimate(np.arange(10_001.0), 2000)
    assert len(x) <= 2001 and x[0] == 0 and x[-1] == 10_000 and y[-1] == 10_000.0
    x, y = decimate([3.0, 2.0, 1.0])
    assert list(x) == [0, 1, 2]


# --- loss curve ----------------------------------------------------------------------------

def test_loss_curve_draws_the_history_on_a_log_axis_and_labels_both_axes():
    ax = axes()
    curve = LossCurve(ax)
    history = np.geomspace(1.0, 1e-4, 20_000)
    curve.show(history, label="η = 0.5")
    x, y = curve.current.get_data()
    assert len(x) <= 2001 and x[-1] == 19_999 and y[-1] == history[-1]
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel()
    assert curve.label.get_text() == "η = 0.5" and curve.legend.texts[0].get_text() == "current run"
    ax.figure.canvas.draw()


def test_loss_curve_keeps_earlier_runs_in_a_fixed_pool():
    ax = axes()
    curve = LossCurve(ax, pool=8)
    count = artist_count(ax)
    curve.show([1.0, 0.5, 0.25])
    assert not any(line.get_visible() for line in curve.earlier)
    curve.show([2.0, 1.0])
    visible = [line for line in curve.earlier if line.get_visible()]
    assert len(visible) == 1 and list(visible[0].get_ydata()) == [1.0, 0.5, 0.25]
    for k in range(20):
        curve.show(np.geomspace(1, 10.0 ** -(k + 1), 50))
    assert sum(line.get_visible() for line in curve.earlier) == 8
    assert artist_count(ax) == count
    curve.show([0.3, 0.2], keep_previous=False)
    assert sum(line.get_visible() for line in curve.earlier) == 8
    curve.clear_history()
    assert not any(line.get_visible() for line in curve.earlier)
    assert list(curve.current.get_ydata()) == [0.3, 0.2]


def test_a_diverged_run_is_drawn_up_to_the_divergence_and_labelled(diverging):
    run = train(diverging, learning_rate=3.0)
    assert run.diverged_at is not None
    ax = axes()
    curve = LossCurve(ax)
    curve.show(run.loss_history, label="η = 3", diverged_at=run.diverged_at)
    x, _ = curve.current.get_data()
    assert x[-1] == run.diverged_at - 1
    assert curve.note.get_visible() and curve.note.get_text() == f"diverged at epoch {run.diverged_at}"
    assert curve.diverged_marker.get_visible()
    ax.figure.canvas.draw()  # huge finite losses and a log axis: no overflow warnings
    curve.show(train(diverging, learning_rate=0.1).loss_history)
    assert not curve.note.get_visible() and not curve.diverged_marker.get_visible()
    curve.show([np.inf], diverged_at=0)  # diverged before any finite loss
    assert curve.note.get_text() == "diverged at epoch 0" and not curve.diverged_marker.get_visible()
    ax.figure.canvas.draw()


# --- output bars ---------------------------------------------------------------------------

def test_output_bars_show_outputs_against_targets():
    ax = axes()
    bars = OutputBars(ax)
    bars.show([0.75, 0.77], [0.01, 0.99], names=["o1", "o2"])
    assert [b.get_height() for b in bars.bars] == [0.75, 0.77]
    targets = bars.target_line.get_ydata()
    assert list(targets[0::3]) == [0.01, 0.99] and list(targets[1::3]) == [0.01, 0.99]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["o1", "o2"]
    assert ax.get_xlabel() and ax.get_ylabel()
    with pytest.raises(ValueError, match="outputs"):
        bars.show([0.1], [0.1, 0.2])


def test_output_bars_group_several_samples_and_rebuild_only_on_a_new_shape():
    ax = axes()
    bars = OutputBars(ax)
    bars.show(np.full((4, 1), 0.5), [[0], [1], [1], [0]])
    assert len(bars.bars) == 4 and ax.get_xlabel() == "sample"
    four = artist_count(ax)
    bars.show(np.full((3, 3), 0.3), np.eye(3))
    nine = artist_count(ax)
    assert len(bars.bars) == 9
    for _ in range(10):
        bars.show(np.full((4, 1), 0.5), [[0], [1], [1], [0]])
        assert artist_count(ax) == four
        bars.show(np.full((3, 3), 0.3), np.eye(3))
        assert artist_count(ax) == nine
    bars.show(np.array([[np.nan, 2.0, -0.5]] * 3), np.eye(3))  # a diverged run's outputs
    assert ax.get_ylim()[0] < -0.5 and ax.get_ylim()[1] > 2.0
    ax.figure.canvas.draw()


# --- sweep -----------------------------------------------------------------------------------

def test_sweep_curve_marks_diverged_rates_and_the_current_rate(diverging):
    rates = np.geomspace(0.01, 10, 30)
    result = sweep(diverging, rates, epochs=200)
    failed = result.diverged_at >= 0
    assert failed.any() and not failed.all()
    ax = axes()
    plot = SweepCurve(ax)
    plot.show(result)
    assert len(plot.line.get_xdata()) == (~failed).sum()
    assert list(plot.diverged.get_xdata()) == list(rates[failed])
    assert set(plot.diverged.get_ydata()) == {0.94}  # along the top, in axes fractions
    assert plot.legend.texts[1].get_visible() and plot.legend.texts[1].get_text() == "diverged"
    assert not plot.marker.get_visible()
    plot.mark(0.5)
    assert list(plot.marker.get_xdata()) == [0.5, 0.5] and plot.marker.get_visible()
    assert plot.marker_text.get_text() == "η = 0.5"
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel()
    plot.show(rates[:5], np.linspace(0.5, 0.1, 5))
    assert not plot.legend.texts[1].get_visible()
    ax.figure.canvas.draw()


# --- 500 updates ---------------------------------------------------------------------------

def test_five_hundred_updates_create_no_artists_and_no_pyplot_figures():
    figures = plt.get_fignums()
    fig = Figure(figsize=(12, 4))
    FigureCanvasAgg(fig)
    a, b, c = fig.subplots(1, 3)
    loss, bars, rates = LossCurve(a), OutputBars(b), SweepCurve(c)
    loss.show([1.0, 0.5])
    bars.show([0.5, 0.5], [0.0, 1.0])
    rates.show([0.1, 1.0], [0.2, np.nan])
    rates.mark(0.1)
    fig.canvas.draw()
    counts = [artist_count(ax) for ax in (a, b, c)]
    rng = np.random.default_rng(0)
    for i in range(500):
        diverged = 100 + i if i % 7 == 0 else None
        loss.show(np.geomspace(1, 1e-3, 3000) * (1 + i), label=f"run {i}", diverged_at=diverged)
        bars.show(rng.random(2), [0.0, 1.0])
        rates.show(np.geomspace(0.01, 10, 20), np.where(np.arange(20) > 15, np.nan, rng.random(20)))
        rates.mark(0.01 * (i + 1))
    fig.canvas.draw()
    assert [artist_count(ax) for ax in (a, b, c)] == counts
    assert plt.get_fignums() == figures
