"""Models, a training loop, learning-rate schedules and gradient-flow measurements.

A model is plain data: a ``NamedTuple`` holding a dict of parameter arrays and
the few settings of its architecture. :func:`model_forward` and
:func:`model_backward` run it through the layers of :mod:`dlcalc.layers`;
:func:`fit` trains it with any step function of :mod:`dlcalc.optim` (one
keyword picks it) and returns a new model and a :class:`History`. Nothing is
modified in place, and every random choice (initial weights, shuffling,
dropout masks) comes from a ``numpy.random.Generator`` passed in, so a run
repeated with the same seed gives the same numbers.

The ``run_*`` functions and :func:`gradient_norms_by_depth` are the
experiments of the book, sized so that all of them together take a few
seconds; each returns plain data for a page to tabulate and plot.
"""

from __future__ import annotations

import time
from types import MappingProxyType
from typing import Callable, NamedTuple

import numpy as np

from . import optim
from ._checks import finite_float, float_array, nonneg_int, positive_int
from .activations import cross_entropy, softmax, softmax_cross_entropy
from .data import circles, load_digits_split, two_moons
from .init import _generator, constant, init_weights, zeros
from .layers import (affine_backward, affine_forward, conv2d_backward, conv2d_forward,
                     dropout_backward, dropout_forward, maxpool2d_backward,
                     maxpool2d_forward, relu_backward, relu_forward, sigmoid_backward,
                     sigmoid_forward, tanh_backward, tanh_forward)

__all__ = [
    "HIDDEN_ACTIVATIONS", "OPTIMIZERS",
    "MLP", "CNN", "init_mlp", "init_cnn", "model_forward", "model_backward",
    "loss_and_grads", "predict_proba", "predict", "evaluate",
    "StepSchedule", "step_schedule", "History", "fit",
    "gradient_norms", "dead_units", "hidden_unit_spread",
    "DeepStack", "GradientNorms", "init_deep_stack", "deep_stack_forward",
    "deep_stack_backward", "layer_gradient_norms",
    "TrainingRun", "InitExperiment", "INIT_EXPERIMENT_RUNS", "run_init_experiment",
    "run_digits_cnn", "run_lr_schedule_experiment", "gradient_norms_by_depth",
]

#: Hidden-layer activations, each a forward/backward pair of :mod:`dlcalc.layers`.
_ACTIVATION_LAYERS = MappingProxyType({
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
})
HIDDEN_ACTIVATIONS = tuple(_ACTIVATION_LAYERS)

#: The step functions :func:`fit` accepts by name.
OPTIMIZERS = MappingProxyType({
    "sgd": optim.sgd_step,
    "momentum": optim.momentum_step,
    "nesterov": optim.nesterov_step,
    "adagrad": optim.adagrad_step,
    "rmsprop": optim.rmsprop_step,
    "adam": optim.adam_step,
})


def _activation(name):
    if name not in _ACTIVATION_LAYERS:
        raise ValueError(f"activation must be one of {HIDDEN_ACTIVATIONS}, got {name!r}")
    return _ACTIVATION_LAYERS[name]


# ---------------------------------------------------------------------------------------
# Models


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


def _n_layers(params):
    return len(params) // 2


def init_mlp(sizes, *, activation="relu", weight_init="he", std=0.01, bias=0.0, rng):
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
    sizes = tuple(positive_int("sizes entries", s) for s in sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must have at least two entries (inputs, outputs), got {sizes}")
    _activation(activation)
    bias = finite_float("bias", bias)
    n = len(sizes) - 1
    params = {}
    for layer in range(1, n + 1):
        fan_in, fan_out = sizes[layer - 1], sizes[layer]
        params[f"w{layer}"] = init_weights((fan_in, fan_out), weight_init, rng=rng, std=std)
        params[f"b{layer}"] = constant(fan_out, bias) if layer < n else zeros(fan_out)
    return MLP(params, activation)


def init_cnn(*, in_shape=(1, 8, 8), n_filters=16, kernel=3, pool=2, n_classes=10,
             p_keep=0.75, rng):
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
    c, h, w = (positive_int("in_shape entries", s) for s in in_shape)
    n_filters = positive_int("n_filters", n_filters)
    kernel = positive_int("kernel", kernel)
    if kernel % 2 == 0:
        raise ValueError(f"kernel must be odd (same padding), got {kernel}")
    pool = positive_int("pool", pool)
    if h % pool or w % pool:
        raise ValueError(f"pool must divide the image size {h}x{w}, got {pool}")
    n_classes = positive_int("n_classes", n_classes)
    p_keep = finite_float("p_keep", p_keep, low=0.0, low_open=True, high=1.0)
    n_flat = n_filters * (h // pool) * (w // pool)
    params = {
        "conv_w": init_weights((n_filters, c, kernel, kernel), "he", rng=rng),
        "conv_b": zeros(n_filters),
        "fc_w": init_weights((n_flat, n_classes), "he", rng=rng),
        "fc_b": zeros(n_classes),
    }
    return CNN(params, pool, p_keep)


def _mlp_forward(model, x):
    params, (act_forward, _) = model.params, _activation(model.activation)
    n = _n_layers(params)
    caches, h = [], x
    for layer in range(1, n + 1):
        h, affine_cache = affine_forward(h, params[f"w{layer}"], params[f"b{layer}"])
        act_cache = None
        if layer < n:
            h, act_cache = act_forward(h)
        caches.append((affine_cache, act_cache))
    return h, ("mlp", model.activation, caches)


def _mlp_backward(dlogits, cache):
    _, activation, caches = cache
    _, act_backward = _activation(activation)
    grads, dh = {}, dlogits
    for layer in range(len(caches), 0, -1):
        affine_cache, act_cache = caches[layer - 1]
        if act_cache is not None:
            dh = act_backward(dh, act_cache)
        dh, grads[f"w{layer}"], grads[f"b{layer}"] = affine_backward(dh, affine_cache)
    return grads


def _cnn_forward(model, x, train, rng):
    p = model.params
    k = p["conv_w"].shape[-1]
    h, conv_cache = conv2d_forward(x, p["conv_w"], p["conv_b"], stride=1, padding=k // 2)
    h, relu_cache = relu_forward(h)
    h, pool_cache = maxpool2d_forward(h, kernel=model.pool)
    if rng is None:
        # an inverted dropout at test time ignores its generator
        rng = np.random.default_rng(0)
    h, drop_cache = dropout_forward(h, p_keep=model.p_keep, rng=rng, train=train)
    logits, fc_cache = affine_forward(h.reshape(h.shape[0], -1), p["fc_w"], p["fc_b"])
    return logits, ("cnn", h.shape, (conv_cache, relu_cache, pool_cache, drop_cache, fc_cache))


def _cnn_backward(dlogits, cache):
    _, pooled_shape, (conv_cache, relu_cache, pool_cache, drop_cache, fc_cache) = cache
    grads = {}
    dh, grads["fc_w"], grads["fc_b"] = affine_backward(dlogits, fc_cache)
    dh = dropout_backward(dh.reshape(pooled_shape), drop_cache)
    dh = maxpool2d_backward(dh, pool_cache)
    dh = relu_backward(dh, relu_cache)
    _, grads["conv_w"], grads["conv_b"] = conv2d_backward(dh, conv_cache)
    return grads


def model_forward(model, x, *, train=False, rng=None):
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
    if isinstance(model, MLP):
        return _mlp_forward(model, float_array("x", x, ndim=2))
    if isinstance(model, CNN):
        if train and rng is None:
            raise TypeError("rng must be a numpy.random.Generator when a CNN trains "
                            "(dropout draws its mask from it), got None")
        return _cnn_forward(model, float_array("x", x, ndim=4), train, rng)
    raise TypeError(f"model must be an MLP or a CNN, got {type(model).__name__}")


def model_backward(dlogits, cache):
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
    if cache[0] == "mlp":
        return _mlp_backward(dlogits, cache)
    return _cnn_backward(dlogits, cache)


def loss_and_grads(model, x, y, *, train=True, rng=None):
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
    loss, dlogits = softmax_cross_entropy(logits, y)
    return loss, model_backward(dlogits, cache), logits


def predict_proba(model, x):
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


def predict(model, x):
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


def evaluate(model, x, y):
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
    return cross_entropy(logits, y), float(np.mean(np.argmax(logits, axis=1) == np.asarray(y)))


# ---------------------------------------------------------------------------------------
# Learning-rate schedules and the training loop


class StepSchedule(NamedTuple):
    """Learning rate ``lr0 * factor**k`` after the k-th drop; see :func:`step_schedule`."""
    lr0: float
    drops_at: tuple
    factor: float

    def __call__(self, epoch):
        epoch = nonneg_int("epoch", epoch)
        return self.lr0 * self.factor ** sum(epoch >= d for d in self.drops_at)


def step_schedule(lr0, *, drops_at, factor=0.1):
    """A step learning-rate schedule: multiply by ``factor`` at each epoch of ``drops_at``.

    Parameters
    ----------
    lr0 : float
        Learning rate of the first epochs, > 0.
    drops_at : sequence of int
        Epochs (counted from 0) from which the rate is multiplied once more.
    factor : float, optional
        Multiplier at each drop, in (0, 1] (default 0.1).

    Returns
    -------
    StepSchedule
        A callable ``epoch -> lr``, to pass as ``lr`` to :func:`fit`.

    Raises
    ------
    ValueError
        If ``lr0 <= 0``, ``factor`` is outside (0, 1] or an epoch is negative.

    Notes
    -----
    .. math:: \\eta_e = \\eta_0 \\, \\gamma^{\\#\\{d \\in D : e \\ge d\\}}

    Examples
    --------
    >>> s = step_schedule(0.1, drops_at=(25, 60), factor=0.1)
    >>> [round(s(e), 6) for e in (0, 24, 25, 59, 60, 99)]
    [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    """
    lr0 = finite_float("lr0", lr0, low=0.0, low_open=True)
    drops = tuple(sorted(nonneg_int("drops_at entries", d) for d in drops_at))
    factor = finite_float("factor", factor, low=0.0, low_open=True, high=1.0)
    return StepSchedule(lr0, drops, factor)


class History(NamedTuple):
    """What :func:`fit` records.

    ``loss`` has one entry per iteration (the mini-batch loss before the
    update); the other arrays one entry per epoch. ``train_loss`` and
    ``train_accuracy`` average the epoch's mini-batches (in training mode,
    while the weights change); ``test_loss`` and ``test_accuracy`` evaluate
    the test set after the epoch in test mode (``None`` without a test set).
    ``epoch_time`` is wall-clock seconds, training and evaluation, the only
    entry that differs between two runs with the same seed.
    """
    loss: np.ndarray
    lr: np.ndarray
    train_loss: np.ndarray
    train_accuracy: np.ndarray
    test_loss: np.ndarray | None
    test_accuracy: np.ndarray | None
    epoch_time: np.ndarray


def _labels(name, y, n):
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an array of ints, got dtype {y.dtype}")
    if y.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) to match the inputs, got {y.shape}")
    return y


def _step_function(optimizer):
    if callable(optimizer):
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {tuple(OPTIMIZERS)} or a step function, "
                         f"got {optimizer!r}")
    return OPTIMIZERS[optimizer]


def fit(model, x, y, *, epochs, lr, rng, optimizer="sgd", batch_size=None,
        x_test=None, y_test=None, **hyper):
    """Train a model with mini-batch gradient descent; return it and its history.

    Parameters
    ----------
    model : MLP or CNN
        The initial model (not modified).
    x : array_like, shape (N, D) or (N, C, H, W)
    y : array_like of int, shape (N,)
    epochs : int
        Passes over the training set. With ``batch_size=None`` an epoch is a
        single full-batch iteration, so ``epochs=4000`` is 4000 iterations.
    lr : float or callable
        Learning rate, or a schedule ``epoch -> lr`` such as
        :func:`step_schedule` (epochs counted from 0).
    rng : numpy.random.Generator
        Shuffles the examples every epoch and draws the dropout masks.
    optimizer : str or callable, optional
        A name among :data:`OPTIMIZERS` (default ``"sgd"``) or any step
        function ``(w, grad, state, *, lr, **hyper) -> (w_next, state_next)``.
    batch_size : int, optional
        Examples per iteration; ``None`` (default) means the whole set. The
        last batch of an epoch may be smaller.
    x_test, y_test : array_like, optional
        A test set, evaluated after every epoch; give both or neither.
    **hyper
        Hyper-parameters of the step function, e.g. ``rho=0.9`` or
        ``beta1=0.9``.

    Returns
    -------
    model : MLP or CNN
        The trained model, of the same type.
    history : History

    Raises
    ------
    ValueError, TypeError
        If the shapes of ``x``, ``y``, ``x_test``, ``y_test`` do not match,
        ``epochs`` or ``batch_size`` is not a positive int, the optimizer is
        unknown or ``rng`` is not a Generator.

    Notes
    -----
    Each iteration takes a batch :math:`B` of the shuffled examples and
    every parameter array :math:`\\theta` takes one step of the optimizer
    with :math:`g = \\nabla_\\theta L_B`. Every parameter keeps its own
    optimizer state. For an optimizer that evaluates the gradient elsewhere
    (Nesterov's look-ahead), the gradient is taken at
    :func:`dlcalc.optim.gradient_point`.

    Examples
    --------
    One full-batch SGD step from zero weights on one example of class 1:
    :math:`\\partial L/\\partial b = (1/2, -1/2)`, so with ``lr=1`` the bias
    becomes :math:`(-1/2, 1/2)`.

    >>> m = init_mlp((1, 2), weight_init="zeros", rng=np.random.default_rng(0))
    >>> m2, h = fit(m, [[0.0]], [1], epochs=1, lr=1.0, rng=np.random.default_rng(0))
    >>> m2.params["b1"], round(float(h.loss[0]), 6)
    (array([-0.5,  0.5]), 0.693147)
    """
    if not isinstance(model, (MLP, CNN)):
        raise TypeError(f"model must be an MLP or a CNN, got {type(model).__name__}")
    x = float_array("x", x, ndim=2 if isinstance(model, MLP) else 4)
    n = x.shape[0]
    y = _labels("y", y, n)
    epochs = positive_int("epochs", epochs)
    batch = n if batch_size is None else min(positive_int("batch_size", batch_size), n)
    schedule = lr if callable(lr) else (lambda epoch, lr0=finite_float("lr", lr): lr0)
    rng = _generator(rng)
    step = _step_function(optimizer)
    if (x_test is None) != (y_test is None):
        raise ValueError("x_test and y_test must be given together, got only one")
    if x_test is not None:
        x_test = float_array("x_test", x_test, ndim=x.ndim)
        y_test = _labels("y_test", y_test, x_test.shape[0])

    lookahead = getattr(step, "gradient_at", None)   # see dlcalc.optim.gradient_point
    params = dict(model.params)
    states = dict.fromkeys(params)
    losses, rates, times = [], [], []
    train_loss, train_acc, test_loss, test_acc = [], [], [], []
    for epoch in range(epochs):
        start = time.perf_counter()
        rate = schedule(epoch)
        # full batch: no shuffling and no copy; otherwise a fresh permutation per epoch
        order = rng.permutation(n) if batch < n else None
        loss_sum = correct = 0.0
        for first in range(0, n, batch):
            idx = slice(None) if order is None else order[first:first + batch]
            at = params if lookahead is None else {
                k: optim.gradient_point(step, params[k], states[k], lr=rate, **hyper)
                for k in params}
            loss, grads, logits = loss_and_grads(model._replace(params=at), x[idx], y[idx],
                                                 train=True, rng=rng)
            for k in params:
                params[k], states[k] = step(params[k], grads[k], states[k], lr=rate, **hyper)
            losses.append(loss)
            loss_sum += loss * logits.shape[0]
            correct += np.count_nonzero(np.argmax(logits, axis=1) == y[idx])
        trained = model._replace(params=dict(params))
        train_loss.append(loss_sum / n)
        train_acc.append(correct / n)
        if x_test is not None:
            loss, acc = evaluate(trained, x_test, y_test)
            test_loss.append(loss)
            test_acc.append(acc)
        rates.append(rate)
        times.append(time.perf_counter() - start)
    history = History(
        loss=np.array(losses), lr=np.array(rates, dtype=np.float64),
        train_loss=np.array(train_loss), train_accuracy=np.array(train_acc),
        test_loss=np.array(test_loss) if x_test is not None else None,
        test_accuracy=np.array(test_acc) if x_test is not None else None,
        epoch_time=np.array(times))
    return model._replace(params=params), history


# ---------------------------------------------------------------------------------------
# What the gradients and units of a trained MLP look like


def gradient_norms(model, x, y):
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
    return {k: float(np.linalg.norm(g)) for k, g in grads.items()}


def dead_units(model, x):
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
    h, dead = float_array("x", x, ndim=2), []
    for layer in range(1, _n_layers(model.params)):
        z, _ = affine_forward(h, model.params[f"w{layer}"], model.params[f"b{layer}"])
        h, _ = relu_forward(z)
        dead.append(np.all(h == 0.0, axis=0))   # max(z, 0) = 0 on every example
    return tuple(dead)


def hidden_unit_spread(model):
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
    p = model.params
    spreads = []
    for layer in range(1, _n_layers(p)):
        unit = np.concatenate([p[f"w{layer}"], p[f"b{layer}"][np.newaxis, :],
                               p[f"w{layer + 1}"].T])           # column j = unit j
        spreads.append(float(np.abs(unit - unit[:, :1]).max()))
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


def init_deep_stack(depth, width, *, activation="sigmoid", residual=False,
                    weight_init="xavier", rng):
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
    depth = positive_int("depth", depth)
    width = positive_int("width", width)
    _activation(activation)
    if not isinstance(residual, bool):
        raise TypeError(f"residual must be a bool, got {residual!r}")
    w, v = [], []
    for _ in range(depth):
        w.append(init_weights((width, width), weight_init, rng=rng))
        v.append(init_weights((width, width), weight_init, rng=rng))
    return DeepStack(tuple(w), tuple(v), activation, residual)


def deep_stack_forward(stack, x):
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
    act_forward, _ = _activation(stack.activation)
    h = float_array("x", x, ndim=2)
    no_bias = np.zeros(h.shape[1])
    caches = []
    for w, v in zip(stack.w, stack.v):
        z, c1 = affine_forward(h, w, no_bias)
        a, c2 = act_forward(z)
        f, c3 = affine_forward(a, v, no_bias)
        h = h + f if stack.residual else f
        caches.append((c1, c2, c3))
    return h, (stack.activation, stack.residual, caches)


def deep_stack_backward(dout, cache):
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
    activation, residual, caches = cache
    _, act_backward = _activation(activation)
    dh = np.asarray(dout, dtype=np.float64)
    dws, dvs, dhs = [], [], []
    for c1, c2, c3 in reversed(caches):
        da, dv, _ = affine_backward(dh, c3)
        dz = act_backward(da, c2)
        dx_f, dw, _ = affine_backward(dz, c1)
        dh = dh + dx_f if residual else dx_f
        dws.append(dw)
        dvs.append(dv)
        dhs.append(dh)
    return dh, tuple(reversed(dws)), tuple(reversed(dvs)), tuple(reversed(dhs))


def layer_gradient_norms(stack, x, *, rng):
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
    return GradientNorms(np.array([np.linalg.norm(d) for d in dw]),
                         np.array([np.linalg.norm(d) for d in dh]))


# ---------------------------------------------------------------------------------------
# The experiments of the book


class TrainingRun(NamedTuple):
    """One training run: the model before and after, and the history."""
    initial: MLP | CNN
    final: MLP | CNN
    history: History


class InitExperiment(NamedTuple):
    """The data and the runs of :func:`run_init_experiment`, runs keyed by label."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    runs: dict


#: Homework 2's initialisations, each label mapped to the keyword arguments of :func:`init_mlp`.
INIT_EXPERIMENT_RUNS = MappingProxyType({
    "zeros, ReLU": MappingProxyType(dict(activation="relu", weight_init="zeros", bias=0.0)),
    "bias -5, ReLU": MappingProxyType(dict(activation="relu", weight_init="he", bias=-5.0)),
    "He, ReLU": MappingProxyType(dict(activation="relu", weight_init="he", bias=0.0)),
    "zeros, sigmoid": MappingProxyType(dict(activation="sigmoid", weight_init="zeros",
                                            bias=0.0)),
    "bias -5, sigmoid": MappingProxyType(dict(activation="sigmoid", weight_init="he",
                                              bias=-5.0)),
})


def run_init_experiment(*, runs=INIT_EXPERIMENT_RUNS, sizes=(2, 10, 5, 2), dataset="moons",
                        n_train=(200, 100), n_test=(200, 100), noise=0.2, iterations=4000,
                        lr=0.5, seed=0):
    """Homework 2's experiment: one network, several initialisations, 4000 iterations.

    Parameters
    ----------
    runs : mapping, optional
        Label -> keyword arguments of :func:`init_mlp` (``activation``,
        ``weight_init``, ``bias``, ``std``). The default
        :data:`INIT_EXPERIMENT_RUNS`: all-zero weights, He weights with
        every hidden bias at -5, and He weights with zero biases, with ReLU
        units; all-zero weights and He weights with biases at -5 with
        sigmoid units.
    sizes : tuple of int, optional
        Layer sizes; default ``(2, 10, 5, 2)``, a 3-layer network.
    dataset : {"moons", "circles"}, optional
        The 2-D set (default ``"moons"``), from :mod:`dlcalc.data`.
    n_train, n_test : int or (int, int), optional
        Points in each set, or points per class; default ``(200, 100)``
        each, so always answering class 0 scores 2/3.
    noise : float, optional
        Noise of the 2-D set (default 0.2).
    iterations : int, optional
        Full-batch gradient-descent steps (default 4000).
    lr : float, optional
        Learning rate of plain gradient descent (default 0.5).
    seed : int, optional
        Seeds the data and the initial weights (default 0); every run starts
        from the same generator state.

    Returns
    -------
    InitExperiment
        The data and, for each label, a :class:`TrainingRun` (its history
        has no test entries: evaluate ``final`` on the test set).

    Notes
    -----
    The classes are unequal on purpose. With all-zero weights and sigmoid
    units every hidden unit outputs 1/2, so the gradient of the last weight
    matrix is :math:`\\tfrac12 \\sum_n (p_n - y_n)`, which vanishes when the
    classes are balanced and the output bias has settled: exactly balanced
    data leave that network at a saddle point where nothing changes at all.
    With unequal classes it moves, but every unit of a layer receives the
    same update, so the network behaves like one with a single unit per
    layer. With ReLU units and zero weights every hidden unit outputs 0 and
    passes no gradient (:math:`\\max(z, 0)` has derivative 0 at 0), so only
    the output bias learns, whatever the data.

    Examples
    --------
    >>> zeros = {"zeros, ReLU": {"activation": "relu", "weight_init": "zeros", "bias": 0.0}}
    >>> experiment = run_init_experiment(runs=zeros, iterations=5)
    >>> list(experiment.runs)
    ['zeros, ReLU']

    """
    seed = nonneg_int("seed", seed)
    make = {"moons": two_moons, "circles": circles}.get(dataset)
    if make is None:
        raise ValueError(f"dataset must be 'moons' or 'circles', got {dataset!r}")
    data_rng = np.random.default_rng(seed)
    x_train, y_train = make(n_train, noise=noise, rng=data_rng)
    x_test, y_test = make(n_test, noise=noise, rng=data_rng)
    results = {}
    for label, kwargs in runs.items():
        initial = init_mlp(sizes, rng=np.random.default_rng(seed + 1), **kwargs)
        final, history = fit(initial, x_train, y_train, epochs=iterations, lr=lr,
                             rng=np.random.default_rng(seed + 2))
        results[label] = TrainingRun(initial, final, history)
    return InitExperiment(x_train, y_train, x_test, y_test, results)


def run_digits_cnn(*, epochs=10, n_filters=16, p_keep=0.75, batch_size=32,
                   optimizer="adam", lr=0.005, test_fraction=0.25, seed=0, **hyper):
    """Homework 2's CNN, on scikit-learn's 8x8 digits: conv, ReLU, max pool, dropout, FC.

    Parameters
    ----------
    epochs : int, optional
        Default 10.
    n_filters : int, optional
        3x3 filters of the convolution (default 16).
    p_keep : float, optional
        Dropout keep probability (default 0.75).
    batch_size : int, optional
        Default 32.
    optimizer : str, optional
        Default ``"adam"``.
    lr : float, optional
        Default 0.005.
    test_fraction : float, optional
        Share of the 1,797 images kept for testing (default 0.25).
    seed : int, optional
        Seeds the split, the weights, the shuffling and dropout (default 0).
    **hyper
        Further hyper-parameters of the optimizer.

    Returns
    -------
    TrainingRun
        ``history.test_accuracy`` is the test accuracy after each epoch and
        ``history.epoch_time`` the seconds each epoch took.

    Examples
    --------
    >>> run = run_digits_cnn(epochs=2, n_filters=2)
    >>> len(run.history.test_accuracy), len(run.history.epoch_time)
    (2, 2)
    """
    seed = nonneg_int("seed", seed)
    x_train, y_train, x_test, y_test = load_digits_split(test_fraction=test_fraction,
                                                         seed=seed)
    rng = np.random.default_rng(seed)
    initial = init_cnn(in_shape=x_train.shape[1:], n_filters=n_filters, p_keep=p_keep,
                       rng=rng)
    final, history = fit(initial, x_train, y_train, epochs=epochs, lr=lr, rng=rng,
                         optimizer=optimizer, batch_size=batch_size,
                         x_test=x_test, y_test=y_test, **hyper)
    return TrainingRun(initial, final, history)


def run_lr_schedule_experiment(*, epochs=90, drops_at=(25, 60), factor=0.1, lr0=2.0,
                               sizes=(2, 16, 16, 2), n=500, noise=0.3, batch_size=20,
                               optimizer="sgd", seed=0, **hyper):
    """Assignment 2 Q11: the same run with a step learning-rate schedule and without.

    A ReLU MLP on noisy two moons (which no boundary separates, so the loss
    cannot reach 0), trained twice from the same weights with the same
    shuffling: once at the constant rate ``lr0``, once with the rate
    multiplied by ``factor`` at each epoch of ``drops_at``. At a large
    constant rate the mini-batch noise keeps the loss on a plateau above its
    minimum; each drop lowers that plateau.

    Parameters
    ----------
    epochs : int, optional
        Default 90.
    drops_at : tuple of int, optional
        Default ``(25, 60)``, the epochs of the question (counted from 0).
    factor : float, optional
        Default 0.1.
    lr0 : float, optional
        Initial (and constant) learning rate, default 2.0.
    sizes : tuple of int, optional
        Layer sizes, He initialisation (default ``(2, 16, 16, 2)``).
    n : int, optional
        Points in the training and in the test set (default 500 each).
    noise : float, optional
        Noise of the moons (default 0.3).
    batch_size : int, optional
        Default 20.
    optimizer : str, optional
        Default ``"sgd"``.
    seed : int, optional
        Default 0.
    **hyper
        Hyper-parameters of the optimizer.

    Returns
    -------
    dict
        ``{"step schedule": TrainingRun, "constant": TrainingRun}``; the
        history's ``train_loss`` is the curve of the question.

    Examples
    --------
    >>> runs = run_lr_schedule_experiment(epochs=3, drops_at=(1,), n=40)
    >>> [float(lr) for lr in runs["step schedule"].history.lr]
    [2.0, 0.2, 0.2]
    >>> [float(lr) for lr in runs["constant"].history.lr]
    [2.0, 2.0, 2.0]
    """
    seed = nonneg_int("seed", seed)
    data_rng = np.random.default_rng(seed)
    x_train, y_train = two_moons(n, noise=noise, rng=data_rng)
    x_test, y_test = two_moons(n, noise=noise, rng=data_rng)
    initial = init_mlp(sizes, rng=np.random.default_rng(seed + 1))
    rates = {"step schedule": step_schedule(lr0, drops_at=drops_at, factor=factor),
             "constant": lr0}
    out = {}
    for label, lr in rates.items():
        final, history = fit(initial, x_train, y_train, epochs=epochs, lr=lr,
                             rng=np.random.default_rng(seed + 2), optimizer=optimizer,
                             batch_size=batch_size, x_test=x_test, y_test=y_test, **hyper)
        out[label] = TrainingRun(initial, final, history)
    return out


def gradient_norms_by_depth(*, depth=30, width=32, n=64, activations=("sigmoid", "relu"),
                            weight_init="xavier", seed=0):
    """Gradient norm per block of deep plain and residual stacks with the same weights.

    Parameters
    ----------
    depth : int, optional
        Number of blocks (default 30).
    width : int, optional
        Width of every block (default 32).
    n : int, optional
        Batch of standard normal inputs (default 64).
    activations : sequence of str, optional
        Default ``("sigmoid", "relu")``.
    weight_init : str, optional
        Scheme of every weight matrix (default ``"xavier"``).
    seed : int, optional
        Default 0; every stack gets the same inputs, weights and loss.

    Returns
    -------
    dict
        ``"plain sigmoid"``, ``"residual sigmoid"``, ... ->
        :class:`GradientNorms`, each array ordered from the input block to
        the output block.

    Examples
    --------
    >>> norms = gradient_norms_by_depth(depth=3, width=4, n=8)
    >>> sorted(norms)
    ['plain relu', 'plain sigmoid', 'residual relu', 'residual sigmoid']
    >>> norms["plain sigmoid"].weight.shape
    (3,)
    """
    seed = nonneg_int("seed", seed)
    n = positive_int("n", n)
    x = np.random.default_rng(seed).normal(size=(n, positive_int("width", width)))
    out = {}
    for activation in activations:
        for residual in (False, True):
            stack = init_deep_stack(depth, width, activation=activation, residual=residual,
                                    weight_init=weight_init,
                                    rng=np.random.default_rng(seed + 1))
            label = f"{'residual' if residual else 'plain'} {activation}"
            out[label] = layer_gradient_norms(stack, x, rng=np.random.default_rng(seed + 2))
    return out
