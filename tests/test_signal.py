import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlcalc.signal import convolve1d, convolve2d, correlate1d, correlate2d

small = st.floats(-10, 10, allow_nan=False)


def test_padded_correlation_of_the_assignment_question():
    # [4, 1, -1, 3] with one zero each side is [0, 4, 1, -1, 3, 0]; slide [-2, 1] over it:
    expected = [0 * -2 + 4 * 1,     # 4
                4 * -2 + 1 * 1,     # -7
                1 * -2 + -1 * 1,    # -3
                -1 * -2 + 3 * 1,    # 5
                3 * -2 + 0 * 1]     # -6
    assert expected == [4, -7, -3, 5, -6]
    np.testing.assert_array_equal(correlate1d([0, 4, 1, -1, 3, 0], [-2, 1]), expected)
    np.testing.assert_array_equal(correlate1d([4, 1, -1, 3], [-2, 1], padding=1), expected)
    np.testing.assert_array_equal(correlate1d([4, 1, -1, 3], [-2, 1], mode="full"), expected)


def test_true_convolution_of_the_assignment_question():
    # y_i = sum_j x_j k_{i-j}, the coefficients of (4 + z - z^2 + 3z^3)(-2 + z):
    expected = [4 * -2,                 # -8
                4 * 1 + 1 * -2,         # 2
                1 * 1 + -1 * -2,        # 3
                -1 * 1 + 3 * -2,        # -7
                3 * 1]                  # 3
    assert expected == [-8, 2, 3, -7, 3]
    np.testing.assert_array_equal(convolve1d([4, 1, -1, 3], [-2, 1], mode="full"), expected)
    # the same as correlating with the reversed kernel [1, -2] on the zero-padded signal
    np.testing.assert_array_equal(correlate1d([4, 1, -1, 3], [1, -2], padding=1), expected)


def test_same_mode_keeps_the_length_and_centres_the_full_result():
    # full correlation of [1, 2, 3] with [1, 1, 1] is [1, 3, 6, 5, 3]; "same" keeps the middle 3
    np.testing.assert_array_equal(correlate1d([1, 2, 3], [1, 1, 1], mode="same"), [3, 6, 5])
    # kernel [1, 0, 0] (correlation) reads the current sample: x_i * 1 with one zero padded before
    np.testing.assert_array_equal(correlate1d([1, 2, 3], [1, 0, 0], mode="same"), [0, 1, 2])


@settings(max_examples=60, deadline=None)
@given(x=arrays(np.float64, st.integers(1, 9), elements=small),
       k=arrays(np.float64, st.integers(1, 6), elements=small),
       mode=st.sampled_from(["valid", "full", "same"]))
def test_1d_agrees_with_numpy(x, k, mode):
    if mode == "valid" and len(k) > len(x):
        with pytest.raises(ValueError, match="k of shape"):
            correlate1d(x, k, mode=mode)
        return
    # numpy's "same" centres differently for even kernels; compare the full result then slice
    np_mode = "full" if mode == "same" else mode
    conv = np.convolve(x, k, mode=np_mode)
    corr = np.convolve(x, k[::-1], mode=np_mode)  # correlation = convolution with k reversed
    if mode == "same":  # the centred slice of "full", starting at (K - 1) // 2
        start = (len(k) - 1) // 2
        conv, corr = conv[start:start + len(x)], corr[start:start + len(x)]
    np.testing.assert_allclose(convolve1d(x, k, mode=mode), conv, atol=1e-9)
    np.testing.assert_allclose(correlate1d(x, k, mode=mode), corr, atol=1e-9)


def correlate2d_loop(image, kernel, padding):
    """Reference: the correlation formula as scalar loops on the padded image."""
    h, w = image.shape
    kh, kw = kernel.shape
    padded = np.zeros((h + 2 * padding, w + 2 * padding))
    padded[padding:padding + h, padding:padding + w] = image
    out = np.zeros((h + 2 * padding - kh + 1, w + 2 * padding - kw + 1))
    for r, s in np.ndindex(out.shape):
        for i, j in np.ndindex(kh, kw):
            out[r, s] += padded[r + i, s + j] * kernel[i, j]
    return out


@pytest.mark.parametrize("shape, kshape, padding", [((5, 5), (3, 3), 0), ((6, 7), (2, 3), 1),
                                                    ((4, 9), (4, 1), 2), ((1, 1), (1, 1), 0)])
def test_2d_matches_loop_and_convolution_rotates_the_kernel(shape, kshape, padding):
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=shape), rng.normal(size=kshape)
    expected = correlate2d_loop(image, kernel, padding)
    np.testing.assert_allclose(correlate2d(image, kernel, padding=padding), expected, rtol=1e-12)
    np.testing.assert_allclose(convolve2d(image, kernel[::-1, ::-1], padding=padding), expected,
                               rtol=1e-12)


def test_2d_modes_give_the_stated_shapes_and_agree_with_scipy():
    scipy_signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(2, 3))
    shapes = {"valid": (6, 4), "full": (8, 8), "same": (7, 6)}
    for mode, shape in shapes.items():
        corr, conv = correlate2d(image, kernel, mode=mode), convolve2d(image, kernel, mode=mode)
        assert corr.shape == conv.shape == shape
        # scipy.signal.correlate (n-d), not correlate2d, which centres "same" the other way
        np.testing.assert_allclose(corr, scipy_signal.correlate(image, kernel, mode), rtol=1e-12)
        np.testing.assert_allclose(conv, scipy_signal.convolve2d(image, kernel, mode), rtol=1e-12)


def test_six_by_six_vertical_edge():
    # rows [10 10 10 0 0 0]; windows over columns 0-2, 1-3, 2-4, 3-5 with rows [1 0 -1]:
    # 3*(10-10) = 0, 3*(10-0) = 30, 3*(10-0) = 30, 3*(0-0) = 0
    image = [[10, 10, 10, 0, 0, 0]] * 6
    out = correlate2d(image, [[1, 0, -1]] * 3)
    np.testing.assert_array_equal(out, [[0, 30, 30, 0]] * 4)
    np.testing.assert_array_equal(convolve2d(image, [[1, 0, -1]] * 3), -out)


def test_inputs_are_not_modified():
    x, k = np.array([1.0, 2.0, 3.0]), np.array([1.0, -1.0])
    convolve1d(x, k, mode="same")
    np.testing.assert_array_equal(x, [1, 2, 3])
    np.testing.assert_array_equal(k, [1, -1])


def test_bad_input_is_rejected_with_the_argument_named():
    with pytest.raises(ValueError, match="x must have ndim 1"):
        correlate1d([[1.0]], [1.0])
    with pytest.raises(ValueError, match="k must have ndim 1"):
        convolve1d([1.0, 2.0], [[1.0]])
    with pytest.raises(ValueError, match="image must have ndim 2"):
        correlate2d([1.0, 2.0], [[1.0]])
    with pytest.raises(ValueError, match="kernel must have ndim 2"):
        convolve2d([[1.0]], [1.0])
    with pytest.raises(ValueError, match="mode must be one of"):
        correlate1d([1.0], [1.0], mode="circular")
    with pytest.raises(ValueError, match="padding must be a non-negative int, got -1"):
        correlate1d([1.0], [1.0], padding=-1)
    with pytest.raises(ValueError, match="padding can only be combined with mode='valid'"):
        correlate1d([1.0], [1.0], mode="full", padding=1)
    with pytest.raises(ValueError, match=r"k of shape \(4,\) is larger than the padded x"):
        correlate1d([1.0, 2.0], [1.0] * 4)
    with pytest.raises(ValueError, match=r"kernel of shape \(3, 3\) is larger than the padded"):
        correlate2d(np.ones((2, 5)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="k must not be empty"):
        correlate1d([1.0], [])
