"""CS60010 mid-semester examination, 2022-23 (seed 004): given data and the sources' claims."""

from __future__ import annotations

import numpy as np

import dlcalc as dc
from dlcalc import mlp

from .claims import Claim, on_page

PAGE = "cs60010-midsem"

# ---- given data, written once; the page glues it into question and solution ----

# Q2: the 2-2-1 ReLU regression network, as the exam lists its numbers (the figure that placed
# w1..w6 on the edges is lost; cs60010-midsem infers the labelling from z1 = 0.3, z2 = -0.3).
Q2 = {"w1": 0.1, "w2": 0.2, "w3": -0.2, "w4": -0.1, "w5": 0.5, "w6": 0.3,
      "b1": 0, "b2": 0, "b3": 0, "x1": 1, "x2": 1, "y": 0.5, "lr": 0.5}


#: Where each named number sits (dlcalc.mlp's W[l][j, k]: from unit k of layer l-1 to unit j
#: of layer l). This labelling, w1 and w2 into h1, w3 and w4 into h2, is the one that gives
#: the source's z1 = 0.3 and z2 = -0.3.
Q2_LABELLING = {"w1": ("W1", 0, 0), "w2": ("W1", 0, 1), "w3": ("W1", 1, 0), "w4": ("W1", 1, 1),
                "w5": ("W2", 0, 0), "w6": ("W2", 0, 1),
                "b1": ("b1", 0), "b2": ("b1", 1), "b3": ("b2", 0)}
#: The labelling of the source's backward steps: w1 and w3 into h1 (x1 -> h1, x2 -> h1),
#: w2 and w4 into h2. With the given values it does not give z1 = 0.3.
Q2_SOURCE_LABELLING = {**Q2_LABELLING, "w2": ("W1", 1, 0), "w3": ("W1", 0, 1)}
Q2_NAMES = list(Q2_LABELLING)

# Q1: the book's choices for the numeric steps on the Q2 network: the momentum coefficient,
# and a second example to make a batch of two with the exam's example.
Q1 = {"rho": 0.9, "extra": {"x1": -1, "x2": 1, "y": 0}}


def q2_network(values: dict | None = None, labelling: dict | None = None) -> mlp.Network:
    """The Q2 network with the given values (default the exam's) placed by ``labelling``."""
    values = {n: Q2[n] for n in Q2_NAMES} if values is None else values
    return mlp.Network.from_scalars((2, 2, 1), values, labelling or Q2_LABELLING,
                                    activations=["relu", "linear"], loss="mse")


def q2_sample(sample: dict | None = None) -> tuple[list[float], float]:
    sample = Q2 if sample is None else sample
    return [sample["x1"], sample["x2"]], sample["y"]


def q2_traces() -> tuple[mlp.ForwardTrace, mlp.BackwardTrace]:
    net = q2_network()
    x, y = q2_sample()
    fwd = mlp.forward_trace(net, x)
    return fwd, mlp.backward_trace(net, fwd, y)


def q2_values() -> dict[str, float]:
    """Every number of the exam's solution by the source's names, book labelling."""
    fwd, back = q2_traces()
    grads = mlp.named_scalars(back.grads, Q2_LABELLING)
    new = mlp.sgd_update(q2_network(), back.grads, lr=Q2["lr"]).scalars(Q2_LABELLING)
    out = {"z1": fwd.z[0][0], "a1": fwd.a[0][0], "z2": fwd.z[0][1], "a2": fwd.a[0][1],
           "o1": fwd.output[0], "L": back.loss, "dL/do1": back.dL_dz[1][0],
           "dL/da1": back.dL_da[0][0], "dL/da2": back.dL_da[0][1],
           "dL/dz1": back.dL_dz[0][0], "dL/dz2": back.dL_dz[0][1]}
    out.update({f"dL/d{n}": g for n, g in grads.items()})
    out.update({f"new {n}": v for n, v in new.items()})
    return {k: float(v) + 0.0 for k, v in out.items()}


def q2_theta(net: mlp.Network | None = None) -> np.ndarray:
    """The nine parameters as one vector, in the order of ``Q2_NAMES``."""
    scalars = (net or q2_network()).scalars(Q2_LABELLING)
    return np.array([scalars[n] for n in Q2_NAMES])


def q2_gradient(theta, sample: dict | None = None) -> np.ndarray:
    """Gradient of the loss on one example with respect to the vector ``theta``."""
    net = q2_network(dict(zip(Q2_NAMES, np.asarray(theta, dtype=float))))
    x, y = q2_sample(sample)
    back = mlp.backward_trace(net, mlp.forward_trace(net, x), y)
    grads = mlp.named_scalars(back.grads, Q2_LABELLING)
    return np.array([grads[n] for n in Q2_NAMES])


def q2_hidden_weights() -> list[list[float]]:
    """W1 with rows h1, h2 and columns x1, x2: the labelling that gives z1 = 0.3, z2 = -0.3
    at x = (1, 1), namely w1, w2 into h1 and w3, w4 into h2."""
    return [[Q2["w1"], Q2["w2"]], [Q2["w3"], Q2["w4"]]]


def q2_output_weights() -> list[float]:
    return [Q2["w5"], Q2["w6"]]


# Q5: two 3x3 stride-1 convolutions of 32 maps, then 3x3 pooling of stride 2, on an RGB image.
Q5 = {"size": 256, "channels": 3, "n_convs": 2, "conv_filters": 32, "conv_kernel": 3,
      "conv_stride": 1, "pool_kernel": 3, "pool_stride": 2}

# Q7: the bird classifier. CONV-K-N: N filters K x K, padding 0, stride 1; POOL-K: K x K,
# stride K, padding 0; FC-N: N units. OUTPUT is a fully connected layer of one unit per class.
Q7 = {"height": 128, "width": 128, "channels": 3, "classes": 4,
      "softmax_input": [0.3, 0.3, 0.3, 0.3], "pretrained_images": 1_000_000}
Q7_LAYERS = [("CONV-7-32", dc.Conv2d(32, 7)), ("POOL-2", dc.MaxPool2d(2)),
             ("CONV-5-64", dc.Conv2d(64, 5)), ("CONV-3-128", dc.Conv2d(128, 3)),
             ("POOL-2", dc.MaxPool2d(2)), ("FLATTEN", dc.Flatten()),
             ("FC-10", dc.Dense(10)), ("OUTPUT", dc.Dense(Q7["classes"]))]


# The book's own small examples that back the verdicts of the conceptual questions.
# Q3: a linear unit with (inverted) dropout on its inputs, and the training loss it fits.
Q3_DEMO = {"x": [1.0, 2.0, -1.0, 0.5], "w": [0.5, -0.3, 0.8, 1.0], "y": 1.0,
           "p_keep": 0.5, "masks": 200_000, "seed": 0, "steps": 500, "lr_sgd": 0.1,
           "lr_adam": 0.05}
# Q4 (a): keep probabilities of a dropout layer; (b): a batch of four examples of three
# features on very different scales; (c): two weights' gradient histories; (e): one weight with
# large and one with tiny gradients.
Q4_DEMO = {"p_keeps": [0.5, 0.8, 1.0],
           "bn_batch": [[1.0, 200.0, -30.0], [2.0, 180.0, -10.0], [3.0, 240.0, -50.0],
                        [4.0, 220.0, -20.0]],
           "bn_other": [[9.0, 600.0, 40.0], [5.0, 640.0, 20.0], [7.0, 560.0, 30.0]],
           "adagrad_grads": [[4.0, 0.5], [4.0, 0.5], [4.0, 0.5], [4.0, 0.5]], "adagrad_lr": 1.0,
           "adam_grad": [100.0, 0.01], "adam_lr": 0.1, "rho": 0.9,
           "nesterov_w": 1.0, "nesterov_v": -0.2}


def q5_layers() -> list:
    """The two convolutions and the pooling layer (no padding: it does not change the field)."""
    convs = [dc.Conv2d(Q5["conv_filters"], Q5["conv_kernel"], stride=Q5["conv_stride"])
             for _ in range(Q5["n_convs"])]
    return convs + [dc.MaxPool2d(Q5["pool_kernel"], stride=Q5["pool_stride"])]


def q5_receptive_field() -> tuple[int, int]:
    size = dc.receptive_field(q5_layers()).size
    return (size, size)


def q7_summary(*, ceil_mode: bool = False) -> dc.NetworkSummary:
    """The table of Q7 (a); ``ceil_mode=True`` rounds the pooling output sizes up."""
    layers = [dc.MaxPool2d(layer.kernel, ceil_mode=True)
              if ceil_mode and isinstance(layer, dc.MaxPool2d) else layer
              for _, layer in Q7_LAYERS]
    return dc.summarize((Q7["channels"], Q7["height"], Q7["width"]), layers,
                        names=[name for name, _ in Q7_LAYERS])


def q7_row(i: int, *, ceil_mode: bool = False) -> dc.LayerRow:
    """Row ``i`` of the table (0 is INPUT, as in ``NetworkSummary.rows``)."""
    return q7_summary(ceil_mode=ceil_mode).rows[i]


def q7_shape(i: int) -> tuple[int, ...] | int:
    """Output of row ``i`` as the exam writes it: H x W x C for a block, N for a vector."""
    shape = q7_row(i).output_shape
    return (shape[1], shape[2], shape[0]) if len(shape) == 3 else shape[0]


def q7_split() -> dict[str, int]:
    """Parameters (weights + biases) of the convolutional body, of FC-10 and of OUTPUT."""
    rows = q7_summary().rows
    body = sum(r.weights + r.biases for r in rows if r.kind == "conv")
    fc10, output = (r.weights + r.biases for r in rows if r.kind == "dense")
    return {"body": body, "fc10": fc10, "output": output, "head": fc10 + output,
            "total": q7_summary().total_params}


_c = on_page(PAGE)

# Rows of the source's table, in the order of Q7_LAYERS (FLATTEN is not in the source's table).
# Index into NetworkSummary.rows: INPUT 0, CONV-7-32 1, POOL-2 2, CONV-5-64 3, CONV-3-128 4,
# POOL-2 5, FLATTEN 6, FC-10 7, OUTPUT 8. Products the source left unevaluated are evaluated
# here as written (e.g. 5 * 5 * 32 * 64).
_POOL = (f"a 2 × 2 pool of stride 2 on 55 gives ⌊(55 − 2)/2⌋ + 1 = {dc.pool_output_size(55, 2)} "
         f"(floor, the frameworks' default); {dc.pool_output_size(55, 2, ceil_mode=True)} "
         "needs ceil mode")
_FC = "follows from the 28 × 28 pooling output, one more row and column than the floor gives"


def _row_claims(name: str, i: int, shape, weights, biases, *, shape_cause: str = "",
                weight_cause: str = "", written: str = "") -> list[Claim]:
    weights_what = f"{name}: weights" + (f" (written {written}, left unevaluated)" if written else "")
    return [
        _c("EX-Q7(a)", "exam", f"{name}: activation map", shape, lambda: q7_shape(i), shape_cause),
        _c("EX-Q7(a)", "exam", weights_what, weights, lambda: q7_row(i).weights, weight_cause),
        _c("EX-Q7(a)", "exam", f"{name}: biases", biases, lambda: q7_row(i).biases),
    ]


def _v(key: str):
    return lambda: q2_values()[key]


_SWAP = ("with the given values only w1, w2 into h1 give z1 = 0.3 and z2 = -0.3; the source's "
         "backward steps and updates put w3 on x2 -> h1 and w2 on x1 -> h2, and use w3 = .2, "
         "w2 = -.2: the given values of w2 and w3 swapped. Edge by edge every number agrees")

Q1_RULES = {
    "sgd": "w_i <- w_i - eta dL(f(x_1; theta), y_1)/dw_i",
    "batch": "w_i <- w_i - eta d/dw_i sum_n L(f(x_n; theta), y_n)",
    "momentum": "v <- rho v - eta g, w <- w + v",
    "lookahead": "theta_t + rho v_t",
}

CLAIMS: list[Claim] = [
    _c("EX-Q1(a-d)", "exam", "(a) SGD rule", Q1_RULES["sgd"], lambda: Q1_RULES["sgd"]),
    _c("EX-Q1(a-d)", "exam", "(b) batch rule (sum over the m samples)", Q1_RULES["batch"],
       lambda: Q1_RULES["batch"]),
    _c("EX-Q1(a-d)", "exam", "(c) momentum rule (both forms given)", Q1_RULES["momentum"],
       lambda: Q1_RULES["momentum"]),
    _c("EX-Q1(a-d)", "exam", "(d) Nesterov look-ahead point (first form)", "theta_t + eta v_t",
       lambda: Q1_RULES["lookahead"],
       "the learning rate eta where the momentum coefficient rho belongs; the source's second "
       "form, grad f(x_t + rho v_t), has it right"),
    _c("EX-Q2", "exam", "z1", ".3", _v("z1")),
    _c("EX-Q2", "exam", "a1", ".3", _v("a1")),
    _c("EX-Q2", "exam", "z2", "-.3", _v("z2")),
    _c("EX-Q2", "exam", "a2", 0, _v("a2")),
    _c("EX-Q2", "exam", "o1", ".15", _v("o1")),
    _c("EX-Q2", "exam", "loss L", ".06125", _v("L")),
    _c("EX-Q2", "exam", "∂L/∂o1", "-.35", _v("dL/do1")),
    _c("EX-Q2", "exam", "∂L/∂w5", "-.105", _v("dL/dw5")),
    _c("EX-Q2", "exam", "∂L/∂w6", 0, _v("dL/dw6")),
    _c("EX-Q2", "exam", "∂L/∂b3", "-.35", _v("dL/db3")),
    _c("EX-Q2", "exam", "∂L/∂a1", "-.175", _v("dL/da1")),
    _c("EX-Q2", "exam", "∂L/∂a2 (= ∂L/∂o1 · w6)", "-.105", _v("dL/da2")),
    _c("EX-Q2", "exam", "∂L/∂z1", "-.175", _v("dL/dz1")),
    _c("EX-Q2", "exam", "factor ∂a1/∂z1 in ∂L/∂z1", "x1", lambda: "ReLU'(z1)",
       "the slope of the ReLU, 1 because z1 > 0, not the input; the value agrees only because "
       "x1 = 1"),
    _c("EX-Q2", "exam", "∂L/∂z2", 0, _v("dL/dz2")),
    _c("EX-Q2", "exam", "∂L/∂w1", "-.175", _v("dL/dw1")),
    _c("EX-Q2", "exam", "factor ∂z1/∂w1 in ∂L/∂w1", "x2", lambda: "x1",
       "w1 leaves x1; the value agrees only because x1 = x2 = 1"),
    _c("EX-Q2", "exam", "weights into h1 in the backward steps", "w1, w3", lambda: "w1, w2", _SWAP),
    _c("EX-Q2", "exam", "∂L/∂w3 as the source names it (edge x2 → h1, the book's w2)", "-.175",
       _v("dL/dw2")),
    _c("EX-Q2", "exam", "∂L/∂w2 as the source names it (edge x1 → h2, the book's w3)", 0,
       _v("dL/dw3")),
    _c("EX-Q2", "exam", "∂L/∂w4", 0, _v("dL/dw4")),
    _c("EX-Q2", "exam", "∂L/∂b1", "-.175", _v("dL/db1")),
    _c("EX-Q2", "exam", "∂L/∂b2", 0, _v("dL/db2")),
    _c("EX-Q2", "exam", "new w1", ".1875", _v("new w1")),
    _c("EX-Q2", "exam", "new w2 as the source names it (edge x1 → h2, the book's w3)", "-.2",
       _v("new w3")),
    _c("EX-Q2", "exam", "new w3 as the source names it (edge x2 → h1, the book's w2)", ".2875",
       _v("new w2")),
    _c("EX-Q2", "exam", "new w4", "-.1", _v("new w4")),
    _c("EX-Q2", "exam", "new w5", ".5525", _v("new w5")),
    _c("EX-Q2", "exam", "new w6", ".3", _v("new w6")),
    _c("EX-Q2", "exam", "new b1", ".0875", _v("new b1")),
    _c("EX-Q2", "exam", "new b2", 0, _v("new b2")),
    _c("EX-Q2", "exam", "new b3", "-.175", _v("new b3"),
       "b3 - eta dL/db3 = 0 - 0.5 (-0.35) = +0.175; the source's line '0 + .5 * .35 - .175' "
       "ends in a minus sign where '=' belongs"),
    _c("EX-Q5", "exam", "receptive field of a pooling unit", (7, 7), q5_receptive_field),
    *_row_claims("CONV-7-32", 1, (122, 122, 32), 4704, 32),
    *_row_claims("POOL-2 (first)", 2, (61, 61, 32), 0, 0),
    *_row_claims("CONV-5-64", 3, (57, 57, 64), 5 * 5 * 32 * 64, 64,
                 written="5 × 5 × 32 × 64"),
    *_row_claims("CONV-3-128", 4, (55, 55, 128), 3 * 3 * 64 * 128, 128,
                 written="3 × 3 × 64 × 128"),
    *_row_claims("POOL-2 (second)", 5, (28, 28, 128), 0, 0, shape_cause=_POOL),
    *_row_claims("FC-10", 7, 10, 28 * 28 * 128 * 10, 10, weight_cause=_FC,
                 written="28 × 28 × 128 × 10"),
    *_row_claims("OUTPUT", 8, 4, 10 * 4, 4),
    _c("EX-Q3", "exam", "technique that reduces overfitting", "dropout", lambda: "dropout"),
    _c("EX-Q4(a-f)", "exam", "(a) ticked", "increase the L2 regularisation weight",
       lambda: "use fewer layers; increase the L2 regularisation weight",
       "fewer layers also lowers the capacity that lets the network memorise its training set; "
       "no tick on it survives in the transcription"),
    _c("EX-Q4(a-f)", "exam", "(b) ticked", "regularising the model against overfitting",
       lambda: "speeding up training by reducing internal covariate shift",
       "the purpose batch normalisation was designed for is faster, steadier training; its "
       "regularising effect is a side effect of the noise of batch statistics"),
    _c("EX-Q4(a-f)", "exam", "(c) ticked", "per-weight learning rate from that weight's gradient history",
       lambda: "per-weight learning rate from that weight's gradient history"),
    _c("EX-Q4(a-f)", "exam", "(e) ticked", "Adam", lambda: "Adam"),
    _c("EX-Q4(a-f)", "exam", "(f) ticked", "to add non-linearity", lambda: "to add non-linearity"),
    _c("EX-Q6", "exam", "statement 1 (weights, any layer)", "not ticked", lambda: "not ticked"),
    _c("EX-Q6", "exam", "statement 2 (activation maps, any layer)", "ticked", lambda: "ticked"),
    _c("EX-Q6", "exam", "statement 3 (gradient of the class score, cut off)", "not ticked",
       lambda: "ticked",
       "the statement is cut off in the transcription; completed as the saliency-map statement it "
       "is true (or its tick was lost with its end)"),
    _c("EX-Q6", "exam", "statement 4 (deeper layers, more complex features)", "ticked",
       lambda: "ticked"),
    _c("EX-Q6", "exam", "statement 5 (earlier layers, more complex features)", "not ticked",
       lambda: "not ticked"),
    _c("EX-Q7(b)", "exam", "activation", "softmax", lambda: "softmax"),
    _c("EX-Q7(b)", "exam", "softmax of a", ["0.25", "0.25", "0.25", "0.25"],
       lambda: dc.softmax(Q7["softmax_input"])),
    _c("EX-Q7(c)", "exam", "method", "transfer learning", lambda: "transfer learning"),
]
