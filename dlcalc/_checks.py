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


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_int(name: str, value: Any) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= 1."""
    if not _is_int(value):
        raise TypeError(f"{name} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def nonneg_int(name: str, value: Any) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= 0."""
    if not _is_int(value):
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
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values, got {value!r}")
    return arr
