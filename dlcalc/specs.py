"""Layer specs: the hyper-parameters of the layers of a network, no weights.

Frozen dataclasses (``Conv2d``, ``MaxPool2d``, ``AvgPool2d``, ``Flatten``, ``Dense``,
``Activation``), checked on construction. :mod:`dlcalc.shapes` reads them for receptive
fields and :mod:`dlcalc.counting` for parameter and multiplication counts.
"""

from __future__ import annotations

from collections.abc import Callable

from dataclasses import KW_ONLY, dataclass
from typing import Any

from ._checks import boolean as _boolean
from ._checks import nonneg_int, positive_int
from ._checks import pair as _pair
from ._checks import resolve_padding as _resolve_padding

__all__ = ["ACTIVATIONS", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dense", "Activation"]

#: The names of the activations, one vocabulary across dlcalc.
#:
#: Used by :class:`Activation` specs, :class:`dlcalc.mlp.Network` layers and the hidden
#: layers of :mod:`dlcalc.models` (relu, sigmoid and tanh, its ``HIDDEN_ACTIVATIONS``);
#: "identity" passes its input on unchanged.
ACTIVATIONS = ("relu", "sigmoid", "tanh", "softmax", "identity")

# Older names still accepted by dlcalc.mlp.Network ("linear" is "identity").
_ALIASES = {"linear": "identity"}


def _int_or_pair(name: str, value: Any, check: Callable[[str, Any], int] = positive_int
                 ) -> int | tuple[int, int]:
    """Check ``value`` (int or pair) and return it as an int or a tuple of two ints."""
    h, w = _pair(name, value, check)
    return (h, w) if isinstance(value, (tuple, list)) else h


def _set(spec: Any, **fields: Any) -> None:
    """Store checked values on a frozen dataclass (only from ``__post_init__``)."""
    for name, value in fields.items():
        object.__setattr__(spec, name, value)


@dataclass(frozen=True)
class Conv2d:
    """A 2-D convolution layer: ``out_channels`` filters of ``kernel`` over all input channels.

    ``kernel``, ``stride`` and ``dilation`` are an int or an ``(h, w)`` pair;
    ``padding`` an int, a pair, or "same" (stride 1, odd dilated kernel).
    """

    out_channels: int
    kernel: int | tuple[int, int]
    _: KW_ONLY
    stride: int | tuple[int, int] = 1
    padding: int | tuple[int, int] | str = 0
    dilation: int | tuple[int, int] = 1
    bias: bool = True

    def __post_init__(self) -> None:
        _set(self, out_channels=positive_int("out_channels", self.out_channels),
             kernel=_int_or_pair("kernel", self.kernel),
             stride=_int_or_pair("stride", self.stride),
             dilation=_int_or_pair("dilation", self.dilation),
             bias=_boolean("bias", self.bias))
        pads = _resolve_padding(self.padding, _pair("kernel", self.kernel),
                                _pair("stride", self.stride), _pair("dilation", self.dilation))
        if not isinstance(self.padding, str):
            _set(self, padding=pads if isinstance(self.padding, (tuple, list)) else pads[0])

    @property
    def padding_pair(self) -> tuple[int, int]:
        """The padding as an ``(h, w)`` pair of ints ("same" resolved)."""
        return _resolve_padding(self.padding, _pair("kernel", self.kernel),
                                _pair("stride", self.stride), _pair("dilation", self.dilation))


@dataclass(frozen=True)
class _Pool2d:
    """Pooling over ``kernel`` windows; ``stride`` None means stride = kernel."""

    kernel: int | tuple[int, int]
    _: KW_ONLY
    stride: int | tuple[int, int] | None = None
    padding: int | tuple[int, int] = 0
    ceil_mode: bool = False

    def __post_init__(self) -> None:
        kernel = _int_or_pair("kernel", self.kernel)
        stride = None if self.stride is None else _int_or_pair("stride", self.stride)
        padding = _int_or_pair("padding", self.padding, nonneg_int)
        for (k, p) in zip(_pair("kernel", kernel), _pair("padding", padding, nonneg_int)):
            if p > k // 2:
                raise ValueError(f"padding must be at most kernel // 2 = {k // 2}, got {padding!r}")
        _set(self, kernel=kernel, stride=stride, padding=padding,
             ceil_mode=_boolean("ceil_mode", self.ceil_mode))


@dataclass(frozen=True)
class MaxPool2d(_Pool2d):
    """Max pooling over ``kernel`` windows; ``stride`` None means stride = kernel."""


@dataclass(frozen=True)
class AvgPool2d(_Pool2d):
    """Average pooling over ``kernel`` windows; ``stride`` None means stride = kernel."""


@dataclass(frozen=True)
class Flatten:
    """Flatten a ``(C, H, W)`` block into a ``(C*H*W,)`` vector (C slowest)."""


@dataclass(frozen=True)
class Dense:
    """A fully connected layer of ``units`` outputs."""

    units: int
    _: KW_ONLY
    bias: bool = True

    def __post_init__(self) -> None:
        _set(self, units=positive_int("units", self.units), bias=_boolean("bias", self.bias))


@dataclass(frozen=True)
class Activation:
    """An element-wise (or, for softmax, vector-wise) activation; no parameters."""

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str, one of {ACTIVATIONS}, got {self.name!r}")
        if self.name not in ACTIVATIONS:
            raise ValueError(f"name must be one of {ACTIVATIONS}, got {self.name!r}")


Layer = Conv2d | MaxPool2d | AvgPool2d | Flatten | Dense | Activation
