"""Tests of dlcalc.plotting: every function returns a Figure with the expected content."""

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from dlcalc.plotting import plot_decision_boundaries, plot_gradient_norms, plot_training_curves
from dlcalc.train import MLP, History, init_mlp


def history(n_epochs, with_test):
    curve = np.linspace(1.0, 0.1, n_epochs)
    test = curve + 0.05 if with_test else None
    return History(loss=curve, lr=np.full(n_epochs, 0.1), train_loss=curve,
                   train_accuracy=1 - curve, test_loss=test,
                   test_accuracy=None if test is None else 1 - test,
                   epoch_time=np.zeros(n_epochs))


def test_training_curves_one_panel_per_metric_and_lines_per_run():
    runs = {"a": history(5, True), "b": history(5, False), "c": history(5, True)}
    fig = plot_training_curves(runs, mark_epochs=(2, 4))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    # 3 training curves + 2 test curves (run "b" has no test set) + 2 vertical marks
    assert len(loss_ax.lines) == 3 + 2 + 2
    np.testing.assert_allclose(loss_ax.lines[0].get_ydata(), runs["a"].train_loss)
    np.testing.assert_allclose(acc_ax.lines[1].get_ydata(), runs["a"].test_accuracy)
    fig = plot_training_curves(runs, metrics=("loss",), test=False, log_loss=True)
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 3
    assert fig.axes[0].get_yscale() == "log"


def test_decision_boundaries_one_panel_per_model_and_the_right_regions():
    # logits (x1, -x1): class 1 where x1 < 0, so P(class 1) is below 1/2 for x1 > 0
    flip = MLP({"w1": np.array([[1.0, -1.0], [0.0, 0.0]]), "b1": np.zeros(2)}, "relu")
    other = init_mlp((2, 4, 2), rng=np.random.default_rng(0))
    x = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    fig = plot_decision_boundaries({"flip": flip, "random": other}, x, [1, 0, 1],
                                   resolution=20, titles={"flip": "flip, 100 %"})
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert fig.axes[0].get_title() == "flip, 100 %"
    assert fig.axes[1].get_title() == "random"
    # each panel holds the scatter of the 3 points
    offsets = fig.axes[0].collections[-1].get_offsets()
    np.testing.assert_array_equal(np.asarray(offsets), x)


def test_gradient_norms_log_scale_one_line_per_stack():
    norms = {"plain": [1e-9, 1e-5, 1.0], "residual": [1.0, 0.9, 0.8]}
    fig = plot_gradient_norms(norms)
    ax, = fig.axes
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), norms["plain"])


def test_no_pyplot_figure_is_left_open():
    plt = pytest.importorskip("matplotlib.pyplot")
    before = plt.get_fignums()
    plot_gradient_norms({"a": [1.0, 2.0]})
    plot_training_curves({"a": history(3, True)})
    assert plt.get_fignums() == before
    assert matplotlib.get_backend()  # no backend switch needed


def test_bad_input():
    with pytest.raises(ValueError, match="metrics"):
        plot_training_curves({"a": history(3, True)}, metrics=("f1",))
    with pytest.raises(TypeError, match="histories"):
        plot_training_curves([history(3, True)])
    with pytest.raises(TypeError, match="models"):
        plot_decision_boundaries({}, [[0.0, 0.0]], [0])
    model = init_mlp((2, 2), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="x"):
        plot_decision_boundaries({"m": model}, [[0.0, 0.0, 0.0]], [0])
    with pytest.raises(ValueError, match="y"):
        plot_decision_boundaries({"m": model}, [[0.0, 0.0]], [0, 1])
    with pytest.raises(ValueError, match="norms"):
        plot_gradient_norms({"a": [1.0, 0.0]})
