"""Activation functions, softmax and the cross-entropy loss.

Plain functions of an array, written so that they neither overflow nor warn
for inputs of any finite magnitude (logits of size 1000 included). The layer
pairs ``relu_forward``/``relu_backward`` etc. in :mod:`dlcalc.layers` are
built on these.
"""

from __future__ import annotations

from typing import Any
from numpy.typing import ArrayLike

import numbers

import numpy as np

from ._checks import float_array, label_array

__all__ = [
    "sigmoid",
    "sigmoid_grad",
    "relu",
    "relu_grad",
    "softmax",
    "log_softmax",
    "cross_entropy",
    "softmax_cross_entropy",
]


def sigmoid(z: ArrayLike) -> np.ndarray:
    """Logistic sigmoid, elementwise, without overflow for large ``|z|``.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    ndarray, same shape as ``z``
        Values in [0, 1].

    Notes
    -----
    .. math:: \\sigma(z) = \\frac{1}{1 + e^{-z}} = \\frac{e^{z}}{1 + e^{z}}

    The first form is used for :math:`z \\ge 0` and the second for
    :math:`z < 0`, so the exponential is always of :math:`-|z|` and never
    overflows.

    Examples
    --------
    >>> sigmoid([0.0, 1000.0, -1000.0])
    array([0.5, 1. , 0. ])
    """
    return _sigmoid(float_array("z", z))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """The arithmetic of :func:`sigmoid`, on a checked float array."""
    e = np.exp(-np.abs(z))  # in (0, 1]
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z: ArrayLike) -> np.ndarray:
    """Derivative of the sigmoid, elementwise.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    ndarray, same shape as ``z``
        Values in [0, 1/4]; the maximum 1/4 is reached at ``z = 0``.

    Notes
    -----
    .. math:: \\sigma'(z) = \\sigma(z)\\,(1 - \\sigma(z))

    Examples
    --------
    >>> sigmoid_grad([0.0, 1000.0])
    array([0.25, 0.  ])
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z: ArrayLike) -> np.ndarray:
    """Rectified linear unit, elementwise: ``max(z, 0)``.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    ndarray, same shape as ``z``

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    z = float_array("z", z)
    return np.maximum(z, 0.0)


def relu_grad(z: ArrayLike) -> np.ndarray:
    """Derivative of the ReLU, elementwise: 1 where ``z > 0``, else 0.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    ndarray, same shape as ``z``

    Notes
    -----
    The ReLU has no derivative at 0; like every deep learning framework we
    use the subgradient 0 there.

    Examples
    --------
    >>> relu_grad([-2.0, 0.0, 3.0])
    array([0., 0., 1.])
    """
    z = float_array("z", z)
    return (z > 0).astype(np.float64)


def _shifted(z: ArrayLike, axis: Any) -> tuple[np.ndarray, int]:
    """Check the arguments; return ``z`` minus its maximum along ``axis``, and the axis."""
    z = float_array("z", z)
    if z.ndim == 0:
        raise ValueError("z must have ndim >= 1, got ndim 0")
    if z.size == 0:
        raise ValueError(f"z must not be empty, got shape {z.shape}")
    if (isinstance(axis, bool) or not isinstance(axis, numbers.Integral)
            or not -z.ndim <= int(axis) < z.ndim):
        raise ValueError(f"axis must be an int in [{-z.ndim}, {z.ndim}), got {axis!r}")
    with np.errstate(over="ignore"):
        # z_i - max may fall below the float range (to -inf) when z spans more than it:
        # exp then gives 0, as the exact value would round to
        return _shift(z, int(axis)), int(axis)


def _shift(z: np.ndarray, axis: int) -> np.ndarray:
    return z - z.max(axis=axis, keepdims=True)


def _log_softmax(z: ArrayLike, axis: Any) -> tuple[np.ndarray, int]:
    shifted, axis = _shifted(z, axis)
    return _log_normalised(shifted, axis), axis


def _log_normalised(shifted: np.ndarray, axis: int) -> np.ndarray:
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """Logarithm of the softmax, computed stably.

    Parameters
    ----------
    z : array_like, at least 1-D
        Scores (logits).
    axis : int, default -1
        Axis along which the probabilities sum to 1.

    Returns
    -------
    ndarray, same shape as ``z``

    Raises
    ------
    ValueError
        If ``z`` is 0-D or ``axis`` is out of range.

    Notes
    -----
    .. math:: \\log \\mathrm{softmax}(z)_i = (z_i - m) - \\log \\sum_j e^{z_j - m},
              \\quad m = \\max_j z_j

    Subtracting the maximum changes nothing mathematically (softmax is
    invariant to adding a constant) and keeps every exponent at most 0.

    Examples
    --------
    >>> log_softmax([1000.0, 1000.0])
    array([-0.69314718, -0.69314718])
    """
    out, _ = _log_softmax(z, axis)
    if not np.all(np.isfinite(out)):
        raise ValueError("z spans more than the float range along the axis: a log-probability "
                         "would be below -1.8e308 (softmax gives 0 there)")
    return out


def softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """Softmax, computed stably.

    Parameters
    ----------
    z : array_like, at least 1-D
        Scores (logits).
    axis : int, default -1
        Axis along which the probabilities sum to 1.

    Returns
    -------
    ndarray, same shape as ``z``
        Non-negative, summing to 1 along ``axis``.

    Raises
    ------
    ValueError
        If ``z`` is 0-D or ``axis`` is out of range.

    Notes
    -----
    .. math:: \\mathrm{softmax}(z)_i = \\frac{e^{z_i - m}}{\\sum_j e^{z_j - m}},
              \\quad m = \\max_j z_j

    Examples
    --------
    Equal scores give equal probabilities:

    >>> softmax([0.3, 0.3, 0.3, 0.3])
    array([0.25, 0.25, 0.25, 0.25])
    >>> softmax([1000.0, 0.0])
    array([1., 0.])
    """
    shifted, axis = _shifted(z, axis)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def _check_logits_labels(logits: ArrayLike, labels: ArrayLike
                         ) -> tuple[np.ndarray, np.ndarray]:
    logits = float_array("logits", logits, ndim=2)
    labels = label_array("labels", labels)
    if labels.shape != (logits.shape[0],):
        raise ValueError(f"labels must have shape ({logits.shape[0]},) to match logits of "
                         f"shape {logits.shape}, got {labels.shape}")
    k = logits.shape[1]
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"labels must be class indices in [0, {k}), got {labels.tolist()}")
    if logits.shape[0] == 0:
        raise ValueError("logits must hold at least one example, got shape "
                         f"{logits.shape}")
    return logits, labels


def cross_entropy(logits: ArrayLike, labels: ArrayLike) -> float:
    """Mean cross-entropy loss of integer labels under softmax(logits).

    Parameters
    ----------
    logits : array_like, shape (N, K)
        Scores of N examples over K classes.
    labels : array_like of int, shape (N,)
        The correct class of each example, in ``[0, K)``.

    Returns
    -------
    float
        The loss, averaged over the batch.

    Raises
    ------
    ValueError
        If the shapes do not match or a label is out of range.
    TypeError
        If ``labels`` are not integers.

    Notes
    -----
    .. math:: L = -\\frac{1}{N} \\sum_{n} \\log \\mathrm{softmax}(z_n)_{y_n}

    Computed through :func:`log_softmax`, so it is finite for logits of any
    finite size.

    Examples
    --------
    Two equally likely classes cost :math:`\\log 2`:

    >>> round(cross_entropy([[0.0, 0.0]], [1]), 6)
    0.693147
    """
    logits, labels = _check_logits_labels(logits, labels)
    logp, _ = _log_softmax(logits, axis=1)
    return _mean_loss(logp, labels)


def _label_mean(logp: np.ndarray, labels: np.ndarray) -> Any:
    """Mean of -logp at the labels over the examples (axis -2): a float64, or an array
    of one per network for a stack of them (leading axes)."""
    n = logp.shape[-2]
    # contiguous, so that each network's sum is the pairwise sum of one array
    picked = np.ascontiguousarray(logp[..., np.arange(n), labels])
    return -(picked / n).sum(axis=-1)


def _mean_loss(logp: np.ndarray, labels: np.ndarray) -> float:
    loss = float(_label_mean(logp, labels))
    if not np.isfinite(loss):
        raise ValueError("logits spread more than the float range: the loss of a label "
                         "would be above 1.8e308")
    return loss


def softmax_cross_entropy(logits: ArrayLike, labels: ArrayLike) -> tuple[float, np.ndarray]:
    """Mean cross-entropy loss and its gradient with respect to the logits.

    Parameters
    ----------
    logits : array_like, shape (N, K)
    labels : array_like of int, shape (N,)

    Returns
    -------
    loss : float
        As :func:`cross_entropy`.
    dlogits : ndarray, shape (N, K)
        :math:`\\partial L / \\partial z`.

    Raises
    ------
    ValueError, TypeError
        As :func:`cross_entropy`.

    Notes
    -----
    .. math:: \\frac{\\partial L}{\\partial z_{nk}}
              = \\frac{1}{N}\\left(\\mathrm{softmax}(z_n)_k - [k = y_n]\\right)

    Examples
    --------
    >>> loss, dlogits = softmax_cross_entropy([[0.0, 0.0]], [1])
    >>> dlogits
    array([[ 0.5, -0.5]])
    """
    logits, labels = _check_logits_labels(logits, labels)
    logp, _ = _log_softmax(logits, axis=1)
    return _mean_loss(logp, labels), _dlogits(logp, labels)


def _softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[Any, np.ndarray]:
    """The arithmetic of :func:`softmax_cross_entropy`, on checked arguments (the loss may
    be inf, which the public function raises on), or on a stack of logits (leading axes):
    then one loss per network."""
    logp = _log_normalised(_shift(logits, -1), -1)
    return _label_mean(logp, labels), _dlogits(logp, labels)


def _dlogits(logp: np.ndarray, labels: np.ndarray) -> np.ndarray:
    n = logp.shape[-2]
    dlogits = np.exp(logp)
    dlogits[..., np.arange(n), labels] -= 1.0
    return dlogits / n
