"""CSE616 Assignment 2 (seeds 000 and 001): given data and the sources' claims."""

from __future__ import annotations

import dlcalc as dc

from .claims import Claim, on_page

PAGE = "cse616-assignment2"

# ---- given data, written once; the page glues it into question and solution ----
Q1 = {"height": 500, "width": 500, "channels": 3, "units": 100}
Q2 = {"filters": 10, "kernel": 5}  # applied to Q1's image
Q6 = {"size": 256, "channels": 3, "conv_filters": 32, "conv_kernel": 3, "conv_stride": 1,
      "pool_kernel": 3, "pool_stride": 2}
Q7 = {"channels": 96, "height": 128, "width": 128, "filters": 128, "kernel": 7,
      "stride": 2, "padding": 3}
Q10 = {"x": [4, 1, -1, 3], "k": [-2, 1], "out_len": 5}
Q11 = {"epochs": [25, 60]}


def q1_summary() -> dc.NetworkSummary:
    return dc.summarize((Q1["channels"], Q1["height"], Q1["width"]),
                        [dc.Flatten(), dc.Dense(Q1["units"])])


def q1_weight_shape() -> tuple[int, int]:
    n_in = q1_summary().rows[1].output_shape[0]
    return (n_in, Q1["units"])


def q2_params() -> int:
    weights, biases = dc.conv_params(Q1["channels"], Q2["filters"], Q2["kernel"])
    return weights + biases


def q6_layers() -> list:
    """Conv 3x3 stride 1 with "same" padding (the question says the size is kept), then pool 3x3/2."""
    return [dc.Conv2d(Q6["conv_filters"], Q6["conv_kernel"], stride=Q6["conv_stride"], padding="same"),
            dc.MaxPool2d(Q6["pool_kernel"], stride=Q6["pool_stride"])]


def q6_receptive_field() -> int:
    return dc.receptive_field(q6_layers()).size


def q6_summary() -> dc.NetworkSummary:
    return dc.summarize((Q6["channels"], Q6["size"], Q6["size"]), q6_layers())


def q7_output_shape() -> tuple[int, int, int]:
    return dc.conv_output_shape((Q7["channels"], Q7["height"], Q7["width"]),
                                out_channels=Q7["filters"], kernel=Q7["kernel"],
                                stride=Q7["stride"], padding=Q7["padding"])


def q10_padding() -> int:
    return dc.padding_for_output(len(Q10["x"]), len(Q10["k"]), Q10["out_len"])


_c = on_page(PAGE)


CLAIMS: list[Claim] = [
    _c("A2-Q1", "000", "weight matrix shape", (750_000, 100), q1_weight_shape),
    _c("A2-Q1", "001", "weight matrix shape", (750_000, 100), q1_weight_shape),
    _c("A2-Q1", "001", "weights (learnable parameters)", 75_000_000,
       lambda: q1_summary().total_weights),
    _c("A2-Q1", "000", "bias entries", 100, lambda: q1_summary().total_biases),
    _c("A2-Q1", "001", "bias entries", 100, lambda: q1_summary().total_biases),
    _c("A2-Q2", "000", "parameters", 260, q2_params,
       "the filters were taken as 5×5 with no depth; each filter spans all 3 input channels"),
    _c("A2-Q2", "001", "parameters", 760, q2_params),
    _c("A2-Q6", "000", "receptive field (side)", 5, q6_receptive_field),
    _c("A2-Q6", "001", "receptive field (side)", 5, q6_receptive_field),
    _c("A2-Q6", "001", "conv output (H × W × C)", (254, 254, 32),
       lambda: tuple(q6_summary().rows[1].output_shape[i] for i in (1, 2, 0)),
       "no padding was used, but the question says the conv keeps the input's size"),
    _c("A2-Q6", "001", "pool output (H × W × C)", (126, 126, 32),
       lambda: tuple(q6_summary().rows[2].output_shape[i] for i in (1, 2, 0)),
       "follows from the unpadded conv output"),
    _c("A2-Q7", "000", "output block (D × H × W)", (128, 64, 64), q7_output_shape),
    _c("A2-Q7", "001", "output block (D × H × W)", (128, 64, 64), q7_output_shape),
    _c("A2-Q10", "000", "padding", 1, q10_padding),
    _c("A2-Q10", "001", "padding", 1, q10_padding),
]
