"""Issue 12's slider: draw what the eye can see, and redraw only what changed (behaviour, not timings).

The loss curve is decimated to its pixel columns keeping each column's extremes; the descent
path to the pixels it enters; the learning-rate explorer and the landscape keep their axes,
ticks and contours as a background and redraw only the curves, bars and path over it.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from backprop_tutor.views.landscape_plots import decimate_path  # noqa: E402
from backprop_tutor.views.plots import LayeredCanvas, LossCurve, decimate_columns, steady_log_limits  # noqa: E402
from backprop_tutor.views.widgets import LearningRateExplorer  # noqa: E402


def _spiky(n=20_000, seed=0):
    rng = np.random.default_rng(seed)
    y = np.geomspace(1.0, 1e-6, n) * rng.uniform(0.5, 1.5, n)
    y[rng.integers(0, n, 40)] *= 1e3      # spikes one epoch wide
    return y


# --- decimation ------------------------------------------------------------------------------

@pytest.mark.parametrize("n, columns", [(20_000, 500), (20_001, 499), (1_003, 100), (5_000, 7)])
def test_decimation_keeps_each_columns_extremes_and_the_first_and_last_points(n, columns):
    y = _spiky(n)
    x, kept = decimate_columns(y, columns)
    assert x[0] == 0 and x[-1] == n - 1 and np.all(np.diff(x) > 0)
    np.testing.assert_array_equal(kept, y[x])
    assert len(x) <= 2 * columns + 2
    width = -(-n // columns)
    for start in range(0, n, width):
        column = y[start:start + width]
        inside = kept[(x >= start) & (x < start + width)]
        assert column.max() in inside and column.min() in inside
    assert y.max() in kept and y.min() in kept


def test_a_curve_shorter_than_the_pixel_width_is_drawn_whole():
    y = _spiky(300)
    x, kept = decimate_columns(y, 500)
    np.testing.assert_array_equal(x, np.arange(300))
    np.testing.assert_array_equal(kept, y)


def test_the_loss_curve_shows_every_spike_of_a_long_run():
    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    curve = LossCurve(fig.add_subplot())
    y = np.full(20_000, 1e-3) * np.random.default_rng(1).uniform(0.9, 1.1, 20_000)
    spikes = np.arange(7, 20_000, 500)
    y[spikes] = 5.0                      # one epoch wide, each in a column of its own
    curve.show(y)
    x, drawn = curve.current.get_data()
    assert len(x) <= 2 * fig.axes[0].bbox.width + 2
    assert x[0] == 0 and x[-1] == len(y) - 1
    assert set(spikes) <= set(x.tolist()) and np.sum(drawn == 5.0) == len(spikes)


def test_the_descent_path_decimation_is_vectorised_and_keeps_the_ends_and_every_pixel_entered():
    t = np.linspace(0, 6 * np.pi, 20_001)
    path = np.column_stack([np.cos(t) * np.exp(-t / 10), np.sin(t) * np.exp(-t / 10)])
    kept = decimate_path(path, ((-1, 1), (-1, 1)), pixels=200)
    assert kept[0] == 0 and kept[-1] == 20_000 and np.all(np.diff(kept) > 0)
    cells = np.floor((path - (-1, -1)) / 0.01)
    entered = {tuple(c) for c in cells}
    assert {tuple(c) for c in cells[kept]} == entered     # no pixel the path visits is lost
    assert len(kept) < 2_000


def test_a_path_jittering_on_a_pixel_edge_is_capped_at_max_points():
    jitter = np.column_stack([np.where(np.arange(9_000) % 2, 0.5001, 0.4999), np.zeros(9_000)])
    kept = decimate_path(jitter, ((0, 1), (-1, 1)), pixels=100, max_points=500)
    assert kept[0] == 0 and kept[-1] == 8_999 and len(kept) <= 500


# --- steady axes -----------------------------------------------------------------------------

def test_loss_axis_limits_snap_to_decades_and_stay_while_the_curves_fit():
    limits = steady_log_limits(None, 2e-5, 0.3)
    assert limits == pytest.approx((1e-5, 1.0))
    assert steady_log_limits(limits, 1.5e-5, 0.3) == limits        # still fits with room: unchanged
    assert steady_log_limits(limits, 1e-7, 0.3)[0] < 1e-7           # a curve below: the axis grows
    assert steady_log_limits(limits, 1e-3, 0.3)[0] > 1e-6           # far looser than needed: it shrinks


# --- only what changed is redrawn ------------------------------------------------------------

@pytest.fixture(scope="module")
def explorer():
    view = LearningRateExplorer("seed", epochs=2000)
    yield view
    view.detach()


def test_rate_changes_redraw_only_the_moving_artists_over_a_kept_background(explorer):
    canvas = explorer.picture.canvas
    assert isinstance(canvas, LayeredCanvas)
    explorer.rate.value = 0.5
    explorer.rate.value = 0.51
    drawn = canvas.background_draws
    for rate in (0.52, 0.53, 0.54):
        before = explorer.picture.image.value
        explorer.rate.value = rate
        assert explorer.picture.image.value != before
    assert canvas.background_draws == drawn        # same axes: the background was kept
    explorer.loss_curve.ax.set_xlabel("epochs")    # anything outside the moving artists: a new background
    explorer.picture.refresh()
    assert canvas.background_draws == drawn + 1
    explorer.loss_curve.ax.set_xlabel("epoch")


def test_a_partial_redraw_is_the_picture_a_whole_draw_makes(explorer):
    explorer.rate.value = 0.7
    explorer.rate.value = 0.71
    layered = np.asarray(explorer.picture.canvas.buffer_rgba()).copy()
    whole = FigureCanvasAgg(explorer.picture.figure)
    whole.draw()
    ours = np.asarray(whole.buffer_rgba())
    # Artists stacked over the background instead of among it differ at most in a few edge pixels.
    differs = np.any(np.abs(layered.astype(int) - ours.astype(int)) > 40, axis=2)
    assert differs.mean() < 0.002
    explorer.picture.canvas = LayeredCanvas(explorer.picture.figure,
                                            lambda: explorer.loss_curve.artists() + explorer.output_bars.artists())


def test_after_a_sweep_a_rate_change_moves_only_its_marker_and_a_new_sweep_redraws_all():
    view = LearningRateExplorer("seed", epochs=200)
    try:
        view.run_sweep(40)
        canvas = view.sweep_picture.canvas
        assert isinstance(canvas, LayeredCanvas)
        view.rate.value = 0.29                          # the first redraw lays the background down
        drawn = canvas.background_draws
        for rate in (0.3, 0.31, 0.32):
            before = view.sweep_picture.image.value
            view.rate.value = rate
            assert view.sweep_picture.image.value != before
        assert canvas.background_draws == drawn         # the marker moved over the kept sweep
        layered = np.asarray(canvas.buffer_rgba()).copy()
        whole = FigureCanvasAgg(view.sweep_picture.figure)
        whole.draw()
        assert np.array_equal(layered, np.asarray(whole.buffer_rgba()))
        view.run_sweep(40)                              # a new sweep: the whole picture again
        assert canvas.background_draws == drawn + 1
    finally:
        view.detach()


def test_the_landscape_contours_stay_the_same_object_and_only_the_path_is_redrawn(explorer):
    landscape = explorer.landscape
    explorer.rate.value = 0.3
    contours, surface = landscape.plot.contours, landscape.surface
    drawn = landscape.picture.canvas.background_draws
    paths = []
    for rate in (0.31, 0.32, 0.33):
        explorer.rate.value = rate
        paths.append(np.copy(landscape.plot.path_line.get_xdata()))
    assert landscape.plot.contours is contours and landscape.surface is surface
    assert landscape.picture.canvas.background_draws == drawn
    assert not np.array_equal(paths[0], paths[-1])
    assert "η = 0.33" in landscape.picture.alt
