"""Input checks shared by every public function of dlcalc.

Each check raises ``TypeError`` or ``ValueError`` with a message that names the
argument and the value it got, so that bad input fails at the edge of the
library and never deep inside numpy.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__: list[str] = []


def is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_int(name: str, value: Any) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= 1."""
    if not is_int(value):
        raise TypeError(f"{name} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def nonneg_int(name: str, value: Any) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= 0."""
    if not is_int(value):
        raise TypeError(f"{name} must be a non-negative int, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    return int(value)


def finite_float(name: str, value: Any, *, low: float | None = None,
                 high: float | None = None, low_open: bool = False,
                 high_open: bool = False) -> float:
    """Return ``value`` as a float inside the stated interval, or raise.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open`` is set.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if low is not None and (v < low or (low_open and v == low)):
        bound = "(" if low_open else "["
        raise ValueError(f"{name} must be in {bound}{low}, {high if high is not None else 'inf'}"
                         f"{')' if high_open or high is None else ']'}, got {value!r}")
    if high is not None and (v > high or (high_open and v == high)):
        bound = ")" if high_open else "]"
        raise ValueError(f"{name} must be in {'(' if low_open else '['}"
                         f"{low if low is not None else '-inf'}, {high}{bound}, got {value!r}")
    return v


def float_array(name: str, value: Any, *, ndim: int | tuple[int, ...] | None = None,
                dtype: type = np.float64) -> np.ndarray:
    """Return ``value`` as a float array (float64 unless ``dtype`` says otherwise) with
    finite entries and the given ndim, or raise."""
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers, got {value!r}") from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(d) for d in allowed)
            raise ValueError(f"{name} must have ndim {want}, got ndim {arr.ndim} "
                             f"(shape {arr.shape})")
    if not np.isfinite(arr).all():  # the method: half the cost of np.all's dispatch
        raise ValueError(f"{name} must contain only finite values, got {value!r}")
    return arr


def pair(name: str, value: Any, check=positive_int) -> tuple[int, int]:
    """Return ``value`` (an int or an ``(h, w)`` pair) as a checked ``(h, w)`` pair."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or an (h, w) pair, got {value!r}")
        return check(f"{name}[0]", value[0]), check(f"{name}[1]", value[1])
    if not is_int(value):
        raise TypeError(f"{name} must be an int or an (h, w) pair of ints, got {value!r}")
    v = check(name, value)
    return v, v


def chw(input_shape: Any) -> tuple[int, int, int]:
    """Return ``input_shape`` as a checked ``(C, H, W)`` triple of positive ints."""
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be a (C, H, W) triple, got {input_shape!r}")
    c, h, w = (positive_int(f"input_shape[{i}]", v) for i, v in enumerate(input_shape))
    return c, h, w


def same_padding(kernel: Any, dilation: Any) -> int:
    """The padding ``d (k - 1) / 2`` that keeps the size of a stride-1 convolution, or raise
    (see :func:`dlcalc.shapes.same_padding`)."""
    k = positive_int("kernel", kernel)
    d = positive_int("dilation", dilation)
    if d * (k - 1) % 2:
        raise ValueError(f"kernel {k} with dilation {d} spans {d * (k - 1) + 1} inputs, an even "
                         "number: no symmetric padding keeps the size")
    return d * (k - 1) // 2


def resolve_padding(padding: Any, kernel: tuple[int, int], stride: tuple[int, int],
                    dilation: tuple[int, int]) -> tuple[int, int]:
    """Return ``padding`` (int, pair or "same") as a checked ``(h, w)`` pair of ints."""
    if isinstance(padding, str):
        if padding != "same":
            raise ValueError(f'padding must be an int, an (h, w) pair or "same", got {padding!r}')
        if stride != (1, 1):
            raise ValueError(f'padding="same" needs stride 1, got stride {stride}')
        return (same_padding(kernel[0], dilation=dilation[0]),
                same_padding(kernel[1], dilation=dilation[1]))
    return pair("padding", padding, nonneg_int)


def generator(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {rng!r}")
    return rng


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {value!r}")
    return value
