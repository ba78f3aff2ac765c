"""Homework 2 (seed 003): given data and the sources' claims.

The source gives answers only; the questions are reconstructed from them. The
four binary images of B3 are rebuilt from the matrices the source wrote on the
left of each of its pooling answers.
"""

from __future__ import annotations

import numpy as np

import dlcalc as dc

from .claims import Claim, on_page

PAGE = "homework2"

# ---- given data, written once; the page glues it into question and solution ----

#: A1 and A2: the training runs of the initialisation experiment.
A = {"iterations": 4000}

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

#: C: the small CNN of the source, trained for this many epochs.
C = {"epochs": 10}

#: C(i): the source's test accuracy (per cent) after each epoch, on MNIST.
MNIST_ACCURACY = ["85.1233", "95.6817", "97.0417", "97.410", "98.0483",
                  "98.3317", "98.5200", "98.6450", "98.8783", "98.9033"]


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

CLAIMS: list[Claim] = [
    _c("HW2-B2(i)", "003", "parameters", 608, b2_params),
    _c("HW2-B2(ii)", "003", "output block (H × W × D)", (28, 28, 3), b2_output_hwd,
       "the depth was taken from the input's channels; there is one output map per filter"),
    _c("HW2-B3(i)", "003", "average pooling, image 1", [[1, 0.5], [0.5, 0.25]],
       lambda: b3_average()[0]),
    _c("HW2-B3(i)", "003", "average pooling, image 2", [[0.5, 1], [0.25, 0.5]],
       lambda: b3_average()[1]),
    _c("HW2-B3(i)", "003", "average pooling, image 3", [[0.25, 0.5], [0.5, 1]],
       lambda: b3_average()[2]),
    _c("HW2-B3(i)", "003", "average pooling, image 4", [[0.5, 0.25], [1, 0.5]],
       lambda: b3_average()[3]),
    *[_c("HW2-B3(ii)", "003", f"max pooling, image {i + 1}", [[1, 1], [1, 1]],
         lambda i=i: b3_max()[i]) for i in range(4)],
    *[_c("HW2-C(i)", "003", f"test accuracy after epoch {e + 1} (%)", acc, None, _MNIST)
      for e, acc in enumerate(MNIST_ACCURACY)],
    _c("HW2-C(ii)", "003", "best test accuracy (%)", "98.9", None, _MNIST),
]
