"""Input checks shared by every public function of dlcalc.

Each check raises ``TypeError`` or ``ValueError`` with a message that names the
argument and the value it got, so that bad input fails at the edge of the
library and never deep inside numpy.
"""

from __future__ import annotations

from collections.abc import Callable

import numbers
import re
from contextlib import contextmanager
from typing import Any
from collections.abc import Iterator

import numpy as np

__all__: list[str] = []


#: The largest integer numpy can hold in an index or a size (int64).
INT_MAX = 2**63 - 1


def is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_int(name: str, value: Any, *, high: int = INT_MAX) -> int:
    """Return ``value`` as an int, or raise if it is not an integer in [1, high]."""
    if not is_int(value):
        raise TypeError(f"{name} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    if value > high:
        raise ValueError(f"{name} must be at most {high}, got {value!r}")
    return int(value)


def nonneg_int(name: str, value: Any, *, high: int = INT_MAX) -> int:
    """Return ``value`` as an int, or raise if it is not an integer in [0, high]."""
    if not is_int(value):
        raise TypeError(f"{name} must be a non-negative int, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    if value > high:
        raise ValueError(f"{name} must be at most {high}, got {value!r}")
    return int(value)


def finite_float(name: str, value: Any, *, low: float | None = None,
                 high: float | None = None, low_open: bool = False,
                 high_open: bool = False) -> float:
    """Return ``value`` as a float inside the stated interval, or raise.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open`` is set.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    try:
        v = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be finite, got {value!r} (beyond float range)") from None
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


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def float_array(name: str, value: Any, *, ndim: int | tuple[int, ...] | None = None,
                dtype: Any = np.float64, shape: tuple[int | None, ...] | None = None,
                nonempty: bool = False) -> np.ndarray:
    """Return ``value`` as a float array (float64 unless ``dtype`` says otherwise) with
    finite entries, the given ndim and shape (None: any length on that axis), or raise.

    Real numbers only: strings, bytes, complex numbers and other objects are a TypeError
    (never converted with a part dropped), numbers beyond float range a ValueError.
    """
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":   # the common case, fast
        arr = value if value.dtype == dtype else value.astype(dtype)
        return _checked_array(name, value, arr, ndim, shape, nonempty)
    if value is None or isinstance(value, (str, bytes, bytearray)):
        raise TypeError(f"{name} must be an array of real numbers, got {_short(value)}")
    try:
        raw = value if isinstance(value, np.ndarray) else np.asarray(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeError(f"{name} must be an array of real numbers (a regular, "
                        f"non-ragged nesting), got {_short(value)}") from exc
    if raw.dtype.kind == "O":
        if any(isinstance(v, (str, bytes, bytearray, complex, np.complexfloating))
               or v is None for v in raw.flat):
            raise TypeError(f"{name} must be an array of real numbers, got {_short(value)}")
    elif raw.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got {_short(value)} "
                        f"(dtype {raw.dtype})")
    try:
        arr = np.asarray(raw, dtype=dtype)
    except OverflowError:
        raise ValueError(f"{name} must contain only finite values, got {_short(value)} "
                         "(beyond float range)") from None
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers, got {_short(value)}") from exc
    return _checked_array(name, value, arr, ndim, shape, nonempty)


def _checked_array(name: str, value: Any, arr: np.ndarray,
                   ndim: int | tuple[int, ...] | None,
                   shape: tuple[int | None, ...] | None, nonempty: bool) -> np.ndarray:
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(d) for d in allowed)
            raise ValueError(f"{name} must have ndim {want}, got ndim {arr.ndim} "
                             f"(shape {arr.shape})")
    if shape is not None and (arr.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(arr.shape, shape))):
        want_text = "(" + ", ".join("n" if w is None else str(w) for w in shape) + \
            ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {want_text}, got shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.isfinite(arr).all():  # the method: half the cost of np.all's dispatch
        raise ValueError(f"{name} must contain only finite values, got {_short(value)}")
    return arr


def int_array(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as an int array of any shape, or raise a TypeError."""
    if value is None or isinstance(value, (str, bytes, bytearray)):
        raise TypeError(f"{name} must be an array of ints, got {_short(value)}")
    try:
        y = np.asarray(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeError(f"{name} must be an array of ints, got {_short(value)}") from exc
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an array of ints, got {_short(value)} (dtype {y.dtype})")
    return y


def label_array(name: str, value: Any, n: int | None = None) -> np.ndarray:
    """Return ``value`` as a 1-D int array (of length ``n`` if given), or raise."""
    y = int_array(name, value)
    if y.ndim != 1 or (n is not None and y.shape[0] != n):
        want = f"({n},) to match the inputs" if n is not None else "(n,)"
        raise ValueError(f"{name} must have shape {want}, got {y.shape}")
    return y


def instance(name: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """Return ``value`` if it is an instance of ``kind``, else raise a TypeError."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__} {_short(value)}")
    return value


def function(name: str, value: Any) -> Any:
    """Return ``value`` if it is callable, else raise a TypeError."""
    if not callable(value) or isinstance(value, type):
        raise TypeError(f"{name} must be a function, got {_short(value)}")
    return value


def mapping(name: str, value: Any) -> Any:
    """Return ``value`` if it is a mapping (has ``items``), else raise a TypeError."""
    if not hasattr(value, "items") or not hasattr(value, "keys"):
        raise TypeError(f"{name} must be a mapping (a dict), got {_short(value)}")
    return value


#: At most this many entries in an array dlcalc allocates (800 MB of float64).
MAX_ENTRIES = 10**8


def array_size(name: str, shape: tuple[int, ...], limit: int = MAX_ENTRIES) -> None:
    """Raise a ValueError naming ``name`` if an array of ``shape`` is too large to make."""
    entries = 1
    for n in shape:
        entries *= n
    if entries > limit:
        raise ValueError(f"{name} asks for an array of shape {shape}: {entries} entries, "
                         f"more than {limit}")


def finite_result(value: np.ndarray | float, what: str, names: str) -> Any:
    """Return ``value`` if every entry is finite, else raise a ValueError that names the
    arguments (``names``) whose magnitude made the computation overflow."""
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{what} overflows the float range: {names} too large in "
                         "magnitude")
    return value


def pair(name: str, value: Any, check: Callable[[str, Any], int] = positive_int
         ) -> tuple[int, int]:
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


def generator(rng: Any) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {rng!r}")
    return rng


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {value!r}")
    return value


@contextmanager
def argument(name: str) -> Iterator[None]:
    """Errors raised inside name ``name``: the caller's argument passed on to a callee
    (whose own message names its parameter) is prefixed, e.g. ``"n_train: n must ..."``."""
    try:
        yield
    except (TypeError, ValueError) as exc:
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9])", str(exc)):
            raise
        raise type(exc)(f"{name}: {exc}") from exc
