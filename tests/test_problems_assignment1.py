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
    for k in (1, 2, 3):
        assert answer(q, f"z{k}").value == pytest.approx(zs[k - 1], abs=1e-12)
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


# ---- A1-Q5 ---------------------------------------------------------------------------

def test_q5_sigmoid_derivative_by_hand():
    sol = a1.Q5.solve()
    assert sol.max_grad == 0.25                       # sigma(0) (1 - sigma(0)) = 1/4
    e5 = math.exp(-5.0)
    assert sol.grad_saturated == pytest.approx(e5 / (1 + e5) ** 2, rel=1e-12)
    assert sol.factor == pytest.approx(0.25 ** 10, rel=1e-12)
    assert sol.grad_is_s_1_minus_s
    assert len(sol.best_factors) == 30 and sol.best_factors[0] == 0.25


@pytest.mark.parametrize("field,value", [("points", 400), ("points", 1), ("z_max", -1.0),
                                         ("depth", 31), ("max_depth", 0),
                                         ("z_saturated", float("nan"))])
def test_q5_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"SigmoidGradient.{field}"):
        a1.Q5.replace(**{field: value})


def test_q5_is_conceptual():
    assert not a1.Q5.has_variants() and a1.Q5.answers(a1.Q5.solve()) == ()


# ---- A1-Q6 ---------------------------------------------------------------------------

def test_q6_batchnorm_by_hand():
    sol = a1.Q6.solve()
    # mean 30/5 = 6; variance (16 + 4 + 0 + 4 + 16)/5 = 8; sigma = 2 sqrt 2
    assert sol.mean == 6.0 and sol.var == pytest.approx(8.0, rel=1e-12)
    assert sol.sigma == pytest.approx(2 * math.sqrt(2), rel=1e-12)
    xhat = [(v - 6) / math.sqrt(8 + 1e-5) for v in (2, 4, 6, 8, 10)]
    assert sol.xhat == pytest.approx(xhat, rel=1e-9)
    assert sol.y == pytest.approx([2 * h - 1 for h in xhat], rel=1e-9)
    # without eps: -1 - 2 sqrt 2 = -3.828; eps moves y by about 2 * sqrt2 * eps / 16
    assert sol.y[0] == pytest.approx(-1 - 2 * math.sqrt(2), abs=1e-5)
    assert 0 < sol.eps_effect < 1e-5


@pytest.mark.parametrize("field,value", [("x", (3.0, 3.0, 3.0)), ("x", (1.0,)),
                                         ("gamma", float("inf")), ("beta", "1"),
                                         ("eps", 0.0), ("eps", 2.0)])
def test_q6_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"BatchNorm.{field}"):
        a1.Q6.replace(**{field: value})


@pytest.mark.parametrize("seed", SEEDS)
def test_q6_variants(seed):
    import statistics
    q = a1.Q6.variant(seed)
    mean, sd = statistics.fmean(q.x), statistics.pstdev(q.x)
    assert sd > 0
    assert answer(q, "mean").value == pytest.approx(mean, rel=1e-12)
    assert answer(q, "sigma").value == pytest.approx(sd, rel=1e-9)
    xhat = [(v - mean) / math.sqrt(sd ** 2 + q.eps) for v in q.x]
    assert answer(q, "xhat").value == pytest.approx(xhat, abs=1e-9)
    assert answer(q, "y").value == pytest.approx([q.gamma * h + q.beta for h in xhat], abs=1e-9)


# ---- A1-Q7 ---------------------------------------------------------------------------

def test_q7_dropout_factors():
    sol = a1.Q7.solve()
    # standard: a kept unit passes unchanged, test output is p x; inverted: 1/p, then x
    assert sol.vanilla.train_factor == 1.0 and sol.vanilla.test_factor == pytest.approx(0.8)
    assert sol.inverted.train_factor == pytest.approx(1.25) and sol.inverted.test_factor == 1.0
    # kept fraction within 5 standard deviations sqrt(p(1 - p)/n) = 0.004 of p
    for s in sol:
        assert abs(s.kept - 0.8) < 0.02
    assert sol.vanilla.train_mean == pytest.approx(sol.vanilla.test, abs=0.02)
    assert sol.inverted.train_mean == pytest.approx(sol.inverted.test, abs=0.025)


@pytest.mark.parametrize("field,value", [("p_keep", 0.0), ("p_keep", 1.5), ("units", 0),
                                         ("value", float("nan")), ("seed", -1)])
def test_q7_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"Dropout.{field}"):
        a1.Q7.replace(**{field: value})


# ---- A1-Q8 ---------------------------------------------------------------------------

def correlate_py(image, kernel):
    n, k = len(image), len(kernel)
    return [[sum(kernel[i][j] * image[r + i][c + j] for i in range(k) for j in range(k))
             for c in range(n - k + 1)] for r in range(n - k + 1)]


def test_q8_edge_by_hand():
    sol = a1.Q8.solve()
    # rows of 10 10 10 0 0 0 against 1 0 -1: windows 10-10, 10-0, 10-0, 0-0, times 3 rows
    assert sol.output.tolist() == [[0, 30, 30, 0]] * 4
    assert sol.edge == 30.0
    assert sol.flipped.tolist() == [[0, -30, -30, 0]] * 4


@pytest.mark.parametrize("field,value", [("size", 2), ("right", 10.0), ("left_columns", 6),
                                         ("left_columns", 0), ("kernel", ((1.0, -1.0),)),
                                         ("left", float("inf"))])
def test_q8_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"EdgeFilter.{field}"):
        a1.Q8.replace(**{field: value})


@pytest.mark.parametrize("seed", SEEDS)
def test_q8_variants(seed):
    q = a1.Q8.variant(seed)
    image = [[q.left if c < q.left_columns else q.right for c in range(q.size)]
             for _ in range(q.size)]
    out = correlate_py(image, q.kernel)
    assert answer(q, "shape").value == (q.size - 2, q.size - 2)
    assert answer(q, "edge").value == 3 * (q.left - q.right) != 0
    assert np.array_equal(q.solve().output, out)
    assert 3 * (q.left - q.right) in [v for row in out for v in row]


# ---- A1-Q9 ---------------------------------------------------------------------------

def test_q9_counts_by_hand():
    sol = a1.Q9.solve()
    # one 3x3 layer of 64 -> 64 channels: 64 * 64 * 9 weights + 64 biases = 36,928
    assert sol.per_layer == 64 * 64 * 9 + 64 == 36_928
    assert sol.params == tuple(d * 36_928 for d in (2, 4, 8, 16))
    # each 3x3 stride-1 layer widens the receptive field by 2: 1 + 2d
    assert sol.receptive_fields == (5, 9, 17, 33)
    assert sol.gradient_ratios["plain sigmoid"] < 1e-10 < sol.gradient_ratios["plain relu"] < 1


@pytest.mark.parametrize("field,value", [("kernel", 4), ("depths", ()), ("depths", (2, 0)),
                                         ("channels", 0), ("gradient_depth", 1),
                                         ("image", 2), ("seed", -1), ("gradient_width", 0),
                                         ("batch", 0)])
def test_q9_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"DeeperConv.{field}"):
        a1.Q9.replace(**{field: value})


# ---- A1-Q10 --------------------------------------------------------------------------

def test_q10_counts_by_hand():
    sol = a1.Q10.solve()
    # conv: 16 filters of 3 x 3 x 3 + 16 biases = 448; dense: 3072 -> 16384 outputs
    assert sol.conv_params == 16 * 27 + 16 == 448
    assert sol.dense_params == 3 * 32 * 32 * 16 * 32 * 32 + 16 * 32 * 32
    assert sol.conv_mults == 16 * 32 * 32 * 27
    assert sol.dense_mults == 3072 * 16384
    assert (sol.conv_inputs_per_unit, sol.dense_inputs_per_unit) == (27, 3072)
    # equivariant (to rounding), not invariant
    assert sol.equivariance_error <= 1e-12 * sol.invariance_error
    assert sol.invariance_error > 1.0


@pytest.mark.parametrize("field,value", [("image", 8), ("kernel", 2), ("shift", 0),
                                         ("shift", 9), ("filters", 0),
                                         ("channels", 0), ("seed", -3)])
def test_q10_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"WeightSharing.{field}"):
        a1.Q10.replace(**{field: value})


# ---- A1-Q11 --------------------------------------------------------------------------

def test_q11_zero_residual_blocks_are_the_identity():
    sol = a1.Q11.solve()
    assert sol.residual_error == 0.0          # h + relu(h 0) 0 = h exactly
    assert sol.plain_output == 0.0            # relu(h 0) 0 = 0
    assert sol.relu_error == 0.0              # relu of a non-negative vector is itself
    # small weights: close to the identity, not equal (std 0.01, products of order 1e-4)
    assert 0 < sol.small_error < 0.05


@pytest.mark.parametrize("field,value", [("depth", 0), ("small_std", 0.0), ("width", 1.5),
                                         ("batch", 0), ("seed", None)])
def test_q11_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"ResidualIdentity.{field}"):
        a1.Q11.replace(**{field: value})


# ---- A1-Q12 --------------------------------------------------------------------------

def test_q12_skips_carry_the_gradient():
    sol = a1.Q12.solve()
    assert set(sol.ratios) == {"plain sigmoid", "plain relu", "residual sigmoid",
                               "residual relu"}
    # what the page says of each: vanished; much better but still vanishing; full
    # strength with skips, and growing with depth for residual ReLU
    assert sol.ratios["plain sigmoid"] < 1e-10
    assert 1e3 * sol.ratios["plain sigmoid"] < sol.ratios["plain relu"] < 1.0
    assert sol.ratios["residual sigmoid"] >= 1.0 and sol.ratios["residual relu"] > 10.0
    for label, g in sol.norms.items():
        assert len(g.signal) == 30
        assert sol.ratios[label] == pytest.approx(g.signal[0] / g.signal[-1], rel=1e-12)


@pytest.mark.parametrize("field,value", [("depth", 1), ("width", 0), ("batch", -1),
                                         ("seed", 0.5)])
def test_q12_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"SkipGradients.{field}"):
        a1.Q12.replace(**{field: value})


# ---- A1-Q13 --------------------------------------------------------------------------

def test_q13_by_hand():
    sol = a1.Q13.solve()
    # (28*28*192) * (28*28*32) = 150,528 * 25,088; conv: 784 * 32 * 192
    assert sol.dense == 150_528 * 25_088 == 3_776_446_464
    assert sol.conv == 784 * 32 * 192 == 4_816_896
    assert sol.saving == 784


@pytest.mark.parametrize("field,value", [("size", 0), ("in_channels", -2),
                                         ("out_channels", "32")])
def test_q13_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"OneByOne.{field}"):
        a1.Q13.replace(**{field: value})


@pytest.mark.parametrize("seed", SEEDS)
def test_q13_variants(seed):
    q = a1.Q13.variant(seed)
    hw = q.size ** 2
    assert q.out_channels < q.in_channels
    values = {a.name: a.value for a in q.answers(q.solve())}
    assert values["dense"] == (hw * q.in_channels) * (hw * q.out_channels)
    assert values["conv"] == hw * q.out_channels * q.in_channels
    assert values["saving"] == hw


# ---- A1-Q14 --------------------------------------------------------------------------

def mults(size, c_in, filters, k):
    """Same-padding stride-1 convolution: every position, every filter, c_in k^2 weights."""
    return size * size * filters * c_in * k * k


def test_q14_by_hand():
    sol = a1.Q14.solve()
    # (a) 32*32 * 128 * 192*9 = 226,492,416 and 32*32 * 32 * 192*25 = 157,286,400
    assert sol.plain.per_branch == [226_492_416, 157_286_400]
    assert sol.plain.total == 383_778_816
    # (b) 1024*96*192 + 1024*128*96*9 and 1024*16*192 + 1024*32*16*25
    b3 = 1024 * 96 * 192 + 1024 * 128 * 96 * 9
    b5 = 1024 * 16 * 192 + 1024 * 32 * 16 * 25
    assert sol.reduced.per_branch == [b3, b5] and sol.reduced.total == b3 + b5
    assert sol.plain.output_shape == sol.reduced.output_shape == (160, 32, 32)
    assert sol.saving == pytest.approx(383_778_816 / (b3 + b5))


@pytest.mark.parametrize("field,value", [("size", 0), ("filters3", 0), ("reduce3", 193),
                                         ("reduce5", 0), ("in_channels", 1.0),
                                         ("filters5", -32)])
def test_q14_rejects_bad_fields(field, value):
    with pytest.raises((ValueError, TypeError), match=f"InceptionCost.{field}"):
        a1.Q14.replace(**{field: value})


@pytest.mark.parametrize("seed", SEEDS)
def test_q14_variants(seed):
    q = a1.Q14.variant(seed)
    n, c = q.size, q.in_channels
    plain = mults(n, c, q.filters3, 3) + mults(n, c, q.filters5, 5)
    reduced = (mults(n, c, q.reduce3, 1) + mults(n, q.reduce3, q.filters3, 3)
               + mults(n, c, q.reduce5, 1) + mults(n, q.reduce5, q.filters5, 5))
    values = {a.name: a.value for a in q.answers(q.solve())}
    assert values == {"plain": plain, "reduced": reduced}
    assert reduced < plain


def test_originals_are_listed_in_order():
    assert [p.qid for p in a1.PROBLEMS] == [f"A1-Q{i}" for i in range(1, 15)]


def test_numeric_questions_have_variants_and_answers():
    numeric = {"A1-Q1", "A1-Q2", "A1-Q3", "A1-Q4", "A1-Q6", "A1-Q8", "A1-Q13", "A1-Q14"}
    for p in a1.PROBLEMS:
        assert p.has_variants() == (p.qid in numeric), p.qid
        assert bool(p.answers(p.solve())) == (p.qid in numeric), p.qid
