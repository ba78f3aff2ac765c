"""Tests of dlcalc.data: the generated 2-D sets and the digits split."""

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcalc import data
from dlcalc.data import circles, load_digits_split, two_moons

sklearn_datasets = pytest.importorskip("sklearn.datasets")


@pytest.mark.parametrize("n", [2, 7, 100])
def test_two_moons_without_noise_matches_scikit_learn(n):
    x, y = two_moons(n, noise=0.0, rng=np.random.default_rng(0))
    x_ref, y_ref = sklearn_datasets.make_moons(n, noise=None, shuffle=False)
    np.testing.assert_allclose(x, x_ref, atol=1e-15)
    np.testing.assert_array_equal(y, y_ref)


@pytest.mark.parametrize("n, factor", [(2, 0.5), (9, 0.3), (100, 0.8)])
def test_circles_without_noise_matches_scikit_learn(n, factor):
    x, y = circles(n, factor=factor, noise=0.0, rng=np.random.default_rng(0))
    x_ref, y_ref = sklearn_datasets.make_circles(n, factor=factor, noise=None, shuffle=False)
    np.testing.assert_allclose(x, x_ref, atol=1e-15)
    np.testing.assert_array_equal(y, y_ref)


def test_circles_radii_are_one_and_factor():
    x, y = circles(50, factor=0.3, noise=0.0, rng=np.random.default_rng(0))
    r = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(2, 200), noise=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1))
def test_moons_shapes_balance_and_seed(n, noise, seed):
    x, y = two_moons(n, noise=noise, rng=np.random.default_rng(seed))
    assert x.shape == (n, 2) and y.shape == (n,)
    assert np.count_nonzero(y == 0) == n // 2
    x2, y2 = two_moons(n, noise=noise, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)


def test_noise_has_the_stated_standard_deviation():
    clean, _ = two_moons(20000, noise=0.0, rng=np.random.default_rng(0))
    noisy, _ = two_moons(20000, noise=0.2, rng=np.random.default_rng(1))
    # 40,000 draws: the sample std is within 0.2 * 3 / sqrt(2 * 40000) ~ 0.002 of 0.2
    assert abs((noisy - clean).std() - 0.2) < 0.003


def test_digits_split_shapes_scale_and_disjointness():
    x_train, y_train, x_test, y_test = load_digits_split(test_fraction=0.2, seed=3)
    # 1797 images; round(0.2 * 1797) = round(359.4) = 359 for testing
    assert x_test.shape == (359, 1, 8, 8) and x_train.shape == (1797 - 359, 1, 8, 8)
    assert y_train.shape == (1438,) and y_test.shape == (359,)
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert set(np.unique(y_train)) == set(range(10))
    # the two parts together are exactly the scikit-learn images, each once
    bunch = sklearn_datasets.load_digits()
    both = np.concatenate([x_train, x_test]).reshape(1797, 64) * 16.0
    key = lambda rows: sorted(map(bytes, rows.astype(np.int64)))  # noqa: E731
    assert key(both) == key(bunch.data)


def test_digits_split_depends_on_seed_only():
    a = load_digits_split(test_fraction=0.25, seed=1)
    b = load_digits_split(test_fraction=0.25, seed=1)
    c = load_digits_split(test_fraction=0.25, seed=2)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])


def test_digits_without_scikit_learn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    monkeypatch.setattr(data, "_digits_file", lambda: None)
    data._digits.cache_clear()       # the digits are read once per process
    with pytest.raises(ImportError, match=r"dlcalc\[data\]"):
        load_digits_split()
    data._digits.cache_clear()


def test_the_digits_file_holds_what_load_digits_returns(monkeypatch):
    # read from scikit-learn's file (without importing scikit-learn), and through
    # load_digits where that file is not found: the same images and labels
    bunch = sklearn_datasets.load_digits()
    assert data._digits_file() is not None
    read = data._digits_table()
    np.testing.assert_array_equal(read[:, :-1], bunch.data)
    np.testing.assert_array_equal(read[:, -1], bunch.target)
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: None)
    assert data._digits_file() is None
    np.testing.assert_array_equal(data._digits_table(), read)
    data._digits.cache_clear()
    images, labels = data._digits()
    data._digits.cache_clear()
    np.testing.assert_array_equal(images, bunch.images / 16.0)
    np.testing.assert_array_equal(labels, bunch.target)
    assert labels.dtype == np.int64 and images.dtype == np.float64


def test_no_digits_file_where_scikit_learn_has_none(monkeypatch, tmp_path):
    class Spec:
        origin = str(tmp_path / "__init__.py")
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: Spec())
    assert data._digits_file() is None
    Spec.origin = None
    assert data._digits_file() is None


@pytest.mark.parametrize("kwargs, exc, name", [
    (dict(n=1, noise=0.1), ValueError, "n"),
    (dict(n=2.5, noise=0.1), TypeError, "n"),
    (dict(n=10, noise=-0.1), ValueError, "noise"),
])
def test_moons_bad_input(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        two_moons(rng=np.random.default_rng(0), **kwargs)


def test_bad_rng_and_factor():
    with pytest.raises(TypeError, match="rng"):
        two_moons(10, rng=0)
    with pytest.raises(ValueError, match="factor"):
        circles(10, factor=1.0, rng=np.random.default_rng(0))


@pytest.mark.parametrize("fraction", [0.0, 1.0, 1e-5])
def test_digits_bad_fraction(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits_split(test_fraction=fraction)


@pytest.mark.parametrize("make, ref", [
    (two_moons, lambda n: sklearn_datasets.make_moons(n, noise=None, shuffle=False)),
    (circles, lambda n: sklearn_datasets.make_circles(n, factor=0.5, noise=None,
                                                       shuffle=False)),
])
def test_unbalanced_classes_match_scikit_learn(make, ref):
    x, y = make((7, 3), noise=0.0, rng=np.random.default_rng(0))
    x_ref, y_ref = ref((7, 3))
    np.testing.assert_allclose(x, x_ref, atol=1e-15)
    np.testing.assert_array_equal(y, y_ref)
    assert np.count_nonzero(y == 0) == 7 and np.count_nonzero(y == 1) == 3


@pytest.mark.parametrize("n", [(3,), (0, 4), (3, 2, 1)])
def test_bad_class_sizes(n):
    with pytest.raises((ValueError, TypeError), match="n"):
        two_moons(n, rng=np.random.default_rng(0))
