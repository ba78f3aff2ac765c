"""Integer shape arithmetic of convolution and pooling layers.

Output sizes along one axis and for a whole ``(C, H, W)`` block, the padding
that reaches a wanted output size, and the receptive field of a unit after a
stack of convolution and pooling layers. Everything stays in Python integers:
no array is ever built to discover a shape. Layout is NCHW; ``dilation=1``
means no dilation.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from collections.abc import Sequence

from . import specs
from ._checks import chw as _chw
from ._checks import is_int as _is_int
from ._checks import nonneg_int, positive_int
from ._checks import pair as _pair
from ._checks import resolve_padding as _resolve_padding
from ._checks import same_padding as _same_padding

__all__ = [
    "conv_output_size",
    "pool_output_size",
    "conv_output_shape",
    "pool_output_shape",
    "padding_for_output",
    "same_padding",
    "ReceptiveField",
    "receptive_field",
    "conv_output_size_latex",
    "receptive_field_latex",
]


def _window(size: Any, kernel: Any, stride: Any, padding: Any,
            dilation: Any) -> tuple[int, int, int, int, int]:
    """Check one axis' arguments; return them with the effective kernel ``d (k - 1) + 1``."""
    n = positive_int("size", size)
    k = positive_int("kernel", kernel)
    s = positive_int("stride", stride)
    p = nonneg_int("padding", padding)
    d = positive_int("dilation", dilation)
    return n, k, s, p, d * (k - 1) + 1


def conv_output_size(size: int, kernel: int, *, stride: int = 1, padding: int = 0,
                     dilation: int = 1, ceil_mode: bool = False) -> int:
    r"""Number of output positions of a convolution along one axis.

    Parameters
    ----------
    size : int
        Input length ``n`` along the axis, >= 1.
    kernel : int
        Kernel length ``k``, >= 1.
    stride : int, optional
        Step ``s`` between window starts, >= 1 (default 1).
    padding : int, optional
        Zeros ``p`` added at each end, >= 0 (default 0).
    dilation : int, optional
        Spacing ``d`` between kernel taps, >= 1 (default 1, no dilation).
    ceil_mode : bool, optional
        Round the division up instead of down (default False). As in PyTorch,
        a last window that would start in the right padding is dropped, and
        the padding may be at most half the dilated kernel, ``(d (k - 1) + 1) // 2``.

    Returns
    -------
    int
        Output length, >= 1.

    Raises
    ------
    TypeError
        If an argument is not an int (bool included) or ``ceil_mode`` is not a bool.
    ValueError
        If an argument is out of range, if the dilated window
        ``d (k - 1) + 1`` is longer than the padded input ``n + 2p``, or if in
        ceil mode the padding is more than half the dilated kernel.

    Notes
    -----
    .. math::

        n_\text{out} = \left\lfloor \frac{n + 2p - d (k - 1) - 1}{s} \right\rfloor + 1

    In ceil mode the floor becomes a ceiling, then the output is reduced by one
    if :math:`(n_\text{out} - 1) s \ge n + p`.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for
       deep learning", arXiv:1603.07285, 2016.

    Examples
    --------
    AlexNet's first layer: 227 pixels, 11x11 kernel, stride 4.

    >>> conv_output_size(227, 11, stride=4)
    55
    >>> conv_output_size(128, 7, stride=2, padding=3)
    64
    >>> conv_output_size(5, 2, stride=2), conv_output_size(5, 2, stride=2, ceil_mode=True)
    (2, 3)
    """
    n, k, s, p, dk = _window(size, kernel, stride, padding, dilation)
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"ceil_mode must be a bool, got {ceil_mode!r}")
    span = n + 2 * p - dk
    if span < 0:
        raise ValueError(
            f"kernel {k} (dilated to {dk}) does not fit the padded input: "
            f"size {n} + 2 * padding {p} = {n + 2 * p} < {dk}")
    if not ceil_mode:
        return span // s + 1
    if p > dk // 2:
        # PyTorch's limit for pooling; with it only the last window can start in the padding
        raise ValueError(f"padding must be at most half the (dilated) kernel in ceil mode, "
                         f"got padding {p} with kernel {k} (spanning {dk})")
    out = -(-span // s) + 1
    if (out - 1) * s >= n + p:
        # the last window would start in the right padding: PyTorch drops it
        out -= 1
    return out


def pool_output_size(size: int, kernel: int, *, stride: int | None = None, padding: int = 0,
                     ceil_mode: bool = False) -> int:
    r"""Number of output positions of a pooling layer along one axis.

    Parameters
    ----------
    size : int
        Input length ``n``, >= 1.
    kernel : int
        Pooling window ``k``, >= 1.
    stride : int or None, optional
        Step ``s``; None (the default) means ``s = k``, non-overlapping windows.
    padding : int, optional
        Padding ``p`` at each end, 0 <= p <= k // 2 (PyTorch's limit; default 0).
    ceil_mode : bool, optional
        Round up instead of down, as in :func:`conv_output_size` (default False).

    Returns
    -------
    int
        Output length.

    Raises
    ------
    TypeError
        If an argument is not an int (or None for ``stride``).
    ValueError
        If an argument is out of range, ``padding > kernel // 2``, or the window
        does not fit the padded input.

    Notes
    -----
    .. math::

        n_\text{out} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1

    Examples
    --------
    >>> pool_output_size(55, 2)
    27
    >>> pool_output_size(55, 2, ceil_mode=True)
    28
    >>> pool_output_size(112, 3, stride=2, padding=1)
    56
    """
    k = positive_int("kernel", kernel)
    s = k if stride is None else positive_int("stride", stride)
    p = nonneg_int("padding", padding)
    if p > k // 2:
        raise ValueError(f"padding must be at most kernel // 2 = {k // 2}, got {p}")
    return conv_output_size(size, k, stride=s, padding=p, ceil_mode=ceil_mode)


def conv_output_shape(input_shape: tuple[int, int, int], *, out_channels: int,
                      kernel: int | tuple[int, int], stride: int | tuple[int, int] = 1,
                      padding: int | tuple[int, int] | str = 0,
                      dilation: int | tuple[int, int] = 1,
                      ceil_mode: bool = False) -> tuple[int, int, int]:
    """Output block of a convolution layer on a ``(C, H, W)`` input.

    Parameters
    ----------
    input_shape : tuple of int, shape (3,)
        ``(C, H, W)`` of the input block.
    out_channels : int
        Number of filters ``F``.
    kernel, stride, dilation : int or (int, int)
        Per axis ``(h, w)``, or one int for both axes. ``stride`` and
        ``dilation`` default to 1.
    padding : int, (int, int) or "same"
        Zeros at each end of each axis (default 0). "same" keeps H and W
        (stride 1 and an odd dilated kernel only), see :func:`same_padding`.
    ceil_mode : bool, optional
        Round up, see :func:`conv_output_size` (default False).

    Returns
    -------
    tuple of int
        ``(F, H_out, W_out)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`conv_output_size`, for each axis; also for a malformed
        ``input_shape`` or "same" with a stride other than 1.

    Examples
    --------
    A bank of 128 filters of 7x7, stride 2, padding 3 on a 96x128x128 block:

    >>> conv_output_shape((96, 128, 128), out_channels=128, kernel=7, stride=2, padding=3)
    (128, 64, 64)
    >>> conv_output_shape((3, 32, 32), out_channels=8, kernel=(3, 5), padding="same")
    (8, 32, 32)
    """
    _, h, w = _chw(input_shape)
    f = positive_int("out_channels", out_channels)
    kh, kw = _pair("kernel", kernel)
    sh, sw = _pair("stride", stride)
    dh, dw = _pair("dilation", dilation)
    ph, pw = _resolve_padding(padding, (kh, kw), (sh, sw), (dh, dw))
    return (f,
            conv_output_size(h, kh, stride=sh, padding=ph, dilation=dh, ceil_mode=ceil_mode),
            conv_output_size(w, kw, stride=sw, padding=pw, dilation=dw, ceil_mode=ceil_mode))


def pool_output_shape(input_shape: tuple[int, int, int], *, kernel: int | tuple[int, int],
                      stride: int | tuple[int, int] | None = None,
                      padding: int | tuple[int, int] = 0,
                      ceil_mode: bool = False) -> tuple[int, int, int]:
    """Output block of a pooling layer on a ``(C, H, W)`` input; channels are kept.

    Parameters
    ----------
    input_shape : tuple of int, shape (3,)
        ``(C, H, W)`` of the input block.
    kernel : int or (int, int)
        Pooling window per axis.
    stride : int, (int, int) or None, optional
        None (the default) means the stride equals the kernel.
    padding : int or (int, int), optional
        At most ``kernel // 2`` per axis (default 0).
    ceil_mode : bool, optional
        Round up, see :func:`conv_output_size` (default False).

    Returns
    -------
    tuple of int
        ``(C, H_out, W_out)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`pool_output_size`, for each axis.

    Examples
    --------
    >>> pool_output_shape((32, 122, 122), kernel=2)
    (32, 61, 61)
    """
    c, h, w = _chw(input_shape)
    kh, kw = _pair("kernel", kernel)
    sh, sw = (kh, kw) if stride is None else _pair("stride", stride)
    ph, pw = _pair("padding", padding, nonneg_int)
    return (c,
            pool_output_size(h, kh, stride=sh, padding=ph, ceil_mode=ceil_mode),
            pool_output_size(w, kw, stride=sw, padding=pw, ceil_mode=ceil_mode))


def padding_for_output(size: int, kernel: int, out_size: int, *, stride: int = 1,
                       dilation: int = 1) -> int:
    r"""Smallest symmetric padding that gives ``out_size`` outputs (floor rounding).

    Parameters
    ----------
    size : int
        Input length ``n``.
    kernel : int
        Kernel length ``k``.
    out_size : int
        Wanted output length.
    stride : int, optional
        Stride ``s`` (default 1).
    dilation : int, optional
        Dilation ``d`` (default 1).

    Returns
    -------
    int
        The smallest ``p >= 0`` with ``conv_output_size(n, k, stride=s,
        padding=p, dilation=d) == out_size``.

    Raises
    ------
    TypeError
        If an argument is not an int.
    ValueError
        If an argument is out of range, or no integer padding gives ``out_size``
        (it is smaller than the unpadded output, or, with stride 1, the padded
        length ``n + 2p`` has the wrong parity).

    Notes
    -----
    The output reaches ``out_size`` once

    .. math::

        n + 2p - d (k - 1) - 1 \ge (n_\text{out} - 1) s,

    so the smallest candidate is
    :math:`p = \max(0, \lceil ((n_\text{out} - 1) s + d (k - 1) + 1 - n) / 2 \rceil)`;
    it works when it does not overshoot, i.e. the left side stays below
    :math:`n_\text{out} s`.

    Examples
    --------
    >>> padding_for_output(128, 7, 64, stride=2)
    3
    >>> padding_for_output(32, 5, 32)
    2
    """
    n, k, s, _, dk = _window(size, kernel, stride, 0, dilation)
    m = positive_int("out_size", out_size)
    p = max(0, -(-((m - 1) * s + dk - n) // 2))
    if n + 2 * p - dk >= m * s:
        if p == 0:
            reason = (f"even padding 0 gives {(n - dk) // s + 1} outputs")
        else:
            reason = f"padding {p - 1} gives fewer and padding {p} gives more"
        raise ValueError(
            f"no integer padding gives out_size {m} from size {n}, kernel {k}, "
            f"stride {s}, dilation {dilation}: {reason}")
    return p


def same_padding(kernel: int, *, dilation: int = 1) -> int:
    r"""Symmetric padding that keeps the size of a stride-1 convolution.

    Parameters
    ----------
    kernel : int
        Kernel length ``k``.
    dilation : int, optional
        Dilation ``d`` (default 1).

    Returns
    -------
    int
        :math:`p = d (k - 1) / 2`.

    Raises
    ------
    TypeError
        If an argument is not an int.
    ValueError
        If an argument is not positive, or the dilated kernel
        :math:`d (k - 1) + 1` is even: then no symmetric padding keeps the size.

    Notes
    -----
    With stride 1 the output length is :math:`n + 2p - d(k - 1)`, equal to
    :math:`n` exactly when :math:`2p = d (k - 1)`.

    Examples
    --------
    >>> same_padding(3), same_padding(5), same_padding(3, dilation=2)
    (1, 2, 2)
    """
    return _same_padding(kernel, dilation)


class ReceptiveField(NamedTuple):
    """Receptive field of a unit after a stack of layers.

    ``size`` and ``jump`` are the values after the last layer; ``sizes[l]`` and
    ``jumps[l]`` the values after layer ``l`` (0-based). Before any layer both are 1.
    """

    size: int
    jump: int
    sizes: list[int]
    jumps: list[int]


def _rf_steps(layers: Any, axis: int | None) -> list[tuple[bool, int, int, int]]:
    """Return ``(kind, kernel, stride, dilation)`` per layer along one axis."""
    if not isinstance(layers, (list, tuple)):
        raise TypeError(f"layers must be a list or tuple of layer specs, got {layers!r}")
    if axis is not None and (not _is_int(axis) or axis not in (0, 1)):
        raise ValueError(f"axis must be None, 0 (height) or 1 (width), got {axis!r}")
    steps = []
    for i, layer in enumerate(layers):
        if isinstance(layer, specs.Activation):
            steps.append((True, 1, 1, 1))   # (is an activation, kernel, stride, dilation)
            continue
        if isinstance(layer, specs.Conv2d):
            kernel, stride, dilation = layer.kernel, layer.stride, layer.dilation
        elif isinstance(layer, (specs.MaxPool2d, specs.AvgPool2d)):
            kernel, dilation = layer.kernel, 1
            stride = layer.kernel if layer.stride is None else layer.stride
        else:
            raise ValueError(f"layers[{i}] must be a Conv2d, MaxPool2d, AvgPool2d or Activation: "
                             f"a receptive field is defined for conv/pool stacks, got {layer!r}")
        per_axis = [_pair(f"layers[{i}].kernel", kernel), _pair(f"layers[{i}].stride", stride),
                    _pair(f"layers[{i}].dilation", dilation)]
        if axis is None and any(h != w for h, w in per_axis):
            raise ValueError(f"layers[{i}] is not square ({layer!r}): pass axis=0 or axis=1")
        a = axis or 0     # axis None: the layer is square, either axis will do
        steps.append((False, per_axis[0][a], per_axis[1][a], per_axis[2][a]))
    if not steps:
        raise ValueError("layers must hold at least one layer, got an empty sequence")
    return steps


def receptive_field(layers: Sequence[Any], *, axis: int | None = None) -> ReceptiveField:
    r"""Receptive field and jump of one unit after a stack of conv/pool layers.

    Parameters
    ----------
    layers : sequence of Conv2d, MaxPool2d, AvgPool2d or Activation
        The stack, input side first (layer specs of :mod:`dlcalc.specs`).
        Activations leave the receptive field unchanged.
    axis : {None, 0, 1}, optional
        Axis to follow: 0 (height) or 1 (width). None (the default) requires
        every layer to be square.

    Returns
    -------
    ReceptiveField
        ``size`` (input positions along the axis that influence one unit),
        ``jump`` (input distance between neighbouring units) and the per-layer
        lists ``sizes`` and ``jumps``.

    Raises
    ------
    TypeError
        If ``layers`` is not a list or tuple.
    ValueError
        If it is empty, holds a Dense or Flatten layer, or a non-square layer
        while ``axis`` is None.

    Notes
    -----
    Starting from :math:`r_0 = 1, j_0 = 1`, layer :math:`l` with kernel
    :math:`k_l`, stride :math:`s_l` and dilation :math:`d_l` gives

    .. math::

        r_l = r_{l-1} + (k_l - 1)\, d_l\, j_{l-1}, \qquad j_l = j_{l-1}\, s_l .

    Padding shifts the field but does not change its size.

    References
    ----------
    .. [1] A. Araujo, W. Norris and J. Sim, "Computing receptive fields of
       convolutional neural networks", Distill, 2019.

    Examples
    --------
    A 3x3 convolution then a 3x3 pool of stride 2:

    >>> from dlcalc.counting import Conv2d, MaxPool2d
    >>> rf = receptive_field([Conv2d(32, 3), MaxPool2d(3, stride=2)])
    >>> rf.size, rf.jump, rf.sizes, rf.jumps
    (5, 2, [3, 5], [1, 2])
    """
    r, j = 1, 1
    sizes, jumps = [], []
    for _, k, s, d in _rf_steps(layers, axis):
        r, j = r + (k - 1) * d * j, j * s
        sizes.append(r)
        jumps.append(j)
    return ReceptiveField(r, j, sizes, jumps)


def conv_output_size_latex(size: int, kernel: int, *, stride: int = 1, padding: int = 0,
                           dilation: int = 1) -> str:
    r"""LaTeX of the output-size formula with the numbers substituted, and its value.

    Parameters
    ----------
    size, kernel, stride, padding, dilation : int
        As in :func:`conv_output_size` (floor rounding).

    Returns
    -------
    str
        Math-mode LaTeX (no ``$``), e.g. to wrap in ``IPython.display.Math``.
        A padding of 0 is left out; a stride of 1 drops the fraction and the
        floor; a dilated kernel shows as ``d \cdot (k - 1) - 1``.

    Raises
    ------
    TypeError, ValueError
        As :func:`conv_output_size`.

    Examples
    --------
    >>> print(conv_output_size_latex(128, 7, stride=2, padding=3))
    \left\lfloor \frac{128 + 2 \cdot 3 - 7}{2} \right\rfloor + 1 = 64
    >>> print(conv_output_size_latex(32, 5))
    32 - 5 + 1 = 28
    """
    out = conv_output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
    n, k, s, p, d = int(size), int(kernel), int(stride), int(padding), int(dilation)
    num = f"{n}" + (rf" + 2 \cdot {p}" if p else "")
    num += rf" - {d} \cdot ({k} - 1) - 1" if d != 1 else f" - {k}"
    if s == 1:
        return f"{num} + 1 = {out}"
    return rf"\left\lfloor \frac{{{num}}}{{{s}}} \right\rfloor + 1 = {out}"


def receptive_field_latex(layers: Sequence[Any], *, axis: int | None = None) -> str:
    r"""LaTeX of the receptive-field recursion, one aligned line per layer.

    Parameters
    ----------
    layers : sequence of layer specs
        As in :func:`receptive_field`.
    axis : {None, 0, 1}, optional
        As in :func:`receptive_field`.

    Returns
    -------
    str
        An ``aligned`` environment (math mode, no ``$``): line 0 states
        :math:`r_0 = 1, j_0 = 1`, line :math:`l` substitutes layer :math:`l`'s
        kernel, dilation (shown only when it is not 1) and stride.

    Raises
    ------
    TypeError, ValueError
        As :func:`receptive_field`.

    Examples
    --------
    >>> from dlcalc.counting import Conv2d, MaxPool2d
    >>> print(receptive_field_latex([Conv2d(32, 3), MaxPool2d(3, stride=2)]))
    \begin{aligned}
    r_{0} &= 1, & j_{0} &= 1 \\
    r_{1} &= 1 + (3 - 1) \cdot 1 = 3, & j_{1} &= 1 \cdot 1 = 1 \\
    r_{2} &= 3 + (3 - 1) \cdot 1 = 5, & j_{2} &= 1 \cdot 2 = 2
    \end{aligned}
    """
    steps = _rf_steps(layers, axis)
    rf = receptive_field(layers, axis=axis)
    lines = ["r_{0} &= 1, & j_{0} &= 1"]
    r, j = 1, 1
    for layer, (step, r_new, j_new) in enumerate(zip(steps, rf.sizes, rf.jumps), 1):
        activation, k, s, d = step
        if activation:
            lines.append(f"r_{{{layer}}} &= r_{{{layer - 1}}} = {r_new}, & j_{{{layer}}} &= j_{{{layer - 1}}} = {j_new}")
        else:
            dil = rf" \cdot {d}" if d != 1 else ""
            lines.append(rf"r_{{{layer}}} &= {r} + ({k} - 1){dil} \cdot {j} = {r_new}, & "
                         rf"j_{{{layer}}} &= {j} \cdot {s} = {j_new}")
        r, j = r_new, j_new
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
