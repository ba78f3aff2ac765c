"""Bad and extreme input thrown at every public callable of dlcalc.

The callables come from ``dlcalc.__all__`` and every topic module's ``__all__`` (the problem
bank, ``dlcalc.problems``, has tests of its own), so a new public function is covered as
soon as it is exported, and the test fails until it has an entry in ``EXAMPLES``: a
valid call written by hand. Hypothesis then swaps one or two of its arguments for
generated bad or extreme values (None, strings, bytes, complex numbers, nan, inf, 1e308,
10**400, negative and empty values, wrong shapes, wrong caches, states and models) and
every call must end in one of two ways:

- a ``ValueError`` or ``TypeError`` whose message names a swapped argument, or
- a result whose every number is finite (no silent NaN or inf).

Any other exception is a crash; values that no argument of dlcalc accepts (bytes,
complex numbers, nan, inf, integers beyond float range, arbitrary objects) must be
rejected, not coerced. Data records (named tuples such as caches, optimizer states and
models) are not called: they are checked where they are consumed, and wrong or corrupted
ones are among the generated values.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import math
import os
import pkgutil
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import matplotlib.figure
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import dlcalc as dc
from dlcalc import layers, optim


def _modules() -> list[Any]:
    names = [m.name for m in pkgutil.iter_modules(dc.__path__)
             if not m.name.startswith("_") and m.name != "problems"]
    return [dc] + [importlib.import_module(f"dlcalc.{n}") for n in sorted(names)]


def _is_record(obj: Any) -> bool:
    """A plain data record: a named tuple (caches, states, models, results)."""
    return inspect.isclass(obj) and issubclass(obj, tuple) and hasattr(obj, "_fields")


def public_callables() -> dict[str, Any]:
    """Every public callable by name (``dlcalc.<name>`` and ``dlcalc.<module>.<name>``
    are the same object, listed once)."""
    out: dict[str, Any] = {}
    for module in _modules():
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if callable(obj) and not isinstance(obj, type(dc)):
                out.setdefault(name, obj)
    return out


# --- valid calls, written by hand ------------------------------------------------------

def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _mlp() -> dc.MLP:
    return dc.init_mlp((2, 3, 2), activation="relu", rng=rng())


def _cnn() -> dc.CNN:
    return dc.init_cnn(in_shape=(1, 4, 4), n_filters=2, n_classes=3, p_keep=0.75, rng=rng())


def _xy() -> tuple[np.ndarray, np.ndarray]:
    return np.array([[0.5, -1.0], [1.0, 2.0], [-0.3, 0.2]]), np.array([0, 1, 1])


def _conv_cache() -> Any:
    return layers.conv2d_forward(np.ones((1, 2, 4, 4)), np.full((3, 2, 3, 3), 0.1),
                                 np.zeros(3), padding=1)[1]


def _pool_cache(kind: str = "max") -> Any:
    fwd = layers.maxpool2d_forward if kind == "max" else layers.avgpool2d_forward
    return fwd(np.arange(16.0).reshape(1, 1, 4, 4), kernel=2)[1]


def _affine_cache() -> Any:
    return layers.affine_forward([[1.0, 2.0]], [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]],
                                 [0.0, 0.0, 1.0])[1]


def _bn_cache() -> Any:
    return layers.batchnorm_forward([[1.0, 2.0], [3.0, 5.0], [0.0, -1.0]], [1.0, 2.0],
                                    [0.0, 0.5])[1]


def _dropout_cache() -> Any:
    return layers.dropout_forward(np.ones((2, 3)), p_keep=0.5, rng=rng())[1]


def _history() -> dc.History:
    x, y = _xy()
    return dc.fit(_mlp(), x, y, epochs=2, lr=0.1, rng=rng(), x_test=x, y_test=y)[1]


def _stack() -> dc.DeepStack:
    return dc.init_deep_stack(3, 2, residual=True, rng=rng())


def _network() -> dc.Network:
    return dc.Network([[[0.1, -0.2], [0.3, 0.4]], [[0.5, -0.5]]], [[0.0, 0.1], [0.2]],
                      ["relu", "sigmoid"], loss="mse")


def _trace() -> dc.ForwardTrace:
    return dc.forward_trace(_network(), [1.0, 2.0])


def _grads() -> dict[str, np.ndarray]:
    net = _network()
    return dc.backward_trace(net, dc.forward_trace(net, [1.0, 2.0]), [0.5]).grads


def _layer_stack() -> list[Any]:
    return [dc.Conv2d(4, 3, padding=1), dc.Activation("relu"), dc.MaxPool2d(2)]


Call = tuple[tuple, dict]
EXAMPLES: dict[str, Callable[[], Call] | None] = {
    # data
    "two_moons": lambda: ((6,), dict(noise=0.1, rng=rng())),
    "circles": lambda: ((6,), dict(factor=0.5, noise=0.1, rng=rng())),
    "load_digits_split": lambda: ((), dict(test_fraction=0.25, seed=0)),
    # init
    "fans": lambda: (((4, 3, 2, 2),), {}),
    "zeros": lambda: (((2, 3),), {}),
    "constant": lambda: (((2,), 1.5), {}),
    "normal": lambda: (((2, 3),), dict(std=0.1, rng=rng())),
    "uniform": lambda: (((2, 3),), dict(limit=0.5, rng=rng())),
    "xavier_normal": lambda: (((3, 4),), dict(rng=rng(), gain=1.0)),
    "xavier_uniform": lambda: (((3, 4),), dict(rng=rng(), gain=1.0)),
    "he_normal": lambda: (((3, 4),), dict(rng=rng())),
    "he_uniform": lambda: (((3, 4),), dict(rng=rng())),
    "init_weights": lambda: (((3, 4), "xavier"), dict(rng=rng(), std=0.01)),
    # optim
    "sgd_step": lambda: ((np.array([1.0, -1.0]), np.array([0.5, 2.0]), None), dict(lr=0.1)),
    "momentum_step": lambda: ((np.array([1.0, -1.0]), np.array([0.5, 2.0]),
                               optim.MomentumState(np.array([0.1, 0.2]))),
                              dict(lr=0.1, rho=0.9)),
    "nesterov_step": lambda: ((np.array([1.0, -1.0]), np.array([0.5, 2.0]),
                               optim.MomentumState(np.array([0.1, 0.2]))),
                              dict(lr=0.1, rho=0.9)),
    "nesterov_step_reformulated": lambda: ((np.array([1.0, -1.0]), np.array([0.5, 2.0]),
                                            optim.MomentumState(np.array([0.1, 0.2]))),
                                           dict(lr=0.1, rho=0.9)),
    "adagrad_step": lambda: ((np.array([1.0, -1.0]), np.array([0.5, 2.0]),
                              optim.AdaGradState(np.array([0.1, 0.2]))),
                             dict(lr=0.1, eps=1e-8)),
    "rmsprop_step": lambda: ((np.array([1.0, -1.0]), np.array([0.5, 2.0]),
                              optim.RMSPropState(np.array([0.1, 0.2]))),
                             dict(lr=0.1, decay_rate=0.99, eps=1e-8)),
    "adam_step": lambda: ((np.array([1.0, -1.0]), np.array([0.5, 2.0]),
                           optim.AdamState(np.array([0.1, 0.2]), np.array([0.1, 0.2]), 3)),
                          dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)),
    "gradient_point": lambda: ((optim.nesterov_step, np.array([1.0, -1.0]),
                                optim.MomentumState(np.array([0.1, 0.2]))),
                               dict(lr=0.1, rho=0.9)),
    "trajectory": lambda: ((optim.sgd_step, lambda w: 2 * w, [1.0, -2.0], 3), dict(lr=0.1)),
    "adagrad_effective_lr": lambda: (([2.0, 1.0, 0.5],), dict(lr=0.1, eps=1e-8)),
    "adam_gradient_weights": lambda: ((5,), dict(beta=0.9, corrected=True)),
    "bias_correction": lambda: ((3,), dict(beta=0.9)),
    # layer specs
    "Conv2d": lambda: ((4, 3), dict(stride=1, padding=1, dilation=1, bias=True)),
    "MaxPool2d": lambda: ((3,), dict(stride=2, padding=1, ceil_mode=False)),
    "AvgPool2d": lambda: ((3,), dict(stride=2, padding=1, ceil_mode=False)),
    "Flatten": lambda: ((), {}),
    "Dense": lambda: ((4,), dict(bias=True)),
    "Activation": lambda: (("relu",), {}),
    # shapes
    "conv_output_size": lambda: ((32, 3), dict(stride=2, padding=1, dilation=1,
                                               ceil_mode=False)),
    "pool_output_size": lambda: ((32, 3), dict(stride=2, padding=1, ceil_mode=False)),
    "conv_output_shape": lambda: (((3, 32, 32),), dict(out_channels=8, kernel=3, stride=1,
                                                       padding="same", dilation=2,
                                                       ceil_mode=False)),
    "pool_output_shape": lambda: (((3, 32, 32),), dict(kernel=3, stride=2, padding=1,
                                                       ceil_mode=True)),
    "padding_for_output": lambda: ((227, 11, 55), dict(stride=4, dilation=1)),
    "same_padding": lambda: ((3,), dict(dilation=2)),
    "receptive_field": lambda: ((_layer_stack(),), dict(axis=None)),
    "conv_output_size_latex": lambda: ((32, 3), dict(stride=2, padding=1, dilation=1)),
    "receptive_field_latex": lambda: ((_layer_stack(),), dict(axis=0)),
    # counting
    "conv_params": lambda: ((3, 8, 3), dict(bias=True)),
    "dense_params": lambda: ((4, 3), dict(bias=False)),
    "conv_mults": lambda: (((3, 8, 8), 4, 3), dict(stride=1, padding=1, dilation=1)),
    "dense_mults": lambda: ((4, 3), {}),
    "NetworkSummary": lambda: ((dc.summarize((3, 8, 8), [dc.Flatten()]).rows,), {}),
    "summarize": lambda: (((3, 8, 8), [*_layer_stack(), dc.Flatten(), dc.Dense(2)]),
                          dict(names=None)),
    "block_mults": lambda: (((16, 8, 8), [dc.Conv2d(4, 1),
                                          [dc.Conv2d(4, 1), dc.Conv2d(8, 3, padding=1)],
                                          [dc.MaxPool2d(3, stride=1, padding=1),
                                           dc.Conv2d(2, 1)]]), {}),
    # activations
    "sigmoid": lambda: (([0.5, -1.0, 3.0],), {}),
    "sigmoid_grad": lambda: (([0.5, -1.0, 3.0],), {}),
    "relu": lambda: (([0.5, -1.0, 0.0],), {}),
    "relu_grad": lambda: (([0.5, -1.0, 0.0],), {}),
    "softmax": lambda: (([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]],), dict(axis=-1)),
    "log_softmax": lambda: (([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]],), dict(axis=-1)),
    "cross_entropy": lambda: (([[1.0, 2.0, 0.5]], [1]), {}),
    "softmax_cross_entropy": lambda: (([[1.0, 2.0, 0.5], [0.0, 0.1, 0.2]], [1, 0]), {}),
    # layers
    "conv2d_forward": lambda: ((np.ones((1, 2, 4, 4)), np.full((3, 2, 3, 3), 0.1),
                                np.zeros(3)), dict(stride=1, padding=1)),
    "conv2d_backward": lambda: ((np.ones((1, 3, 4, 4)), _conv_cache()), {}),
    "maxpool2d_forward": lambda: ((np.arange(16.0).reshape(1, 1, 4, 4),),
                                  dict(kernel=2, stride=None)),
    "maxpool2d_backward": lambda: ((np.ones((1, 1, 2, 2)), _pool_cache("max")), {}),
    "avgpool2d_forward": lambda: ((np.arange(16.0).reshape(1, 1, 4, 4),),
                                  dict(kernel=2, stride=1)),
    "avgpool2d_backward": lambda: ((np.ones((1, 1, 2, 2)), _pool_cache("avg")), {}),
    "affine_forward": lambda: (([[1.0, 2.0]], [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]],
                                [0.0, 0.0, 1.0]), {}),
    "affine_backward": lambda: ((np.ones((1, 3)), _affine_cache()), {}),
    "relu_forward": lambda: (([[0.5, -1.0]],), {}),
    "relu_backward": lambda: (([[1.0, 2.0]], layers.relu_forward([[0.5, -1.0]])[1]), {}),
    "sigmoid_forward": lambda: (([[0.5, -1.0]],), {}),
    "sigmoid_backward": lambda: (([[1.0, 2.0]], layers.sigmoid_forward([[0.5, -1.0]])[1]),
                                 {}),
    "tanh_forward": lambda: (([[0.5, -1.0]],), {}),
    "tanh_backward": lambda: (([[1.0, 2.0]], layers.tanh_forward([[0.5, -1.0]])[1]), {}),
    "batchnorm_forward": lambda: (([[1.0, 2.0], [3.0, 5.0], [0.0, -1.0]], [1.0, 2.0],
                                   [0.0, 0.5]), dict(eps=1e-5)),
    "batchnorm_backward": lambda: ((np.ones((3, 2)), _bn_cache()), {}),
    "batchnorm_inference": lambda: (([[1.0, 2.0], [3.0, 5.0]], [1.0, 2.0], [0.0, 0.5]),
                                    dict(running_mean=[1.0, 2.0], running_var=[0.5, 4.0],
                                         eps=1e-5)),
    "dropout_forward": lambda: ((np.ones((2, 3)),), dict(p_keep=0.5, rng=rng(),
                                                         inverted=True, train=True)),
    "dropout_backward": lambda: ((np.ones((2, 3)), _dropout_cache()), {}),
    # signal, filters, steps
    "correlate1d": lambda: (([0.0, 4.0, 1.0, -1.0, 3.0], [-2.0, 1.0]),
                            dict(mode="valid", padding=None)),
    "convolve1d": lambda: (([4.0, 1.0, -1.0, 3.0], [-2.0, 1.0]), dict(mode="full",
                                                                     padding=None)),
    "correlate2d": lambda: ((np.arange(25.0).reshape(5, 5), np.eye(3)),
                            dict(mode="same", padding=None)),
    "convolve2d": lambda: ((np.arange(25.0).reshape(5, 5), np.eye(3)),
                           dict(mode="valid", padding=1)),
    "edge_filter": lambda: (("sobel_x",), {}),
    "correlate1d_latex": lambda: (([4.0, 1.0, -1.0], [-2.0, 1.0]), dict(padding=1, digits=4)),
    "convolve1d_latex": lambda: (([4.0, 1.0, -1.0], [-2.0, 1.0]), dict(padding=0, digits=3)),
    # diagrams and plots
    "draw_network": lambda: (((2, 3, 1),), dict(node_labels=None, edge_labels=None,
                                                layer_names=["in", "hidden", "out"],
                                                label_pos=0.3, width=6.0, height=3.5)),
    "plot_training_curves": lambda: (({"run": _history()},),
                                     dict(metrics=("loss", "accuracy"), test=True,
                                          mark_epochs=(1,), log_loss=False, width=4.5,
                                          height=3.2)),
    "plot_decision_boundaries": lambda: (({"a": _mlp()}, *_xy()),
                                         dict(resolution=8, margin=0.5, titles=None,
                                              width=3.2, height=3.0)),
    "plot_gradient_norms": lambda: (({"plain": [1e-6, 1e-3, 1.0]},),
                                    dict(ylabel="norm", width=6.0, height=3.5)),
    # models
    "init_mlp": lambda: (((2, 3, 2),), dict(activation="tanh", weight_init="he", std=0.01,
                                            bias=0.0, rng=rng())),
    "init_cnn": lambda: ((), dict(in_shape=(1, 4, 4), n_filters=2, kernel=3, pool=2,
                                  n_classes=3, p_keep=0.75, rng=rng())),
    "model_forward": lambda: ((_mlp(), _xy()[0]), dict(train=False, rng=None)),
    "model_backward": lambda: ((np.ones((3, 2)), dc.model_forward(_mlp(), _xy()[0])[1]), {}),
    "loss_and_grads": lambda: ((_cnn(), np.ones((2, 1, 4, 4)), [0, 2]),
                               dict(train=True, rng=rng())),
    "predict_proba": lambda: ((_mlp(), _xy()[0]), {}),
    "predict": lambda: ((_cnn(), np.ones((2, 1, 4, 4))), {}),
    "evaluate": lambda: ((_mlp(), *_xy()), {}),
    # training
    "step_schedule": lambda: ((0.1,), dict(drops_at=(2, 4), factor=0.1)),
    "fit": lambda: ((_mlp(), *_xy()), dict(epochs=2, lr=0.1, rng=rng(), optimizer="adam",
                                           batch_size=2, x_test=_xy()[0], y_test=_xy()[1])),
    # diagnostics
    "gradient_norms": lambda: ((_mlp(), *_xy()), {}),
    "dead_units": lambda: ((_mlp(), _xy()[0]), {}),
    "hidden_unit_spread": lambda: ((_mlp(),), {}),
    "init_deep_stack": lambda: ((3, 2), dict(activation="sigmoid", residual=False,
                                             weight_init="xavier", rng=rng())),
    "deep_stack_forward": lambda: ((_stack(), np.ones((2, 2))), {}),
    "deep_stack_backward": lambda: ((np.ones((2, 2)),
                                     dc.deep_stack_forward(_stack(), np.ones((2, 2)))[1]), {}),
    "layer_gradient_norms": lambda: ((_stack(), np.ones((2, 2))), dict(rng=rng())),
    # experiments
    "run_init_experiment": lambda: ((), dict(
        runs={"zeros": {"activation": "relu", "weight_init": "zeros", "bias": 0.0}},
        sizes=(2, 3, 2), dataset="moons", n_train=12, n_test=6, noise=0.2, iterations=2,
        lr=0.5, seed=0)),
    "run_digits_cnn": lambda: ((), dict(epochs=1, n_filters=1, p_keep=0.75, batch_size=512,
                                        optimizer="sgd", lr=0.01, test_fraction=0.25,
                                        seed=0)),
    "run_lr_schedule_experiment": lambda: ((), dict(epochs=2, drops_at=(1,), factor=0.1,
                                                    lr0=0.5, sizes=(2, 3, 2), n=12,
                                                    noise=0.3, batch_size=6,
                                                    optimizer="sgd", seed=0)),
    "gradient_norms_by_depth": lambda: ((), dict(depth=3, width=2, n=4,
                                                 activations=("sigmoid", "relu"),
                                                 weight_init="xavier", seed=0)),
    # mlp
    "Network": lambda: (([[[0.1, -0.2], [0.3, 0.4]], [[0.5, -0.5]]], [[0.0, 0.1], [0.2]],
                         ["relu", "sigmoid"]), dict(loss="mse")),
    "forward_trace": lambda: ((_network(), [1.0, 2.0]), {}),
    "backward_trace": lambda: ((_network(), _trace(), [0.5]), {}),
    "loss_value": lambda: ((_network(), [1.0, 2.0], [0.5]), {}),
    "sgd_update": lambda: ((_network(), _grads()), dict(lr=0.5)),
    "named_scalars": lambda: (({"W1": np.array([[0.5, 0.25]]), "b1": np.array([1.0])},),
                              dict(mapping={"w2": ("W1", 0, 1)})),
}

# Slow calls (figures, training runs, a data set loaded from disk) get fewer examples.
EXPENSIVE = {"draw_network": 40, "plot_training_curves": 30, "plot_decision_boundaries": 30,
             "plot_gradient_norms": 40, "run_init_experiment": 40, "run_digits_cnn": 12,
             "run_lr_schedule_experiment": 40, "gradient_norms_by_depth": 60,
             "load_digits_split": 25, "fit": 150}
CHEAP_EXAMPLES = int(os.environ.get("DLCALC_ROBUSTNESS_EXAMPLES", "200"))

CALLABLES = public_callables()
CALLED = sorted(n for n, f in CALLABLES.items() if not _is_record(f))


# --- bad values ------------------------------------------------------------------------

class Opaque:
    """An object no argument of dlcalc accepts."""

    def __repr__(self) -> str:
        return "Opaque()"


#: Values no argument accepts: a finite result is a silent coercion.
ALWAYS_BAD: list[Callable[[], Any]] = [
    lambda: b"ab", lambda: 1 + 5j, lambda: np.array([1 + 5j, 2.0]), lambda: math.nan,
    lambda: math.inf, lambda: -math.inf, lambda: 10**400, lambda: -(10**400),
    lambda: Opaque(), lambda: np.array([np.nan, 1.0]), lambda: [1.0, math.inf],
    lambda: np.complex128(2.0), lambda: bytearray(b"xy"), lambda: np.float64("nan"),
]


@functools.cache
def _wrong_object_pool() -> tuple[Any, ...]:
    """Built once: dlcalc never modifies its arguments (each module's tests check it)."""
    return tuple(make() for make in _wrong_objects())


def _wrong_objects() -> list[Callable[[], Any]]:
    """Caches, states and models of the wrong kind, or corrupted."""
    x, y = _xy()

    def mlp_with(**params: Any) -> dc.MLP:
        m = _mlp()
        return m._replace(params={**m.params, **params})

    def cnn_with(**params: Any) -> dc.CNN:
        m = _cnn()
        return m._replace(params={**m.params, **params})

    return [
        _conv_cache, _affine_cache, _bn_cache, _dropout_cache, lambda: _pool_cache("max"),
        lambda: layers.relu_forward([[1.0, -1.0]])[1], _mlp, _cnn, _stack, _network, _trace,
        lambda: optim.AdamState(np.zeros(2), -np.ones(2), 1),
        lambda: optim.AdamState(np.zeros(2), np.ones(2), 0),
        lambda: optim.AdamState(np.zeros(2), np.ones(2), -3),
        lambda: optim.AdamState(np.zeros(3), np.ones(3), 2),
        lambda: optim.AdamState(np.zeros(2), np.ones(2), 1.5),
        lambda: optim.MomentumState(np.ones(5)), lambda: optim.MomentumState(None),
        lambda: optim.MomentumState(np.array([np.nan, 1.0])),
        lambda: optim.AdaGradState(-np.ones(2)), lambda: optim.RMSPropState(-np.ones(2)),
        lambda: optim.RMSPropState(np.array([1e308, 1e308])),
        lambda: dc.MLP({}, "relu"), lambda: dc.MLP({"w1": np.ones((2, 2))}, "relu"),
        lambda: _mlp()._replace(activation="swish"), lambda: _mlp()._replace(params=None),
        lambda: mlp_with(w1=np.ones((5, 3))), lambda: mlp_with(b1=np.ones(7)),
        lambda: mlp_with(w2=np.full((3, 2), np.nan)), lambda: mlp_with(w1="abc"),
        lambda: mlp_with(w2=np.full((3, 2), 1e308)),
        lambda: cnn_with(conv_w=np.ones((2, 3, 3, 3))), lambda: cnn_with(fc_w=np.ones((5, 3))),
        lambda: _cnn()._replace(p_keep=2.0), lambda: _cnn()._replace(pool=0),
        lambda: dc.DeepStack((np.ones((2, 2)),), (), "sigmoid", False),
        lambda: dc.DeepStack((np.ones((2, 3)),), (np.ones((2, 2)),), "relu", True),
        lambda: layers.AffineCache(np.ones((1, 2)), np.ones((3, 3))),
        lambda: layers.ConvCache(None, None, (1, 2), 1, 0, True),
        lambda: layers.PoolCache((1, 1, 4, 4), 2, 2, None),
        lambda: layers.BatchnormCache(np.ones((3, 2)), np.ones(2), -np.ones(2), np.ones(5),
                                      np.ones(2)),
        lambda: layers.DropoutCache(np.ones((4, 4), dtype=bool), np.float64(2.0)),
        lambda: layers.ActivationCache(np.ones((7, 7))),
        lambda: layers.ActivationCache("abc"),
        lambda: ("mlp", "relu", []), lambda: ("cnn",), lambda: (),
        lambda: {"w1": np.ones((2, 2))}, lambda: x, lambda: y,
    ]


OTHER_BAD: list[Callable[[], Any]] = [
    lambda: None, lambda: "abc", lambda: "", lambda: True, lambda: -1, lambda: 0,
    lambda: -1e-300, lambda: 1e308, lambda: -1e308, lambda: 1e-320, lambda: 2**63,
    lambda: -2.5, lambda: [], lambda: (), lambda: {}, lambda: [None],
    lambda: ["a", "b"], lambda: [[1.0, 2.0], [3.0]], lambda: np.empty(0),
    lambda: np.zeros((0, 3)), lambda: np.ones((2, 3, 4, 5, 6)), lambda: np.ones((7,)),
    lambda: np.ones((1, 1)), lambda: np.array(["a", "b"]), lambda: np.array([1, 2]),
    lambda: np.full((3, 2), 1e308), lambda: np.full((2, 3), -1e308), lambda: (1, 2, 3, 4),
    lambda: (0, 0), lambda: (-1, 2), lambda: np.float32(3.0), lambda: np.int64(-7),
    lambda: [10**400], lambda: 0.5, lambda: 3, lambda: print, lambda: np.random.default_rng,
    lambda: object, lambda: np.random.RandomState(0), lambda: {"a": np.nan},
]

EXTREME_FLOATS = [1e308, -1e308, 1.7e308, 1e154, -1e154, 1e-308, 5e-324, 0.0, -0.0, -1.0,
                  math.nan, math.inf, -math.inf]


def _like(original: Any, fill: float) -> Any:
    """The original value with its numbers replaced by ``fill`` (same shape)."""
    if isinstance(original, (np.ndarray, list)) and not isinstance(original, str):
        try:
            arr = np.asarray(original, dtype=float)
        except (TypeError, ValueError):
            return None
        return np.full(arr.shape, fill)
    if isinstance(original, (float, np.floating)):
        return fill
    return None


def _one_entry(original: Any, fill: float, index: int) -> Any:
    """The original array with one entry replaced by ``fill``."""
    try:
        arr = np.array(original, dtype=float)
    except (TypeError, ValueError):
        return None
    if arr.size == 0:
        return None
    arr.flat[index % arr.size] = fill
    return arr


def _int_variant(original: Any, value: int) -> Any:
    if isinstance(original, (int, np.integer)) and not isinstance(original, bool):
        return value
    if isinstance(original, tuple) and original and all(
            isinstance(v, int) and not isinstance(v, bool) for v in original):
        return tuple(value if i == 0 else v for i, v in enumerate(original))
    return None


_KINDS = st.sampled_from(["always", "other", "object", "like", "entry", "int"])
_ALWAYS = st.sampled_from(ALWAYS_BAD)
_OTHER = st.sampled_from(OTHER_BAD)
# extreme values, and any float (so that the generated calls rarely repeat)
_EXTREME = st.one_of(st.sampled_from(EXTREME_FLOATS), st.floats(width=64))
_INDEX = st.integers(0, 10**6)
_INTS = st.sampled_from([-1, 0, 1, 2**63, 2**64, 10**400, -(10**30)])


@functools.cache
def _objects() -> st.SearchStrategy[Any]:
    return st.sampled_from(_wrong_object_pool())


def bad_value(draw: Callable[[st.SearchStrategy[Any]], Any], original: Any) -> tuple[Any, bool]:
    """A bad or extreme replacement for ``original``; True if it must be rejected."""
    kind = draw(_KINDS)
    if kind == "always":
        return draw(_ALWAYS)(), True
    if kind == "other":
        return draw(_OTHER)(), False
    if kind == "object":
        return draw(_objects()), False
    if kind == "like":
        value = _like(original, draw(_EXTREME))
    elif kind == "entry":
        value = _one_entry(original, draw(_EXTREME), draw(_INDEX))
    else:
        value = _int_variant(original, draw(_INTS))
    if value is None:
        return draw(_OTHER)(), False
    return value, False


# --- judging one call ------------------------------------------------------------------

def nonfinite(value: Any, path: str = "result", depth: int = 0) -> str | None:
    """Where a non-finite number sits in a result, or None."""
    if depth > 6 or value is None or isinstance(value, (str, bytes, bool)):
        return None
    if isinstance(value, matplotlib.figure.Figure):
        return None
    if isinstance(value, (int, np.integer)):
        return None
    if isinstance(value, (float, np.floating, complex, np.complexfloating)):
        return None if np.isfinite(value) else path
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc":
            return None if np.all(np.isfinite(value)) else path
        if value.dtype.kind == "O":
            for i, v in enumerate(value.flat):
                found = nonfinite(v, f"{path}.flat[{i}]", depth + 1)
                if found:
                    return found
        return None
    if isinstance(value, dict) or hasattr(value, "items") and callable(value.items):
        for k, v in value.items():
            found = nonfinite(v, f"{path}[{k!r}]", depth + 1)
            if found:
                return found
        return None
    if isinstance(value, (tuple, list)):
        names = getattr(value, "_fields", None)
        for i, v in enumerate(value):
            found = nonfinite(v, f"{path}.{names[i]}" if names else f"{path}[{i}]",
                              depth + 1)
            if found:
                return found
        return None
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            found = nonfinite(getattr(value, f.name), f"{path}.{f.name}", depth + 1)
            if found:
                return found
    return None


def _names(message: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9])", message) is not None


OUTCOMES: Counter[str] = Counter()
FAILURES: list[str] = []


def judge(name: str, fn: Callable, args: tuple, kwargs: dict, swapped: dict[str, Any],
          must_reject: bool) -> str | None:
    """Call and classify: None if fine, else a description of the defect."""
    OUTCOMES["calls"] += 1

    def shown() -> str:
        return ", ".join(f"{k}={v!r}"[:120] for k, v in swapped.items())

    try:
        result = fn(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        if any(_names(str(exc), arg) for arg in swapped):
            OUTCOMES["clean errors"] += 1
            return None
        OUTCOMES["errors not naming the argument"] += 1
        return f"{name}({shown()}): {type(exc).__name__} does not name {list(swapped)}: {exc}"
    except Exception as exc:  # noqa: BLE001 - a crash is what this test looks for
        OUTCOMES["crashes"] += 1
        return f"{name}({shown()}): crashed with {type(exc).__name__}: {exc}"
    where = nonfinite(result)
    if where is not None:
        OUTCOMES["silent nan/inf"] += 1
        return f"{name}({shown()}): non-finite number in {where}"
    if must_reject:
        OUTCOMES["silent coercions"] += 1
        return f"{name}({shown()}): accepted a value no argument accepts"
    OUTCOMES["finite results"] += 1
    return None


# --- the tests -------------------------------------------------------------------------

def test_every_public_callable_has_an_example_call() -> None:
    missing = sorted(set(CALLED) - set(EXAMPLES))
    assert missing == [], f"add a valid call to EXAMPLES for: {missing}"
    records = sorted(n for n, f in CALLABLES.items() if _is_record(f))
    assert records, "named-tuple records are expected among the public names"
    stale = sorted(set(EXAMPLES) - set(CALLED))
    assert stale == [], f"EXAMPLES lists names that are not public callables: {stale}"


@pytest.mark.parametrize("name", CALLED)
def test_the_example_calls_are_valid(name: str) -> None:
    args, kwargs = EXAMPLES[name]()
    assert nonfinite(CALLABLES[name](*args, **kwargs)) is None


@functools.cache
def example(name: str) -> Call:
    """The example call of ``name``, built once and shared by the generated calls (dlcalc
    never modifies its arguments; each module's tests check it)."""
    return EXAMPLES[name]()


def _swappable(fn: Callable, args: tuple, kwargs: dict) -> tuple[inspect.BoundArguments,
                                                                 list[str]]:
    bound = inspect.signature(fn).bind(*args, **kwargs)
    params = inspect.signature(fn).parameters
    names = [n for n in bound.arguments
             if params[n].kind not in (inspect.Parameter.VAR_KEYWORD,
                                       inspect.Parameter.VAR_POSITIONAL)]
    return bound, names


@pytest.mark.parametrize("name", CALLED)
def test_bad_arguments_give_a_clean_error_or_a_finite_result(name: str) -> None:
    fn = CALLABLES[name]
    if name not in EXAMPLES:
        pytest.fail(f"no example call for {name}")
    _, names = _swappable(fn, *EXAMPLES[name]())
    if not names:
        return  # nothing to swap (Flatten())
    defects: list[str] = []

    which = st.lists(st.sampled_from(names), min_size=1, max_size=min(2, len(names)),
                     unique=True)

    @settings(max_examples=min(EXPENSIVE.get(name, CHEAP_EXAMPLES), CHEAP_EXAMPLES),
              deadline=None, database=None, suppress_health_check=list(HealthCheck),
              phases=(Phase.generate,))
    @given(data=st.data())
    def run(data: Any) -> None:
        bound, _ = _swappable(fn, *example(name))
        chosen = data.draw(which)
        swapped, must_reject = {}, False
        for arg in chosen:
            value, always = bad_value(data.draw, bound.arguments[arg])
            bound.arguments[arg] = value
            swapped[arg] = value
            must_reject |= always
        defect = judge(name, fn, bound.args, bound.kwargs, swapped, must_reject)
        if defect:
            defects.append(defect)

    run()
    assert defects == [], f"{len(defects)} defects, e.g.\n" + "\n".join(defects[:8])


STARTED = time.perf_counter()


def test_enough_calls_were_made(request: pytest.FixtureRequest,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """Runs last in this module: when the whole swap test ran, at least 20,000 calls."""
    with capsys.disabled():
        counts = ", ".join(f"{k} {v}" for k, v in OUTCOMES.most_common())
        print(f"\ntest_robustness: {counts} ({time.perf_counter() - STARTED:.1f} s)")
    ran_all = all(f"test_bad_arguments_give_a_clean_error_or_a_finite_result[{n}]"
                  in {item.name for item in request.session.items} for n in CALLED)
    if not ran_all:
        pytest.skip("only part of the swap test was selected")
    assert OUTCOMES["calls"] >= 20_000, OUTCOMES
    assert OUTCOMES["crashes"] == OUTCOMES["silent nan/inf"] == 0, OUTCOMES
