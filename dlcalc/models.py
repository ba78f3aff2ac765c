"""Models as plain data: a fully connected classifier (:class:`MLP`) and a small
convolutional one (:class:`CNN`), their initialisation, forward and backward passes, loss
and gradients, predictions and evaluation.

A model is a ``NamedTuple`` holding a dict of parameter arrays and the few settings of
its architecture. :func:`model_forward` and :func:`model_backward` run it through the
layers of :mod:`dlcalc.layers`. Nothing is modified in place, and every random choice
(initial weights, dropout masks) comes from a ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from numpy.typing import ArrayLike

from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from ._checks import (finite_float, float_array, generator, instance, label_array, mapping,
                      positive_int)
from .activations import _softmax_cross_entropy, cross_entropy, softmax, softmax_cross_entropy
from .init import WEIGHT_INITS, constant, init_weights, zeros
from .layers import (AffineCache, ConvCache, DropoutCache, _affine_backward, _affine_forward,
                     _conv2d_backward, _conv2d_forward, _dropout_backward, _dropout_forward,
                     _maxpool2d_backward, _maxpool2d_forward, _relu_backward, _relu_forward,
                     _sigmoid_backward, _sigmoid_forward, _tanh_backward, _tanh_forward,
                     affine_backward, affine_forward, conv2d_backward, conv2d_forward,
                     dropout_backward, dropout_forward, maxpool2d_backward, maxpool2d_forward,
                     relu_backward, relu_forward, sigmoid_backward, sigmoid_forward,
                     tanh_backward, tanh_forward)

__all__ = [
    "HIDDEN_ACTIVATIONS",
    "MLP", "CNN", "init_mlp", "init_cnn", "model_forward", "model_backward",
    "loss_and_grads", "predict_proba", "predict", "evaluate",
]

#: Hidden-layer activations, each a forward/backward pair of :mod:`dlcalc.layers`.
_ACTIVATION_LAYERS = MappingProxyType({
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
})
HIDDEN_ACTIVATIONS = tuple(_ACTIVATION_LAYERS)


def _activation(name: Any, arg: str = "activation") -> tuple[Callable[..., Any], Callable[..., Any]]:
    if not isinstance(name, str) or name not in _ACTIVATION_LAYERS:
        raise ValueError(f"{arg} must be one of {HIDDEN_ACTIVATIONS}, got {name!r}")
    return _ACTIVATION_LAYERS[name]


class MLP(NamedTuple):
    """A fully connected classifier: affine layers, one hidden activation, softmax output.

    ``params`` maps ``"w1", "b1", ..., "wL", "bL"`` to arrays; ``w_l`` has shape
    ``(n_{l-1}, n_l)`` (``x @ w``) and ``b_l`` shape ``(n_l,)``. Every layer
    but the last is followed by ``activation``; the last gives the logits.
    """
    params: dict
    activation: str


class CNN(NamedTuple):
    """conv (same padding) -> ReLU -> max pool -> dropout -> fully connected -> logits.

    ``params`` maps ``"conv_w"`` (F, C, K, K), ``"conv_b"`` (F,), ``"fc_w"``
    (F * H/pool * W/pool, n_classes) and ``"fc_b"`` (n_classes,) to arrays.
    Dropout is inverted with keep probability ``p_keep``.
    """
    params: dict
    pool: int
    p_keep: float


class _Layers(NamedTuple):
    """The layer functions a forward and backward pass of a model runs on: (forward,
    backward) pairs, called with the arguments of the public layer functions."""
    affine: tuple[Callable[..., Any], Callable[..., Any]]
    activation: Mapping[str, tuple[Callable[..., Any], Callable[..., Any]]]
    conv: tuple[Callable[..., Any], Callable[..., Any]]
    maxpool: tuple[Callable[..., Any], Callable[..., Any]]
    dropout: tuple[Callable[..., Any], Callable[..., Any]]


#: The public layer functions: every argument and every result checked.
_CHECKED = _Layers((affine_forward, affine_backward), _ACTIVATION_LAYERS,
                   (conv2d_forward, conv2d_backward), (maxpool2d_forward, maxpool2d_backward),
                   (dropout_forward, dropout_backward))


class _NotFinite(Exception):
    """A value of a pass on the unchecked kernels (:data:`_UNCHECKED`) is not finite; the
    same pass on the checked layers (:data:`_CHECKED`) raises the error that names it."""


def _finite(value: np.ndarray) -> np.ndarray:
    if not np.isfinite(value).all():
        raise _NotFinite
    return value


def _affine_forward_finite(x: np.ndarray, w: np.ndarray, b: np.ndarray
                           ) -> tuple[np.ndarray, AffineCache]:
    out, cache = _affine_forward(x, w, b)
    return _finite(out), cache


def _affine_backward_finite(dout: np.ndarray, cache: AffineCache
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dx, dw, db = _affine_backward(dout, cache)
    return _finite(dx), dw, db


def _conv2d_forward_finite(x: np.ndarray, w: np.ndarray, b: np.ndarray, *, stride: int,
                           padding: int) -> tuple[np.ndarray, ConvCache]:
    out, cache = _conv2d_forward(x, w, b, stride=stride, padding=padding)
    return _finite(out), cache


def _conv2d_backward_finite(dout: np.ndarray, cache: ConvCache
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    dx, dw, db = _conv2d_backward(dout, cache)
    return _finite(dx), dw, db


def _dropout_forward_finite(x: np.ndarray, *, p_keep: float, rng: np.random.Generator,
                            inverted: bool, train: bool) -> tuple[np.ndarray, DropoutCache]:
    out, cache = _dropout_forward(x, p_keep=p_keep, rng=rng, inverted=inverted, train=train)
    return _finite(out), cache


def _dropout_backward_finite(dout: np.ndarray, cache: DropoutCache) -> np.ndarray:
    return _finite(_dropout_backward(dout, cache))


#: The arithmetic of the same layers, unchecked but for a test that raises
#: :class:`_NotFinite` on every value the checked layers would raise on (what the other
#: values are follows from the arguments: a model and data checked once, by
#: :func:`~dlcalc.training.fit`). The parameters' gradients are left to the optimizer,
#: whose step is not finite when a gradient is not.
_UNCHECKED = _Layers(
    (_affine_forward_finite, _affine_backward_finite),
    MappingProxyType({"relu": (_relu_forward, _relu_backward),
                      "sigmoid": (_sigmoid_forward, _sigmoid_backward),
                      "tanh": (_tanh_forward, _tanh_backward)}),
    (_conv2d_forward_finite, _conv2d_backward_finite),
    (_maxpool2d_forward, _maxpool2d_backward),
    (_dropout_forward_finite, _dropout_backward_finite))


def _stacked_activations(names: Sequence[str]
                         ) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """An unchecked activation pair for a stack of networks (leading axis) whose
    networks have the activations ``names``, in order: each network's slice computed by
    its own kernel, so with the numbers of that network alone."""
    merged: list[tuple[slice, str]] = []      # neighbours of one activation: one slice
    start = 0
    for name, run in itertools.groupby(names):
        stop = start + len(list(run))
        merged.append((slice(start, stop), name))
        start = stop

    def forward(z: np.ndarray) -> tuple[np.ndarray, list[Any]]:
        out, caches = np.empty_like(z), []
        for part, name in merged:
            out[part], cache = _UNCHECKED.activation[name][0](z[part])
            caches.append(cache)
        return out, caches

    def backward(dout: np.ndarray, caches: list[Any]) -> np.ndarray:
        dx = np.empty_like(dout)
        for (part, name), cache in zip(merged, caches):
            dx[part] = _UNCHECKED.activation[name][1](dout[part], cache)
        return dx

    return forward, backward


def _weight_init(weight_init: Any) -> None:
    if not isinstance(weight_init, str) or weight_init not in WEIGHT_INITS:
        raise ValueError(f"weight_init must be one of {WEIGHT_INITS}, got {weight_init!r}"[:200])


def _n_layers(params: dict[str, np.ndarray]) -> int:
    return len(params) // 2


def _param(name: str, value: Any, ndim: int) -> np.ndarray:
    dtype = np.float32 if getattr(value, "dtype", None) == np.float32 else np.float64
    return float_array(name, value, ndim=ndim, dtype=dtype)


def _checked(model: Any, name: str = "model") -> MLP | CNN:
    """Return ``model`` with its parameters checked (an MLP or a CNN whose arrays are
    finite and fit together), or raise an error naming ``name``."""
    instance(name, model, (MLP, CNN), "an MLP or a CNN (see init_mlp and init_cnn)")
    params = mapping(f"{name}.params", model.params)
    if isinstance(model, MLP):
        _activation(model.activation, f"{name}.activation")
        n = len(params) // 2
        want = {f"{k}{layer}" for layer in range(1, n + 1) for k in "wb"}
        if n < 1 or set(params) != want:
            raise ValueError(f"{name}.params must hold w1, b1, ..., wL, bL, got keys "
                             f"{sorted(params)}")
        checked, width = {}, None
        for layer in range(1, n + 1):
            w = _param(f"{name}.params['w{layer}']", params[f"w{layer}"], 2)
            b = _param(f"{name}.params['b{layer}']", params[f"b{layer}"], 1)
            if (width is not None and w.shape[0] != width) or b.shape != (w.shape[1],):
                raise ValueError(f"{name}.params: w{layer} of shape {w.shape} and b{layer} of "
                                 f"shape {b.shape} do not fit the layer before (width {width})")
            checked[f"w{layer}"], checked[f"b{layer}"], width = w, b, w.shape[1]
        return model._replace(params=checked)
    if set(params) != {"conv_w", "conv_b", "fc_w", "fc_b"}:
        raise ValueError(f"{name}.params must hold conv_w, conv_b, fc_w, fc_b, got keys "
                         f"{sorted(params)}")
    conv_w = _param(f"{name}.params['conv_w']", params["conv_w"], 4)
    conv_b = _param(f"{name}.params['conv_b']", params["conv_b"], 1)
    fc_w = _param(f"{name}.params['fc_w']", params["fc_w"], 2)
    fc_b = _param(f"{name}.params['fc_b']", params["fc_b"], 1)
    f, _, kh, kw = conv_w.shape
    if kh != kw or kh % 2 == 0 or conv_b.shape != (f,) or fc_b.shape != (fc_w.shape[1],) \
            or fc_w.shape[0] % f:
        raise ValueError(f"{name}.params do not fit together: conv_w {conv_w.shape} (odd "
                         f"square kernels), conv_b {conv_b.shape}, fc_w {fc_w.shape}, "
                         f"fc_b {fc_b.shape}")
    pool = positive_int(f"{name}.pool", model.pool)
    p_keep = finite_float(f"{name}.p_keep", model.p_keep, low=0.0, low_open=True, high=1.0)
    return CNN({"conv_w": conv_w, "conv_b": conv_b, "fc_w": fc_w, "fc_b": fc_b}, pool, p_keep)


def _inputs(model: MLP | CNN, x: ArrayLike, name: str = "x") -> np.ndarray:
    """Return ``x`` checked against ``model``: (N, D) for an MLP, (N, C, H, W) for a CNN."""
    if isinstance(model, MLP):
        x = float_array(name, x)
        d = model.params["w1"].shape[0]
        if x.ndim != 2 or x.shape[1] != d:
            raise ValueError(f"{name} must have shape (n, {d}) to fit the model's first layer "
                             f"(w1 of shape {model.params['w1'].shape}), got {x.shape}")
        return x
    x = float_array(name, x)
    if x.ndim != 4:
        raise ValueError(f"{name} must have shape (n, C, H, W) for the model (a CNN), got "
                         f"shape {x.shape}")
    conv_w, fc_w = model.params["conv_w"], model.params["fc_w"]
    _, _, h, w = x.shape
    if x.shape[1] != conv_w.shape[1] or h % model.pool or w % model.pool or \
            fc_w.shape[0] != conv_w.shape[0] * (h // model.pool) * (w // model.pool):
        raise ValueError(f"{name} of shape {x.shape} does not fit the model: conv_w "
                         f"{conv_w.shape}, pool {model.pool}, fc_w {fc_w.shape}")
    return x


def _labels(name: str, y: ArrayLike, n: int, k: int) -> np.ndarray:
    y = label_array(name, y, n)
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"{name} must be class indices in [0, {k}), got {y.tolist()}"[:300])
    return y


def _n_classes(model: MLP | CNN) -> int:
    return model.params[f"w{_n_layers(model.params)}"].shape[1] if isinstance(model, MLP) \
        else model.params["fc_w"].shape[1]


def init_mlp(sizes: Sequence[int], *, activation: str = "relu", weight_init: str = "he",
             std: float = 0.01, bias: float = 0.0, rng: np.random.Generator) -> MLP:
    """A new :class:`MLP` with the chosen initialisation.

    Parameters
    ----------
    sizes : sequence of int
        ``(n_inputs, n_hidden_1, ..., n_classes)``, at least two entries;
        ``(2, 10, 5, 2)`` is a 3-layer network (three weight matrices).
    activation : {"relu", "sigmoid", "tanh"}, optional
        Activation of every hidden layer (default ``"relu"``).
    weight_init : str, optional
        Scheme of every weight matrix, one of :data:`dlcalc.init.WEIGHT_INITS`
        (default ``"he"``).
    std : float, optional
        Standard deviation for ``weight_init="normal"`` (default 0.01).
    bias : float, optional
        Initial value of every hidden bias (default 0); the output bias starts
        at 0 whatever this is. A large negative value closes ReLU units.
    rng : numpy.random.Generator

    Returns
    -------
    MLP

    Raises
    ------
    ValueError
        If ``sizes`` has fewer than two entries or a name is unknown.

    Examples
    --------
    >>> m = init_mlp((2, 3, 2), weight_init="zeros", bias=-5.0, rng=np.random.default_rng(0))
    >>> sorted(m.params), m.params["b1"], m.params["b2"]
    (['b1', 'b2', 'w1', 'w2'], array([-5., -5., -5.]), array([0., 0.]))
    """
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(f"sizes must be a sequence of positive ints, got {sizes!r}")
    sizes = tuple(positive_int(f"sizes[{i}]", s, high=10**6) for i, s in enumerate(sizes))
    if len(sizes) < 2:
        raise ValueError(f"sizes must have at least two entries (inputs, outputs), got {sizes}")
    _activation(activation)
    _weight_init(weight_init)
    bias = finite_float("bias", bias)
    n = len(sizes) - 1
    params = {}
    for layer in range(1, n + 1):
        fan_in, fan_out = sizes[layer - 1], sizes[layer]
        params[f"w{layer}"] = init_weights((fan_in, fan_out), weight_init, rng=rng, std=std)
        params[f"b{layer}"] = constant(fan_out, bias) if layer < n else zeros(fan_out)
    return MLP(params, activation)


def init_cnn(*, in_shape: tuple[int, int, int] = (1, 8, 8), n_filters: int = 16,
             kernel: int = 3, pool: int = 2, n_classes: int = 10, p_keep: float = 0.75,
             rng: np.random.Generator) -> CNN:
    """A new :class:`CNN` with He-initialised weights and zero biases.

    Parameters
    ----------
    in_shape : tuple of int, optional
        ``(C, H, W)`` of one input image (default ``(1, 8, 8)``, the digits).
    n_filters : int, optional
        Number of convolution filters F (default 16).
    kernel : int, optional
        Odd filter size K; padding ``K // 2`` keeps H x W (default 3).
    pool : int, optional
        Max-pooling window and stride (default 2); must divide H and W.
    n_classes : int, optional
        Default 10.
    p_keep : float, optional
        Keep probability of the dropout before the last layer (default 0.75).
    rng : numpy.random.Generator

    Returns
    -------
    CNN

    Raises
    ------
    ValueError
        If ``kernel`` is even, ``pool`` does not divide H and W, or
        ``p_keep`` is outside (0, 1].

    Examples
    --------
    >>> m = init_cnn(n_filters=4, rng=np.random.default_rng(0))
    >>> {k: v.shape for k, v in m.params.items()}
    {'conv_w': (4, 1, 3, 3), 'conv_b': (4,), 'fc_w': (64, 10), 'fc_b': (10,)}
    """
    if not isinstance(in_shape, (tuple, list)) or len(in_shape) != 3:
        raise ValueError(f"in_shape must be a (C, H, W) triple, got {in_shape!r}")
    c, h, w = (positive_int(f"in_shape[{i}]", s, high=10**4) for i, s in enumerate(in_shape))
    n_filters = positive_int("n_filters", n_filters, high=10**4)
    kernel = positive_int("kernel", kernel, high=10**4)
    if kernel % 2 == 0:
        raise ValueError(f"kernel must be odd (same padding), got {kernel}")
    pool = positive_int("pool", pool)
    if h % pool or w % pool:
        raise ValueError(f"pool must divide the image size {h}x{w}, got {pool}")
    n_classes = positive_int("n_classes", n_classes, high=10**6)
    p_keep = finite_float("p_keep", p_keep, low=0.0, low_open=True, high=1.0)
    n_flat = n_filters * (h // pool) * (w // pool)
    params = {
        "conv_w": init_weights((n_filters, c, kernel, kernel), "he", rng=rng),
        "conv_b": zeros(n_filters),
        "fc_w": init_weights((n_flat, n_classes), "he", rng=rng),
        "fc_b": zeros(n_classes),
    }
    return CNN(params, pool, p_keep)


def _mlp_forward(model: MLP, x: np.ndarray, layers: _Layers
                 ) -> tuple[np.ndarray, tuple[Any, ...]]:
    params, (act_forward, _) = model.params, layers.activation[model.activation]
    affine_forward = layers.affine[0]
    n = _n_layers(params)
    caches, h = [], x
    for layer in range(1, n + 1):
        h, affine_cache = affine_forward(h, params[f"w{layer}"], params[f"b{layer}"])
        act_cache = None
        if layer < n:
            h, act_cache = act_forward(h)
        caches.append((affine_cache, act_cache))
    return h, ("mlp", model.activation, caches)


def _mlp_backward(dlogits: np.ndarray, cache: tuple[Any, ...], layers: _Layers
                  ) -> dict[str, np.ndarray]:
    _, activation, caches = cache
    _, act_backward = layers.activation[activation]
    affine_backward = layers.affine[1]
    grads, dh = {}, dlogits
    for layer in range(len(caches), 0, -1):
        affine_cache, act_cache = caches[layer - 1]
        if act_cache is not None:
            dh = act_backward(dh, act_cache)
        dh, grads[f"w{layer}"], grads[f"b{layer}"] = affine_backward(dh, affine_cache)
    return grads


def _cnn_forward(model: CNN, x: np.ndarray, train: bool, rng: np.random.Generator | None,
                 layers: _Layers) -> tuple[np.ndarray, tuple[Any, ...]]:
    p = model.params
    k = p["conv_w"].shape[-1]
    h, conv_cache = layers.conv[0](x, p["conv_w"], p["conv_b"], stride=1, padding=k // 2)
    h, relu_cache = layers.activation["relu"][0](h)
    h, pool_cache = layers.maxpool[0](h, kernel=model.pool, stride=model.pool)
    if rng is None:
        # an inverted dropout at test time ignores its generator
        rng = np.random.default_rng(0)
    h, drop_cache = layers.dropout[0](h, p_keep=model.p_keep, rng=rng, inverted=True,
                                      train=train)
    logits, fc_cache = layers.affine[0](h.reshape(h.shape[0], -1), p["fc_w"], p["fc_b"])
    return logits, ("cnn", h.shape, (conv_cache, relu_cache, pool_cache, drop_cache, fc_cache))


def _cnn_backward(dlogits: np.ndarray, cache: tuple[Any, ...], layers: _Layers
                  ) -> dict[str, np.ndarray]:
    _, pooled_shape, (conv_cache, relu_cache, pool_cache, drop_cache, fc_cache) = cache
    grads: dict[str, Any] = {}
    dh, grads["fc_w"], grads["fc_b"] = layers.affine[1](dlogits, fc_cache)
    dh = layers.dropout[1](dh.reshape(pooled_shape), drop_cache)
    dh = layers.maxpool[1](dh, pool_cache)
    dh = layers.activation["relu"][1](dh, relu_cache)
    _, grads["conv_w"], grads["conv_b"] = layers.conv[1](dh, conv_cache)
    return grads


def model_forward(model: MLP | CNN, x: ArrayLike, *, train: bool = False,
                  rng: np.random.Generator | None = None
                  ) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Logits of a model for a batch, and the cache its backward pass needs.

    Parameters
    ----------
    model : MLP or CNN
    x : array_like, shape (N, D) for an MLP, (N, C, H, W) for a CNN
    train : bool, optional
        Training behaviour (dropout masks drawn from ``rng``) or test
        behaviour (default, deterministic).
    rng : numpy.random.Generator, optional
        Needed when ``train`` is true and the model has dropout.

    Returns
    -------
    logits : ndarray, shape (N, n_classes)
    cache : tuple
        For :func:`model_backward`.

    Raises
    ------
    TypeError
        If ``model`` is neither an MLP nor a CNN, or a CNN trains without rng.

    Examples
    --------
    >>> m = init_mlp((2, 2), weight_init="zeros", rng=np.random.default_rng(0))
    >>> model_forward(m, [[1.0, 2.0]])[0]
    array([[0., 0.]])
    """
    model = _checked(model)
    x = _inputs(model, x)
    if not isinstance(train, (bool, np.bool_)):
        raise TypeError(f"train must be a bool, got {train!r}")
    if rng is not None:
        generator(rng)
    elif isinstance(model, CNN) and train:
        raise TypeError("rng must be a numpy.random.Generator when a CNN trains "
                        "(dropout draws its mask from it), got None")
    return _forward(model, x, train, rng)


def _forward(model: MLP | CNN, x: np.ndarray, train: bool,
             rng: np.random.Generator | None) -> tuple[np.ndarray, tuple[Any, ...]]:
    """model_forward of checked arguments."""
    try:
        if isinstance(model, MLP):
            return _mlp_forward(model, x, _CHECKED)
        return _cnn_forward(model, x, train, rng, _CHECKED)
    except ValueError as exc:  # the arguments fit: only an overflow is left
        raise ValueError(f"the forward pass overflows the float range: x or the model's "
                         f"parameters too large in magnitude ({exc})") from exc


def _check_cache(cache: Any) -> tuple[str, tuple[int, int]]:
    """The kind of a model_forward cache ("mlp" or "cnn"), and the logits' shape."""
    if not (isinstance(cache, tuple) and len(cache) == 3 and isinstance(cache[0], str)
            and cache[0] in ("mlp", "cnn")):
        raise TypeError(f"cache must be the cache returned by model_forward, got "
                        f"{type(cache).__name__} {cache!r}"[:300])
    kind, middle, caches = cache
    if kind == "mlp":
        _activation(middle, "cache's activation")
        if not (isinstance(caches, list) and caches and all(
                isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], AffineCache)
                for c in caches)):
            raise TypeError(f"cache must be the cache returned by model_forward, got "
                            f"{cache!r}"[:300])
        last = caches[-1][0]
    else:
        if not (isinstance(caches, tuple) and len(caches) == 5
                and isinstance(caches[-1], AffineCache) and isinstance(middle, tuple)):
            raise TypeError(f"cache must be the cache returned by model_forward, got "
                            f"{cache!r}"[:300])
        last = caches[-1]
    if not (isinstance(last.x, np.ndarray) and isinstance(last.w, np.ndarray)
            and last.x.ndim == 2 and last.w.ndim == 2):
        raise TypeError(f"cache must be the cache returned by model_forward, got "
                        f"{cache!r}"[:300])
    return kind, (last.x.shape[0], last.w.shape[1])


def model_backward(dlogits: ArrayLike, cache: tuple[Any, ...]) -> dict[str, np.ndarray]:
    """Gradients of the loss with respect to every parameter, by name.

    Parameters
    ----------
    dlogits : ndarray, shape (N, n_classes)
        Gradient of the loss with respect to the logits.
    cache : tuple
        From :func:`model_forward`.

    Returns
    -------
    dict
        Same keys and shapes as ``model.params``.

    Examples
    --------
    >>> m = init_mlp((2, 2), weight_init="zeros", rng=np.random.default_rng(0))
    >>> logits, cache = model_forward(m, [[1.0, 2.0]])
    >>> model_backward(np.array([[0.5, -0.5]]), cache)["w1"]
    array([[ 0.5, -0.5],
           [ 1. , -1. ]])
    """
    kind, shape = _check_cache(cache)
    dlogits = float_array("dlogits", dlogits, shape=shape)
    try:
        backward = _mlp_backward if kind == "mlp" else _cnn_backward
        return backward(dlogits, cache, _CHECKED)
    except ValueError as exc:
        raise ValueError(f"the backward pass fails: dlogits too large in magnitude or cache "
                         f"not from model_forward ({exc})") from exc


def loss_and_grads(model: MLP | CNN, x: ArrayLike, y: ArrayLike, *, train: bool = True,
                   rng: np.random.Generator | None = None
                   ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """Softmax cross-entropy of a batch and its gradient for every parameter.

    Parameters
    ----------
    model : MLP or CNN
    x : array_like, shape (N, D) or (N, C, H, W)
    y : array_like of int, shape (N,)
    train : bool, optional
        Training behaviour of dropout (default True).
    rng : numpy.random.Generator, optional
        Source of the dropout masks (a CNN in training needs one).

    Returns
    -------
    loss : float
        Mean cross-entropy over the batch.
    grads : dict
        Same keys and shapes as ``model.params``.
    logits : ndarray, shape (N, n_classes)

    Notes
    -----
    .. math:: L = -\\frac{1}{N}\\sum_n \\log \\mathrm{softmax}(z_n)_{y_n}

    Examples
    --------
    Zero weights give equal logits, so the loss is :math:`\\log 2`:

    >>> m = init_mlp((2, 3, 2), weight_init="zeros", rng=np.random.default_rng(0))
    >>> loss, grads, _ = loss_and_grads(m, [[1.0, 2.0]], [1])
    >>> round(loss, 6), float(np.abs(grads["w1"]).max())
    (0.693147, 0.0)
    """
    logits, cache = model_forward(model, x, train=train, rng=rng)
    y = _labels("y", y, logits.shape[0], logits.shape[1])
    return _loss_and_backward(logits, cache, y)


def _loss_and_backward(logits: np.ndarray, cache: tuple[Any, ...], y: np.ndarray
                       ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    try:
        loss, dlogits = softmax_cross_entropy(logits, y)
    except ValueError as exc:
        raise ValueError(f"the loss overflows: x or the model's parameters too large in "
                         f"magnitude ({exc})") from exc
    return loss, model_backward(dlogits, cache), logits


def _loss_and_grads(model: MLP | CNN, x: np.ndarray, y: np.ndarray, train: bool,
                    rng: np.random.Generator | None
                    ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """loss_and_grads of arguments already checked (the training loop's)."""
    logits, cache = _forward(model, x, train, rng)
    return _loss_and_backward(logits, cache, y)


def _loss_and_grads_unchecked(model: MLP | CNN, x: np.ndarray, y: np.ndarray,
                              rng: np.random.Generator, layers: _Layers = _UNCHECKED
                              ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """:func:`_loss_and_grads` in training mode on the unchecked kernels: the same numbers,
    or :class:`_NotFinite` where the checked layers would raise."""
    if isinstance(model, MLP):
        logits, cache = _mlp_forward(model, x, layers)
    else:
        logits, cache = _cnn_forward(model, x, True, rng, layers)
    loss, dlogits = _softmax_cross_entropy(logits, y)
    _finite(loss)
    backward = _mlp_backward if isinstance(model, MLP) else _cnn_backward
    return loss, backward(dlogits, cache, layers), logits


def predict_proba(model: MLP | CNN, x: ArrayLike) -> np.ndarray:
    """Class probabilities of a model in test mode, shape (N, n_classes).

    Parameters
    ----------
    model : MLP or CNN
        A model of :func:`init_mlp` or :func:`init_cnn`; dropout is off.
    x : array_like, shape (N, D) or (N, C, H, W)
        The examples.

    Returns
    -------
    ndarray, shape (N, n_classes)
        The softmax of the logits; each row sums to 1.

    Examples
    --------
    >>> m = init_mlp((2, 2), weight_init="zeros", rng=np.random.default_rng(0))
    >>> predict_proba(m, [[3.0, 4.0]])
    array([[0.5, 0.5]])
    """
    return softmax(model_forward(model, x)[0], axis=1)


def predict(model: MLP | CNN, x: ArrayLike) -> np.ndarray:
    """Predicted class of each example (the arg-max of the logits), shape (N,).

    Parameters
    ----------
    model : MLP or CNN
        A model of :func:`init_mlp` or :func:`init_cnn`, run in test mode.
    x : array_like, shape (N, D) or (N, C, H, W)
        The examples.

    Returns
    -------
    ndarray of int, shape (N,)

    Examples
    --------
    >>> m = init_mlp((1, 2), weight_init="zeros", rng=np.random.default_rng(0))
    >>> predict(m._replace(params={"w1": np.array([[1.0, -1.0]]), "b1": np.zeros(2)}),
    ...         [[2.0], [-2.0]])
    array([0, 1])
    """
    return np.argmax(model_forward(model, x)[0], axis=1)


def evaluate(model: MLP | CNN, x: ArrayLike, y: ArrayLike) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of a model in test mode.

    Parameters
    ----------
    model : MLP or CNN
    x : array_like, shape (N, D) or (N, C, H, W)
    y : array_like of int, shape (N,)

    Returns
    -------
    loss : float
    accuracy : float
        Fraction of examples whose arg-max logit is the label.

    Examples
    --------
    >>> m = init_mlp((2, 2), weight_init="zeros", rng=np.random.default_rng(0))
    >>> loss, acc = evaluate(m, [[1.0, 1.0], [2.0, 0.0]], [0, 1])
    >>> round(loss, 6), acc
    (0.693147, 0.5)
    """
    logits, _ = model_forward(model, x)
    y = _labels("y", y, logits.shape[0], logits.shape[1])
    try:
        loss = cross_entropy(logits, y)
    except ValueError as exc:
        raise ValueError(f"the loss overflows: x or the model's parameters too large in "
                         f"magnitude ({exc})") from exc
    return loss, float(np.mean(np.argmax(logits, axis=1) == y))
