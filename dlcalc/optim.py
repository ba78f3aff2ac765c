"""First-order optimizers, one step at a time, and the quantities questions ask about.

Every optimizer has the same signature::

    name_step(w, grad, state, *, lr, <hyper-parameters>) -> (w_next, state_next)

``w`` and ``grad`` are arrays of one shape (any shape), ``state`` is ``None`` on
the first step and afterwards the value the previous step returned (a small
``NamedTuple``; ``None`` for plain SGD, which has no state). Nothing is modified
in place. ``trajectory`` runs any of them on a gradient function, so a page can
swap one optimizer for another in a single word.

Where the gradient is evaluated
-------------------------------
Every step function takes the gradient at ``w`` except ``nesterov_step``, which
takes it at the look-ahead point ``w + rho * v``. A step function that needs
the gradient somewhere else than ``w`` carries an attribute ``gradient_at``, a
function ``(w, state, **hyper) -> point``; ``gradient_point(step, w, state,
**hyper)`` returns that point for any step function (``w`` when there is no
such attribute), and ``trajectory`` always evaluates ``grad_fn`` there.
"""

from __future__ import annotations

from numpy.typing import ArrayLike

from typing import Any, NamedTuple
from collections.abc import Callable

import numpy as np

from ._checks import (array_size, finite_float, float_array, function, int_array,
                      nonneg_int, positive_int)

__all__ = [
    "MomentumState", "AdaGradState", "RMSPropState", "AdamState",
    "sgd_step", "momentum_step", "nesterov_step", "nesterov_step_reformulated",
    "adagrad_step", "rmsprop_step", "adam_step",
    "gradient_point", "trajectory",
    "adagrad_effective_lr", "adam_gradient_weights", "bias_correction",
]


class MomentumState(NamedTuple):
    """State of momentum and Nesterov: the velocity ``v``, shape of ``w``."""

    velocity: np.ndarray


class AdaGradState(NamedTuple):
    """State of AdaGrad: the running sum of squared gradients ``G``."""

    sum_sq: np.ndarray


class RMSPropState(NamedTuple):
    """State of RMSProp: the moving average of squared gradients ``E[g^2]``."""

    mean_sq: np.ndarray


class AdamState(NamedTuple):
    """State of Adam: first moment ``m``, second moment ``v``, steps taken ``t``."""

    m: np.ndarray
    v: np.ndarray
    t: int


# ---- input checks shared by the step functions --------------------------------------

def _w_grad(w: Any, grad: Any) -> tuple[np.ndarray, np.ndarray]:
    w = float_array("w", w)
    grad = float_array("grad", grad)
    if grad.shape != w.shape:
        raise ValueError(f"grad must have the shape of w {w.shape}, got shape {grad.shape}")
    return w, grad


def _lr(lr: Any) -> float:
    return finite_float("lr", lr, low=0.0, low_open=True)


def _unit(name: str, value: Any) -> float:
    """A decay factor in [0, 1): rho, beta1, beta2, decay_rate."""
    return finite_float(name, value, low=0.0, high=1.0, high_open=True)


def _eps(eps: Any) -> float:
    return finite_float("eps", eps, low=0.0, low_open=True)


#: The fields of the optimizer states that hold second moments (never negative).
_SECOND_MOMENTS = ("sum_sq", "mean_sq", "v")


def _state_arrays(state: Any, cls: type, shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """The arrays of ``state``, checked: a ``cls`` whose arrays are finite, have the shape
    of ``w`` and, for second moments, are non-negative; raise otherwise."""
    if not isinstance(state, cls):
        raise TypeError(f"state must be None or a {cls.__name__}, got "
                        f"{type(state).__name__} {state!r}"[:300])
    arrays = []
    fields: tuple[str, ...] = state._fields  # type: ignore[attr-defined]  # a cls instance
    for field in (f for f in fields if f != "t"):       # Adam's step count t is no array
        value = float_array(f"state.{field}", getattr(state, field))
        if value.shape != shape:
            raise ValueError(f"state.{field} must have the shape of w {shape}, "
                             f"got shape {value.shape}")
        if field in _SECOND_MOMENTS and np.any(value < 0):
            raise ValueError(f"state.{field} must be non-negative (a running sum or mean "
                             f"of squared gradients), got {value!r}")
        arrays.append(value)
    return tuple(arrays)


def _is_finite(w: np.ndarray, state: Any) -> bool:
    """Whether a step's result (``w`` and every field of ``state``) is finite."""
    parts = [w] + ([] if state is None else list(state))   # Adam's int t is always finite
    return all(np.isfinite(p).all() for p in parts)


def _finite_step(w: np.ndarray, state: Any) -> tuple[np.ndarray, Any]:
    """Return the step's result, or raise if it overflowed the float range."""
    if not _is_finite(w, state):
        raise ValueError("the step is not finite (it overflows the float range): lr, w, "
                         "grad or state too large in magnitude")
    return w, state


# ---- the arithmetic of each step, without checks ----------------------------------------
# Each public step function checks its arguments and calls one of these; the training
# loop (dlcalc.training.fit) calls them directly once its first, checked step has shown
# the arguments valid. ``state_fields`` are the fields of the state (zeros on a first
# step: 0.0, or 0 for Adam's step count).

def _sgd(w: np.ndarray, grad: np.ndarray, *, lr: float) -> tuple[np.ndarray, None]:
    return w - lr * grad, None


def _momentum(w: np.ndarray, grad: np.ndarray, velocity: Any, *, lr: float, rho: float
              ) -> tuple[np.ndarray, MomentumState]:
    v = rho * velocity - lr * grad
    return w + v, MomentumState(v)


def _adagrad(w: np.ndarray, grad: np.ndarray, sum_sq: np.ndarray, *, lr: float, eps: float
             ) -> tuple[np.ndarray, AdaGradState]:
    total = sum_sq + grad**2
    return w - lr * grad / (np.sqrt(total) + eps), AdaGradState(total)


def _rmsprop(w: np.ndarray, grad: np.ndarray, mean_sq: Any, *, lr: float, decay_rate: float,
             eps: float) -> tuple[np.ndarray, RMSPropState]:
    mean_sq = decay_rate * mean_sq + (1.0 - decay_rate) * grad**2
    return w - lr * grad / (np.sqrt(mean_sq) + eps), RMSPropState(mean_sq)


def _adam(w: np.ndarray, grad: np.ndarray, m: Any, v: Any, t: int, *, lr: float,
          beta1: float, beta2: float, eps: float) -> tuple[np.ndarray, AdamState]:
    t += 1
    m = beta1 * m + (1.0 - beta1) * grad
    v = beta2 * v + (1.0 - beta2) * grad**2
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), AdamState(m, v, t)


# ---- the optimizers ---------------------------------------------------------------------

def sgd_step(w: ArrayLike, grad: ArrayLike, state: None = None, *, lr: float
             ) -> tuple[np.ndarray, None]:
    r"""One step of (stochastic) gradient descent.

    Parameters
    ----------
    w : array_like, any shape
        Current parameters.
    grad : array_like, shape of `w`
        Gradient of the loss at `w`.
    state : None
        SGD has no state; pass None.
    lr : float
        Learning rate :math:`\eta > 0` (no default).

    Returns
    -------
    w_next : ndarray, shape of `w`
    state_next : None

    Raises
    ------
    ValueError
        If `grad` and `w` differ in shape, a value is not finite or `lr <= 0`.

    Notes
    -----
    .. math:: w_{t+1} = w_t - \eta\, g_t

    Examples
    --------
    >>> w, s = sgd_step([1.0, -2.0], [0.5, 1.0], None, lr=0.1)
    >>> w.tolist(), s
    ([0.95, -2.1], None)
    """
    w, grad = _w_grad(w, grad)
    lr = _lr(lr)
    if state is not None:
        raise TypeError(f"state must be None for sgd_step, got {state!r}")
    with np.errstate(over="ignore"):      # w - lr g: an overflow, never a NaN
        return _finite_step(*_sgd(w, grad, lr=lr))


def momentum_step(w: ArrayLike, grad: ArrayLike, state: MomentumState | None = None, *,
                  lr: float, rho: float = 0.9) -> tuple[np.ndarray, MomentumState]:
    r"""One step of gradient descent with (heavy-ball) momentum.

    Parameters
    ----------
    w : array_like, any shape
        Current parameters.
    grad : array_like, shape of `w`
        Gradient of the loss at `w`.
    state : MomentumState or None
        Velocity from the previous step; None on the first step (:math:`v_0 = 0`).
    lr : float
        Learning rate :math:`\eta > 0` (no default).
    rho : float, default 0.9
        Momentum coefficient :math:`\rho \in [0, 1)`.

    Returns
    -------
    w_next : ndarray, shape of `w`
    state_next : MomentumState

    Raises
    ------
    ValueError
        If `grad` and `w` differ in shape, a value is not finite, `lr <= 0` or
        `rho` is outside [0, 1).
    TypeError
        If `state` is neither None nor a MomentumState.

    Notes
    -----
    The velocity holds the step itself (CS231n, Sutskever et al.):

    .. math::
        v_{t+1} = \rho v_t - \eta g_t, \qquad w_{t+1} = w_t + v_{t+1}.

    PyTorch's ``SGD(momentum=mu)`` keeps :math:`b_{t+1} = \mu b_t + g_t` and steps
    :math:`w_{t+1} = w_t - \eta b_{t+1}`; for a constant :math:`\eta`,
    :math:`v_t = -\eta b_t`, so the iterates are the same.

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration
    methods", USSR Comp. Math. and Math. Physics 4(5), 1964.

    Examples
    --------
    >>> w, s = momentum_step([1.0], [2.0], None, lr=0.1, rho=0.5)   # v = -0.2
    >>> w, s = momentum_step(w, [2.0], s, lr=0.1, rho=0.5)          # v = -0.1 - 0.2
    >>> w.tolist(), s.velocity.tolist()
    ([0.5], [-0.30000000000000004])
    """
    w, grad = _w_grad(w, grad)
    lr, rho = _lr(lr), _unit("rho", rho)
    v: Any = 0.0 if state is None else _velocity(state, w.shape)   # v_0 = 0
    with np.errstate(over="ignore"):      # |rho v| stays finite: an overflow, never a NaN
        return _finite_step(*_momentum(w, grad, v, lr=lr, rho=rho))


def _velocity(state: Any, shape: tuple[int, ...]) -> np.ndarray:
    return _state_arrays(state, MomentumState, shape)[0]


def nesterov_step(w: ArrayLike, grad: ArrayLike, state: MomentumState | None = None, *,
                  lr: float, rho: float = 0.9) -> tuple[np.ndarray, MomentumState]:
    r"""One step of Nesterov accelerated gradient, in the look-ahead form.

    Parameters
    ----------
    w : array_like, any shape
        Current parameters.
    grad : array_like, shape of `w`
        Gradient of the loss at the look-ahead point :math:`w + \rho v`, NOT at
        `w`; ``gradient_point(nesterov_step, w, state, rho=rho)`` gives that
        point, and ``trajectory`` evaluates the gradient there.
    state : MomentumState or None
        Velocity from the previous step; None on the first step (:math:`v_0 = 0`,
        so the first look-ahead point is `w` itself).
    lr : float
        Learning rate :math:`\eta > 0` (no default).
    rho : float, default 0.9
        Momentum coefficient :math:`\rho \in [0, 1)`.

    Returns
    -------
    w_next : ndarray, shape of `w`
    state_next : MomentumState

    Raises
    ------
    ValueError
        If `grad` and `w` differ in shape, a value is not finite, `lr <= 0` or
        `rho` is outside [0, 1).
    TypeError
        If `state` is neither None nor a MomentumState.

    Notes
    -----
    .. math::
        \tilde w_t = w_t + \rho v_t, \qquad
        v_{t+1} = \rho v_t - \eta \nabla L(\tilde w_t), \qquad
        w_{t+1} = w_t + v_{t+1}.

    The function carries the attribute ``gradient_at`` that returns
    :math:`\tilde w_t`. See ``nesterov_step_reformulated`` for the same method
    written in the variable :math:`\tilde w` (the form PyTorch implements).

    References
    ----------
    Y. Nesterov, "A method of solving a convex programming problem with convergence
    rate O(1/k^2)", Soviet Math. Doklady 27, 1983.
    I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of
    initialization and momentum in deep learning", ICML 2013.

    Examples
    --------
    On :math:`L = w^2` (gradient :math:`2w`) from :math:`w = 1`, lr 0.1, rho 0.5:
    step 1 looks ahead at 1, v = -0.2, w = 0.8; step 2 looks ahead at
    0.8 + 0.5(-0.2) = 0.7, v = -0.1 - 0.14 = -0.24, w = 0.56.

    >>> w, s = nesterov_step([1.0], [2.0], None, lr=0.1, rho=0.5)
    >>> gradient_point(nesterov_step, w, s, lr=0.1, rho=0.5).tolist()
    [0.7000000000000001]
    >>> w, s = nesterov_step(w, [1.4], s, lr=0.1, rho=0.5)
    >>> round(float(w[0]), 12), round(float(s.velocity[0]), 12)
    (0.56, -0.24)
    """
    # Given the gradient, the update is momentum's; only the point where the
    # gradient was taken differs.
    return momentum_step(w, grad, state, lr=lr, rho=rho)


def _nesterov_lookahead(w: ArrayLike, state: MomentumState | None, *, rho: float = 0.9,
                        **_ignored: Any) -> np.ndarray:
    w = float_array("w", w)
    rho = _unit("rho", rho)
    if state is None:
        return w
    with np.errstate(over="ignore"):
        return _finite_step(_lookahead(w, _velocity(state, w.shape), rho=rho), None)[0]


def _lookahead(w: np.ndarray, velocity: np.ndarray, *, rho: float) -> np.ndarray:
    """Nesterov's look-ahead point w + rho v (the arithmetic of ``gradient_at``)."""
    return w + rho * velocity


nesterov_step.gradient_at = _nesterov_lookahead  # type: ignore[attr-defined]


def nesterov_step_reformulated(w: ArrayLike, grad: ArrayLike,
                               state: MomentumState | None = None, *, lr: float,
                               rho: float = 0.9) -> tuple[np.ndarray, MomentumState]:
    r"""One step of Nesterov accelerated gradient in the look-ahead variable.

    The same method as ``nesterov_step``, rewritten in the variable
    :math:`\phi = w + \rho v` (Sutskever 2013; Bengio et al. 2013; CS231n), so
    the gradient is taken at the parameter the step holds, like every other
    optimizer. Started from the same point with :math:`v_0 = 0`, its iterates are
    the look-ahead points :math:`w_t + \rho v_t` of ``nesterov_step``.

    Parameters
    ----------
    w : array_like, any shape
        Current parameters :math:`\phi_t`.
    grad : array_like, shape of `w`
        Gradient of the loss at `w` (:math:`\phi_t`).
    state : MomentumState or None
        Velocity from the previous step; None on the first step (:math:`v_0 = 0`).
    lr : float
        Learning rate :math:`\eta > 0` (no default).
    rho : float, default 0.9
        Momentum coefficient :math:`\rho \in [0, 1)`.

    Returns
    -------
    w_next : ndarray, shape of `w`
    state_next : MomentumState

    Raises
    ------
    ValueError
        If `grad` and `w` differ in shape, a value is not finite, `lr <= 0` or
        `rho` is outside [0, 1).
    TypeError
        If `state` is neither None nor a MomentumState.

    Notes
    -----
    .. math::
        v_{t+1} = \rho v_t - \eta \nabla L(\phi_t), \qquad
        \phi_{t+1} = \phi_t - \rho v_t + (1 + \rho) v_{t+1}.

    Substituting :math:`\phi_t = w_t + \rho v_t` into ``nesterov_step`` gives
    this update. PyTorch's ``SGD(momentum=mu, nesterov=True)``, with
    :math:`b_{t+1} = \mu b_t + g_t` and :math:`\phi_{t+1} = \phi_t - \eta (g_t +
    \mu b_{t+1})`, is this update with :math:`v_t = -\eta b_t` (constant
    :math:`\eta`).

    References
    ----------
    Y. Bengio, N. Boulanger-Lewandowski, R. Pascanu, "Advances in optimizing
    recurrent networks", ICASSP 2013.

    Examples
    --------
    The example of ``nesterov_step``: the look-ahead points there were 1, 0.7.

    >>> phi, s = nesterov_step_reformulated([1.0], [2.0], None, lr=0.1, rho=0.5)
    >>> phi.tolist()    # 1 - 0 + 1.5 (-0.2)
    [0.7]
    """
    w, grad = _w_grad(w, grad)
    lr, rho = _lr(lr), _unit("rho", rho)
    v: Any = 0.0 if state is None else _velocity(state, w.shape)   # v_0 = 0
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_step(*_nesterov_reformulated(w, grad, v, lr=lr, rho=rho))


def _nesterov_reformulated(w: np.ndarray, grad: np.ndarray, velocity: Any, *, lr: float,
                           rho: float) -> tuple[np.ndarray, MomentumState]:
    v_next = rho * velocity - lr * grad
    return w - rho * velocity + (1.0 + rho) * v_next, MomentumState(v_next)


def adagrad_step(w: ArrayLike, grad: ArrayLike, state: AdaGradState | None = None, *,
                 lr: float, eps: float = 1e-8) -> tuple[np.ndarray, AdaGradState]:
    r"""One step of AdaGrad.

    Parameters
    ----------
    w : array_like, any shape
        Current parameters.
    grad : array_like, shape of `w`
        Gradient of the loss at `w`.
    state : AdaGradState or None
        Sum of the squared gradients so far; None on the first step (zero).
    lr : float
        Learning rate :math:`\eta > 0` (no default).
    eps : float, default 1e-8
        Added after the square root, :math:`\epsilon > 0`.

    Returns
    -------
    w_next : ndarray, shape of `w`
    state_next : AdaGradState

    Raises
    ------
    ValueError
        If `grad` and `w` differ in shape, a value is not finite, `lr <= 0` or
        `eps <= 0`.
    TypeError
        If `state` is neither None nor an AdaGradState.

    Notes
    -----
    Elementwise, with the current gradient included in the sum:

    .. math::
        G_t = G_{t-1} + g_t^2, \qquad
        w_{t+1} = w_t - \frac{\eta}{\sqrt{G_t} + \epsilon}\, g_t.

    References
    ----------
    J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12, 2011.

    Examples
    --------
    Gradients 3 then 4: G = 9 then 25, steps 3/3 and 4/5 (times lr, eps aside).

    >>> w, s = adagrad_step([0.0], [3.0], None, lr=1.0)
    >>> w, s = adagrad_step(w, [4.0], s, lr=1.0)
    >>> round(float(w[0]), 6), s.sum_sq.tolist()
    (-1.8, [25.0])
    """
    w, grad = _w_grad(w, grad)
    lr, eps = _lr(lr), _eps(eps)
    if state is None:
        total = np.zeros_like(w)
    else:
        total, = _state_arrays(state, AdaGradState, w.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_step(*_adagrad(w, grad, total, lr=lr, eps=eps))


def rmsprop_step(w: ArrayLike, grad: ArrayLike, state: RMSPropState | None = None, *,
                 lr: float, decay_rate: float = 0.99, eps: float = 1e-8
                 ) -> tuple[np.ndarray, RMSPropState]:
    r"""One step of RMSProp.

    Parameters
    ----------
    w : array_like, any shape
        Current parameters.
    grad : array_like, shape of `w`
        Gradient of the loss at `w`.
    state : RMSPropState or None
        Moving average of the squared gradients; None on the first step (zero).
    lr : float
        Learning rate :math:`\eta > 0` (no default).
    decay_rate : float, default 0.99
        Decay of the moving average, :math:`\gamma \in [0, 1)` (CS231n's name;
        PyTorch's ``alpha``, Hinton's lecture uses 0.9).
    eps : float, default 1e-8
        Added after the square root, :math:`\epsilon > 0`.

    Returns
    -------
    w_next : ndarray, shape of `w`
    state_next : RMSPropState

    Raises
    ------
    ValueError
        If `grad` and `w` differ in shape, a value is not finite, `lr <= 0`,
        `eps <= 0` or `decay_rate` is outside [0, 1).
    TypeError
        If `state` is neither None nor an RMSPropState.

    Notes
    -----
    .. math::
        E_t = \gamma E_{t-1} + (1 - \gamma) g_t^2, \qquad
        w_{t+1} = w_t - \frac{\eta}{\sqrt{E_t} + \epsilon}\, g_t.

    No bias correction (unlike Adam), so the first steps are larger than
    :math:`\eta`.

    References
    ----------
    T. Tieleman, G. Hinton, Lecture 6.5 "rmsprop", COURSERA: Neural Networks for
    Machine Learning, 2012.

    Examples
    --------
    decay_rate 0.75 and gradient 2: E = 0.25 * 4 = 1, step lr * 2 / 1.

    >>> w, s = rmsprop_step([0.0], [2.0], None, lr=0.5, decay_rate=0.75)
    >>> round(float(w[0]), 6), s.mean_sq.tolist()
    (-1.0, [1.0])
    """
    w, grad = _w_grad(w, grad)
    lr, decay_rate, eps = _lr(lr), _unit("decay_rate", decay_rate), _eps(eps)
    if state is None:
        mean_sq: Any = 0.0                                # E[g^2]_0 = 0
    else:
        mean_sq, = _state_arrays(state, RMSPropState, w.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_step(*_rmsprop(w, grad, mean_sq, lr=lr, decay_rate=decay_rate,
                                      eps=eps))


def adam_step(w: ArrayLike, grad: ArrayLike, state: AdamState | None = None, *, lr: float,
              beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
              ) -> tuple[np.ndarray, AdamState]:
    r"""One step of Adam, with bias correction.

    Parameters
    ----------
    w : array_like, any shape
        Current parameters.
    grad : array_like, shape of `w`
        Gradient of the loss at `w`.
    state : AdamState or None
        Moments and step count; None on the first step (:math:`m_0 = v_0 = 0`,
        :math:`t = 0`).
    lr : float
        Learning rate :math:`\alpha > 0` (no default; the paper suggests 0.001).
    beta1 : float, default 0.9
        Decay of the first moment, in [0, 1).
    beta2 : float, default 0.999
        Decay of the second moment, in [0, 1).
    eps : float, default 1e-8
        Added after the square root, :math:`\epsilon > 0`.

    Returns
    -------
    w_next : ndarray, shape of `w`
    state_next : AdamState
        With ``t`` increased by one.

    Raises
    ------
    ValueError
        If `grad` and `w` differ in shape, a value is not finite, `lr <= 0`,
        `eps <= 0` or a beta is outside [0, 1).
    TypeError
        If `state` is neither None nor an AdamState.

    Notes
    -----
    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \\
        \hat m_t = \frac{m_t}{1 - \beta_1^t}, \quad
        \hat v_t = \frac{v_t}{1 - \beta_2^t}, \quad
        w_{t+1} = w_t - \frac{\alpha\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}.

    On the first step :math:`\hat m_1 = g_1` and :math:`\hat v_1 = g_1^2`, so every
    coordinate moves by :math:`\alpha` (up to :math:`\epsilon`) against the sign
    of its gradient.

    References
    ----------
    D. P. Kingma, J. Ba, "Adam: A method for stochastic optimization", ICLR 2015
    (Algorithm 1).

    Examples
    --------
    >>> w, s = adam_step([1.0, 1.0], [0.5, -20.0], None, lr=0.1)
    >>> np.round(w, 6).tolist(), s.t
    ([0.9, 1.1], 1)
    """
    w, grad = _w_grad(w, grad)
    lr, eps = _lr(lr), _eps(eps)
    beta1, beta2 = _unit("beta1", beta1), _unit("beta2", beta2)
    m: Any
    v: Any
    if state is None:
        m, v, t = 0.0, 0.0, 0                             # m_0 = v_0 = 0
    else:
        m, v = _state_arrays(state, AdamState, w.shape)
        t = nonneg_int("state.t", state.t, high=2**53)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_step(*_adam(w, grad, m, v, t, lr=lr, beta1=beta1, beta2=beta2,
                                   eps=eps))


#: The arithmetic of each public step function, for the training loop: the kernel, and
#: for a step that takes its gradient elsewhere than at w, the kernel of that point.
_KERNELS: dict[Callable[..., Any], tuple[Callable[..., Any], Callable[..., Any] | None]] = {
    sgd_step: (_sgd, None),
    momentum_step: (_momentum, None),
    nesterov_step: (_momentum, _lookahead),
    nesterov_step_reformulated: (_nesterov_reformulated, None),
    adagrad_step: (_adagrad, None),
    rmsprop_step: (_rmsprop, None),
    adam_step: (_adam, None),
}


# ---- running an optimizer ---------------------------------------------------------------

def gradient_point(step: Callable[..., Any], w: ArrayLike, state: Any,
                   **hyper: Any) -> np.ndarray:
    r"""Where `step` needs the gradient when the parameters are `w` and its state `state`.

    Parameters
    ----------
    step : callable
        One of the ``*_step`` functions (or any function of that signature).
    w : array_like
        Current parameters.
    state : NamedTuple or None
        The state `step` would be called with.
    **hyper
        The hyper-parameters `step` would be called with.

    Returns
    -------
    point : ndarray, shape of `w`
        ``step.gradient_at(w, state, **hyper)`` if `step` has that attribute
        (``nesterov_step``: :math:`w + \rho v`), else `w` itself.

    Examples
    --------
    >>> s = MomentumState(np.array([-0.2]))
    >>> gradient_point(momentum_step, [1.0], s, lr=0.1, rho=0.5).tolist()
    [1.0]
    >>> gradient_point(nesterov_step, [1.0], s, lr=0.1, rho=0.5).tolist()
    [0.9]
    """
    function("step", step)
    at = getattr(step, "gradient_at", None)
    if at is None:
        return float_array("w", w)
    return at(w, state, **hyper)


def trajectory(step: Callable[..., Any], grad_fn: Callable[[np.ndarray], ArrayLike],
               w0: ArrayLike, n_steps: int, **hyper: Any) -> np.ndarray:
    r"""Run `step` for `n_steps` steps from `w0`; return every iterate.

    Parameters
    ----------
    step : callable
        One of the ``*_step`` functions.
    grad_fn : callable
        ``grad_fn(w) -> ndarray`` of the shape of `w`: the gradient of the loss,
        evaluated at ``gradient_point(step, w, state, **hyper)`` (the look-ahead
        point for ``nesterov_step``, `w` for the others).
    w0 : float or array_like, shape (dim,)
        Starting point; a scalar is a point of dimension 1.
    n_steps : int
        Number of steps, >= 0.
    **hyper
        Keyword arguments of `step`: ``lr`` and its hyper-parameters.

    Returns
    -------
    ws : ndarray, shape (n_steps + 1, dim)
        ``ws[0] = w0`` and ``ws[t]`` the parameters after `t` steps. The state
        starts as None (zero velocity, zero moments).

    Raises
    ------
    ValueError
        If `w0` is not a scalar or 1-D, or has non-finite values, or `grad_fn`
        returns an array of another shape or with non-finite values (the
        iteration diverged), or a hyper-parameter is out of range.
    TypeError
        If `n_steps` is not an int.

    Examples
    --------
    Gradient descent on :math:`L = w^2` with lr 0.25 halves `w` each step.

    >>> trajectory(sgd_step, lambda w: 2 * w, 8.0, 3, lr=0.25).ravel().tolist()
    [8.0, 4.0, 2.0, 1.0]
    """
    function("step", step)
    function("grad_fn", grad_fn)
    n_steps = nonneg_int("n_steps", n_steps)
    w = np.atleast_1d(float_array("w0", w0, ndim=(0, 1)))
    array_size("n_steps", (n_steps + 1, w.size))
    ws = np.empty((n_steps + 1, w.size))
    ws[0] = w
    state = None
    for t in range(1, n_steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):   # divergence is raised below
            w, state = _one_step(step, grad_fn, w, state, t, hyper)
        ws[t] = w
    return ws


def _one_step(step: Callable[..., Any], grad_fn: Callable[[np.ndarray], ArrayLike],
              w: np.ndarray, state: Any, t: int, hyper: dict[str, Any]
              ) -> tuple[np.ndarray, Any]:
    point = gradient_point(step, w, state, **hyper)
    try:
        value = grad_fn(point.copy())
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"grad_fn fails at step {t}: {exc}") from exc
    try:
        grad = float_array("grad_fn(w)", value, shape=w.shape)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"grad_fn must return finite real values of shape {w.shape}, "
                         f"got {value!r} at step {t} (starting from w0)"[:400]) from exc
    try:
        w, state = step(w, grad, state, **hyper)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{exc} (from step at step {t}, started from w0, with grad_fn)") from exc
    if not isinstance(w, np.ndarray) or w.shape != point.shape or not np.all(np.isfinite(w)):
        raise ValueError(f"the iterate is not finite at step {t}: lr, w0 or grad_fn too "
                         f"large (or step returned no array of the shape of w0): {w!r}"[:400])
    return w, state


# ---- quantities the questions ask about ------------------------------------------------

def adagrad_effective_lr(grads: ArrayLike, *, lr: float, eps: float = 1e-8) -> np.ndarray:
    r"""AdaGrad's effective learning rate at every step of a gradient sequence.

    Parameters
    ----------
    grads : array_like, shape (T,) or (T, dim)
        The gradients :math:`g_1, \dots, g_T` (one row per step).
    lr : float
        Learning rate :math:`\eta > 0` (no default).
    eps : float, default 1e-8
        As in ``adagrad_step``.

    Returns
    -------
    rates : ndarray, shape of `grads`
        ``rates[t-1]`` is :math:`\eta / (\sqrt{G_t} + \epsilon)`, the factor
        ``adagrad_step`` multiplies :math:`g_t` by at step `t`.

    Raises
    ------
    ValueError
        If `grads` is not 1-D or 2-D or not finite, `lr <= 0` or `eps <= 0`.

    Notes
    -----
    .. math:: \eta_t = \frac{\eta}{\sqrt{\sum_{s=1}^t g_s^2} + \epsilon}

    It never increases with `t`; for a constant gradient :math:`g` it is
    :math:`\eta / (|g| \sqrt t)`, so it decays like :math:`1/\sqrt t`.

    Examples
    --------
    >>> np.round(adagrad_effective_lr([2.0, 2.0, 2.0, 2.0], lr=1.0), 6).tolist()
    [0.5, 0.353553, 0.288675, 0.25]
    """
    grads = float_array("grads", grads, ndim=(1, 2))
    lr, eps = _lr(lr), _eps(eps)
    with np.errstate(over="ignore"):      # eps > 0: no division by zero, no NaN
        out = lr / (np.sqrt(np.cumsum(grads**2, axis=0)) + eps)
    if not np.all(np.isfinite(out)):
        raise ValueError("the effective learning rate overflows the float range: lr too "
                         "large for grads and eps this small (or grads too large)")
    return out


def bias_correction(t: int | ArrayLike, *, beta: float) -> float | np.ndarray:
    r"""Adam's bias-correction factor :math:`1 - \beta^t`.

    Parameters
    ----------
    t : int or array_like of int
        Step number(s), >= 0.
    beta : float
        Decay rate in [0, 1) (no default: 0.9 for ``beta1``, 0.999 for ``beta2``).

    Returns
    -------
    factor : float or ndarray, shape of `t`
        The moving average started at zero has total weight :math:`1 - \beta^t`
        after `t` steps; Adam divides by it.

    Raises
    ------
    ValueError
        If a `t` is negative or `beta` is outside [0, 1).
    TypeError
        If `t` is not integer.

    Examples
    --------
    >>> bias_correction(2, beta=0.5)
    0.75
    >>> bias_correction([0, 1, 3], beta=0.5).tolist()
    [0.0, 0.5, 0.875]
    """
    beta = _unit("beta", beta)
    if not isinstance(t, (list, tuple, np.ndarray)):
        return 1.0 - beta ** nonneg_int("t", t)
    ts = int_array("t", t)
    if np.any(ts < 0):
        raise ValueError(f"t must be non-negative ints, got {t!r}")
    return 1.0 - beta ** ts


def adam_gradient_weights(t: int, *, beta: float, corrected: bool = True) -> np.ndarray:
    r"""The weight Adam's moving average gives to the gradient of `k` steps ago.

    Parameters
    ----------
    t : int
        Number of steps taken, >= 1.
    beta : float
        Decay rate in [0, 1) (``beta1`` for :math:`m`, ``beta2`` for :math:`v`).
    corrected : bool, default True
        Divide by the bias correction :math:`1 - \beta^t` (the weights of
        :math:`\hat m_t`) or not (the weights of :math:`m_t`).

    Returns
    -------
    weights : ndarray, shape (t,)
        ``weights[k]`` multiplies :math:`g_{t-k}`, for ``k = 0 .. t-1``. With
        correction they sum to 1; without, to :math:`1 - \beta^t`.

    Raises
    ------
    ValueError
        If `t < 1` or `beta` is outside [0, 1).
    TypeError
        If `t` is not an int or `corrected` not a bool.

    Notes
    -----
    Unrolling :math:`m_t = \beta m_{t-1} + (1 - \beta) g_t` from :math:`m_0 = 0`:

    .. math::
        m_t = \sum_{k=0}^{t-1} (1 - \beta) \beta^k g_{t-k}, \qquad
        \hat m_t = \frac{m_t}{1 - \beta^t}.

    The weights fall geometrically with age; as :math:`t \to \infty` the
    correction tends to 1 and the oldest gradients weigh almost nothing.

    Examples
    --------
    >>> adam_gradient_weights(3, beta=0.5, corrected=False).tolist()
    [0.5, 0.25, 0.125]
    >>> adam_gradient_weights(3, beta=0.5).tolist()    # divided by 0.875
    [0.5714285714285714, 0.2857142857142857, 0.14285714285714285]
    """
    t = positive_int("t", t)
    beta = _unit("beta", beta)
    if not isinstance(corrected, (bool, np.bool_)):
        raise TypeError(f"corrected must be a bool, got {corrected!r}")
    weights = (1.0 - beta) * beta ** np.arange(t)
    if corrected:
        weights = weights / bias_correction(t, beta=beta)
    return weights
