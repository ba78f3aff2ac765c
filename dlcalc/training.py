"""The training loop and learning-rate schedules.

:func:`fit` trains a model of :mod:`dlcalc.models` with any step function of
:mod:`dlcalc.optim` (one keyword picks it) and returns a new model and a
:class:`History`. Nothing is modified in place, and every random choice (shuffling,
dropout masks) comes from a ``numpy.random.Generator`` passed in, so a run repeated with
the same seed gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from numpy.typing import ArrayLike

from .models import CNN, MLP

import inspect
import time
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from . import optim
from ._checks import finite_float, nonneg_int, positive_int
from ._checks import generator as _generator
from .models import (_UNCHECKED, _checked, _inputs, _labels, _loss_and_grads,
                     _loss_and_grads_unchecked, _n_classes, _NotFinite, _stacked_activations,
                     evaluate)
from .models import init_mlp  # noqa: F401  (the examples use it)

__all__ = ["OPTIMIZERS", "StepSchedule", "step_schedule", "History", "fit"]

#: The step functions :func:`fit` accepts by name.
OPTIMIZERS: Mapping[str, Callable[..., Any]] = MappingProxyType({
    "sgd": optim.sgd_step,
    "momentum": optim.momentum_step,
    "nesterov": optim.nesterov_step,
    "adagrad": optim.adagrad_step,
    "rmsprop": optim.rmsprop_step,
    "adam": optim.adam_step,
})


class StepSchedule(NamedTuple):
    """Learning rate ``lr0 * factor**k`` after the k-th drop; see :func:`step_schedule`."""
    lr0: float
    drops_at: tuple
    factor: float

    def __call__(self, epoch: int) -> float:
        epoch = nonneg_int("epoch", epoch)
        return self.lr0 * self.factor ** sum(epoch >= d for d in self.drops_at)


def step_schedule(lr0: float, *, drops_at: Sequence[int], factor: float = 0.1) -> StepSchedule:
    """A step learning-rate schedule: multiply by ``factor`` at each epoch of ``drops_at``.

    Parameters
    ----------
    lr0 : float
        Learning rate of the first epochs, > 0.
    drops_at : sequence of int
        Epochs (counted from 0) from which the rate is multiplied once more.
    factor : float, optional
        Multiplier at each drop, in (0, 1] (default 0.1).

    Returns
    -------
    StepSchedule
        A callable ``epoch -> lr``, to pass as ``lr`` to :func:`fit`.

    Raises
    ------
    ValueError
        If ``lr0 <= 0``, ``factor`` is outside (0, 1] or an epoch is negative.

    Notes
    -----
    .. math:: \\eta_e = \\eta_0 \\, \\gamma^{\\#\\{d \\in D : e \\ge d\\}}

    Examples
    --------
    >>> s = step_schedule(0.1, drops_at=(25, 60), factor=0.1)
    >>> [round(s(e), 6) for e in (0, 24, 25, 59, 60, 99)]
    [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    """
    lr0 = finite_float("lr0", lr0, low=0.0, low_open=True)
    if not isinstance(drops_at, (tuple, list, range)):
        raise TypeError(f"drops_at must be a sequence of epochs (ints), got {drops_at!r}")
    drops = tuple(sorted(nonneg_int(f"drops_at[{i}]", d) for i, d in enumerate(drops_at)))
    factor = finite_float("factor", factor, low=0.0, low_open=True, high=1.0)
    if lr0 * factor ** len(drops) == 0.0:
        raise ValueError(f"lr0 * factor**{len(drops)} underflows to 0: lr0 = {lr0} or "
                         f"factor = {factor} too small")
    return StepSchedule(lr0, drops, factor)


class History(NamedTuple):
    """What :func:`fit` records.

    ``loss`` has one entry per iteration (the mini-batch loss before the
    update); the other arrays one entry per epoch. ``train_loss`` and
    ``train_accuracy`` average the epoch's mini-batches (in training mode,
    while the weights change); ``test_loss`` and ``test_accuracy`` evaluate
    the test set after the epoch in test mode (``None`` without a test set).
    ``epoch_time`` is wall-clock seconds, training and evaluation, the only
    entry that differs between two runs with the same seed.
    """
    loss: np.ndarray
    lr: np.ndarray
    train_loss: np.ndarray
    train_accuracy: np.ndarray
    test_loss: np.ndarray | None
    test_accuracy: np.ndarray | None
    epoch_time: np.ndarray


def _step_function(optimizer: Any) -> Callable[..., Any]:
    if callable(optimizer) and not isinstance(optimizer, type):
        return optimizer
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {tuple(OPTIMIZERS)} or a step function, "
                         f"got {optimizer!r}")
    return OPTIMIZERS[optimizer]


def _constant(lr0: float) -> Callable[[int], float]:
    return lambda epoch: lr0


def _rate(schedule: Callable[[int], float], epoch: int) -> float:
    try:
        rate = schedule(epoch)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"lr must be a number or a schedule epoch -> lr, got {schedule!r} "
                        f"(calling it with epoch {epoch} fails: {exc})") from exc
    return finite_float(f"lr (the schedule's value at epoch {epoch})", rate, low=0.0,
                        low_open=True)


def _step(step: Callable[..., Any], optimizer: Any, w: np.ndarray, grad: np.ndarray,
          state: Any, rate: float, hyper: dict[str, Any]) -> tuple[np.ndarray, Any]:
    """One optimizer step on one parameter array, its failures named."""
    try:
        w_next, state_next = step(w, grad, state, lr=rate, **hyper)
    except ValueError as exc:
        raise ValueError(f"training diverges: {exc} (lr, x or the model's parameters too "
                         f"large for optimizer {optimizer!r}?)"[:500]) from exc
    except TypeError as exc:
        raise TypeError(f"optimizer {optimizer!r} fails with the hyper-parameters "
                        f"{sorted(hyper)}: {exc}"[:500]) from exc
    if not isinstance(w_next, np.ndarray) or w_next.shape != w.shape:
        raise TypeError(f"optimizer must return (w_next, state) with w_next of shape "
                        f"{w.shape}, got {w_next!r}"[:300])
    if not np.all(np.isfinite(w_next)):
        raise ValueError(f"training diverges: the parameters are not finite (lr, x or the "
                         f"model's parameters too large for optimizer {optimizer!r})")
    return w_next, state_next


def _checked_iteration(model: MLP | CNN, step: Callable[..., Any], optimizer: Any,
                       params: dict[str, np.ndarray], states: dict[str, Any], x: np.ndarray,
                       y: np.ndarray, rng: np.random.Generator, rate: float,
                       hyper: dict[str, Any]) -> tuple[float, np.ndarray]:
    """One iteration on the public, checked functions: ``params`` and ``states`` are
    updated; return the batch's loss and logits."""
    lookahead = getattr(step, "gradient_at", None)   # see dlcalc.optim.gradient_point
    at = params if lookahead is None else {
        k: optim.gradient_point(step, params[k], states[k], lr=rate, **hyper) for k in params}
    loss, grads, logits = _loss_and_grads(model._replace(params=at), x, y, True, rng)
    for k in params:
        params[k], states[k] = _step(step, optimizer, params[k], grads[k], states[k], rate,
                                     hyper)
    return loss, logits


class _Flat(NamedTuple):
    """Every parameter in one vector, and the optimizer's state of that vector, so that
    one call of the step's kernel updates them all (the steps are elementwise); with the
    kernels of the step and its hyper-parameters."""
    w: np.ndarray
    state: Any            # the optimizer's state (a NamedTuple of vectors), or None
    kernel: Callable[..., Any]            # see dlcalc.optim._KERNELS
    point: Callable[..., Any] | None
    settings: dict[str, float]            # see _kernel_settings


def _layout(params: Mapping[str, np.ndarray]) -> tuple[tuple[str, int, int, tuple], ...]:
    """(name, start, stop, shape) of each parameter in the vector of :class:`_Flat`."""
    out, start = [], 0
    for name, value in params.items():
        out.append((name, start, start + value.size, value.shape))
        start += value.size
    return tuple(out)


def _join(arrays: Mapping[str, np.ndarray], layout: tuple) -> np.ndarray:
    return np.concatenate([arrays[name].ravel() for name, *_ in layout])


def _split(vector: np.ndarray, layout: tuple) -> dict[str, np.ndarray]:
    return {name: vector[start:stop].reshape(shape) for name, start, stop, shape in layout}


def _flat(params: Mapping[str, np.ndarray], states: Mapping[str, Any], layout: tuple,
          kernels: tuple[Callable[..., Any], Callable[..., Any] | None],
          settings: dict[str, float]) -> _Flat:
    """The parameters and their states (all of one optimizer, all stepped together: the
    same type, the same step count) as a :class:`_Flat`."""
    first = states[layout[0][0]]
    state = None
    if first is not None:
        state = type(first)(*(_join({k: s[i] for k, s in states.items()}, layout)
                              if isinstance(field, np.ndarray) else field
                              for i, field in enumerate(first)))
    return _Flat(_join(params, layout), state, *kernels, settings)


def _unflat(flat: _Flat, layout: tuple) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The parameters and states of a :class:`_Flat`, by name (views of its vectors)."""
    params = _split(flat.w, layout)
    if flat.state is None:
        return params, dict.fromkeys(params)
    fields = [_split(f, layout) if isinstance(f, np.ndarray) else dict.fromkeys(params, f)
              for f in flat.state]
    return params, {k: type(flat.state)(*(f[k] for f in fields)) for k in params}


def _kernel_settings(step: Callable[..., Any], hyper: dict[str, Any]) -> dict[str, float]:
    """The hyper-parameters of a built-in step function as its kernel takes them: every
    keyword but ``lr``, defaults filled in, converted to float as the step converts
    them (call only after a step with ``hyper`` has passed its checks)."""
    defaults = {name: p.default for name, p in inspect.signature(step).parameters.items()
                if p.kind is p.KEYWORD_ONLY and name != "lr"}
    return {name: float(value) for name, value in {**defaults, **hyper}.items()}


def _unchecked_iteration(model: MLP | CNN, flat: _Flat, layout: tuple, x: np.ndarray,
                         y: np.ndarray, rng: np.random.Generator, rate: float
                         ) -> tuple[float, np.ndarray, _Flat] | None:
    """One iteration on the kernels of :mod:`dlcalc.layers` and :mod:`dlcalc.optim`, with
    no checks but of the values that can stop being finite: the batch's loss, logits and
    the next :class:`_Flat`, or None where :func:`_checked_iteration` would raise."""
    state = () if flat.state is None else flat.state
    at = flat.w if flat.point is None else flat.point(flat.w, *state, **flat.settings)
    with np.errstate(all="ignore"):
        try:
            loss, grads, logits = _loss_and_grads_unchecked(
                model._replace(params=_split(at, layout)), x, y, rng)
        except _NotFinite:
            return None
        w, state = flat.kernel(flat.w, _join(grads, layout), *state, lr=rate, **flat.settings)
    if not optim._is_finite(w, state):
        return None
    return float(loss), logits, flat._replace(w=w, state=state)


def _fit_together(models: Sequence[MLP], x: np.ndarray, y: np.ndarray, *, epochs: int,
                  lr: float, seed: int) -> list[tuple[MLP, History]] | None:
    """What ``[fit(m, x, y, epochs=epochs, lr=lr, rng=np.random.default_rng(seed)) for m
    in models]`` returns, for MLPs of the same sizes (any activations) trained by
    full-batch gradient descent (every argument checked by the caller), computed for all
    of them at once: every array gains a leading axis, one entry per network, and the
    kernels of :func:`fit` compute each network's numbers as for it alone.
    ``epoch_time`` is the time of the epoch of all the networks. None where a value is
    not finite (``fit``, run on each network, raises the error that names it)."""
    count, n = len(models), x.shape[0]
    layout = _layout(models[0].params)
    w = np.concatenate([np.stack([m.params[k] for m in models]).reshape(count, -1)
                        for k, *_ in layout], axis=1)
    shapes = {k: (count,) + (1,) * (2 - len(shape)) + shape for k, _, _, shape in layout}
    stack = models[0]._replace(activation="stack")
    layers = _UNCHECKED._replace(activation={"stack": _stacked_activations(
        [m.activation for m in models])})
    rate = finite_float("lr", lr, low=0.0, low_open=True)
    rng = np.random.default_rng(seed)      # never drawn from: full batch, no dropout
    losses, train_loss, train_acc, times = [], [], [], []
    for _ in range(epochs):
        start = time.perf_counter()
        params = {k: w[:, a:b].reshape(shapes[k]) for k, a, b, _ in layout}
        with np.errstate(all="ignore"):
            try:
                loss, grads, logits = _loss_and_grads_unchecked(
                    stack._replace(params=params), x, y, rng, layers)
            except _NotFinite:
                return None
            w, _ = optim._sgd(w, np.concatenate([grads[k].reshape(count, -1)
                                                 for k, *_ in layout], axis=1), lr=rate)
        if not np.isfinite(w).all():
            return None
        losses.append(loss)
        with np.errstate(over="ignore"):     # as fit's Python floats: inf, no warning
            train_loss.append((0.0 + loss * n) / n)
        train_acc.append((0.0 + np.count_nonzero(np.argmax(logits, axis=-1) == y, axis=-1))
                         / n)
        times.append(time.perf_counter() - start)
    table = {"loss": np.array(losses), "train_loss": np.array(train_loss),
             "train_accuracy": np.array(train_acc)}      # (epochs, networks) each
    return [(model._replace(params=_split(w[i], layout)), History(
        loss=table["loss"][:, i].copy(), lr=np.full(epochs, rate),
        train_loss=table["train_loss"][:, i].copy(),
        train_accuracy=table["train_accuracy"][:, i].copy(), test_loss=None,
        test_accuracy=None, epoch_time=np.array(times))) for i, model in enumerate(models)]


def fit(model: MLP | CNN, x: ArrayLike, y: ArrayLike, *, epochs: int,
        lr: float | Callable[[int], float], rng: np.random.Generator,
        optimizer: str | Callable[..., Any] = "sgd", batch_size: int | None = None,
        x_test: ArrayLike | None = None, y_test: ArrayLike | None = None,
        **hyper: Any) -> tuple[MLP | CNN, History]:
    """Train a model with mini-batch gradient descent; return it and its history.

    Parameters
    ----------
    model : MLP or CNN
        The initial model (not modified).
    x : array_like, shape (N, D) or (N, C, H, W)
    y : array_like of int, shape (N,)
    epochs : int
        Passes over the training set. With ``batch_size=None`` an epoch is a
        single full-batch iteration, so ``epochs=4000`` is 4000 iterations.
    lr : float or callable
        Learning rate, or a schedule ``epoch -> lr`` such as
        :func:`step_schedule` (epochs counted from 0).
    rng : numpy.random.Generator
        Shuffles the examples every epoch and draws the dropout masks.
    optimizer : str or callable, optional
        A name among :data:`OPTIMIZERS` (default ``"sgd"``) or any step
        function ``(w, grad, state, *, lr, **hyper) -> (w_next, state_next)``.
    batch_size : int, optional
        Examples per iteration; ``None`` (default) means the whole set. The
        last batch of an epoch may be smaller.
    x_test, y_test : array_like, optional
        A test set, evaluated after every epoch; give both or neither.
    **hyper
        Hyper-parameters of the step function, e.g. ``rho=0.9`` or
        ``beta1=0.9``.

    Returns
    -------
    model : MLP or CNN
        The trained model, of the same type.
    history : History

    Raises
    ------
    ValueError, TypeError
        If the shapes of ``x``, ``y``, ``x_test``, ``y_test`` do not match,
        ``epochs`` or ``batch_size`` is not a positive int, the optimizer is
        unknown or ``rng`` is not a Generator.

    Notes
    -----
    Each iteration takes a batch :math:`B` of the shuffled examples and
    every parameter array :math:`\\theta` takes one step of the optimizer
    with :math:`g = \\nabla_\\theta L_B`. Every parameter keeps its own
    optimizer state. For an optimizer that evaluates the gradient elsewhere
    (Nesterov's look-ahead), the gradient is taken at
    :func:`dlcalc.optim.gradient_point`.

    Examples
    --------
    One full-batch SGD step from zero weights on one example of class 1:
    :math:`\\partial L/\\partial b = (1/2, -1/2)`, so with ``lr=1`` the bias
    becomes :math:`(-1/2, 1/2)`.

    >>> m = init_mlp((1, 2), weight_init="zeros", rng=np.random.default_rng(0))
    >>> m2, h = fit(m, [[0.0]], [1], epochs=1, lr=1.0, rng=np.random.default_rng(0))
    >>> m2.params["b1"], round(float(h.loss[0]), 6)
    (array([-0.5,  0.5]), 0.693147)
    """
    model = _checked(model)
    x = _inputs(model, x)
    n = x.shape[0]
    if n == 0:
        raise ValueError(f"x must hold at least one example, got shape {x.shape}")
    y = _labels("y", y, n, _n_classes(model))
    epochs = positive_int("epochs", epochs, high=10**7)
    batch = n if batch_size is None else min(positive_int("batch_size", batch_size), n)
    if callable(lr) and not isinstance(lr, type):
        schedule = lr
    else:
        lr0 = finite_float("lr", lr, low=0.0, low_open=True)
        schedule = _constant(lr0)
    rng = _generator(rng)
    step = _step_function(optimizer)
    if (x_test is None) != (y_test is None):
        raise ValueError("x_test and y_test must be given together, got only one")
    if x_test is not None:
        x_test = _inputs(model, x_test, "x_test")
        y_test = _labels("y_test", y_test if y_test is not None else [], x_test.shape[0],
                         _n_classes(model))

    # The first iteration runs on the public, checked functions: they check the
    # hyper-parameters and make the optimizer's state. For a built-in optimizer the
    # others run on the same arithmetic without the checks (the arguments are known
    # good), testing only the values that can stop being finite; where one does, the
    # iteration runs again, checked, from the same state, and raises the error that
    # names the cause.
    kernels = next((v for k, v in optim._KERNELS.items() if k is step), None)
    params: dict[str, np.ndarray] = dict(model.params)
    states: dict[str, Any] = dict.fromkeys(params)
    layout = _layout(params)
    flat: _Flat | None = None          # params and states, while the kernels run
    losses, rates, times = [], [], []
    train_loss, train_acc, test_loss, test_acc = [], [], [], []
    for epoch in range(epochs):
        start = time.perf_counter()
        rate = _rate(schedule, epoch)
        # full batch: no shuffling and no copy; otherwise a fresh permutation per epoch
        order = rng.permutation(n) if batch < n else None
        loss_sum = correct = 0.0
        for first in range(0, n, batch):
            idx = slice(None) if order is None else order[first:first + batch]
            xb, yb = x[idx], y[idx]
            done = None
            if flat is not None:
                drawn = rng.bit_generator.state
                done = _unchecked_iteration(model, flat, layout, xb, yb, rng, rate)
                if done is None:          # run it again, checked: the same dropout masks
                    rng.bit_generator.state = drawn
                    params, states = _unflat(flat, layout)
            if done is None:
                loss, logits = _checked_iteration(model, step, optimizer, params, states,
                                                  xb, yb, rng, rate, hyper)
                if kernels is not None:
                    flat = _flat(params, states, layout, kernels, _kernel_settings(step, hyper))
            else:
                loss, logits, flat = done
            losses.append(loss)
            loss_sum += loss * logits.shape[0]
            correct += np.count_nonzero(np.argmax(logits, axis=1) == yb)
        train_loss.append(loss_sum / n)
        train_acc.append(correct / n)
        if x_test is not None and y_test is not None:
            trained = model._replace(params=params if flat is None else _split(flat.w, layout))
            loss, acc = evaluate(trained, x_test, y_test)
            test_loss.append(loss)
            test_acc.append(acc)
        rates.append(rate)
        times.append(time.perf_counter() - start)
    history = History(
        loss=np.array(losses), lr=np.array(rates, dtype=np.float64),
        train_loss=np.array(train_loss), train_accuracy=np.array(train_acc),
        test_loss=np.array(test_loss) if x_test is not None else None,
        test_accuracy=np.array(test_acc) if x_test is not None else None,
        epoch_time=np.array(times))
    return model._replace(params=params if flat is None else _split(flat.w, layout)), history
