"""Tests of dlcalc.init: fans and the initialisation schemes."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcalc.init import (WEIGHT_INITS, constant, fans, he_normal, he_uniform, init_weights,
                         normal, uniform, xavier_normal, xavier_uniform, zeros)


def test_fans_known_values():
    # AlexNet conv1: 96 filters 11x11 over 3 channels -> fan_in 3*11*11 = 363, fan_out 96*121
    assert fans((96, 3, 11, 11)) == (363, 96 * 121)
    assert fans((784, 100)) == (784, 100)


def test_zeros_and_constant():
    assert not zeros((3, 4)).any()
    np.testing.assert_array_equal(constant(4, -5.0), [-5.0, -5.0, -5.0, -5.0])


# Each scheme with its textbook standard deviation for a 256 x 128 affine weight:
# he: sqrt(2 / 256) = 0.0884; xavier: sqrt(2 / (256 + 128)) = 0.0722;
# uniform limit a has std a / sqrt(3): he_uniform a = sqrt(6 / 256), xavier_uniform
# a = sqrt(6 / 384), so the same stds as the normal versions.
@pytest.mark.parametrize("make, std", [
    (he_normal, math.sqrt(2 / 256)),
    (he_uniform, math.sqrt(2 / 256)),
    (xavier_normal, math.sqrt(2 / 384)),
    (xavier_uniform, math.sqrt(2 / 384)),
])
def test_scheme_standard_deviation(make, std):
    w = make((256, 128), rng=np.random.default_rng(0))
    assert w.shape == (256, 128)
    # 32,768 draws: relative error of a sample std ~ 1 / sqrt(2 * 32768) = 0.4 %
    assert abs(w.std() / std - 1) < 0.02
    assert abs(w.mean()) < 3 * std / math.sqrt(w.size)


def test_conv_fan_in_sets_he_std():
    # 3x3 filters over 16 channels: fan_in 144, std sqrt(2 / 144) = 0.1179
    w = he_normal((64, 16, 3, 3), rng=np.random.default_rng(1))
    assert abs(w.std() / math.sqrt(2 / 144) - 1) < 0.03


@settings(max_examples=20, deadline=None)
@given(d=st.integers(1, 50), m=st.integers(1, 50), seed=st.integers(0, 2**32 - 1))
def test_uniform_schemes_respect_their_limits(d, m, seed):
    w = xavier_uniform((d, m), rng=np.random.default_rng(seed))
    assert np.abs(w).max() <= math.sqrt(6 / (d + m))
    w = he_uniform((d, m), rng=np.random.default_rng(seed))
    assert np.abs(w).max() <= math.sqrt(6 / d)
    w = uniform((d, m), limit=0.25, rng=np.random.default_rng(seed))
    assert np.abs(w).max() <= 0.25


def test_same_seed_same_weights_and_normal_scale():
    a = init_weights((5, 5), "normal", rng=np.random.default_rng(7), std=10.0)
    b = normal((5, 5), std=10.0, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    c = normal((5, 5), std=1.0, rng=np.random.default_rng(7))
    np.testing.assert_allclose(a, 10.0 * c)


@pytest.mark.parametrize("scheme", WEIGHT_INITS)
def test_init_weights_every_scheme_has_the_shape(scheme):
    w = init_weights((4, 1, 3, 3), scheme, rng=np.random.default_rng(0))
    assert w.shape == (4, 1, 3, 3)
    assert (not w.any()) == (scheme == "zeros")


def test_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="scheme"):
        init_weights((2, 2), "glorot", rng=rng)
    with pytest.raises(ValueError, match="shape"):
        fans((2, 3, 4))
    with pytest.raises(ValueError, match="shape"):
        zeros((2, 0))
    with pytest.raises(ValueError, match="std"):
        normal((2, 2), std=-1.0, rng=rng)
    with pytest.raises(TypeError, match="rng"):
        he_normal((2, 2), rng=np.random.RandomState(0))
    with pytest.raises(ValueError, match="value"):
        constant(2, float("nan"))
