import math

import numpy as np
import pytest
from gradcheck import numeric_gradient, rel_error
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcalc import filters
from dlcalc.layers import (
    affine_backward,
    affine_forward,
    avgpool2d_backward,
    avgpool2d_forward,
    batchnorm_backward,
    batchnorm_forward,
    batchnorm_inference,
    conv2d_backward,
    conv2d_forward,
    dropout_backward,
    dropout_forward,
    maxpool2d_backward,
    maxpool2d_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    tanh_backward,
    tanh_forward,
)
import dlcalc as dc

TOL = 1e-6

# overflow and invalid arithmetic end in a clear ValueError, never in a RuntimeWarning first
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

# (N, C, H, W, F, KH, KW, stride, padding): batch 1, odd sizes, stride > 1, padding > 0
CONV_CASES = [
    (1, 1, 5, 5, 1, 3, 3, 1, 0),
    (2, 3, 7, 6, 4, 3, 3, 2, 1),
    (1, 2, 6, 7, 3, 2, 3, 3, 2),
    (3, 2, 5, 4, 2, 1, 1, 1, 0),
    (2, 1, 9, 9, 2, 5, 5, 2, 2),
]


def conv2d_loop(x, w, b, stride, padding):
    """Reference: the convolution formula written as scalar loops."""
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * padding, wd + 2 * padding))
    xp[:, :, padding:padding + h, padding:padding + wd] = x
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, f, oh, ow))
    for a in range(n):
        for g in range(f):
            for r in range(oh):
                for s in range(ow):
                    total = b[g]
                    for ch in range(c):
                        for i in range(kh):
                            for j in range(kw):
                                total += xp[a, ch, r * stride + i, s * stride + j] * w[g, ch, i, j]
                    out[a, g, r, s] = total
    return out


def _conv_data(case, seed):
    n, c, h, wd, f, kh, kw, stride, padding = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c, h, wd))
    w = rng.normal(size=(f, c, kh, kw))
    b = rng.normal(size=f)
    return x, w, b, stride, padding


# ---- convolution

@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_forward_matches_loop(case):
    x, w, b, stride, padding = _conv_data(case, 0)
    out, _ = conv2d_forward(x, w, b, stride=stride, padding=padding)
    np.testing.assert_allclose(out, conv2d_loop(x, w, b, stride, padding), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_backward_matches_finite_differences(case):
    x, w, b, stride, padding = _conv_data(case, 1)
    out, cache = conv2d_forward(x, w, b, stride=stride, padding=padding)
    dout = np.random.default_rng(2).normal(size=out.shape)
    dx, dw, db = conv2d_backward(dout, cache)

    def fwd(**kw):
        args = {"x": x, "w": w, "b": b} | kw
        return conv2d_forward(args["x"], args["w"], args["b"], stride=stride, padding=padding)[0]

    assert rel_error(dx, numeric_gradient(lambda v: fwd(x=v), x, dout)) < TOL
    assert rel_error(dw, numeric_gradient(lambda v: fwd(w=v), w, dout)) < TOL
    assert rel_error(db, numeric_gradient(lambda v: fwd(b=v), b, dout)) < TOL


def test_conv2d_without_bias_has_no_db_and_stride_drops_leftover_pixels():
    x, w, _, _, _ = _conv_data(CONV_CASES[1], 3)
    out, cache = conv2d_forward(x, w, stride=2)
    # H = 7, KH = 3: (7 - 3) // 2 + 1 = 3 rows; W = 6: (6 - 3) // 2 + 1 = 2 columns
    assert out.shape == (2, 4, 3, 2)
    assert conv2d_backward(np.ones(out.shape), cache)[2] is None


def test_conv2d_six_by_six_vertical_edge():
    # Left half 10, right half 0. A window over columns (j, j+1, j+2) gives
    # 3 rows * (10*1 + x_{j+1}*0 - x_{j+2}*1): 3*(10-10)=0, 3*(10-0)=30, 3*(10-0)=30, 3*(0-0)=0.
    image = np.array([[10.0] * 3 + [0.0] * 3] * 6)
    out, _ = conv2d_forward(image[None, None], filters.VERTICAL_EDGE[None, None])
    # integer sums are exact in any order, but compare as sums of 9 products of size 10
    np.testing.assert_allclose(out[0, 0], [[0.0, 30.0, 30.0, 0.0]] * 4, rtol=0,
                               atol=9 * 10 * np.finfo(float).eps)


def test_conv2d_is_shift_equivariant():
    # Moving the picture right by one column moves the output right by one column
    # (away from the border, where the padding enters).
    rng = np.random.default_rng(4)
    x = np.zeros((1, 2, 8, 8))
    x[:, :, 2:6, 1:5] = rng.normal(size=(1, 2, 4, 4))
    w = rng.normal(size=(3, 2, 3, 3))
    shifted = np.roll(x, 1, axis=3)
    out, _ = conv2d_forward(x, w, padding=1)
    out_shifted, _ = conv2d_forward(shifted, w, padding=1)
    np.testing.assert_allclose(out_shifted[..., 1:], out[..., :-1], atol=1e-12)


def test_conv2d_does_not_modify_its_arguments():
    x, w, b, stride, padding = _conv_data(CONV_CASES[1], 5)
    copies = [a.copy() for a in (x, w, b)]
    out, cache = conv2d_forward(x, w, b, stride=stride, padding=padding)
    dout = np.ones(out.shape)
    conv2d_backward(dout, cache)
    for before, after in zip(copies, (x, w, b)):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(dout, 1.0)


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 12), w=st.integers(1, 12), k=st.integers(1, 5),
       stride=st.integers(1, 4), padding=st.integers(0, 3))
def test_conv2d_output_shape_formula(h, w, k, stride, padding):
    if k > min(h, w) + 2 * padding:
        with pytest.raises(ValueError, match="w of size"):
            conv2d_forward(np.zeros((1, 1, h, w)), np.zeros((2, 1, k, k)),
                           stride=stride, padding=padding)
        return
    out, _ = conv2d_forward(np.zeros((1, 1, h, w)), np.zeros((2, 1, k, k)),
                            stride=stride, padding=padding)
    # count window positions directly: top-left corners 0, s, 2s, ... with corner + k <= size
    rows = len(range(0, h + 2 * padding - k + 1, stride))
    cols = len(range(0, w + 2 * padding - k + 1, stride))
    assert out.shape == (1, 2, rows, cols)


# ---- pooling

POOL_CASES = [  # (shape, kernel, stride)
    ((1, 1, 4, 4), 2, None),
    ((2, 3, 5, 7), 2, None),     # odd sizes: the last row/column is dropped
    ((1, 2, 7, 7), 3, 2),        # overlapping windows
    ((2, 1, 6, 5), 3, 1),        # heavily overlapping
    ((1, 1, 5, 5), 2, 3),        # gaps between windows
]


@pytest.mark.parametrize("shape, kernel, stride", POOL_CASES)
@pytest.mark.parametrize("forward, backward", [(maxpool2d_forward, maxpool2d_backward),
                                               (avgpool2d_forward, avgpool2d_backward)])
def test_pool_backward_matches_finite_differences(forward, backward, shape, kernel, stride):
    # continuous random input: no ties, and h = 1e-6 cannot change an argmax
    x = np.random.default_rng(6).normal(size=shape)
    out, cache = forward(x, kernel=kernel, stride=stride)
    dout = np.random.default_rng(7).normal(size=out.shape)
    num = numeric_gradient(lambda v: forward(v, kernel=kernel, stride=stride)[0], x, dout)
    assert rel_error(backward(dout, cache), num) < TOL


def _pool_loop(x, kernel, stride, reduce):
    n, c, h, w = x.shape
    oh, ow = (h - kernel) // stride + 1, (w - kernel) // stride + 1
    out = np.zeros((n, c, oh, ow))
    for a, ch, r, s in np.ndindex(n, c, oh, ow):
        out[a, ch, r, s] = reduce(x[a, ch, r * stride:r * stride + kernel,
                                    s * stride:s * stride + kernel])
    return out


@pytest.mark.parametrize("shape, kernel, stride", POOL_CASES)
def test_pool_forward_matches_loop(shape, kernel, stride):
    x = np.random.default_rng(8).normal(size=shape)
    s = kernel if stride is None else stride
    np.testing.assert_allclose(maxpool2d_forward(x, kernel=kernel, stride=stride)[0],
                               _pool_loop(x, kernel, s, np.max), rtol=0, atol=0)
    np.testing.assert_allclose(avgpool2d_forward(x, kernel=kernel, stride=stride)[0],
                               _pool_loop(x, kernel, s, np.mean), rtol=1e-14)


def test_pool_known_values():
    x = np.array([[1, 0, 2, 2],
                  [0, 0, 2, 2],
                  [5, 1, 0, 0],
                  [1, 1, 0, 3]], dtype=float)[None, None]
    # windows: {1,0,0,0}, {2,2,2,2}, {5,1,1,1}, {0,0,0,3}
    np.testing.assert_array_equal(maxpool2d_forward(x, kernel=2)[0][0, 0], [[1, 2], [5, 3]])
    np.testing.assert_array_equal(avgpool2d_forward(x, kernel=2)[0][0, 0],
                                  [[1 / 4, 8 / 4], [8 / 4, 3 / 4]])


def test_maxpool_ties_go_to_the_first_maximum():
    x = np.full((1, 1, 2, 2), 7.0)
    _, cache = maxpool2d_forward(x, kernel=2)
    np.testing.assert_array_equal(maxpool2d_backward(np.ones((1, 1, 1, 1)), cache)[0, 0],
                                  [[1, 0], [0, 0]])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kernel=st.integers(1, 3), stride=st.integers(1, 3),
       h=st.integers(3, 7), w=st.integers(3, 7))
def test_maxpool_backward_routes_each_gradient_to_one_argmax(seed, kernel, stride, h, w):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, size=(1, 2, h, w)).astype(float)  # small ints: many ties
    out, cache = maxpool2d_forward(x, kernel=kernel, stride=stride)
    for a, ch, r, s in np.ndindex(out.shape):
        dout = np.zeros(out.shape)
        dout[a, ch, r, s] = 1.0
        dx = maxpool2d_backward(dout, cache)
        window = x[a, ch, r * stride:r * stride + kernel, s * stride:s * stride + kernel]
        i, j = np.unravel_index(np.argmax(window), window.shape)  # first maximum, row-major
        expected = np.zeros(x.shape)
        expected[a, ch, r * stride + i, s * stride + j] = 1.0
        np.testing.assert_array_equal(dx, expected)


# ---- affine and activations

def test_affine_backward_matches_finite_differences():
    rng = np.random.default_rng(9)
    x, w, b = rng.normal(size=(3, 5)), rng.normal(size=(5, 4)), rng.normal(size=4)
    out, cache = affine_forward(x, w, b)
    np.testing.assert_allclose(out, np.einsum("nd,dm->nm", x, w) + b, rtol=1e-13)
    dout = rng.normal(size=out.shape)
    dx, dw, db = affine_backward(dout, cache)
    assert rel_error(dx, numeric_gradient(lambda v: affine_forward(v, w, b)[0], x, dout)) < TOL
    assert rel_error(dw, numeric_gradient(lambda v: affine_forward(x, v, b)[0], w, dout)) < TOL
    assert rel_error(db, numeric_gradient(lambda v: affine_forward(x, w, v)[0], b, dout)) < TOL


@pytest.mark.parametrize("forward, backward", [(relu_forward, relu_backward),
                                               (sigmoid_forward, sigmoid_backward),
                                               (tanh_forward, tanh_backward)])
@pytest.mark.parametrize("shape", [(1, 1), (3, 4), (2, 3, 5)])
def test_activation_backward_matches_finite_differences(forward, backward, shape):
    x = np.random.default_rng(10).normal(size=shape) * 3
    out, cache = forward(x)
    dout = np.random.default_rng(11).normal(size=shape)
    num = numeric_gradient(lambda v: forward(v)[0], x, dout)
    assert rel_error(backward(dout, cache), num) < TOL


def test_activation_known_values():
    # sigma(0) = 1/2, sigma'(0) = 1/4; tanh(0) = 0, tanh'(0) = 1; relu'(-1) = 0
    x = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(relu_forward(x)[0], [0, 0, 2])
    out, cache = sigmoid_forward(x)
    assert out[1] == 0.5 and sigmoid_backward(np.ones(3), cache)[1] == 0.25
    out, cache = tanh_forward(x)
    assert out[1] == 0.0 and tanh_backward(np.ones(3), cache)[1] == 1.0
    np.testing.assert_allclose(out[2], (math.exp(4) - 1) / (math.exp(4) + 1), rtol=1e-15)


# ---- batch norm

@pytest.mark.parametrize("shape", [(5, 1), (4, 3), (7, 6), (1, 2)])
def test_batchnorm_backward_matches_finite_differences(shape):
    rng = np.random.default_rng(12)
    x = rng.normal(size=shape) * 2 + 1
    gamma, beta = rng.normal(size=shape[1]), rng.normal(size=shape[1])
    out, cache = batchnorm_forward(x, gamma, beta)
    dout = rng.normal(size=shape)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    bn = batchnorm_forward
    assert rel_error(dx, numeric_gradient(lambda v: bn(v, gamma, beta)[0], x, dout)) < TOL
    assert rel_error(dgamma, numeric_gradient(lambda v: bn(x, v, beta)[0], gamma, dout)) < TOL
    assert rel_error(dbeta, numeric_gradient(lambda v: bn(x, gamma, v)[0], beta, dout)) < TOL


def test_batchnorm_known_values():
    # x = [2, 4, 6, 8, 10]: mean 30/5 = 6, variance (16 + 4 + 0 + 4 + 16)/5 = 8,
    # out = 2 (x - 6)/sqrt(8 + eps) - 1
    x = np.array([[2.0], [4.0], [6.0], [8.0], [10.0]])
    out, cache = batchnorm_forward(x, 2.0, -1.0, eps=1e-5)
    assert cache.mean[0] == 6.0 and cache.var[0] == 8.0
    expected = [2 * d / math.sqrt(8 + 1e-5) - 1 for d in (-4, -2, 0, 2, 4)]
    np.testing.assert_allclose(out[:, 0], expected, rtol=1e-14)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 20), d=st.integers(1, 5),
       scale=st.floats(0.1, 100.0))
def test_batchnorm_output_has_zero_mean_and_unit_variance(seed, n, d, scale):
    x = np.random.default_rng(seed).normal(size=(n, d)) * scale + 3
    eps = 1e-5
    out, cache = batchnorm_forward(x, 1.0, 0.0, eps=eps)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-10)
    # the variance of xhat is var / (var + eps), which is 1 up to eps / var
    np.testing.assert_allclose(out.var(axis=0), 1.0, atol=eps / cache.var.min() + 1e-10)


def test_batchnorm_inference_uses_the_given_statistics():
    x = np.array([[1.0, 5.0], [3.0, -1.0]])
    out = batchnorm_inference(x, [2.0, 1.0], [0.0, 1.0],
                              running_mean=[1.0, 1.0], running_var=[4.0, 9.0], eps=1e-300)
    # (1-1)/2*2+0 = 0, (5-1)/3*1+1 = 7/3; (3-1)/2*2 = 2, (-1-1)/3+1 = 1/3
    np.testing.assert_allclose(out, [[0.0, 7 / 3], [2.0, 1 / 3]], rtol=1e-14)


# ---- dropout

@pytest.mark.parametrize("inverted", [True, False])
@pytest.mark.parametrize("train", [True, False])
def test_dropout_backward_matches_finite_differences(inverted, train):
    x = np.random.default_rng(13).normal(size=(4, 5))

    def fwd(v):  # the same mask on every call: a fresh generator with the same seed
        return dropout_forward(v, p_keep=0.7, rng=np.random.default_rng(14),
                               inverted=inverted, train=train)[0]

    out, cache = dropout_forward(x, p_keep=0.7, rng=np.random.default_rng(14),
                                 inverted=inverted, train=train)
    dout = np.random.default_rng(15).normal(size=x.shape)
    assert rel_error(dropout_backward(dout, cache), numeric_gradient(fwd, x, dout)) < TOL


@pytest.mark.parametrize("inverted", [True, False])
@pytest.mark.parametrize("p_keep", [0.2, 0.5, 0.9])
def test_dropout_expected_training_output_equals_test_output(inverted, p_keep):
    # Each training output is x * m * c with m ~ Bernoulli(p), c = 1/p (inverted) or 1
    # (vanilla), so it lies in [0, x c]. Hoeffding: the mean of M such values is within
    # t = x c sqrt(ln(2/delta) / (2 M)) of its expectation x c p with probability 1 - delta.
    # That expectation must equal the test output: x (inverted) or x p (vanilla).
    m, x, delta = 200_000, 3.0, 1e-9
    train_out, _ = dropout_forward(np.full(m, x), p_keep=p_keep, rng=np.random.default_rng(16),
                                   inverted=inverted, train=True)
    test_out, _ = dropout_forward(np.full(m, x), p_keep=p_keep, rng=np.random.default_rng(16),
                                  inverted=inverted, train=False)
    c = 1 / p_keep if inverted else 1.0
    t = x * c * math.sqrt(math.log(2 / delta) / (2 * m))
    assert np.all(test_out == (x if inverted else x * p_keep))
    assert abs(train_out.mean() - test_out[0]) < t


def test_dropout_keeps_a_fraction_p_keep_and_scales_by_its_inverse():
    out, cache = dropout_forward(np.ones(10_000), p_keep=0.25, rng=np.random.default_rng(17))
    kept = out != 0
    np.testing.assert_array_equal(kept, cache.mask)
    np.testing.assert_array_equal(out[kept], 4.0)  # 1 / 0.25
    out, _ = dropout_forward(np.ones(5), p_keep=1.0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(out, 1.0)  # p_keep = 1 keeps everything, scaled by 1


# ---- bad input, rejected with the argument named

def test_bad_input_is_rejected_with_the_argument_named():
    x, w = np.zeros((1, 2, 5, 5)), np.zeros((3, 2, 3, 3))
    with pytest.raises(ValueError, match="x must have ndim 4"):
        conv2d_forward(np.zeros((2, 5, 5)), w)
    with pytest.raises(ValueError, match="w must have ndim 4"):
        conv2d_forward(x, np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="w must have 2 input channels"):
        conv2d_forward(x, np.zeros((3, 4, 3, 3)))
    with pytest.raises(ValueError, match="b must have shape"):
        conv2d_forward(x, w, np.zeros(2))
    with pytest.raises(ValueError, match="stride must be a positive int, got 0"):
        conv2d_forward(x, w, stride=0)
    with pytest.raises(TypeError, match="stride"):
        conv2d_forward(x, w, stride=1.5)
    with pytest.raises(ValueError, match="padding must be a non-negative int, got -1"):
        conv2d_forward(x, w, padding=-1)
    with pytest.raises(ValueError, match="w of size 8x8 is larger than the padded input 7x7"):
        conv2d_forward(x, np.zeros((3, 2, 8, 8)), padding=1)
    with pytest.raises(ValueError, match="dout must have shape"):
        conv2d_backward(np.zeros((1, 3, 2, 2)), conv2d_forward(x, w)[1])
    with pytest.raises(ValueError, match="kernel of size 6x6 is larger"):
        maxpool2d_forward(x, kernel=6)
    with pytest.raises(ValueError, match="kernel must be a positive int, got 0"):
        avgpool2d_forward(x, kernel=0)
    with pytest.raises(ValueError, match="stride must be a positive int, got -2"):
        maxpool2d_forward(x, kernel=2, stride=-2)
    with pytest.raises(ValueError, match="x must have ndim 4"):
        maxpool2d_forward(np.zeros((5, 5)), kernel=2)
    with pytest.raises(ValueError, match="w must have 3 rows"):
        affine_forward(np.zeros((2, 3)), np.zeros((4, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="gamma must be a number or have shape"):
        batchnorm_forward(np.zeros((4, 3)), np.ones(2), 0.0)
    with pytest.raises(ValueError, match="eps"):
        batchnorm_forward(np.zeros((4, 3)), 1.0, 0.0, eps=0.0)
    with pytest.raises(ValueError, match="running_var must be non-negative"):
        batchnorm_inference(np.zeros((1, 1)), 1.0, 0.0, running_mean=[0.0], running_var=[-1.0])


@pytest.mark.parametrize("p_keep", [0.0, -0.1, 1.5, float("nan")])
def test_dropout_rejects_p_keep_outside_zero_one(p_keep):
    with pytest.raises(ValueError, match="p_keep"):
        dropout_forward(np.ones(3), p_keep=p_keep, rng=np.random.default_rng(0))


def test_dropout_rejects_a_seed_or_legacy_state_as_rng():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        dropout_forward(np.ones(3), p_keep=0.5, rng=0)
    with pytest.raises(TypeError, match="rng"):
        dropout_forward(np.ones(3), p_keep=0.5, rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match="train must be a bool"):
        dropout_forward(np.ones(3), p_keep=0.5, rng=np.random.default_rng(0), train="no")


# ---- dtype: float32 stays float32, everything else becomes float64

def _layer_passes(x4, w4, b, x2, w2, dout_dtype):
    """Run every forward/backward pair; yield (name, outputs) with every array they return."""
    rng = np.random.default_rng(30)

    def d(out):
        return rng.normal(size=out.shape).astype(dout_dtype)

    out, cache = conv2d_forward(x4, w4, b, padding=1)
    yield "conv2d", (out, *conv2d_backward(d(out), cache))
    for forward, backward in ((maxpool2d_forward, maxpool2d_backward),
                              (avgpool2d_forward, avgpool2d_backward)):
        out, cache = forward(x4, kernel=2)
        yield forward.__name__, (out, backward(d(out), cache))
    out, cache = affine_forward(x2, w2, b[:w2.shape[1]])
    yield "affine", (out, *affine_backward(d(out), cache))
    for forward, backward in ((relu_forward, relu_backward), (sigmoid_forward, sigmoid_backward),
                              (tanh_forward, tanh_backward)):
        out, cache = forward(x2)
        yield forward.__name__, (out, backward(d(out), cache))
    out, cache = batchnorm_forward(x2, 2.0, b[:x2.shape[1]])
    yield "batchnorm", (out, *batchnorm_backward(d(out), cache))
    yield "batchnorm_inference", (batchnorm_inference(x2, 2.0, 0.5, running_mean=cache.mean,
                                                      running_var=cache.var),)
    for train in (True, False):
        out, cache = dropout_forward(x2, p_keep=0.5, rng=np.random.default_rng(31), train=train)
        yield f"dropout(train={train})", (out, dropout_backward(d(out), cache))


def _layer_inputs(seed, dtype):
    rng = np.random.default_rng(seed)
    # x (N, C, H, W), w (F, C, KH, KW), b (F,), then x (N, D) and w (D, M) of an affine layer
    shapes = [(2, 3, 6, 6), (4, 3, 3, 3), (4,), (5, 4), (4, 3)]
    return tuple(rng.normal(size=shape).astype(dtype) for shape in shapes)


def test_float32_inputs_give_float32_outputs_close_to_float64():
    x4, w4, b, x2, w2 = _layer_inputs(32, np.float32)
    single = dict(_layer_passes(x4, w4, b, x2, w2, np.float32))
    # the same float32 values, computed in float64: they differ by float32 rounding only
    double = dict(_layer_passes(*(a.astype(np.float64) for a in (x4, w4, b, x2, w2)), np.float32))
    for name, outputs in single.items():
        for got, ref in zip(outputs, double[name]):
            if got is None:
                continue
            assert got.dtype == np.float32, name
            assert ref.dtype == np.float64, name
            np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4, err_msg=name)


@pytest.mark.parametrize("mixed", range(5))
def test_anything_not_all_float32_becomes_float64(mixed):
    # one float64 data array among float32 ones: float64, as numpy's promotion would give
    arrays = list(_layer_inputs(33, np.float32))
    arrays[mixed] = arrays[mixed].astype(np.float64)
    x4, w4, b, x2, w2 = arrays
    for name, outputs in _layer_passes(x4, w4, b, x2, w2, np.float32):
        uses_x4 = name in ("conv2d", "maxpool2d_forward", "avgpool2d_forward")
        data = {"conv2d": (0, 1), "affine": (3, 4)}.get(name, (0,) if uses_x4 else (3,))
        want = np.float64 if mixed in data else np.float32
        assert all(o.dtype == want for o in outputs if o is not None), (name, mixed)


def test_float64_dout_makes_the_backward_float64_and_lists_and_ints_become_float64():
    x4, w4, b, x2, w2 = _layer_inputs(34, np.float32)
    for name, outputs in _layer_passes(x4, w4, b, x2, w2, np.float64):
        assert all(o.dtype == np.float64 for o in outputs[1:] if o is not None), name
    out, cache = conv2d_forward(np.ones((1, 1, 3, 3), dtype=int), [[[[1, 2], [3, 4]]]])
    assert out.dtype == np.float64
    assert out[0, 0, 0, 0] == 1 + 2 + 3 + 4
    assert affine_forward([[1, 2]], np.ones((2, 1), dtype=np.float32), [0])[0].dtype == np.float64


def test_conv2d_float32_matches_the_loop_to_float32_precision():
    x, w, b, stride, padding = _conv_data(CONV_CASES[1], 35)
    x32, w32, b32 = (a.astype(np.float32) for a in (x, w, b))
    out, _ = conv2d_forward(x32, w32, b32, stride=stride, padding=padding)
    ref = conv2d_loop(*(a.astype(np.float64) for a in (x32, w32, b32)), stride, padding)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)


# ---- against PyTorch, where it is installed

@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_torch(case):
    torch = pytest.importorskip("torch")
    fn = torch.nn.functional
    x, w, b, stride, padding = _conv_data(case, 18)
    out, cache = conv2d_forward(x, w, b, stride=stride, padding=padding)
    dout = np.random.default_rng(19).normal(size=out.shape)
    dx, dw, db = conv2d_backward(dout, cache)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tout = fn.conv2d(tx, tw, tb, stride=stride, padding=padding)
    tout.backward(torch.tensor(dout))
    for mine, theirs in ((out, tout), (dx, tx.grad), (dw, tw.grad), (db, tb.grad)):
        np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape, kernel, stride", POOL_CASES)
def test_pooling_matches_torch(shape, kernel, stride):
    torch = pytest.importorskip("torch")
    fn = torch.nn.functional
    x = np.random.default_rng(20).normal(size=shape)
    for forward, backward, reference in ((maxpool2d_forward, maxpool2d_backward, fn.max_pool2d),
                                         (avgpool2d_forward, avgpool2d_backward, fn.avg_pool2d)):
        out, cache = forward(x, kernel=kernel, stride=stride)
        dout = np.random.default_rng(21).normal(size=out.shape)
        tx = torch.tensor(x, requires_grad=True)
        tout = reference(tx, kernel, stride)
        tout.backward(torch.tensor(dout))
        np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(backward(dout, cache), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_batchnorm_and_affine_match_torch():
    torch = pytest.importorskip("torch")
    fn = torch.nn.functional
    rng = np.random.default_rng(22)
    x, gamma, beta = rng.normal(size=(6, 4)), rng.normal(size=4), rng.normal(size=4)
    out, cache = batchnorm_forward(x, gamma, beta, eps=1e-5)
    dout = rng.normal(size=out.shape)
    grads = batchnorm_backward(dout, cache)
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, gamma, beta)]
    tout = fn.batch_norm(tensors[0], None, None, tensors[1], tensors[2], training=True, eps=1e-5)
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    for mine, t in zip(grads, tensors):
        np.testing.assert_allclose(mine, t.grad.numpy(), rtol=1e-9, atol=1e-12)

    w, b = rng.normal(size=(4, 3)), rng.normal(size=3)
    out, cache = affine_forward(x, w, b)
    dout = rng.normal(size=out.shape)
    grads = affine_backward(dout, cache)
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    tout = fn.linear(tensors[0], tensors[1].T, tensors[2])  # torch stores W as (M, D)
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12)
    for mine, t in zip(grads, tensors):
        np.testing.assert_allclose(mine, t.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_float32_matches_torch_float32(case):
    torch = pytest.importorskip("torch")
    x, w, b, stride, padding = (a.astype(np.float32) if isinstance(a, np.ndarray) else a
                                for a in _conv_data(case, 36))
    out, cache = conv2d_forward(x, w, b, stride=stride, padding=padding)
    dout = np.random.default_rng(37).normal(size=out.shape).astype(np.float32)
    grads = conv2d_backward(dout, cache)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tout = torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=padding)
    tout.backward(torch.tensor(dout))
    for mine, theirs in zip((out, *grads), (tout, tx.grad, tw.grad, tb.grad)):
        assert mine.dtype == np.float32
        np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=1e-4, atol=1e-4)


# --- values that pin the formulas (each written out by hand) ------------------------------

def test_batchnorm_inference_adds_eps_to_the_variance():
    # x = 3, running mean 1, running variance 3, eps 1: (3 - 1) / sqrt(3 + 1) = 1, then
    # gamma * 1 + beta = 2 * 1 + 1 = 3. (With var - eps it would be 2 / sqrt(2) * 2 + 1.)
    out = dc.batchnorm_inference([[3.0]], 2.0, 1.0, running_mean=[1.0], running_var=[3.0],
                                 eps=1.0)
    np.testing.assert_allclose(out, [[3.0]], rtol=1e-15)


def test_relu_backward_passes_nothing_at_zero():
    # The subgradient dlcalc documents at z = 0 is 0: the unit at 0 gets no gradient,
    # the one at 2 gets dout, the one at -1 none.
    _, cache = dc.relu_forward([0.0, 2.0, -1.0])
    np.testing.assert_array_equal(dc.relu_backward([5.0, 5.0, 5.0], cache), [0.0, 5.0, 0.0])


def test_batchnorm_forward_of_huge_values_is_scaled_not_zero():
    # x = (3e300, 1e300): mean 2e300, deviations +-1e300, variance 1e600 is beyond the
    # float range, so the batch statistics cannot be stored: a clear error, never zeros.
    with pytest.raises(ValueError, match="x"):
        dc.batchnorm_forward([[3e300], [1e300]], 1.0, 0.0)
    # x = (3e150, 1e150): variance 1e300 fits; xhat = (+-1e150) / sqrt(1e300 + eps) = +-1.
    out, cache = dc.batchnorm_forward([[3e150], [1e150]], 1.0, 0.0)
    np.testing.assert_allclose(out[:, 0], [1.0, -1.0], rtol=1e-12)
    np.testing.assert_allclose(cache.var, [1e300], rtol=1e-12)


def test_affine_forward_overflow_is_an_error_naming_the_inputs():
    # 1e308 * 1 + 1e308 * 1 = 2e308 is beyond the float range
    with pytest.raises(ValueError, match="x, w or b"):
        dc.affine_forward([[1e308, 1e308]], np.ones((2, 1)), [0.0])


# --- caches from elsewhere, corrupted caches and overflow: clear errors that name them ------

BACKWARDS = [
    (dc.conv2d_backward, "ConvCache", "conv2d_forward", np.ones((1, 1, 1, 1))),
    (dc.maxpool2d_backward, "PoolCache", "maxpool2d_forward", np.ones((1, 1, 1, 1))),
    (dc.avgpool2d_backward, "PoolCache", "avgpool2d_forward", np.ones((1, 1, 1, 1))),
    (dc.affine_backward, "AffineCache", "affine_forward", np.ones((1, 1))),
    (dc.relu_backward, "ActivationCache", "relu_forward", np.ones(1)),
    (dc.sigmoid_backward, "ActivationCache", "sigmoid_forward", np.ones(1)),
    (dc.tanh_backward, "ActivationCache", "tanh_forward", np.ones(1)),
    (dc.batchnorm_backward, "BatchnormCache", "batchnorm_forward", np.ones((1, 1))),
    (dc.dropout_backward, "DropoutCache", "dropout_forward", np.ones(1)),
]


@pytest.mark.parametrize("backward, kind, forward, dout", BACKWARDS,
                         ids=[b[0].__name__ for b in BACKWARDS])
@pytest.mark.parametrize("cache", [None, (1, 2), "cache"])
def test_backward_names_a_cache_of_the_wrong_kind(backward, kind, forward, dout, cache):
    with pytest.raises(TypeError, match=rf"^cache must be the {kind} returned by {forward}, "):
        backward(dout, cache)


def test_corrupted_caches_are_named_field_by_field():
    _, cache = dc.affine_forward([[1.0, 2.0]], np.ones((2, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"^cache\.w must have shape \(2, n\)"):
        dc.affine_backward(np.ones((1, 3)), cache._replace(w=np.ones((4, 3))))
    with pytest.raises(ValueError, match=r"^cache\.x must contain only finite values"):
        dc.affine_backward(np.ones((1, 3)), cache._replace(x=np.array([[np.nan, 1.0]])))
    _, cache = dc.sigmoid_forward([0.0, 1.0])
    with pytest.raises(ValueError, match=r"^cache\.value must lie in \[0\.0, 1\.0\] "
                                         r"\(outputs of sigmoid_forward\)"):
        dc.sigmoid_backward(np.ones(2), cache._replace(value=np.array([0.5, 2.0])))
    _, cache = dc.tanh_forward([0.0, 1.0])
    with pytest.raises(ValueError, match=r"^cache\.value must lie in \[-1\.0, 1\.0\] "
                                         r"\(outputs of tanh_forward\)"):
        dc.tanh_backward(np.ones(2), cache._replace(value=np.array([-1.5, 0.0])))
    _, cache = dc.batchnorm_forward([[1.0], [3.0]], 1.0, 0.0)
    with pytest.raises(ValueError, match=r"^cache\.inv_std must be positive"):
        dc.batchnorm_backward(np.ones((2, 1)), cache._replace(inv_std=np.array([-1.0])))
    with pytest.raises(ValueError, match=r"^cache\.gamma must have shape \(1,\)"):
        dc.batchnorm_backward(np.ones((2, 1)), cache._replace(gamma=np.ones(3)))
    _, cache = dc.dropout_forward(np.ones(4), p_keep=0.5, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"^cache\.mask must be a bool array or None"):
        dc.dropout_backward(np.ones(4), cache._replace(mask=np.ones(4)))
    with pytest.raises(ValueError, match=r"^cache\.multiplier must have the shape of "
                                         r"cache\.mask \(4,\), got \(2,\)"):
        dc.dropout_backward(np.ones(4), cache._replace(multiplier=np.ones(2)))
    _, cache = dc.maxpool2d_forward(np.arange(16.0).reshape(1, 1, 4, 4), kernel=2)
    with pytest.raises(ValueError, match=r"^cache\.argmax must be an int array of shape "
                                         r"\(1, 1, 2, 2\) with entries in \[0, 4\)"):
        dc.maxpool2d_backward(np.ones((1, 1, 2, 2)), cache._replace(argmax=cache.argmax + 4))
    with pytest.raises(ValueError, match=r"^cache\.kernel 5 does not fit"):
        dc.maxpool2d_backward(np.ones((1, 1, 2, 2)), cache._replace(kernel=5))
    _, cache = dc.conv2d_forward(np.ones((1, 2, 4, 4)), np.ones((3, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"^cache\.w of shape \(3, 5, 3, 3\) does not fit"):
        dc.conv2d_backward(np.ones((1, 3, 2, 2)), cache._replace(w=np.ones((3, 5, 3, 3))))
    with pytest.raises(TypeError, match=r"^cache\.has_bias must be a bool"):
        dc.conv2d_backward(np.ones((1, 3, 2, 2)), cache._replace(has_bias="yes"))
    with pytest.raises(TypeError, match=r"^cache\.x_shape must be a tuple of 4 ints"):
        dc.conv2d_backward(np.ones((1, 3, 2, 2)), cache._replace(x_shape=(1, 2)))


def test_overflow_is_an_error_naming_what_overflowed():
    # each case overflows the float range; each message names the arguments at fault
    _, cache = dc.affine_forward([[1e308]], [[1.0]], [0.0])
    with pytest.raises(ValueError, match=r"affine_backward's dw .*dout or cache"):
        dc.affine_backward([[2.0]], cache)
    with pytest.raises(ValueError, match=r"batchnorm_forward's output .*gamma or beta"):
        dc.batchnorm_forward([[1.0], [3.0]], 1e308, 1e308)
    # a kept unit is scaled by 1 / 0.25 = 4 (100 units: some are kept)
    with pytest.raises(ValueError, match=r"dropout_forward's output .*x or p_keep"):
        dc.dropout_forward(np.full(100, 1e308), p_keep=0.25, rng=np.random.default_rng(1))
    _, cache = dc.dropout_forward(np.ones(100), p_keep=0.25, rng=np.random.default_rng(1))
    with pytest.raises(ValueError, match=r"dropout_backward's output .*dout or cache"):
        dc.dropout_backward(np.full(100, 1e308), cache)
    with pytest.raises(ValueError, match=r"batchnorm_inference's output .*running_var"):
        dc.batchnorm_inference([[1e308]], 1e308, 0.0, running_mean=[0.0], running_var=[1.0])
    with pytest.raises(ValueError, match=r"conv2d_forward's output .*x, w or b"):
        dc.conv2d_forward(np.full((1, 1, 2, 2), 1e308), np.ones((1, 1, 2, 2)))
    # the mean of four equal huge values is that value (its sum alone would overflow)
    out, _ = dc.avgpool2d_forward(np.full((1, 1, 2, 2), 1.7e308), kernel=2)
    np.testing.assert_allclose(out, 1.7e308, rtol=1e-15)


def test_bn_params_name_a_gamma_or_beta_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"^gamma must be a number or have shape \(2,\) to "
                                         r"match x, got \(3,\)"):
        dc.batchnorm_forward(np.ones((2, 2)), np.ones(3), 0.0)
    with pytest.raises(ValueError, match=r"^eps must be in \(0\.0, inf\)"):
        dc.batchnorm_forward(np.ones((2, 2)), 1.0, 0.0, eps=0.0)


# ---- every check, one by one: the exact message, naming the argument and its value ---------

def _conv_cache():
    # x (1, 2, 4, 4), w (3, 2, 3, 3): output 2x2, cols (1, 2*3*3, 2*2) = (1, 18, 4)
    return conv2d_forward(np.ones((1, 2, 4, 4)), np.ones((3, 2, 3, 3)))[1]


def _pool_cache():
    # x (1, 1, 4, 4), kernel 2: output (1, 1, 2, 2)
    return maxpool2d_forward(np.arange(16.0).reshape(1, 1, 4, 4), kernel=2)[1]


def _affine_cache():
    # x (1, 2), w (2, 3): dout (1, 3)
    return affine_forward([[1.0, 2.0]], np.ones((2, 3)), np.zeros(3))[1]


def _bn_cache():
    # one feature, x = (1, 3): mean 2, variance 1
    return batchnorm_forward([[1.0], [3.0]], 1.0, 0.0)[1]


def _dropout_cache(train=True):
    return dropout_forward(np.ones(4), p_keep=0.5, rng=np.random.default_rng(0), train=train)[1]


X4, W4 = np.ones((1, 2, 4, 4)), np.ones((3, 2, 3, 3))
BN = dict(running_mean=[0.0], running_var=[1.0])

EXACT_ERRORS = [
    # conv2d_forward
    ("conv b ndim", lambda: conv2d_forward(X4, W4, np.zeros((3, 1))), ValueError,
     "b must have ndim 1, got ndim 2 (shape (3, 1))"),
    ("conv b type", lambda: conv2d_forward(X4, W4, "b"), TypeError,
     "b must be an array of real numbers, got 'b'"),
    ("conv kernel width beyond the padding", lambda: conv2d_forward(X4, np.ones((3, 2, 3, 7)),
                                                                    padding=1), ValueError,
     "w of size 3x7 is larger than the padded input 6x6 (padding=1)"),
    ("conv output overflow", lambda: conv2d_forward(np.full((1, 1, 2, 2), 1e308),
                                                    np.ones((1, 1, 2, 2))), ValueError,
     "conv2d_forward's output overflows the float range: x, w or b too large in magnitude"),
    # conv2d_backward: the cache, field by field
    ("conv cache.stride", lambda: conv2d_backward(np.ones((1, 3, 2, 2)),
                                                  _conv_cache()._replace(stride=0)), ValueError,
     "cache.stride must be a positive int, got 0"),
    ("conv cache.padding", lambda: conv2d_backward(np.ones((1, 3, 2, 2)),
                                                   _conv_cache()._replace(padding=-1)), ValueError,
     "cache.padding must be a non-negative int, got -1"),
    ("conv cache.w ndim", lambda: conv2d_backward(np.ones((1, 3, 2, 2)),
                                                  _conv_cache()._replace(w=np.ones((3, 2, 3)))),
     ValueError, "cache.w must have ndim 4, got ndim 3 (shape (3, 2, 3))"),
    ("conv cache.w type", lambda: conv2d_backward(np.ones((1, 3, 2, 2)),
                                                  _conv_cache()._replace(w="w")), TypeError,
     "cache.w must be an array of real numbers, got 'w'"),
    # a kernel taller than the 4x4 input, but not wider: each dimension is checked
    ("conv cache.w too tall", lambda: conv2d_backward(
        np.ones((1, 3, 2, 2)), _conv_cache()._replace(w=np.ones((3, 2, 5, 3)))), ValueError,
     "cache.w of shape (3, 2, 5, 3) does not fit cache.x_shape (1, 2, 4, 4) with padding 0"),
    ("conv cache.w too wide", lambda: conv2d_backward(
        np.ones((1, 3, 2, 2)), _conv_cache()._replace(w=np.ones((3, 2, 3, 5)))), ValueError,
     "cache.w of shape (3, 2, 3, 5) does not fit cache.x_shape (1, 2, 4, 4) with padding 0"),
    # with padding 1 the 4x4 input is 6x6 padded: a 7-tall or 7-wide kernel does not fit
    ("conv cache.w too tall, padded", lambda: conv2d_backward(
        np.ones((1, 3, 2, 2)), _conv_cache()._replace(w=np.ones((3, 2, 7, 3)), padding=1)),
     ValueError,
     "cache.w of shape (3, 2, 7, 3) does not fit cache.x_shape (1, 2, 4, 4) with padding 1"),
    ("conv cache.w too wide, padded", lambda: conv2d_backward(
        np.ones((1, 3, 2, 2)), _conv_cache()._replace(w=np.ones((3, 2, 3, 7)), padding=1)),
     ValueError,
     "cache.w of shape (3, 2, 3, 7) does not fit cache.x_shape (1, 2, 4, 4) with padding 1"),
    ("conv cache.cols shape", lambda: conv2d_backward(
        np.ones((1, 3, 2, 2)), _conv_cache()._replace(cols=np.ones((1, 18)))), ValueError,
     "cache.cols must have shape (1, 18, 4), got shape (1, 18)"),
    ("conv cache.cols type", lambda: conv2d_backward(
        np.ones((1, 3, 2, 2)), _conv_cache()._replace(cols="c")), TypeError,
     "cache.cols must be an array of real numbers, got 'c'"),
    ("conv dout ndim", lambda: conv2d_backward(np.ones((3, 2, 2)), _conv_cache()), ValueError,
     "dout must have ndim 4, got ndim 3 (shape (3, 2, 2))"),
    ("conv dout type", lambda: conv2d_backward("d", _conv_cache()), TypeError,
     "dout must be an array of real numbers, got 'd'"),
    # pooling
    ("pool kernel taller than x", lambda: maxpool2d_forward(np.ones((1, 1, 2, 5)), kernel=3),
     ValueError, "kernel of size 3x3 is larger than the padded input 2x5 (padding=0)"),
    ("pool cache.x_shape", lambda: maxpool2d_backward(
        np.ones((1, 1, 2, 2)), _pool_cache()._replace(x_shape=(1, 4))), TypeError,
     "cache.x_shape must be a tuple of 4 ints, got (1, 4)"),
    ("pool cache.x_shape entry", lambda: maxpool2d_backward(
        np.ones((1, 1, 2, 2)), _pool_cache()._replace(x_shape=(1, 1, 0, 4))), ValueError,
     "cache.x_shape[2] must be a positive int, got 0"),
    ("pool cache.kernel", lambda: avgpool2d_backward(
        np.ones((1, 1, 2, 2)), _pool_cache()._replace(kernel=0)), ValueError,
     "cache.kernel must be a positive int, got 0"),
    ("pool cache.stride", lambda: avgpool2d_backward(
        np.ones((1, 1, 2, 2)), _pool_cache()._replace(stride=0)), ValueError,
     "cache.stride must be a positive int, got 0"),
    # a 2x2 window has entries 0..3: 4 is out of range, also for a single window
    ("pool cache.argmax out of range", lambda: maxpool2d_backward(
        np.ones((1, 1, 1, 1)), maxpool2d_forward(np.ones((1, 1, 2, 2)), kernel=2)[1]._replace(
            argmax=np.array([[[[4]]]]))), ValueError,
     "cache.argmax must be an int array of shape (1, 1, 1, 1) with entries in [0, 4), got "
     "array([[[[4]]]])"),
    ("pool cache.argmax float", lambda: maxpool2d_backward(
        np.ones((1, 1, 2, 2)), _pool_cache()._replace(argmax=np.zeros((1, 1, 2, 2)))),
     ValueError,
     "cache.argmax must be an int array of shape (1, 1, 2, 2) with entries in [0, 4), got "
     "array([[[[0., 0.],\n         [0., 0.]]]])"),
    ("pool dout ndim", lambda: maxpool2d_backward(np.ones((1, 2, 2)), _pool_cache()),
     ValueError, "dout must have ndim 4, got ndim 3 (shape (1, 2, 2))"),
    ("pool dout type", lambda: avgpool2d_backward("d", _pool_cache()), TypeError,
     "dout must be an array of real numbers, got 'd'"),
    ("pool dout shape", lambda: avgpool2d_backward(np.ones((1, 1, 3, 3)), _pool_cache()),
     ValueError, "dout must have shape (1, 1, 2, 2), got (1, 1, 3, 3)"),
    # affine
    ("affine x ndim", lambda: affine_forward([1.0, 2.0], np.ones((2, 3)), np.zeros(3)),
     ValueError, "x must have ndim 2, got ndim 1 (shape (2,))"),
    ("affine x type", lambda: affine_forward("x", np.ones((2, 3)), np.zeros(3)), TypeError,
     "x must be an array of real numbers, got 'x'"),
    ("affine w ndim", lambda: affine_forward([[1.0, 2.0]], np.ones(2), np.zeros(3)),
     ValueError, "w must have ndim 2, got ndim 1 (shape (2,))"),
    ("affine w type", lambda: affine_forward([[1.0, 2.0]], "w", np.zeros(3)), TypeError,
     "w must be an array of real numbers, got 'w'"),
    ("affine b ndim", lambda: affine_forward([[1.0, 2.0]], np.ones((2, 3)), np.zeros((1, 3))),
     ValueError, "b must have ndim 1, got ndim 2 (shape (1, 3))"),
    ("affine b type", lambda: affine_forward([[1.0, 2.0]], np.ones((2, 3)), "b"), TypeError,
     "b must be an array of real numbers, got 'b'"),
    ("affine b shape", lambda: affine_forward([[1.0, 2.0]], np.ones((2, 3)), np.zeros(2)),
     ValueError, "b must have shape (3,) to match w, got (2,)"),
    ("affine output overflow", lambda: affine_forward([[1e308, 1e308]], np.ones((2, 1)), [0.0]),
     ValueError,
     "affine_forward's output overflows the float range: x, w or b too large in magnitude"),
    ("affine cache.x ndim", lambda: affine_backward(
        np.ones((1, 3)), _affine_cache()._replace(x=np.ones(2))), ValueError,
     "cache.x must have ndim 2, got ndim 1 (shape (2,))"),
    ("affine cache.w ndim", lambda: affine_backward(
        np.ones((1, 3)), _affine_cache()._replace(w=np.ones(2))), ValueError,
     "cache.w must have ndim 2, got ndim 1 (shape (2,))"),
    ("affine dout ndim", lambda: affine_backward(np.ones(3), _affine_cache()), ValueError,
     "dout must have ndim 2, got ndim 1 (shape (3,))"),
    ("affine dout type", lambda: affine_backward("d", _affine_cache()), TypeError,
     "dout must be an array of real numbers, got 'd'"),
    # x has 1 row and 2 columns, w 3 columns: dout must be 1x3
    ("affine dout shape", lambda: affine_backward(np.ones((2, 3)), _affine_cache()), ValueError,
     "dout must have shape (1, 3), got (2, 3)"),
    # dx = dout w^T = 2 * 1e308 overflows; dw = x^T dout = 2 * 1 does not
    ("affine dx overflow", lambda: affine_backward(
        [[2.0]], affine_forward([[1.0]], [[1e308]], [0.0])[1]), ValueError,
     "affine_backward's dx overflows the float range: dout or cache too large in magnitude"),
    # db = 1e308 + 1e308 overflows; dx = dout w^T = 1e308 and dw = x^T dout = 0 do not
    ("affine db overflow", lambda: affine_backward(
        [[1e308], [1e308]], affine_forward([[0.0], [0.0]], [[1.0]], [0.0])[1]), ValueError,
     "affine_backward's db overflows the float range: dout or cache too large in magnitude"),
    # activations
    ("relu x type", lambda: relu_forward("x"), TypeError,
     "x must be an array of real numbers, got 'x'"),
    ("sigmoid x type", lambda: sigmoid_forward("x"), TypeError,
     "x must be an array of real numbers, got 'x'"),
    ("tanh x type", lambda: tanh_forward("x"), TypeError,
     "x must be an array of real numbers, got 'x'"),
    ("activation cache.value type", lambda: relu_backward(
        [1.0], relu_forward([1.0])[1]._replace(value="v")), TypeError,
     "cache.value must be an array of real numbers, got 'v'"),
    ("activation dout type", lambda: relu_backward("d", relu_forward([1.0])[1]), TypeError,
     "dout must be an array of real numbers, got 'd'"),
    ("activation dout shape", lambda: tanh_backward([1.0, 2.0], tanh_forward([1.0])[1]),
     ValueError, "dout must have shape (1,), got (2,)"),
    # batch norm
    ("bn x ndim", lambda: batchnorm_forward([1.0, 2.0], 1.0, 0.0), ValueError,
     "x must have ndim 2, got ndim 1 (shape (2,))"),
    ("bn x type", lambda: batchnorm_forward("x", 1.0, 0.0), TypeError,
     "x must be an array of real numbers, got 'x'"),
    ("bn x empty", lambda: batchnorm_forward(np.zeros((0, 2)), 1.0, 0.0), ValueError,
     "x must have at least one row (a batch to take statistics of), got shape (0, 2)"),
    ("bn gamma ndim", lambda: batchnorm_forward(np.ones((2, 2)), np.ones((2, 2)), 0.0),
     ValueError, "gamma must have ndim 0 or 1, got ndim 2 (shape (2, 2))"),
    ("bn gamma type", lambda: batchnorm_forward(np.ones((2, 2)), "g", 0.0), TypeError,
     "gamma must be an array of real numbers, got 'g'"),
    ("bn beta shape", lambda: batchnorm_forward(np.ones((2, 2)), 1.0, np.zeros(3)), ValueError,
     "beta must be a number or have shape (2,) to match x, got (3,)"),
    # x = 3e300, 1e300: deviations +-1e300, variance 1e600 beyond the float range
    ("bn variance overflow", lambda: batchnorm_forward([[3e300], [1e300]], 1.0, 0.0),
     ValueError, "the batch variance overflows the float range: x too large in magnitude"),
    ("bn output overflow", lambda: batchnorm_forward([[1.0], [3.0]], 1e308, 1e308), ValueError,
     "batchnorm_forward's output overflows the float range: gamma or beta too large in "
     "magnitude"),
    ("bn cache.xhat ndim", lambda: batchnorm_backward(
        np.ones((2, 1)), _bn_cache()._replace(xhat=np.ones(2))), ValueError,
     "cache.xhat must have ndim 2, got ndim 1 (shape (2,))"),
    ("bn cache.xhat type", lambda: batchnorm_backward(
        np.ones((2, 1)), _bn_cache()._replace(xhat="x")), TypeError,
     "cache.xhat must be an array of real numbers, got 'x'"),
    ("bn cache.inv_std zero", lambda: batchnorm_backward(
        np.ones((2, 1)), _bn_cache()._replace(inv_std=np.array([0.0]))), ValueError,
     "cache.inv_std must be positive (1 / sqrt(var + eps)), got [0.0]"),
    ("bn dout ndim", lambda: batchnorm_backward(np.ones(2), _bn_cache()), ValueError,
     "dout must have ndim 2, got ndim 1 (shape (2,))"),
    ("bn dout type", lambda: batchnorm_backward("d", _bn_cache()), TypeError,
     "dout must be an array of real numbers, got 'd'"),
    ("bn dout shape", lambda: batchnorm_backward(np.ones((3, 1)), _bn_cache()), ValueError,
     "dout must have shape (2, 1), got (3, 1)"),
    # xhat = +-1/sqrt(1 + 1e-5); gamma = 1: g = dout, n g = 2 dout = +-2e308 overflows
    ("bn dx overflow", lambda: batchnorm_backward([[1e308], [-1e308]], _bn_cache()), ValueError,
     "batchnorm_backward's dx overflows the float range: dout or cache too large in magnitude"),
    # gamma = 1e-10 keeps dx finite; dgamma = sum(dout * xhat) = 2e308 * 0.999995 does not
    ("bn dgamma overflow", lambda: batchnorm_backward(
        [[1e308], [-1e308]], batchnorm_forward([[1.0], [3.0]], 1e-10, 0.0)[1]), ValueError,
     "batchnorm_backward's dgamma overflows the float range: dout or cache too large in "
     "magnitude"),
    # dgamma = 1e308 * (xhat_1 + xhat_2) = 0, dbeta = 1e308 + 1e308 overflows
    ("bn dbeta overflow", lambda: batchnorm_backward(
        [[1e308], [1e308]], batchnorm_forward([[1.0], [3.0]], 1e-10, 0.0)[1]), ValueError,
     "batchnorm_backward's dbeta overflows the float range: dout or cache too large in "
     "magnitude"),
    ("bn running_mean type", lambda: batchnorm_inference(
        [[1.0]], 1.0, 0.0, running_mean="m", running_var=[1.0]), TypeError,
     "running_mean must be an array of real numbers, got 'm'"),
    ("bn running_var type", lambda: batchnorm_inference(
        [[1.0]], 1.0, 0.0, running_mean=[0.0], running_var="v"), TypeError,
     "running_var must be an array of real numbers, got 'v'"),
    ("bn running_mean ndim", lambda: batchnorm_inference(
        [[1.0]], 1.0, 0.0, running_mean=[[0.0]], running_var=[1.0]), ValueError,
     "running_mean must have ndim 1, got ndim 2 (shape (1, 1))"),
    ("bn running_var shape", lambda: batchnorm_inference(
        [[1.0]], 1.0, 0.0, running_mean=[0.0], running_var=[1.0, 1.0]), ValueError,
     "running_var must have shape (1,) to match x, got (2,)"),
    ("bn inference overflow", lambda: batchnorm_inference(
        [[1e308]], 1e308, 0.0, **BN), ValueError,
     "batchnorm_inference's output overflows the float range: x, gamma, beta, running_mean "
     "or running_var too large in magnitude"),
    # (1e308 - (-1e308)) / sqrt(0 + 1e-5) is beyond the float range: 0 times it is no number
    ("bn inference 0 * overflow", lambda: batchnorm_inference(
        [[1e308]], 0.0, 0.0, running_mean=[-1e308], running_var=[0.0]), ValueError,
     "batchnorm_inference's output overflows the float range: x, gamma, beta, running_mean "
     "or running_var too large in magnitude"),
    # dropout
    ("dropout x type", lambda: dropout_forward("x", p_keep=0.5, rng=np.random.default_rng(0)),
     TypeError, "x must be an array of real numbers, got 'x'"),
    ("dropout p_keep 0", lambda: dropout_forward(np.ones(2), p_keep=0.0,
                                                 rng=np.random.default_rng(0)), ValueError,
     "p_keep must be in (0.0, 1.0], got 0.0"),
    ("dropout inverted", lambda: dropout_forward(np.ones(2), p_keep=0.5, inverted="yes",
                                                 rng=np.random.default_rng(0)), TypeError,
     "inverted must be a bool, got 'yes'"),
    ("dropout output overflow", lambda: dropout_forward(
        np.full(100, 1e308), p_keep=0.25, rng=np.random.default_rng(1)), ValueError,
     "dropout_forward's output overflows the float range: x or p_keep too large in magnitude"),
    ("dropout cache.multiplier array", lambda: dropout_backward(
        np.ones(4), _dropout_cache()._replace(multiplier=np.full(4, np.nan))), ValueError,
     "cache.multiplier must contain only finite values, got array([nan, nan, nan, nan])"),
    ("dropout cache.multiplier negative", lambda: dropout_backward(
        np.ones(4), _dropout_cache(train=False)._replace(multiplier=-0.5)), ValueError,
     "cache.multiplier must be in [0.0, inf), got -0.5"),
    ("dropout cache.multiplier type", lambda: dropout_backward(
        np.ones(4), _dropout_cache()._replace(multiplier="m")), TypeError,
     "cache.multiplier must be an array or a float, got 'm'"),
    ("dropout dout type", lambda: dropout_backward("d", _dropout_cache()), TypeError,
     "dout must be an array of real numbers, got 'd'"),
    ("dropout dout shape", lambda: dropout_backward(np.ones(3), _dropout_cache()), ValueError,
     "dout must have shape (4,), got (3,)"),
    ("dropout backward overflow", lambda: dropout_backward(
        np.full(4, 1e308), _dropout_cache(train=False)._replace(multiplier=4.0)), ValueError,
     "dropout_backward's output overflows the float range: dout or cache too large in "
     "magnitude"),
]


@pytest.mark.filterwarnings("error")   # overflow is the error below, never a RuntimeWarning
@pytest.mark.parametrize("call, exc, message", [case[1:] for case in EXACT_ERRORS],
                         ids=[case[0] for case in EXACT_ERRORS])
def test_each_check_raises_its_exact_message(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == message


def test_conv2d_backward_names_the_gradient_that_overflowed():
    # x = 1, w = 1e308: dx = w * dout = 2e308 overflows, dw = x * dout = 2 does not
    _, cache = conv2d_forward(np.ones((1, 1, 1, 1)), np.full((1, 1, 1, 1), 1e308))
    with pytest.raises(ValueError) as info:
        conv2d_backward(np.full((1, 1, 1, 1), 2.0), cache)
    assert str(info.value) == ("conv2d_backward's dx overflows the float range: dout or cache "
                               "too large in magnitude")
    # x = 1e308, w = 1: dw = x * dout = 2e308 overflows, dx = w * dout = 2 does not
    _, cache = conv2d_forward(np.full((1, 1, 1, 1), 1e308), np.ones((1, 1, 1, 1)))
    with pytest.raises(ValueError) as info:
        conv2d_backward(np.full((1, 1, 1, 1), 2.0), cache)
    assert str(info.value) == ("conv2d_backward's dw overflows the float range: dout or cache "
                               "too large in magnitude")


def test_conv2d_bias_follows_the_data_dtype_before_it_is_added():
    # b = 2^-24 + 2^-50 in float64 is 2^-24 in float32; 1 + 2^-24 is halfway between the
    # float32 neighbours 1 and 1 + 2^-23 and rounds to even: 1. Adding the float64 b first
    # and rounding once would give 1 + 2^-23.
    b = np.array([2.0**-24 + 2.0**-50])
    out, _ = conv2d_forward(np.ones((1, 1, 1, 1), np.float32), np.ones((1, 1, 1, 1), np.float32),
                            b)
    assert out.dtype == np.float32
    assert out[0, 0, 0, 0] == 1.0


def test_avgpool_of_integers_with_an_integer_mean_is_exact():
    # 4 + 0 + 4 + 6 + 4 + 3 + 5 + 9 + 1 = 36, / 9 = 4 exactly (sum first, then divide)
    x = np.array([[4.0, 0.0, 4.0], [6.0, 4.0, 3.0], [5.0, 9.0, 1.0]]).reshape(1, 1, 3, 3)
    out, _ = avgpool2d_forward(x, kernel=3)
    assert out[0, 0, 0, 0] == 4.0


@pytest.mark.filterwarnings("error")
def test_avgpool_of_huge_values_averages_each_window():
    # two 2x2 windows whose sums overflow: their means are 1.7e308 and 1e308
    x = np.array([[1.7e308, 1.7e308, 1e308, 1e308]] * 2).reshape(1, 1, 2, 4)
    out, _ = avgpool2d_forward(x, kernel=2)
    np.testing.assert_allclose(out[0, 0], [[1.7e308, 1e308]], rtol=1e-15)


def test_a_corrupted_argmax_message_stays_short():
    cache = _pool_cache()._replace(argmax=np.arange(1000).reshape(1, 1, 10, 100))
    with pytest.raises(ValueError) as info:
        maxpool2d_backward(np.ones((1, 1, 2, 2)), cache)
    assert str(info.value).startswith("cache.argmax must be an int array of shape (1, 1, 2, 2)")
    assert len(str(info.value)) == 300


@pytest.mark.parametrize("float64_field", ["x", "w"])
def test_affine_backward_is_float64_when_a_cached_array_is(float64_field):
    _, cache = affine_forward(np.ones((2, 3), np.float32), np.ones((3, 4), np.float32),
                              np.zeros(4, np.float32))
    cache = cache._replace(**{float64_field: getattr(cache, float64_field).astype(np.float64)})
    grads = affine_backward(np.ones((2, 4), np.float32), cache)
    assert [g.dtype for g in grads] == [np.float64] * 3


def test_saturated_sigmoid_and_tanh_outputs_are_valid_caches():
    # sigmoid(-800) = 0 and sigmoid(800) = 1, tanh(+-30) = +-1 in floating point: the
    # boundary values are outputs of the forward passes, and their local gradient is 0
    out, cache = sigmoid_forward([-800.0, 800.0])
    assert out.tolist() == [0.0, 1.0]
    np.testing.assert_array_equal(sigmoid_backward([1.0, 1.0], cache), [0.0, 0.0])
    out, cache = tanh_forward([-30.0, 30.0])
    assert out.tolist() == [-1.0, 1.0]
    np.testing.assert_array_equal(tanh_backward([1.0, 1.0], cache), [0.0, 0.0])


def test_batchnorm_backward_dtype_follows_xhat_and_dout_not_the_cached_parameters():
    _, cache = batchnorm_forward(np.array([[1.0], [3.0]], np.float32), 1.0, 0.0)
    cache = cache._replace(inv_std=cache.inv_std.astype(np.float64),
                           gamma=cache.gamma.astype(np.float64))
    grads = batchnorm_backward(np.ones((2, 1), np.float32), cache)
    assert [g.dtype for g in grads] == [np.float32] * 3


def test_batchnorm_inference_default_eps_and_zero_running_variance():
    # (1 - 0) / sqrt(1 + 1e-5), the default eps being 1e-5
    out = batchnorm_inference([[1.0]], 1.0, 0.0, running_mean=[0.0], running_var=[1.0])
    np.testing.assert_allclose(out, [[1 / math.sqrt(1.00001)]], rtol=1e-12)
    # a zero running variance is allowed: eps alone is under the square root
    out = batchnorm_inference([[1.0]], 1.0, 0.0, running_mean=[0.0], running_var=[0.0],
                              eps=0.25)
    np.testing.assert_allclose(out, [[2.0]], rtol=1e-12)


@pytest.mark.filterwarnings("error")
def test_batchnorm_forward_scales_each_feature_on_its_own():
    # feature 0 is huge (2^532 +- 2^510: variance 2^1020, near the float limit), feature 1
    # ordinary (0.3, 0.1): each value is one standard deviation from the mean, so xhat = +-1
    # (feature 1: +-0.1 / sqrt(0.01 + eps), eps = 1e-5). Scaled by the huge feature's size,
    # feature 1's squared deviations (0.01 * 2^-1064) would be subnormal, about 3 digits.
    big, dev = 2.0**532, 2.0**510
    out, _ = batchnorm_forward([[big + dev, 0.3], [big - dev, 0.1]], 1.0, 0.0)
    s = 0.1 / math.sqrt(0.01 + 1e-5)
    np.testing.assert_allclose(out, [[1.0, s], [-1.0, -s]], rtol=1e-12)


@pytest.mark.filterwarnings("error")
def test_batchnorm_forward_of_a_constant_huge_feature_is_beta():
    # x - mean = 0 for every example: xhat = 0, out = beta, whatever the size of x
    # (2^1023, a power of two: its mean is computed exactly; its sum would overflow)
    out, cache = batchnorm_forward(np.full((3, 2), 2.0**1023), 2.0, 5.0)
    np.testing.assert_array_equal(out, 5.0)
    np.testing.assert_array_equal(cache.xhat, 0.0)
    np.testing.assert_array_equal(cache.var, 0.0)


def test_batchnorm_forward_of_tiny_values_even_when_underflow_traps():
    # x = (3e-300, 1e-300): the variance 1e-600 underflows to 0, so
    # xhat = +-1e-300 / sqrt(0 + 1e-5) = +-3.16227766e-298; the caller's trap on underflow
    # does not turn that harmless underflow into an error
    with np.errstate(under="raise"):
        out, cache = batchnorm_forward([[3e-300], [1e-300]], 1.0, 0.0)
    assert cache.var.tolist() == [0.0]
    np.testing.assert_allclose(out[:, 0], [1e-300 / math.sqrt(1e-5), -1e-300 / math.sqrt(1e-5)],
                               rtol=1e-12)


def test_batchnorm_of_subnormal_values_divides_by_no_zero():
    # x = (2^-1074, 0), the smallest positive float and 0: mean 2^-1075, deviations
    # +-2^-1075, variance 2^-2150 = 0 in floating point; xhat = +-2^-1075 / sqrt(1e-5)
    out, _ = batchnorm_forward([[5e-324], [0.0]], 1.0, 0.0)
    want = 5e-324 / math.sqrt(1e-5) / 2          # 7.8e-322, itself subnormal: 1 % precision
    np.testing.assert_allclose(out[:, 0], [want, -want], rtol=0.01)


def test_batchnorm_float32_cache_is_float32():
    _, cache = batchnorm_forward(np.array([[1.0, 2.0], [3.0, 5.0]], np.float32), 1.0, 0.0)
    assert {a.dtype for a in cache} == {np.dtype(np.float32)}


def test_conv2d_kernel_larger_than_the_input_fits_the_padded_input():
    # x 2x2 of ones, a 3x3 kernel of ones, padding 1: every window holds all four inputs,
    # so each of the 2x2 outputs is 4; each input lies in all four windows: dx = 4
    out, cache = conv2d_forward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), padding=1)
    np.testing.assert_allclose(out, np.full((1, 1, 2, 2), 4.0))
    dx, dw, _ = conv2d_backward(np.ones((1, 1, 2, 2)), cache)
    np.testing.assert_allclose(dx, np.full((1, 1, 2, 2), 4.0))
    # dw[a, b] sums the inputs at offset (a, b) over the four windows: 4 at the centre,
    # 2 at the edges, 1 at the corners
    np.testing.assert_allclose(dw[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_sums_whose_terms_overflow_are_errors_not_nan():
    # 2 * 1e308 - 2 * 1e308: each product is beyond the float range, their sum is no number
    with pytest.raises(ValueError) as info:
        affine_forward([[1e308, 1e308]], [[2.0], [-2.0]], [0.0])
    assert str(info.value) == ("affine_forward's output overflows the float range: x, w or b "
                               "too large in magnitude")
    _, cache = affine_forward([[1e308], [1e308]], [[1.0]], [0.0])
    with pytest.raises(ValueError) as info:
        affine_backward([[2.0], [-2.0]], cache)         # dw = 1e308 * 2 + 1e308 * (-2)
    assert str(info.value) == ("affine_backward's dw overflows the float range: dout or cache "
                               "too large in magnitude")
    _, cache = conv2d_forward(np.full((1, 1, 1, 2), 1e308), np.ones((1, 1, 1, 1)))
    with pytest.raises(ValueError) as info:
        conv2d_backward(np.array([[[[2.0, -2.0]]]]), cache)   # dw the same sum
    assert str(info.value) == ("conv2d_backward's dw overflows the float range: dout or cache "
                               "too large in magnitude")


# ---- the kernels the training loop runs ---------------------------------------------------

def test_sigmoid_of_float32_is_computed_in_float64_and_rounded():
    # the float64 sigmoid rounded to float32, exactly: computing in float32 would differ in
    # the last bit for some of these
    x = np.random.default_rng(40).normal(scale=4.0, size=2000).astype(np.float32)
    out, _ = sigmoid_forward(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, dc.sigmoid(x.astype(np.float64)).astype(np.float32))
    with np.errstate(all="ignore"):
        in_float32 = (1 / (1 + np.exp(-x))).astype(np.float32)
    assert np.any(in_float32 != out)


def test_the_affine_backward_kernel_takes_stacks_of_layers():
    # dlcalc.layers._affine_backward on arrays with a leading axis (one entry per network,
    # as dlcalc.training trains several at once): each entry's gradients are those of
    # affine_backward on that entry alone
    from dlcalc import layers
    rng = np.random.default_rng(41)
    x, w = rng.normal(size=(3, 5, 4)), rng.normal(size=(3, 4, 2))
    dout = rng.normal(size=(3, 5, 2))
    dx, dw, db = layers._affine_backward(dout, layers.AffineCache(x, w))
    assert (dx.shape, dw.shape, db.shape) == ((3, 5, 4), (3, 4, 2), (3, 2))
    for i in range(3):
        cache = affine_forward(x[i], w[i], np.zeros(2))[1]
        for got, want in zip((dx[i], dw[i], db[i]), affine_backward(dout[i], cache)):
            np.testing.assert_allclose(got, want, rtol=1e-12)
