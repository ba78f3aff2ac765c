"""Layers as forward/backward pairs, NCHW layout.

Every ``name_forward(...)`` returns ``(out, cache)``, where ``cache`` is a
small ``NamedTuple`` holding exactly what the backward pass needs, and every
``name_backward(dout, cache)`` returns the gradients of the loss with respect
to the forward's array arguments, given ``dout``, the gradient with respect to
``out``. The local gradient is derived by hand in the backward's Notes. No
function modifies its arguments.

Convolution is cross-correlation, as in every deep learning framework (see
:mod:`dlcalc.signal` for true convolution). It is vectorised with im2col: the
windows of the padded input are gathered into one matrix, so that the layer
is a single matrix product.

Dtype: a layer computes in float32, and returns float32, when its data arrays
are all float32 (``x`` and ``w`` for a convolution or an affine layer, ``x``
otherwise; in a backward pass ``dout`` and the forward's dtype, held in the
cache); everything else becomes float64. Parameters such as ``b``, ``gamma`` and
``beta`` follow the data's dtype.
"""

from __future__ import annotations

from typing import Any
from numpy.typing import ArrayLike

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import finite_float, finite_result, float_array, instance, nonneg_int, positive_int
from .activations import _sigmoid

__all__ = [
    "ConvCache",
    "PoolCache",
    "AffineCache",
    "ActivationCache",
    "BatchnormCache",
    "DropoutCache",
    "conv2d_forward",
    "conv2d_backward",
    "maxpool2d_forward",
    "maxpool2d_backward",
    "avgpool2d_forward",
    "avgpool2d_backward",
    "affine_forward",
    "affine_backward",
    "relu_forward",
    "relu_backward",
    "sigmoid_forward",
    "sigmoid_backward",
    "tanh_forward",
    "tanh_backward",
    "batchnorm_forward",
    "batchnorm_backward",
    "batchnorm_inference",
    "dropout_forward",
    "dropout_backward",
]



def _dtype(*arrays: Any) -> type:
    """float32 when every one of ``arrays`` is a float32 array, float64 otherwise."""
    float32 = all(getattr(a, "dtype", None) == np.float32 for a in arrays)
    return np.float32 if float32 else np.float64


def _windows(xp: np.ndarray, kh: int, kw: int, stride: int) -> np.ndarray:
    """Strided view (N, C, KH, KW, OH, OW) of the kernel windows of ``xp`` (N, C, Hp, Wp).

    Entry [n, c, i, j, oh, ow] is ``xp[n, c, stride*oh + i, stride*ow + j]``; no copy.
    """
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    return win.transpose(0, 1, 4, 5, 2, 3)


def _scatter_windows(dwin: np.ndarray, x_shape: tuple[int, ...], stride: int) -> np.ndarray:
    """Adjoint of :func:`_windows`: add each window's gradient back onto the input.

    ``dwin`` has shape (N, C, KH, KW, OH, OW). The loop is over the KH*KW
    kernel offsets, never over output pixels: for a fixed offset (i, j) the
    windows touch the distinct input pixels (i + stride*oh, j + stride*ow),
    so one strided slice receives them all at once.
    """
    kh, kw, oh, ow = dwin.shape[2:]
    dx = np.zeros(x_shape, dtype=dwin.dtype)
    for i in range(kh):
        for j in range(kw):
            dx[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += dwin[:, :, i, j]
    return dx


def _record(name: str, cache: Any, kind: type, forward: str) -> Any:
    """Check that ``cache`` is the ``kind`` record that ``forward`` returns."""
    return instance(name, cache, kind, f"the {kind.__name__} returned by {forward}")


def _field(cache_name: str, cache: Any, field: str, ndim: int | None = None,
           dtype: Any = None, shape: tuple[int | None, ...] | None = None) -> np.ndarray:
    """A cache's array field, checked (finite, ndim, shape) and named ``cache.field``."""
    value = getattr(cache, field)
    return float_array(f"{cache_name}.{field}", value, ndim=ndim, shape=shape,
                       dtype=dtype if dtype is not None else _dtype(value))


def _shape_field(cache_name: str, value: Any, field: str, ndim: int) -> tuple[int, ...]:
    name = f"{cache_name}.{field}"
    if not isinstance(value, tuple) or len(value) != ndim:
        raise TypeError(f"{name} must be a tuple of {ndim} ints, got {value!r}")
    return tuple(positive_int(f"{name}[{i}]", v) for i, v in enumerate(value))


def _check_kernel_fits(name: str, kh: int, kw: int, h: int, w: int, padding: int) -> None:
    if kh > h + 2 * padding or kw > w + 2 * padding:
        raise ValueError(f"{name} of size {kh}x{kw} is larger than the padded input "
                         f"{h + 2 * padding}x{w + 2 * padding} (padding={padding})")



class ConvCache(NamedTuple):
    """What :func:`conv2d_backward` needs from :func:`conv2d_forward`."""
    cols: np.ndarray      # (N, C*KH*KW, OH*OW): im2col of the padded input, one matrix per example
    w: np.ndarray         # (F, C, KH, KW)
    x_shape: tuple        # (N, C, H, W)
    stride: int
    padding: int
    has_bias: bool


def conv2d_forward(x: ArrayLike, w: ArrayLike, b: ArrayLike | None = None, *, stride: int = 1,
                   padding: int = 0) -> tuple[np.ndarray, ConvCache]:
    """Forward pass of a 2-D convolution layer (cross-correlation), NCHW.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        Input batch.
    w : array_like, shape (F, C, KH, KW)
        F filters, each spanning all C input channels.
    b : array_like, shape (F,), optional
        One bias per filter; None (default) means no bias.
    stride : int, default 1
        Step between windows, the same in both directions.
    padding : int, default 0
        Zeros added on each of the four sides.

    Returns
    -------
    out : ndarray, shape (N, F, OH, OW)
        ``OH = (H + 2 padding - KH) // stride + 1``, likewise ``OW``.
        float32 when ``x`` and ``w`` are both float32 arrays (``b`` is
        converted to their dtype), float64 otherwise.
    cache : ConvCache
        For :func:`conv2d_backward`.

    Raises
    ------
    ValueError
        If ``x`` or ``w`` is not 4-D, their channels differ, ``b`` is not
        (F,), ``stride`` < 1, ``padding`` < 0, or the kernel is larger than
        the padded input.
    TypeError
        If ``stride`` or ``padding`` is not an int.

    Notes
    -----
    With :math:`\\tilde x` the zero-padded input and :math:`s` the stride,

    .. math:: \\mathrm{out}_{n f h w} = b_f + \\sum_{c, i, j}
              \\tilde x_{n, c, s h + i, s w + j}\\, w_{f c i j}

    Gathering the windows of each example into the columns of a matrix
    (im2col) of shape (C KH KW, OH OW) turns this into one matrix product
    per example with the (F, C KH KW) matrix of filters.

    References
    ----------
    .. [1] K. Chellapilla, S. Puri, P. Simard, "High performance
       convolutional neural networks for document processing", 2006.

    Examples
    --------
    One 3x3 image of ones, one 2x2 filter of ones, padding 1: each output
    counts the ones under the window.

    >>> out, _ = conv2d_forward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), padding=1)
    >>> out[0, 0]
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    """
    dtype = _dtype(x, w)
    x = float_array("x", x, ndim=4, dtype=dtype)
    w = float_array("w", w, ndim=4, dtype=dtype)
    stride = positive_int("stride", stride)
    padding = nonneg_int("padding", padding)
    n, c, h, wd = x.shape
    f, cw, kh, kw = w.shape
    if cw != c:
        raise ValueError(f"w must have {c} input channels to match x, got {cw} "
                         f"(w shape {w.shape}, x shape {x.shape})")
    if b is not None:
        b = float_array("b", b, ndim=1, dtype=dtype)
        if b.shape != (f,):
            raise ValueError(f"b must have shape ({f},), one per filter, got {b.shape}")
    _check_kernel_fits("w", kh, kw, h, wd, padding)
    with np.errstate(over="ignore", invalid="ignore"):
        out, cache = _conv2d_forward(x, w, b, stride=stride, padding=padding)
    finite_result(out, "conv2d_forward's output", "x, w or b")
    return out, cache


def _conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *, stride: int,
                    padding: int) -> tuple[np.ndarray, ConvCache]:
    """The arithmetic of :func:`conv2d_forward`, on checked arguments."""
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (wd + 2 * padding - kw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    # im2col: for each example, rows (c, i, j) and columns (oh, ow); the reshape copies once.
    cols = _windows(xp, kh, kw, stride).reshape(n, c * kh * kw, oh * ow)
    out = (w.reshape(f, c * kh * kw) @ cols).reshape(n, f, oh, ow)  # (F, CKK) @ (N, CKK, P)
    if b is not None:
        out += b[:, None, None]
    return out, ConvCache(cols, w, x.shape, stride, padding, b is not None)


def conv2d_backward(dout: ArrayLike, cache: ConvCache
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Backward pass of :func:`conv2d_forward`.

    Parameters
    ----------
    dout : array_like, shape (N, F, OH, OW)
        Gradient of the loss with respect to the forward's ``out``.
    cache : ConvCache
        From :func:`conv2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (F, C, KH, KW)
    db : ndarray, shape (F,) or None
        None when the forward had no bias. All float32 when the forward
        computed in float32 and ``dout`` is float32, float64 otherwise.

    Raises
    ------
    ValueError
        If ``dout`` does not have the forward output's shape.

    Notes
    -----
    Writing the forward of example :math:`n` as
    :math:`\\mathrm{out}_n = W \\mathrm{cols}_n + b`,

    .. math:: \\frac{\\partial L}{\\partial W} = \\sum_n D_n \\mathrm{cols}_n^T, \\quad
              \\frac{\\partial L}{\\partial b_f} = \\sum_{n,h,w} \\mathrm{dout}_{nfhw}, \\quad
              \\frac{\\partial L}{\\partial \\mathrm{cols}_n} = W^T D_n

    with :math:`D_n` the (F, OH OW) matrix of ``dout[n]``; col2im then adds
    every window's gradient back onto the pixels it was read from (a pixel
    in several windows collects several terms), and the padding is cut off.

    Examples
    --------
    Every output depends on every weight through one pixel of ones:

    >>> out, cache = conv2d_forward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)))
    >>> dx, dw, db = conv2d_backward(np.ones_like(out), cache)
    >>> dx[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> dw[0, 0], db
    (array([[4., 4.],
           [4., 4.]]), None)
    """
    _record("cache", cache, ConvCache, "conv2d_forward")
    n, c, h, wd = _shape_field("cache", cache.x_shape, "x_shape", 4)
    stride = positive_int("cache.stride", cache.stride)
    padding = nonneg_int("cache.padding", cache.padding)
    has_bias = cache.has_bias
    if not isinstance(has_bias, (bool, np.bool_)):
        raise TypeError(f"cache.has_bias must be a bool, got {has_bias!r}")
    w = _field("cache", cache, "w", ndim=4)
    f, cw, kh, kw = w.shape
    if cw != c or kh > h + 2 * padding or kw > wd + 2 * padding:
        raise ValueError(f"cache.w of shape {w.shape} does not fit cache.x_shape "
                         f"{cache.x_shape} with padding {padding}")
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (wd + 2 * padding - kw) // stride + 1
    cols = _field("cache", cache, "cols", shape=(n, c * kh * kw, oh * ow))
    dtype = _dtype(dout, cols)
    dout = float_array("dout", dout, ndim=4, dtype=dtype)
    cols, w = cols.astype(dtype, copy=False), w.astype(dtype, copy=False)
    if dout.shape != (n, f, oh, ow):
        raise ValueError(f"dout must have shape {(n, f, oh, ow)}, got {dout.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        dx, dw, db = _conv2d_backward(dout, ConvCache(cols, w, (n, c, h, wd), stride, padding,
                                                      bool(has_bias)))
    finite_result(dx, "conv2d_backward's dx", "dout or cache")
    finite_result(dw, "conv2d_backward's dw", "dout or cache")
    return dx, dw, db


def _conv2d_backward(dout: np.ndarray, cache: ConvCache
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The arithmetic of :func:`conv2d_backward`, on a checked cache and ``dout``."""
    n, c, h, wd = cache.x_shape
    f, _, kh, kw = cache.w.shape
    _, _, oh, ow = dout.shape
    padding = cache.padding
    d = dout.reshape(n, f, oh * ow)
    dw = (d @ cache.cols.transpose(0, 2, 1)).sum(axis=0).reshape(cache.w.shape)
    db = dout.sum(axis=(0, 2, 3)) if cache.has_bias else None
    dcols = (cache.w.reshape(f, c * kh * kw).T @ d).reshape(n, c, kh, kw, oh, ow)
    dxp = _scatter_windows(dcols, (n, c, h + 2 * padding, wd + 2 * padding), cache.stride)
    dx = dxp[:, :, padding:padding + h, padding:padding + wd]
    return np.ascontiguousarray(dx), dw, db



class PoolCache(NamedTuple):
    """What the pooling backward passes need from their forward."""
    x_shape: tuple        # (N, C, H, W)
    kernel: int
    stride: int
    argmax: np.ndarray | None  # (N, C, OH, OW) flat index in the window; None for average
    dtype: type = np.float64   # of the forward's input


def _pool_args(x: ArrayLike, kernel: int, stride: int | None) -> tuple[np.ndarray, int, int]:
    x = float_array("x", x, ndim=4, dtype=_dtype(x))
    kernel = positive_int("kernel", kernel)
    stride = kernel if stride is None else positive_int("stride", stride)
    _check_kernel_fits("kernel", kernel, kernel, x.shape[2], x.shape[3], 0)
    return x, kernel, stride


def _pool_dout(dout: ArrayLike, cache: PoolCache, forward: str) -> np.ndarray:
    _record("cache", cache, PoolCache, forward)
    n, c, h, w = _shape_field("cache", cache.x_shape, "x_shape", 4)
    k = positive_int("cache.kernel", cache.kernel)
    s = positive_int("cache.stride", cache.stride)
    if k > min(h, w):
        raise ValueError(f"cache.kernel {k} does not fit cache.x_shape {cache.x_shape}")
    oh = (h - k) // s + 1
    ow = (w - k) // s + 1
    if forward == "maxpool2d_forward":
        argmax = cache.argmax
        if not (isinstance(argmax, np.ndarray) and argmax.dtype.kind in "iu"
                and argmax.shape == (n, c, oh, ow)
                and argmax.min() >= 0 and argmax.max() < k * k):  # n, c, oh, ow >= 1
            raise ValueError(f"cache.argmax must be an int array of shape {(n, c, oh, ow)} "
                             f"with entries in [0, {k * k}), got {argmax!r}"[:300])
    dtype = _dtype(dout) if cache.dtype == np.float32 else np.float64
    dout = float_array("dout", dout, ndim=4, dtype=dtype)
    if dout.shape != (n, c, oh, ow):
        raise ValueError(f"dout must have shape {(n, c, oh, ow)}, got {dout.shape}")
    return dout


def maxpool2d_forward(x: ArrayLike, *, kernel: int, stride: int | None = None
                      ) -> tuple[np.ndarray, PoolCache]:
    """Forward pass of 2-D max pooling over square windows, NCHW.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    kernel : int
        Side of the square window.
    stride : int, optional
        Step between windows; defaults to ``kernel`` (non-overlapping
        windows). A stride below ``kernel`` gives overlapping windows.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW)
        ``OH = (H - kernel) // stride + 1``, likewise ``OW``; rows and
        columns left over at the bottom and right are dropped.
    cache : PoolCache
        For :func:`maxpool2d_backward`.

    Raises
    ------
    ValueError
        If ``x`` is not 4-D, ``kernel`` or ``stride`` is not positive, or
        the window is larger than the input.
    TypeError
        If ``kernel`` or ``stride`` is not an int.

    Notes
    -----
    .. math:: \\mathrm{out}_{nchw} = \\max_{0 \\le i, j < k}
              x_{n, c, s h + i, s w + j}

    Examples
    --------
    >>> x = np.array([[1., 2., 0., 0.],
    ...               [3., 4., 0., 1.],
    ...               [0., 0., 5., 6.],
    ...               [0., 0., 7., 8.]]).reshape(1, 1, 4, 4)
    >>> out, _ = maxpool2d_forward(x, kernel=2)
    >>> out[0, 0]
    array([[4., 1.],
           [0., 8.]])
    """
    x, kernel, stride = _pool_args(x, kernel, stride)
    return _maxpool2d_forward(x, kernel=kernel, stride=stride)


def _maxpool2d_forward(x: np.ndarray, *, kernel: int, stride: int
                       ) -> tuple[np.ndarray, PoolCache]:
    """The arithmetic of :func:`maxpool2d_forward`, on checked arguments."""
    win = _windows(x, kernel, kernel, stride)
    n, c, _, _, oh, ow = win.shape
    flat = win.reshape(n, c, kernel * kernel, oh, ow)    # window entries in row-major order
    argmax = flat.argmax(axis=2)                         # the first maximum on ties
    out = np.take_along_axis(flat, argmax[:, :, None], axis=2)[:, :, 0]
    return out, PoolCache(x.shape, kernel, stride, argmax, x.dtype.type)


def maxpool2d_backward(dout: ArrayLike, cache: PoolCache) -> np.ndarray:
    """Backward pass of :func:`maxpool2d_forward`.

    Parameters
    ----------
    dout : array_like, shape (N, C, OH, OW)
    cache : PoolCache
        From :func:`maxpool2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Raises
    ------
    ValueError
        If ``dout`` does not have the forward output's shape.

    Notes
    -----
    The maximum passes its input through with slope 1 and ignores the rest:

    .. math:: \\frac{\\partial\\, \\mathrm{out}_{nchw}}{\\partial x_{n,c,sh+i,sw+j}}
              = [\\,(i, j) = \\arg\\max\\,]

    so each window's gradient goes to its argmax (the first maximum, in
    row-major order, when there are ties). With overlapping windows a pixel
    that is the maximum of several windows collects all their gradients.

    Examples
    --------
    >>> x = np.array([[1., 2.], [3., 4.]]).reshape(1, 1, 2, 2)
    >>> out, cache = maxpool2d_forward(x, kernel=2)
    >>> maxpool2d_backward(np.ones((1, 1, 1, 1)), cache)[0, 0]
    array([[0., 0.],
           [0., 1.]])
    """
    return _maxpool2d_backward(_pool_dout(dout, cache, "maxpool2d_forward"), cache)


def _maxpool2d_backward(dout: np.ndarray, cache: PoolCache) -> np.ndarray:
    """The arithmetic of :func:`maxpool2d_backward`, on a checked cache and ``dout``."""
    k = cache.kernel
    n, c, oh, ow = dout.shape
    argmax = cache.argmax
    assert argmax is not None                            # a max-pooling cache
    onehot = np.arange(k * k)[:, None, None] == argmax[:, :, None]  # (N, C, k*k, OH, OW)
    dwin = (onehot * dout[:, :, None]).reshape(n, c, k, k, oh, ow)
    return _scatter_windows(dwin, cache.x_shape, cache.stride)


def avgpool2d_forward(x: ArrayLike, *, kernel: int, stride: int | None = None
                      ) -> tuple[np.ndarray, PoolCache]:
    """Forward pass of 2-D average pooling over square windows, NCHW.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    kernel : int
        Side of the square window.
    stride : int, optional
        Step between windows; defaults to ``kernel``.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW)
        ``OH = (H - kernel) // stride + 1``, likewise ``OW``.
    cache : PoolCache
        For :func:`avgpool2d_backward`.

    Raises
    ------
    ValueError, TypeError
        As :func:`maxpool2d_forward`.

    Notes
    -----
    .. math:: \\mathrm{out}_{nchw} = \\frac{1}{k^2} \\sum_{0 \\le i, j < k}
              x_{n, c, s h + i, s w + j}

    Examples
    --------
    >>> x = np.array([[1., 1., 0., 0.],
    ...               [1., 1., 0., 1.],
    ...               [0., 0., 1., 1.],
    ...               [0., 0., 0., 1.]]).reshape(1, 1, 4, 4)
    >>> out, _ = avgpool2d_forward(x, kernel=2)
    >>> out[0, 0]
    array([[1.  , 0.25],
           [0.  , 0.75]])
    """
    x, kernel, stride = _pool_args(x, kernel, stride)
    win = _windows(x, kernel, kernel, stride)
    with np.errstate(over="ignore"):
        out = win.mean(axis=(2, 3))
        if not np.all(np.isfinite(out)):   # the sum overflowed: divide first
            out = (win / (kernel * kernel)).sum(axis=(2, 3))
    return out, PoolCache(x.shape, kernel, stride, None, x.dtype.type)


def avgpool2d_backward(dout: ArrayLike, cache: PoolCache) -> np.ndarray:
    """Backward pass of :func:`avgpool2d_forward`.

    Parameters
    ----------
    dout : array_like, shape (N, C, OH, OW)
    cache : PoolCache
        From :func:`avgpool2d_forward`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Raises
    ------
    ValueError
        If ``dout`` does not have the forward output's shape.

    Notes
    -----
    Each of the :math:`k^2` inputs of a window has slope :math:`1/k^2`:

    .. math:: \\frac{\\partial L}{\\partial x_{n,c,sh+i,sw+j}}
              \\mathrel{+}= \\frac{1}{k^2}\\, \\mathrm{dout}_{nchw}

    Examples
    --------
    >>> _, cache = avgpool2d_forward(np.zeros((1, 1, 2, 2)), kernel=2)
    >>> avgpool2d_backward(np.ones((1, 1, 1, 1)), cache)[0, 0]
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    dout = _pool_dout(dout, cache, "avgpool2d_forward")
    k = cache.kernel
    n, c, oh, ow = dout.shape
    dwin = np.broadcast_to((dout / (k * k))[:, :, None, None], (n, c, k, k, oh, ow))
    return _scatter_windows(dwin, cache.x_shape, cache.stride)



class AffineCache(NamedTuple):
    """What :func:`affine_backward` needs from :func:`affine_forward`."""
    x: np.ndarray         # (N, D)
    w: np.ndarray         # (D, M)


def affine_forward(x: ArrayLike, w: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, AffineCache]:
    """Forward pass of a fully connected (affine) layer.

    Parameters
    ----------
    x : array_like, shape (N, D)
        N examples of D features (flatten images first).
    w : array_like, shape (D, M)
    b : array_like, shape (M,)

    Returns
    -------
    out : ndarray, shape (N, M)
        float32 when ``x`` and ``w`` are both float32 arrays (``b`` is
        converted to their dtype), float64 otherwise.
    cache : AffineCache

    Raises
    ------
    ValueError
        If ``x`` or ``w`` is not 2-D or the shapes do not match.

    Notes
    -----
    .. math:: \\mathrm{out} = x W + b

    Examples
    --------
    >>> out, _ = affine_forward([[1., 2.]], [[1., 0., 1.], [0., 1., 1.]], [0., 0., 10.])
    >>> out
    array([[ 1.,  2., 13.]])
    """
    dtype = _dtype(x, w)
    x = float_array("x", x, ndim=2, dtype=dtype)
    w = float_array("w", w, ndim=2, dtype=dtype)
    b = float_array("b", b, ndim=1, dtype=dtype)
    if w.shape[0] != x.shape[1]:
        raise ValueError(f"w must have {x.shape[1]} rows to match x of shape {x.shape}, "
                         f"got shape {w.shape}")
    if b.shape != (w.shape[1],):
        raise ValueError(f"b must have shape ({w.shape[1]},) to match w, got {b.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        out, cache = _affine_forward(x, w, b)
    return finite_result(out, "affine_forward's output", "x, w or b"), cache


def _affine_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray
                    ) -> tuple[np.ndarray, AffineCache]:
    """The arithmetic of :func:`affine_forward`, on checked arguments."""
    return x @ w + b, AffineCache(x, w)


def affine_backward(dout: ArrayLike, cache: AffineCache
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`affine_forward`.

    Parameters
    ----------
    dout : array_like, shape (N, M)
    cache : AffineCache

    Returns
    -------
    dx : ndarray, shape (N, D)
    dw : ndarray, shape (D, M)
    db : ndarray, shape (M,)

    Raises
    ------
    ValueError
        If ``dout`` does not have the forward output's shape.

    Notes
    -----
    .. math:: \\frac{\\partial L}{\\partial x} = D W^T, \\quad
              \\frac{\\partial L}{\\partial W} = x^T D, \\quad
              \\frac{\\partial L}{\\partial b} = \\textstyle\\sum_n D_n

    Examples
    --------
    >>> _, cache = affine_forward([[1., 2.]], [[1.], [3.]], [0.])
    >>> affine_backward([[1.]], cache)
    (array([[1., 3.]]), array([[1.],
           [2.]]), array([1.]))
    """
    _record("cache", cache, AffineCache, "affine_forward")
    dtype = _dtype(dout, cache.x, cache.w)
    x = _field("cache", cache, "x", ndim=2, dtype=dtype)
    w = _field("cache", cache, "w", ndim=2, dtype=dtype, shape=(x.shape[1], None))
    dout = float_array("dout", dout, ndim=2, dtype=dtype)
    if dout.shape != (x.shape[0], w.shape[1]):
        raise ValueError(f"dout must have shape {(x.shape[0], w.shape[1])}, got {dout.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        grads = _affine_backward(dout, AffineCache(x, w))
    for name, g in zip(("dx", "dw", "db"), grads):
        finite_result(g, f"affine_backward's {name}", "dout or cache")
    return grads


def _affine_backward(dout: np.ndarray, cache: AffineCache
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The arithmetic of :func:`affine_backward`, on a checked cache and ``dout`` (or on
    stacks of them: arrays with leading axes, which the matrix products broadcast)."""
    return (dout @ np.swapaxes(cache.w, -1, -2), np.swapaxes(cache.x, -1, -2) @ dout,
            dout.sum(axis=-2))



class ActivationCache(NamedTuple):
    """The input (ReLU) or the output (sigmoid, tanh) of an activation layer."""
    value: np.ndarray


def _same_shape_dout(dout: ArrayLike, cache: ActivationCache, forward: str,
                     low: float | None = None, high: float | None = None) -> np.ndarray:
    _record("cache", cache, ActivationCache, forward)
    value = _field("cache", cache, "value")
    if (low is not None and np.any(value < low)) or (high is not None and np.any(value > high)):
        raise ValueError(f"cache.value must lie in [{low}, {high}] (outputs of {forward}), "
                         f"got values from {value.min()} to {value.max()}")
    dout = float_array("dout", dout, dtype=_dtype(dout, value))
    if dout.shape != cache.value.shape:
        raise ValueError(f"dout must have shape {cache.value.shape}, got {dout.shape}")
    return dout


def relu_forward(x: ArrayLike) -> tuple[np.ndarray, ActivationCache]:
    """Forward pass of a ReLU layer, any shape.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    out : ndarray, same shape as ``x``
    cache : ActivationCache
        Holds ``x``.

    Notes
    -----
    .. math:: \\mathrm{out} = \\max(x, 0)

    Examples
    --------
    >>> relu_forward([-1., 2.])[0]
    array([0., 2.])
    """
    return _relu_forward(float_array("x", x, dtype=_dtype(x)))


def _relu_forward(x: np.ndarray) -> tuple[np.ndarray, ActivationCache]:
    return np.maximum(x, 0.0), ActivationCache(x)


def relu_backward(dout: ArrayLike, cache: ActivationCache) -> np.ndarray:
    """Backward pass of :func:`relu_forward`.

    Parameters
    ----------
    dout : array_like, same shape as the input
    cache : ActivationCache

    Returns
    -------
    dx : ndarray

    Raises
    ------
    ValueError
        If ``dout`` does not have the input's shape.

    Notes
    -----
    .. math:: \\frac{\\partial L}{\\partial x} = \\mathrm{dout} \\cdot [x > 0]

    (the subgradient 0 at :math:`x = 0`).

    Examples
    --------
    >>> _, cache = relu_forward([-1., 2.])
    >>> relu_backward([5., 5.], cache)
    array([0., 5.])
    """
    return _relu_backward(_same_shape_dout(dout, cache, "relu_forward"), cache)


def _relu_backward(dout: np.ndarray, cache: ActivationCache) -> np.ndarray:
    return np.where(cache.value > 0, dout, 0.0)


def sigmoid_forward(x: ArrayLike) -> tuple[np.ndarray, ActivationCache]:
    """Forward pass of a sigmoid layer, any shape.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    out : ndarray, same shape as ``x``
    cache : ActivationCache
        Holds ``out``.

    Notes
    -----
    .. math:: \\mathrm{out} = \\sigma(x) = 1 / (1 + e^{-x})

    computed without overflow by :func:`~dlcalc.activations.sigmoid`.

    Examples
    --------
    >>> sigmoid_forward([0.])[0]
    array([0.5])
    """
    return _sigmoid_forward(float_array("x", x, dtype=_dtype(x)))


def _sigmoid_forward(x: np.ndarray) -> tuple[np.ndarray, ActivationCache]:
    # computed in float64, returned in the dtype of x
    out = _sigmoid(np.asarray(x, dtype=np.float64)).astype(x.dtype)
    return out, ActivationCache(out)


def sigmoid_backward(dout: ArrayLike, cache: ActivationCache) -> np.ndarray:
    """Backward pass of :func:`sigmoid_forward`.

    Parameters
    ----------
    dout : array_like, same shape as the input
    cache : ActivationCache

    Returns
    -------
    dx : ndarray

    Raises
    ------
    ValueError
        If ``dout`` does not have the input's shape.

    Notes
    -----
    .. math:: \\frac{\\partial L}{\\partial x} = \\mathrm{dout} \\cdot
              \\sigma(x)(1 - \\sigma(x))

    Examples
    --------
    >>> _, cache = sigmoid_forward([0.])
    >>> sigmoid_backward([1.], cache)
    array([0.25])
    """
    return _sigmoid_backward(_same_shape_dout(dout, cache, "sigmoid_forward", 0.0, 1.0), cache)


def _sigmoid_backward(dout: np.ndarray, cache: ActivationCache) -> np.ndarray:
    s = cache.value
    return dout * s * (1.0 - s)


def tanh_forward(x: ArrayLike) -> tuple[np.ndarray, ActivationCache]:
    """Forward pass of a tanh layer, any shape.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    out : ndarray, same shape as ``x``
    cache : ActivationCache
        Holds ``out``.

    Notes
    -----
    .. math:: \\mathrm{out} = \\tanh x

    Examples
    --------
    >>> tanh_forward([0.])[0]
    array([0.])
    """
    return _tanh_forward(float_array("x", x, dtype=_dtype(x)))


def _tanh_forward(x: np.ndarray) -> tuple[np.ndarray, ActivationCache]:
    out = np.tanh(x)
    return out, ActivationCache(out)


def tanh_backward(dout: ArrayLike, cache: ActivationCache) -> np.ndarray:
    """Backward pass of :func:`tanh_forward`.

    Parameters
    ----------
    dout : array_like, same shape as the input
    cache : ActivationCache

    Returns
    -------
    dx : ndarray

    Raises
    ------
    ValueError
        If ``dout`` does not have the input's shape.

    Notes
    -----
    .. math:: \\frac{\\partial L}{\\partial x} = \\mathrm{dout} \\cdot (1 - \\tanh^2 x)

    Examples
    --------
    >>> _, cache = tanh_forward([0.])
    >>> tanh_backward([2.], cache)
    array([2.])
    """
    return _tanh_backward(_same_shape_dout(dout, cache, "tanh_forward", -1.0, 1.0), cache)


def _tanh_backward(dout: np.ndarray, cache: ActivationCache) -> np.ndarray:
    t = cache.value
    return dout * (1.0 - t * t)



class BatchnormCache(NamedTuple):
    """Batch statistics and what :func:`batchnorm_backward` needs."""
    xhat: np.ndarray      # (N, D) normalised input
    mean: np.ndarray      # (D,) batch mean
    var: np.ndarray       # (D,) biased batch variance
    inv_std: np.ndarray   # (D,) 1 / sqrt(var + eps)
    gamma: np.ndarray     # (D,)


def _bn_params(x: ArrayLike, gamma: ArrayLike, beta: ArrayLike, eps: float
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    x = float_array("x", x, ndim=2, dtype=_dtype(x))
    d = x.shape[1]
    params = []
    for name, value in (("gamma", gamma), ("beta", beta)):
        arr = float_array(name, value, ndim=(0, 1), dtype=x.dtype)
        if arr.shape not in ((), (d,)):
            raise ValueError(f"{name} must be a number or have shape ({d},) to match x, "
                             f"got {arr.shape}")
        params.append(np.broadcast_to(arr, (d,)).copy())
    eps = finite_float("eps", eps, low=0.0, low_open=True)
    return x, params[0], params[1], eps


def batchnorm_forward(x: ArrayLike, gamma: ArrayLike, beta: ArrayLike, *, eps: float = 1e-5
                      ) -> tuple[np.ndarray, BatchnormCache]:
    """Forward pass of batch normalisation in training mode.

    Parameters
    ----------
    x : array_like, shape (N, D)
        A batch of N examples of D features; each feature is normalised
        over the batch (axis 0).
    gamma : float or array_like, shape (D,)
        Scale, one per feature (a number is used for every feature).
    beta : float or array_like, shape (D,)
        Shift, one per feature.
    eps : float, default 1e-5
        Added to the variance before the square root.

    Returns
    -------
    out : ndarray, shape (N, D)
    cache : BatchnormCache
        Holds the batch ``mean`` and biased ``var`` (for running averages)
        and what :func:`batchnorm_backward` needs.

    Raises
    ------
    ValueError
        If ``x`` is not 2-D or has no rows, ``gamma``/``beta`` do not have D
        entries, or ``eps`` is not positive.

    Notes
    -----
    .. math:: \\mu = \\frac{1}{N}\\sum_n x_n, \\quad
              \\sigma^2 = \\frac{1}{N}\\sum_n (x_n - \\mu)^2, \\quad
              \\hat x_n = \\frac{x_n - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}}, \\quad
              \\mathrm{out}_n = \\gamma \\hat x_n + \\beta

    References
    ----------
    .. [1] S. Ioffe, C. Szegedy, "Batch normalization: accelerating deep
       network training by reducing internal covariate shift", ICML 2015.

    Examples
    --------
    x = [2, 4, 6, 8, 10] as one feature: mean 6, variance (16+4+0+4+16)/5 = 8,
    so xhat = (x - 6)/sqrt(8) and out = 2 xhat - 1:

    >>> out, cache = batchnorm_forward([[2.], [4.], [6.], [8.], [10.]], 2.0, -1.0)
    >>> cache.mean, cache.var
    (array([6.]), array([8.]))
    >>> out[:, 0]
    array([-3.828426, -2.414213, -1. , 0.414213, 1.828426])
    """
    x, gamma, beta, eps = _bn_params(x, gamma, beta, eps)
    if x.shape[0] == 0:
        raise ValueError(f"x must have at least one row (a batch to take statistics of), "
                         f"got shape {x.shape}")
    # Computed on x / scale, scale a power of two near the largest |x| of each feature, so
    # that neither the sum of the mean nor the squares of the variance overflow for large
    # finite x; dividing by a power of two is exact, so nothing else changes.
    largest = np.abs(x).max(axis=0)
    exponent = np.frexp(np.where(largest > 0, largest, 1.0))[1]
    scale = np.ldexp(np.ones_like(largest), exponent - 1).astype(x.dtype)
    xs = x / scale
    mean_s = xs.mean(axis=0)
    var_s = ((xs - mean_s) ** 2).mean(axis=0)
    with np.errstate(over="ignore", under="ignore"):
        mean, var = mean_s * scale, var_s * scale * scale
    finite_result(var, "the batch variance", "x")
    inv_std = 1.0 / np.sqrt(var + eps)
    with np.errstate(over="ignore", invalid="ignore"):
        # a constant feature of huge values: var = 0, scale * inv_std overflows, xhat is 0
        xhat = np.where(xs == mean_s, 0.0, (xs - mean_s) * (scale * inv_std)).astype(x.dtype)
        out = gamma * xhat + beta
    finite_result(out, "batchnorm_forward's output", "gamma or beta")
    return out, BatchnormCache(xhat, mean, var, inv_std, gamma)


def batchnorm_backward(dout: ArrayLike, cache: BatchnormCache
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`batchnorm_forward` (training mode).

    Parameters
    ----------
    dout : array_like, shape (N, D)
    cache : BatchnormCache

    Returns
    -------
    dx : ndarray, shape (N, D)
    dgamma : ndarray, shape (D,)
    dbeta : ndarray, shape (D,)

    Raises
    ------
    ValueError
        If ``dout`` does not have the forward output's shape.

    Notes
    -----
    The mean and variance depend on every :math:`x_n`, so the gradient has
    three paths; with :math:`g_n = \\gamma\\, \\mathrm{dout}_n` they combine to

    .. math:: \\frac{\\partial L}{\\partial x_n} = \\frac{1}{N\\sqrt{\\sigma^2+\\epsilon}}
              \\Big(N g_n - \\sum_m g_m - \\hat x_n \\sum_m g_m \\hat x_m\\Big),

    and :math:`\\partial L/\\partial\\gamma = \\sum_n \\mathrm{dout}_n \\hat x_n`,
    :math:`\\partial L/\\partial\\beta = \\sum_n \\mathrm{dout}_n`.

    Examples
    --------
    A gradient that is the same for every example is removed by the
    mean subtraction:

    >>> _, cache = batchnorm_forward([[1.], [3.]], 1.0, 0.0)
    >>> dx, dgamma, dbeta = batchnorm_backward([[1.], [1.]], cache)
    >>> dx[:, 0], dgamma, dbeta
    (array([0., 0.]), array([0.]), array([2.]))
    """
    _record("cache", cache, BatchnormCache, "batchnorm_forward")
    dtype = _dtype(dout, cache.xhat)
    xhat = _field("cache", cache, "xhat", ndim=2, dtype=dtype)
    d = xhat.shape[1]
    inv_std, gamma = (_field("cache", cache, f, dtype=dtype, shape=(d,))
                      for f in ("inv_std", "gamma"))
    if np.any(inv_std <= 0):
        raise ValueError(f"cache.inv_std must be positive (1 / sqrt(var + eps)), "
                         f"got {inv_std.tolist()}")
    dout = float_array("dout", dout, ndim=2, dtype=dtype)
    if dout.shape != xhat.shape:
        raise ValueError(f"dout must have shape {xhat.shape}, got {dout.shape}")
    n = xhat.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        g = dout * gamma
        dx = inv_std / n * (n * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
        grads = dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
    for name, grad in zip(("dx", "dgamma", "dbeta"), grads):
        finite_result(grad, f"batchnorm_backward's {name}", "dout or cache")
    return grads


def batchnorm_inference(x: ArrayLike, gamma: ArrayLike, beta: ArrayLike, *,
                        running_mean: ArrayLike, running_var: ArrayLike,
                        eps: float = 1e-5) -> np.ndarray:
    """Batch normalisation at test time, with fixed (running) statistics.

    Parameters
    ----------
    x : array_like, shape (N, D)
    gamma, beta : float or array_like, shape (D,)
    running_mean : array_like, shape (D,)
        Mean estimated during training.
    running_var : array_like, shape (D,)
        Variance estimated during training, non-negative.
    eps : float, default 1e-5

    Returns
    -------
    out : ndarray, shape (N, D)

    Raises
    ------
    ValueError
        If a shape does not match, ``running_var`` is negative or ``eps``
        is not positive.

    Notes
    -----
    .. math:: \\mathrm{out} = \\gamma\\, \\frac{x - \\mu_{\\mathrm{run}}}
              {\\sqrt{\\sigma^2_{\\mathrm{run}} + \\epsilon}} + \\beta

    Each example is normalised on its own, so the output does not depend on
    the rest of the batch.

    Examples
    --------
    >>> batchnorm_inference([[7.]], 1.0, 0.0, running_mean=[3.], running_var=[4.], eps=1e-12)
    array([[2.]])
    """
    x, gamma, beta, eps = _bn_params(x, gamma, beta, eps)
    d = x.shape[1]
    stats = []
    for name, value in (("running_mean", running_mean), ("running_var", running_var)):
        arr = float_array(name, value, ndim=1, dtype=x.dtype)
        if arr.shape != (d,):
            raise ValueError(f"{name} must have shape ({d},) to match x, got {arr.shape}")
        stats.append(arr)
    mean, var = stats
    if np.any(var < 0):
        raise ValueError(f"running_var must be non-negative, got {var.tolist()}")
    with np.errstate(over="ignore", invalid="ignore"):
        # halves first: x - mean stays finite for any finite x and mean
        out = gamma * ((x / 2 - mean / 2) / np.sqrt(var + eps)) * 2 + beta
    return finite_result(out, "batchnorm_inference's output",
                         "x, gamma, beta, running_mean or running_var")



class DropoutCache(NamedTuple):
    """The mask and the factor by which the forward multiplied its input."""
    mask: np.ndarray | None   # boolean, True = kept; None when train=False
    multiplier: np.ndarray | np.floating  # out = x * multiplier, in the dtype of x


def dropout_forward(x: ArrayLike, *, p_keep: float, rng: np.random.Generator,
                    inverted: bool = True, train: bool = True
                    ) -> tuple[np.ndarray, DropoutCache]:
    """Forward pass of dropout, vanilla or inverted.

    Parameters
    ----------
    x : array_like, any shape
    p_keep : float in (0, 1]
        Probability of keeping a unit (not of dropping it).
    rng : numpy.random.Generator
        Source of the mask, e.g. ``np.random.default_rng(0)``.
    inverted : bool, default True
        Inverted dropout divides the kept units by ``p_keep`` at training
        time and leaves the layer out at test time; vanilla dropout
        (``False``) keeps the units as they are at training time and
        multiplies by ``p_keep`` at test time.
    train : bool, default True
        Training (random mask) or test (deterministic) behaviour.

    Returns
    -------
    out : ndarray, same shape as ``x``
    cache : DropoutCache

    Raises
    ------
    ValueError
        If ``p_keep`` is not in (0, 1].
    TypeError
        If ``rng`` is not a ``numpy.random.Generator`` or ``inverted`` /
        ``train`` is not a bool.

    Notes
    -----
    With a mask :math:`m_i \\sim \\mathrm{Bernoulli}(p)`:

    ======== ========================= =====================
    scheme   training                  test
    ======== ========================= =====================
    vanilla  :math:`m \\odot x`          :math:`p\\, x`
    inverted :math:`m \\odot x / p`      :math:`x`
    ======== ========================= =====================

    In both schemes the expected training output equals the test output
    (:math:`E[m_i] = p`).

    References
    ----------
    .. [1] N. Srivastava, G. Hinton, A. Krizhevsky, I. Sutskever,
       R. Salakhutdinov, "Dropout: a simple way to prevent neural networks
       from overfitting", JMLR 15, 2014.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> dropout_forward([2., 2.], p_keep=0.5, rng=rng, train=False)[0]
    array([2., 2.])
    >>> dropout_forward([2., 2.], p_keep=0.5, rng=rng, inverted=False, train=False)[0]
    array([1., 1.])
    """
    x = float_array("x", x, dtype=_dtype(x))
    p_keep = finite_float("p_keep", p_keep, low=0.0, low_open=True, high=1.0)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {rng!r}")
    for name, flag in (("inverted", inverted), ("train", train)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be a bool, got {flag!r}")
    with np.errstate(over="ignore"):
        out, cache = _dropout_forward(x, p_keep=p_keep, rng=rng, inverted=bool(inverted),
                                      train=bool(train))
    return finite_result(out, "dropout_forward's output", "x or p_keep"), cache


def _dropout_forward(x: np.ndarray, *, p_keep: float, rng: np.random.Generator,
                     inverted: bool, train: bool) -> tuple[np.ndarray, DropoutCache]:
    """The arithmetic of :func:`dropout_forward`, on checked arguments."""
    mask: np.ndarray | None
    if train:
        mask = rng.random(x.shape) < p_keep
        multiplier: Any = (mask / p_keep if inverted else mask).astype(x.dtype)
    else:
        mask = None
        multiplier = x.dtype.type(1.0 if inverted else p_keep)
    return x * multiplier, DropoutCache(mask, multiplier)


def dropout_backward(dout: ArrayLike, cache: DropoutCache) -> np.ndarray:
    """Backward pass of :func:`dropout_forward`.

    Parameters
    ----------
    dout : array_like, same shape as the input
    cache : DropoutCache

    Returns
    -------
    dx : ndarray

    Raises
    ------
    ValueError
        If ``dout`` does not have the mask's shape.

    Notes
    -----
    The forward is a multiplication by a fixed (once drawn) factor, so

    .. math:: \\frac{\\partial L}{\\partial x} = \\mathrm{dout} \\odot \\mathrm{multiplier}

    Examples
    --------
    >>> _, cache = dropout_forward([1., 1.], p_keep=0.5, rng=np.random.default_rng(0),
    ...                            train=False, inverted=False)
    >>> dropout_backward([4., 4.], cache)
    array([2., 2.])
    """
    _record("cache", cache, DropoutCache, "dropout_forward")
    multiplier: Any = cache.multiplier
    if isinstance(multiplier, np.ndarray):
        multiplier = _field("cache", cache, "multiplier")
    elif isinstance(multiplier, (np.floating, float)):
        multiplier = finite_float("cache.multiplier", multiplier, low=0.0)
    else:
        raise TypeError(f"cache.multiplier must be an array or a float, got {multiplier!r}")
    if cache.mask is not None:
        if not (isinstance(cache.mask, np.ndarray) and cache.mask.dtype == bool):
            raise TypeError(f"cache.mask must be a bool array or None, got {cache.mask!r}")
        if np.shape(multiplier) != cache.mask.shape:
            raise ValueError(f"cache.multiplier must have the shape of cache.mask "
                             f"{cache.mask.shape}, got {np.shape(multiplier)}")
    dout = float_array("dout", dout, dtype=_dtype(dout, cache.multiplier))
    if cache.mask is not None and dout.shape != cache.mask.shape:
        raise ValueError(f"dout must have shape {cache.mask.shape}, got {dout.shape}")
    with np.errstate(over="ignore"):
        return finite_result(_dropout_backward(dout, cache._replace(multiplier=multiplier)),
                             "dropout_backward's output", "dout or cache")


def _dropout_backward(dout: np.ndarray, cache: DropoutCache) -> np.ndarray:
    """The arithmetic of :func:`dropout_backward`, on a checked cache and ``dout``."""
    return dout * cache.multiplier
