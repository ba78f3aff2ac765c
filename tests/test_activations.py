import math
import warnings

import numpy as np
import pytest
from gradcheck import numeric_gradient, rel_error
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlcalc.activations import (
    cross_entropy,
    log_softmax,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_cross_entropy,
)

finite = st.floats(-1000, 1000, allow_nan=False)


def test_softmax_known_values():
    # [2, 1, 0.1]: e^2 / (e^2 + e + e^0.1) and so on
    z = [2.0, 1.0, 0.1]
    total = math.exp(2) + math.exp(1) + math.exp(0.1)
    np.testing.assert_allclose(softmax(z), [math.exp(v) / total for v in z], rtol=1e-14)
    # four equal scores: 1/4 each
    np.testing.assert_array_equal(softmax([0.3, 0.3, 0.3, 0.3]), [0.25] * 4)


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=finite),
       st.floats(-1000, 1000), st.sampled_from([0, 1, -1]))
def test_softmax_sums_to_one_and_ignores_a_constant_shift(z, c, axis):
    p = softmax(z, axis=axis)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-12)
    np.testing.assert_allclose(softmax(z + c, axis=axis), p, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.exp(log_softmax(z, axis=axis)), p, rtol=1e-9, atol=1e-300)


def test_large_logits_neither_overflow_nor_warn():
    z = np.array([[1000.0, -1000.0, 999.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(z)
        lp = log_softmax(z)
        loss = cross_entropy(z, [1])
        s = sigmoid([1000.0, -1000.0, 800.0, -800.0])
        g = sigmoid_grad([1000.0, -1000.0])
    # softmax: e^0 : e^-2000 : e^-1 -> 1/(1+e^-1), 0, e^-1/(1+e^-1)
    q = math.exp(-1)
    np.testing.assert_allclose(p[0], [1 / (1 + q), 0.0, q / (1 + q)])
    # log_softmax of the -1000 entry: -1000 - 1000 - log(1 + e^-1)
    np.testing.assert_allclose(lp[0, 1], -2000 - math.log1p(math.exp(-1)), rtol=1e-15)
    assert loss == pytest.approx(2000 + math.log1p(math.exp(-1)), rel=1e-15)
    np.testing.assert_array_equal(s, [1.0, 0.0, 1.0, 0.0])
    np.testing.assert_array_equal(g, [0.0, 0.0])


def test_cross_entropy_is_the_mean_negative_log_probability():
    # two examples: [log 2, 0] with label 0 -> p = 2/3; [0, 0, ...] -> uniform
    logits = np.array([[math.log(2), 0.0], [0.0, 0.0]])
    expected = -(math.log(2 / 3) + math.log(1 / 2)) / 2
    assert cross_entropy(logits, [0, 1]) == pytest.approx(expected, rel=1e-14)
    loss, _ = softmax_cross_entropy(logits, np.array([0, 1]))
    assert loss == pytest.approx(expected, rel=1e-14)


def test_softmax_cross_entropy_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    for n, k in [(1, 3), (4, 5), (7, 2)]:
        logits = rng.normal(size=(n, k)) * 3
        labels = rng.integers(0, k, size=n)
        _, dlogits = softmax_cross_entropy(logits, labels)
        num = numeric_gradient(lambda z, y=labels: np.array(cross_entropy(z, y)), logits, 1.0)
        assert rel_error(dlogits, num) < 1e-6


def test_derivatives_match_finite_differences():
    z = np.linspace(-6, 6, 24)  # an even count of points avoids 0, where relu has no slope
    for fn, grad in ((sigmoid, sigmoid_grad), (relu, relu_grad)):
        # fn is elementwise, so the gradient of sum(fn(z)) is the vector of its slopes
        assert rel_error(grad(z), numeric_gradient(fn, z, np.ones(24))) < 1e-6


def test_sigmoid_known_values_and_symmetry():
    z = np.array([-2.0, 0.0, 2.0])
    np.testing.assert_allclose(sigmoid(z), [1 / (1 + math.exp(2)), 0.5, 1 / (1 + math.exp(-2))],
                               rtol=1e-15)
    np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z), rtol=1e-14)
    assert sigmoid_grad(0.0) == 0.25  # the largest slope: 1/2 * 1/2


def test_relu_and_its_derivative():
    z = [-3.0, -0.0, 0.0, 1e-300, 2.5]
    np.testing.assert_array_equal(relu(z), [0.0, 0.0, 0.0, 1e-300, 2.5])
    np.testing.assert_array_equal(relu_grad(z), [0.0, 0.0, 0.0, 1.0, 1.0])


def test_functions_do_not_modify_their_argument():
    z = np.array([[3.0, -1.0, 2.0]])
    before = z.copy()
    for fn in (softmax, log_softmax, sigmoid, sigmoid_grad, relu, relu_grad):
        fn(z)
    softmax_cross_entropy(z, [0])
    np.testing.assert_array_equal(z, before)


def test_bad_input_is_rejected_with_the_argument_named():
    with pytest.raises(ValueError, match="z must have ndim >= 1"):
        softmax(3.0)
    with pytest.raises(ValueError, match="axis must be an int in"):
        softmax([1.0, 2.0], axis=1)
    with pytest.raises(ValueError, match="z must contain only finite values"):
        log_softmax([1.0, np.inf])
    with pytest.raises(ValueError, match="logits must have ndim 2"):
        cross_entropy([1.0, 2.0], [0])
    with pytest.raises(ValueError, match=r"labels must have shape \(2,\)"):
        cross_entropy([[1.0, 2.0], [0.0, 0.0]], [0])
    with pytest.raises(ValueError, match=r"labels must be class indices in \[0, 2\)"):
        softmax_cross_entropy([[1.0, 2.0]], [2])
    with pytest.raises(TypeError, match="labels must be an array of ints"):
        cross_entropy([[1.0, 2.0]], [0.5])
