"""Worked steps of a 1-D cross-correlation or convolution, as LaTeX.

A hand calculation of a short correlation writes every output as the sum of
products of the kernel with the window of the (padded) input under it. These
functions produce exactly those lines, with the numbers substituted, so a page
can show the steps next to the result of :func:`~dlcalc.signal.correlate1d` or
:func:`~dlcalc.signal.convolve1d`.
"""

from __future__ import annotations

from numpy.typing import ArrayLike

from typing import Any

import numbers

import numpy as np

from ._checks import float_array, nonneg_int
from .signal import correlate1d

__all__ = ["correlate1d_latex", "convolve1d_latex"]


def _number(value: float, digits: int) -> str:
    """An entry as LaTeX: integers without a decimal point, negatives in brackets."""
    v = float(value)
    if v.is_integer():
        text = str(int(v))
    else:
        text = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return f"({text})" if text.startswith("-") else text


def _digits(digits: Any) -> int:
    if not isinstance(digits, numbers.Integral) or isinstance(digits, bool) \
            or not 0 <= int(digits) <= 17:
        raise ValueError(f"digits must be an int in [0, 17] (float64 holds 17 significant "
                         f"digits), got {digits!r}")
    return int(digits)


def _steps(x: ArrayLike, k: ArrayLike, padding: int, digits: int, name: str,
           kernel_note: str) -> str:
    x = float_array("x", x, ndim=1)
    k = float_array("k", k, ndim=1)
    p = nonneg_int("padding", padding)
    digits = _digits(digits)
    out = correlate1d(x, k, padding=p)  # checks that the kernel fits
    xp = np.pad(x, (p, p))
    lines = []
    for i, value in enumerate(out):
        terms = " + ".join(f"{_number(a, digits)} \\cdot {_number(b, digits)}"
                           for a, b in zip(xp[i:i + k.size], k))
        lines.append(f"{name}_{{{i}}} &= {terms} = {_number(value, digits).strip('()')}")
    return kernel_note + r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


def correlate1d_latex(x: ArrayLike, k: ArrayLike, *, padding: int = 0, digits: int = 4) -> str:
    r"""LaTeX of every output of a 1-D cross-correlation, as a substituted sum.

    Parameters
    ----------
    x : array_like, shape (N,)
        The signal.
    k : array_like, shape (K,)
        The kernel, used as it is (not flipped).
    padding : int, default 0
        Zeros added on each side of ``x`` before sliding the kernel.
    digits : int, default 4
        Decimals shown for entries that are not whole numbers.

    Returns
    -------
    str
        Math-mode LaTeX (no ``$``): an ``aligned`` environment with one line
        ``y_i = x_{i} k_0 + x_{i+1} k_1 + ... = value`` per output, the
        padded input's entries substituted. Negative entries are bracketed.

    Raises
    ------
    ValueError
        If ``x`` or ``k`` is not 1-D, ``padding`` is negative, ``digits`` is
        not a non-negative int, or ``k`` is longer than the padded ``x``.
    TypeError
        If ``padding`` is not an int.

    Notes
    -----
    With :math:`\tilde x` the zero-padded signal,

    .. math:: y_i = \sum_{j=0}^{K-1} \tilde x_{i+j}\, k_j

    as in :func:`~dlcalc.signal.correlate1d` with ``padding``.

    Examples
    --------
    >>> print(correlate1d_latex([4, 1, -1], [-2, 1]))
    \begin{aligned} y_{0} &= 4 \cdot (-2) + 1 \cdot 1 = -7 \\ y_{1} &= 1 \cdot (-2) + (-1) \cdot 1 = -3 \end{aligned}
    """
    return _steps(x, k, padding, digits, "y", "")


def convolve1d_latex(x: ArrayLike, k: ArrayLike, *, padding: int = 0, digits: int = 4) -> str:
    r"""LaTeX of every output of a true 1-D convolution (kernel flipped), substituted.

    Parameters
    ----------
    x : array_like, shape (N,)
        The signal.
    k : array_like, shape (K,)
        The kernel; it is reversed before sliding.
    padding : int, default 0
        Zeros added on each side of ``x``.
    digits : int, default 4
        Decimals shown for entries that are not whole numbers.

    Returns
    -------
    str
        Math-mode LaTeX: first the flipped kernel
        :math:`\overleftarrow{k}`, then one line per output as in
        :func:`correlate1d_latex`, slid with the flipped kernel.

    Raises
    ------
    ValueError, TypeError
        As :func:`correlate1d_latex`.

    Notes
    -----
    .. math:: y_i = \sum_j x_j\, k_{i-j} = \sum_{j=0}^{K-1} \tilde x_{i+j}\, k_{K-1-j}

    the values of :func:`~dlcalc.signal.convolve1d` with ``padding``.

    Examples
    --------
    >>> print(convolve1d_latex([4, 1, -1], [-2, 1]))
    \overleftarrow{k} = (1, -2), \quad \begin{aligned} y_{0} &= 4 \cdot 1 + 1 \cdot (-2) = 2 \\ y_{1} &= 1 \cdot 1 + (-1) \cdot (-2) = 3 \end{aligned}
    """
    k = float_array("k", k, ndim=1)[::-1]
    _digits(digits)
    note = (r"\overleftarrow{k} = (" + ", ".join(_number(v, digits).strip("()") for v in k)
            + r"), \quad ")
    return _steps(x, k, padding, digits, "y", note)
