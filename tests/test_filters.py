import numpy as np
import pytest

from dlcalc.filters import (
    HORIZONTAL_EDGE,
    PREWITT_X,
    PREWITT_Y,
    SOBEL_X,
    SOBEL_Y,
    VERTICAL_EDGE,
    edge_filter,
)
from dlcalc.signal import correlate2d

ALL = {"vertical_edge": VERTICAL_EDGE, "horizontal_edge": HORIZONTAL_EDGE,
       "sobel_x": SOBEL_X, "sobel_y": SOBEL_Y, "prewitt_x": PREWITT_X, "prewitt_y": PREWITT_Y}


def test_values_are_the_textbook_ones():
    np.testing.assert_array_equal(VERTICAL_EDGE, [[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    np.testing.assert_array_equal(HORIZONTAL_EDGE, [[1, 1, 1], [0, 0, 0], [-1, -1, -1]])
    np.testing.assert_array_equal(SOBEL_X, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(SOBEL_Y, [[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    np.testing.assert_array_equal(PREWITT_X, [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]])
    np.testing.assert_array_equal(PREWITT_Y, [[-1, -1, -1], [0, 0, 0], [1, 1, 1]])


@pytest.mark.parametrize("name", sorted(ALL))
def test_filters_sum_to_zero_and_are_read_only(name):
    f = ALL[name]
    assert f.shape == (3, 3) and f.sum() == 0  # a flat image gives no response
    with pytest.raises(ValueError, match="read-only"):
        f[0, 0] = 5.0


def test_sign_conventions_on_steps():
    # intensity rising to the right (0 | 10) and downwards
    right = np.array([[0.0, 0.0, 10.0, 10.0]] * 3)
    down = right.T
    # first window, columns 0..2 = (0, 0, 10) in each row: 10 * (right column weight), summed
    assert correlate2d(right, SOBEL_X)[0, 0] == (0 * -1 + 10 * 1) * (1 + 2 + 1)   # +40
    assert correlate2d(right, PREWITT_X)[0, 0] == 3 * 10                          # +30
    assert correlate2d(right, VERTICAL_EDGE)[0, 0] == -3 * 10     # brighter on the right: -30
    assert correlate2d(down, SOBEL_Y)[0, 0] == 40
    assert correlate2d(down, PREWITT_Y)[0, 0] == 30
    assert correlate2d(down, HORIZONTAL_EDGE)[0, 0] == -30


@pytest.mark.parametrize("name", sorted(ALL) + ["vertical", "horizontal", "Sobel_X"])
def test_edge_filter_returns_a_fresh_writable_copy(name):
    f = edge_filter(name)
    key = name.lower() if name.lower() in ALL else name + "_edge"
    np.testing.assert_array_equal(f, ALL[key])
    f[0, 0] = 99.0
    assert ALL[key][0, 0] != 99.0
    assert edge_filter(name)[0, 0] != 99.0


def test_edge_filter_rejects_unknown_names():
    with pytest.raises(ValueError, match="name must be one of"):
        edge_filter("laplacian")
    with pytest.raises(TypeError, match="name must be a str"):
        edge_filter(3)
