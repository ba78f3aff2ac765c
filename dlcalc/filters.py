"""The classic 3x3 edge filters, as named read-only arrays.

Sign convention, for all of them: the filter is applied by cross-correlation
(:func:`~dlcalc.signal.correlate2d`, :func:`~dlcalc.layers.conv2d_forward`), rows are the
image's y axis pointing down and columns its x axis pointing right.

- ``VERTICAL_EDGE`` and ``HORIZONTAL_EDGE`` are the filters of the deep
  learning courses: the response is positive where the image is brighter on
  the left than on the right (vertical edge), or brighter on top than below
  (horizontal edge).
- ``SOBEL_X``, ``SOBEL_Y``, ``PREWITT_X`` and ``PREWITT_Y`` are the image
  processing gradient operators: the response is positive where the
  intensity increases in +x (to the right) or +y (downwards). So
  ``PREWITT_X == -VERTICAL_EDGE`` and ``PREWITT_Y == -HORIZONTAL_EDGE``.

Every ``*_Y`` filter is the transpose of its ``*_X`` filter, and
``HORIZONTAL_EDGE`` the transpose of ``VERTICAL_EDGE``. Run with true
convolution (:func:`~dlcalc.signal.convolve2d`) instead, every response changes sign.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "VERTICAL_EDGE",
    "HORIZONTAL_EDGE",
    "SOBEL_X",
    "SOBEL_Y",
    "PREWITT_X",
    "PREWITT_Y",
    "edge_filter",
]


def _frozen(rows: list[list[float]]) -> np.ndarray:
    a = np.array(rows, dtype=np.float64)
    a.setflags(write=False)
    return a


#: Vertical edges, positive where the left is brighter; every row is ``[1, 0, -1]``.
VERTICAL_EDGE = _frozen([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
#: Horizontal edges, positive where the top is brighter, equal to ``VERTICAL_EDGE.T``.
HORIZONTAL_EDGE = _frozen(VERTICAL_EDGE.T)
#: Sobel derivative in x (to the right), centre row weighted 2.
SOBEL_X = _frozen([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
#: Sobel derivative in y (downwards), equal to ``SOBEL_X.T``.
SOBEL_Y = _frozen(SOBEL_X.T)
#: Prewitt derivative in x (to the right), equal to ``-VERTICAL_EDGE``.
PREWITT_X = _frozen([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]])
#: Prewitt derivative in y (downwards), equal to ``PREWITT_X.T``.
PREWITT_Y = _frozen(PREWITT_X.T)

_BY_NAME = {
    "vertical_edge": VERTICAL_EDGE,
    "horizontal_edge": HORIZONTAL_EDGE,
    "sobel_x": SOBEL_X,
    "sobel_y": SOBEL_Y,
    "prewitt_x": PREWITT_X,
    "prewitt_y": PREWITT_Y,
}


def edge_filter(name: str) -> np.ndarray:
    """Return a fresh, writable copy of a named 3x3 edge filter.

    Parameters
    ----------
    name : str
        One of ``"vertical_edge"``, ``"horizontal_edge"``, ``"sobel_x"``,
        ``"sobel_y"``, ``"prewitt_x"``, ``"prewitt_y"`` (case-insensitive);
        ``"vertical"`` and ``"horizontal"`` are accepted for the first two.

    Returns
    -------
    ndarray, shape (3, 3)

    Raises
    ------
    ValueError
        If ``name`` is not one of these.
    TypeError
        If ``name`` is not a string.

    Notes
    -----
    The sign conventions are those of the module docstring: applied by
    cross-correlation, ``VERTICAL_EDGE`` responds positively to a bright
    left side, the Sobel and Prewitt filters to intensity increasing to the
    right (x) or downwards (y).

    Examples
    --------
    >>> edge_filter("horizontal")
    array([[ 1.,  1.,  1.],
           [ 0.,  0.,  0.],
           [-1., -1., -1.]])
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {name!r}")
    key = name.lower()
    if key in ("vertical", "horizontal"):
        key += "_edge"
    if key not in _BY_NAME:
        raise ValueError(f"name must be one of {sorted(_BY_NAME)} (or 'vertical', "
                         f"'horizontal'), got {name!r}")
    return _BY_NAME[key].copy()
