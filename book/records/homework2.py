"""Homework 2: what the one surviving answer claimed.

The questions' data and computations live in :mod:`dlcalc.problems.homework2`; every claim
below reads its answer from the solution of its problem (each solved once).
"""

from __future__ import annotations

from dlcalc.problems import homework2 as hw

from .claims import Claim, on_page
from .claims import solution_of as solved  # each problem solved once per process

PAGE = "homework2"

#: C(i): the source's test accuracy (per cent) after each epoch, as it wrote them.
SOURCE_ACCURACY = ["85.1233", "95.6817", "97.0417", "97.410", "98.0483",
                   "98.3317", "98.5200", "98.6450", "98.8783", "98.9033"]


_c = on_page(PAGE)

_UNNAMED = ("a run on a data set the source does not name (its accuracies are multiples of "
            "1/60,000, which suggests MNIST's 60,000 training images); it cannot be re-run "
            "here")
_B3I = [r"\begin{bmatrix} 1 & 0.5 \\ 0.5 & 0.25 \end{bmatrix}",
        r"\begin{bmatrix} 0.5 & 1 \\ 0.25 & 0.5 \end{bmatrix}",
        r"\begin{bmatrix} 0.25 & 0.5 \\ 0.5 & 1 \end{bmatrix}",
        r"\begin{bmatrix} 0.5 & 0.25 \\ 1 & 0.5 \end{bmatrix}"]
_CLAIMED_AVG = [[[1, 0.5], [0.5, 0.25]], [[0.5, 1], [0.25, 0.5]],
                [[0.25, 0.5], [0.5, 1]], [[0.5, 0.25], [1, 0.5]]]

CLAIMS: list[Claim] = [
    _c("HW2-A1(i)", "hw2", "largest weight gradient at the start", 0,
       lambda: solved(hw.A1I).largest_weight_gradient,
       quote="the gradients of the weights will 0"),
    _c("HW2-A1(i)", "hw2", "weight arrays that training changes", "none",
       lambda: ", ".join(solved(hw.A1I).weights_moved) or "none",
       quote="no learning / weight updates will occur"),
    _c("HW2-A1(i)", "hw2", "why the gradients vanish", "ReLU turns the outputs to zero",
       lambda: "the zero weights and the zero ReLU outputs together",
       "the zero ReLU outputs zero the weight gradients, but the zero weights are what "
       "stop the backward signal to the hidden layers (whatever the activation)",
       quote="relu will turn outputs to zero", judgement=True),
    _c("HW2-A1(ii)", "hw2", "largest gradient reaching the hidden layers", 0,
       lambda: solved(hw.A1II).largest_hidden_gradient,
       quote="gradients can't flow during backpropagation"),
    _c("HW2-A1(ii)", "hw2", "how much of the network goes dormant", "portions",
       lambda: "all" if solved(hw.A1II).dead_start == solved(hw.A1II).units else "portions",
       "at this bias every hidden unit is closed for every training point; a less negative "
       "bias closes a portion",
       quote="portions of the network can go dormant"),
    _c("HW2-A2", "hw2", "zero-initialised sigmoid network learns a linear boundary", "yes",
       lambda: "yes" if solved(hw.A2).learns_a_line else "no",
       quote="could only learn a simple linear boundary"),
    _c("HW2-A2", "hw2", "its error is higher than the random start's", "yes",
       lambda: "yes" if solved(hw.A2).error > solved(hw.A2).error_random else "no",
       quote="leaving a higher error compared to random weights"),
    _c("HW2-A2", "hw2", "why it learns", "sigmoid outputs lie between 0 and 1",
       lambda: "σ(0) = 1/2 is not zero, so a gradient exists",
       "what matters is that a sigmoid unit outputs 1/2 at zero input, so the last weights "
       "get a gradient; and identical units stay identical, hence the straight boundary",
       quote="A boundary could still be learned because Sigmoid guarantees", judgement=True),
    _c("HW2-B2(i)", "hw2", "parameters", 608, lambda: solved(hw.B2I).total,
       quote="608 parameters"),
    _c("HW2-B2(ii)", "hw2", "output block (H × W × D)", (28, 28, 3),
       lambda: solved(hw.B2II).shape,
       "the depth was taken from the input's channels; there is one output map per filter",
       quote="28 x 28 x 3"),
    *[_c("HW2-B3(i)", "hw2", f"average pooling, image {i + 1}", claimed,
         lambda i=i: solved(hw.B3I).pooled[i], quote=quote)
      for i, (claimed, quote) in enumerate(zip(_CLAIMED_AVG, _B3I))],
    _c("HW2-B3(ii)", "hw2", "max pooling, each of the four images", [[[1, 1], [1, 1]]] * 4,
       lambda: solved(hw.B3II).pooled, quote="in 4 identical pooling matrices."),
    _c("HW2-B3(ii)", "hw2", "distinct outputs of max pooling", 1,
       lambda: solved(hw.B3II).distinct, quote="quadrant will find a"),
    *[_c("HW2-C(i)", "hw2", f"test accuracy after epoch {e + 1} (%)", acc, None, _UNNAMED,
         quote=f"{acc} %")
      for e, acc in enumerate(SOURCE_ACCURACY)],
    _c("HW2-C(ii)", "hw2", "best test accuracy (%)", "98.9", None, _UNNAMED,
       quote="final test accuracy of 98.9%"),
    _c("HW2-C(ii)", "hw2", "what max pooling is", "an activation function",
       lambda: "a pooling layer",
       "max pooling downsamples each window to its largest value; an activation acts on each "
       "value alone", quote="relu and max pooling activation functions", judgement=True),
    _c("HW2-C(iii)", "hw2", "time per epoch", "a minute or two", None,
       "the source's data set and machine; the digits epoch here is timed on the page",
       quote="it can take a minute or two just to get a single epoch"),
    _c("HW2-C(iii)", "hw2", "is tuning by hand expensive", "yes", lambda: "yes",
       quote="Yes, this is very computationally expensive", judgement=True),
]
