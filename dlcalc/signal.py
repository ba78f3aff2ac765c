"""Cross-correlation and true convolution of 1-D signals and 2-D images.

Deep learning frameworks call cross-correlation "convolution": the kernel is
slid over the input without flipping. The true convolution of signal
processing flips the kernel first. Both are here, with the same arguments, so
a page can show both and say which one a question means.

Modes follow numpy and scipy: ``"valid"`` keeps only positions where the
kernel lies inside the input, ``"full"`` every position where it overlaps,
``"same"`` the centred part of ``"full"`` with the length of the input.
Instead of a mode, ``padding=p`` pads ``p`` zeros on each side and then takes
the valid part, as a convolution layer does.
"""

from __future__ import annotations

from typing import Any

from numpy.typing import ArrayLike

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import array_size, finite_result, float_array, nonneg_int

__all__ = ["correlate1d", "convolve1d", "correlate2d", "convolve2d"]

_MODES = ("valid", "full", "same")


def _pad_widths(x_shape: tuple[int, ...], k_shape: tuple[int, ...], mode: Any, padding: Any,
                k_name: str, x_name: str = "x") -> list[tuple[int, int]]:
    """Zeros to add before and after each axis, so that the answer is the valid part."""
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    if padding is not None:
        if mode != "valid":
            raise ValueError(f"padding can only be combined with mode='valid', "
                             f"got padding={padding!r} and mode={mode!r}")
        p = nonneg_int("padding", padding)
        widths = [(p, p) for _ in k_shape]
    elif mode == "valid":
        widths = [(0, 0) for _ in k_shape]
    elif mode == "full":
        widths = [(kk - 1, kk - 1) for kk in k_shape]
    else:  # "same": entries (K-1)//2 onwards of "full", as in scipy, i.e. K//2 zeros before
        widths = [(kk // 2, (kk - 1) // 2) for kk in k_shape]
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x_shape, widths))
    array_size("padding", padded)
    if any(kk > n for kk, n in zip(k_shape, padded)):
        raise ValueError(f"{k_name} of shape {k_shape} is larger than the padded {x_name} "
                         f"of shape {padded}")
    return widths


def _correlate(x: ArrayLike, k: ArrayLike, mode: str, padding: int | None, *, ndim: int,
               names: tuple[str, str]) -> np.ndarray:
    """Valid cross-correlation of the padded ``x`` with ``k``, in any dimension."""
    x_name, k_name = names
    x = float_array(x_name, x, ndim=ndim)
    k = float_array(k_name, k, ndim=ndim)
    if k.size == 0:
        raise ValueError(f"{k_name} must not be empty, got shape {k.shape}")
    xp = np.pad(x, _pad_widths(x.shape, k.shape, mode, padding, k_name, x_name))
    windows = sliding_window_view(xp, k.shape)  # (*out_shape, *k.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.tensordot(windows, k, axes=ndim)
    return finite_result(out, "the correlation", f"{x_name} or {k_name}")


def correlate1d(x: ArrayLike, k: ArrayLike, *, mode: str = "valid",
                padding: int | None = None) -> np.ndarray:
    """Cross-correlation of a 1-D signal with a 1-D kernel (no flip).

    Parameters
    ----------
    x : array_like, shape (N,)
        The signal.
    k : array_like, shape (K,)
        The kernel.
    mode : {"valid", "full", "same"}, default "valid"
        Output length ``N - K + 1``, ``N + K - 1`` or ``N``.
    padding : int, optional
        Pad this many zeros on each side of ``x``, then take the valid part
        (output length ``N + 2 padding - K + 1``). Only with ``mode="valid"``.

    Returns
    -------
    ndarray, shape (L,)

    Raises
    ------
    ValueError
        If an argument has the wrong ndim, ``mode`` is unknown, ``padding``
        is negative or combined with another mode, or ``k`` is longer than
        the padded ``x``.

    Notes
    -----
    With :math:`\\tilde x` the zero-padded signal,

    .. math:: y_i = \\sum_{j=0}^{K-1} \\tilde x_{i+j}\\, k_j

    "full" pads :math:`K-1` zeros on each side; "same" pads
    :math:`\\lfloor K/2 \\rfloor` before and :math:`\\lfloor (K-1)/2 \\rfloor`
    after, which keeps the centred part of "full" as ``scipy.signal.correlate``
    does (for kernels of even length ``scipy.signal.correlate2d`` centres one
    place the other way).

    Examples
    --------
    [4, 1, -1, 3] padded with one zero each side, correlated with [-2, 1]:
    0*(-2) + 4*1 = 4, 4*(-2) + 1*1 = -7, ...

    >>> correlate1d([4, 1, -1, 3], [-2, 1], padding=1)
    array([ 4., -7., -3.,  5., -6.])
    """
    return _correlate(x, k, mode, padding, ndim=1, names=("x", "k"))


def convolve1d(x: ArrayLike, k: ArrayLike, *, mode: str = "valid",
               padding: int | None = None) -> np.ndarray:
    """True convolution of a 1-D signal with a 1-D kernel (kernel flipped).

    Parameters
    ----------
    x : array_like, shape (N,)
    k : array_like, shape (K,)
    mode : {"valid", "full", "same"}, default "valid"
    padding : int, optional
        As in :func:`correlate1d`.

    Returns
    -------
    ndarray, shape (L,)

    Raises
    ------
    ValueError
        As :func:`correlate1d`.

    Notes
    -----
    .. math:: y_i = \\sum_{j} x_j\\, k_{i-j}

    which is :func:`correlate1d` with the kernel reversed. "full" is the
    product of the polynomials with coefficients ``x`` and ``k``.

    Examples
    --------
    (4 + z - z^2 + 3 z^3)(-2 + z) = -8 + 2 z + 3 z^2 - 7 z^3 + 3 z^4:

    >>> convolve1d([4, 1, -1, 3], [-2, 1], mode="full")
    array([-8.,  2.,  3., -7.,  3.])
    """
    k = float_array("k", k, ndim=1)
    return _correlate(x, k[::-1], mode, padding, ndim=1, names=("x", "k"))


def correlate2d(image: ArrayLike, kernel: ArrayLike, *, mode: str = "valid",
                padding: int | None = None) -> np.ndarray:
    """Cross-correlation of a single-channel 2-D image with a 2-D kernel.

    This is what a convolution layer computes for one channel and one
    filter, and what an edge filter is usually run with.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (KH, KW)
    mode : {"valid", "full", "same"}, default "valid"
        Output shape ``(H-KH+1, W-KW+1)``, ``(H+KH-1, W+KW-1)`` or ``(H, W)``.
    padding : int, optional
        Zeros on each of the four sides, then the valid part. Only with
        ``mode="valid"``.

    Returns
    -------
    ndarray, shape (OH, OW)

    Raises
    ------
    ValueError
        As :func:`correlate1d`, per axis.

    Notes
    -----
    .. math:: y_{ij} = \\sum_{u,v} \\tilde x_{i+u,\\,j+v}\\, k_{uv}

    Examples
    --------
    A dark-to-bright step seen by a vertical edge filter:

    >>> correlate2d([[10, 10, 0, 0]] * 3, [[1, 0, -1]] * 3)
    array([[30., 30.]])
    """
    return _correlate(image, kernel, mode, padding, ndim=2, names=("image", "kernel"))


def convolve2d(image: ArrayLike, kernel: ArrayLike, *, mode: str = "valid",
               padding: int | None = None) -> np.ndarray:
    """True 2-D convolution of a single-channel image (kernel flipped both ways).

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (KH, KW)
    mode : {"valid", "full", "same"}, default "valid"
    padding : int, optional
        As in :func:`correlate2d`.

    Returns
    -------
    ndarray, shape (OH, OW)

    Raises
    ------
    ValueError
        As :func:`correlate2d`.

    Notes
    -----
    .. math:: y_{ij} = \\sum_{u,v} x_{uv}\\, k_{i-u,\\,j-v}

    which is :func:`correlate2d` with the kernel rotated by 180 degrees. The
    flip turns the vertical edge filter into its negative:

    Examples
    --------
    >>> convolve2d([[10, 10, 0, 0]] * 3, [[1, 0, -1]] * 3)
    array([[-30., -30.]])
    """
    kernel = float_array("kernel", kernel, ndim=2)
    return correlate2d(image, kernel[::-1, ::-1], mode=mode, padding=padding)

