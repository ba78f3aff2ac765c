"""Numerical gradients for checking hand-derived backward passes.

Import from a test file in this folder with ``from gradcheck import
numeric_gradient, rel_error``.
"""

import numpy as np


def numeric_gradient(f, x, dout, h=1e-6):
    """Centred finite-difference gradient of ``sum(f(x) * dout)`` with respect to ``x``.

    ``f`` maps an array shaped like ``x`` to an array shaped like ``dout``.
    The error is O(h^2) in the truncation plus O(eps/h) in rounding; h = 1e-6
    in float64 gives about 1e-9 relative accuracy for smooth f.
    ``x`` is not modified.
    """
    x = np.array(x, dtype=np.float64)  # a private copy to perturb
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = np.sum(f(x.copy()) * dout)
        x[i] = old - h
        minus = np.sum(f(x.copy()) * dout)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def rel_error(a, b):
    """Relative error ``|a - b| / (|a| + |b|)`` in the Euclidean norm (0 when both are 0)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
