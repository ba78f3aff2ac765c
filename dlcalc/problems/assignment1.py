"""Assignment 1 - Deep learning: the given data of each question and its worked computation.

The question sheet of this set is lost; every question is reconstructed from the one
surviving solution, and its data are the numbers that solution works with (or, for the
conceptual questions, the demonstration data the book chooses).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from matplotlib.figure import Figure

import dlcalc as dc
from dlcalc._memo import memo

from ._base import Answer, Problem, check_int, check_real, check_reals


def _one_decimal(rng: np.random.Generator, low: float, high: float, size: int) -> tuple:
    """``size`` numbers with one decimal drawn uniformly from [low, high]."""
    values = rng.integers(round(low * 10), round(high * 10) + 1, size=size) / 10
    return tuple(float(v) for v in values)


def _matrix(value: tuple) -> tuple:
    return tuple(tuple(float(v) for v in row) for row in value)


# ---- A1-Q1 ---------------------------------------------------------------------------

class SoftmaxOutput(NamedTuple):
    """What A1-Q1's solution computes."""

    exps: np.ndarray      # e^{z_i}
    total: float          # their sum, the softmax's denominator
    probs: np.ndarray     # the class probabilities


@dataclass(frozen=True)
class Softmax(Problem):
    """A1-Q1: class probabilities from the scores of a network's last layer."""

    qid = "A1-Q1"
    title = "class probabilities from the last layer"

    logits: tuple = (2.0, 1.0, 0.1)

    def validate(self) -> None:
        z = check_reals(self, "logits", shape=(None,))
        if len(z) < 2:
            raise ValueError(f"Softmax.logits must hold at least two scores, "
                             f"got {self.logits!r}")

    def solve(self) -> SoftmaxOutput:
        z = np.array(self.logits)
        exps = np.exp(z)
        probs = dc.softmax(z)       # exps / exps.sum(), done stably
        return SoftmaxOutput(exps, float(exps.sum()), probs)

    def answers(self, solution: SoftmaxOutput) -> tuple[Answer, ...]:
        return (Answer("probs", "Class probabilities, in the order of the scores",
                       tuple(float(p) for p in solution.probs), "list", 3),)

    @classmethod
    def generate(cls, rng: np.random.Generator) -> Softmax:
        n = int(rng.integers(3, 5))
        while True:
            logits = _one_decimal(rng, -2.0, 4.0, n)
            if len(set(logits)) == n:          # distinct scores: no tie to read off
                return cls(logits=logits)


# ---- A1-Q2 ---------------------------------------------------------------------------

class ForwardPassOutput(NamedTuple):
    """What A1-Q2's solution computes."""

    network: dc.Network
    trace: dc.ForwardTrace    # z and a of every layer
    probs: np.ndarray         # the output probabilities


@dataclass(frozen=True)
class ForwardPass(Problem):
    """A1-Q2: a forward pass through a network with two ReLU layers and a softmax output."""

    qid = "A1-Q2"
    title = "a forward pass through a small network"

    x: tuple = (0.5, -1.0)
    w1: tuple = ((0.1, -0.1), (0.2, 0.3))
    w2: tuple = ((0.1, -0.5), (0.3, 0.2), (0.4, -0.1))
    w3: tuple = ((0.1, 0.2, 0.1), (0.4, 0.7, 0.3))

    def validate(self) -> None:
        n = len(check_reals(self, "x", shape=(None,)))
        for name in ("w1", "w2", "w3"):
            w = check_reals(self, name, shape=(None, n))
            n = w.shape[0]
        if n < 2:
            raise ValueError(f"ForwardPass.w3 must have at least two rows (softmax outputs), "
                             f"got {self.w3!r}")

    def solve(self) -> ForwardPassOutput:
        weights = (self.w1, self.w2, self.w3)
        biases = tuple(np.zeros(len(w)) for w in weights)   # all zero
        net = dc.Network(weights, biases, ("relu", "relu", "softmax"))
        trace = dc.forward_trace(net, self.x)      # every z and a
        return ForwardPassOutput(net, trace, trace.output)

    def answers(self, solution: ForwardPassOutput) -> tuple[Answer, ...]:
        z = solution.trace.z
        return tuple(Answer(f"z{k}", f"Pre-activations of layer {k}, z[{k}]",
                            tuple(float(v) for v in z[k - 1]), "list", 4)
                     for k in (1, 2, 3)) + (
            Answer("probs", "Output probabilities", tuple(float(p) for p in solution.probs),
                   "list", 3),)

    @classmethod
    def generate(cls, rng: np.random.Generator) -> ForwardPass:
        def draw(rows: int, cols: int) -> tuple:
            return tuple(_one_decimal(rng, -0.5, 0.7, cols) for _ in range(rows))

        h1, h2 = int(rng.integers(2, 4)), int(rng.integers(2, 4))
        while True:
            q = cls(x=_one_decimal(rng, -1.5, 1.5, 2), w1=draw(h1, 2), w2=draw(h2, h1),
                    w3=draw(2, h2))
            a = q.solve().trace.a
            # every hidden layer lets something through, and the two outputs differ
            if all(np.max(a[k]) >= 0.01 for k in (0, 1)) and abs(a[2][0] - a[2][1]) > 1e-3:
                return q


# ---- A1-Q3 ---------------------------------------------------------------------------

class ConstantNetworkOutput(NamedTuple):
    """What A1-Q3's solution computes."""

    z: float                  # (a) the neuron's pre-activation w . x
    sigmoid: float            # (a) its sigmoid
    softmax_single: float     # (a) a softmax over that single output
    weight_counts: tuple      # (b) weights of each layer
    trace: dc.ForwardTrace    # (b) every z and a of the network
    probs: np.ndarray         # (b) the output probabilities


@dataclass(frozen=True)
class ConstantNetwork(Problem):
    """A1-Q3: a single neuron, then a ReLU/softmax network whose layers have constant weights."""

    qid = "A1-Q3"
    title = "a single neuron, then a network of constant weights"

    x: tuple = (0.2, -1.3, 2.0, 0.01)
    w: tuple = (0.001, 0.01, -0.005, -1.2)
    net_x: tuple = (-2.4, 1.2, -0.8, 1.1)
    sizes: tuple = (4, 3, 2, 2)
    weight_values: tuple = (0.1, 0.001, 0.01)

    def validate(self) -> None:
        n = len(check_reals(self, "x", shape=(None,)))
        check_reals(self, "w", shape=(n,))
        if not isinstance(self.sizes, tuple) or len(self.sizes) != 4 or any(
                isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in self.sizes):
            raise ValueError(f"ConstantNetwork.sizes must be a tuple of four positive ints, "
                             f"got {self.sizes!r}")
        if self.sizes[-1] < 2:
            raise ValueError(f"ConstantNetwork.sizes must end in at least two softmax "
                             f"outputs, got {self.sizes!r}")
        check_reals(self, "net_x", shape=(self.sizes[0],))
        check_reals(self, "weight_values", shape=(3,))

    def solve(self) -> ConstantNetworkOutput:
        # (a) one neuron
        z = float(np.dot(self.w, self.x))
        sigmoid = float(dc.sigmoid(z))
        softmax_single = float(dc.softmax([z])[0])
        # (b) every weight of layer l is weight_values[l - 1]
        sizes, values = self.sizes, self.weight_values
        shapes = zip(sizes[1:], sizes)              # (n_out, n_in)
        weights = tuple(np.full(shape, v)
                        for shape, v in zip(shapes, values))
        biases = tuple(np.zeros(n) for n in sizes[1:])
        net = dc.Network(weights, biases, ("relu", "relu", "softmax"))
        trace = dc.forward_trace(net, self.net_x)
        counts = tuple(w.size for w in weights)
        return ConstantNetworkOutput(z, sigmoid, softmax_single,
                                     counts, trace, trace.output)

    def answers(self, solution: ConstantNetworkOutput) -> tuple[Answer, ...]:
        return (Answer("z", "(a) Pre-activation z = w · x", solution.z, "decimal", 4),
                Answer("probs", "(b) Output probabilities",
                       tuple(float(p) for p in solution.probs), "list", 3))

    @classmethod
    def generate(cls, rng: np.random.Generator) -> ConstantNetwork:
        scales = [-1.2, -0.5, -0.1, -0.01, -0.005, 0.001, 0.005, 0.01, 0.1, 0.5, 1.2]
        sizes = (int(rng.integers(3, 6)), int(rng.integers(2, 5)), int(rng.integers(2, 4)), 2)
        while True:
            x = _one_decimal(rng, -2.0, 2.0, 4)
            w = tuple(float(v) for v in rng.choice(scales, size=4))
            if abs(np.dot(x, w)) >= 1e-3:
                break
        while True:
            net_x = _one_decimal(rng, -2.5, 2.5, sizes[0])
            if abs(sum(net_x)) >= 0.05:            # the hidden sum is not exactly zero
                break
        values = tuple(float(v) for v in rng.choice([0.001, 0.01, 0.05, 0.1, 0.2, 0.5], size=3))
        return cls(x=x, w=w, net_x=net_x, sizes=sizes, weight_values=values)


# ---- A1-Q4 ---------------------------------------------------------------------------

class ParameterCountOutput(NamedTuple):
    """What A1-Q4's solution computes."""

    summary: dc.NetworkSummary    # the layer-by-layer table
    w1: int
    b1: int
    w2: int
    b2: int
    total: int


@dataclass(frozen=True)
class ParameterCount(Problem):
    """A1-Q4: the parameters of a fully connected network with one hidden layer."""

    qid = "A1-Q4"
    title = "parameters of a small fully connected network"

    n_in: int = 3
    hidden: int = 4
    n_out: int = 2

    def validate(self) -> None:
        for name in ("n_in", "hidden", "n_out"):
            check_int(self, name, low=1, high=10_000)

    def solve(self) -> ParameterCountOutput:
        layers = (dc.Dense(self.hidden), dc.Activation("relu"),
                  dc.Dense(self.n_out))
        summary = dc.summarize((self.n_in,), layers)
        hidden, out = summary.rows[1], summary.rows[3]
        return ParameterCountOutput(
            summary, hidden.weights, hidden.biases, out.weights,
            out.biases, summary.total_params)

    def answers(self, solution: ParameterCountOutput) -> tuple[Answer, ...]:
        return (Answer("total", "Total number of parameters", solution.total, "integer"),)

    def figure(self) -> Figure:
        """The network drawn from its layer sizes (the source's figure is lost)."""
        sizes = [self.n_in, self.hidden, self.n_out]
        return dc.draw_network(sizes, layer_names=[f"input\n{self.n_in} units",
                                                   f"hidden\n{self.hidden} ReLU",
                                                   f"output\n{self.n_out} units"],
                               width=3.6, height=3.2)

    @classmethod
    def generate(cls, rng: np.random.Generator) -> ParameterCount:
        return cls(n_in=int(rng.integers(2, 7)), hidden=int(rng.integers(2, 7)),
                   n_out=int(rng.integers(2, 5)))


# ---- A1-Q5 ---------------------------------------------------------------------------

class SigmoidGradientOutput(NamedTuple):
    """What A1-Q5's solution computes."""

    z: np.ndarray             # a grid of pre-activations
    sigmoid: np.ndarray       # sigma(z) on the grid
    grad: np.ndarray          # sigma'(z) on the grid
    grad_is_s_1_minus_s: bool  # whether sigma' = sigma (1 - sigma) on the grid
    max_grad: float           # sigma'(0), the largest derivative
    grad_saturated: float     # sigma'(z) at z = z_saturated
    best_factors: np.ndarray  # largest product of sigma' through 1, 2, ... layers
    factor: float             # ... through ``depth`` layers


@dataclass(frozen=True)
class SigmoidGradient(Problem):
    """A1-Q5: why deep sigmoid networks have vanishing gradients (conceptual; the data
    are the book's demonstration: a grid of z, a saturated z and depths)."""

    qid = "A1-Q5"
    title = "the vanishing gradient problem with the sigmoid"

    z_max: float = 8.0
    points: int = 401
    z_saturated: float = 5.0
    depth: int = 10
    max_depth: int = 30

    def validate(self) -> None:
        check_real(self, "z_max", low=1.0, high=50.0)
        check_int(self, "points", low=3, high=100_001)
        if self.points % 2 == 0:
            raise ValueError(f"SigmoidGradient.points must be odd (the grid holds z = 0), "
                             f"got {self.points!r}")
        check_real(self, "z_saturated", low=0.0, high=50.0)
        check_int(self, "max_depth", low=1, high=1000)
        check_int(self, "depth", low=1, high=self.max_depth)

    def solve(self) -> SigmoidGradientOutput:
        z = np.linspace(-self.z_max, self.z_max, self.points)
        s, ds = dc.sigmoid(z), dc.sigmoid_grad(z)
        max_grad = float(np.max(ds))               # at z = 0
        # the best case of a chain of layers: every factor largest
        best = max_grad ** np.arange(1, self.max_depth + 1)
        saturated = float(dc.sigmoid_grad(self.z_saturated))
        return SigmoidGradientOutput(
            z, s, ds, bool(np.allclose(ds, s * (1 - s))), max_grad,
            saturated, best, float(best[self.depth - 1]))

    def figure(self, solution: SigmoidGradientOutput) -> Figure:
        """The sigmoid and its derivative, and the best factor through 1, 2, ... layers."""
        fig = Figure(figsize=(8, 3))
        ax0, ax1 = fig.subplots(1, 2)
        ax0.plot(solution.z, solution.sigmoid, label=r"$\sigma(z)$")
        ax0.plot(solution.z, solution.grad, label=r"$\sigma'(z)$")
        ax0.set_xlabel("$z$")
        ax0.legend()
        ax0.grid(alpha=0.3)
        depths = np.arange(1, len(solution.best_factors) + 1)
        ax1.semilogy(depths, solution.best_factors, marker=".")
        ax1.set_xlabel("layers the gradient goes through")
        ax1.set_ylabel(r"largest $\prod \sigma'$")
        ax1.grid(alpha=0.3)
        fig.tight_layout()
        return fig


# ---- A1-Q6 ---------------------------------------------------------------------------

class BatchNormOutput(NamedTuple):
    """What A1-Q6's solution computes."""

    mean: float
    var: float                # biased batch variance
    sigma: float              # its square root
    xhat: np.ndarray          # normalised values
    y: np.ndarray             # gamma * xhat + beta
    eps_effect: float         # largest change of y that eps makes


@dataclass(frozen=True)
class BatchNorm(Problem):
    """A1-Q6: batch normalisation of one feature over a small batch."""

    qid = "A1-Q6"
    title = "batch normalisation of five values"

    x: tuple = (2.0, 4.0, 6.0, 8.0, 10.0)
    gamma: float = 2.0
    beta: float = -1.0
    eps: float = 1e-5

    def validate(self) -> None:
        x = check_reals(self, "x", shape=(None,))
        if len(x) < 2 or np.ptp(x) == 0:
            raise ValueError(f"BatchNorm.x must hold at least two different values, "
                             f"got {self.x!r}")
        check_real(self, "gamma")
        check_real(self, "beta")
        check_real(self, "eps", low=1e-12, high=1.0)

    def solve(self) -> BatchNormOutput:
        x = np.array(self.x)[:, None]      # one feature: shape (m, 1)
        y, cache = dc.batchnorm_forward(x, self.gamma, self.beta,
                                        eps=self.eps)
        mean, var = float(cache.mean[0]), float(cache.var[0])
        y = y[:, 0]
        # without eps, to see how little eps changes
        xhat_exact = (x[:, 0] - mean) / np.sqrt(var)
        y_exact = self.gamma * xhat_exact + self.beta
        eps_effect = float(np.max(np.abs(y - y_exact)))
        return BatchNormOutput(mean, var, float(np.sqrt(var)),
                               cache.xhat[:, 0], y, eps_effect)

    def answers(self, solution: BatchNormOutput) -> tuple[Answer, ...]:
        return (Answer("mean", "Batch mean μ", solution.mean, "decimal", 3),
                Answer("sigma", "Standard deviation σ", solution.sigma, "decimal", 3),
                Answer("xhat", "Normalised values x̂", tuple(float(v) for v in solution.xhat),
                       "list", 3),
                Answer("y", "Outputs y = γx̂ + β", tuple(float(v) for v in solution.y),
                       "list", 3))

    @classmethod
    def generate(cls, rng: np.random.Generator) -> BatchNorm:
        m = int(rng.integers(4, 7))
        while True:
            x = tuple(float(v) for v in rng.integers(0, 13, size=m))
            if len(set(x)) >= 3:
                break
        return cls(x=x, gamma=float(rng.choice([0.5, 1.5, 2.0, 3.0])),
                   beta=float(rng.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])), eps=1e-5)


# ---- A1-Q7 ---------------------------------------------------------------------------

class DropoutScheme(NamedTuple):
    """One dropout scheme applied to a layer of identical units."""

    kept: float               # fraction of units kept in one training step
    train_mean: float         # mean output in that step
    test: float               # output at test time
    train_factor: float       # what a kept unit of value 1 is multiplied by in training
    test_factor: float        # ... at test time


class DropoutOutput(NamedTuple):
    """What A1-Q7's solution computes."""

    vanilla: DropoutScheme
    inverted: DropoutScheme


@dataclass(frozen=True)
class Dropout(Problem):
    """A1-Q7: dropout and its keep probability (conceptual; the data are the book's
    simulation: a layer of identical units)."""

    qid = "A1-Q7"
    title = "dropout and the keep probability"

    p_keep: float = 0.8
    units: int = 10_000
    value: float = 1.0
    seed: int = 7

    def validate(self) -> None:
        if check_real(self, "p_keep", low=0.0, high=1.0) == 0.0:
            raise ValueError(f"Dropout.p_keep must be in (0, 1], got {self.p_keep!r}")
        check_int(self, "units", low=1, high=10_000_000)
        check_real(self, "value")
        check_int(self, "seed", low=0)

    def solve(self) -> DropoutOutput:
        x = np.full(self.units, self.value)
        schemes = []
        for inverted in (False, True):
            rng = np.random.default_rng(self.seed)
            p = self.p_keep
            train, _ = dc.dropout_forward(x, p_keep=p, rng=rng,
                                          inverted=inverted)
            test, _ = dc.dropout_forward(x, p_keep=p, rng=rng,
                                         inverted=inverted,
                                         train=False)
            kept = train != 0
            schemes.append(DropoutScheme(
                float(np.mean(kept)), float(train.mean()),
                float(test.mean()), float(train[kept][0] / self.value),
                float(test[0] / self.value)))
        return DropoutOutput(*schemes)


# ---- A1-Q8 ---------------------------------------------------------------------------

class EdgeFilterOutput(NamedTuple):
    """What A1-Q8's solution computes."""

    image: np.ndarray
    kernel: np.ndarray
    output: np.ndarray        # cross-correlation, as a convolution layer computes it
    window: int               # first column of a window across the edge
    edge: float               # the output where the window straddles the edge
    flipped: np.ndarray       # true convolution (kernel flipped)


@dataclass(frozen=True)
class EdgeFilter(Problem):
    """A1-Q8: a vertical-edge filter on an image whose left columns differ from the right."""

    qid = "A1-Q8"
    title = "detecting a vertical edge"

    size: int = 6
    left: float = 10.0
    right: float = 0.0
    left_columns: int = 3
    kernel: tuple = ((1.0, 0.0, -1.0), (1.0, 0.0, -1.0), (1.0, 0.0, -1.0))

    def validate(self) -> None:
        check_int(self, "size", low=3, high=64)
        check_real(self, "left")
        check_real(self, "right")
        if self.left == self.right:
            raise ValueError(f"EdgeFilter.right must differ from left (an edge), "
                             f"got {self.right!r}")
        check_int(self, "left_columns", low=1, high=self.size - 1)
        check_reals(self, "kernel", shape=(3, 3))

    def solve(self) -> EdgeFilterOutput:
        image = np.full((self.size, self.size), self.right)
        image[:, :self.left_columns] = self.left
        kernel = np.array(self.kernel)
        out = dc.correlate2d(image, kernel)   # stride 1, no padding
        window = max(self.left_columns - 2, 0)   # across the edge
        return EdgeFilterOutput(image, kernel, out, window,
                                float(out[0, window]),
                                dc.convolve2d(image, kernel))

    def answers(self, solution: EdgeFilterOutput) -> tuple[Answer, ...]:
        return (Answer("shape", "Output shape (H × W)", solution.output.shape, "shape"),
                Answer("edge", "Output value where the window straddles the edge",
                       solution.edge, "decimal", 1))

    def figure(self, solution: EdgeFilterOutput) -> Figure:
        """Image, filter and output, each pixel labelled with its value."""
        fig = Figure(figsize=(8, 2.8))
        axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [self.size, 3,
                                                                self.size - 2]})
        for ax, data, title in zip(axes, (solution.image, solution.kernel, solution.output),
                                   ("image", "filter", "output")):
            ax.imshow(data, cmap="gray")
            for (r, c), v in np.ndenumerate(data):
                ax.text(c, r, f"{v:g}", ha="center", va="center", color="tab:red", fontsize=8)
            ax.set_title(title)
            ax.set_xticks([])
            ax.set_yticks([])
        fig.tight_layout()
        return fig

    @classmethod
    def generate(cls, rng: np.random.Generator) -> EdgeFilter:
        size = int(rng.integers(5, 9))
        left, right = (float(v) for v in rng.choice(np.arange(0, 21), size=2, replace=False))
        return cls(size=size, left=left, right=right,
                   left_columns=int(rng.integers(2, size - 1)))


# ---- A1-Q9 ---------------------------------------------------------------------------

class DeeperConvOutput(NamedTuple):
    """What A1-Q9's solution computes."""

    receptive_fields: tuple       # side of the receptive field after each depth of ``depths``
    params: tuple                 # parameters of each stack
    per_layer: int                # parameters one more layer adds
    gradient_ratios: dict         # first-block over last-block gradient, plain stacks


@dataclass(frozen=True)
class DeeperConv(Problem):
    """A1-Q9: what more convolutional layers bring and cost (conceptual; the data are the
    book's demonstration: stacks of "same" convolutions, and plain stacks of
    ``gradient_depth`` blocks for the gradient, as in A1-Q12)."""

    qid = "A1-Q9"
    title = "more convolutional layers"

    channels: int = 64
    kernel: int = 3
    image: int = 32
    depths: tuple = (2, 4, 8, 16)
    gradient_depth: int = 30
    gradient_width: int = 32
    batch: int = 64
    seed: int = 0

    def validate(self) -> None:
        check_int(self, "channels", low=1, high=4096)
        check_int(self, "kernel", low=1, high=15)
        if self.kernel % 2 == 0:
            raise ValueError(f"DeeperConv.kernel must be odd ('same' padding), "
                             f"got {self.kernel!r}")
        check_int(self, "image", low=self.kernel, high=4096)
        if not isinstance(self.depths, tuple) or not self.depths or any(
                isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in self.depths):
            raise ValueError(f"DeeperConv.depths must be a non-empty tuple of positive ints, "
                             f"got {self.depths!r}")
        check_int(self, "gradient_depth", low=2, high=200)
        check_int(self, "gradient_width", low=1, high=1024)
        check_int(self, "batch", low=1, high=10_000)
        check_int(self, "seed", low=0)

    @memo
    def solve(self) -> DeeperConvOutput:
        shape = (self.channels, self.image, self.image)

        def stack(depth: int) -> list[dc.Conv2d]:
            conv = dc.Conv2d(self.channels, self.kernel,
                             padding="same")
            return [conv] * depth

        fields = tuple(dc.receptive_field(stack(d)).size
                       for d in self.depths)
        params = tuple(dc.summarize(shape, stack(d)).total_params
                       for d in self.depths)
        per_layer = dc.summarize(shape, stack(1)).total_params
        norms = dc.gradient_norms_by_depth(
            depth=self.gradient_depth, width=self.gradient_width,
            n=self.batch, activations=("sigmoid", "relu"),
            weight_init="xavier", seed=self.seed)
        ratios = {label: float(g.signal[0] / g.signal[-1])
                  for label, g in norms.items()
                  if label.startswith("plain")}
        return DeeperConvOutput(fields, params, per_layer, ratios)


# ---- A1-Q10 --------------------------------------------------------------------------

class WeightSharingOutput(NamedTuple):
    """What A1-Q10's solution computes."""

    conv_params: int
    dense_params: int
    conv_inputs_per_unit: int     # inputs one output of the convolution sees
    dense_inputs_per_unit: int
    conv_mults: int
    dense_mults: int
    equivariance_error: float     # |shift(conv(x)) - conv(shift(x))|, largest
    invariance_error: float       # |conv(x) - conv(shift(x))|, largest


@dataclass(frozen=True)
class WeightSharing(Problem):
    """A1-Q10: weight sharing and sparse connections (conceptual; the data are the book's
    comparison: a convolution and a fully connected layer with as many outputs, and a
    random image shifted sideways)."""

    qid = "A1-Q10"
    title = "weight sharing and sparse connections"

    image: int = 32
    channels: int = 3
    filters: int = 16
    kernel: int = 3
    shift: int = 2
    seed: int = 3

    def validate(self) -> None:
        check_int(self, "image", low=16, high=256)
        check_int(self, "channels", low=1, high=512)
        check_int(self, "filters", low=1, high=512)
        check_int(self, "kernel", low=1, high=7)
        if self.kernel % 2 == 0:
            raise ValueError(f"WeightSharing.kernel must be odd ('same' padding), "
                             f"got {self.kernel!r}")
        check_int(self, "shift", low=1, high=self.image // 4)
        check_int(self, "seed", low=0)

    def solve(self) -> WeightSharingOutput:
        c, n = self.channels, self.image
        f, k = self.filters, self.kernel
        conv = dc.summarize((c, n, n),
                            [dc.Conv2d(f, k, padding="same")])
        dense = dc.summarize((c, n, n),
                             [dc.Flatten(), dc.Dense(f * n * n)])
        # an object away from the borders, then the image shifted right
        rng = np.random.default_rng(self.seed)
        x = np.zeros((1, c, n, n))
        m = n // 4
        x[..., m:2 * m, m - 2:2 * m - 2] = rng.normal(size=(c, m, m))
        w = rng.normal(size=(f, c, k, k))
        out, _ = dc.conv2d_forward(x, w, padding=k // 2)
        shifted = np.roll(x, self.shift, axis=-1)
        out_shifted, _ = dc.conv2d_forward(shifted, w, padding=k // 2)
        moved = np.roll(out, self.shift, axis=-1)
        equi = float(np.max(np.abs(moved - out_shifted)))
        inv = float(np.max(np.abs(out - out_shifted)))
        return WeightSharingOutput(
            conv.total_params, dense.total_params, c * k * k,
            c * n * n, conv.total_mults, dense.total_mults, equi, inv)


# ---- A1-Q11 --------------------------------------------------------------------------

class ResidualIdentityOutput(NamedTuple):
    """What A1-Q11's solution computes."""

    residual_error: float     # |stack(x) - x|, largest: zero-weight residual blocks
    plain_output: float       # |stack(x)|, largest: the plain stack with zero weights
    small_error: float        # |stack(x) - x|, largest: residual blocks with small weights
    relu_error: float         # |relu(a) - a|, largest, for a = relu(something)


@dataclass(frozen=True)
class ResidualIdentity(Problem):
    """A1-Q11: a residual block with zero weights is the identity (conceptual; the data are
    the book's demonstration: small stacks of ReLU blocks)."""

    qid = "A1-Q11"
    title = "ResNet's residual blocks"

    depth: int = 5
    width: int = 4
    batch: int = 3
    small_std: float = 0.01
    seed: int = 0

    def validate(self) -> None:
        check_int(self, "depth", low=1, high=100)
        check_int(self, "width", low=1, high=256)
        check_int(self, "batch", low=1, high=1000)
        if check_real(self, "small_std", low=0.0, high=1.0) == 0.0:
            raise ValueError(f"ResidualIdentity.small_std must be in (0, 1], "
                             f"got {self.small_std!r}")
        check_int(self, "seed", low=0)

    @memo
    def solve(self) -> ResidualIdentityOutput:
        rng = np.random.default_rng(self.seed)
        x = rng.normal(size=(self.batch, self.width))

        def run(residual: bool, init: str) -> np.ndarray:
            stack = dc.init_deep_stack(
                self.depth, self.width, activation="relu",
                residual=residual, weight_init=init, rng=rng)
            return dc.deep_stack_forward(stack, x)[0]

        def small() -> tuple:
            shape = (self.width, self.width)
            return tuple(dc.normal(shape, std=self.small_std, rng=rng)
                         for _ in range(self.depth))

        residual, plain = run(True, "zeros"), run(False, "zeros")
        small_stack = dc.DeepStack(small(), small(), "relu", True)
        near = dc.deep_stack_forward(small_stack, x)[0]
        a = dc.relu(rng.normal(size=8))    # a ReLU output: >= 0
        return ResidualIdentityOutput(
            float(np.max(np.abs(residual - x))),
            float(np.max(np.abs(plain))),
            float(np.max(np.abs(near - x))),
            float(np.max(np.abs(dc.relu(a) - a))))


# ---- A1-Q12 --------------------------------------------------------------------------

class SkipGradientsOutput(NamedTuple):
    """What A1-Q12's solution computes."""

    norms: dict               # label -> GradientNorms, from the input block to the output
    ratios: dict              # label -> gradient at the first block over the last


@dataclass(frozen=True)
class SkipGradients(Problem):
    """A1-Q12: how skip connections carry the gradient (conceptual; the data are the book's
    experiment: plain and residual stacks with the same weights)."""

    qid = "A1-Q12"
    title = "skip connections and gradient flow"

    depth: int = 30
    width: int = 32
    batch: int = 64
    seed: int = 0

    def validate(self) -> None:
        check_int(self, "depth", low=2, high=200)
        check_int(self, "width", low=1, high=1024)
        check_int(self, "batch", low=1, high=10_000)
        check_int(self, "seed", low=0)

    @memo
    def solve(self) -> SkipGradientsOutput:
        norms = dc.gradient_norms_by_depth(
            depth=self.depth, width=self.width, n=self.batch,
            activations=("sigmoid", "relu"), weight_init="xavier",
            seed=self.seed)
        ratios = {label: float(g.signal[0] / g.signal[-1])
                  for label, g in norms.items()}
        return SkipGradientsOutput(norms, ratios)

    def figure(self, solution: SkipGradientsOutput) -> Figure:
        """The gradient reaching each block, every stack on one log-scale plot."""
        return dc.plot_gradient_norms({label: g.signal for label, g in solution.norms.items()},
                                      ylabel=r"$\|\partial L / \partial h_l\|$")


# ---- A1-Q13 --------------------------------------------------------------------------

class OneByOneOutput(NamedTuple):
    """What A1-Q13's solution computes."""

    positions: int            # H * W
    n_in: int                 # values in the input block
    n_out: int                # values in the output block
    dense: int                # multiplications of the fully connected layer
    conv: int                 # multiplications of the one-by-one convolution
    saving: float             # dense / conv


@dataclass(frozen=True)
class OneByOne(Problem):
    """A1-Q13: a fully connected layer against a one-by-one convolution between two blocks."""

    qid = "A1-Q13"
    title = "the cost of a one-by-one convolution"

    size: int = 28
    in_channels: int = 192
    out_channels: int = 32

    def validate(self) -> None:
        check_int(self, "size", low=1, high=1024)
        check_int(self, "in_channels", low=1, high=8192)
        check_int(self, "out_channels", low=1, high=8192)

    def solve(self) -> OneByOneOutput:
        positions = self.size * self.size
        n_in = positions * self.in_channels
        n_out = positions * self.out_channels
        dense = dc.dense_mults(n_in, n_out)   # all inputs, all outputs
        shape = (self.in_channels, self.size, self.size)
        conv = dc.conv_mults(shape, self.out_channels, 1)
        return OneByOneOutput(positions, n_in, n_out, dense, conv,
                              dense / conv)

    def answers(self, solution: OneByOneOutput) -> tuple[Answer, ...]:
        return (Answer("dense", "(a) Multiplications, fully connected", solution.dense,
                       "integer"),
                Answer("conv", "(b) Multiplications, one-by-one convolution", solution.conv,
                       "integer"),
                Answer("saving", "How many times cheaper (b) is", solution.saving,
                       "decimal", 0))

    @classmethod
    def generate(cls, rng: np.random.Generator) -> OneByOne:
        in_channels = int(rng.choice([64, 128, 192, 256, 480, 512]))
        out_channels = int(rng.choice([c for c in (16, 32, 48, 64, 96, 128)
                                       if c < in_channels]))
        return cls(size=int(rng.choice([7, 14, 28, 56])), in_channels=in_channels,
                   out_channels=out_channels)


# ---- A1-Q14 --------------------------------------------------------------------------

class InceptionCostOutput(NamedTuple):
    """What A1-Q14's solution computes."""

    plain: dc.BlockCount      # (a) 3x3 and 5x5 branches on the input
    reduced: dc.BlockCount    # (b) each branch behind a one-by-one reduction
    steps: dict               # multiplications of each convolution of (a) and (b)
    saving: float             # (a) total over (b) total


@dataclass(frozen=True)
class InceptionCost(Problem):
    """A1-Q14: multiplications of an Inception-style block, without and with one-by-one
    reductions."""

    qid = "A1-Q14"
    title = "the cost of an Inception-style block"

    size: int = 32
    in_channels: int = 192
    filters3: int = 128
    filters5: int = 32
    reduce3: int = 96
    reduce5: int = 16

    def validate(self) -> None:
        check_int(self, "size", low=1, high=1024)
        for name in ("in_channels", "filters3", "filters5"):
            check_int(self, name, low=1, high=8192)
        check_int(self, "reduce3", low=1, high=self.in_channels)
        check_int(self, "reduce5", low=1, high=self.in_channels)

    def solve(self) -> InceptionCostOutput:
        shape = (self.in_channels, self.size, self.size)
        conv3 = dc.Conv2d(self.filters3, 3, padding="same")
        conv5 = dc.Conv2d(self.filters5, 5, padding="same")
        plain = dc.block_mults(shape, [conv3, conv5])
        reduce3 = dc.Conv2d(self.reduce3, 1)
        reduce5 = dc.Conv2d(self.reduce5, 1)
        reduced = dc.block_mults(shape, [[reduce3, conv3],
                                         [reduce5, conv5]])
        thin3 = (self.reduce3, self.size, self.size)
        thin5 = (self.reduce5, self.size, self.size)
        same = "same"
        steps = {   # each convolution alone, as the solution shows
            "3x3": dc.conv_mults(shape, self.filters3, 3,
                                 padding=same),
            "5x5": dc.conv_mults(shape, self.filters5, 5,
                                 padding=same),
            "reduce3": dc.conv_mults(shape, self.reduce3, 1),
            "reduced 3x3": dc.conv_mults(thin3, self.filters3, 3,
                                         padding=same),
            "reduce5": dc.conv_mults(shape, self.reduce5, 1),
            "reduced 5x5": dc.conv_mults(thin5, self.filters5, 5,
                                         padding=same),
        }
        return InceptionCostOutput(plain, reduced, steps,
                                   plain.total / reduced.total)

    def answers(self, solution: InceptionCostOutput) -> tuple[Answer, ...]:
        return (Answer("plain", "(a) Multiplications without reductions",
                       solution.plain.total, "integer"),
                Answer("reduced", "(b) Multiplications with the reductions",
                       solution.reduced.total, "integer"))

    @classmethod
    def generate(cls, rng: np.random.Generator) -> InceptionCost:
        while True:
            q = cls(size=int(rng.choice([7, 14, 28, 32, 56])),
                    in_channels=int(rng.choice([128, 192, 256, 480, 512])),
                    filters3=int(rng.choice([64, 96, 128, 192, 208])),
                    filters5=int(rng.choice([16, 32, 48, 64])),
                    reduce3=int(rng.choice([48, 64, 96, 112, 128])),
                    reduce5=int(rng.choice([8, 16, 24, 32])))
            if q.solve().saving > 1:          # the reductions do save
                return q


Q1 = Softmax()
Q2 = ForwardPass()
Q3 = ConstantNetwork()
Q4 = ParameterCount()
Q5 = SigmoidGradient()
Q6 = BatchNorm()
Q7 = Dropout()
Q8 = EdgeFilter()
Q9 = DeeperConv()
Q10 = WeightSharing()
Q11 = ResidualIdentity()
Q12 = SkipGradients()
Q13 = OneByOne()
Q14 = InceptionCost()

#: The questions of this set, in the order of the source.
PROBLEMS: tuple[Problem, ...] = (Q1, Q2, Q3, Q4, Q5, Q6, Q7, Q8, Q9, Q10, Q11, Q12, Q13,
                                  Q14)
