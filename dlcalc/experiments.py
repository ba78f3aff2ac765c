"""The experiments of the book, sized so that all of them together take a few seconds;
each returns plain data for a page to tabulate and plot.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from ._checks import nonneg_int, positive_int
from .data import circles, load_digits_split, two_moons
from .diagnostics import init_deep_stack, layer_gradient_norms
from .models import CNN, MLP, init_cnn, init_mlp
from .training import History, fit, step_schedule

__all__ = [
    "TrainingRun", "InitExperiment", "INIT_EXPERIMENT_RUNS", "run_init_experiment",
    "run_digits_cnn", "run_lr_schedule_experiment", "gradient_norms_by_depth",
]


class TrainingRun(NamedTuple):
    """One training run: the model before and after, and the history."""
    initial: MLP | CNN
    final: MLP | CNN
    history: History


class InitExperiment(NamedTuple):
    """The data and the runs of :func:`run_init_experiment`, runs keyed by label."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    runs: dict


#: Homework 2's initialisations, each label mapped to the keyword arguments of :func:`~dlcalc.models.init_mlp`.
INIT_EXPERIMENT_RUNS = MappingProxyType({
    "zeros, ReLU": MappingProxyType(dict(activation="relu", weight_init="zeros", bias=0.0)),
    "bias -5, ReLU": MappingProxyType(dict(activation="relu", weight_init="he", bias=-5.0)),
    "He, ReLU": MappingProxyType(dict(activation="relu", weight_init="he", bias=0.0)),
    "zeros, sigmoid": MappingProxyType(dict(activation="sigmoid", weight_init="zeros",
                                            bias=0.0)),
    "bias -5, sigmoid": MappingProxyType(dict(activation="sigmoid", weight_init="he",
                                              bias=-5.0)),
})


def run_init_experiment(*, runs=INIT_EXPERIMENT_RUNS, sizes=(2, 10, 5, 2), dataset="moons",
                        n_train=(200, 100), n_test=(200, 100), noise=0.2, iterations=4000,
                        lr=0.5, seed=0):
    """Homework 2's experiment: one network, several initialisations, 4000 iterations.

    Parameters
    ----------
    runs : mapping, optional
        Label -> keyword arguments of :func:`~dlcalc.models.init_mlp` (``activation``,
        ``weight_init``, ``bias``, ``std``). The default
        :data:`INIT_EXPERIMENT_RUNS`: all-zero weights, He weights with
        every hidden bias at -5, and He weights with zero biases, with ReLU
        units; all-zero weights and He weights with biases at -5 with
        sigmoid units.
    sizes : tuple of int, optional
        Layer sizes; default ``(2, 10, 5, 2)``, a 3-layer network.
    dataset : {"moons", "circles"}, optional
        The 2-D set (default ``"moons"``), from :mod:`dlcalc.data`.
    n_train, n_test : int or (int, int), optional
        Points in each set, or points per class; default ``(200, 100)``
        each, so always answering class 0 scores 2/3.
    noise : float, optional
        Noise of the 2-D set (default 0.2).
    iterations : int, optional
        Full-batch gradient-descent steps (default 4000).
    lr : float, optional
        Learning rate of plain gradient descent (default 0.5).
    seed : int, optional
        Seeds the data and the initial weights (default 0); every run starts
        from the same generator state.

    Returns
    -------
    InitExperiment
        The data and, for each label, a :class:`TrainingRun` (its history
        has no test entries: evaluate ``final`` on the test set).

    Notes
    -----
    The classes are unequal on purpose. With all-zero weights and sigmoid
    units every hidden unit outputs 1/2, so the gradient of the last weight
    matrix is :math:`\\tfrac12 \\sum_n (p_n - y_n)`, which vanishes when the
    classes are balanced and the output bias has settled: exactly balanced
    data leave that network at a saddle point where nothing changes at all.
    With unequal classes it moves, but every unit of a layer receives the
    same update, so the network behaves like one with a single unit per
    layer. With ReLU units and zero weights every hidden unit outputs 0 and
    passes no gradient (:math:`\\max(z, 0)` has derivative 0 at 0), so only
    the output bias learns, whatever the data.

    Examples
    --------
    >>> zeros = {"zeros, ReLU": {"activation": "relu", "weight_init": "zeros", "bias": 0.0}}
    >>> experiment = run_init_experiment(runs=zeros, iterations=5)
    >>> list(experiment.runs)
    ['zeros, ReLU']

    """
    seed = nonneg_int("seed", seed)
    make = {"moons": two_moons, "circles": circles}.get(dataset)
    if make is None:
        raise ValueError(f"dataset must be 'moons' or 'circles', got {dataset!r}")
    data_rng = np.random.default_rng(seed)
    x_train, y_train = make(n_train, noise=noise, rng=data_rng)
    x_test, y_test = make(n_test, noise=noise, rng=data_rng)
    results = {}
    for label, kwargs in runs.items():
        initial = init_mlp(sizes, rng=np.random.default_rng(seed + 1), **kwargs)
        final, history = fit(initial, x_train, y_train, epochs=iterations, lr=lr,
                             rng=np.random.default_rng(seed + 2))
        results[label] = TrainingRun(initial, final, history)
    return InitExperiment(x_train, y_train, x_test, y_test, results)


def run_digits_cnn(*, epochs=10, n_filters=16, p_keep=0.75, batch_size=32,
                   optimizer="adam", lr=0.005, test_fraction=0.25, seed=0, **hyper):
    """Homework 2's CNN, on scikit-learn's 8x8 digits: conv, ReLU, max pool, dropout, FC.

    Parameters
    ----------
    epochs : int, optional
        Default 10.
    n_filters : int, optional
        3x3 filters of the convolution (default 16).
    p_keep : float, optional
        Dropout keep probability (default 0.75).
    batch_size : int, optional
        Default 32.
    optimizer : str, optional
        Default ``"adam"``.
    lr : float, optional
        Default 0.005.
    test_fraction : float, optional
        Share of the 1,797 images kept for testing (default 0.25).
    seed : int, optional
        Seeds the split, the weights, the shuffling and dropout (default 0).
    **hyper
        Further hyper-parameters of the optimizer.

    Returns
    -------
    TrainingRun
        ``history.test_accuracy`` is the test accuracy after each epoch and
        ``history.epoch_time`` the seconds each epoch took.

    Examples
    --------
    >>> run = run_digits_cnn(epochs=2, n_filters=2)
    >>> len(run.history.test_accuracy), len(run.history.epoch_time)
    (2, 2)
    """
    seed = nonneg_int("seed", seed)
    x_train, y_train, x_test, y_test = load_digits_split(test_fraction=test_fraction,
                                                         seed=seed)
    rng = np.random.default_rng(seed)
    initial = init_cnn(in_shape=x_train.shape[1:], n_filters=n_filters, p_keep=p_keep,
                       rng=rng)
    final, history = fit(initial, x_train, y_train, epochs=epochs, lr=lr, rng=rng,
                         optimizer=optimizer, batch_size=batch_size,
                         x_test=x_test, y_test=y_test, **hyper)
    return TrainingRun(initial, final, history)


def run_lr_schedule_experiment(*, epochs=90, drops_at=(25, 60), factor=0.1, lr0=2.0,
                               sizes=(2, 16, 16, 2), n=500, noise=0.3, batch_size=20,
                               optimizer="sgd", seed=0, **hyper):
    """Assignment 2 Q11: the same run with a step learning-rate schedule and without.

    A ReLU MLP on noisy two moons (which no boundary separates, so the loss
    cannot reach 0), trained twice from the same weights with the same
    shuffling: once at the constant rate ``lr0``, once with the rate
    multiplied by ``factor`` at each epoch of ``drops_at``. At a large
    constant rate the mini-batch noise keeps the loss on a plateau above its
    minimum; each drop lowers that plateau.

    Parameters
    ----------
    epochs : int, optional
        Default 90.
    drops_at : tuple of int, optional
        Default ``(25, 60)``, the epochs of the question (counted from 0).
    factor : float, optional
        Default 0.1.
    lr0 : float, optional
        Initial (and constant) learning rate, default 2.0.
    sizes : tuple of int, optional
        Layer sizes, He initialisation (default ``(2, 16, 16, 2)``).
    n : int, optional
        Points in the training and in the test set (default 500 each).
    noise : float, optional
        Noise of the moons (default 0.3).
    batch_size : int, optional
        Default 20.
    optimizer : str, optional
        Default ``"sgd"``.
    seed : int, optional
        Default 0.
    **hyper
        Hyper-parameters of the optimizer.

    Returns
    -------
    dict
        ``{"step schedule": TrainingRun, "constant": TrainingRun}``; the
        history's ``train_loss`` is the curve of the question.

    Examples
    --------
    >>> runs = run_lr_schedule_experiment(epochs=3, drops_at=(1,), n=40)
    >>> [float(lr) for lr in runs["step schedule"].history.lr]
    [2.0, 0.2, 0.2]
    >>> [float(lr) for lr in runs["constant"].history.lr]
    [2.0, 2.0, 2.0]
    """
    seed = nonneg_int("seed", seed)
    data_rng = np.random.default_rng(seed)
    x_train, y_train = two_moons(n, noise=noise, rng=data_rng)
    x_test, y_test = two_moons(n, noise=noise, rng=data_rng)
    initial = init_mlp(sizes, rng=np.random.default_rng(seed + 1))
    rates = {"step schedule": step_schedule(lr0, drops_at=drops_at, factor=factor),
             "constant": lr0}
    out = {}
    for label, lr in rates.items():
        final, history = fit(initial, x_train, y_train, epochs=epochs, lr=lr,
                             rng=np.random.default_rng(seed + 2), optimizer=optimizer,
                             batch_size=batch_size, x_test=x_test, y_test=y_test, **hyper)
        out[label] = TrainingRun(initial, final, history)
    return out


def gradient_norms_by_depth(*, depth=30, width=32, n=64, activations=("sigmoid", "relu"),
                            weight_init="xavier", seed=0):
    """Gradient norm per block of deep plain and residual stacks with the same weights.

    Parameters
    ----------
    depth : int, optional
        Number of blocks (default 30).
    width : int, optional
        Width of every block (default 32).
    n : int, optional
        Batch of standard normal inputs (default 64).
    activations : sequence of str, optional
        Default ``("sigmoid", "relu")``.
    weight_init : str, optional
        Scheme of every weight matrix (default ``"xavier"``).
    seed : int, optional
        Default 0; every stack gets the same inputs, weights and loss.

    Returns
    -------
    dict
        ``"plain sigmoid"``, ``"residual sigmoid"``, ... ->
        :class:`~dlcalc.diagnostics.GradientNorms`, each array ordered from the input block to
        the output block.

    Examples
    --------
    >>> norms = gradient_norms_by_depth(depth=3, width=4, n=8)
    >>> sorted(norms)
    ['plain relu', 'plain sigmoid', 'residual relu', 'residual sigmoid']
    >>> norms["plain sigmoid"].weight.shape
    (3,)
    """
    seed = nonneg_int("seed", seed)
    n = positive_int("n", n)
    x = np.random.default_rng(seed).normal(size=(n, positive_int("width", width)))
    out = {}
    for activation in activations:
        for residual in (False, True):
            stack = init_deep_stack(depth, width, activation=activation, residual=residual,
                                    weight_init=weight_init,
                                    rng=np.random.default_rng(seed + 1))
            label = f"{'residual' if residual else 'plain'} {activation}"
            out[label] = layer_gradient_norms(stack, x, rng=np.random.default_rng(seed + 2))
    return out
