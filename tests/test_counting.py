"""Tests of dlcalc.counting: parameter and multiplication counts, network summaries."""

import dataclasses
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcalc.counting import (
    Activation,
    AvgPool2d,
    Conv2d,
    Dense,
    Flatten,
    LayerRow,
    MaxPool2d,
    NetworkSummary,
    block_mults,
    conv_mults,
    conv_params,
    dense_mults,
    dense_params,
    summarize,
)


# ---------------------------------------------------------------- pinned values

def test_cse616_a2_q1_q2():
    # Q1: 500*500*3 = 750,000 inputs -> 100 units: 75,000,000 weights, 100 biases
    assert dense_params(500 * 500 * 3, 100) == (75_000_000, 100)
    # Q2: 10 filters of 5*5*3 = 75 weights each: 750 weights + 10 biases = 760
    assert conv_params(3, 10, 5) == (750, 10)
    assert conv_params(3, 10, 5, bias=False) == (750, 0)


def test_homework2_conv_params():
    # 8 filters of 5*5*3: 600 weights + 8 biases = 608
    assert sum(conv_params(3, 8, (5, 5))) == 608


def test_one_by_one_convolution_saving():
    # 28x28x192 -> 28x28x32 with 32 1x1 filters: 28*28*32*192 multiplications
    assert conv_mults((192, 28, 28), 32, 1) == 28 * 28 * 32 * 192 == 4_816_896
    # the same output from a 5x5 'same' convolution: 28*28*32*5*5*192
    assert conv_mults((192, 28, 28), 32, 5, padding=2) == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    assert conv_mults((192, 28, 28), 32, 5, padding="same") == 120_422_400
    # a fully connected layer between the same blocks: 150,528 * 25,088
    fc = dense_mults(28 * 28 * 192, 28 * 28 * 32)
    assert fc == 150_528 * 25_088 == 3_776_446_464
    assert fc // 4_816_896 == 784  # the saving factor, 28*28


def test_five_by_five_with_reduction():
    # 16-channel 1x1 reduction then 32 5x5: 28*28*16*192 + 28*28*32*5*5*16
    b = block_mults((192, 28, 28), [[Conv2d(16, 1), Conv2d(32, 5, padding="same")]])
    assert b.total == 28 * 28 * 16 * 192 + 28 * 28 * 32 * 5 * 5 * 16 == 12_443_648
    assert b.output_shape == (32, 28, 28)


def test_inception_block_assignment1_q14():
    # 128 3x3 and 32 5x5 'same' filters on 32x32x192:
    # 32*32*128*3*3*192 = 226,492,416 and 32*32*32*5*5*192 = 157,286,400
    b = block_mults((192, 32, 32), [Conv2d(128, 3, padding="same"),
                                    Conv2d(32, 5, padding="same")])
    assert b.per_branch == [226_492_416, 157_286_400]
    assert b.total == 383_778_816
    assert b.output_shape == (128 + 32, 32, 32)


def test_inception_block_with_pool_branch():
    # a 3x3/1 max pool (no multiplications) then a 1x1 conv of 8 filters: 4*4*8*6
    b = block_mults((6, 4, 4), [[MaxPool2d(3, stride=1, padding=1), Conv2d(8, 1)],
                                Conv2d(2, 3, padding=1)])
    assert b.per_branch == [4 * 4 * 8 * 6, 4 * 4 * 2 * 6 * 3 * 3]
    assert b.output_shape == (10, 4, 4)


def vgg16():
    layers = []
    for width, convs in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]:
        layers += [Conv2d(width, 3, padding=1), Activation("relu")] * convs + [MaxPool2d(2)]
    return layers + [Flatten(), Dense(4096), Activation("relu"), Dense(4096),
                     Activation("relu"), Dense(1000), Activation("softmax")]


def test_vgg16_parameters():
    # Simonyan & Zisserman's VGG16 (configuration D); the count every framework reports
    s = summarize((3, 224, 224), vgg16())
    assert s.total_params == 138_357_544
    assert s.rows[-1].output_shape == (1000,)
    flat = next(r for r in s.rows if r.kind == "flatten")
    assert flat.output_shape == (512 * 7 * 7,)


def test_exam_q7_table():
    # CONV-7-32: 128-7+1 = 122, 7*7*3*32 = 4704; POOL-2: 61; CONV-5-64: 57, 5*5*32*64;
    # CONV-3-128: 55, 3*3*64*128; POOL-2: 55 // 2 = 27; FC-10: 27*27*128*10; FC-4: 10*4
    layers = [Conv2d(32, 7), MaxPool2d(2), Conv2d(64, 5), Conv2d(128, 3), MaxPool2d(2),
              Flatten(), Dense(10), Dense(4)]
    s = summarize((3, 128, 128), layers)
    got = [(r.name, r.output_shape, r.weights, r.biases) for r in s.rows]
    assert got == [
        ("INPUT", (3, 128, 128), 0, 0),
        ("CONV-7-32", (32, 122, 122), 7 * 7 * 3 * 32, 32),
        ("POOL-2", (32, 61, 61), 0, 0),
        ("CONV-5-64", (64, 57, 57), 5 * 5 * 32 * 64, 64),
        ("CONV-3-128", (128, 55, 55), 3 * 3 * 64 * 128, 128),
        ("POOL-2", (128, 27, 27), 0, 0),
        ("FLATTEN", (27 * 27 * 128,), 0, 0),
        ("FC-10", (10,), 27 * 27 * 128 * 10, 10),
        ("FC-4", (4,), 40, 4),
    ]
    assert s.rows[1].weights == 4704
    assert s.total_biases == 32 + 64 + 128 + 10 + 4
    # in ceil mode the second pool gives the source's 28
    ceil = summarize((3, 128, 128), layers[:4] + [MaxPool2d(2, ceil_mode=True)])
    assert ceil.rows[-1].output_shape == (128, 28, 28)
    assert ceil.rows[-1].name == "POOL-2 ceil"


def test_names_and_markdown():
    layers = [Conv2d(32, 7), Activation("relu"), MaxPool2d(2), Flatten(), Dense(10)]
    s = summarize((3, 128, 128), layers, names=[None, None, None, None, "OUTPUT"])
    assert [r.name for r in s.rows] == ["INPUT", "CONV-7-32", "RELU", "POOL-2", "FLATTEN",
                                        "OUTPUT"]
    md = s.to_markdown(shape_order="HWC")
    lines = md.splitlines()
    assert len(lines) == 2 + len(s.rows) + 1  # header, rule, rows, total
    assert lines[0].startswith("| Layer |")
    # 122x122x32 written height first; 7*7*3*32 = 4,704; mults 122*122*4704 = 70,014,336
    assert lines[3] == f"| CONV-7-32 | 122 × 122 × 32 | 4,704 | 32 | {122 * 122 * 4704:,} |"
    assert "| 32 × 122 × 122 |" in s.to_markdown()
    # total weights 4704 + 61*61*32*10 = 4704 + 1,190,720 = 1,195,424
    assert lines[-1].startswith("| **Total** | | **1,195,424** | **42** |")
    with pytest.raises(ValueError, match="shape_order"):
        s.to_markdown(shape_order="NHWC")


def test_default_names_show_non_default_settings():
    s = summarize((3, 32, 32), [Conv2d(8, 3, stride=2, padding=1), AvgPool2d(3, stride=2),
                                Conv2d(4, (1, 3), padding="same", dilation=2)])
    assert [r.name for r in s.rows[1:]] == ["CONV-3-8 s2 p1", "AVGPOOL-3 s2",
                                            "CONV-1x3-4 same d2"]
    assert [r.kind for r in s.rows] == ["input", "conv", "avgpool", "conv"]


def test_dense_network_from_vector_input():
    # 4 -> 5 -> 3: weights 20 + 15, biases 5 + 3
    s = summarize((4,), [Dense(5), Activation("tanh"), Dense(3, bias=False)])
    assert (s.total_weights, s.total_biases, s.total_mults) == (35, 5, 35)


# ---------------------------------------------------------------- naive counting

def naive_forward(x, layers, rng):
    """Run the network with explicit loops, counting every weight*input product."""
    mults = []
    for layer in layers:
        count = 0
        if isinstance(layer, Conv2d):
            k, s, p = layer.kernel, layer.stride, layer.padding
            w = rng.normal(size=(layer.out_channels, x.shape[0], k, k))
            xp = np.pad(x, ((0, 0), (p, p), (p, p)))
            rows = []
            for i in range(0, xp.shape[1] - k + 1, s):
                cols = []
                for j in range(0, xp.shape[2] - k + 1, s):
                    vals = []
                    for f in range(w.shape[0]):
                        acc = 0.0
                        for c, a, b in np.ndindex(w.shape[1:]):
                            acc += w[f, c, a, b] * xp[c, i + a, j + b]
                            count += 1
                        vals.append(acc)
                    cols.append(vals)
                rows.append(cols)
            x = np.array(rows).transpose(2, 0, 1)
        elif isinstance(layer, MaxPool2d):
            k = layer.kernel
            h, w_ = x.shape[1] // k, x.shape[2] // k
            x = x[:, :h * k, :w_ * k].reshape(x.shape[0], h, k, w_, k).max(axis=(2, 4))
        elif isinstance(layer, Flatten):
            x = x.reshape(-1)
        elif isinstance(layer, Dense):
            w = rng.normal(size=(layer.units, x.size))
            out = np.zeros(layer.units)
            for a, b in np.ndindex(w.shape):
                out[a] += w[a, b] * x[b]
                count += 1
            x = out
        mults.append(count)
    return x.shape, mults


@settings(max_examples=15, deadline=None)
@given(c=st.integers(1, 2), n=st.integers(5, 9), f=st.integers(1, 3), k=st.integers(1, 3),
       s=st.integers(1, 2), p=st.integers(0, 1), units=st.integers(1, 3))
def test_summary_counts_match_naive_loops(c, n, f, k, s, p, units):
    layers = [Conv2d(f, k, stride=s, padding=p), MaxPool2d(2), Flatten(), Dense(units)]
    shape, mults = naive_forward(np.ones((c, n, n)), layers, np.random.default_rng(0))
    summary = summarize((c, n, n), layers)
    assert summary.rows[-1].output_shape == shape
    assert [r.mults for r in summary.rows[1:]] == mults
    assert summary.total_mults == sum(mults)


# ---------------------------------------------------------------- bad input

def test_layer_specs_validate_their_fields():
    cases = [
        (lambda: Conv2d(0, 3), ValueError, "out_channels"),
        (lambda: Conv2d(8, 3.0), TypeError, "kernel"),
        (lambda: Conv2d(8, (3, -1)), ValueError, "kernel"),
        (lambda: Conv2d(8, 3, stride=True), TypeError, "stride"),
        (lambda: Conv2d(8, 3, padding=-1), ValueError, "padding"),
        (lambda: Conv2d(8, 3, padding="full"), ValueError, "padding"),
        (lambda: Conv2d(8, 2, padding="same"), ValueError, "kernel"),
        (lambda: Conv2d(8, 3, stride=2, padding="same"), ValueError, "stride"),
        (lambda: Conv2d(8, 3, dilation=0), ValueError, "dilation"),
        (lambda: Conv2d(8, 3, bias=1), TypeError, "bias"),
        (lambda: MaxPool2d(0), ValueError, "kernel"),
        (lambda: MaxPool2d(2, stride="2"), TypeError, "stride"),
        (lambda: AvgPool2d(2, padding=2), ValueError, "padding"),
        (lambda: MaxPool2d(2, ceil_mode="yes"), TypeError, "ceil_mode"),
        (lambda: Dense(2.5), TypeError, "units"),
        (lambda: Dense(-3), ValueError, "units"),
        (lambda: Dense(3, bias=None), TypeError, "bias"),
        (lambda: Activation("elu"), ValueError, "name"),
        (lambda: Activation(1), TypeError, "name"),
    ]
    for make, exc, name in cases:
        with pytest.raises(exc, match=name):
            make()


def test_layer_specs_are_frozen_and_normalised():
    conv = Conv2d(np.int64(8), [3, 5])
    assert conv.kernel == (3, 5) and type(conv.out_channels) is int
    with pytest.raises(dataclasses.FrozenInstanceError):
        conv.kernel = 7
    assert Conv2d(4, 3, padding="same").padding_pair == (1, 1)


POSITIVE_BAD = [(0, ValueError), (-2, ValueError), (1.5, TypeError), (True, TypeError),
                ("4", TypeError)]


@pytest.mark.parametrize("value,exc", POSITIVE_BAD)
@pytest.mark.parametrize("func,kwargs,arg", [
    (conv_params, dict(in_channels=3, out_channels=4, kernel=3), "in_channels"),
    (conv_params, dict(in_channels=3, out_channels=4, kernel=3), "out_channels"),
    (conv_params, dict(in_channels=3, out_channels=4, kernel=3), "kernel"),
    (dense_params, dict(n_in=3, n_out=4), "n_in"),
    (dense_params, dict(n_in=3, n_out=4), "n_out"),
    (dense_mults, dict(n_in=3, n_out=4), "n_in"),
    (dense_mults, dict(n_in=3, n_out=4), "n_out"),
    (conv_mults, dict(input_shape=(3, 8, 8), out_channels=4, kernel=3), "out_channels"),
    (conv_mults, dict(input_shape=(3, 8, 8), out_channels=4, kernel=3), "kernel"),
    (conv_mults, dict(input_shape=(3, 8, 8), out_channels=4, kernel=3, stride=1), "stride"),
])
def test_bad_counts(func, kwargs, arg, value, exc):
    # the message starts with the argument's own name and ends with the value passed
    with pytest.raises(exc, match=rf"^{arg} must .*, got {re.escape(repr(value))}$"):
        func(**dict(kwargs, **{arg: value}))


@pytest.mark.parametrize("shape,exc", [((0, 8, 8), ValueError), ((3, -8, 8), ValueError),
                                       ((3, 8.0, 8), TypeError), ((3, 8), ValueError),
                                       ((False,), TypeError), (8, ValueError)])
def test_bad_input_shapes(shape, exc):
    with pytest.raises(exc, match="input_shape"):
        summarize(shape, [Activation("relu")])
    if len(np.shape(shape)) == 1 and np.size(shape) != 1:
        with pytest.raises(exc, match="input_shape"):
            conv_mults(shape, 2, 1)
        with pytest.raises(exc, match="input_shape"):
            block_mults(shape, [Conv2d(2, 1)])


def test_too_large_and_misplaced_layers():
    with pytest.raises(ValueError, match=r"layers\[1\].*kernel"):
        summarize((3, 8, 8), [Conv2d(4, 3), Conv2d(4, 7)])  # 6x6 left, 7x7 kernel
    with pytest.raises(ValueError, match=r"layers\[0\].*kernel"):
        summarize((3, 8, 8), [MaxPool2d(9)])
    with pytest.raises(ValueError, match="kernel"):
        conv_mults((3, 8, 8), 2, 9)
    with pytest.raises(ValueError, match="Flatten"):
        summarize((3, 8, 8), [Conv2d(4, 3), Dense(10)])
    with pytest.raises(ValueError, match=r"layers\[1\]"):
        summarize((3, 8, 8), [Flatten(), Conv2d(4, 3)])
    with pytest.raises(ValueError, match=r"layers\[0\]"):
        summarize((12,), [MaxPool2d(2)])
    with pytest.raises(TypeError, match=r"layers\[0\]"):
        summarize((3, 8, 8), ["conv"])
    with pytest.raises(TypeError, match="layers"):
        summarize((3, 8, 8), Conv2d(4, 3))
    with pytest.raises(ValueError, match="names"):
        summarize((3, 8, 8), [Conv2d(4, 3)], names=["A", "B"])
    with pytest.raises(TypeError, match=r"names\[0\]"):
        summarize((3, 8, 8), [Conv2d(4, 3)], names=[3])


def test_block_mults_errors():
    with pytest.raises(ValueError, match="branches"):
        block_mults((3, 8, 8), [Conv2d(2, 1), Conv2d(2, 3)])  # 8x8 vs 6x6
    with pytest.raises(ValueError, match="branches"):
        block_mults((3, 8, 8), [])
    with pytest.raises(ValueError, match=r"branches\[0\]"):
        block_mults((3, 8, 8), [[]])
    with pytest.raises(TypeError, match=r"branches\[0\]\[1\]"):
        block_mults((3, 8, 8), [[Conv2d(2, 1), Flatten()]])
    with pytest.raises(ValueError, match=r"branches\[1\]\[0\].*kernel"):
        block_mults((3, 8, 8), [Conv2d(2, 1), Conv2d(2, 11)])


# --- values that pin the formulas (each written out by hand) ------------------------------

def test_conv_mults_counts_the_dilated_kernel():
    # 3x3 kernel, dilation 2: it spans 5 pixels, so a 7x7 input gives 3x3 outputs, each
    # 1 channel * 9 weights: 3 * 3 * 9 = 81 (an undilated kernel would give 5 * 5 * 9).
    assert conv_mults((1, 7, 7), 1, 3, dilation=2) == 81


def test_conv_mults_same_padding_with_dilation():
    # kernel (1, 3), dilation 2: "same" pads 0 rows and 2 * (3 - 1) / 2 = 2 columns, so the
    # 5x7 output has 5 * 7 positions, each 3 filters * 2 channels * 3 weights: 630.
    assert conv_mults((2, 5, 7), 3, (1, 3), padding="same", dilation=2) == 630
    assert Conv2d(1, 3, padding="same", dilation=2).padding_pair == (2, 2)


def test_summarize_non_square_output_and_no_bias():
    # 1x4x6 input, two 3x3 filters: output 2 x (4-3+1) x (6-3+1) = 2x2x4; weights
    # 2 * 1 * 9 = 18; mults 2 * 4 * 2 * 9 = 144; biases 2, or 0 with bias=False.
    # Flatten: 16 values; a 3-unit dense layer without bias: 16 * 3 = 48 weights and mults.
    summary = summarize((1, 4, 6), [Conv2d(2, 3), Flatten(), Dense(3, bias=False)])
    conv, _, dense = summary.rows[1:]
    assert (conv.output_shape, conv.weights, conv.biases, conv.mults) == ((2, 2, 4), 18, 2, 144)
    assert (dense.weights, dense.biases, dense.mults) == (48, 0, 48)
    no_bias = summarize((1, 4, 6), [Conv2d(2, 3, bias=False)]).rows[1]
    assert (no_bias.weights, no_bias.biases, no_bias.mults) == (18, 0, 144)


def test_summarize_padded_pooling():
    # 3x3 max pool, stride 2, padding 1 on 5x5: (5 + 2 - 3) // 2 + 1 = 3; then a 2x2 average
    # pool (stride 2) with padding 1 on 3x3: (3 + 2 - 2) // 2 + 1 = 2. No weights.
    rows = summarize((2, 5, 5), [MaxPool2d(3, stride=2, padding=1),
                                 AvgPool2d(2, padding=1)]).rows
    assert [r.output_shape for r in rows[1:]] == [(2, 3, 3), (2, 2, 2)]
    assert [r.weights + r.biases + r.mults for r in rows[1:]] == [0, 0]


# ---------------------------------------------------------------- exact messages, kinds, layout

def test_bias_flag_is_checked_by_name():
    for func, args in ((conv_params, (3, 4, 3)), (dense_params, (3, 4))):
        with pytest.raises(TypeError) as info:
            func(*args, bias=1)
        assert str(info.value) == "bias must be a bool, got 1"


def test_layers_that_need_another_input_say_which():
    flat = Conv2d(4, 3)
    with pytest.raises(ValueError) as info:
        summarize((12,), [flat])
    assert str(info.value) == f"layers[0] ({flat!r}) needs a (C, H, W) input, got shape (12,)"
    pool = MaxPool2d(2)
    with pytest.raises(ValueError) as info:
        summarize((3, 8, 8), [Flatten(), pool])
    # 3 * 8 * 8 = 192 after the Flatten
    assert str(info.value) == f"layers[1] ({pool!r}) needs a (C, H, W) input, got shape (192,)"
    dense = Dense(10)
    with pytest.raises(ValueError) as info:
        summarize((3, 8, 8), [dense])
    assert str(info.value) == (f"layers[0] ({dense!r}) needs a flat (D,) input: put a Flatten() "
                               "before it, got shape (3, 8, 8)")
    with pytest.raises(ValueError) as info:
        summarize((0,), [Dense(2)])
    assert str(info.value) == "input_shape[0] must be a positive int, got 0"


def test_every_row_kind_and_the_dilated_convolution():
    # (1, 9, 9) -> kernel 3 with dilation 2 spans 5: 9 - 5 + 1 = 5
    s = summarize((1, 9, 9), [Conv2d(2, 3, dilation=2), MaxPool2d(1), AvgPool2d(1),
                              Activation("relu"), Flatten(), Dense(3)])
    assert [r.kind for r in s.rows] == ["input", "conv", "maxpool", "avgpool", "activation",
                                        "flatten", "dense"]
    assert s.rows[1].output_shape == (2, 5, 5)
    assert s.rows[-1].output_shape == (3,)


def test_default_names_of_padded_layers():
    s = summarize((3, 32, 32), [Conv2d(4, 3, padding=(0, 1)), MaxPool2d(3, stride=2, padding=1),
                                MaxPool2d(2, stride=(2, 2))])
    # a stride equal to the kernel is the default and is not written
    assert [r.name for r in s.rows[1:]] == ["CONV-3-4 p0x1", "POOL-3 s2 p1", "POOL-2"]


def test_non_square_shapes_in_hwc_markdown_and_blocks():
    s = summarize((2, 4, 6), [Conv2d(3, 1)])
    md = s.to_markdown(shape_order="HWC")
    assert md.splitlines() == [
        "| Layer | Output shape | Weights | Biases | Multiplications |",
        "|:--|:--|--:|--:|--:|",
        "| INPUT | 4 × 6 × 2 | 0 | 0 | 0 |",
        # 3 filters of 1x1x2: 6 weights, 3 biases; 4*6 positions * 6 = 144 mults
        "| CONV-1-3 | 4 × 6 × 3 | 6 | 3 | 144 |",
        "| **Total** | | **6** | **3** | **144** |",
    ]
    # branch outputs (2, 4, 6) and (3, 4, 6) are concatenated to (5, 4, 6)
    assert block_mults((2, 4, 6), [Conv2d(2, 1), Conv2d(3, 1)]).output_shape == (5, 4, 6)


def test_network_summary_checks_its_rows():
    row = LayerRow("INPUT", "input", (4,), 0, 0, 0)
    assert NetworkSummary([row]).rows == (row,)            # stored as a tuple
    assert isinstance(NetworkSummary([row]).rows, tuple)
    for rows in ([], [row, "row"], {row}, None):
        with pytest.raises(TypeError) as info:
            NetworkSummary(rows)
        assert str(info.value) == ("rows must be a non-empty sequence of LayerRow (as "
                                   f"summarize makes them), got {rows!r}")
    with pytest.raises(TypeError) as info:
        NetworkSummary([1] * 200)
    assert len(str(info.value)) == 300                      # a long value is cut short
