"""Assignment 1: what its solution claimed, checked against the problem bank.

The source is a handwritten solution without question text; every question of the page is
reconstructed from its answer. The given data and the worked computation of each question
live in :mod:`dlcalc.problems.assignment1`; this module holds what the source wrote (the
claims, and the few numbers the source used that are not the question's data) and reads
every answer from the question's ``solve``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

import dlcalc as dc
from dlcalc import problems
from dlcalc.problems import assignment1 as bank

from .claims import Claim, on_page, solution_of

PAGE = "assignment1"


@functools.cache
def solution(qid: str) -> Any:
    """The solution of the original question ``qid`` (solved once per process)."""
    return solution_of(problems.get(qid))


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


# A1-Q14 (b) takes its reduction widths from GoogLeNet's inception (3a) module, whose input
# is 28 x 28 x 192 (Szegedy et al. 2015, Table 1), not the question's 32 x 32 x 192.
GOOGLENET_3A_INPUT = (28, 28, 192)


def _rule(factor: float, target: float, name: str) -> str:
    """``name`` if ``factor`` is ``target``, else the factor itself."""
    return name if np.isclose(factor, target) else f"multiply by {factor:g}"


def _reciprocal_rule(factor: float, p: float, name: str) -> str:
    """``name`` if ``factor`` is 1/``p``, else the factor itself."""
    return name if np.isclose(factor * p, 1.0) else f"multiply by {factor:g}"


def _symmetry(sol: Any) -> str:
    """What a shift of the input does to a convolution's output, from A1-Q10's test."""
    scale = max(sol.invariance_error, 1.0)
    if sol.equivariance_error <= 1e-12 * scale < sol.invariance_error:
        return "translation equivariant"
    return "other"


_c = on_page(PAGE)

_slip = q1_source_slip()
_E_SLIP = (f"e¹ taken as {Q1_SOURCE_E:g} in the denominator gives {_slip['total']:.3f} "
           f"instead of {solution('A1-Q1').total:.4f}")

CLAIMS: list[Claim] = [
    _c("A1-Q1", "a1", "to predict class probabilities, use", "a softmax classifier",
       lambda: "a softmax classifier", judgement=True,
       quote="we can use a softmax classifier."),
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
    _c("A1-Q6", "a1", "variance σ²", "8", lambda: solution("A1-Q6").var,
       quote=r"\sqrt{\frac{16+4+4+16}{5}} = \sqrt{8}"),
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
       lambda: _reciprocal_rule(solution("A1-Q7").inverted.train_factor, bank.Q7.p_keep,
                                "scale by 1/p"),
       "\"dividing them with (1/p)\" plainly means scaling by the factor 1/p",
       quote=r"dividing them with $(\frac{1}{p})$"),

    _c("A1-Q8", "a1", "output shape", (4, 4), lambda: solution("A1-Q8").output.shape,
       quote="4×4 ."),
    _c("A1-Q8", "a1", "output", [[0, 30, 30, 0]] * 4, lambda: solution("A1-Q8").output,
       quote="→ 4×4 , marks the vertical"),
    _c("A1-Q8", "a1", "the filter detects", "vertical edges", lambda: "vertical edges",
       judgement=True, quote="helps in detecting vertical edges"),

    _c("A1-Q9", "a1", "gradient in a deep sigmoid stack", "shrinks",
       lambda: "shrinks" if solution("A1-Q9").gradient_ratios["plain sigmoid"] < 1
       else "does not shrink", quote="the gradient gets pushed to very small values"),
    _c("A1-Q9", "a1", "parameters as layers are added", "grows",
       lambda: "grows" if all(b > a for a, b in zip(solution("A1-Q9").params,
                                                     solution("A1-Q9").params[1:]))
       else "does not grow", quote="the number of parameters ↑ significantly"),
    _c("A1-Q9", "a1", "with more layers the input image", "is lost",
       lambda: "is not lost (no such effect)", judgement=True,
       cause="not a recognised effect: a stack of convolutions with padding keeps the "
       "input's size, and the related real problem is the degradation of very deep plain "
       "networks", quote="the original input image is lost due to series of conv. operation"),
    _c("A1-Q9", "a1", "overfitting with more layers", "higher risk on a small data set",
       lambda: "higher risk on a small data set", judgement=True,
       quote="Higher risk of overfitting on a small dataset."),

    _c("A1-Q10", "a1", "parameters against a fully connected layer", "fewer",
       lambda: "fewer" if solution("A1-Q10").conv_params < solution("A1-Q10").dense_params
       else "not fewer", quote="It reduces the no. of parameters as compared to the fully"),
    _c("A1-Q10", "a1", "computations with sparse connections", "fewer",
       lambda: "fewer" if solution("A1-Q10").conv_mults < solution("A1-Q10").dense_mults
       else "not fewer", quote="leads to fewer computations & parameters"),
    _c("A1-Q10", "a1", "a weight-shared (conv) layer is", "translation invariant",
       lambda: _symmetry(solution("A1-Q10")),
       "a convolution is equivariant: its output shifts with the input; invariance needs "
       "pooling or a global read-out on top", quote="makes the model translation - invariant"),

    _c("A1-Q11", "a1", "what the block's layers learn", "F(x) = h(x) − x",
       lambda: "F(x) = h(x) − x", judgement=True,
       quote="it learns a residual function $F(x) = h(x) - x$"),
    _c("A1-Q11", "a1", "residual block with zero weights", "identity",
       lambda: "identity" if solution("A1-Q11").residual_error == 0.0 else "not the identity",
       quote="the residual becomes $F(x) = 0$."),
    _c("A1-Q11", "a1", "residual block whose weights are very small", "identity",
       lambda: "identity" if solution("A1-Q11").small_error == 0.0
       else "close to the identity, not equal",
       "only zero weights and bias make the block exactly the identity",
       quote="when $w^{(t)}$ becomes very small then"),

    _c("A1-Q12", "a1", "gradient reaching early layers with skips", "does not diminish",
       lambda: "does not diminish" if solution("A1-Q12").ratios["residual sigmoid"] >= 1.0
       else "diminishes", quote="the skip connection allows the flow of gradient directly"),
    _c("A1-Q12", "a1", "its gradient formula", "sum of the skip path and the layers' path",
       lambda: "sum of the skip path and the layers' path", judgement=True,
       quote=r"\therefore \frac{\partial L}{\partial w} = \frac{\partial L}{\partial w} +"),

    _c("A1-Q13", "a1", "fully connected multiplications", "3.78e9",
       lambda: solution("A1-Q13").dense, quote=r"$\approx 3.78 \times 10^9$ multiplications."),
    _c("A1-Q13", "a1", "one-by-one convolution multiplications", 4_816_896,
       lambda: solution("A1-Q13").conv, quote=r"32 \times 150,528 = 4,816,896."),
    _c("A1-Q13", "a1", "saving factor", "784", lambda: solution("A1-Q13").saving,
       quote=r"{4.82 \times 10^6} \approx 784"),

    _c("A1-Q14", "a1", "(a) multiplications, 3 × 3 branch", 226_492_416,
       lambda: solution("A1-Q14").plain.per_branch[0],
       quote=r"128 \times 1024 \times 1728 = 226,492,416"),
    _c("A1-Q14", "a1", "(a) multiplications, 5 × 5 branch", 157_286_400,
       lambda: solution("A1-Q14").plain.per_branch[1], quote="Total = 157,286,400."),
    _c("A1-Q14", "a1", "(a) multiplications, total", 383_778_816,
       lambda: solution("A1-Q14").plain.total, quote="Total of 3×3 & 5×5 = 383,778,816."),
    _c("A1-Q14", "a1", "(b) multiplications with reductions", None, None,
       "the source stops at \"b)\": part (b) is lost", quote="b)"),
]


