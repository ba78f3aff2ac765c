"""What the gradients and units of a model look like: gradient norms, dead ReLU units,
the symmetry of hidden units, and gradient flow through deep plain and residual stacks.
"""

from __future__ import annotations

from typing import Any
from numpy.typing import ArrayLike

from .models import CNN

from typing import NamedTuple

import numpy as np

from ._checks import array_size, finite_result, float_array, instance, positive_int
from ._checks import generator as _generator
from .init import init_weights
from .layers import ActivationCache, AffineCache, affine_backward, affine_forward, relu_forward
from .models import (MLP, _activation, _checked, _inputs, _n_layers, _weight_init,
                     loss_and_grads)
from .models import init_mlp  # noqa: F401  (the examples use it)

__all__ = [
    "gradient_norms", "dead_units", "hidden_unit_spread",
    "DeepStack", "GradientNorms", "init_deep_stack", "deep_stack_forward",
    "deep_stack_backward", "layer_gradient_norms",
]


def gradient_norms(model: MLP | CNN, x: ArrayLike, y: ArrayLike) -> dict[str, float]:
    """Euclidean (Frobenius) norm of the loss gradient for each parameter array.

    Parameters
    ----------
    model : MLP or CNN
    x : array_like
    y : array_like of int, shape (N,)

    Returns
    -------
    dict
        Parameter name -> float; exactly 0.0 where nothing flows.

    Examples
    --------
    With zero weights in a ReLU network only the output bias gets a gradient:

    >>> m = init_mlp((2, 3, 2), weight_init="zeros", rng=np.random.default_rng(0))
    >>> {k: round(v, 4) for k, v in gradient_norms(m, [[1.0, 2.0]], [1]).items()}
    {'w2': 0.0, 'b2': 0.7071, 'w1': 0.0, 'b1': 0.0}
    """
    _, grads, _ = loss_and_grads(model, x, y, train=False)
    return {k: _norm(g) for k, g in grads.items()}


def _norm(g: np.ndarray) -> float:
    """Euclidean norm of an array, scaled so that squaring cannot overflow."""
    largest = float(np.abs(g).max()) if g.size else 0.0
    if largest == 0.0:
        return 0.0
    norm = largest * float(np.linalg.norm(g / largest))
    if not np.isfinite(norm):
        raise ValueError("a gradient norm overflows the float range: the inputs or the "
                         "model's parameters too large in magnitude")
    return norm


def dead_units(model: MLP, x: ArrayLike) -> tuple[np.ndarray, ...]:
    """Which ReLU units of an MLP output 0 for every example of ``x``.

    Parameters
    ----------
    model : MLP
        With ``activation="relu"``.
    x : array_like, shape (N, D)

    Returns
    -------
    tuple of ndarray of bool
        One array per hidden layer, shape (n_l,), True for a dead unit. A
        dead unit passes no gradient, so its incoming weights never change.

    Raises
    ------
    ValueError
        If the model's activation is not ReLU.

    Examples
    --------
    >>> m = init_mlp((2, 3, 2), weight_init="zeros", bias=-5.0, rng=np.random.default_rng(0))
    >>> dead_units(m, [[1.0, 2.0]])
    (array([ True,  True,  True]),)
    """
    if not isinstance(model, MLP) or model.activation != "relu":
        raise ValueError(f"model must be an MLP with activation 'relu', got {model!r:.60}")
    checked = _checked(model)
    h, dead = _inputs(checked, x), []
    for layer in range(1, _n_layers(checked.params)):
        try:
            z, _ = affine_forward(h, checked.params[f"w{layer}"], checked.params[f"b{layer}"])
        except ValueError as exc:
            raise ValueError(f"the forward pass overflows: x or the model's parameters too "
                             f"large in magnitude ({exc})") from exc
        h, _ = relu_forward(z)
        dead.append(np.all(h == 0.0, axis=0))   # max(z, 0) = 0 on every example
    return tuple(dead)


def hidden_unit_spread(model: MLP) -> tuple[float, ...]:
    """How far the hidden units of each layer of an MLP are from being identical.

    Parameters
    ----------
    model : MLP

    Returns
    -------
    tuple of float
        One per hidden layer l: the largest absolute difference between
        unit j's parameters and unit 0's, over all units j, where a unit's
        parameters are its incoming weights ``w_l[:, j]``, its bias
        ``b_l[j]`` and its outgoing weights ``w_{l+1}[j, :]``. 0.0 means all
        units of the layer compute the same function (symmetry unbroken).

    Examples
    --------
    >>> m = init_mlp((2, 3, 2), weight_init="zeros", rng=np.random.default_rng(0))
    >>> hidden_unit_spread(m)
    (0.0,)
    """
    checked = _checked(model)
    if not isinstance(checked, MLP):
        raise TypeError(f"model must be an MLP, got {type(model).__name__}")
    p = checked.params
    spreads = []
    for layer in range(1, _n_layers(p)):
        unit = np.concatenate([p[f"w{layer}"], p[f"b{layer}"][np.newaxis, :],
                               p[f"w{layer + 1}"].T])           # column j = unit j
        with np.errstate(over="ignore"):
            spreads.append(float(np.abs(unit - unit[:, :1]).max()))
    finite_result(np.array(spreads), "a spread", "model's parameters")
    return tuple(spreads)


# ---------------------------------------------------------------------------------------
# Gradient flow through deep plain and residual stacks


class DeepStack(NamedTuple):
    """``depth`` blocks of width D, each :math:`F_l(h) = \\phi(h W_l) V_l`.

    A plain stack computes :math:`h_{l+1} = F_l(h_l)`, a residual stack
    :math:`h_{l+1} = h_l + F_l(h_l)`; the weights can be shared between the
    two so that the skip connection is the only difference.
    """
    w: tuple
    v: tuple
    activation: str
    residual: bool


class GradientNorms(NamedTuple):
    """Per block, from the input (index 0) to the output (index depth - 1).

    ``weight[l]`` is :math:`\\|\\partial L/\\partial W_l\\|_F`; ``signal[l]``
    is :math:`\\|\\partial L/\\partial h_l\\|_F`, the gradient reaching the
    input of block l.
    """
    weight: np.ndarray
    signal: np.ndarray


def init_deep_stack(depth: int, width: int, *, activation: str = "sigmoid",
                    residual: bool = False, weight_init: str = "xavier",
                    rng: np.random.Generator) -> DeepStack:
    """A :class:`DeepStack` with both weight matrices of every block drawn from a scheme.

    Parameters
    ----------
    depth : int
        Number of blocks.
    width : int
        Width D of every block.
    activation : {"relu", "sigmoid", "tanh"}, optional
        Default ``"sigmoid"``.
    residual : bool, optional
        Add the skip connection (default False).
    weight_init : str, optional
        Scheme of :func:`dlcalc.init.init_weights` (default ``"xavier"``);
        ``"zeros"`` makes every block of a residual stack the identity.
    rng : numpy.random.Generator

    Returns
    -------
    DeepStack

    Examples
    --------
    >>> s = init_deep_stack(3, 4, weight_init="zeros", residual=True, rng=np.random.default_rng(0))
    >>> len(s.w), s.v[0].shape
    (3, (4, 4))
    """
    depth = positive_int("depth", depth, high=10**4)
    width = positive_int("width", width, high=10**4)
    array_size("depth and width", (2 * depth, width, width))
    _activation(activation)
    _weight_init(weight_init)
    if not isinstance(residual, bool):
        raise TypeError(f"residual must be a bool, got {residual!r}")
    w, v = [], []
    for _ in range(depth):
        w.append(init_weights((width, width), weight_init, rng=rng))
        v.append(init_weights((width, width), weight_init, rng=rng))
    return DeepStack(tuple(w), tuple(v), activation, residual)


def deep_stack_forward(stack: DeepStack, x: ArrayLike) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Output of a :class:`DeepStack` and the cache of its backward pass.

    Parameters
    ----------
    stack : DeepStack
    x : array_like, shape (N, D)

    Returns
    -------
    out : ndarray, shape (N, D)
    cache : tuple

    Notes
    -----
    .. math:: h_{l+1} = [h_l] + \\phi(h_l W_l)\\, V_l

    the bracketed term only in a residual stack. With :math:`V_l = 0` every
    residual block is the identity, whatever :math:`W_l` and :math:`\\phi`.

    Examples
    --------
    >>> s = init_deep_stack(5, 2, weight_init="zeros", residual=True, rng=np.random.default_rng(0))
    >>> deep_stack_forward(s, [[1.0, -2.0]])[0]
    array([[ 1., -2.]])
    """
    stack = _checked_stack(stack)
    act_forward, _ = _activation(stack.activation)
    h = float_array("x", x, shape=(None, stack.w[0].shape[0]))
    no_bias = np.zeros(h.shape[1])
    caches = []
    with np.errstate(over="ignore"):
        for w, v in zip(stack.w, stack.v):
            try:
                z, c1 = affine_forward(h, w, no_bias)
                a, c2 = act_forward(z)
                f, c3 = affine_forward(a, v, no_bias)
            except ValueError as exc:
                raise ValueError(f"the forward pass overflows: x or the stack's weights too "
                                 f"large in magnitude ({exc})") from exc
            h = finite_result(h + f if stack.residual else f, "the forward pass",
                              "x or the stack's weights")
            caches.append((c1, c2, c3))
    return h, (stack.activation, stack.residual, caches)


def deep_stack_backward(dout: ArrayLike, cache: tuple[Any, ...]
                        ) -> tuple[np.ndarray, tuple[np.ndarray, ...], tuple[np.ndarray, ...],
                                   tuple[np.ndarray, ...]]:
    """Gradients of a :class:`DeepStack` given the gradient at its output.

    Parameters
    ----------
    dout : ndarray, shape (N, D)
    cache : tuple
        From :func:`deep_stack_forward`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dw : tuple of ndarray, shape (D, D) each
    dv : tuple of ndarray
    dh : tuple of ndarray, shape (N, D) each
        ``dh[l]`` is the gradient at the input of block l (``dh[0] = dx``).

    Notes
    -----
    .. math:: \\frac{\\partial L}{\\partial h_l} = [\\,\\cdot\\,] +
              \\left(\\frac{\\partial L}{\\partial h_{l+1}} V_l^T
              \\odot \\phi'(h_l W_l)\\right) W_l^T

    where the bracket, present only with the skip connection, is
    :math:`\\partial L/\\partial h_{l+1}` itself: the identity path carries
    the gradient down undiminished.

    Examples
    --------
    >>> stack = init_deep_stack(2, 3, rng=np.random.default_rng(0))
    >>> out, cache = deep_stack_forward(stack, np.ones((1, 3)))
    >>> dx, dw, dv, dh = deep_stack_backward(np.ones_like(out), cache)
    >>> dx.shape, len(dw), bool(np.allclose(dh[0], dx))
    ((1, 3), 2, True)

    """
    if not (isinstance(cache, tuple) and len(cache) == 3 and isinstance(cache[2], list)
            and cache[2] and isinstance(cache[1], (bool, np.bool_)) and all(
                isinstance(c, tuple) and len(c) == 3 and isinstance(c[0], AffineCache)
                and isinstance(c[1], ActivationCache) and isinstance(c[2], AffineCache)
                and isinstance(c[2].x, np.ndarray) and isinstance(c[2].w, np.ndarray)
                and c[2].x.ndim == 2 and c[2].w.ndim == 2 for c in cache[2])):
        raise TypeError(f"cache must be the cache returned by deep_stack_forward, got "
                        f"{cache!r}"[:300])
    activation, residual, caches = cache
    _, act_backward = _activation(activation, "cache's activation")
    last = caches[-1][2]
    dh = float_array("dout", dout, shape=(last.x.shape[0], last.w.shape[1]))
    dws, dvs, dhs = [], [], []
    for c1, c2, c3 in reversed(caches):
        try:
            da, dv, _ = affine_backward(dh, c3)
            dz = act_backward(da, c2)
            dx_f, dw, _ = affine_backward(dz, c1)
        except ValueError as exc:
            raise ValueError(f"the backward pass fails: dout too large in magnitude or cache "
                             f"not from deep_stack_forward ({exc})") from exc
        with np.errstate(over="ignore"):
            dh = finite_result(dh + dx_f if residual else dx_f, "the backward pass",
                               "dout or cache")
        dws.append(dw)
        dvs.append(dv)
        dhs.append(dh)
    return dh, tuple(reversed(dws)), tuple(reversed(dvs)), tuple(reversed(dhs))


def layer_gradient_norms(stack: DeepStack, x: ArrayLike, *, rng: np.random.Generator
                         ) -> GradientNorms:
    """Gradient norm reaching each block of a stack under a random linear loss.

    Parameters
    ----------
    stack : DeepStack
    x : array_like, shape (N, D)
    rng : numpy.random.Generator
        Draws the loss direction ``g``.

    Returns
    -------
    GradientNorms

    Notes
    -----
    The loss is :math:`L = \\frac1N \\sum_{n,i} g_{ni}\\, h_{L,ni}` with
    :math:`g_{ni} \\sim N(0, 1)`, so the gradient arriving at the top is the
    same for a plain and a residual stack and what happens below it is due
    to the blocks alone.

    Examples
    --------
    >>> s = init_deep_stack(2, 3, weight_init="zeros", residual=True, rng=np.random.default_rng(0))
    >>> norms = layer_gradient_norms(s, np.ones((4, 3)), rng=np.random.default_rng(1))
    >>> norms.weight                           # V = 0: nothing reaches W
    array([0., 0.])
    >>> bool(norms.signal[0] == norms.signal[1])  # the identity passes it on unchanged
    True
    """
    out, cache = deep_stack_forward(stack, x)
    g = _generator(rng).normal(size=out.shape) / out.shape[0]
    _, dw, _, dh = deep_stack_backward(g, cache)
    return GradientNorms(np.array([_norm(d) for d in dw]), np.array([_norm(d) for d in dh]))


def _checked_stack(stack: Any, name: str = "stack") -> DeepStack:
    """Return ``stack`` with its weights checked, or raise an error naming ``name``."""
    instance(name, stack, DeepStack, "a DeepStack (see init_deep_stack)")
    _activation(stack.activation, f"{name}.activation")
    if not isinstance(stack.residual, (bool, np.bool_)):
        raise TypeError(f"{name}.residual must be a bool, got {stack.residual!r}")
    if not (isinstance(stack.w, (tuple, list)) and isinstance(stack.v, (tuple, list))
            and len(stack.w) == len(stack.v) >= 1):
        raise ValueError(f"{name}.w and {name}.v must be sequences of as many (D, D) "
                         f"matrices, at least one, got {stack.w!r} and {stack.v!r}"[:300])
    w = tuple(float_array(f"{name}.w[{i}]", a, ndim=2) for i, a in enumerate(stack.w))
    v = tuple(float_array(f"{name}.v[{i}]", a, ndim=2) for i, a in enumerate(stack.v))
    d = w[0].shape[0]
    if any(a.shape != (d, d) for a in w + v):
        raise ValueError(f"{name}.w and {name}.v must all be ({d}, {d}), got shapes "
                         f"{[a.shape for a in w + v]}")
    return stack._replace(w=w, v=v)
