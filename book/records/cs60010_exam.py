"""CS60010 mid-semester examination, 2022-23: what the marked solution claimed.

The questions' data and computations live in :mod:`dlcalc.problems.cs60010_exam`; every
claim below reads its answer from the solution of its problem (each solved once).
"""

from __future__ import annotations

from dlcalc.problems import cs60010_exam as ex

from .claims import Claim, on_page
from .claims import solution_of as solved  # each problem solved once per process

PAGE = "cs60010-midsem"


def _v(key: str):
    """EX-Q2's value ``key``: "L", a forward value ("z1"), "dL/d<name>" or "new <name>"."""
    def answer():
        sol = solved(ex.Q2)
        if key == "L":
            return sol.loss
        if key.startswith("dL/d"):
            return sol.gradients[key[4:]]
        if key.startswith("new "):
            return sol.updated[key[4:]]
        return sol.forward[key]
    return answer


def _row(i: int):
    return solved(ex.Q7A).summary.rows[i]


def _shape(i: int):
    return solved(ex.Q7A).shapes[i - 1]


_c = on_page(PAGE)

# Rows of the source's table. Index into NetworkSummary.rows: INPUT 0, CONV-7-32 1, POOL-2 2,
# CONV-5-64 3, CONV-3-128 4, POOL-2 5, FLATTEN 6, FC-10 7, OUTPUT 8. Products the source left
# unevaluated are evaluated here as written (e.g. 5 * 5 * 32 * 64).
_POOL = (f"a 2 × 2 pool of stride 2 on 55 gives ⌊(55 − 2)/2⌋ + 1 = {_row(5).output_shape[1]} "
         f"(floor, the frameworks' default); "
         f"{solved(ex.Q7A).ceil_summary.rows[5].output_shape[1]} needs ceil mode")
_FC = "follows from the 28 × 28 pooling output, one more row and column than the floor gives"


def _row_claims(name: str, i: int, shape, weights, biases, *, quote: str, shape_cause: str = "",
                weight_cause: str = "", written: str = "") -> list[Claim]:
    weights_what = f"{name}: weights" + (f" (written {written}, left unevaluated)" if written else "")
    return [
        _c("EX-Q7(a)", "exam", f"{name}: activation map", shape, lambda: _shape(i), shape_cause,
           quote=quote),
        _c("EX-Q7(a)", "exam", weights_what, weights, lambda: _row(i).weights, weight_cause,
           quote=quote),
        _c("EX-Q7(a)", "exam", f"{name}: biases", biases, lambda: _row(i).biases, quote=quote),
    ]


_SWAP = ("with the given values only w1, w2 into h1 give z1 = 0.3 and z2 = -0.3; the source's "
         "backward steps and updates put w3 on x2 -> h1 and w2 on x1 -> h2, and use w3 = .2, "
         "w2 = -.2: the given values of w2 and w3 swapped. Edge by edge every number agrees")

Q1_RULES = {
    "sgd": "w_i <- w_i - eta dL(f(x_1; theta), y_1)/dw_i",
    "batch": "w_i <- w_i - eta d/dw_i sum_n L(f(x_n; theta), y_n)",
    "momentum": "v <- rho v - eta g, w <- w + v",
    "lookahead": "theta_t + rho v_t",
}

_Q = {  # the lines of the source's answer to EX-Q2, by quantity
    "z1": "$$z1 = .3$$", "a1": "$$a1 = .3$$", "z2": "$$z2 = -.3$$", "a2": "$$a2 = 0$$",
    "o1": "$$o1 = .15$$", "L": "Loss, L = .06125",
    "dL/do1": r"-(y - o1) = -.35", "dL/dw5": "-.35 * a1 = -.35 * .3 = -.105",
    "dL/dw6": "-.35 * a2 = -.35 * 0 = 0", "dL/db3": r"\frac{\partial o1}{\partial b3} = -.35 * 1",
    "dL/da1": "-.35 * w5 = -.175", "dL/da2": "-.35 * w6 = -.105",
    "dL/dz1": "-.175 * x1 = -.175",
    "dL/dz2": r"\frac{\partial a2}{\partial z2} = 0$$",
    "dL/dw1": r"\frac{\partial z_1}{\partial w_1} = -.175 * x2 = -.175",
    "dL/dw3": r"\frac{\partial z_1}{\partial w_3} = -.175 * x2 = -.175",
    "dL/dw2": r"\frac{\partial z_2}{\partial w_2} = 0",
    "dL/dw4": r"\frac{\partial z_2}{\partial w_4} = 0",
    "dL/db1": r"\frac{\partial z_1}{\partial z_1} = -.175 * 1 = -.175",
    "dL/db2": r"\frac{\partial z_2}{\partial b_2} = 0",
    "new w1": ".1 + .5 * .175 = .1875", "new w2": "-.2 + 0 = -.2",
    "new w3": ".2 + 0.5 * .175 = .2875", "new w4": "-.1 + 0 = -.1",
    "new w5": ".5 + .5 * .105 = .5525", "new w6": ".3 + 0 = .3",
    "new b1": "0 + .5 * .175 = .0875", "new b2": "0 + 0 = 0",
    "new b3": "0 + .5 * .35 - .175",
}


def _q2(what: str, claimed, key: str, source_key: str | None = None, cause: str = "") -> Claim:
    return _c("EX-Q2", "exam", what, claimed, _v(key), cause, quote=_Q[source_key or key])


_RULE = dict(judgement=True)

CLAIMS: list[Claim] = [
    _c("EX-Q1(a-d)", "exam", "(a) SGD rule", Q1_RULES["sgd"], lambda: Q1_RULES["sgd"],
       quote=r"w_i \longleftarrow w_i - \eta \frac{\partial L(f(x;\theta), y)}{\partial w_i}",
       **_RULE),
    _c("EX-Q1(a-d)", "exam", "(b) batch rule (sum over the m samples)", Q1_RULES["batch"],
       lambda: Q1_RULES["batch"], quote=r"\sum_i L(f(x_i; \theta), y_i)", **_RULE),
    _c("EX-Q1(a-d)", "exam", "(c) momentum rule (both forms given)", Q1_RULES["momentum"],
       lambda: Q1_RULES["momentum"], quote=r"v_{t+1} \longleftarrow \rho v_t - \eta g",
       **_RULE),
    _c("EX-Q1(a-d)", "exam", "(d) Nesterov look-ahead point (first form)", "theta_t + eta v_t",
       lambda: Q1_RULES["lookahead"],
       "the learning rate eta where the momentum coefficient rho belongs; the source's second "
       "form, grad f(x_t + rho v_t), has it right",
       quote=r"\tilde{\theta} = \theta_t + \eta v_t", **_RULE),
    _q2("z1", ".3", "z1"),
    _q2("a1", ".3", "a1"),
    _q2("z2", "-.3", "z2"),
    _q2("a2", 0, "a2"),
    _q2("o1", ".15", "o1"),
    _q2("loss L", ".06125", "L"),
    _q2("∂L/∂o1", "-.35", "dL/do1"),
    _q2("∂L/∂w5", "-.105", "dL/dw5"),
    _q2("∂L/∂w6", 0, "dL/dw6"),
    _q2("∂L/∂b3", "-.35", "dL/db3"),
    _q2("∂L/∂a1", "-.175", "dL/da1"),
    _q2("∂L/∂a2 (= ∂L/∂o1 · w6)", "-.105", "dL/da2"),
    _q2("∂L/∂z1", "-.175", "dL/dz1"),
    _c("EX-Q2", "exam", "factor ∂a1/∂z1 in ∂L/∂z1", "x1", lambda: "ReLU'(z1)",
       "the slope of the ReLU, 1 because z1 > 0, not the input; the value agrees only because "
       "x1 = 1", quote=_Q["dL/dz1"], judgement=True),
    _q2("∂L/∂z2", 0, "dL/dz2"),
    _q2("∂L/∂w1", "-.175", "dL/dw1"),
    _c("EX-Q2", "exam", "factor ∂z1/∂w1 in ∂L/∂w1", "x2", lambda: "x1",
       "w1 leaves x1; the value agrees only because x1 = x2 = 1", quote=_Q["dL/dw1"],
       judgement=True),
    _c("EX-Q2", "exam", "weights into h1 in the backward steps", "w1, w3", lambda: "w1, w2",
       _SWAP, quote=_Q["dL/dw3"], judgement=True),
    _q2("∂L/∂w3 as the source names it (edge x2 → h1, the book's w2)", "-.175", "dL/dw2",
        "dL/dw3"),
    _q2("∂L/∂w2 as the source names it (edge x1 → h2, the book's w3)", 0, "dL/dw3", "dL/dw2"),
    _q2("∂L/∂w4", 0, "dL/dw4"),
    _q2("∂L/∂b1", "-.175", "dL/db1"),
    _q2("∂L/∂b2", 0, "dL/db2"),
    _q2("new w1", ".1875", "new w1"),
    _q2("new w2 as the source names it (edge x1 → h2, the book's w3)", "-.2", "new w3",
        "new w2"),
    _q2("new w3 as the source names it (edge x2 → h1, the book's w2)", ".2875", "new w2",
        "new w3"),
    _q2("new w4", "-.1", "new w4"),
    _q2("new w5", ".5525", "new w5"),
    _q2("new w6", ".3", "new w6"),
    _q2("new b1", ".0875", "new b1"),
    _q2("new b2", 0, "new b2"),
    # The line reads "0 + .5 * .35 - .175": a transcription artefact, the minus standing
    # where "=" belongs (the source's own arithmetic, 0 + .5 * .35, gives +.175).
    _q2("new b3 (the transcription's '- .175' read as '= .175')", ".175", "new b3"),
    _c("EX-Q5", "exam", "receptive field of a pooling unit", (7, 7),
       lambda: (solved(ex.Q5).size,) * 2, quote="Solution: 7×7"),
    *_row_claims("CONV-7-32", 1, (122, 122, 32), 4704, 32,
                 quote=r"$7 \times 7 \times 3 \times 32 = 4704$"),
    *_row_claims("POOL-2 (first)", 2, (61, 61, 32), 0, 0, quote=r"$61 \times 61 \times 32$"),
    *_row_claims("CONV-5-64", 3, (57, 57, 64), 5 * 5 * 32 * 64, 64,
                 written="5 × 5 × 32 × 64", quote=r"$5 \times 5 \times 32 \times 64$"),
    *_row_claims("CONV-3-128", 4, (55, 55, 128), 3 * 3 * 64 * 128, 128,
                 written="3 × 3 × 64 × 128", quote=r"$3 \times 3 \times 64 \times 128$"),
    *_row_claims("POOL-2 (second)", 5, (28, 28, 128), 0, 0, shape_cause=_POOL,
                 quote=r"$28 \times 28 \times 128$"),
    *_row_claims("FC-10", 7, 10, 28 * 28 * 128 * 10, 10, weight_cause=_FC,
                 written="28 × 28 × 128 × 10", quote=r"$28 \times 28 \times 128 \times 10$"),
    *_row_claims("OUTPUT", 8, 4, 10 * 4, 4, quote="10×4"),
    _c("EX-Q3", "exam", "technique that reduces overfitting", "dropout", lambda: "dropout",
       quote="Solution: Drapout", judgement=True),
    _c("EX-Q4(a-f)", "exam", "(a) ticked", "increase the L2 regularisation weight",
       lambda: "use fewer layers; increase the L2 regularisation weight",
       "fewer layers also lowers the capacity that lets the network memorise its training set; "
       "no tick on it survives in the transcription",
       quote="Increase L2 regularization weight", judgement=True),
    _c("EX-Q4(a-f)", "exam", "(b) ticked", "regularising the model against overfitting",
       lambda: "speeding up training by reducing internal covariate shift",
       "the purpose batch normalisation was designed for is faster, steadier training; its "
       "regularising effect is a side effect of the noise of batch statistics",
       quote="Regularizing the model to prevent overfitting", judgement=True),
    _c("EX-Q4(a-f)", "exam", "(c) ticked",
       "per-weight learning rate from that weight's gradient history",
       lambda: "per-weight learning rate from that weight's gradient history",
       quote="the learning rate for each weight based on the history of the weight gradients",
       judgement=True),
    _c("EX-Q4(a-f)", "exam", "(d) ticked", "(no tick in the transcription)", None,
       "no tick survives on any option of (d); whether the marked solution ticked one "
       "cannot be judged",
       quote="modifies the momentum term to take into account the future gradient"),
    _c("EX-Q4(a-f)", "exam", "(e) ticked", "Adam", lambda: "Adam", quote=r"$\sqrt{ m Adam}$",
       judgement=True),
    _c("EX-Q4(a-f)", "exam", "(f) ticked", "to add non-linearity", lambda: "to add non-linearity",
       quote="To add non-linearity to the output", judgement=True),
    _c("EX-Q6", "exam", "statement 1 (weights, any layer)", "not ticked", lambda: "not ticked",
       quote="Visualization of the weights of a convolutional filter", judgement=True),
    _c("EX-Q6", "exam", "statement 2 (activation maps, any layer)", "ticked", lambda: "ticked",
       quote="Visualization of the activation map of a convolutional filter", judgement=True),
    _c("EX-Q6", "exam", "statement 3 (gradient of the class score, cut off)", "not ticked",
       None, "the statement is cut off in the transcription before it says what the gradient "
       "gives insight into, so whether it should be ticked cannot be judged",
       quote="with respect to image pixels provides"),
    _c("EX-Q6", "exam", "statement 4 (deeper layers, more complex features)", "ticked",
       lambda: "ticked", quote="The deeper layers of a neural network are typically computing",
       judgement=True),
    _c("EX-Q6", "exam", "statement 5 (earlier layers, more complex features)", "not ticked",
       lambda: "not ticked",
       quote="The earlier layers of a neural network are typically computing", judgement=True),
    _c("EX-Q7(b)", "exam", "activation", "softmax", lambda: "softmax",
       quote="Solution: Softmax", judgement=True),
    _c("EX-Q7(b)", "exam", "softmax of a", ["0.25", "0.25", "0.25", "0.25"],
       lambda: solved(ex.Q7B).probabilities, quote="[0.25, 0.25, 0.25, 0.25]"),
    _c("EX-Q7(c)", "exam", "method", "transfer learning", lambda: "transfer learning",
       quote="Solution: Transfer Learning", judgement=True),
]
