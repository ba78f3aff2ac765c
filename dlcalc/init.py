"""Weight initialisation schemes for fully connected and convolutional layers.

Shapes follow the layers of :mod:`dlcalc.layers`: an affine weight is
``(D, M)`` (inputs, outputs) and a convolution filter bank is
``(F, C, KH, KW)``. Every random scheme draws from the
``numpy.random.Generator`` it is given, so a seed fixes the result.
"""

from __future__ import annotations

from typing import Any

import math

import numpy as np

from ._checks import array_size, finite_float, positive_int
from ._checks import generator as _generator

__all__ = [
    "fans",
    "zeros",
    "constant",
    "normal",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "init_weights",
    "WEIGHT_INITS",
]


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape must be a tuple of positive ints, got {shape!r}")
    dims = tuple(positive_int(f"shape[{i}]", d) for i, d in enumerate(shape))
    if not dims:
        raise ValueError(f"shape must have at least one dimension, got {shape!r}")
    array_size("shape", dims)
    return dims


def fans(shape: int | tuple[int, ...]) -> tuple[int, int]:
    """Fan-in and fan-out of an affine or convolutional weight.

    Parameters
    ----------
    shape : tuple of int
        ``(D, M)`` for an affine layer ``x @ w`` with D inputs and M outputs,
        or ``(F, C, KH, KW)`` for F convolution filters over C channels.

    Returns
    -------
    fan_in : int
        Inputs that feed one output unit: ``D``, or ``C * KH * KW``.
    fan_out : int
        Outputs one input unit feeds: ``M``, or ``F * KH * KW``.

    Raises
    ------
    ValueError
        If ``shape`` has neither 2 nor 4 dimensions.

    Examples
    --------
    AlexNet's first layer, 96 filters of 11x11 over RGB:

    >>> fans((96, 3, 11, 11))
    (363, 11616)
    >>> fans((64, 10))
    (64, 10)
    """
    dims = _shape(shape)
    if len(dims) == 2:
        return dims[0], dims[1]
    if len(dims) == 4:
        f, c, kh, kw = dims
        return c * kh * kw, f * kh * kw
    raise ValueError(f"shape must be (D, M) or (F, C, KH, KW), got {shape!r}")


def zeros(shape: int | tuple[int, ...]) -> np.ndarray:
    """All-zero weights (or biases).

    Parameters
    ----------
    shape : int or tuple of int

    Returns
    -------
    ndarray of the given shape

    Notes
    -----
    Every unit of a layer initialised this way computes the same function
    and receives the same gradient, so gradient descent never makes them
    differ (the symmetry problem).

    Examples
    --------
    >>> zeros((2, 3))
    array([[0., 0., 0.],
           [0., 0., 0.]])
    """
    return np.zeros(_shape(shape))


def constant(shape: int | tuple[int, ...], value: float) -> np.ndarray:
    """Every entry equal to ``value``, e.g. a bias of -5 that closes ReLU units.

    Parameters
    ----------
    shape : int or tuple of int
    value : float

    Returns
    -------
    ndarray of the given shape

    Examples
    --------
    >>> constant(3, -5.0)
    array([-5., -5., -5.])
    """
    value = finite_float("value", value)
    return np.full(_shape(shape), value)


def normal(shape: int | tuple[int, ...], *, std: float, rng: np.random.Generator
           ) -> np.ndarray:
    """Weights drawn from :math:`N(0, \\mathrm{std}^2)`.

    Parameters
    ----------
    shape : int or tuple of int
    std : float
        Standard deviation, >= 0 ("small random" is typically 0.01).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of the given shape

    Examples
    --------
    >>> normal((2, 2), std=0.0, rng=np.random.default_rng(0))
    array([[0., 0.],
           [0., 0.]])
    """
    std = finite_float("std", std, low=0.0, high=1e300)  # draws stay finite
    return _generator(rng).normal(0.0, std, size=_shape(shape))


def uniform(shape: int | tuple[int, ...], *, limit: float, rng: np.random.Generator
            ) -> np.ndarray:
    """Weights drawn from the uniform distribution on :math:`[-\\mathrm{limit}, \\mathrm{limit})`.

    Parameters
    ----------
    shape : int or tuple of int
    limit : float
        Half-width of the interval, >= 0.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of the given shape

    Notes
    -----
    The variance is :math:`\\mathrm{limit}^2 / 3`.

    Examples
    --------
    >>> w = uniform((1000,), limit=0.5, rng=np.random.default_rng(0))
    >>> bool(w.min() >= -0.5 and w.max() < 0.5)
    True
    """
    limit = finite_float("limit", limit, low=0.0, high=1e300)  # draws stay finite
    return _generator(rng).uniform(-limit, limit, size=_shape(shape))


def xavier_normal(shape: int | tuple[int, ...], *, rng: np.random.Generator,
                  gain: float = 1.0) -> np.ndarray:
    """Glorot/Xavier normal initialisation.

    Parameters
    ----------
    shape : tuple of int
        ``(D, M)`` or ``(F, C, KH, KW)``; see :func:`fans`.
    rng : numpy.random.Generator
    gain : float, optional
        Multiplies the standard deviation (default 1).

    Returns
    -------
    ndarray of the given shape

    Notes
    -----
    .. math:: w \\sim N\\!\\left(0,\\; \\mathrm{gain}^2 \\frac{2}{n_\\mathrm{in} + n_\\mathrm{out}}\\right)

    keeps the variance of activations and of gradients roughly constant
    through layers with a linear (or tanh near 0) activation.

    References
    ----------
    X. Glorot and Y. Bengio, "Understanding the difficulty of training deep
    feedforward neural networks", AISTATS 2010.

    Examples
    --------
    For ``(50, 50)`` the standard deviation is :math:`\\sqrt{2/100} = 0.1414`:

    >>> w = xavier_normal((50, 50), rng=np.random.default_rng(0))
    >>> round(float(w.std()), 2)
    0.14
    """
    fan_in, fan_out = fans(shape)
    gain = finite_float("gain", gain, low=0.0, high=1e300)
    return normal(shape, std=gain * math.sqrt(2.0 / (fan_in + fan_out)), rng=rng)


def xavier_uniform(shape: int | tuple[int, ...], *, rng: np.random.Generator,
                   gain: float = 1.0) -> np.ndarray:
    """Glorot/Xavier uniform initialisation.

    Parameters
    ----------
    shape : tuple of int
        ``(D, M)`` or ``(F, C, KH, KW)``; see :func:`fans`.
    rng : numpy.random.Generator
    gain : float, optional
        Multiplies the limit (default 1).

    Returns
    -------
    ndarray of the given shape

    Notes
    -----
    .. math:: w \\sim U\\!\\left(-a, a\\right), \\quad
              a = \\mathrm{gain}\\sqrt{\\frac{6}{n_\\mathrm{in} + n_\\mathrm{out}}}

    which has the same variance as :func:`xavier_normal`.

    References
    ----------
    X. Glorot and Y. Bengio, AISTATS 2010, equation (16).

    Examples
    --------
    >>> w = xavier_uniform((3, 3), rng=np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= 1.0)    # a = sqrt(6 / 6) = 1
    True
    """
    fan_in, fan_out = fans(shape)
    gain = finite_float("gain", gain, low=0.0, high=1e300)
    return uniform(shape, limit=gain * math.sqrt(6.0 / (fan_in + fan_out)), rng=rng)


def he_normal(shape: int | tuple[int, ...], *, rng: np.random.Generator) -> np.ndarray:
    """He/Kaiming normal initialisation, for ReLU layers.

    Parameters
    ----------
    shape : tuple of int
        ``(D, M)`` or ``(F, C, KH, KW)``; see :func:`fans`.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of the given shape

    Notes
    -----
    .. math:: w \\sim N\\!\\left(0,\\; \\frac{2}{n_\\mathrm{in}}\\right)

    A ReLU zeroes half of its input on average, halving the second moment;
    the factor 2 restores it, so activations keep their scale with depth.

    References
    ----------
    K. He, X. Zhang, S. Ren and J. Sun, "Delving deep into rectifiers",
    ICCV 2015.

    Examples
    --------
    For 3x3 filters over 8 channels, :math:`n_\\mathrm{in} = 72` and the
    standard deviation is :math:`\\sqrt{2/72} = 1/6`:

    >>> w = he_normal((200, 8, 3, 3), rng=np.random.default_rng(0))
    >>> round(float(w.std()), 2)
    0.17
    """
    fan_in, _ = fans(shape)
    return normal(shape, std=math.sqrt(2.0 / fan_in), rng=rng)


def he_uniform(shape: int | tuple[int, ...], *, rng: np.random.Generator) -> np.ndarray:
    """He/Kaiming uniform initialisation, for ReLU layers.

    Parameters
    ----------
    shape : tuple of int
        ``(D, M)`` or ``(F, C, KH, KW)``; see :func:`fans`.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of the given shape

    Notes
    -----
    .. math:: w \\sim U(-a, a), \\quad a = \\sqrt{\\frac{6}{n_\\mathrm{in}}}

    References
    ----------
    K. He et al., ICCV 2015.

    Examples
    --------
    >>> w = he_uniform((6, 4), rng=np.random.default_rng(0))
    >>> bool(np.abs(w).max() <= 1.0)    # a = sqrt(6 / 6) = 1
    True
    """
    fan_in, _ = fans(shape)
    return uniform(shape, limit=math.sqrt(6.0 / fan_in), rng=rng)


#: The schemes :func:`init_weights` accepts by name.
WEIGHT_INITS = ("zeros", "normal", "xavier", "xavier_uniform", "he", "he_uniform")


def init_weights(shape: int | tuple[int, ...], scheme: str, *, rng: np.random.Generator,
                 std: float = 0.01) -> np.ndarray:
    """Weights of the given shape from a scheme chosen by name.

    Parameters
    ----------
    shape : tuple of int
        ``(D, M)`` or ``(F, C, KH, KW)``.
    scheme : str
        One of ``WEIGHT_INITS``: ``"zeros"``, ``"normal"`` (standard
        deviation ``std``), ``"xavier"`` (:func:`xavier_normal`),
        ``"xavier_uniform"``, ``"he"`` (:func:`he_normal`), ``"he_uniform"``.
    rng : numpy.random.Generator
        Unused by ``"zeros"``.
    std : float, optional
        Standard deviation for ``"normal"`` (default 0.01, "small random";
        e.g. 10 gives "large random").

    Returns
    -------
    ndarray of the given shape

    Raises
    ------
    ValueError
        If ``scheme`` is not one of ``WEIGHT_INITS``.

    Examples
    --------
    >>> init_weights((2, 2), "zeros", rng=np.random.default_rng(0))
    array([[0., 0.],
           [0., 0.]])
    """
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be one of {WEIGHT_INITS}, got {scheme!r}")
    std = finite_float("std", std, low=0.0, high=1e300)
    if scheme == "zeros":
        return zeros(shape)
    if scheme == "normal":
        return normal(shape, std=std, rng=rng)
    if scheme == "xavier":
        return xavier_normal(shape, rng=rng)
    if scheme == "xavier_uniform":
        return xavier_uniform(shape, rng=rng)
    if scheme == "he":
        return he_normal(shape, rng=rng)
    if scheme == "he_uniform":
        return he_uniform(shape, rng=rng)
    raise ValueError(f"scheme must be one of {WEIGHT_INITS}, got {scheme!r}")
