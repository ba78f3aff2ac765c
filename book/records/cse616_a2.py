"""CSE616 Assignment 2 (seeds 000 and 001): given data and the sources' claims."""

from __future__ import annotations

import functools

import matplotlib.cbook
import matplotlib.image
import numpy as np

import dlcalc as dc
from dlcalc import problems
import dlcalc.train

from .claims import Claim, on_page

PAGE = "cse616-assignment2"

# ---- given data, written once; the page glues it into question and solution ----
Q1 = {"height": 500, "width": 500, "channels": 3, "units": 100}
Q2 = {"filters": 10, "kernel": 5}  # applied to Q1's image
Q3 = {"kernel": 3,  # the filters of the question are square, of this side
      "photo": "grace_hopper.jpg"}  # shipped with matplotlib as sample data
# Demonstration data of the conceptual questions (not given by the assignment).
Q5_DEMO = {"m": 6, "seed": 5, "loc": [5.0, -2.0, 40.0], "scale": [2.0, 0.5, 10.0],
           "gamma": [1.0, 2.0, 0.5], "beta": [0.0, -1.0, 3.0], "scale_test": 7.5}
Q12_DEMO = {"top": 120, "left": 170, "size": 160, "shift": (9, 14), "filters": 2,
            "kernel": 5, "seed": 3, "perm_seed": 4, "units": 4}
Q13 = {"p_keep": 0.8, "x": [1.0, 2.0, 3.0, 4.0], "trials": 20_000, "seed": 0}
Q4 = {"beta1": 0.9, "beta2": 0.999, "lr": 1e-3,  # Adam's defaults (Kingma & Ba)
      "t_weights": [5, 20, 60], "t_max": 10_000, "close": 0.99, "grad": 0.5, "t_run": 2000}
Q6 = {"size": 256, "channels": 3, "conv_filters": 32, "conv_kernel": 3, "conv_stride": 1,
      "pool_kernel": 3, "pool_stride": 2}
Q14 = {"rho": 0.9, "alpha": 0.1, "x0": -10.0, "steps": 200, "tol": 1e-3,
       # the ill-conditioned example: L = (x^2 + kappa y^2) / 2 from (x0_2d)
       "kappa": 25.0, "x0_2d": [-10.0, 2.0], "alpha_2d": 0.035, "steps_2d": 60}
Q15 = {"lr": 1.0, "steps": 1000, "grad": 1.0, "x0": 5.0, "seed": 1, "noise": 1.0}
Q10 = {"x": [4, 1, -1, 3], "k": [-2, 1], "out_len": 5}
Q11 = {"epochs": [25, 60]}
Q11_DEMO = {"window": 5}  # epochs averaged on each side of a drop


def q1_summary() -> dc.NetworkSummary:
    return dc.summarize((Q1["channels"], Q1["height"], Q1["width"]),
                        [dc.Flatten(), dc.Dense(Q1["units"])])


def q1_weight_shape() -> tuple[int, int]:
    n_in = q1_summary().rows[1].output_shape[0]
    return (n_in, Q1["units"])


def q2_params() -> int:
    weights, biases = dc.conv_params(Q1["channels"], Q2["filters"], Q2["kernel"])
    return weights + biases


def q6_layers() -> list:
    """Conv 3x3 stride 1 with "same" padding (the question says the size is kept), then pool 3x3/2."""
    return [dc.Conv2d(Q6["conv_filters"], Q6["conv_kernel"], stride=Q6["conv_stride"], padding="same"),
            dc.MaxPool2d(Q6["pool_kernel"], stride=Q6["pool_stride"])]


def q6_receptive_field() -> int:
    return dc.receptive_field(q6_layers()).size


def q6_summary() -> dc.NetworkSummary:
    return dc.summarize((Q6["channels"], Q6["size"], Q6["size"]), q6_layers())


# Luminance weights of ITU-R BT.601 for R, G, B: how a colour photo is made grey.
LUMA = (0.299, 0.587, 0.114)


def q3_photo() -> np.ndarray:
    """The grey photograph of Q3, shape (H, W), values in [0, 1]."""
    with matplotlib.cbook.get_sample_data(Q3["photo"]) as f:
        rgb = matplotlib.image.imread(f).astype(np.float64) / 255.0
    return rgb[..., :3] @ np.array(LUMA)


def q3_filters() -> dict[str, np.ndarray]:
    return {"vertical": dc.edge_filter("vertical"), "horizontal": dc.edge_filter("horizontal")}


def q3_responses() -> np.ndarray:
    """Both filters as one convolution layer of two filters: shape (2, H - 2, W - 2)."""
    w = np.stack(list(q3_filters().values()))[:, None]          # (F=2, C=1, 3, 3)
    out, _ = dc.conv2d_forward(q3_photo()[None, None], w)
    return out[0]


def q5_batch() -> np.ndarray:
    """A batch of m examples of three features with very different means and spreads."""
    rng = np.random.default_rng(Q5_DEMO["seed"])
    z = rng.normal(Q5_DEMO["loc"], Q5_DEMO["scale"], size=(Q5_DEMO["m"], len(Q5_DEMO["loc"])))
    return np.round(z, 1)


BN_OUTPUT = "y = γ (z − μ) / √(σ² + ε) + β"


def q5_output_formula() -> str:
    """The output equation, after checking that dlcalc's layer computes exactly it."""
    z, gamma, beta = q5_batch(), np.array(Q5_DEMO["gamma"]), np.array(Q5_DEMO["beta"])
    out, cache = dc.batchnorm_forward(z, gamma, beta)
    mu, var = z.mean(axis=0), z.var(axis=0)   # numpy's var divides by m (biased)
    if not np.allclose(out, gamma * (z - mu) / np.sqrt(var + 1e-5) + beta, rtol=0, atol=1e-12):
        raise AssertionError("batchnorm_forward does not compute the textbook formula")
    return BN_OUTPUT


def q10_padding() -> int:
    return dc.padding_for_output(len(Q10["x"]), len(Q10["k"]), Q10["out_len"])


def q10_correlation() -> np.ndarray:
    return dc.correlate1d(Q10["x"], Q10["k"], padding=q10_padding())


def q10_convolution() -> np.ndarray:
    return dc.convolve1d(Q10["x"], Q10["k"], padding=q10_padding())


def q4_weights_history() -> dict[int, np.ndarray]:
    """The weight of the gradient of k steps ago in Adam's first moment, after t steps."""
    return {t: dc.adam_gradient_weights(t, beta=Q4["beta1"]) for t in Q4["t_weights"]}


def q4_steps_until_corrected(beta: float) -> int:
    """First step at which the bias correction 1 - beta^t exceeds Q4["close"]."""
    t = np.arange(Q4["t_max"] + 1)
    return int(np.argmax(dc.bias_correction(t, beta=beta) > Q4["close"]))


def q4_recent_share(beta: float) -> float:
    """Share of the moving average's weight on the last 1/(1 - beta) gradients, after t_max steps."""
    weights = dc.adam_gradient_weights(Q4["t_max"], beta=beta)
    return float(weights[:round(1 / (1 - beta))].sum())


def q4_step_sizes() -> np.ndarray:
    """|w_{t+1} - w_t| of Adam with a constant gradient, for t = 1 .. t_run."""
    ws = dc.trajectory(dc.adam_step, lambda w: np.full_like(w, Q4["grad"]), 0.0, Q4["t_run"],
                       lr=Q4["lr"], beta1=Q4["beta1"], beta2=Q4["beta2"])
    return np.abs(np.diff(ws[:, 0]))


def q4_steps_shrink() -> str:
    sizes = q4_step_sizes()
    return "yes" if sizes[-1] < 0.5 * sizes[0] else "no"


def q4_dominated_by() -> str:
    """Which gradients dominate Adam's averages after many steps."""
    return "recent gradients" if q4_recent_share(Q4["beta2"]) > 0.5 else "old gradients"


def q4_denominator() -> str:
    """What Adam divides by: a sum of past squared gradients, or a moving average of them."""
    weights = dc.adam_gradient_weights(Q4["t_max"], beta=Q4["beta2"])
    equal = np.allclose(weights, weights[0])
    return "the sum of past squared gradients" if equal else "a moving average of squared gradients"


def q4_correction_needed_late() -> str:
    return "yes" if dc.bias_correction(Q4["t_max"], beta=Q4["beta2"]) < Q4["close"] else "no"


def settling_step(ws: np.ndarray, tol: float) -> int:
    """Number of steps after which every coordinate stays below tol in absolute value."""
    above = np.nonzero(np.max(np.abs(ws), axis=1) >= tol)[0]
    return int(above[-1] + 1) if above.size else 0


Q14_METHODS = {"momentum": dc.momentum_step, "Nesterov": dc.nesterov_step}


def q14_paths() -> dict[str, np.ndarray]:
    """x_t on L = x^2 (gradient 2x), v_0 = 0, for both methods: shape (steps + 1,)."""
    return {name: dc.trajectory(step, lambda w: 2 * w, Q14["x0"], Q14["steps"],
                                lr=Q14["alpha"], rho=Q14["rho"])[:, 0]
            for name, step in Q14_METHODS.items()}


def q14_settling() -> dict[str, int]:
    return {name: settling_step(x[:, None], Q14["tol"]) for name, x in q14_paths().items()}


def q14_contraction() -> dict[str, float]:
    """Spectral radius of each method's linear recursion on L = x^2: |x_t| shrinks like r^t.

    With the state (x, v): momentum v' = rho v - 2 alpha x, x' = x + v';
    Nesterov v' = rho v - 2 alpha (x + rho v), x' = x + v'.
    """
    a, r = 2 * Q14["alpha"], Q14["rho"]
    mats = {"momentum": [[1 - a, r], [-a, r]],
            "Nesterov": [[1 - a, r * (1 - a)], [-a, r * (1 - a)]]}
    return {name: float(np.max(np.abs(np.linalg.eigvals(np.array(m))))) for name, m in mats.items()}


def q14_overshoot() -> dict[str, float]:
    """How far past the minimum each method swings (largest x_t > 0, starting from x0 < 0)."""
    return {name: float(x.max()) for name, x in q14_paths().items()}


def q14_nesterov_faster() -> str:
    settle = q14_settling()
    return "yes" if settle["Nesterov"] < settle["momentum"] else "no"


def q14_nesterov_overshoots_less() -> str:
    over = q14_overshoot()
    return "yes" if over["Nesterov"] < over["momentum"] else "no"


def q14_grad_2d(w: np.ndarray) -> np.ndarray:
    return np.array([1.0, Q14["kappa"]]) * w


def q14_loss_2d(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 0.5 * (x**2 + Q14["kappa"] * y**2)


def q14_paths_2d() -> dict[str, np.ndarray]:
    return {name: dc.trajectory(step, q14_grad_2d, Q14["x0_2d"], Q14["steps_2d"],
                                lr=Q14["alpha_2d"], rho=Q14["rho"])
            for name, step in Q14_METHODS.items()}


def q15_gradient_cases() -> dict[str, np.ndarray]:
    """Gradient sequences of three kinds, each of Q15["steps"] steps."""
    n = Q15["steps"]
    rng = np.random.default_rng(Q15["seed"])
    run = dc.trajectory(dc.adagrad_step, lambda w: 2 * w, Q15["x0"], n, lr=Q15["lr"])
    return {"constant gradient": np.full(n, Q15["grad"]),
            "noisy gradient": Q15["grad"] + Q15["noise"] * rng.normal(size=n),
            "AdaGrad on L = x², gradient 2x": 2 * run[:-1, 0]}


def q15_rates() -> dict[str, np.ndarray]:
    return {name: dc.adagrad_effective_lr(g, lr=Q15["lr"]) for name, g in q15_gradient_cases().items()}


def q15_never_increases() -> str:
    return "yes" if all(np.all(np.diff(r) <= 0) for r in q15_rates().values()) else "no"


@functools.lru_cache(maxsize=1)
def q11_runs() -> dict:
    """dlcalc's step-schedule experiment with drops at the question's epochs, and without."""
    return dlcalc.train.run_lr_schedule_experiment(drops_at=tuple(Q11["epochs"]))


def q11_loss_around_drops() -> dict[str, list[tuple[float, float]]]:
    """Mean training loss over the epochs just before and just after each drop, per run."""
    w = Q11_DEMO["window"]
    out = {}
    for label, run in q11_runs().items():
        loss = run.history.train_loss
        out[label] = [(float(loss[e - w:e].mean()), float(loss[e:e + w].mean()))
                      for e in Q11["epochs"]]
    return out


def q11_explanation() -> str:
    """What the curve's steps are: the loss falls at each drop with the schedule, not without."""
    around = q11_loss_around_drops()
    falls = all(after < before for before, after in around["step schedule"])
    steps_larger = all(b1 - a1 > b0 - a0 for (b1, a1), (b0, a0)
                       in zip(around["step schedule"], around["constant"]))
    return "learning-rate drops" if falls and steps_larger else "something else"


def q12_crop() -> np.ndarray:
    d = Q12_DEMO
    return q3_photo()[d["top"]:d["top"] + d["size"], d["left"]:d["left"] + d["size"]]


def q12_shifted(image: np.ndarray) -> np.ndarray:
    """The image moved down and right by Q12_DEMO["shift"], zeros coming in."""
    dy, dx = Q12_DEMO["shift"]
    out = np.zeros_like(image)
    out[dy:, dx:] = image[:image.shape[0] - dy, :image.shape[1] - dx]
    return out


def q12_filters() -> np.ndarray:
    d = Q12_DEMO
    return np.random.default_rng(d["seed"]).normal(size=(d["filters"], 1, d["kernel"], d["kernel"]))


def q12_feature_maps() -> tuple[np.ndarray, np.ndarray]:
    """The conv layer's maps of the crop and of the shifted crop, each (F, OH, OW)."""
    w = q12_filters()
    crop = q12_crop()
    maps, _ = dc.conv2d_forward(crop[None, None], w)
    maps_shifted, _ = dc.conv2d_forward(q12_shifted(crop)[None, None], w)
    return maps[0], maps_shifted[0]


def q12_equivariance_error() -> float:
    """Largest difference between shift-then-convolve and convolve-then-shift, where both exist.

    Away from the border the zeros brought in by the shift cannot reach, the
    map of the shifted crop must equal the shifted map of the crop.
    """
    (dy, dx), k = Q12_DEMO["shift"], Q12_DEMO["kernel"]
    maps, maps_shifted = q12_feature_maps()
    oh, ow = maps.shape[1:]
    # Output (i, j) of the shifted crop reads rows i..i+k-1: all real pixels once i >= dy.
    return float(np.max(np.abs(maps_shifted[:, dy:, dx:] - maps[:, :oh - dy, :ow - dx])))


def q12_equivariant() -> str:
    return "yes" if q12_equivariance_error() < 1e-9 else "no"


def q9_pixel_order_matters() -> str:
    """Does a fully connected layer care where pixels are? Shuffle pixels and weight rows alike.

    Any fixed permutation of the flattened pixels, applied to the weight rows
    too, gives exactly the same outputs: the layer has no notion of which
    pixels are neighbours, so a shuffled image is as easy for it as a real one.
    """
    d = Q12_DEMO
    x = q12_crop().reshape(1, -1)
    rng = np.random.default_rng(d["perm_seed"])
    w = rng.normal(size=(x.shape[1], d["units"]))
    b = rng.normal(size=d["units"])
    perm = rng.permutation(x.shape[1])
    out, _ = dc.affine_forward(x, w, b)
    out_perm, _ = dc.affine_forward(x[:, perm], w[perm], b)
    return "yes" if not np.allclose(out, out_perm, rtol=1e-12, atol=1e-12) else "no"


def q12_fc_same_map_params() -> int:
    """Weights of a fully connected layer giving the conv layer's whole output map."""
    out = dc.conv_output_shape((Q1["channels"], Q1["height"], Q1["width"]),
                               out_channels=Q2["filters"], kernel=Q2["kernel"])
    weights, biases = dc.dense_params(Q1["height"] * Q1["width"] * Q1["channels"],
                                      int(np.prod(out)))
    return weights + biases


def q1_params() -> int:
    return q1_summary().total_weights + q1_summary().total_biases


def q13_factor(*, inverted: bool, train: bool) -> str:
    """What dropout multiplies a *kept* unit by, as a formula in the keep probability p."""
    p = Q13["p_keep"]
    out, cache = dc.dropout_forward(np.ones(64), p_keep=p, rng=np.random.default_rng(0),
                                    inverted=inverted, train=train)
    kept = out[cache.mask] if cache.mask is not None else out
    factor = float(kept[0])
    for text, value in (("none (×1)", 1.0), ("p", p), ("1/p", 1.0 / p)):
        if np.isclose(factor, value, rtol=1e-12, atol=0.0):
            return text
    raise AssertionError(f"unexpected dropout factor {factor}")


def q13_simulation() -> dict[str, dict[str, np.ndarray]]:
    """Mean training output over many masks and the test output, per scheme.

    Also the rule of seed 000 (vanilla training, divide by p at test time).
    """
    x = np.broadcast_to(np.array(Q13["x"]), (Q13["trials"], len(Q13["x"])))
    p = Q13["p_keep"]
    out = {}
    for name, inverted in (("vanilla", False), ("inverted", True)):
        rng = np.random.default_rng(Q13["seed"])
        train, _ = dc.dropout_forward(x, p_keep=p, rng=rng, inverted=inverted, train=True)
        test, _ = dc.dropout_forward(np.array(Q13["x"]), p_keep=p, rng=rng, inverted=inverted,
                                     train=False)
        out[name] = {"train_runs": train, "train_mean": train.mean(axis=0), "test": test}
    out["seed 000"] = {"train_runs": out["vanilla"]["train_runs"],
                       "train_mean": out["vanilla"]["train_mean"],
                       "test": np.array(Q13["x"]) / p}
    return out


_c = on_page(PAGE)

# The dropout factors the sources state, by scheme and phase: what, and how dlcalc finds it.
_DROPOUT_FACTORS = {
    "vanilla test": ("vanilla dropout: factor at test time", dict(inverted=False, train=False)),
    "inverted train": ("inverted dropout: factor on kept units in training",
                       dict(inverted=True, train=True)),
    "inverted test": ("inverted dropout: factor at test time", dict(inverted=True, train=False)),
}


def _dropout(question: str, seed: str, which: str, claimed: str, cause: str = "") -> Claim:
    what, kwargs = _DROPOUT_FACTORS[which]
    return _c(question, seed, what, claimed, lambda: q13_factor(**kwargs), cause)


CLAIMS: list[Claim] = [
    _c("A2-Q1", "a2-a", "weight matrix shape", (750_000, 100), q1_weight_shape),
    _c("A2-Q1", "a2-b", "weight matrix shape", (750_000, 100), q1_weight_shape),
    _c("A2-Q1", "a2-b", "weights (learnable parameters)", 75_000_000,
       lambda: q1_summary().total_weights),
    _c("A2-Q1", "a2-a", "bias entries", 100, lambda: q1_summary().total_biases),
    _c("A2-Q1", "a2-b", "bias entries", 100, lambda: q1_summary().total_biases),
    _c("A2-Q2", "a2-a", "parameters", 260, q2_params,
       "the filters were taken as 5×5 with no depth; each filter spans all 3 input channels"),
    _c("A2-Q2", "a2-b", "parameters", 760, q2_params),
    _c("A2-Q6", "a2-a", "receptive field (side)", 5, q6_receptive_field),
    _c("A2-Q6", "a2-b", "receptive field (side)", 5, q6_receptive_field),
    _c("A2-Q6", "a2-b", "conv output (H × W × C)", (254, 254, 32),
       lambda: tuple(q6_summary().rows[1].output_shape[i] for i in (1, 2, 0)),
       "no padding was used, but the question says the conv keeps the input's size"),
    _c("A2-Q6", "a2-b", "pool output (H × W × C)", (126, 126, 32),
       lambda: tuple(q6_summary().rows[2].output_shape[i] for i in (1, 2, 0)),
       "follows from the unpadded conv output"),
    _c("A2-Q7", "a2-a", "output block (D × H × W)", (128, 64, 64),
       lambda: problems.cse616_a2.Q7.solve().output_shape,
       quote=r"dimension of output $= 128 \times 64 \times 64$"),
    _c("A2-Q7", "a2-b", "output block (D × H × W)", (128, 64, 64),
       lambda: problems.cse616_a2.Q7.solve().output_shape, quote="Output Shape = 128 x 64 x 64"),
    _c("A2-Q3", "a2-a", "vertical edge filter", [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
       lambda: q3_filters()["vertical"]),
    _c("A2-Q3", "a2-a", "horizontal edge filter", [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
       lambda: q3_filters()["horizontal"]),
    _c("A2-Q3", "a2-b", "vertical edge filter", [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
       lambda: q3_filters()["vertical"]),
    _c("A2-Q3", "a2-b", "horizontal edge filter", [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
       lambda: q3_filters()["horizontal"]),
    _c("A2-Q4", "a2-a", "what Adam divides by", "the sum of past squared gradients",
       q4_denominator,
       "that is AdaGrad's sum; Adam weights the squared gradient of k steps ago by "
       "(1 − β₂) β₂^k, an exponential moving average"),
    _c("A2-Q4", "a2-a", "after many steps the average depends on", "old gradients", q4_dominated_by,
       "the answer says the average depends less on recent updates; the geometric weights make "
       "it depend mostly on them"),
    _c("A2-Q4", "a2-a", "steps shrink as the number of steps grows", "yes", q4_steps_shrink,
       "true of AdaGrad, not of Adam: with a steady gradient Adam's step stays near the learning "
       "rate"),
    _c("A2-Q4", "a2-b", "after many steps the average depends on", "recent gradients",
       q4_dominated_by),
    _c("A2-Q4", "a2-b", "bias correction still needed after many steps", "no",
       q4_correction_needed_late),
    _c("A2-Q5", "a2-a", "output equation", "y = (z − μ) / √σ²", q5_output_formula,
       "the learnable scale γ and shift β are missing (so the layer could not undo the "
       "normalisation), and so is ε (a feature constant over the batch divides by zero)"),
    _c("A2-Q5", "a2-b", "output equation", BN_OUTPUT, q5_output_formula),
    _dropout("A2-Q8", "a2-a", "vanilla test", "1/p",
             "1/p is inverted dropout's training factor; vanilla dropout multiplies by p at "
             "test time (by 1 − p if p is read as the drop probability, as the answer does)"),
    _dropout("A2-Q8", "a2-a", "inverted train", "1/p"),
    _dropout("A2-Q8", "a2-b", "inverted train", "1/p"),
    _dropout("A2-Q8", "a2-b", "inverted test", "none (×1)"),
    _c("A2-Q9", "a2-a", "a fully connected layer ignores where pixels are", "yes",
       lambda: "yes" if q9_pixel_order_matters() == "no" else "no"),
    _c("A2-Q9", "a2-b", "a fully connected layer needs far more weights", "yes",
       lambda: "yes" if q1_params() > q2_params() else "no"),
    _c("A2-Q10", "a2-a", "padding", 1, q10_padding),
    _c("A2-Q10", "a2-b", "padding", 1, q10_padding),
    _c("A2-Q10", "a2-a", "output (padded cross-correlation)", [4, -7, -3, 5, -6], q10_correlation),
    _c("A2-Q10", "a2-b", "output (padded cross-correlation)", [4, -7, -3, 1, -6], q10_correlation,
       "a slip in the fourth entry: (−1)(−2) + 3 · 1 = 5, not 1"),
    _c("A2-Q11", "a2-a", "the change at both epochs", "learning-rate drops", q11_explanation),
    _c("A2-Q11", "a2-b", "the change at both epochs", "learning-rate drops", q11_explanation),
    _c("A2-Q12", "a2-a", "a conv layer needs fewer parameters", "yes",
       lambda: "yes" if q2_params() < q1_params() else "no"),
    _c("A2-Q12", "a2-b", "shared kernels make a conv layer shift-equivariant", "yes",
       q12_equivariant),
    _c("A2-Q14", "a2-a", "Nesterov overshoots less (L = x²)", "yes", q14_nesterov_overshoots_less),
    _c("A2-Q14", "a2-b", "Nesterov converges sooner (L = x²)", "yes", q14_nesterov_faster),
    _c("A2-Q14", "a2-b", "Nesterov overshoots less (L = x²)", "yes", q14_nesterov_overshoots_less),
    _c("A2-Q15", "a2-a", "the effective rate never increases", "yes", q15_never_increases),
    _c("A2-Q15", "a2-b", "the effective rate never increases", "yes", q15_never_increases),
    _dropout("A2-Q13", "a2-a", "vanilla test", "1/p",
             "1/p inflates the test activations; with p the keep probability vanilla dropout "
             "multiplies by p at test time"),
    _dropout("A2-Q13", "a2-b", "vanilla test", "p"),
    _dropout("A2-Q13", "a2-b", "inverted train", "1/p"),
    _dropout("A2-Q13", "a2-b", "inverted test", "none (×1)"),
]
