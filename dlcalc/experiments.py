"""Training experiments: a network trained from several initialisations, a small CNN on
scikit-learn's digits, a run with and without a step learning-rate schedule, and gradient
norms through deep plain and residual stacks. Every setting is an argument (none has a
default: the choices belong to whoever runs the experiment); each returns plain data to
tabulate and plot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from ._checks import argument, finite_float, mapping, nonneg_int, positive_int
from .data import circles, load_digits_split, two_moons
from .diagnostics import GradientNorms, init_deep_stack, layer_gradient_norms
from .init import WEIGHT_INITS
from .models import CNN, HIDDEN_ACTIVATIONS, MLP, init_cnn, init_mlp
from .training import History, _fit_together, fit, step_schedule

__all__ = [
    "TrainingRun", "InitExperiment", "run_init_experiment",
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


def run_init_experiment(*, runs: Mapping[str, Mapping[str, Any]], sizes: Sequence[int],
                        dataset: str, n_train: int | tuple[int, int],
                        n_test: int | tuple[int, int], noise: float, iterations: int,
                        lr: float, seed: int) -> InitExperiment:
    """One network trained by full-batch gradient descent from several initialisations.

    Parameters
    ----------
    runs : mapping
        Label -> keyword arguments of :func:`~dlcalc.models.init_mlp` (``activation``,
        ``weight_init``, ``bias``, ``std``), e.g. ``{"zeros, ReLU": {"activation":
        "relu", "weight_init": "zeros", "bias": 0.0}}``.
    sizes : tuple of int
        Layer sizes, e.g. ``(2, 10, 5, 2)`` for a 3-layer network.
    dataset : {"moons", "circles"}
        The 2-D set, from :mod:`dlcalc.data`.
    n_train, n_test : int or (int, int)
        Points in each set, or points per class (``(200, 100)``: always answering
        class 0 scores 2/3).
    noise : float
        Noise of the 2-D set.
    iterations : int
        Full-batch gradient-descent steps.
    lr : float
        Learning rate of plain gradient descent.
    seed : int
        Seeds the data and the initial weights; every run starts from the same
        generator state.

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
    >>> experiment = run_init_experiment(runs=zeros, sizes=(2, 3, 2), dataset="moons",
    ...                                  n_train=20, n_test=10, noise=0.2, iterations=5,
    ...                                  lr=0.5, seed=0)
    >>> list(experiment.runs)
    ['zeros, ReLU']

    """
    seed = nonneg_int("seed", seed)
    make = {"moons": two_moons, "circles": circles}.get(dataset) \
        if isinstance(dataset, str) else None
    if make is None:
        raise ValueError(f"dataset must be 'moons' or 'circles', got {dataset!r}"[:200])
    mapping("runs", runs)
    if not runs:
        raise ValueError("runs must name at least one run, got an empty mapping")
    for label, kwargs in runs.items():
        mapping(f"runs[{label!r}]", kwargs)
    iterations = positive_int("iterations", iterations, high=10**7)
    lr = finite_float("lr", lr, low=0.0, low_open=True)
    data_rng = np.random.default_rng(seed)
    with argument("n_train"):
        x_train, y_train = make(n_train, noise=noise, rng=data_rng)
    with argument("n_test"):
        x_test, y_test = make(n_test, noise=noise, rng=data_rng)
    together = _trained_together(runs, sizes, x_train, y_train, iterations, lr, seed)
    results = {}
    for label, kwargs in runs.items():
        with argument("runs"), argument("sizes"):
            initial = init_mlp(sizes, rng=np.random.default_rng(seed + 1), **kwargs)
        if together is None:
            with argument("lr"):
                final, history = fit(initial, x_train, y_train, epochs=iterations, lr=lr,
                                     rng=np.random.default_rng(seed + 2))
        else:
            final, history = together[label]
        results[label] = TrainingRun(initial, final, history)
    return InitExperiment(x_train, y_train, x_test, y_test, results)


def _trained_together(runs: Mapping[str, Mapping[str, Any]], sizes: Sequence[int],
                      x: np.ndarray, y: np.ndarray, iterations: int, lr: float, seed: int
                      ) -> dict[str, tuple[MLP | CNN, History]] | None:
    """The runs of :func:`run_init_experiment` trained together, as one stack (see
    :func:`dlcalc.training._fit_together`): by label, what ``fit`` returns for each. None
    where an initialisation fails or a value is not finite: the runs are then trained
    one by one, which raises the error in the order of the runs."""
    try:
        initials = [init_mlp(sizes, rng=np.random.default_rng(seed + 1), **kwargs)
                    for kwargs in runs.values()]
    except (TypeError, ValueError):
        return None
    trained = _fit_together(initials, x, y, epochs=iterations, lr=lr, seed=seed + 2)
    return None if trained is None else dict(zip(runs, trained))


def run_digits_cnn(*, epochs: int, n_filters: int, p_keep: float, batch_size: int,
                   optimizer: str | Callable[..., Any], lr: float | Callable[[int], float],
                   test_fraction: float, seed: int, **hyper: Any) -> TrainingRun:
    """A small CNN (conv, ReLU, max pool, dropout, FC) trained on scikit-learn's 8x8 digits.

    Parameters
    ----------
    epochs : int
    n_filters : int
        3x3 filters of the convolution.
    p_keep : float
        Dropout keep probability.
    batch_size : int
    optimizer : str or callable
        As for :func:`~dlcalc.training.fit`.
    lr : float or callable
        Learning rate or schedule.
    test_fraction : float
        Share of the 1,797 images kept for testing.
    seed : int
        Seeds the split, the weights, the shuffling and dropout.
    **hyper
        Further hyper-parameters of the optimizer.

    Returns
    -------
    TrainingRun
        ``history.test_accuracy`` is the test accuracy after each epoch and
        ``history.epoch_time`` the seconds each epoch took.

    Examples
    --------
    >>> run = run_digits_cnn(epochs=2, n_filters=2, p_keep=0.75, batch_size=64,
    ...                      optimizer="adam", lr=0.01, test_fraction=0.25, seed=0)
    >>> len(run.history.test_accuracy), len(run.history.epoch_time)
    (2, 2)
    """
    seed = nonneg_int("seed", seed)
    epochs = positive_int("epochs", epochs, high=10**5)
    batch_size = positive_int("batch_size", batch_size)
    n_filters = positive_int("n_filters", n_filters, high=1024)
    p_keep = finite_float("p_keep", p_keep, low=0.0, low_open=True, high=1.0)
    if not callable(lr):
        lr = finite_float("lr", lr, low=0.0, low_open=True)
    x_train, y_train, x_test, y_test = load_digits_split(test_fraction=test_fraction,
                                                         seed=seed)
    rng = np.random.default_rng(seed)
    initial = init_cnn(in_shape=x_train.shape[1:], n_filters=n_filters, p_keep=p_keep,
                       rng=rng)
    final, history = fit(initial, x_train, y_train, epochs=epochs, lr=lr, rng=rng,
                         optimizer=optimizer, batch_size=batch_size,
                         x_test=x_test, y_test=y_test, **hyper)
    return TrainingRun(initial, final, history)


def run_lr_schedule_experiment(*, epochs: int, drops_at: Sequence[int], factor: float,
                               lr0: float, sizes: Sequence[int], n: int, noise: float,
                               batch_size: int, optimizer: str | Callable[..., Any],
                               seed: int, **hyper: Any) -> dict[str, TrainingRun]:
    """The same run with a step learning-rate schedule and without.

    A ReLU MLP on noisy two moons (which no boundary separates, so the loss
    cannot reach 0), trained twice from the same weights with the same
    shuffling: once at the constant rate ``lr0``, once with the rate
    multiplied by ``factor`` at each epoch of ``drops_at``. At a large
    constant rate the mini-batch noise keeps the loss on a plateau above its
    minimum; each drop lowers that plateau.

    Parameters
    ----------
    epochs : int
    drops_at : tuple of int
        The epochs (counted from 0) at which the rate is multiplied by ``factor``.
    factor : float
    lr0 : float
        Initial (and constant) learning rate.
    sizes : tuple of int
        Layer sizes, He initialisation.
    n : int
        Points in the training and in the test set (each).
    noise : float
        Noise of the moons.
    batch_size : int
    optimizer : str or callable
        As for :func:`~dlcalc.training.fit`.
    seed : int
    **hyper
        Hyper-parameters of the optimizer.

    Returns
    -------
    dict
        ``{"step schedule": TrainingRun, "constant": TrainingRun}``; the
        history's ``train_loss`` is the loss curve.

    Examples
    --------
    >>> runs = run_lr_schedule_experiment(epochs=3, drops_at=(1,), factor=0.1, lr0=2.0,
    ...                                   sizes=(2, 4, 2), n=40, noise=0.3, batch_size=20,
    ...                                   optimizer="sgd", seed=0)
    >>> [float(lr) for lr in runs["step schedule"].history.lr]
    [2.0, 0.2, 0.2]
    >>> [float(lr) for lr in runs["constant"].history.lr]
    [2.0, 2.0, 2.0]
    """
    seed = nonneg_int("seed", seed)
    epochs = positive_int("epochs", epochs, high=10**5)
    data_rng = np.random.default_rng(seed)
    x_train, y_train = two_moons(n, noise=noise, rng=data_rng)
    x_test, y_test = two_moons(n, noise=noise, rng=data_rng)
    initial = init_mlp(sizes, rng=np.random.default_rng(seed + 1))
    rates: dict[str, Any] = {
        "step schedule": step_schedule(lr0, drops_at=drops_at, factor=factor),
        "constant": lr0}
    out = {}
    for label, lr in rates.items():
        final, history = fit(initial, x_train, y_train, epochs=epochs, lr=lr,
                             rng=np.random.default_rng(seed + 2), optimizer=optimizer,
                             batch_size=batch_size, x_test=x_test, y_test=y_test, **hyper)
        out[label] = TrainingRun(initial, final, history)
    return out


def gradient_norms_by_depth(*, depth: int, width: int, n: int, activations: Sequence[str],
                            weight_init: str, seed: int) -> dict[str, GradientNorms]:
    """Gradient norm per block of deep plain and residual stacks with the same weights.

    Parameters
    ----------
    depth : int
        Number of blocks.
    width : int
        Width of every block.
    n : int
        Batch of standard normal inputs.
    activations : sequence of str
        Among ``HIDDEN_ACTIVATIONS``, e.g. ``("sigmoid", "relu")``.
    weight_init : str
        Scheme of every weight matrix, e.g. ``"xavier"``.
    seed : int
        Every stack gets the same inputs, weights and loss.

    Returns
    -------
    dict
        ``"plain sigmoid"``, ``"residual sigmoid"``, ... ->
        :class:`~dlcalc.diagnostics.GradientNorms`, each array ordered from the input block to
        the output block.

    Examples
    --------
    >>> norms = gradient_norms_by_depth(depth=3, width=4, n=8, activations=("sigmoid", "relu"),
    ...                                 weight_init="xavier", seed=0)
    >>> sorted(norms)
    ['plain relu', 'plain sigmoid', 'residual relu', 'residual sigmoid']
    >>> norms["plain sigmoid"].weight.shape
    (3,)
    """
    seed = nonneg_int("seed", seed)
    n = positive_int("n", n, high=10**5)
    width = positive_int("width", width, high=10**3)
    depth = positive_int("depth", depth, high=10**3)
    if not isinstance(activations, (tuple, list)) or not activations or not all(
            isinstance(a, str) and a in HIDDEN_ACTIVATIONS for a in activations):
        raise ValueError(f"activations must be a non-empty sequence among "
                         f"{HIDDEN_ACTIVATIONS}, got {activations!r}"[:200])
    if not isinstance(weight_init, str) or weight_init not in WEIGHT_INITS:
        raise ValueError(f"weight_init must be one of {WEIGHT_INITS}, got {weight_init!r}")
    x = np.random.default_rng(seed).normal(size=(n, width))
    out = {}
    for activation in activations:
        for residual in (False, True):
            stack = init_deep_stack(depth, width, activation=activation, residual=residual,
                                    weight_init=weight_init,
                                    rng=np.random.default_rng(seed + 1))
            label = f"{'residual' if residual else 'plain'} {activation}"
            out[label] = layer_gradient_norms(stack, x, rng=np.random.default_rng(seed + 2))
    return out
