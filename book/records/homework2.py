"""Homework 2 (seed 003): given data and the sources' claims.

The source gives answers only; the questions are reconstructed from them. The
four binary images of B3 are rebuilt from the matrices the source wrote on the
left of each of its pooling answers.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

import dlcalc as dc

from .claims import Claim, on_page

PAGE = "homework2"

# ---- given data, written once; the page glues it into question and solution ----

#: A1 and A2: the initialisation experiment (a 3-layer network on two half-moons).
A = {"iterations": 4000, "sizes": (2, 10, 5, 2), "bias": -5.0, "dataset": "moons",
     "n_train": (200, 100), "n_test": (200, 100), "noise": 0.2, "lr": 0.5, "seed": 0}

#: The four runs: label -> keyword arguments of dlcalc.init_mlp.
RUNS = {
    "zero weights, ReLU": dict(activation="relu", weight_init="zeros", bias=0.0),
    "negative bias, ReLU": dict(activation="relu", weight_init="he", bias=A["bias"]),
    "random weights, ReLU": dict(activation="relu", weight_init="he", bias=0.0),
    "zero weights, sigmoid": dict(activation="sigmoid", weight_init="zeros", bias=0.0),
}

#: B2: a convolution layer on an RGB image.
B2 = {"height": 32, "width": 32, "channels": 3, "filters": 8, "kernel": 5,
      "stride": 1, "padding": 0}

#: B3: four 4x4 binary images (a 3x3 block of ones in each corner), shape (4, 4, 4).
IMAGES = np.array([
    [[1, 1, 1, 0],
     [1, 1, 1, 0],
     [1, 1, 1, 0],
     [0, 0, 0, 0]],
    [[0, 1, 1, 1],
     [0, 1, 1, 1],
     [0, 1, 1, 1],
     [0, 0, 0, 0]],
    [[0, 0, 0, 0],
     [0, 1, 1, 1],
     [0, 1, 1, 1],
     [0, 1, 1, 1]],
    [[0, 0, 0, 0],
     [1, 1, 1, 0],
     [1, 1, 1, 0],
     [1, 1, 1, 0]],
], dtype=np.float64)
POOL = {"kernel": 2, "stride": 2}

#: C: the small CNN, trained with dlcalc on scikit-learn's digits.
C = {"epochs": 10, "n_filters": 16, "p_keep": 0.75, "batch_size": 32, "optimizer": "adam",
     "lr": 0.01, "test_fraction": 0.25, "seed": 0}

#: C(i): the source's test accuracy (per cent) after each epoch, on MNIST.
MNIST_ACCURACY = ["85.1233", "95.6817", "97.0417", "97.410", "98.0483",
                  "98.3317", "98.5200", "98.6450", "98.8783", "98.9033"]


# ---- A ----

def run_experiment(*, runs=None, iterations=None):
    """The initialisation experiment with the data of A (all four runs by default)."""
    settings = {k: A[k] for k in ("sizes", "dataset", "n_train", "n_test", "noise", "lr", "seed")}
    return dc.run_init_experiment(runs=RUNS if runs is None else runs,
                                  iterations=A["iterations"] if iterations is None else iterations,
                                  **settings)


_SIGMOID = "zero weights, sigmoid"


@lru_cache(maxsize=None)
def sigmoid_zero_run():
    """The zero-initialised sigmoid run alone (cached: the page and the claims share it)."""
    return run_experiment(runs={_SIGMOID: RUNS[_SIGMOID]})


@lru_cache(maxsize=None)
def experiment():
    """All four runs. Every run starts from the same seeds, so the sigmoid run is reused."""
    others = run_experiment(runs={k: v for k, v in RUNS.items() if k != _SIGMOID})
    merged = {k: others.runs[k] if k in others.runs else sigmoid_zero_run().runs[k] for k in RUNS}
    return others._replace(runs=merged)


def sigmoid_zero_learns_a_line() -> str:
    """"yes" if the zero-started sigmoid network beats always answering the larger class
    while its hidden units stay identical (so its boundary is a straight line)."""
    exp = sigmoid_zero_run()
    run = exp.runs[_SIGMOID]
    _, accuracy = dc.evaluate(run.final, exp.x_test, exp.y_test)
    majority = np.bincount(exp.y_test).max() / len(exp.y_test)
    identical = max(dc.hidden_unit_spread(run.final)) == 0.0
    return "yes" if accuracy > majority and identical else "no"


def start_gradients(label: str) -> dict:
    """Gradient norm of each parameter array of one run's initial network, on the training set."""
    exp = run_experiment(runs={label: RUNS[label]}, iterations=1)
    return dc.gradient_norms(exp.runs[label].initial, exp.x_train, exp.y_train)


def largest_start_gradient(label: str, names: tuple[str, ...]) -> float:
    grads = start_gradients(label)
    return max(grads[n] for n in names)


# ---- B2 ----

def b2_params() -> int:
    weights, biases = dc.conv_params(B2["channels"], B2["filters"], B2["kernel"])
    return weights + biases


def b2_output_hwd() -> tuple[int, int, int]:
    """Output block as height x width x depth, the order the source writes."""
    f, h, w = dc.conv_output_shape((B2["channels"], B2["height"], B2["width"]),
                                   out_channels=B2["filters"], kernel=B2["kernel"],
                                   stride=B2["stride"], padding=B2["padding"])
    return (h, w, f)


# ---- B3 ----

def _pooled(forward) -> np.ndarray:
    out, _ = forward(IMAGES[:, np.newaxis], kernel=POOL["kernel"], stride=POOL["stride"])
    return out[:, 0]


def b3_average() -> np.ndarray:
    """2x2 average pooling of each image, shape (4, 2, 2)."""
    return _pooled(dc.avgpool2d_forward)


def b3_max() -> np.ndarray:
    """2x2 max pooling of each image, shape (4, 2, 2)."""
    return _pooled(dc.maxpool2d_forward)


_c = on_page(PAGE)

_MNIST = "MNIST run, not reproducible here; compare the shape"
_WEIGHTS = ("w1", "w2", "w3")
_HIDDEN = ("w1", "b1", "w2", "b2")

CLAIMS: list[Claim] = [
    _c("HW2-A1(i)", "hw2", "largest weight gradient at the start", 0,
       lambda: largest_start_gradient("zero weights, ReLU", _WEIGHTS)),
    _c("HW2-A1(ii)", "hw2", "largest gradient reaching the hidden layers", 0,
       lambda: largest_start_gradient("negative bias, ReLU", _HIDDEN)),
    _c("HW2-A2", "hw2", "zero-initialised sigmoid network learns a linear boundary", "yes",
       sigmoid_zero_learns_a_line),
    _c("HW2-B2(i)", "hw2", "parameters", 608, b2_params),
    _c("HW2-B2(ii)", "hw2", "output block (H × W × D)", (28, 28, 3), b2_output_hwd,
       "the depth was taken from the input's channels; there is one output map per filter"),
    _c("HW2-B3(i)", "hw2", "average pooling, image 1", [[1, 0.5], [0.5, 0.25]],
       lambda: b3_average()[0]),
    _c("HW2-B3(i)", "hw2", "average pooling, image 2", [[0.5, 1], [0.25, 0.5]],
       lambda: b3_average()[1]),
    _c("HW2-B3(i)", "hw2", "average pooling, image 3", [[0.25, 0.5], [0.5, 1]],
       lambda: b3_average()[2]),
    _c("HW2-B3(i)", "hw2", "average pooling, image 4", [[0.5, 0.25], [1, 0.5]],
       lambda: b3_average()[3]),
    *[_c("HW2-B3(ii)", "hw2", f"max pooling, image {i + 1}", [[1, 1], [1, 1]],
         lambda i=i: b3_max()[i]) for i in range(4)],
    *[_c("HW2-C(i)", "hw2", f"test accuracy after epoch {e + 1} (%)", acc, None, _MNIST)
      for e, acc in enumerate(MNIST_ACCURACY)],
    _c("HW2-C(ii)", "hw2", "best test accuracy (%)", "98.9", None, _MNIST),
    _c("HW2-C(ii)", "hw2", "what max pooling is", "an activation function",
       lambda: "a pooling layer",
       "max pooling downsamples each window to its largest value; an activation acts on each "
       "value alone"),
    _c("HW2-C(iii)", "hw2", "time per epoch", "a minute or two", None,
       "MNIST on the student's machine; the digits epoch here is timed on the page"),
    _c("HW2-C(iii)", "hw2", "is tuning by hand expensive", "yes", lambda: "yes"),
]
