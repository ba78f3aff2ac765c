"""Counting weights, biases and multiplications of layers and small networks.

The layer specs (``Conv2d``, ``MaxPool2d``, ``AvgPool2d``, ``Flatten``, ``Dense``,
``Activation``) live in :mod:`dlcalc.specs` and are importable from here too.
:func:`summarize` walks a sequential stack of them and tabulates,
layer by layer, the output shape, the number of weights and biases and the
number of multiplications of one forward pass on one example;
:func:`block_mults` counts a multi-branch (Inception-style) block. Shapes are
``(C, H, W)`` blocks or flat ``(D,)`` vectors, batch axis left out.

Multiplications counted are those of weights by inputs; activations, pooling,
bias additions and sums are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple
from collections.abc import Sequence

from ._checks import boolean as _bool
from ._checks import chw as _chw
from ._checks import positive_int
from ._checks import pair as _pair
from .shapes import conv_output_shape, pool_output_shape
# the layer specs, importable from here as before they had a module of their own
from .specs import Activation, AvgPool2d, Conv2d, Dense, Flatten, Layer, MaxPool2d  # noqa: F401

__all__ = [
    "conv_params",
    "dense_params",
    "conv_mults",
    "dense_mults",
    "LayerRow",
    "NetworkSummary",
    "summarize",
    "BlockCount",
    "block_mults",
]

def conv_params(in_channels: int, out_channels: int, kernel: int | tuple[int, int], *,
                bias: bool = True) -> tuple[int, int]:
    r"""Number of weights and biases of a convolution layer.

    Parameters
    ----------
    in_channels : int
        Input channels ``C``.
    out_channels : int
        Filters ``F``.
    kernel : int or (int, int)
        Kernel ``(k_h, k_w)``, or one int for a square kernel.
    bias : bool, optional
        Whether each filter has a bias (default True).

    Returns
    -------
    weights : int
        :math:`F C k_h k_w`.
    biases : int
        :math:`F`, or 0 without bias.

    Raises
    ------
    TypeError, ValueError
        If a count is not a positive int or ``bias`` is not a bool.

    Examples
    --------
    Ten 5x5 filters on an RGB image:

    >>> conv_params(3, 10, 5)
    (750, 10)
    """
    c = positive_int("in_channels", in_channels)
    f = positive_int("out_channels", out_channels)
    kh, kw = _pair("kernel", kernel)
    return f * c * kh * kw, f if _bool("bias", bias) else 0


def dense_params(n_in: int, n_out: int, *, bias: bool = True) -> tuple[int, int]:
    r"""Number of weights and biases of a fully connected layer.

    Parameters
    ----------
    n_in, n_out : int
        Input and output sizes.
    bias : bool, optional
        Whether each output has a bias (default True).

    Returns
    -------
    weights : int
        :math:`n_\text{in} n_\text{out}`.
    biases : int
        :math:`n_\text{out}`, or 0 without bias.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive int or ``bias`` is not a bool.

    Examples
    --------
    >>> dense_params(500 * 500 * 3, 100)
    (75000000, 100)
    """
    n = positive_int("n_in", n_in)
    m = positive_int("n_out", n_out)
    return n * m, m if _bool("bias", bias) else 0


def conv_mults(input_shape: tuple[int, int, int], out_channels: int,
               kernel: int | tuple[int, int], *, stride: int | tuple[int, int] = 1,
               padding: int | tuple[int, int] | str = 0,
               dilation: int | tuple[int, int] = 1) -> int:
    r"""Multiplications of one convolution layer on one ``(C, H, W)`` input.

    Parameters
    ----------
    input_shape : tuple of int, shape (3,)
        ``(C, H, W)``.
    out_channels : int
        Filters ``F``.
    kernel, stride, padding, dilation
        As in :func:`dlcalc.shapes.conv_output_shape`.

    Returns
    -------
    int
        :math:`H_\text{out} W_\text{out} F C k_h k_w`: each output value is a
        dot product of :math:`C k_h k_w` weights with inputs.

    Raises
    ------
    TypeError, ValueError
        As :func:`dlcalc.shapes.conv_output_shape`.

    Examples
    --------
    32 filters of 1x1 on a 28x28x192 block (stored as 192x28x28):

    >>> conv_mults((192, 28, 28), 32, 1)
    4816896
    """
    c = _chw(input_shape)[0]
    f, h, w = conv_output_shape(input_shape, out_channels=out_channels, kernel=kernel,
                                stride=stride, padding=padding, dilation=dilation)
    return h * w * conv_params(c, f, kernel)[0]    # h * w positions, one product per weight


def dense_mults(n_in: int, n_out: int) -> int:
    r"""Multiplications of a fully connected layer: :math:`n_\text{in} n_\text{out}`.

    Parameters
    ----------
    n_in, n_out : int
        Input and output sizes.

    Returns
    -------
    int
        :math:`n_\text{in} n_\text{out}`.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive int.

    Examples
    --------
    >>> dense_mults(3, 2)
    6
    """
    return positive_int("n_in", n_in) * positive_int("n_out", n_out)


class LayerRow(NamedTuple):
    """One row of a :class:`NetworkSummary`."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    weights: int
    biases: int
    mults: int


def _fmt_shape(shape: tuple[int, ...], shape_order: str) -> str:
    if len(shape) == 3 and shape_order == "HWC":
        shape = (shape[1], shape[2], shape[0])
    return " × ".join(str(v) for v in shape)


@dataclass(frozen=True)
class NetworkSummary:
    """Layer-by-layer table of a sequential network; ``rows[0]`` is the input."""

    rows: tuple[LayerRow, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.rows, (tuple, list)) or not self.rows or not all(
                isinstance(r, LayerRow) for r in self.rows):
            raise TypeError(f"rows must be a non-empty sequence of LayerRow (as summarize "
                            f"makes them), got {self.rows!r}"[:300])
        object.__setattr__(self, "rows", tuple(self.rows))

    @property
    def total_weights(self) -> int:
        return sum(r.weights for r in self.rows)

    @property
    def total_biases(self) -> int:
        return sum(r.biases for r in self.rows)

    @property
    def total_params(self) -> int:
        return self.total_weights + self.total_biases

    @property
    def total_mults(self) -> int:
        return sum(r.mults for r in self.rows)

    def to_markdown(self, shape_order: str = "CHW") -> str:
        """Markdown table of the rows and a total row.

        Parameters
        ----------
        shape_order : {"CHW", "HWC"}, optional
            How a ``(C, H, W)`` shape is written: ``C × H × W`` (the default,
            NCHW) or ``H × W × C`` (as many textbooks write it).

        Returns
        -------
        str
            A Markdown table, e.g. for ``IPython.display.Markdown``.

        Raises
        ------
        ValueError
            If ``shape_order`` is neither "CHW" nor "HWC".
        """
        if shape_order not in ("CHW", "HWC"):
            raise ValueError(f'shape_order must be "CHW" or "HWC", got {shape_order!r}')
        lines = ["| Layer | Output shape | Weights | Biases | Multiplications |",
                 "|:--|:--|--:|--:|--:|"]
        lines += [f"| {r.name} | {_fmt_shape(r.output_shape, shape_order)} | {r.weights:,} "
                  f"| {r.biases:,} | {r.mults:,} |" for r in self.rows]
        lines.append(f"| **Total** | | **{self.total_weights:,}** | **{self.total_biases:,}** "
                     f"| **{self.total_mults:,}** |")
        return "\n".join(lines)


def _as_pair(value: Any) -> tuple[int, int]:
    """A layer spec's int or (h, w) pair (checked when the spec was made), as a pair."""
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def _fmt_pair(value: Any) -> str:
    h, w = _as_pair(value)
    return str(h) if h == w else f"{h}x{w}"


def _default_name(layer: Layer) -> str:
    """The compact notation CONV-K-N, POOL-K, FC-N, with non-default settings appended."""
    if isinstance(layer, Conv2d):
        name = f"CONV-{_fmt_pair(layer.kernel)}-{layer.out_channels}"
        if layer.stride != 1:
            name += f" s{_fmt_pair(layer.stride)}"
        if layer.padding == "same":
            name += " same"
        elif layer.padding != 0:
            name += f" p{_fmt_pair(layer.padding)}"
        if layer.dilation != 1:
            name += f" d{_fmt_pair(layer.dilation)}"
        return name
    if isinstance(layer, (MaxPool2d, AvgPool2d)):
        name = ("AVGPOOL-" if isinstance(layer, AvgPool2d) else "POOL-") + _fmt_pair(layer.kernel)
        if layer.stride is not None and _as_pair(layer.stride) != _as_pair(layer.kernel):
            name += f" s{_fmt_pair(layer.stride)}"
        if layer.padding != 0:
            name += f" p{_fmt_pair(layer.padding)}"
        return name + (" ceil" if layer.ceil_mode else "")
    if isinstance(layer, Dense):
        return f"FC-{layer.units}"
    if isinstance(layer, Flatten):
        return "FLATTEN"
    return layer.name.upper()


Counts = tuple[str, tuple[int, ...], int, int, int]


def _apply(shape: tuple[int, ...], layer: Any, where: str) -> Counts:
    """Row of ``layer`` applied to an input of ``shape``, without its name: kind,
    output shape, weights, biases, multiplications."""
    def need(ndim: int, what: str) -> None:
        if len(shape) != ndim:
            raise ValueError(f"{where} ({layer!r}) needs {what}, got shape {shape}")

    if isinstance(layer, Conv2d):
        need(3, "a (C, H, W) input")
        c = shape[0]
        try:
            out = conv_output_shape(_chw(shape), out_channels=layer.out_channels,
                                    kernel=layer.kernel,
                                    stride=layer.stride, padding=layer.padding,
                                    dilation=layer.dilation)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        weights, biases = conv_params(c, layer.out_channels, layer.kernel, bias=layer.bias)
        return "conv", out, weights, biases, out[1] * out[2] * weights
    if isinstance(layer, (MaxPool2d, AvgPool2d)):
        need(3, "a (C, H, W) input")
        try:
            out = pool_output_shape(_chw(shape), kernel=layer.kernel, stride=layer.stride,
                                    padding=layer.padding, ceil_mode=layer.ceil_mode)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        kind = "avgpool" if isinstance(layer, AvgPool2d) else "maxpool"
        return kind, out, 0, 0, 0
    if isinstance(layer, Flatten):
        n = 1
        for v in shape:
            n *= v
        return "flatten", (n,), 0, 0, 0
    if isinstance(layer, Dense):
        need(1, "a flat (D,) input: put a Flatten() before it")
        weights, biases = dense_params(shape[0], layer.units, bias=layer.bias)
        return "dense", (layer.units,), weights, biases, weights
    if isinstance(layer, Activation):
        return "activation", shape, 0, 0, 0
    raise TypeError(f"{where} must be a layer spec (Conv2d, MaxPool2d, AvgPool2d, Flatten, "
                    f"Dense or Activation), got {layer!r}")


def _input_shape(input_shape: Any) -> tuple[int, ...]:
    if isinstance(input_shape, (tuple, list)) and len(input_shape) == 1:
        return (positive_int("input_shape[0]", input_shape[0]),)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (C, H, W) or (D,), got {input_shape!r}")
    return _chw(input_shape)


def summarize(input_shape: tuple[int, ...], layers: Sequence[Layer], *,
              names: Sequence[str | None] | None = None) -> NetworkSummary:
    r"""Layer-by-layer output shape, weights, biases and multiplications of a network.

    Parameters
    ----------
    input_shape : tuple of int
        ``(C, H, W)`` for an image block, ``(D,)`` for a vector.
    layers : sequence of layer specs
        Applied in order. A :class:`~dlcalc.specs.Dense` after a ``(C, H, W)`` output needs
        a :class:`~dlcalc.specs.Flatten` first.
    names : sequence of str or None, optional
        One name per layer (None entries, or None for all, take the default:
        the compact ``CONV-K-N``, ``POOL-K``, ``FC-N``, plus ``sS``, ``pP``,
        ``dD`` when stride, padding or dilation are not the default).

    Returns
    -------
    NetworkSummary
        ``rows`` (an ``INPUT`` row, then one :class:`LayerRow` per layer), the
        totals ``total_weights``, ``total_biases``, ``total_params``,
        ``total_mults`` and ``to_markdown(shape_order)``.

    Raises
    ------
    TypeError
        If a layer is not a layer spec or a name is not a str.
    ValueError
        If ``input_shape`` is malformed, a layer does not fit its input (its
        position ``layers[i]`` is named), or ``names`` has the wrong length.

    Notes
    -----
    Per layer, with input :math:`(C, H, W)` and output :math:`(F, H', W')`:
    a convolution has :math:`F C k_h k_w` weights, :math:`F` biases and
    :math:`H' W' F C k_h k_w` multiplications; a fully connected layer has
    :math:`n_\text{in} n_\text{out}` weights and as many multiplications.
    Pooling, flattening and activations have neither.

    Examples
    --------
    >>> s = summarize((3, 32, 32), [Conv2d(8, 5), MaxPool2d(2), Flatten(), Dense(10)])
    >>> [(r.name, r.output_shape, r.weights, r.biases) for r in s.rows]  # doctest: +NORMALIZE_WHITESPACE
    [('INPUT', (3, 32, 32), 0, 0), ('CONV-5-8', (8, 28, 28), 600, 8),
     ('POOL-2', (8, 14, 14), 0, 0), ('FLATTEN', (1568,), 0, 0), ('FC-10', (10,), 15680, 10)]
    >>> s.total_params
    16298
    """
    shape = _input_shape(input_shape)
    if not isinstance(layers, (list, tuple)):
        raise TypeError(f"layers must be a list or tuple of layer specs, got {layers!r}")
    if names is None:
        names = [None] * len(layers)
    if not isinstance(names, (list, tuple)) or len(names) != len(layers):
        raise ValueError(f"names must be a list of {len(layers)} names (one per layer), "
                         f"got {names!r}")
    rows = [LayerRow("INPUT", "input", shape, 0, 0, 0)]
    for i, (layer, name) in enumerate(zip(layers, names)):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"names[{i}] must be a str or None, got {name!r}")
        counts = _apply(shape, layer, f"layers[{i}]")
        rows.append(LayerRow(_default_name(layer) if name is None else name, *counts))
        shape = counts[1]
    return NetworkSummary(tuple(rows))


class BlockCount(NamedTuple):
    """Multiplications of a multi-branch block, per branch and in total, and its output shape."""

    per_branch: list[int]
    total: int
    output_shape: tuple[int, int, int]


def block_mults(input_shape: tuple[int, int, int],
                branches: Sequence[Layer | Sequence[Layer]]) -> BlockCount:
    r"""Multiplications of an Inception-style block: parallel branches, concatenated.

    Parameters
    ----------
    input_shape : tuple of int, shape (3,)
        ``(C, H, W)``, fed to every branch.
    branches : sequence
        Each branch one layer spec or a sequence of them (Conv2d, MaxPool2d,
        AvgPool2d, Activation), applied in order, e.g. ``[Conv2d(16, 1),
        Conv2d(32, 5, padding="same")]`` for a 1x1 reduction then a 5x5 convolution.

    Returns
    -------
    BlockCount
        ``per_branch`` multiplications, their ``total``, and the
        ``output_shape`` ``(sum of branch channels, H', W')``.

    Raises
    ------
    TypeError
        If a branch holds something other than those layer specs.
    ValueError
        If ``input_shape`` is malformed, ``branches`` is empty, a layer does
        not fit, or the branches disagree on ``(H', W')``.

    Notes
    -----
    Each branch's count is the sum of :func:`conv_mults` of its convolutions;
    outputs are concatenated along channels, which costs nothing.

    Examples
    --------
    Branch 0: 8*8*2*4 = 512; branch 1: 8*8*1*4 + 8*8*3*1*3*3 = 256 + 1728.

    >>> b = block_mults((4, 8, 8), [Conv2d(2, 1), [Conv2d(1, 1), Conv2d(3, 3, padding=1)]])
    >>> b.per_branch, b.total, b.output_shape
    ([512, 1984], 2496, (5, 8, 8))
    """
    shape_in = _chw(input_shape)
    if not isinstance(branches, (list, tuple)) or not branches:
        raise ValueError(f"branches must be a non-empty list of branches, got {branches!r}")
    per_branch, shapes = [], []
    for b, branch in enumerate(branches):
        layers = branch if isinstance(branch, (list, tuple)) else [branch]
        if not layers:
            raise ValueError(f"branches[{b}] must hold at least one layer, got {branch!r}")
        shape: tuple[int, ...] = shape_in
        mults = 0
        for i, layer in enumerate(layers):
            where = f"branches[{b}][{i}]"
            if isinstance(layer, (Flatten, Dense)):
                raise TypeError(f"{where} must be a Conv2d, MaxPool2d, AvgPool2d or Activation, "
                                f"got {layer!r}")
            _, shape, _, _, layer_mults = _apply(shape, layer, where)
            mults += layer_mults
        per_branch.append(mults)
        shapes.append(shape)
    if len({s[1:] for s in shapes}) > 1:
        raise ValueError(f"branches must agree on the output (H, W) to be concatenated, "
                         f"got output shapes {shapes}")
    out = (sum(s[0] for s in shapes), shapes[0][1], shapes[0][2])
    return BlockCount(per_branch, sum(per_branch), out)
