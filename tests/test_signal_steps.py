"""Tests of dlcalc.signal_steps: the substituted sums of a 1-D correlation/convolution."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcalc.signal_steps import convolve1d_latex, correlate1d_latex


def _values(latex):
    """The value after the last '=' of every line."""
    body = latex.split(r"\begin{aligned}")[1].split(r"\end{aligned}")[0]
    return [float(line.rsplit("=", 1)[1]) for line in body.split(r"\\")]


def test_assignment_example_with_padding_written_out():
    # [0, 4, 1, -1, 3, 0] against [-2, 1]: 0*-2+4*1 = 4, 4*-2+1*1 = -7, 1*-2+(-1)*1 = -3,
    # (-1)*-2+3*1 = 5, 3*-2+0*1 = -6
    latex = correlate1d_latex([4, 1, -1, 3], [-2, 1], padding=1)
    assert latex == (r"\begin{aligned} "
                     r"y_{0} &= 0 \cdot (-2) + 4 \cdot 1 = 4 \\ "
                     r"y_{1} &= 4 \cdot (-2) + 1 \cdot 1 = -7 \\ "
                     r"y_{2} &= 1 \cdot (-2) + (-1) \cdot 1 = -3 \\ "
                     r"y_{3} &= (-1) \cdot (-2) + 3 \cdot 1 = 5 \\ "
                     r"y_{4} &= 3 \cdot (-2) + 0 \cdot 1 = -6"
                     r" \end{aligned}")


def test_true_convolution_flips_the_kernel():
    # flipped kernel (1, -2): 0*1+4*(-2) = -8, 4*1+1*(-2) = 2, 1*1+(-1)*(-2) = 3,
    # (-1)*1+3*(-2) = -7, 3*1+0*(-2) = 3  -- the product of the polynomials
    latex = convolve1d_latex([4, 1, -1, 3], [-2, 1], padding=1)
    assert latex.startswith(r"\overleftarrow{k} = (1, -2), \quad \begin{aligned} ")
    assert _values(latex) == [-8, 2, 3, -7, 3]
    assert r"y_{0} &= 0 \cdot 1 + 4 \cdot (-2) = -8" in latex


def test_fractional_entries_are_rounded_to_digits():
    # 0.5*0.25 + 1.5*1 = 1.625 -> shown with 2 decimals as 1.62 or 1.63 (round half even)
    latex = correlate1d_latex([0.5, 1.5], [0.25, 1.0], digits=2)
    assert r"0.5 \cdot 0.25 + 1.5 \cdot 1 = 1.62" in latex


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=1, max_size=8),
       st.lists(st.integers(-9, 9), min_size=1, max_size=4),
       st.integers(0, 3))
def test_values_equal_a_naive_loop(x, k, padding):
    if len(k) > len(x) + 2 * padding:
        with pytest.raises(ValueError, match="k"):
            correlate1d_latex(x, k, padding=padding)
        return
    xp = [0] * padding + x + [0] * padding
    naive = [sum(xp[i + j] * k[j] for j in range(len(k))) for i in range(len(xp) - len(k) + 1)]
    assert _values(correlate1d_latex(x, k, padding=padding)) == naive
    flipped = k[::-1]
    naive_conv = [sum(xp[i + j] * flipped[j] for j in range(len(k)))
                  for i in range(len(xp) - len(k) + 1)]
    assert _values(convolve1d_latex(x, k, padding=padding)) == naive_conv


def test_every_term_is_a_product_of_one_input_and_one_kernel_entry():
    latex = correlate1d_latex([1, 2, 3], [4, 5, 6])
    assert re.findall(r"\\cdot", latex) == [r"\cdot"] * 3


@pytest.mark.parametrize("kwargs, match", [
    (dict(x=[[1, 2]], k=[1]), "x"),
    (dict(x=[1, 2], k=[[1]]), "k"),
    (dict(x=[1, 2], k=[1], padding=-1), "padding"),
    (dict(x=[1, 2], k=[1], digits=-1), "digits"),
    (dict(x=[1, 2], k=[1, 2, 3]), "k"),
])
def test_bad_input_is_rejected(kwargs, match):
    for fn in (correlate1d_latex, convolve1d_latex):
        with pytest.raises(ValueError, match=match):
            fn(**kwargs)


def test_non_integer_padding_is_a_type_error():
    with pytest.raises(TypeError, match="padding"):
        correlate1d_latex([1, 2], [1], padding=1.5)
