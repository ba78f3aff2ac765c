"""CSE616 "Neural Networks and Their Applications", Assignment 2 (Ain Shams University,
Spring 2022): the given data of each question and its worked computation.

The conceptual questions (A2-Q3, Q4, Q5, Q8, Q9, Q11, Q12, Q14, Q15) have no numbers to
give; their fields are the data of the demonstrations the book computes for them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

import matplotlib.cbook
import matplotlib.image
import numpy as np

import dlcalc as dc
from dlcalc._memo import memo

from ._base import Answer, Problem, check_choice, check_int, check_real, check_reals


# ---- shared by the demonstrations -----------------------------------------------------

#: Luminance weights of ITU-R BT.601 for R, G, B: how a colour photo is made grey.
LUMA = (0.299, 0.587, 0.114)

#: Photographs that matplotlib ships as sample data (usable as a demonstration's photo).
PHOTOS = ("grace_hopper.jpg",)


@functools.lru_cache(maxsize=4)
def grey_photo(name: str) -> np.ndarray:
    """A sample photograph of matplotlib, made grey: shape (H, W), values in [0, 1]."""
    path = matplotlib.cbook.get_sample_data(name, asfileobj=False)
    rgb = matplotlib.image.imread(path).astype(np.float64) / 255.0
    grey = rgb[..., :3] @ np.array(LUMA)
    grey.setflags(write=False)
    return grey


def _check_photo(problem: Problem) -> None:
    check_choice(problem, "photo", PHOTOS)


def _check_crop(problem: Problem) -> None:
    """``top``, ``left`` and ``size`` must cut a square out of the photo."""
    for name in ("top", "left"):
        check_int(problem, name, low=0)
    check_int(problem, "size", low=8)
    h, w = grey_photo(problem.photo).shape  # type: ignore[attr-defined]
    for name, start, extent in (("top", problem.top, h), ("left", problem.left, w)):  # type: ignore
        if start + problem.size > extent:  # type: ignore[attr-defined]
            raise ValueError(f"{type(problem).__name__}.{name} must keep the crop of "
                             f"{problem.size} inside the {h}×{w} photo, "  # type: ignore
                             f"got {start}")


def _crop(problem: Problem) -> np.ndarray:
    p = problem
    return grey_photo(p.photo)[p.top:p.top + p.size, p.left:p.left + p.size]  # type: ignore


def _check_pair(problem: Problem, field: str, *, low: int) -> tuple[int, int]:
    value = getattr(problem, field)
    if not isinstance(value, tuple) or len(value) != 2 or any(
            isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low
            for v in value):
        raise ValueError(f"{type(problem).__name__}.{field} must be a pair of ints >= {low}, "
                         f"got {value!r}")
    return int(value[0]), int(value[1])


def _check_int_tuple(problem: Problem, field: str, *, low: int, length: int | None = None
                     ) -> tuple[int, ...]:
    value = getattr(problem, field)
    if not isinstance(value, tuple) or not value or any(
            isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low
            for v in value) or (length is not None and len(value) != length):
        size = "" if length is None else f" of length {length}"
        raise ValueError(f"{type(problem).__name__}.{field} must be a non-empty tuple{size} "
                         f"of ints >= {low}, got {value!r}")
    return tuple(int(v) for v in value)


def _mean_change(after: np.ndarray, before: np.ndarray) -> float:
    """Mean absolute change, relative to the mean absolute value before."""
    return float(np.mean(np.abs(after - before)) / np.mean(np.abs(before)))


def _shift(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """The image moved down by ``dy`` and right by ``dx`` pixels, zeros coming in."""
    out = np.zeros_like(image)
    out[dy:, dx:] = image[:image.shape[0] - dy, :image.shape[1] - dx]
    return out


# ---- A2-Q1 ----------------------------------------------------------------------------

class FlattenDenseSolution(NamedTuple):
    """What A2-Q1's solution computes."""

    summary: dc.NetworkSummary           # the two layers, as dlcalc tabulates them
    n_in: int                            # length of the flattened image
    weight_shape: tuple[int, int]        # (inputs, units), for y = xW + b
    weights: int
    biases: int


@dataclass(frozen=True)
class FlattenDense(Problem):
    """A2-Q1: a fully connected layer of ``units`` units on a flattened H×W×C image."""

    qid = "A2-Q1"
    title = "a fully connected layer on a flattened image"

    height: int = 500
    width: int = 500
    channels: int = 3
    units: int = 100

    def validate(self) -> None:
        for name in ("height", "width", "channels", "units"):
            check_int(self, name, low=1)

    def solve(self) -> FlattenDenseSolution:
        image = (self.channels, self.height, self.width)
        summary = dc.summarize(
            image, [dc.Flatten(), dc.Dense(self.units)])
        n_in = summary.rows[1].output_shape[0]    # the flattened length
        return FlattenDenseSolution(summary, n_in, (n_in, self.units),
                                    summary.total_weights,
                                    summary.total_biases)

    def answers(self, solution: FlattenDenseSolution) -> tuple[Answer, ...]:
        return (Answer("weight_shape", "Weight matrix (inputs × units)",
                       solution.weight_shape, "shape"),
                Answer("biases", "Entries of the bias", solution.biases, "integer"))

    @classmethod
    def generate(cls, rng: np.random.Generator) -> FlattenDense:
        size = int(rng.choice([28, 32, 64, 96, 100, 128, 224, 256, 300, 500]))
        return cls(height=size, width=size, channels=int(rng.choice([1, 3])),
                   units=int(rng.choice([10, 32, 50, 64, 100, 128, 200, 256])))


Q1 = FlattenDense()


# ---- A2-Q2 ----------------------------------------------------------------------------

class ConvParamsSolution(NamedTuple):
    """What A2-Q2's solution computes."""

    per_filter: int                      # k × k × C weights and one bias
    weights: int
    biases: int
    total: int
    output_shape: tuple[int, int, int]   # (filters, H', W'), no padding, stride 1


@dataclass(frozen=True)
class ConvParams(Problem):
    """A2-Q2: the parameters of a layer of ``filters`` k×k filters on an H×W×C image."""

    qid = "A2-Q2"
    title = "parameters of a convolutional layer"

    height: int = 500
    width: int = 500
    channels: int = 3
    filters: int = 10
    kernel: int = 5

    def validate(self) -> None:
        for name in ("height", "width", "channels", "filters", "kernel"):
            check_int(self, name, low=1)
        if self.kernel > min(self.height, self.width):
            raise ValueError(f"ConvParams.kernel must fit the image, got {self.kernel} on "
                             f"{self.height}×{self.width}")

    def solve(self) -> ConvParamsSolution:
        # A filter is as deep as its input: k × k × C weights, one bias.
        weights, biases = dc.conv_params(self.channels, self.filters,
                                         self.kernel)
        per_filter = self.kernel * self.kernel * self.channels + 1
        image = (self.channels, self.height, self.width)
        shape = dc.conv_output_shape(image, out_channels=self.filters,
                                     kernel=self.kernel)
        return ConvParamsSolution(per_filter, weights, biases,
                                  weights + biases, shape)

    def answers(self, solution: ConvParamsSolution) -> tuple[Answer, ...]:
        return (Answer("total", "Parameters of the layer", solution.total, "integer"),)

    @classmethod
    def generate(cls, rng: np.random.Generator) -> ConvParams:
        size = int(rng.choice([28, 32, 64, 128, 224, 256, 500]))
        return cls(height=size, width=size, channels=int(rng.choice([1, 3, 16, 32, 64])),
                   filters=int(rng.choice([4, 6, 8, 10, 16, 20, 32, 64])),
                   kernel=int(rng.choice([1, 3, 5, 7])))


Q2 = ConvParams()


# ---- A2-Q3 ----------------------------------------------------------------------------

class EdgeFiltersSolution(NamedTuple):
    """What A2-Q3's solution computes."""

    photo: np.ndarray                    # (H, W) grey photograph
    filters: dict[str, np.ndarray]       # "vertical", "horizontal": 3×3 kernels
    responses: np.ndarray                # (2, H - 2, W - 2): one map per filter
    flip_error: float                    # max |true convolution + cross-correlation|


@dataclass(frozen=True)
class EdgeFilters(Problem):
    """A2-Q3: which two 3×3 filters turn a grey photograph into the two lost images."""

    qid = "A2-Q3"
    title = "which filters made these images"

    kernel: int = 3                      # dlcalc's edge filters are 3×3
    photo: str = "grace_hopper.jpg"

    def validate(self) -> None:
        check_int(self, "kernel", low=3, high=3)
        _check_photo(self)

    def solve(self) -> EdgeFiltersSolution:
        photo = grey_photo(self.photo)
        filters = {name: dc.edge_filter(name)
                   for name in ("vertical", "horizontal")}
        # Both filters as one layer of two filters, shape (2, 1, 3, 3).
        w = np.stack(list(filters.values()))[:, None]
        responses, _ = dc.conv2d_forward(photo[None, None], w)
        # True convolution flips the kernel: for these, it negates it.
        flipped = dc.convolve2d(photo, filters["vertical"])
        flip_error = np.max(np.abs(flipped + responses[0, 0]))
        return EdgeFiltersSolution(photo, filters, responses[0],
                                   float(flip_error))


Q3 = EdgeFilters()


# ---- A2-Q4 ----------------------------------------------------------------------------

class AdamLongRunSolution(NamedTuple):
    """What A2-Q4's solution computes."""

    weights: dict[int, np.ndarray]       # t -> weight of g_{t-k} in m̂_t, k = 0 .. t-1
    steps_until_close: tuple[int, int]   # first t with 1 - β^t > close, for β1 and β2
    memory: tuple[int, int]              # 1 / (1 - β), for β1 and β2
    recent_share: tuple[float, float]    # weight of the last 1/(1 - β) gradients, at t_max
    step_sizes: np.ndarray               # |w_{t+1} - w_t| with a constant gradient
    denominator: str                     # what Adam divides by
    dominated_by: str                    # which gradients dominate after many steps
    steps_shrink: str                    # "yes"/"no": do the steps shrink by themselves
    correction_needed_late: str          # "yes"/"no": is 1 - β2^t still far from 1
    corrections: tuple[np.ndarray, np.ndarray]  # 1 - β^t, t = 1 .. t_max, β1 and β2


@dataclass(frozen=True)
class AdamLongRun(Problem):
    """A2-Q4: what happens to Adam's moving averages after many steps."""

    qid = "A2-Q4"
    title = "Adam after many steps"

    beta1: float = 0.9                   # Adam's defaults (Kingma & Ba)
    beta2: float = 0.999
    lr: float = 1e-3
    t_weights: tuple[int, ...] = (5, 20, 60)   # numbers of steps whose weights are drawn
    t_max: int = 10_000                  # "many steps"
    close: float = 0.99                  # a correction factor this close to 1 is done
    grad: float = 0.5                    # the constant gradient of the step-size run
    t_run: int = 2000

    def validate(self) -> None:
        check_real(self, "beta1", low=0.0, high=0.9999)
        check_real(self, "beta2", low=0.0, high=0.9999)
        check_real(self, "lr", low=1e-12)
        _check_int_tuple(self, "t_weights", low=1)
        check_int(self, "t_max", low=10)
        check_real(self, "close", low=0.5, high=0.999999)
        check_real(self, "grad", low=1e-6)
        check_int(self, "t_run", low=2)

    def solve(self) -> AdamLongRunSolution:
        b1, b2 = self.beta1, self.beta2
        weights = {t: dc.adam_gradient_weights(t, beta=b1)
                   for t in self.t_weights}
        # First step at which the correction factor 1 - β^t passes close.
        t = np.arange(self.t_max + 1)
        u1, u2 = (
            int(np.argmax(dc.bias_correction(t, beta=b) > self.close))
            for b in (b1, b2))
        corrections = (np.asarray(dc.bias_correction(t[1:], beta=b1)),
                       np.asarray(dc.bias_correction(t[1:], beta=b2)))
        # Share of the weight on the last 1/(1 - β) gradients, at t_max.
        n1, n2 = round(1 / (1 - b1)), round(1 / (1 - b2))
        late1 = dc.adam_gradient_weights(self.t_max, beta=b1)
        late2 = dc.adam_gradient_weights(self.t_max, beta=b2)
        share = (float(late1[:n1].sum()), float(late2[:n2].sum()))
        # Adam with a constant gradient: does the step shrink by itself?
        ws = dc.trajectory(dc.adam_step,
                           lambda w: np.full_like(w, self.grad), 0.0,
                           self.t_run, lr=self.lr, beta1=b1, beta2=b2)
        sizes = np.abs(np.diff(ws[:, 0]))
        flat = np.allclose(late2, late2[0])    # equal weights: a sum
        late_factor = dc.bias_correction(self.t_max, beta=b2)
        return AdamLongRunSolution(
            weights, (u1, u2), (n1, n2), share, sizes,
            "the sum of past squared gradients" if flat
            else "a moving average of squared gradients",
            "recent gradients" if share[1] > 0.5 else "old gradients",
            "yes" if sizes[-1] < 0.5 * sizes[0] else "no",
            "yes" if late_factor < self.close else "no", corrections)


Q4 = AdamLongRun()


# ---- A2-Q5 ----------------------------------------------------------------------------

#: The output equation of a batch normalisation layer in training mode.
BN_OUTPUT = "y = γ (z − μ) / √(σ² + ε) + β"


class BatchNormSolution(NamedTuple):
    """What A2-Q5's solution computes."""

    z: np.ndarray                        # (m, 3) the batch
    mean: np.ndarray                     # μ per feature
    var: np.ndarray                      # σ² per feature (divided by m)
    zhat: np.ndarray                     # the normalised batch (γ = 1, β = 0)
    y: np.ndarray                        # with the demonstration's γ, β
    output_equation: str                 # BN_OUTPUT, once checked against dlcalc's layer
    scale_error: float                   # max |y(c z) - y(z)|: the scale does not matter


@dataclass(frozen=True)
class BatchNorm(Problem):
    """A2-Q5: the output of a batch normalisation layer, on a demonstration batch."""

    qid = "A2-Q5"
    title = "the batch normalisation layer"

    m: int = 6
    seed: int = 5
    loc: tuple[float, ...] = (5.0, -2.0, 40.0)     # means of the three features
    scale: tuple[float, ...] = (2.0, 0.5, 10.0)    # and their spreads
    gamma: tuple[float, ...] = (1.0, 2.0, 0.5)
    beta: tuple[float, ...] = (0.0, -1.0, 3.0)
    scale_test: float = 7.5
    eps: float = 1e-5

    def validate(self) -> None:
        check_int(self, "m", low=2)
        check_int(self, "seed", low=0)
        n = len(check_reals(self, "loc", shape=(None,)))
        for name in ("scale", "gamma", "beta"):
            check_reals(self, name, shape=(n,))
        if min(self.scale) <= 0:
            raise ValueError(f"BatchNorm.scale must be positive, got {self.scale!r}")
        check_real(self, "scale_test", low=1e-6)
        check_real(self, "eps", low=1e-12, high=1e-2)

    def solve(self) -> BatchNormSolution:
        rng = np.random.default_rng(self.seed)
        size = (self.m, len(self.loc))
        z = np.round(rng.normal(self.loc, self.scale, size=size), 1)
        gamma, beta = np.array(self.gamma), np.array(self.beta)
        zhat, cache = dc.batchnorm_forward(z, 1.0, 0.0, eps=self.eps)
        y, _ = dc.batchnorm_forward(z, gamma, beta, eps=self.eps)
        # dlcalc's layer computes the textbook equation (var divides
        # by m).
        mu, var = z.mean(axis=0), z.var(axis=0)
        textbook = gamma * (z - mu) / np.sqrt(var + self.eps) + beta
        tol = 1e-12 * max(1.0, np.abs(y).max())
        holds = np.allclose(y, textbook, rtol=0, atol=tol)
        # Scaling the input (e.g. its weights) changes y only through ε.
        scaled, _ = dc.batchnorm_forward(
            self.scale_test * z, gamma, beta, eps=self.eps)
        return BatchNormSolution(
            z, cache.mean, cache.var, zhat, y,
            BN_OUTPUT if holds else "another equation",
            float(np.max(np.abs(scaled - y))))


Q5 = BatchNorm()


# ---- A2-Q6 ----------------------------------------------------------------------------

class ConvPoolFieldSolution(NamedTuple):
    """What A2-Q6's solution computes."""

    layers: list                         # the conv layer and the pooling layer, as dlcalc specs
    pool_padding: int                    # the padding that makes the pool halve the size
    pool_steps: str                      # the pool's output size with that padding, LaTeX
    receptive_field: dc.ReceptiveField   # size and jump of a pooling unit
    steps: str                           # the receptive-field recursion, LaTeX
    summary: dc.NetworkSummary           # the layer shapes
    pool_output: tuple[int, int, int]    # (H, W, C) of the pooling layer
    unpadded_summary: dc.NetworkSummary  # the same layers with no padding at all


@dataclass(frozen=True)
class ConvPoolField(Problem):
    """A2-Q6: the receptive field of a pooling unit after a "same" convolution."""

    qid = "A2-Q6"
    title = "receptive field after a convolution and a pooling layer"

    size: int = 256
    channels: int = 3
    conv_filters: int = 32
    conv_kernel: int = 3
    conv_stride: int = 1                 # stride 1: the maps keep the image's size
    pool_kernel: int = 3
    pool_stride: int = 2                 # the pool divides each side by its stride

    def validate(self) -> None:
        for name in ("size", "channels", "conv_filters", "pool_kernel", "pool_stride"):
            check_int(self, name, low=1)
        check_int(self, "conv_kernel", low=1)
        if self.conv_kernel % 2 == 0:
            raise ValueError(f"ConvPoolField.conv_kernel must be odd (a 'same' convolution "
                             f"pads it evenly), got {self.conv_kernel}")
        check_int(self, "conv_stride", low=1, high=1)
        check_int(self, "pool_stride", low=2)
        if self.size % self.pool_stride or self.pool_kernel < self.pool_stride \
                or self.pool_kernel > self.size:
            raise ValueError(f"ConvPoolField.pool_kernel and pool_stride must tile the "
                             f"{self.size}-pixel maps exactly (size a multiple of the stride, "
                             f"window at least the stride), got kernel {self.pool_kernel}, "
                             f"stride {self.pool_stride}")

    def solve(self) -> ConvPoolFieldSolution:
        conv = dc.Conv2d(self.conv_filters, self.conv_kernel,
                         stride=self.conv_stride, padding="same")
        # The pool divides each side by its stride: the padding for that.
        n, k, s = self.size, self.pool_kernel, self.pool_stride
        pad = dc.padding_for_output(n, k, n // s, stride=s)
        pool = dc.MaxPool2d(k, stride=s, padding=pad)
        pool_steps = dc.conv_output_size_latex(
            n, k, stride=s, padding=pad)
        rf = dc.receptive_field([conv, pool])
        steps = dc.receptive_field_latex([conv, pool])
        image = (self.channels, n, n)
        summary = dc.summarize(image, [conv, pool])
        c, h, w = summary.rows[-1].output_shape
        unpadded = dc.summarize(image, [
            dc.Conv2d(self.conv_filters, self.conv_kernel,
                      stride=self.conv_stride),
            dc.MaxPool2d(k, stride=s)])
        return ConvPoolFieldSolution([conv, pool], pad, pool_steps, rf,
                                     steps, summary, (h, w, c), unpadded)

    def answers(self, solution: ConvPoolFieldSolution) -> tuple[Answer, ...]:
        return (Answer("receptive_field", "Side of the receptive field (pixels)",
                       solution.receptive_field.size, "integer"),
                Answer("pool_output", "Output of the pooling layer (H × W × C)",
                       solution.pool_output, "shape"))

    @classmethod
    def generate(cls, rng: np.random.Generator) -> ConvPoolField:
        stride = int(rng.choice([2, 2, 3]))
        size = stride * int(rng.choice([16, 32, 64, 112, 128]))
        return cls(size=size, channels=int(rng.choice([1, 3])),
                   conv_filters=int(rng.choice([8, 16, 32, 64])),
                   conv_kernel=int(rng.choice([3, 5, 7])),
                   pool_kernel=stride + int(rng.integers(0, 3)), pool_stride=stride)


Q6 = ConvPoolField()


# ---- A2-Q7 ----------------------------------------------------------------------------

class FilterBankOutput(NamedTuple):
    """What A2-Q7's solution computes."""

    steps: str                            # the size formula with the numbers in, LaTeX
    output_shape: tuple[int, int, int]    # (D, H, W)
    exact: bool                           # whether (H + 2P - K) / S divides exactly
    unfloored: float                      # (H + 2P - K) / S + 1, the formula without floor
    uncovered: int                        # last columns of the padded input no window covers


@dataclass(frozen=True)
class FilterBank(Problem):
    """A2-Q7: the output block of a bank of ``filters`` filters on a C×H×W input."""

    qid = "A2-Q7"
    title = "the output block of a filter bank"

    channels: int = 96
    height: int = 128
    width: int = 128
    filters: int = 128
    kernel: int = 7
    stride: int = 2
    padding: int = 3

    def validate(self) -> None:
        for name in ("channels", "height", "width", "filters", "kernel", "stride"):
            check_int(self, name, low=1)
        check_int(self, "padding", low=0)
        if self.kernel > min(self.height, self.width) + 2 * self.padding:
            raise ValueError(f"FilterBank.kernel must fit the padded input, got {self.kernel} "
                             f"on {self.height}×{self.width} with padding {self.padding}")

    def solve(self) -> FilterBankOutput:
        block = (self.channels, self.height, self.width)
        shape = dc.conv_output_shape(block, out_channels=self.filters,
                                     kernel=self.kernel,
                                     stride=self.stride,
                                     padding=self.padding)
        steps = dc.conv_output_size_latex(self.height, self.kernel,
                                          stride=self.stride,
                                          padding=self.padding)
        # How far the windows travel over the padded input:
        span = self.height + 2 * self.padding - self.kernel
        return FilterBankOutput(steps, shape, span % self.stride == 0,
                                span / self.stride + 1,
                                span % self.stride)

    def answers(self, solution: FilterBankOutput) -> tuple[Answer, ...]:
        return (Answer("output_shape", "Output block (D × H × W)", solution.output_shape,
                       "shape"),)

    @classmethod
    def generate(cls, rng: np.random.Generator) -> FilterBank:
        kernel = int(rng.choice([3, 5, 7, 11]))
        stride = int(rng.choice([1, 2, 2, 4]))
        padding = int(rng.integers(0, kernel // 2 + 1))
        size = int(rng.choice([32, 56, 64, 96, 112, 128, 224, 227]))
        return cls(channels=int(rng.choice([3, 16, 32, 64, 96, 128])), height=size, width=size,
                   filters=int(rng.choice([16, 32, 64, 128, 256])), kernel=kernel,
                   stride=stride, padding=padding)


Q7 = FilterBank()


# ---- A2-Q8 and A2-Q13: dropout ------------------------------------------------------

#: Names of a dropout factor in the two readings of the letter p.
KEEP_READING = {"none (×1)": lambda p: 1.0, "p": lambda p: p, "1/p": lambda p: 1 / p}
DROP_READING = {"none (×1)": lambda q: 1.0, "1 − p": lambda q: 1 - q,
                "1/(1 − p)": lambda q: 1 / (1 - q)}

#: The factors a source may state: (scheme, phase) -> dlcalc's switches.
PHASES = {("vanilla", "train"): dict(inverted=False, train=True),
          ("vanilla", "test"): dict(inverted=False, train=False),
          ("inverted", "train"): dict(inverted=True, train=True),
          ("inverted", "test"): dict(inverted=True, train=False)}


def _factor_name(factor: float, p: float, names: dict) -> str:
    for text, value in names.items():
        if np.isclose(factor, value(p), rtol=1e-12, atol=0.0):
            return text
    return f"{factor:g}"


class DropoutFactorsSolution(NamedTuple):
    """What A2-Q8's solution computes."""

    factors: dict[tuple[str, str], float]      # (scheme, phase) -> factor on a kept unit
    keep_names: dict[tuple[str, str], str]     # the factors written with p = keep prob.
    drop_names: dict[tuple[str, str], str]     # ... and with p = drop probability
    test_is_identity: bool                     # inverted dropout at test time: y = x exactly


@dataclass(frozen=True)
class DropoutFactors(Problem):
    """A2-Q8: what inverted dropout multiplies by, read off dlcalc's dropout layer."""

    qid = "A2-Q8"
    title = "inverted dropout"

    p_keep: float = 0.8
    x: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0)

    def validate(self) -> None:
        check_real(self, "p_keep", low=0.05, high=0.95)
        if np.isclose(self.p_keep, 0.5):
            raise ValueError("DropoutFactors.p_keep must not be 0.5 (the two readings of p "
                             f"would give the same factors), got {self.p_keep!r}")
        check_reals(self, "x", shape=(None,))

    def solve(self) -> DropoutFactorsSolution:
        p, rng = self.p_keep, np.random.default_rng(0)
        factors = {}
        for key, switches in PHASES.items():
            out, cache = dc.dropout_forward(np.ones(1000), p_keep=p,
                                            rng=rng, **switches)
            kept = out if cache.mask is None else out[cache.mask]
            factors[key] = float(kept[0])     # what a kept unit becomes
        x = np.array(self.x)
        test, _ = dc.dropout_forward(x, p_keep=p, rng=rng, train=False)
        keep = {k: _factor_name(f, p, KEEP_READING)
                for k, f in factors.items()}
        drop = {k: _factor_name(f, 1 - p, DROP_READING)
                for k, f in factors.items()}
        return DropoutFactorsSolution(factors, keep, drop,
                                      bool(np.array_equal(test, x)))


Q8 = DropoutFactors()


class DropoutPassesSolution(NamedTuple):
    """What A2-Q13's solution computes."""

    train_runs: dict[str, np.ndarray]    # scheme -> (trials, n) training outputs
    train_mean: dict[str, np.ndarray]    # scheme -> mean training output
    test: dict[str, np.ndarray]          # scheme -> test output; "divide by p" the wrong rule
    gap: dict[str, float]                # max |mean / test - 1|
    inverted_scale: float                # 1/p, the training factor of inverted dropout
    divide_ratio: float                  # "divide by p at test time" / the right rule


@dataclass(frozen=True)
class DropoutPasses(Problem):
    """A2-Q13: dropout's forward pass in training and at test time, simulated."""

    qid = "A2-Q13"
    title = "dropout at train and at test time"

    p_keep: float = 0.8
    x: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0)
    trials: int = 20_000
    seed: int = 0

    def validate(self) -> None:
        check_real(self, "p_keep", low=0.05, high=0.95)
        x = check_reals(self, "x", shape=(None,))
        if not np.all(x != 0):
            raise ValueError(f"DropoutPasses.x must hold non-zero activations, got {self.x!r}")
        check_int(self, "trials", low=100)
        check_int(self, "seed", low=0)

    def solve(self) -> DropoutPassesSolution:
        x, p = np.array(self.x), self.p_keep
        batch = np.broadcast_to(x, (self.trials, len(x)))
        runs, mean, test = {}, {}, {}
        for scheme, inverted in (("vanilla", False), ("inverted", True)):
            rng = np.random.default_rng(self.seed)    # the same masks
            runs[scheme], _ = dc.dropout_forward(
                batch, p_keep=p, rng=rng, inverted=inverted, train=True)
            mean[scheme] = runs[scheme].mean(axis=0)
            test[scheme], _ = dc.dropout_forward(
                x, p_keep=p, rng=rng, inverted=inverted, train=False)
        # The rule "vanilla training, divide by p at test time":
        test["divide by p"] = x / p
        gap = {s: float(np.max(np.abs(mean[s] / test[s] - 1)))
               for s in mean}
        ratio = float(np.mean(test["divide by p"] / test["vanilla"]))
        return DropoutPassesSolution(runs, mean, test, gap, 1 / p, ratio)

    def answers(self, solution: DropoutPassesSolution) -> tuple[Answer, ...]:
        return (Answer("inverted_scale", "Inverted dropout: factor on a kept unit in training",
                       solution.inverted_scale, "decimal", decimals=3),
                Answer("vanilla_test", "Vanilla dropout: the output at test time",
                       tuple(float(v) for v in solution.test["vanilla"]), "list", decimals=3),
                Answer("inverted_test", "Inverted dropout: the output at test time",
                       tuple(float(v) for v in solution.test["inverted"]), "list",
                       decimals=3))

    @classmethod
    def generate(cls, rng: np.random.Generator) -> DropoutPasses:
        p = float(rng.choice([0.5, 0.6, 0.7, 0.75, 0.8, 0.9]))
        n = int(rng.integers(3, 6))
        x = tuple(float(v) for v in rng.choice(np.r_[-5:0, 1:10], size=n, replace=False))
        return cls(p_keep=p, x=x)


Q13 = DropoutPasses()


# ---- A2-Q9 ----------------------------------------------------------------------------

class DenseOnImagesSolution(NamedTuple):
    """What A2-Q9's solution computes."""

    fc_params: int                       # the fully connected layer of A2-Q1
    conv_params: int                     # the convolutional layer of A2-Q2
    conv_output: tuple[int, int, int]    # the block the conv layer produces
    fc_same_output: int                  # a fully connected layer producing that block
    ratio: float                         # fc_same_output / conv_params
    shuffle_error: float                 # outputs with pixels and weight rows permuted alike


@dataclass(frozen=True)
class DenseOnImages(Problem):
    """A2-Q9: why fully connected layers suit images badly (parameters, pixel order)."""

    qid = "A2-Q9"
    title = "fully connected networks and images"

    fc: FlattenDense = Q1                # the fully connected layer of A2-Q1
    conv: ConvParams = Q2                # the convolutional layer of A2-Q2
    photo: str = "grace_hopper.jpg"      # a crop of it for the shuffling test
    top: int = 120
    left: int = 170
    size: int = 160
    units: int = 4
    seed: int = 4

    def validate(self) -> None:
        if not isinstance(self.fc, FlattenDense):
            raise TypeError(f"DenseOnImages.fc must be a FlattenDense, got {self.fc!r}")
        if not isinstance(self.conv, ConvParams):
            raise TypeError(f"DenseOnImages.conv must be a ConvParams, got {self.conv!r}")
        _check_photo(self)
        _check_crop(self)
        check_int(self, "units", low=1)
        check_int(self, "seed", low=0)

    def solve(self) -> DenseOnImagesSolution:
        fc, conv = self.fc.solve(), self.conv.solve()
        # A fully connected layer with as many outputs as the conv layer:
        c = self.conv
        n_in = c.height * c.width * c.channels
        n_out = int(np.prod(conv.output_shape))
        weights, biases = dc.dense_params(n_in, n_out)
        # Permute the pixels and the weight rows alike: the same outputs.
        x = _crop(self).reshape(1, -1)
        rng = np.random.default_rng(self.seed)
        w = rng.normal(size=(x.shape[1], self.units))
        b = rng.normal(size=self.units)
        perm = rng.permutation(x.shape[1])
        out, _ = dc.affine_forward(x, w, b)
        out_perm, _ = dc.affine_forward(x[:, perm], w[perm], b)
        same = weights + biases
        return DenseOnImagesSolution(
            fc.weights + fc.biases, conv.total, conv.output_shape, same,
            same / conv.total, float(np.max(np.abs(out - out_perm))))


Q9 = DenseOnImages()


# ---- A2-Q10 ---------------------------------------------------------------------------

class ShortConvolutionSolution(NamedTuple):
    """What A2-Q10's solution computes."""

    padding: int                         # zeros on each side for the asked length
    padding_steps: str                   # the size formula with that padding, LaTeX
    padded: tuple[int, ...]              # the padded input
    correlation: tuple[int, ...]         # what deep-learning layers compute
    correlation_steps: str               # LaTeX, one line per output
    convolution: tuple[int, ...]         # the flipped-kernel convolution
    convolution_steps: str
    full_is_convolution: bool            # whether numpy's "full" convolution is the same


@dataclass(frozen=True)
class ShortConvolution(Problem):
    """A2-Q10: the convolution of two short integer arrays, of a given length."""

    qid = "A2-Q10"
    title = "convolution of two short arrays"

    x: tuple[int, ...] = (4, 1, -1, 3)
    k: tuple[int, ...] = (-2, 1)
    out_len: int = 5

    def validate(self) -> None:
        for name in ("x", "k"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or len(value) < 2 or any(
                    isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in value):
                raise ValueError(f"ShortConvolution.{name} must be a tuple of at least two "
                                 f"ints, got {value!r}")
        if len(self.k) > len(self.x):
            raise ValueError(f"ShortConvolution.k must not be longer than x, got {self.k!r}")
        check_int(self, "out_len", low=1)
        extra = self.out_len - (len(self.x) - len(self.k) + 1)
        if extra < 0 or extra % 2:
            raise ValueError(f"ShortConvolution.out_len must be reachable with the same "
                             f"padding on both sides, got {self.out_len!r}")

    def solve(self) -> ShortConvolutionSolution:
        x, k = self.x, self.k
        p = dc.padding_for_output(len(x), len(k), self.out_len)
        corr = dc.correlate1d(x, k, padding=p)    # what layers compute
        conv = dc.convolve1d(x, k, padding=p)     # the kernel flipped
        full = dc.convolve1d(x, k, mode="full")
        ints = lambda a: tuple(int(round(v)) for v in a)  # noqa: E731
        return ShortConvolutionSolution(
            p, dc.conv_output_size_latex(len(x), len(k), padding=p),
            ints(np.pad(x, p)),
            ints(corr), dc.correlate1d_latex(x, k, padding=p),
            ints(conv), dc.convolve1d_latex(x, k, padding=p),
            full.shape == conv.shape
            and bool(np.array_equal(full, conv)))

    def answers(self, solution: ShortConvolutionSolution) -> tuple[Answer, ...]:
        return (Answer("padding", "Zeros of padding on each side", solution.padding,
                       "integer"),
                Answer("correlation", "The output (as a convolution layer computes it)",
                       solution.correlation, "list"))

    @classmethod
    def generate(cls, rng: np.random.Generator) -> ShortConvolution:
        n, m = int(rng.integers(3, 7)), int(rng.integers(2, 4))
        m = min(m, n)
        nonzero = np.r_[-5:0, 1:6]
        x = tuple(int(v) for v in rng.choice(nonzero, size=n))
        k = tuple(int(v) for v in rng.choice(nonzero, size=m))
        padding = int(rng.integers(0, m))
        return cls(x=x, k=k, out_len=n + 2 * padding - m + 1)


Q10 = ShortConvolution()


# ---- A2-Q11 ---------------------------------------------------------------------------

class StepScheduleSolution(NamedTuple):
    """What A2-Q11's solution computes."""

    histories: dict                      # "step schedule", "constant" -> TrainingHistory
    lr: tuple[float, ...]                # the rate at the start and after each drop
    loss_around: dict[str, list[tuple[float, float]]]  # run -> (before, after) per drop
    final_accuracy: dict[str, float]     # run -> final test accuracy
    explanation: str                     # "learning-rate drops" when the curves show it


@functools.lru_cache(maxsize=4)   # once per process; across processes, dlcalc._memo
@memo
def _lr_schedule_runs(problem: StepSchedule) -> dict:
    return dc.run_lr_schedule_experiment(
        epochs=problem.epochs, drops_at=problem.drops_at, factor=problem.factor,
        lr0=problem.lr0, sizes=problem.sizes, n=problem.n, noise=problem.noise,
        batch_size=problem.batch_size, optimizer="sgd", seed=problem.seed)


@dataclass(frozen=True)
class StepSchedule(Problem):
    """A2-Q11: a training curve that changes abruptly at two epochs, reproduced."""

    qid = "A2-Q11"
    title = "a training curve with two changes"

    drops_at: tuple[int, ...] = (25, 60)   # the epochs of the question (from 0)
    epochs: int = 90
    factor: float = 0.1                  # the rate is multiplied by it at each drop
    lr0: float = 2.0
    sizes: tuple[int, ...] = (2, 16, 16, 2)   # a small ReLU network on noisy two moons
    n: int = 500
    noise: float = 0.3
    batch_size: int = 20
    seed: int = 0
    window: int = 5                      # epochs averaged on each side of a drop

    def validate(self) -> None:
        check_int(self, "epochs", low=2)
        drops = _check_int_tuple(self, "drops_at", low=1)
        if list(drops) != sorted(set(drops)) or drops[-1] >= self.epochs:
            raise ValueError(f"StepSchedule.drops_at must increase and stay below epochs, "
                             f"got {self.drops_at!r}")
        check_real(self, "factor", low=1e-6, high=0.999)
        check_real(self, "lr0", low=1e-9)
        _check_int_tuple(self, "sizes", low=1)
        for name in ("n", "batch_size"):
            check_int(self, name, low=1)
        check_real(self, "noise", low=0.0)
        check_int(self, "seed", low=0)
        check_int(self, "window", low=1)

    def solve(self) -> StepScheduleSolution:
        runs = _lr_schedule_runs(self)     # trained once, then stored
        hist = {label: run.history for label, run in runs.items()}
        lr = hist["step schedule"].lr
        rates = ((float(lr[0]),)
                 + tuple(float(lr[e]) for e in self.drops_at))
        # Mean training loss over the epochs before and after each drop:
        w = self.window
        around = {label: [(float(h.train_loss[e - w:e].mean()),
                           float(h.train_loss[e:e + w].mean()))
                          for e in self.drops_at]
                  for label, h in hist.items()}
        final = {label: float(h.test_accuracy[-1])
                 for label, h in hist.items()}
        # The drops explain the curve if the loss falls at each, and by
        # more than over the same epochs without them.
        falls = all(a < b for b, a in around["step schedule"])
        larger = all(b1 - a1 > b0 - a0 for (b1, a1), (b0, a0)
                     in zip(around["step schedule"], around["constant"]))
        return StepScheduleSolution(
            hist, rates, around, final,
            "learning-rate drops" if falls and larger
            else "something else")


Q11 = StepSchedule()


# ---- A2-Q12 ---------------------------------------------------------------------------

class ConvEquivarianceSolution(NamedTuple):
    """What A2-Q12's solution computes."""

    crop: np.ndarray                     # (size, size) part of the photograph
    shifted: np.ndarray                  # the crop moved by ``shift``, zeros coming in
    maps: np.ndarray                     # (F, OH, OW) feature maps of the crop
    maps_shifted: np.ndarray             # and of the shifted crop
    equivariance_error: float            # max |map of shifted - shifted map| (interior)
    equivariant: str                     # "yes" if that error is rounding error only
    map_change: float                    # mean |change| of the maps under small_shift,
    pooled_change: float                 # ... and of the pooled maps (relative to mean |value|)
    pooled_unchanged: float              # share of pooled outputs that stay exactly the same


@dataclass(frozen=True)
class ConvEquivariance(Problem):
    """A2-Q12: shared kernels make a convolution shift-equivariant (demonstration)."""

    qid = "A2-Q12"
    title = "why convolutional layers"

    photo: str = "grace_hopper.jpg"
    top: int = 120
    left: int = 170
    size: int = 160
    shift: tuple[int, int] = (9, 14)     # down, right
    filters: int = 2
    kernel: int = 5
    seed: int = 3                        # of the random filters
    pool: int = 2                        # max-pooling window (and stride) after the conv
    small_shift: tuple[int, int] = (0, 1)   # a slight shift, smaller than the window

    def validate(self) -> None:
        _check_photo(self)
        _check_crop(self)
        dy, dx = _check_pair(self, "shift", low=0)
        check_int(self, "filters", low=1)
        check_int(self, "kernel", low=1)
        check_int(self, "seed", low=0)
        check_int(self, "pool", low=2)
        if max(_check_pair(self, "small_shift", low=0)) >= self.pool:
            raise ValueError(f"ConvEquivariance.small_shift must be smaller than the pooling "
                             f"window {self.pool}, got {self.small_shift!r}")
        if max(dy, dx) + self.kernel + self.pool > self.size:
            raise ValueError(f"ConvEquivariance.shift must leave part of the crop, got "
                             f"{self.shift!r} on a crop of {self.size}")

    def solve(self) -> ConvEquivarianceSolution:
        (dy, dx), k = self.shift, self.kernel
        rng = np.random.default_rng(self.seed)
        w = rng.normal(size=(self.filters, 1, k, k))    # random filters
        crop = _crop(self)
        shifted = _shift(crop, dy, dx)
        maps, _ = dc.conv2d_forward(crop[None, None], w)
        maps_shifted, _ = dc.conv2d_forward(shifted[None, None], w)
        maps, maps_shifted = maps[0], maps_shifted[0]     # (F, OH, OW)
        # Output (i, j) of the shifted crop reads rows i .. i + k - 1,
        # all real pixels once i >= dy: there it must equal the crop's
        # map moved by the same shift.
        oh, ow = maps.shape[1:]
        diff = maps_shifted[:, dy:, dx:] - maps[:, :oh - dy, :ow - dx]
        error = float(np.max(np.abs(diff)))
        tol = 1e-9 * np.abs(maps).max()
        # Max pooling after the conv; a slight shift, under the window.
        nudged = _shift(crop, *self.small_shift)
        moved, _ = dc.conv2d_forward(nudged[None, None], w)
        s = self.pool
        inner = slice(s, (oh // s) * s)    # away from the zeros let in
        before = maps[None, :, inner, inner]
        after = moved[:, :, inner, inner]
        pooled_before, _ = dc.maxpool2d_forward(before, kernel=s)
        pooled_after, _ = dc.maxpool2d_forward(after, kernel=s)
        same = np.isclose(pooled_after, pooled_before, rtol=0, atol=tol)
        return ConvEquivarianceSolution(
            crop, shifted, maps, maps_shifted, error,
            "yes" if error <= tol else "no",
            _mean_change(after, before),
            _mean_change(pooled_after, pooled_before),
            float(np.mean(same)))


Q12 = ConvEquivariance()


# ---- A2-Q14 ---------------------------------------------------------------------------

def _settling_step(ws: np.ndarray, tol: float) -> int:
    """Number of steps after which every coordinate stays below tol in absolute value."""
    above = np.nonzero(np.max(np.abs(ws), axis=1) >= tol)[0]
    return int(above[-1] + 1) if above.size else 0


class MomentumNesterovSolution(NamedTuple):
    """What A2-Q14's solution computes (per method: "momentum", "Nesterov")."""

    paths: dict[str, np.ndarray]         # x_t on L = x², t = 0 .. steps
    settling: dict[str, int]             # steps until |x_t| stays below tol
    contraction: dict[str, float]        # spectral radius of the linear recursion
    overshoot: dict[str, float]          # largest x_t past the minimum
    paths_2d: dict[str, np.ndarray]      # (steps_2d + 1, 2) on the ill-conditioned bowl
    nesterov_faster: str                 # "yes"/"no"
    nesterov_overshoots_less: str        # "yes"/"no"


@dataclass(frozen=True)
class MomentumNesterov(Problem):
    """A2-Q14: momentum and Nesterov's method on L = x² and on an elongated bowl."""

    qid = "A2-Q14"
    title = "momentum and Nesterov accelerated gradient"

    rho: float = 0.9
    alpha: float = 0.1
    x0: float = -10.0
    steps: int = 200
    tol: float = 1e-3
    kappa: float = 25.0                  # L = (x² + κ y²) / 2, the ill-conditioned case
    x0_2d: tuple[float, float] = (-10.0, 2.0)
    alpha_2d: float = 0.035
    steps_2d: int = 60

    def validate(self) -> None:
        check_real(self, "rho", low=0.0, high=0.999)
        check_real(self, "alpha", low=1e-6, high=0.999)
        check_real(self, "x0")
        if self.x0 == 0:
            raise ValueError("MomentumNesterov.x0 must not be the minimum, got 0")
        check_int(self, "steps", low=2)
        check_real(self, "tol", low=1e-12)
        check_real(self, "kappa", low=1.0)
        check_reals(self, "x0_2d", shape=(2,))
        check_real(self, "alpha_2d", low=1e-6)
        check_int(self, "steps_2d", low=2)

    def solve(self) -> MomentumNesterovSolution:
        methods = {"momentum": dc.momentum_step,
                   "Nesterov": dc.nesterov_step}
        paths = {name: dc.trajectory(step, lambda w: 2 * w, self.x0,
                                     self.steps, lr=self.alpha,
                                     rho=self.rho)[:, 0]
                 for name, step in methods.items()}
        settling = {name: _settling_step(x[:, None], self.tol)
                    for name, x in paths.items()}
        # Both are linear in the state (x, v) on L = x², x' = x + v':
        #   momentum  v' = ρ v - 2α x
        #   Nesterov  v' = ρ v - 2α (x + ρ v)
        a, r = 2 * self.alpha, self.rho
        mats = {"momentum": [[1 - a, r], [-a, r]],
                "Nesterov": [[1 - a, r * (1 - a)], [-a, r * (1 - a)]]}
        contraction = {
            name: float(np.max(np.abs(np.linalg.eigvals(np.array(m)))))
            for name, m in mats.items()}
        # How far each swings past the minimum, to the far side of x0:
        side = np.sign(-self.x0)
        overshoot = {name: float(np.max(side * x))
                     for name, x in paths.items()}
        curvature = np.array([1.0, self.kappa])   # L = (x² + κ y²) / 2
        def grad_2d(w: np.ndarray) -> np.ndarray:
            return curvature * w

        paths_2d = {
            name: dc.trajectory(step, grad_2d, self.x0_2d,
                                self.steps_2d, lr=self.alpha_2d,
                                rho=self.rho)
            for name, step in methods.items()}
        faster = settling["Nesterov"] < settling["momentum"]
        less = overshoot["Nesterov"] < overshoot["momentum"]
        return MomentumNesterovSolution(
            paths, settling, contraction, overshoot, paths_2d,
            "yes" if faster else "no", "yes" if less else "no")


Q14 = MomentumNesterov()


# ---- A2-Q15 ---------------------------------------------------------------------------

class AdagradRateSolution(NamedTuple):
    """What A2-Q15's solution computes."""

    gradients: dict[str, np.ndarray]     # three kinds of gradient sequence
    rates: dict[str, np.ndarray]         # AdaGrad's effective learning rate for each
    never_increases: str                 # "yes" if no rate ever rises
    decay_ratio: float                   # first / last rate with the constant gradient
    rms_level: bool                      # the RMS of a constant gradient stays level
    what_grows: str                      # what makes the rate fall


@dataclass(frozen=True)
class AdagradRate(Problem):
    """A2-Q15: how AdaGrad's effective learning rate changes over the steps."""

    qid = "A2-Q15"
    title = "AdaGrad's learning rate"

    lr: float = 1.0
    steps: int = 1000
    grad: float = 1.0                    # the steady gradient
    noise: float = 1.0                   # spread of the noisy gradient around it
    x0: float = 5.0                      # start of the run on L = x²
    seed: int = 1

    def validate(self) -> None:
        check_real(self, "lr", low=1e-9)
        check_int(self, "steps", low=10)
        check_real(self, "grad", low=1e-6)
        check_real(self, "noise", low=0.0)
        check_real(self, "x0")
        check_int(self, "seed", low=0)

    def solve(self) -> AdagradRateSolution:
        n = self.steps
        noise = np.random.default_rng(self.seed).normal(size=n)
        run = dc.trajectory(dc.adagrad_step, lambda w: 2 * w, self.x0, n,
                            lr=self.lr)
        gradients = {"constant gradient": np.full(n, self.grad),
                     "noisy gradient": self.grad + self.noise * noise,
                     "AdaGrad on L = x², gradient 2x": 2 * run[:-1, 0]}
        rates = {name: dc.adagrad_effective_lr(g, lr=self.lr)
                 for name, g in gradients.items()}
        never = all(np.all(np.diff(r) <= 0) for r in rates.values())
        # A root mean square of a steady gradient stays level:
        const = gradients["constant gradient"]
        rms = np.sqrt(np.cumsum(const**2) / np.arange(1, n + 1))
        level = bool(np.allclose(rms, rms[0]))
        first, last = rates["constant gradient"][[0, -1]]
        return AdagradRateSolution(
            gradients, rates, "yes" if never else "no",
            float(first / last), level,
            "the root of the sum of squared gradients"
            if level and last < first
            else "the RMS of the previous gradients")


Q15 = AdagradRate()

#: The questions of this set, in the order of the assignment.
PROBLEMS: tuple[Problem, ...] = (Q1, Q2, Q3, Q4, Q5, Q6, Q7, Q8, Q9, Q10, Q11, Q12, Q13,
                                 Q14, Q15)
