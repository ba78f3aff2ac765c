"""Tests of dlcalc.shapes: output sizes, padding, receptive fields, LaTeX."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from dlcalc.counting import AvgPool2d, Conv2d, Dense, Flatten, MaxPool2d, Activation
from dlcalc.shapes import (
    conv_output_shape,
    conv_output_size,
    conv_output_size_latex,
    padding_for_output,
    pool_output_shape,
    pool_output_size,
    receptive_field,
    receptive_field_latex,
    same_padding,
)


# ---------------------------------------------------------------- numpy oracles

def correlate_1d(x, w, *, stride=1, padding=0, dilation=1):
    """Valid cross-correlation of each row of x (batch, n) with w, done with windows."""
    xp = np.pad(x, ((0, 0), (padding, padding)))
    span = dilation * (len(w) - 1) + 1
    windows = sliding_window_view(xp, span, axis=1)[:, ::stride, ::dilation]
    return windows @ w


def avgpool_1d(x, kernel, stride):
    return sliding_window_view(x, kernel, axis=1)[:, ::stride].mean(axis=-1)


def window_starts(n, k, s, p, d, ceil_mode):
    """Start positions (in the padded input) of the windows, enumerated one by one.

    Floor mode keeps the windows that fit in the padded input. Ceil mode also keeps
    one window running past its end, and (PyTorch's rule) only windows that start
    inside the input or the left padding, i.e. before n + p.
    """
    length, span = n + 2 * p, d * (k - 1) + 1
    return [t for t in range(0, length + s, s)
            if (t + span <= length or (ceil_mode and t - s + span < length))
            and (not ceil_mode or t < n + p)]


# ---------------------------------------------------------------- pinned values

def test_alexnet_conv1():
    # (227 - 11) / 4 + 1 = 54 + 1 = 55
    assert conv_output_size(227, 11, stride=4) == 55


def test_cse616_a2_q7_block():
    # (128 + 2*3 - 7) // 2 + 1 = 127 // 2 + 1 = 63 + 1 = 64; 128 filters -> 128 channels
    assert conv_output_shape((96, 128, 128), out_channels=128, kernel=7, stride=2,
                             padding=3) == (128, 64, 64)


def test_homework2_conv_output():
    # 32 - 5 + 1 = 28, 8 filters
    assert conv_output_shape((3, 32, 32), out_channels=8, kernel=5) == (8, 28, 28)


def test_dilation_and_non_square():
    # H: 10 + 2 - (2*(3-1)+1) = 7 -> 7//1 + 1 = 8; W: (10 - 5) // 2 + 1 = 3
    assert conv_output_shape((1, 10, 10), out_channels=4, kernel=(3, 5), stride=(1, 2),
                             padding=(1, 0), dilation=(2, 1)) == (4, 8, 3)


def test_pool_sizes():
    # 55 // 2 = 27 (floor), 28 in ceil mode; (112 + 2 - 3) // 2 + 1 = 56 (ResNet's max pool)
    assert pool_output_size(55, 2) == 27
    assert pool_output_size(55, 2, ceil_mode=True) == 28
    assert pool_output_size(112, 3, stride=2, padding=1) == 56
    assert pool_output_shape((32, 122, 122), kernel=2) == (32, 61, 61)


def test_ceil_mode_drops_window_starting_in_right_padding():
    # n=6, k=3, s=4, p=1: padded length 8, starts 0, 4 and (ceil) 8; 8 >= n + p = 7 lies
    # wholly in the right padding, so PyTorch drops it: 2 outputs, like floor mode.
    assert conv_output_size(6, 3, stride=4, padding=1, ceil_mode=True) == 2
    assert pool_output_size(6, 3, stride=4, padding=1, ceil_mode=True) == 2
    # n=7, k=3, s=4, p=1: padded length 9, starts 0, 4 (fit) and 8 < n + p = 8? no -> 2;
    # n=8: padded length 10, starts 0, 4 fit, 8 overhangs and 8 < 9 -> 3 (floor gives 2)
    assert conv_output_size(7, 3, stride=4, padding=1, ceil_mode=True) == 2
    assert conv_output_size(8, 3, stride=4, padding=1, ceil_mode=True) == 3
    assert conv_output_size(8, 3, stride=4, padding=1) == 2


def test_padding_for_output_pinned():
    # 128 -> 64 with 7x7 stride 2: need 128 + 2p - 7 >= 63*2 = 126 -> p >= 2.5 -> 3
    assert padding_for_output(128, 7, 64, stride=2) == 3
    # 'same' for 5x5 stride 1: 2p = 4
    assert padding_for_output(32, 5, 32) == 2
    # no padding needed: 227 -> 55 as AlexNet
    assert padding_for_output(227, 11, 55, stride=4) == 0


def test_padding_for_output_impossible():
    with pytest.raises(ValueError, match="out_size"):
        padding_for_output(32, 4, 32)  # 32 + 2p - 4 + 1 is odd for every p
    with pytest.raises(ValueError, match="out_size"):
        padding_for_output(32, 3, 10)  # padding 0 already gives 30 outputs


def test_same_padding():
    assert (same_padding(1), same_padding(3), same_padding(7)) == (0, 1, 3)
    assert same_padding(3, dilation=2) == 2  # dilated kernel spans 5
    assert same_padding(2, dilation=2) == 1  # spans 3, odd
    with pytest.raises(ValueError, match="kernel"):
        same_padding(4)


def test_receptive_field_pinned():
    # CSE616 A2-Q6: r = 1 + (3-1)*1 = 3, then 3 + (3-1)*1 = 5; jump 1*1*2 = 2
    rf = receptive_field([Conv2d(32, 3), MaxPool2d(3, stride=2)])
    assert (rf.size, rf.jump, rf.sizes, rf.jumps) == (5, 2, [3, 5], [1, 2])
    # CS60010 Q5: 1 + 2 + 2 = 5 after two 3x3 convs, + 2*1 = 7 after the pool
    rf = receptive_field([Conv2d(32, 3), Conv2d(32, 3), MaxPool2d(3, stride=2)])
    assert (rf.size, rf.jump) == (7, 2)
    # WaveNet-style kernel 2, dilations 1, 2, 4, 8: 1 + 1 + 2 + 4 + 8 = 16
    rf = receptive_field([Conv2d(1, 2, dilation=d) for d in (1, 2, 4, 8)])
    assert rf.size == 16
    # activations change nothing
    assert receptive_field([Conv2d(1, 3), Activation("relu"), Conv2d(1, 3)]).sizes == [3, 3, 5]


def test_receptive_field_rejects_dense_flatten_and_non_square():
    with pytest.raises(ValueError, match=r"layers\[1\]"):
        receptive_field([Conv2d(8, 3), Dense(10)])
    with pytest.raises(ValueError, match=r"layers\[1\]"):
        receptive_field([Conv2d(8, 3), Flatten()])
    with pytest.raises(ValueError, match="axis"):
        receptive_field([Conv2d(8, (3, 5))])
    assert receptive_field([Conv2d(8, (3, 5))], axis=1).size == 5


def test_conv_output_size_latex():
    assert (conv_output_size_latex(128, 7, stride=2, padding=3)
            == r"\left\lfloor \frac{128 + 2 \cdot 3 - 7}{2} \right\rfloor + 1 = 64")
    assert conv_output_size_latex(227, 11, stride=4) == (
        r"\left\lfloor \frac{227 - 11}{4} \right\rfloor + 1 = 55")
    assert conv_output_size_latex(32, 5) == "32 - 5 + 1 = 28"
    # 10 + 2 - 2*(3-1) - 1 + 1 = 8
    assert conv_output_size_latex(10, 3, padding=1, dilation=2) == (
        r"10 + 2 \cdot 1 - 2 \cdot (3 - 1) - 1 + 1 = 8")


def test_receptive_field_latex():
    tex = receptive_field_latex([Conv2d(32, 3), Conv2d(32, 3), MaxPool2d(3, stride=2)])
    assert tex.startswith(r"\begin{aligned}") and tex.endswith(r"\end{aligned}")
    lines = tex.splitlines()[1:-1]
    assert lines == [
        r"r_{0} &= 1, & j_{0} &= 1 \\",
        r"r_{1} &= 1 + (3 - 1) \cdot 1 = 3, & j_{1} &= 1 \cdot 1 = 1 \\",
        r"r_{2} &= 3 + (3 - 1) \cdot 1 = 5, & j_{2} &= 1 \cdot 1 = 1 \\",
        r"r_{3} &= 5 + (3 - 1) \cdot 1 = 7, & j_{3} &= 1 \cdot 2 = 2",
    ]
    assert r"(2 - 1) \cdot 4 \cdot 1" in receptive_field_latex([Conv2d(1, 2, dilation=4)])


# ---------------------------------------------------------------- properties

@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 40), k=st.integers(1, 9), s=st.integers(1, 5), p=st.integers(0, 4),
       d=st.integers(1, 4))
def test_conv_output_size_equals_sliding_window_length(n, k, s, p, d):
    x = np.arange(n, dtype=float)[None, :]
    if n + 2 * p < d * (k - 1) + 1:
        with pytest.raises(ValueError, match="kernel"):
            conv_output_size(n, k, stride=s, padding=p, dilation=d)
        return
    out = correlate_1d(x, np.ones(k), stride=s, padding=p, dilation=d)
    assert conv_output_size(n, k, stride=s, padding=p, dilation=d) == out.shape[1]
    assert out.shape[1] == len(window_starts(n, k, s, p, d, ceil_mode=False))
    if p > (d * (k - 1) + 1) // 2:  # ceil mode is defined, as in PyTorch, for padding <= span // 2
        with pytest.raises(ValueError, match="padding"):
            conv_output_size(n, k, stride=s, padding=p, dilation=d, ceil_mode=True)
        return
    assert conv_output_size(n, k, stride=s, padding=p, dilation=d, ceil_mode=True) == len(
        window_starts(n, k, s, p, d, ceil_mode=True))


@settings(max_examples=50, deadline=None)
@given(c=st.integers(1, 3), h=st.integers(3, 12), w=st.integers(3, 12), kh=st.integers(1, 3),
       kw=st.integers(1, 3), sh=st.integers(1, 3), sw=st.integers(1, 3), ph=st.integers(0, 2),
       pw=st.integers(0, 2))
def test_conv_output_shape_equals_numpy_2d_correlation(c, h, w, kh, kw, sh, sw, ph, pw):
    x = np.random.default_rng(0).normal(size=(c, h, w))
    xp = np.pad(x, ((0, 0), (ph, ph), (pw, pw)))
    windows = sliding_window_view(xp, (c, kh, kw))[0, ::sh, ::sw]  # (H', W', c, kh, kw)
    filters = np.ones((5, c, kh, kw))
    out = np.einsum("hwcij,fcij->fhw", windows, filters)
    assert conv_output_shape((c, h, w), out_channels=5, kernel=(kh, kw), stride=(sh, sw),
                             padding=(ph, pw)) == out.shape


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 30), k=st.integers(1, 7), m=st.integers(1, 30), s=st.integers(1, 4),
       d=st.integers(1, 3))
def test_padding_for_output_is_smallest_by_search(n, k, m, s, d):
    # brute force over p with the numpy window count as the oracle
    x = np.zeros((1, n))
    span = d * (k - 1) + 1
    found = None
    for p in range(0, m * s + span + 1):
        if n + 2 * p >= span and correlate_1d(x, np.ones(k), stride=s, padding=p,
                                              dilation=d).shape[1] == m:
            found = p
            break
    if found is None:
        with pytest.raises(ValueError, match="out_size"):
            padding_for_output(n, k, m, stride=s, dilation=d)
    else:
        assert padding_for_output(n, k, m, stride=s, dilation=d) == found


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 20), k=st.integers(1, 6), d=st.integers(1, 3))
def test_same_padding_keeps_size(n, k, d):
    if d * (k - 1) % 2:
        with pytest.raises(ValueError, match="kernel"):
            same_padding(k, dilation=d)
        return
    p = same_padding(k, dilation=d)
    out = correlate_1d(np.zeros((1, n)), np.ones(k), padding=p, dilation=d)
    assert out.shape[1] == n


layer_1d = st.one_of(
    st.builds(lambda k, s, d: Conv2d(1, k, stride=s, dilation=d),
              st.integers(1, 4), st.integers(1, 3), st.integers(1, 2)),
    st.builds(lambda k, s: MaxPool2d(k, stride=s), st.integers(1, 4), st.integers(1, 3)),
    st.builds(lambda k, s: AvgPool2d(k, stride=s), st.integers(1, 4), st.integers(1, 3)),
)


def forward_1d(x, layers, rng):
    """Apply the stack as linear maps: positive-weight correlations and average pools.

    Max pooling is replaced by average pooling: both read the same window, and the
    average's gradient reaches all of it.
    """
    for layer in layers:
        if isinstance(layer, Conv2d):
            w = rng.uniform(0.5, 1.5, size=layer.kernel)
            x = correlate_1d(x, w, stride=layer.stride, dilation=layer.dilation)
        else:
            x = avgpool_1d(x, layer.kernel, layer.stride)
    return x


@settings(max_examples=100, deadline=None)
@given(layers=st.lists(layer_1d, min_size=1, max_size=4), unit=st.integers(0, 3))
def test_receptive_field_equals_gradient_support(layers, unit):
    # The stack is linear, so unit u's gradient w.r.t. the input is row u of the stack's
    # matrix: push every one-hot input through and see which ones reach unit u.
    # Max extent of this stack: 1 + 3*2*(1 + 3 + 9 + 27) = 241 < 300.
    n = 300
    out = forward_1d(np.eye(n), layers, np.random.default_rng(1))
    unit = min(unit, out.shape[1] - 1)
    support = np.flatnonzero(out[:, unit] > 0)
    # dilation can leave holes: the receptive field is the extent of the support
    assert receptive_field(layers).size == support[-1] - support[0] + 1
    # and neighbouring units are one jump apart
    if out.shape[1] > unit + 1:
        nxt = np.flatnonzero(out[:, unit + 1] > 0)
        assert nxt[0] - support[0] == receptive_field(layers).jump


def test_receptive_field_2d_per_axis():
    layers = [Conv2d(1, (3, 5), stride=(1, 2)), MaxPool2d((2, 3)), Conv2d(1, 3, dilation=(2, 1))]
    h, w = 20, 30
    x = np.eye(h * w).reshape(h * w, h, w)  # every one-hot image
    rng = np.random.default_rng(2)
    for layer in layers:
        kh, kw = layer.kernel if isinstance(layer.kernel, tuple) else (layer.kernel,) * 2
        if isinstance(layer, Conv2d):
            sh, sw = layer.stride if isinstance(layer.stride, tuple) else (layer.stride,) * 2
            dh, dw = layer.dilation if isinstance(layer.dilation, tuple) else (layer.dilation,) * 2
            win = sliding_window_view(x, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(1, 2))
            x = np.einsum("nhwij,ij->nhw", win[:, ::sh, ::sw, ::dh, ::dw],
                          rng.uniform(0.5, 1.5, (kh, kw)))
        else:  # pool, stride = kernel
            x = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::kh, ::kw].mean(axis=(-2, -1))
    rows, cols = np.nonzero(x[:, 0, 0].reshape(h, w) > 0)
    assert receptive_field(layers, axis=0).size == rows.max() - rows.min() + 1
    assert receptive_field(layers, axis=1).size == cols.max() - cols.min() + 1


def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for _ in range(200):
        n, k, s = (int(v) for v in rng.integers(1, [30, 7, 5], endpoint=True))
        p = int(rng.integers(0, k // 2, endpoint=True))
        ceil = bool(rng.integers(2))
        if n + 2 * p < k:
            continue
        x = torch.zeros(1, 1, n)
        expected = torch.nn.functional.max_pool1d(x, k, s, p, ceil_mode=ceil).shape[-1]
        assert pool_output_size(n, k, stride=s, padding=p, ceil_mode=ceil) == expected
        d = int(rng.integers(1, 3, endpoint=True))
        if n + 2 * p >= d * (k - 1) + 1:
            expected = torch.nn.functional.conv1d(x, torch.ones(1, 1, k), stride=s, padding=p,
                                                  dilation=d).shape[-1]
            assert conv_output_size(n, k, stride=s, padding=p, dilation=d) == expected


# ---------------------------------------------------------------- bad input

POSITIVE_BAD = [(0, ValueError), (-1, ValueError), (2.0, TypeError), (True, TypeError),
                ("3", TypeError)]
NONNEG_BAD = [(-1, ValueError), (1.0, TypeError), (True, TypeError), ("1", TypeError)]

CALLS = {
    "conv_output_size": (conv_output_size, dict(size=10, kernel=3, stride=1, padding=0,
                                                dilation=1)),
    "pool_output_size": (pool_output_size, dict(size=10, kernel=3, stride=1, padding=0)),
    "padding_for_output": (padding_for_output, dict(size=10, kernel=3, out_size=8, stride=1,
                                                    dilation=1)),
    "same_padding": (same_padding, dict(kernel=3, dilation=1)),
    "conv_output_size_latex": (conv_output_size_latex, dict(size=10, kernel=3, stride=1,
                                                            padding=0, dilation=1)),
    "conv_output_shape": (conv_output_shape, dict(input_shape=(3, 10, 10), out_channels=4,
                                                  kernel=3, stride=1, padding=0, dilation=1)),
    "pool_output_shape": (pool_output_shape, dict(input_shape=(3, 10, 10), kernel=2, stride=2,
                                                  padding=0)),
}


def _cases():
    for fname, (_, kwargs) in CALLS.items():
        for arg in kwargs:
            if arg == "input_shape":
                continue
            bad = NONNEG_BAD if arg == "padding" else POSITIVE_BAD
            for value, exc in bad:
                if fname == "conv_output_shape" and value == "1":
                    exc = ValueError  # a string padding is valid only as "same"
                yield pytest.param(fname, arg, value, exc, id=f"{fname}-{arg}-{value!r}")


@pytest.mark.parametrize("fname,arg,value,exc", list(_cases()))
def test_bad_scalar_arguments(fname, arg, value, exc):
    func, kwargs = CALLS[fname]
    # the message starts with the argument's own name and ends with the value passed
    with pytest.raises(exc, match=rf"^{arg} must .*, got {re.escape(repr(value))}$"):
        func(**dict(kwargs, **{arg: value}))


@pytest.mark.parametrize("func", [conv_output_shape, pool_output_shape])
@pytest.mark.parametrize("shape,exc", [((3, 0, 10), ValueError), ((3, 10), ValueError),
                                       ((3, 10.0, 10), TypeError), ((-3, 10, 10), ValueError),
                                       ((True, 10, 10), TypeError), ("3x10x10", ValueError)])
def test_bad_input_shape(func, shape, exc):
    extra = dict(out_channels=2) if func is conv_output_shape else {}
    with pytest.raises(exc, match="input_shape"):
        func(shape, kernel=3, **extra)


def test_bad_pairs_and_flags():
    with pytest.raises(ValueError, match=r"kernel\[1\]"):
        conv_output_shape((3, 10, 10), out_channels=2, kernel=(3, 0))
    with pytest.raises(ValueError, match="kernel"):
        conv_output_shape((3, 10, 10), out_channels=2, kernel=(3, 3, 3))
    with pytest.raises(ValueError, match="padding"):
        conv_output_shape((3, 10, 10), out_channels=2, kernel=3, padding="valid")
    with pytest.raises(ValueError, match="stride"):
        conv_output_shape((3, 10, 10), out_channels=2, kernel=3, stride=2, padding="same")
    with pytest.raises(TypeError, match="ceil_mode"):
        conv_output_size(10, 3, ceil_mode=1)
    with pytest.raises(TypeError, match="layers"):
        receptive_field(Conv2d(1, 3))
    with pytest.raises(ValueError, match="layers"):
        receptive_field([])
    with pytest.raises(ValueError, match="axis"):
        receptive_field([Conv2d(1, 3)], axis=2)


def test_too_large_arguments():
    # kernel longer than the padded input
    with pytest.raises(ValueError, match="kernel"):
        conv_output_size(5, 6)
    with pytest.raises(ValueError, match="kernel"):
        conv_output_size(5, 3, dilation=3)  # spans 7 > 5
    with pytest.raises(ValueError, match="kernel"):
        conv_output_shape((3, 10, 10), out_channels=2, kernel=(3, 11))
    with pytest.raises(ValueError, match="kernel"):
        pool_output_size(4, 5)
    # pooling padding above kernel // 2 (PyTorch's limit)
    with pytest.raises(ValueError, match="padding"):
        pool_output_size(10, 3, padding=2)
    with pytest.raises(ValueError, match="padding"):
        pool_output_shape((3, 10, 10), kernel=2, padding=(0, 2))
    # an output no padding can reach (too large for stride 1 and the wrong parity)
    with pytest.raises(ValueError, match="out_size"):
        padding_for_output(10, 3, 11)


# --- values that pin the formulas (each written out by hand) ------------------------------

def test_conv_output_shape_dilation_on_each_axis():
    # kernel 3; dilation 2 on the height spans 5 pixels: 9 - 5 + 1 = 5 rows; dilation 3 on
    # the width spans 7: 12 - 7 + 1 = 6 columns.
    assert conv_output_shape((1, 9, 12), out_channels=2, kernel=3, dilation=(2, 3)) == (2, 5, 6)


def test_same_padding_accounts_for_dilation():
    # kernel 3, dilation 2 spans 5 pixels: "same" pads 2 on each side, 9 + 4 - 5 + 1 = 9.
    assert conv_output_shape((1, 9, 9), out_channels=1, kernel=3, padding="same",
                             dilation=2) == (1, 9, 9)


def test_padded_pooling_by_hand():
    # (5 + 2 * 1 - 3) // 2 + 1 = 3, where no padding gives (5 - 3) // 2 + 1 = 2
    assert pool_output_size(5, 3, stride=2, padding=1) == 3
    assert pool_output_shape((4, 5, 5), kernel=3, stride=2, padding=1) == (4, 3, 3)


# --- each check's exact message, and the defaults -----------------------------------------

SHAPE_ERRORS = [
    (lambda: conv_output_size(0, 3), ValueError, "size must be a positive int, got 0"),
    (lambda: conv_output_size(5, 0), ValueError, "kernel must be a positive int, got 0"),
    (lambda: conv_output_size(5, 3, stride=0), ValueError, "stride must be a positive int, got 0"),
    (lambda: conv_output_size(5, 3, padding=-1), ValueError,
     "padding must be a non-negative int, got -1"),
    (lambda: conv_output_size(5, 3, dilation=0), ValueError,
     "dilation must be a positive int, got 0"),
    # 2 + 2 * 1 = 4 padded inputs, a kernel of 7
    (lambda: conv_output_size(2, 7, padding=1), ValueError,
     "kernel 7 (dilated to 7) does not fit the padded input: size 2 + 2 * padding 1 = 4 < 7"),
    (lambda: pool_output_size(9, 0), ValueError, "kernel must be a positive int, got 0"),
    (lambda: pool_output_size(9, 3, stride=0), ValueError, "stride must be a positive int, got 0"),
    (lambda: pool_output_size(9, 3, padding=-1), ValueError,
     "padding must be a non-negative int, got -1"),
    # kernel 5: at most 5 // 2 = 2
    (lambda: pool_output_size(9, 5, padding=3), ValueError,
     "padding must be at most kernel // 2 = 2, got 3"),
    (lambda: conv_output_shape((1, 8, 8), out_channels=0, kernel=3), ValueError,
     "out_channels must be a positive int, got 0"),
    (lambda: conv_output_shape((1, 8, 8), out_channels=1, kernel=3, stride=(1, 0)), ValueError,
     "stride[1] must be a positive int, got 0"),
    (lambda: conv_output_shape((1, 8, 8), out_channels=1, kernel=3, dilation=(0, 1)), ValueError,
     "dilation[0] must be a positive int, got 0"),
    (lambda: pool_output_shape((1, 8, 8), kernel=(2, 0)), ValueError,
     "kernel[1] must be a positive int, got 0"),
    (lambda: pool_output_shape((1, 8, 8), kernel=2, stride=(0, 2)), ValueError,
     "stride[0] must be a positive int, got 0"),
    (lambda: pool_output_shape((1, 8, 8), kernel=2, padding=(0, -1)), ValueError,
     "padding[1] must be a non-negative int, got -1"),
    (lambda: padding_for_output(8, 3, 0), ValueError, "out_size must be a positive int, got 0"),
    # size 6, kernel 3, stride 2, one output wanted: unpadded already (6 - 3) // 2 + 1 = 2
    (lambda: padding_for_output(6, 3, 1, stride=2), ValueError,
     "no integer padding gives out_size 1 from size 6, kernel 3, stride 2, dilation 1: "
     "even padding 0 gives 2 outputs"),
    # size 4, kernel 3, stride 1: padding 0 gives 2 outputs, padding 1 gives 4; 3 is between
    (lambda: padding_for_output(4, 3, 3), ValueError,
     "no integer padding gives out_size 3 from size 4, kernel 3, stride 1, dilation 1: "
     "padding 0 gives fewer and padding 1 gives more"),
    # size 4, kernel 3: padding 1 gives 4 outputs, padding 2 gives 6; 5 is between
    (lambda: padding_for_output(4, 3, 5), ValueError,
     "no integer padding gives out_size 5 from size 4, kernel 3, stride 1, dilation 1: "
     "padding 1 gives fewer and padding 2 gives more"),
    (lambda: receptive_field([]), ValueError,
     "layers must hold at least one layer, got an empty sequence"),
]


@pytest.mark.parametrize("call, exc, message", SHAPE_ERRORS, ids=[m for *_, m in SHAPE_ERRORS])
def test_each_check_raises_its_exact_message(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == message


def test_defaults_stride_1_and_floor_mode():
    # (5 - 3) / 1 + 1 = 3 with the default stride 1
    assert conv_output_size(5, 3) == 3
    # pooling 5 with kernel 2: floor((5 - 2) / 2) + 1 = 2 by default, 3 in ceil mode
    assert pool_output_shape((1, 5, 5), kernel=2) == (1, 2, 2)
    assert pool_output_shape((1, 5, 5), kernel=2, ceil_mode=True) == (1, 3, 3)
    # the same numbers for a convolution: ceil mode reaches both axes
    assert conv_output_shape((1, 5, 5), out_channels=4, kernel=2, stride=2) == (4, 2, 2)
    assert conv_output_shape((1, 5, 5), out_channels=4, kernel=2, stride=2,
                             ceil_mode=True) == (4, 3, 3)


def test_receptive_field_of_a_spec_changed_behind_its_back_names_its_position():
    # specs check themselves when made; one altered afterwards is still caught by position
    for field in ("kernel", "stride", "dilation"):
        layer = Conv2d(1, 3)
        object.__setattr__(layer, field, 0)
        with pytest.raises(ValueError) as info:
            receptive_field([Activation("relu"), layer])
        assert str(info.value) == f"layers[1].{field} must be a positive int, got 0"


def test_receptive_field_latex_activation_lines_and_one_axis():
    tex = receptive_field_latex([Conv2d(1, 3), Activation("relu"), MaxPool2d(2)])
    assert tex.splitlines()[1:-1] == [
        r"r_{0} &= 1, & j_{0} &= 1 \\",
        r"r_{1} &= 1 + (3 - 1) \cdot 1 = 3, & j_{1} &= 1 \cdot 1 = 1 \\",
        r"r_{2} &= r_{1} = 3, & j_{2} &= j_{1} = 1 \\",
        r"r_{3} &= 3 + (2 - 1) \cdot 1 = 4, & j_{3} &= 1 \cdot 2 = 2",
    ]
    # a 3x5 kernel: along the width (axis 1) r = 5
    tex = receptive_field_latex([Conv2d(1, (3, 5))], axis=1)
    assert tex.splitlines()[2] == r"r_{1} &= 1 + (5 - 1) \cdot 1 = 5, & j_{1} &= 1 \cdot 1 = 1"
