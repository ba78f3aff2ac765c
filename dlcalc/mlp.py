"""A small fully connected network, traced forward and backward for one sample.

Convention (the textbook column-vector form):
layer ``l = 1 .. L`` computes

    z[l] = W[l] @ a[l-1] + b[l],   a[l] = f_l(z[l]),   a[0] = x,

with ``W[l]`` of shape ``(n_l, n_{l-1})``, so ``W[l][j, k]`` is the weight from
unit ``k`` of layer ``l-1`` to unit ``j`` of layer ``l``. The parameters are
named ``"W1", "b1", "W2", "b2", ...`` (layer numbers from 1); the scalar entries
``"W1[j,k]"`` and ``"b1[j]"`` use numpy's 0-based indices. Everything is plain
data: a ``Network`` of arrays, traces of arrays, gradients as a dict by name, and
``scalars`` dicts a page can tabulate directly.

Activations: ``"relu"`` (derivative 0 at z = 0), ``"sigmoid"``, ``"tanh"``,
``"identity"`` (the older name ``"linear"`` is accepted and stored as
``"identity"``) and ``"softmax"`` (output layer only): the vocabulary of
:data:`dlcalc.specs.ACTIVATIONS`. Losses:
``"mse"``, :math:`\\tfrac12 \\sum_k (y_k - \\hat y_k)^2`, and ``"cross_entropy"``,
:math:`-\\sum_k y_k \\log \\hat y_k`, which needs a softmax output and takes an
integer label or a one-hot (or any probability) vector as target.
"""

from __future__ import annotations

from numpy.typing import ArrayLike

import numbers
from dataclasses import dataclass
from typing import Any, NamedTuple
from collections.abc import Mapping, Sequence

import numpy as np

from ._checks import finite_float, finite_result, float_array, positive_int
from ._checks import mapping as mapping_
from .activations import log_softmax, relu, sigmoid, softmax
from .specs import _ALIASES
from .specs import ACTIVATIONS as _ACTIVATIONS

__all__ = [
    "Network", "ForwardTrace", "BackwardTrace",
    "forward_trace", "backward_trace", "loss_value", "sgd_update", "named_scalars",
    "LOSSES",
]

#: One vocabulary across dlcalc (see :data:`dlcalc.specs.ACTIVATIONS`). "linear", an older
#: name of "identity", is still accepted and stored as "identity".
ACTIVATIONS = _ACTIVATIONS
LOSSES = ("mse", "cross_entropy")


# ---- activations: forward and local derivative side by side -------------------------

def _activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "relu":
        return relu(z)
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "identity":
        return z.copy()
    return softmax(z)


def _activate_backward(name: str, da: np.ndarray, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """dL/dz from dL/da through a = f(z)."""
    if name == "relu":
        return np.where(z > 0, da, 0.0)          # f' = 1 for z > 0, else 0
    if name == "sigmoid":
        return da * a * (1.0 - a)                # f' = f (1 - f)
    if name == "tanh":
        return da * (1.0 - a**2)                 # f' = 1 - f^2
    if name == "identity":
        return da.copy()
    return a * (da - np.dot(a, da))              # softmax Jacobian diag(a) - a a^T


# ---- the network --------------------------------------------------------------------------

def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, dtype=np.float64)        # a private copy
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class Network:
    """A fully connected network: weights, biases, activations and a loss.

    Parameters
    ----------
    weights : sequence of array_like, shapes (n_1, n_0), (n_2, n_1), ...
        ``weights[l-1]`` is ``W[l]``; ``z[l] = W[l] @ a[l-1] + b[l]``.
    biases : sequence of array_like, shapes (n_1,), (n_2,), ...
    activations : sequence of str, one per layer
        Each among ``ACTIVATIONS``; ``"softmax"`` only for the last layer.
    loss : {"mse", "cross_entropy"}, default "mse"
        ``"cross_entropy"`` requires a ``"softmax"`` last layer.

    Raises
    ------
    ValueError
        If shapes do not chain, a name is unknown, softmax is not last, or
        cross-entropy is used without a softmax output.

    Notes
    -----
    The arrays are stored as read-only copies; ``sgd_update`` returns a new
    ``Network``.

    Examples
    --------
    >>> net = Network([[[1.0, 2.0]]], [[0.5]], ["identity"])
    >>> net.sizes
    (2, 1)
    >>> net.scalars()
    {'W1[0,0]': 1.0, 'W1[0,1]': 2.0, 'b1[0]': 0.5}
    """

    weights: tuple
    biases: tuple
    activations: tuple
    loss: str = "mse"

    def __post_init__(self) -> None:
        for field in ("weights", "biases", "activations"):
            if not isinstance(getattr(self, field), (tuple, list)):
                raise TypeError(f"{field} must be a list with one entry per layer, got "
                                f"{getattr(self, field)!r}"[:300])
        weights = tuple(float_array(f"weights[{i}]", w, ndim=2)
                        for i, w in enumerate(self.weights))
        biases = tuple(float_array(f"biases[{i}]", b, ndim=1)
                       for i, b in enumerate(self.biases))
        activations = tuple(_ALIASES.get(a, a) if isinstance(a, str) else a
                            for a in self.activations)
        n = len(weights)
        if n == 0:
            raise ValueError("weights must hold at least one layer, got none")
        if len(biases) != n or len(activations) != n:
            raise ValueError(f"weights, biases and activations must have one entry per layer, "
                             f"got {n}, {len(biases)} and {len(activations)}")
        for i, (w, b) in enumerate(zip(weights, biases)):
            if b.shape != (w.shape[0],):
                raise ValueError(f"biases[{i}] must have shape ({w.shape[0]},) to match "
                                 f"weights[{i}] of shape {w.shape}, got {b.shape}")
            if i and w.shape[1] != weights[i - 1].shape[0]:
                raise ValueError(f"weights[{i}] must have {weights[i - 1].shape[0]} columns "
                                 f"(the units of layer {i}), got shape {w.shape}")
        for i, name in enumerate(activations):
            if not isinstance(name, str) or name not in ACTIVATIONS:
                raise ValueError(f"activations[{i}] must be one of {ACTIVATIONS}, got {name!r}")
            if name == "softmax" and i != n - 1:
                raise ValueError(f"activations[{i}] is 'softmax', allowed only for the "
                                 f"output layer")
        if not isinstance(self.loss, str) or self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        if self.loss == "cross_entropy" and activations[-1] != "softmax":
            raise ValueError(f"loss 'cross_entropy' needs a 'softmax' output layer, "
                             f"got activations[{n - 1}] = {activations[-1]!r}")
        object.__setattr__(self, "weights", tuple(_frozen(w) for w in weights))
        object.__setattr__(self, "biases", tuple(_frozen(b) for b in biases))
        object.__setattr__(self, "activations", activations)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Units per layer, input first, as ``(n_0, n_1, ..., n_L)``."""
        return (self.weights[0].shape[1],) + tuple(w.shape[0] for w in self.weights)

    @property
    def params(self) -> dict[str, np.ndarray]:
        """The parameters by name, in the order W1, b1, W2, b2, ..."""
        out: dict[str, np.ndarray] = {}
        for layer, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
            out[f"W{layer}"] = w
            out[f"b{layer}"] = b
        return out

    def scalars(self, mapping: Mapping[str, tuple] | None = None) -> dict[str, float]:
        """Every parameter entry as ``{name: value}``; see ``named_scalars``."""
        return named_scalars(self.params, mapping)

    @classmethod
    def from_scalars(cls, sizes: Sequence[int], values: Mapping[str, float],
                     mapping: Mapping[str, tuple], *, activations: Sequence[str],
                     loss: str = "mse") -> Network:
        """Build a network from named scalar weights and an explicit labelling.

        Parameters
        ----------
        sizes : sequence of int, (n_0, n_1, ..., n_L)
            Units per layer, input first.
        values : mapping of str to float
            The value of every named scalar, e.g. ``{"w1": 0.1, ...}``.
        mapping : mapping of str to tuple
            Where each name sits: ``{"w1": ("W1", j, k), "b3": ("b2", 0), ...}``
            (0-based; ``("W1", j, k)`` is the weight from input `k` to hidden unit
            `j`). Every entry of every parameter must be named exactly once.
        activations : sequence of str, one per layer
        loss : {"mse", "cross_entropy"}, default "mse"

        Returns
        -------
        net : Network

        Raises
        ------
        ValueError
            If `values` and `mapping` have different names, a position does not
            exist, or an entry is named twice or not at all.

        Examples
        --------
        One neuron, w1 from x1, w2 from x2:

        >>> net = Network.from_scalars((2, 1), {"w1": 0.5, "w2": -1.0, "b": 2.0},
        ...     {"w1": ("W1", 0, 0), "w2": ("W1", 0, 1), "b": ("b1", 0)},
        ...     activations=["identity"])
        >>> net.weights[0].tolist(), net.biases[0].tolist()
        ([[0.5, -1.0]], [2.0])
        """
        sizes = tuple(positive_int(f"sizes[{i}]", n) for i, n in enumerate(sizes))
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least an input and an output layer, "
                             f"got {sizes}")
        if set(values) != set(mapping):
            raise ValueError(f"values and mapping must name the same scalars, got "
                             f"{sorted(values)} and {sorted(mapping)}")
        arrays: dict[str, np.ndarray] = {}
        for layer in range(1, len(sizes)):
            arrays[f"W{layer}"] = np.full((sizes[layer], sizes[layer - 1]), np.nan)
            arrays[f"b{layer}"] = np.full(sizes[layer], np.nan)
        for name, position in mapping.items():
            index = _position(arrays, name, position)
            if not np.isnan(arrays[position[0]][index]):
                raise ValueError(f"mapping names {position} twice (again as {name!r})")
            arrays[position[0]][index] = finite_float(f"values[{name!r}]", values[name])
        for key, arr in arrays.items():
            if np.isnan(arr).any():
                missing = [tuple(int(i) for i in ix) for ix in np.argwhere(np.isnan(arr))]
                raise ValueError(f"mapping must name every entry; {key} entries {missing} "
                                 f"have no name")
        n = len(sizes) - 1
        return cls(tuple(arrays[f"W{layer}"] for layer in range(1, n + 1)),
                   tuple(arrays[f"b{layer}"] for layer in range(1, n + 1)), tuple(activations), loss)


def _position(params: Mapping[str, np.ndarray], name: str, position: Any) -> tuple[int, ...]:
    """Check ``position = (param, *index)`` against ``params``; return the index."""
    if (not isinstance(position, tuple) or not position or not isinstance(position[0], str)
            or position[0] not in params):
        raise ValueError(f"mapping[{name!r}] must be (param, index...) with param among "
                         f"{list(params)}, got {position!r}")
    shape = params[position[0]].shape
    index = position[1:]
    if (len(index) != len(shape)
            or not all(isinstance(i, numbers.Integral) and 0 <= int(i) < s
                       for i, s in zip(index, shape))):
        raise ValueError(f"mapping[{name!r}] = {position!r} is not an entry of "
                         f"{position[0]}, of shape {shape}")
    return tuple(int(i) for i in index)


def named_scalars(params: Mapping[str, np.ndarray],
                  mapping: Mapping[str, tuple] | None = None) -> dict[str, float]:
    """Entries of named arrays (parameters or their gradients) as ``{name: float}``.

    Parameters
    ----------
    params : mapping of str to ndarray
        E.g. ``net.params`` or the ``grads`` of a ``BackwardTrace``.
    mapping : mapping of str to tuple, optional
        ``{scalar_name: (param, *index)}`` as for ``Network.from_scalars``; the
        result follows its order. Default: every entry, named ``"W1[j,k]"`` and
        ``"b1[j]"`` (0-based), in the order of `params`.

    Returns
    -------
    scalars : dict of str to float

    Raises
    ------
    ValueError
        If a position of `mapping` does not exist in `params`.

    Examples
    --------
    >>> g = {"W1": np.array([[0.5, 0.25]]), "b1": np.array([1.0])}
    >>> named_scalars(g)
    {'W1[0,0]': 0.5, 'W1[0,1]': 0.25, 'b1[0]': 1.0}
    >>> named_scalars(g, {"w2": ("W1", 0, 1)})
    {'w2': 0.25}
    """
    mapping_("params", params)
    params = {key: float_array(f"params[{key!r}]", value) for key, value in params.items()}
    if mapping is not None:
        mapping_("mapping", mapping)
    # "+ 0.0" turns a -0.0 (e.g. -0.35 * 0) into 0.0 for the table
    if mapping is None:
        return {f"{key}[{','.join(map(str, ix))}]": float(v) + 0.0
                for key, arr in params.items() for ix, v in np.ndenumerate(arr)}
    indices = {name: _position(params, name, pos) for name, pos in mapping.items()}
    return {name: float(params[mapping[name][0]][index]) + 0.0
            for name, index in indices.items()}


# ---- forward, loss, backward, update -----------------------------------------------------

class ForwardTrace(NamedTuple):
    """Every value of a forward pass; ``z[l-1]``, ``a[l-1]`` belong to layer ``l``."""

    x: np.ndarray
    z: tuple
    a: tuple

    @property
    def output(self) -> np.ndarray:
        """The network's output ``a[L]``."""
        return self.a[-1]

    def scalars(self) -> dict[str, float]:
        """``{"z1[0]": ..., "a1[0]": ..., "z2[0]": ...}``, layer by layer."""
        out: dict[str, float] = {}
        for layer, (z, a) in enumerate(zip(self.z, self.a), start=1):
            out.update(named_scalars({f"z{layer}": z, f"a{layer}": a}))
        return out


class BackwardTrace(NamedTuple):
    """Every value of a backward pass for one sample.

    ``dL_da[l-1]`` and ``dL_dz[l-1]`` belong to layer ``l`` (the last is the
    output layer), ``dL_dx`` is the gradient with respect to the input and
    ``grads`` maps ``"W1", "b1", ...`` to the gradients of the parameters.
    """

    loss: float
    dL_da: tuple
    dL_dz: tuple
    dL_dx: np.ndarray
    grads: dict

    def scalars(self) -> dict[str, float]:
        """``{"L": ..., "dL/da2[0]": ..., "dL/dz2[0]": ..., "dL/dW2[0,0]": ...}``, output first."""
        out: dict[str, float] = {"L": self.loss}
        for layer in range(len(self.dL_dz), 0, -1):
            out.update(named_scalars({f"dL/da{layer}": self.dL_da[layer - 1],
                                      f"dL/dz{layer}": self.dL_dz[layer - 1],
                                      f"dL/dW{layer}": self.grads[f"W{layer}"],
                                      f"dL/db{layer}": self.grads[f"b{layer}"]}))
        return out


def _check_net(net: Any) -> Network:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network, got {type(net).__name__}")
    return net


def forward_trace(net: Network, x: ArrayLike) -> ForwardTrace:
    r"""Forward pass of one sample, keeping ``z`` and ``a`` of every layer.

    Parameters
    ----------
    net : Network
    x : array_like, shape (n_0,)
        One input (a column vector in the textbook's notation).

    Returns
    -------
    trace : ForwardTrace
        ``trace.z[l-1]``, ``trace.a[l-1]``: shape (n_l,); ``trace.output`` is
        ``a[L]``.

    Raises
    ------
    ValueError
        If `x` does not have shape (n_0,) or is not finite.

    Notes
    -----
    .. math:: z^{[l]} = W^{[l]} a^{[l-1]} + b^{[l]}, \quad a^{[l]} = f_l(z^{[l]}),
              \quad a^{[0]} = x

    Examples
    --------
    >>> net = Network([[[1.0, -1.0], [2.0, 1.0]]], [[0.0, -4.0]], ["relu"])
    >>> t = forward_trace(net, [3.0, 1.0])
    >>> t.z[0].tolist(), t.a[0].tolist()
    ([2.0, 3.0], [2.0, 3.0])
    """
    net = _check_net(net)
    x = float_array("x", x, ndim=1)
    if x.shape != (net.sizes[0],):
        raise ValueError(f"x must have shape ({net.sizes[0]},), got {x.shape}")
    zs, activations = [], []
    a = x
    for w, b, name in zip(net.weights, net.biases, net.activations):
        with np.errstate(over="ignore", invalid="ignore"):
            z = finite_result(w @ a + b, "the forward pass", "x or net's weights")
        a = _activate(name, z)
        zs.append(z)
        activations.append(a)
    return ForwardTrace(x, tuple(zs), tuple(activations))


def _target(net: Network, y: Any) -> np.ndarray:
    """The target as a float vector of the output's shape."""
    n_out = net.sizes[-1]
    if net.loss == "cross_entropy" and isinstance(y, numbers.Integral) \
            and not isinstance(y, bool):
        if not 0 <= int(y) < n_out:
            raise ValueError(f"y must be a class label in [0, {n_out}), got {y!r}")
        return np.eye(n_out)[int(y)]
    y = float_array("y", y, ndim=(0, 1)).reshape(-1)
    if y.shape != (n_out,):
        raise ValueError(f"y must have shape ({n_out},), got {y.shape}")
    if net.loss == "cross_entropy" and (np.any(y < 0) or not np.isclose(y.sum(), 1.0)):
        raise ValueError(f"y must be a label or a probability (one-hot) vector for "
                         f"cross_entropy, got {y!r}")
    return y


def _loss(net: Network, trace: ForwardTrace, y: np.ndarray) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        if net.loss == "mse":
            return _checked_loss(float(0.5 * np.sum((y - trace.output) ** 2)))
        log_p = log_softmax(trace.z[-1])                    # stable log a[L]
        return _checked_loss(float(-np.sum(np.where(y > 0, y * log_p, 0.0))))


def loss_value(net: Network, x: ArrayLike, y: ArrayLike | int) -> float:
    r"""The loss of `net` on one sample ``(x, y)``.

    Parameters
    ----------
    net : Network
    x : array_like, shape (n_0,)
    y : float, array_like of shape (n_L,), or int
        Target: a vector for ``"mse"`` (a number when there is one output); a
        class label in ``[0, n_L)`` or a probability vector for
        ``"cross_entropy"``.

    Returns
    -------
    loss : float

    Raises
    ------
    ValueError
        If `x` or `y` has the wrong shape or a label is out of range.

    Notes
    -----
    .. math:: L_{\mathrm{mse}} = \tfrac12 \sum_k (y_k - a^{[L]}_k)^2, \qquad
              L_{\mathrm{ce}} = -\sum_k y_k \log a^{[L]}_k

    Examples
    --------
    >>> net = Network([[[1.0, 1.0]]], [[0.0]], ["identity"])
    >>> loss_value(net, [1.0, 2.0], 1.0)    # (1 - 3)^2 / 2
    2.0
    """
    net = _check_net(net)
    return _loss(net, forward_trace(net, x), _target(net, y))


def _checked_loss(value: float) -> float:
    return finite_result(value, "the loss", "x, y or net's weights")


def backward_trace(net: Network, trace: ForwardTrace, y: ArrayLike | int) -> BackwardTrace:
    r"""Backward pass: the loss, dL/da and dL/dz of every layer, every gradient.

    Parameters
    ----------
    net : Network
    trace : ForwardTrace
        ``forward_trace(net, x)``.
    y : float, array_like of shape (n_L,), or int
        The target, as for ``loss_value``.

    Returns
    -------
    back : BackwardTrace
        ``back.loss``; ``back.dL_da[l-1]``, ``back.dL_dz[l-1]`` of shape (n_l,);
        ``back.dL_dx`` of shape (n_0,); ``back.grads["W1"]`` of the shape of
        ``W1`` and so on.

    Raises
    ------
    ValueError
        If `trace` does not fit the layer sizes of `net`, or `y` is wrong.

    Notes
    -----
    Output layer: :math:`\partial L / \partial a^{[L]} = a^{[L]} - y` for MSE,
    :math:`-y / a^{[L]}` for cross-entropy (0 where :math:`y_k = 0`); for
    cross-entropy with softmax, :math:`\partial L / \partial z^{[L]} = a^{[L]} - y`
    is used directly. Then, for :math:`l = L, \dots, 1`:

    .. math::
        \frac{\partial L}{\partial z^{[l]}} = f_l'(z^{[l]}) \odot
            \frac{\partial L}{\partial a^{[l]}}, \quad
        \frac{\partial L}{\partial W^{[l]}} = \frac{\partial L}{\partial z^{[l]}}
            \, a^{[l-1]\top}, \quad
        \frac{\partial L}{\partial b^{[l]}} = \frac{\partial L}{\partial z^{[l]}}, \quad
        \frac{\partial L}{\partial a^{[l-1]}} = W^{[l]\top}
            \frac{\partial L}{\partial z^{[l]}}

    (for softmax the Jacobian product :math:`a \odot (\delta - a^\top \delta)`).

    Examples
    --------
    One linear unit, :math:`o = w_1 x_1 + w_2 x_2`, target 1 at x = (1, 2):
    o = 3, dL/do = 2, dL/dw = 2 x.

    >>> net = Network([[[1.0, 1.0]]], [[0.0]], ["identity"])
    >>> back = backward_trace(net, forward_trace(net, [1.0, 2.0]), 1.0)
    >>> back.loss, back.grads["W1"].tolist(), back.grads["b1"].tolist()
    (2.0, [[2.0, 4.0]], [2.0])
    """
    net = _check_net(net)
    if not isinstance(trace, ForwardTrace):
        raise TypeError(f"trace must be a ForwardTrace, got {type(trace).__name__}")
    if not (isinstance(trace.z, tuple) and isinstance(trace.a, tuple)):
        raise TypeError(f"trace must be a ForwardTrace of forward_trace, got {trace!r}"[:300])
    trace = ForwardTrace(float_array("trace.x", trace.x),
                         tuple(float_array(f"trace.z[{i}]", z) for i, z in enumerate(trace.z)),
                         tuple(float_array(f"trace.a[{i}]", a) for i, a in enumerate(trace.a)))
    n = len(net.weights)
    if (len(trace.z) != n or trace.x.shape != (net.sizes[0],)
            or any(z.shape != (w.shape[0],) for z, w in zip(trace.z, net.weights))):
        raise ValueError(f"trace must come from a network of sizes {net.sizes}")
    if len(trace.a) != n or any(a.shape != z.shape for a, z in zip(trace.a, trace.z)):
        raise ValueError(f"trace must come from a network of sizes {net.sizes}")
    y = _target(net, y)
    out = trace.output
    if net.loss == "mse":
        da = out - y
        dz = _activate_backward(net.activations[-1], da, trace.z[-1], out)
    else:
        with np.errstate(divide="ignore"):
            da = np.where(y > 0, -y / np.where(y > 0, out, 1.0), 0.0)
        dz = out - y                     # softmax and cross-entropy together
    das, dzs, grads = [da], [dz], {}
    for layer in range(n, 0, -1):
        a_prev = trace.a[layer - 2] if layer > 1 else trace.x
        grads[f"W{layer}"] = np.outer(dz, a_prev)
        grads[f"b{layer}"] = dz.copy()
        da = net.weights[layer - 1].T @ dz
        if layer > 1:
            dz = _activate_backward(net.activations[layer - 2], da, trace.z[layer - 2], trace.a[layer - 2])
            das.append(da)
            dzs.append(dz)
    grads = {key: grads[key] for key in net.params}      # order W1, b1, W2, ...
    for value in (*grads.values(), *das, *dzs, da):
        finite_result(value, "the backward pass", "y, trace or net's weights")
    return BackwardTrace(_loss(net, trace, y), tuple(reversed(das)), tuple(reversed(dzs)),
                         da, grads)


def sgd_update(net: Network, grads: Mapping[str, Any], *, lr: float) -> Network:
    r"""One gradient-descent step on every parameter; a new ``Network``.

    Parameters
    ----------
    net : Network
    grads : mapping of str to array_like
        The gradient of every parameter by name, e.g. ``backward_trace(...).grads``
        (summed over samples for a batch step).
    lr : float
        Learning rate :math:`\eta > 0` (no default).

    Returns
    -------
    net_next : Network
        Same activations and loss, :math:`\theta - \eta\, \partial L/\partial \theta`
        for every parameter :math:`\theta`.

    Raises
    ------
    ValueError
        If a gradient is missing, of the wrong shape or not finite, or `lr <= 0`.

    Examples
    --------
    >>> net = Network([[[1.0, 1.0]]], [[0.0]], ["identity"])
    >>> new = sgd_update(net, {"W1": [[2.0, 4.0]], "b1": [2.0]}, lr=0.5)
    >>> new.weights[0].tolist(), new.biases[0].tolist()
    ([[0.0, -1.0]], [-1.0])
    """
    net = _check_net(net)
    lr = finite_float("lr", lr, low=0.0, low_open=True)
    mapping_("grads", grads)
    if set(grads) != set(net.params):
        raise ValueError(f"grads must have exactly the keys {list(net.params)}, "
                         f"got {list(grads)}")
    new = {}
    for key, value in net.params.items():
        g = float_array(f"grads[{key!r}]", grads[key])
        if g.shape != value.shape:
            raise ValueError(f"grads[{key!r}] must have shape {value.shape}, got {g.shape}")
        with np.errstate(over="ignore", invalid="ignore"):
            new[key] = finite_result(value - lr * g, "the update", "lr or grads")
    n = len(net.weights)
    return Network(tuple(new[f"W{layer}"] for layer in range(1, n + 1)),
                   tuple(new[f"b{layer}"] for layer in range(1, n + 1)), net.activations, net.loss)
