"""Assignment 1: what its solution claimed, checked against the problem bank.

The source is a handwritten solution without question text; every question of the page is
reconstructed from its answer. The given data and the worked computation of each question
live in :mod:`dlcalc.problems.assignment1`; this module holds what the source wrote (the
claims, and the few numbers the source used that are not the question's data) and reads
every answer from the question's ``solve``.
"""

from __future__ import annotations

import functools
from functools import lru_cache
from typing import Any

import numpy as np

import dlcalc as dc
from dlcalc import problems
from dlcalc.problems import assignment1 as bank

from .claims import Claim, on_page

PAGE = "assignment1"


@functools.cache
def solution(qid: str) -> Any:
    """The solution of the original question ``qid`` (solved once per process)."""
    return problems.get(qid).solve()


# ---- what the source used that is not the question's data ----

Q1_SOURCE_E = 2.71   # the value the source took for e^1 in its denominator


def q1_source_slip() -> dict[str, float]:
    """The source's softmax with e^1 taken as 2.71: its sum and first probability."""
    sol = solution("A1-Q1")
    e1 = list(bank.Q1.logits).index(1.0)      # the score whose exponential is e^1
    total = sol.total - sol.exps[e1] + Q1_SOURCE_E
    return {"total": float(total), "p1": float(sol.exps[0] / total), "claimed_p1": 0.658}


# The source writes the output weights twice with different values; the question uses
# the matrix it multiplies. It also multiplies by an a2 and reports a z3 of its own.
Q2_SOURCE = {
    "w3_first": ((0.1, 0.2, -0.1), (0.4, 0.7, 0.3)),   # as first displayed
    "w3_used": bank.Q2.w3,                             # as in the product it computes
    "a2_used": (0.015, 0.045, 0.005),                  # the a2 the source multiplies W3 by
    "z3_used": (0.011, 0.040),                         # the source's z3
}


def q2_source() -> dict[str, Any]:
    """What the source's own numbers give (its a2 and z3), and the other reading of W3."""
    q, sol = bank.Q2, solution("A1-Q2")
    a2 = np.array(Q2_SOURCE["a2_used"])
    z3 = np.array(Q2_SOURCE["z3_used"])
    return {
        "p_other": q.replace(w3=Q2_SOURCE["w3_first"]).solve().probs,
        "z3_used": np.array(Q2_SOURCE["w3_used"]) @ a2,
        "z3_first": np.array(Q2_SOURCE["w3_first"]) @ a2,
        "w2_entry": q.w2[2][0], "a1_first": float(sol.trace.a[0][0]),
        "z2_third": float(sol.trace.z[1][2]), "a2_used_third": float(a2[2]),
        "ratio": float(z3[0] / z3.sum()), "softmax": float(dc.softmax(z3)[0]),
    }


# Q3: the other readings of the garbled page, and text that cannot be interpreted.
Q3_SOURCE = {"x_swapped": (0.2, -1.3, 2.0, -1.2), "w_swapped": (0.001, 0.01, -0.005, 0.01),
             "net_x_first": (-2.4, 1.2, -0.8, 2.0)}
Q3_GARBLED = {"weights": "5.0 × 100.0", "target": "-1.5 → target"}


def q3_readings() -> dict[str, Any]:
    """(a) with the fourth input and weight swapped; (b) with both readings of the input."""
    q = bank.Q3
    swapped = q.replace(x=Q3_SOURCE["x_swapped"], w=Q3_SOURCE["w_swapped"]).solve()
    first = q.replace(net_x=Q3_SOURCE["net_x_first"]).solve()
    return {"x_swapped": Q3_SOURCE["x_swapped"], "w_swapped": Q3_SOURCE["w_swapped"],
            "z_swapped": swapped.z,
            "net": [(Q3_SOURCE["net_x_first"], first.trace),
                    (q.net_x, solution("A1-Q3").trace)]}


Q6_SIGMA_SOURCE = 3.464   # the sigma the source divides by (it is sqrt(12), not sqrt(8))


def q6_source() -> dict[str, Any]:
    """The source's normalisation with its sigma (the mean is right)."""
    q, sol = bank.Q6, solution("A1-Q6")
    xhat = (np.array(q.x) - sol.mean) / Q6_SIGMA_SOURCE
    return {"sigma_sq": Q6_SIGMA_SOURCE ** 2, "xhat": xhat, "y": q.gamma * xhat + q.beta}


def _rule(factor: float, target: float, name: str) -> str:
    """``name`` if ``factor`` is ``target``, else the factor itself."""
    return name if np.isclose(factor, target) else f"multiply by {factor:g}"


# ---- not yet converted to the problem bank ----

Q9 = {"channels": 64, "kernel": 3, "image": 32, "depths": [2, 4, 8, 16]}

Q10 = {"image": 32, "channels": 3, "filters": 16, "kernel": 3, "shift": 2, "seed": 3}

Q11 = {"depth": 5, "width": 4, "seed": 0}

Q12 = {"depth": 30, "width": 32}

Q13 = {"size": 28, "in_channels": 192, "out_channels": 32}

# Q14 (b): reduction widths of GoogLeNet's inception (3a), Szegedy et al. 2015, Table 1.
Q14 = {"size": 32, "in_channels": 192, "filters3": 128, "filters5": 32,
       "reduce3": 96, "reduce5": 16}


# ---- Q9 ----

def q9_stack(depth: int) -> list:
    return [dc.Conv2d(Q9["channels"], Q9["kernel"], padding="same") for _ in range(depth)]


def q9_params(depth: int) -> int:
    return dc.summarize((Q9["channels"], Q9["image"], Q9["image"]), q9_stack(depth)).total_params


def q9_receptive_field(depth: int) -> int:
    return dc.receptive_field(q9_stack(depth)).size


def q9_params_trend() -> str:
    counts = [q9_params(d) for d in Q9["depths"]]
    return "grows" if all(b > a for a, b in zip(counts, counts[1:])) else "does not grow"


@lru_cache(maxsize=None)
def gradient_norms() -> dict:
    """The gradient-norm experiment of Q9 and Q12 (plain and residual, sigmoid and ReLU)."""
    return dc.gradient_norms_by_depth(depth=Q12["depth"], width=Q12["width"])


def q9_sigmoid_trend() -> str:
    g = gradient_norms()["plain sigmoid"].signal
    return "shrinks" if g[0] < g[-1] else "does not shrink"


# ---- Q10 ----

def q10_counts() -> dict[str, int]:
    c, n, f, k = Q10["channels"], Q10["image"], Q10["filters"], Q10["kernel"]
    conv = dc.summarize((c, n, n), [dc.Conv2d(f, k, padding="same")])
    dense = dc.summarize((c, n, n), [dc.Flatten(), dc.Dense(f * n * n)])
    return {"conv_params": conv.total_params, "dense_params": dense.total_params,
            "conv_inputs_per_unit": c * k * k, "dense_inputs_per_unit": c * n * n,
            "conv_mults": conv.total_mults, "dense_mults": dense.total_mults,
            "outputs": f * n * n}


def q10_shift_test() -> dict[str, float]:
    """Shift an image right; compare the conv output with the shifted conv output."""
    rng = np.random.default_rng(Q10["seed"])
    c, n, f, k, s = Q10["channels"], Q10["image"], Q10["filters"], Q10["kernel"], Q10["shift"]
    x = np.zeros((1, c, n, n))
    x[..., 8:16, 6:14] = rng.normal(size=(c, 8, 8))     # an object away from the borders
    w = rng.normal(size=(f, c, k, k))
    out = dc.conv2d_forward(x, w, padding=k // 2)[0]
    out_shifted = dc.conv2d_forward(np.roll(x, s, axis=-1), w, padding=k // 2)[0]
    return {"equivariance_error": float(np.max(np.abs(np.roll(out, s, axis=-1) - out_shifted))),
            "invariance_error": float(np.max(np.abs(out - out_shifted)))}


def q10_symmetry() -> str:
    t = q10_shift_test()
    if t["equivariance_error"] < 1e-12 and t["invariance_error"] > 0:
        return "translation equivariant"
    return "other"


def q10_fewer() -> str:
    counts = q10_counts()
    return "fewer" if counts["conv_params"] < counts["dense_params"] else "not fewer"


# ---- Q11 ----

def q11_identity_error() -> float:
    rng = np.random.default_rng(Q11["seed"])
    stack = dc.init_deep_stack(Q11["depth"], Q11["width"], activation="relu", residual=True,
                               weight_init="zeros", rng=rng)
    x = rng.normal(size=(3, Q11["width"]))
    return float(np.max(np.abs(dc.deep_stack_forward(stack, x)[0] - x)))


def q11_zero_block() -> str:
    return "identity" if q11_identity_error() == 0.0 else "not the identity"


# ---- Q12 ----

def q12_first_to_last(label: str) -> float:
    g = gradient_norms()[label].signal
    return float(g[0] / g[-1])


def q12_skip_trend() -> str:
    ratio = q12_first_to_last("residual sigmoid")
    return "does not diminish" if ratio >= 1.0 else "diminishes"


# ---- Q13 ----

def q13_shape() -> tuple[int, int, int]:
    return (Q13["in_channels"], Q13["size"], Q13["size"])


def q13_dense_mults() -> int:
    n = Q13["size"] ** 2
    return dc.dense_mults(n * Q13["in_channels"], n * Q13["out_channels"])


def q13_conv_mults() -> int:
    return dc.conv_mults(q13_shape(), Q13["out_channels"], 1)


def q13_saving() -> float:
    return q13_dense_mults() / q13_conv_mults()


# ---- Q14 ----

def q14_shape() -> tuple[int, int, int]:
    return (Q14["in_channels"], Q14["size"], Q14["size"])


def q14_plain() -> dc.BlockCount:
    return dc.block_mults(q14_shape(), [dc.Conv2d(Q14["filters3"], 3, padding="same"),
                                        dc.Conv2d(Q14["filters5"], 5, padding="same")])


def q14_reduced() -> dc.BlockCount:
    return dc.block_mults(q14_shape(), [
        [dc.Conv2d(Q14["reduce3"], 1), dc.Conv2d(Q14["filters3"], 3, padding="same")],
        [dc.Conv2d(Q14["reduce5"], 1), dc.Conv2d(Q14["filters5"], 5, padding="same")]])


_c = on_page(PAGE)

_slip = q1_source_slip()
_E_SLIP = (f"e¹ taken as {Q1_SOURCE_E:g} in the denominator gives {_slip['total']:.3f} "
           f"instead of {solution('A1-Q1').total:.4f}")

CLAIMS: list[Claim] = [
    _c("A1-Q1", "a1", "sum of exponentials", "11.204", lambda: solution("A1-Q1").total,
       _E_SLIP, quote=r"\frac{e(1.0)}{11.204}"),
    _c("A1-Q1", "a1", "P(class 1)", "0.658", lambda: solution("A1-Q1").probs[0],
       f"{_E_SLIP}, which would give {_slip['p1']:.4f}; 0.658 is a further slip in the division",
       quote=r"e(2.0) + e(1.0) + e(0.1)} = 0.658"),
    _c("A1-Q1", "a1", "P(class 2)", "0.2418", lambda: solution("A1-Q1").probs[1],
       f"e¹ taken as {Q1_SOURCE_E:g} in numerator and denominator",
       quote=r"\frac{2.71}{11.204} = 0.2418"),
    _c("A1-Q1", "a1", "P(class 3)", "0.0986", lambda: solution("A1-Q1").probs[2],
       quote=r"\frac{1.105}{11.204} = 0.0986"),

    _c("A1-Q2", "a1", "z¹", ["0.15", "-0.2"], lambda: solution("A1-Q2").trace.z[0],
       quote=r"z^1 = \begin{bmatrix} z_1^1 \\ z_2^1 \end{bmatrix} = \begin{bmatrix} 0.15"),
    _c("A1-Q2", "a1", "a¹", ["0.15", "0"], lambda: solution("A1-Q2").trace.a[0],
       quote=r"\begin{bmatrix} 0.15 \\ 0 \end{bmatrix} = \begin{bmatrix} a_1^1"),
    _c("A1-Q2", "a1", "z²", ["0.015", "0.045", "0.006"], lambda: solution("A1-Q2").trace.z[1],
       "slip: 0.4 × 0.15 is 0.06, not 0.006",
       quote=r"\end{bmatrix} = \begin{bmatrix} 0.015 \\ 0.045 \\ 0.006 \end{bmatrix}$$"),
    _c("A1-Q2", "a1", "z³", ["0.011", "0.040"], lambda: solution("A1-Q2").trace.z[2],
       "carries the slip in z² (multiplied as 0.005), and writes its 0.039 as 0.040",
       quote=r"z^3 = \begin{bmatrix} 0.011 \\ 0.040 \end{bmatrix}"),
    _c("A1-Q2", "a1", "softmax as written in its last line", "z₁ / (z₁ + z₂)",
       lambda: "e^z₁ / (e^z₁ + e^z₂)",
       "the ratio of the scores is not the softmax; the number it reports (0.493) is the "
       "softmax of its z³ all the same", judgement=True,
       quote=r"P(y = z_1^3) = \frac{0.011}{0.040 + 0.011}"),
    _c("A1-Q2", "a1", "output probabilities", ["0.493", "0.507"],
       lambda: solution("A1-Q2").probs,
       "follows from the wrong z³ (the softmax itself is right; the written ratio is not)",
       quote=r"\text{output vector} = \begin{bmatrix} 0.493 \\ 0.507 \end{bmatrix}"),

    _c("A1-Q3", "a1", "z = w·x (either reading)", "-0.0348", lambda: solution("A1-Q3").z,
       quote="$$= -0.0348$$"),
    _c("A1-Q3", "a1", "softmax of the single neuron's z", "0",
       lambda: solution("A1-Q3").softmax_single,
       "a softmax over one unit is always 1, whatever z",
       quote=r"a_1 = \text{softmax}(-0.0348) \\ = 0."),
    _c("A1-Q3", "a1", "weights of the three layers", [12, 6, 4],
       lambda: solution("A1-Q3").weight_counts, quote="π (weights) 12 6 4"),
    _c("A1-Q3", "a1", "hidden pre-activations (x₄ = 1.1)", ["-0.09", "-0.09", "-0.09"],
       lambda: solution("A1-Q3").trace.z[0],
       quote=r"[a_1(-0.09) \quad a_2(-0.09) \quad a_3(-0.09)]"),
    _c("A1-Q3", "a1", "output probabilities", ["0.5", "0.5"],
       lambda: solution("A1-Q3").probs, quote=r"\delta P = [0.5 \quad 0.5]"),

    _c("A1-Q4", "a1", "W¹ entries", 12, lambda: solution("A1-Q4").w1,
       quote=r"W^1 = 4 \times 3 = 12"),
    _c("A1-Q4", "a1", "b¹ entries", 4, lambda: solution("A1-Q4").b1, quote="b^1 = 4"),
    _c("A1-Q4", "a1", "W² entries", 8, lambda: solution("A1-Q4").w2,
       quote=r"W^2 = 4 \times 2 = 8"),
    _c("A1-Q4", "a1", "b² entries", 2, lambda: solution("A1-Q4").b2, quote="b^2 = 2"),
    _c("A1-Q4", "a1", "total parameters", 26, lambda: solution("A1-Q4").total,
       quote=r"\text{Total} = 26"),

    _c("A1-Q5", "a1", "sigmoid output range", "[0, 1]", lambda: "(0, 1)",
       "the sigmoid never reaches 0 or 1 for finite z: the interval is open", judgement=True,
       quote=r"output value $R \in [0, 1]$"),
    _c("A1-Q5", "a1", "sigmoid derivative", "f(x)(1 − f(x))",
       lambda: "f(x)(1 − f(x))" if solution("A1-Q5").grad_is_s_1_minus_s else "other",
       quote="derivative $f'(x) = f(x)(1-f(x))$"),
    _c("A1-Q5", "a1", "gradient through many sigmoid layers", "shrinks",
       lambda: "shrinks" if solution("A1-Q5").factor < solution("A1-Q5").max_grad
       else "does not shrink", quote="Gradient shrinks as the backprop"),

    _c("A1-Q6", "a1", "mean μ", "6", lambda: solution("A1-Q6").mean,
       quote=r"\frac{30}{5} = 6."),
    _c("A1-Q6", "a1", "σ", "3.464", lambda: solution("A1-Q6").sigma,
       "√8 = 2.828 was written as 3.464, which is √12",
       quote=r"\sqrt{8} = 2\sqrt{2} = 3.464"),
    _c("A1-Q6", "a1", "normalised x̂", ["-1.154", "-0.577", "0", "0.577", "1.154"],
       lambda: solution("A1-Q6").xhat, "divides by the wrong σ = 3.464",
       quote=r"\bar{x} = [-1.154, -0.577, 0, +0.577, +1.154]"),
    _c("A1-Q6", "a1", "output y = γx̂ + β", ["-3.308", "-2.154", "-1", "0.154", "1.308"],
       lambda: solution("A1-Q6").y, "follows from the wrong σ",
       quote=r"y = [-3.308 \ -2.154 \ -1 \ 0.154 \ 1.308]"),

    _c("A1-Q7", "a1", "a lower keep probability", "regularises more", lambda: "regularises more",
       judgement=True, quote="low ' p ' value signifies higher regularization"),
    _c("A1-Q7", "a1", "standard dropout at test time", "multiply by p",
       lambda: _rule(solution("A1-Q7").vanilla.test_factor, bank.Q7.p_keep, "multiply by p"),
       quote="scaled \\downarrow by multiplying with keep prob."),
    _c("A1-Q7", "a1", "inverted dropout in training", "scale by 1/p",
       lambda: _rule(solution("A1-Q7").inverted.train_factor, 1 / bank.Q7.p_keep,
                     "scale by 1/p"),
       "\"dividing them with (1/p)\" plainly means scaling by the factor 1/p",
       quote=r"dividing them with $(\frac{1}{p})$"),

    _c("A1-Q8", "a1", "output shape", (4, 4), lambda: solution("A1-Q8").output.shape,
       quote="4×4 ."),
    _c("A1-Q8", "a1", "output", [[0, 30, 30, 0]] * 4, lambda: solution("A1-Q8").output,
       quote="→ 4×4 , marks the vertical"),
    _c("A1-Q8", "a1", "the filter detects", "vertical edges", lambda: "vertical edges",
       judgement=True, quote="helps in detecting vertical edges"),

    _c("A1-Q9", "a1", "gradient in a deep sigmoid stack", "shrinks", q9_sigmoid_trend),
    _c("A1-Q9", "a1", "parameters as layers are added", "grows", q9_params_trend),

    _c("A1-Q10", "a1", "parameters against a fully connected layer", "fewer", q10_fewer),
    _c("A1-Q10", "a1", "a weight-shared (conv) layer is", "translation invariant", q10_symmetry,
       "a convolution is equivariant: its output shifts with the input; invariance needs "
       "pooling or a global read-out on top"),

    _c("A1-Q11", "a1", "residual block with zero weights", "identity", q11_zero_block),

    _c("A1-Q12", "a1", "gradient reaching early layers with skips", "does not diminish",
       q12_skip_trend),

    _c("A1-Q13", "a1", "fully connected multiplications", "3.78e9", q13_dense_mults),
    _c("A1-Q13", "a1", "one-by-one convolution multiplications", 4_816_896, q13_conv_mults),
    _c("A1-Q13", "a1", "saving factor", "784", q13_saving),

    _c("A1-Q14", "a1", "(a) multiplications, 3 × 3 branch", 226_492_416,
       lambda: q14_plain().per_branch[0]),
    _c("A1-Q14", "a1", "(a) multiplications, 5 × 5 branch", 157_286_400,
       lambda: q14_plain().per_branch[1]),
    _c("A1-Q14", "a1", "(a) multiplications, total", 383_778_816, lambda: q14_plain().total),
    _c("A1-Q14", "a1", "(b) multiplications with reductions", None, None,
       "the source stops at \"b)\": part (b) is lost"),
]


