"""The Assignment 1 problems of the bank: each solve against hand calculations, each field
check, and the practice versions against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlcalc.problems import assignment1 as a1

SEEDS = range(51)


def softmax_py(z):
    """Softmax in plain Python (an independent computation)."""
    e = [math.exp(v) for v in z]
    return [v / sum(e) for v in e]


def matvec(w, x):
    return [sum(wij * xj for wij, xj in zip(row, x)) for row in w]


def relu_py(v):
    return [max(0.0, u) for u in v]


def answer(problem, name):
    return {a.name: a for a in problem.answers(problem.solve())}[name]


# ---- A1-Q1 ---------------------------------------------------------------------------

def test_q1_softmax_by_hand():
    # e^2 = 7.389056, e^1 = 2.718282, e^0.1 = 1.105171; sum 11.212509
    sol = a1.Q1.solve()
    assert sol.total == pytest.approx(7.389056099 + 2.718281828 + 1.105170918, abs=1e-8)
    assert sol.probs == pytest.approx([7.389056099 / 11.212508845,
                                       2.718281828 / 11.212508845,
                                       1.105170918 / 11.212508845], abs=1e-9)
    assert answer(a1.Q1, "probs").value == pytest.approx([0.659, 0.242, 0.099], abs=5e-4)


@pytest.mark.parametrize("logits", [(1.0,), (), (1.0, float("nan")), ("a", "b")])
def test_q1_rejects_bad_logits(logits):
    with pytest.raises((ValueError, TypeError), match="Softmax.logits"):
        a1.Softmax(logits=logits)


@pytest.mark.parametrize("seed", SEEDS)
def test_q1_variants(seed):
    q = a1.Q1.variant(seed)
    assert len(set(q.logits)) == len(q.logits) >= 3
    assert answer(q, "probs").value == pytest.approx(softmax_py(q.logits), rel=1e-12)


# ---- A1-Q2 ---------------------------------------------------------------------------

def test_q2_forward_pass_by_hand():
    tr = a1.Q2.solve().trace
    # z1 = [0.1*0.5 + (-0.1)(-1), 0.2*0.5 + 0.3*(-1)] = [0.15, -0.2]; a1 = [0.15, 0]
    assert tr.z[0] == pytest.approx([0.15, -0.2], abs=1e-12)
    assert tr.a[0] == pytest.approx([0.15, 0.0], abs=1e-12)
    # z2 = 0.15 * first column of W2 = [0.015, 0.045, 0.06]
    assert tr.z[1] == pytest.approx([0.015, 0.045, 0.06], abs=1e-12)
    # z3 = [0.0015 + 0.009 + 0.006, 0.006 + 0.0315 + 0.018] = [0.0165, 0.0555]
    assert tr.z[2] == pytest.approx([0.0165, 0.0555], abs=1e-12)
    p1 = 1 / (1 + math.exp(0.0555 - 0.0165))
    assert a1.Q2.solve().probs == pytest.approx([p1, 1 - p1], abs=1e-12)
    assert round(p1, 3) == 0.490


@pytest.mark.parametrize("field,value", [
    ("x", (1.0, float("inf"))),
    ("w1", ((0.1, 0.2, 0.3), (0.1, 0.2, 0.3))),       # 3 columns for a 2-input x
    ("w2", ((0.1,), (0.2,))),
    ("w3", ((0.1, 0.2, 0.3),)),                       # one softmax output only
])
def test_q2_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"ForwardPass.{field}"):
        a1.Q2.replace(**{field: value})


@pytest.mark.parametrize("seed", SEEDS)
def test_q2_variants(seed):
    q = a1.Q2.variant(seed)
    a = list(q.x)
    zs = []
    for w, f in ((q.w1, relu_py), (q.w2, relu_py), (q.w3, softmax_py)):
        z = matvec(w, a)
        zs.append(z)
        a = f(z)
    assert max(relu_py(zs[0])) > 0 and max(relu_py(zs[1])) > 0      # no dead layer
    for l in (1, 2, 3):
        assert answer(q, f"z{l}").value == pytest.approx(zs[l - 1], abs=1e-12)
    assert answer(q, "probs").value == pytest.approx(a, abs=1e-12)


# ---- A1-Q3 ---------------------------------------------------------------------------

def test_q3_by_hand():
    sol = a1.Q3.solve()
    # (0.001)(0.2) + (0.01)(-1.3) + (-0.005)(2) + (-1.2)(0.01) = 0.0002 - 0.013 - 0.01 - 0.012
    assert sol.z == pytest.approx(-0.0348, abs=1e-12)
    assert sol.sigmoid == pytest.approx(1 / (1 + math.exp(0.0348)), abs=1e-12)
    assert sol.softmax_single == 1.0
    assert sol.weight_counts == (12, 6, 4)
    # every hidden unit: 0.1 * (-2.4 + 1.2 - 0.8 + 1.1) = -0.09, dead after ReLU
    assert sol.trace.z[0] == pytest.approx([-0.09] * 3, abs=1e-12)
    assert sol.probs == pytest.approx([0.5, 0.5], abs=1e-12)


@pytest.mark.parametrize("field,value", [
    ("x", (1.0, 2.0, float("nan"), 0.0)), ("w", (0.1, 0.2, 0.3)), ("sizes", (4, 3, 2)),
    ("sizes", (4, 3, 2, 1)),
    ("net_x", (1.0, 2.0, 3.0)), ("weight_values", (0.1, 0.2)),
])
def test_q3_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"ConstantNetwork.{field}"):
        a1.Q3.replace(**{field: value})


@pytest.mark.parametrize("seed", SEEDS)
def test_q3_variants(seed):
    q = a1.Q3.variant(seed)
    z = sum(wi * xi for wi, xi in zip(q.w, q.x))
    assert abs(z) >= 1e-3
    assert answer(q, "z").value == pytest.approx(z, abs=1e-12)
    # constant weights: every unit of a layer is equal, so the two outputs are equal
    assert answer(q, "probs").value == pytest.approx([0.5, 0.5], abs=1e-12)
    assert abs(sum(q.net_x)) >= 0.05


# ---- A1-Q4 ---------------------------------------------------------------------------

def test_q4_by_hand():
    sol = a1.Q4.solve()
    # W1: 4 x 3 = 12, b1: 4, W2: 2 x 4 = 8, b2: 2
    assert (sol.w1, sol.b1, sol.w2, sol.b2, sol.total) == (12, 4, 8, 2, 26)


@pytest.mark.parametrize("field,value", [("n_in", 0), ("hidden", 2.5), ("n_out", True),
                                         ("hidden", -3)])
def test_q4_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"ParameterCount.{field}"):
        a1.Q4.replace(**{field: value})


@pytest.mark.parametrize("seed", SEEDS)
def test_q4_variants(seed):
    q = a1.Q4.variant(seed)
    assert q.n_out >= 2 and q.hidden >= 2
    expected = q.n_in * q.hidden + q.hidden + q.hidden * q.n_out + q.n_out
    assert answer(q, "total").value == expected


def test_originals_are_listed_in_order():
    assert [p.qid for p in a1.PROBLEMS] == [f"A1-Q{i}" for i in range(1, len(a1.PROBLEMS) + 1)]
