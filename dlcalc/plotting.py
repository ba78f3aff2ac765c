"""Figures of training runs: curves, decision boundaries, gradient norms.

Every function takes data (a :class:`dlcalc.training.History`, a model, arrays)
and returns a new ``matplotlib.figure.Figure``, built without pyplot, so
nothing is shown, no window opens, and no global figure state is kept; the
caller saves or displays it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from numpy.typing import ArrayLike
from .models import CNN, MLP

import numpy as np
from matplotlib.figure import Figure

from ._checks import finite_float, float_array, label_array, positive_int
from .models import predict_proba
from .training import History

__all__ = ["plot_training_curves", "plot_decision_boundaries", "plot_gradient_norms"]

_METRICS = {"loss": ("train_loss", "test_loss", "loss (cross-entropy)"),
            "accuracy": ("train_accuracy", "test_accuracy", "accuracy")}


def _mapping(name: str, value: Any) -> dict[Any, Any]:
    if not hasattr(value, "items") or not hasattr(value, "keys") or len(value) == 0:
        raise TypeError(f"{name} must be a non-empty mapping label -> value, got {value!r:.60}")
    if len(value) > 20:
        raise ValueError(f"{name} must hold at most 20 entries (one panel or curve each), "
                         f"got {len(value)}")
    return dict(value)


def _size(width: float, height: float, panels: int = 1) -> tuple[float, float]:
    """Checked figure size in inches: each panel at most 20 by 20."""
    return (finite_float("width", width, low=0.0, low_open=True, high=20.0) * panels,
            finite_float("height", height, low=0.0, low_open=True, high=20.0))


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value!r}")
    return bool(value)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {value!r}")
    return value


def plot_training_curves(histories: Mapping[str, History], *,
                         metrics: Sequence[str] = ("loss", "accuracy"), test: bool = True,
                         mark_epochs: Sequence[float] = (), log_loss: bool = False,
                         width: float = 4.5, height: float = 3.2) -> Figure:
    """Loss and accuracy per epoch of one or several runs, one panel per metric.

    Parameters
    ----------
    histories : mapping of str to History
        Label -> history; each run gets one colour.
    metrics : sequence of {"loss", "accuracy"}, optional
        The panels, left to right (default both).
    test : bool, optional
        Also draw the test curve (dashed) where the history has one
        (default True).
    mark_epochs : sequence of int, optional
        Epochs marked by a dotted vertical line, e.g. learning-rate drops.
    log_loss : bool, optional
        Logarithmic axis for the loss (default False).
    width, height : float, optional
        Size of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per metric; in each, one line per run for the training
        curve and one per run with a test set for the test curve.

    Raises
    ------
    ValueError
        If a metric is unknown.
    TypeError
        If ``histories`` is not a non-empty mapping.

    Examples
    --------
    >>> from dlcalc.training import History
    >>> h = History(np.zeros(3), np.ones(3), np.array([1.0, 0.5, 0.2]),
    ...             np.array([0.5, 0.8, 0.9]), None, None, np.zeros(3))
    >>> fig = plot_training_curves({"run": h})
    >>> len(fig.axes), len(fig.axes[0].lines)
    (2, 1)
    """
    histories = _mapping("histories", histories)
    for label, h in histories.items():
        if not isinstance(h, History):
            raise TypeError(f"histories[{label!r}] must be a History (from fit), got "
                            f"{type(h).__name__}")
        for field in ("train_loss", "train_accuracy"):
            float_array(f"histories[{label!r}].{field}", getattr(h, field), ndim=1)
        for field in ("test_loss", "test_accuracy"):
            if getattr(h, field) is not None:
                float_array(f"histories[{label!r}].{field}", getattr(h, field), ndim=1)
    if not isinstance(metrics, (tuple, list)) or not metrics:
        raise TypeError(f"metrics must be a non-empty sequence among {tuple(_METRICS)}, "
                        f"got {metrics!r}"[:200])
    metrics = tuple(metrics)
    for m in metrics:
        if not isinstance(m, str) or m not in _METRICS:
            raise ValueError(f"metrics must be among {tuple(_METRICS)}, got {m!r}"[:200])
    test, log_loss = _bool("test", test), _bool("log_loss", log_loss)
    marks = float_array("mark_epochs", list(mark_epochs) if isinstance(
        mark_epochs, (tuple, list, range)) else mark_epochs, ndim=1)
    figsize = _size(width, height, len(metrics))
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, metric in zip(axes, metrics):
        train_key, test_key, ylabel = _METRICS[metric]
        for i, (label, h) in enumerate(histories.items()):
            colour = f"C{i}"
            values = getattr(h, train_key)
            epochs = np.arange(len(values))
            ax.plot(epochs, values, color=colour, label=f"{label} (train)" if test else label)
            test_values = getattr(h, test_key)
            if test and test_values is not None:
                ax.plot(epochs, test_values, color=colour, linestyle="--",
                        label=f"{label} (test)")
        for e in marks:
            ax.axvline(e, color="0.5", linestyle=":", linewidth=1)
        if metric == "loss" and log_loss:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.legend(fontsize="small")
    return fig


def plot_decision_boundaries(models: Mapping[str, MLP | CNN], x: ArrayLike, y: ArrayLike, *,
                             resolution: int = 150, margin: float = 0.5,
                             titles: Mapping[str, str] | None = None, width: float = 3.2,
                             height: float = 3.0) -> Figure:
    """The decision regions of 2-D classifiers side by side, with the data on top.

    Parameters
    ----------
    models : mapping of str to MLP
        Label -> a model with two inputs.
    x : array_like, shape (N, 2)
    y : array_like of int, shape (N,)
    resolution : int, optional
        Grid points per axis (default 150).
    margin : float, optional
        Extra room around the data (default 0.5).
    titles : mapping of str to str, optional
        Panel titles by label (e.g. with the accuracy); default the label.
    width, height : float, optional
        Size of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per model: the probability of class 1 as filled contours,
        the 0.5 level as a line, and the points coloured by class.

    Raises
    ------
    ValueError
        If ``x`` is not (N, 2) or ``y`` does not match it.

    Examples
    --------
    >>> from dlcalc.models import init_mlp
    >>> m = init_mlp((2, 4, 2), rng=np.random.default_rng(0))
    >>> fig = plot_decision_boundaries({"a": m, "b": m}, [[0., 0.], [1., 1.]], [0, 1],
    ...                                resolution=10)
    >>> len(fig.axes)
    2
    """
    models = _mapping("models", models)
    x = float_array("x", x, shape=(None, 2), nonempty=True)
    y = label_array("y", y, x.shape[0])
    resolution = positive_int("resolution", resolution, high=2000)
    margin = finite_float("margin", margin, low=0.0)
    if titles is not None:
        _mapping("titles", titles)
        for label, title in titles.items():
            _text(f"titles[{label!r}]", title)
    titles = {} if titles is None else dict(titles)
    figsize = _size(width, height, len(models))
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))
            and np.all(np.isfinite(hi - lo))):
        raise ValueError("x and margin span more than the float range")
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(1, len(models), squeeze=False, sharex=True, sharey=True)[0]
    for ax, (label, model) in zip(axes, models.items()):
        try:
            p1 = predict_proba(model, grid)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"models[{label!r}]: {exc}") from exc
        if p1.shape[1] != 2:
            raise ValueError(f"models[{label!r}] must have two classes, got {p1.shape[1]}")
        p1 = p1[:, 1].reshape(g0.shape)
        ax.contourf(g0, g1, p1, levels=np.linspace(0.0, 1.0, 11), cmap="RdBu_r", alpha=0.6)
        if p1.min() < 0.5 < p1.max():
            ax.contour(g0, g1, p1, levels=[0.5], colors="k", linewidths=1)
        ax.scatter(x[:, 0], x[:, 1], c=y, cmap="RdBu_r", vmin=0, vmax=1, s=8,
                   edgecolors="k", linewidths=0.3)
        ax.set_title(titles.get(label, label), fontsize="medium")
        ax.set_xlabel("$x_1$")
    axes[0].set_ylabel("$x_2$")
    return fig


def plot_gradient_norms(norms: Mapping[str, ArrayLike], *, ylabel: str = "gradient norm",
                        width: float = 6.0, height: float = 3.5) -> Figure:
    """Gradient norm per layer of one or several networks, log scale.

    Parameters
    ----------
    norms : mapping of str to array_like, shape (depth,)
        Label -> one norm per layer, from the input layer (1) to the output.
    ylabel : str, optional
        Default ``"gradient norm"``.
    width, height : float, optional
        Size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes, one line per network, logarithmic y axis.

    Raises
    ------
    ValueError
        If a norm array is not 1-D or has a non-positive entry (which a log
        axis cannot show).

    Examples
    --------
    >>> fig = plot_gradient_norms({"plain": [1e-6, 1e-3, 1.0], "residual": [1.0, 1.0, 1.0]})
    >>> len(fig.axes[0].lines), fig.axes[0].get_yscale()
    (2, 'log')
    """
    norms = _mapping("norms", norms)
    ylabel = _text("ylabel", ylabel)
    figsize = _size(width, height)
    checked = {}
    for label, values in norms.items():
        values = float_array(f"norms[{label!r}]", values, ndim=1, nonempty=True)
        if np.any(values <= 0):
            raise ValueError(f"norms[{label!r}] must be positive for a log axis, "
                             f"got minimum {values.min()}")
        checked[label] = values
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    for label, values in checked.items():
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", markersize=3, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return fig
