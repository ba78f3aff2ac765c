"""Homework 2: the given data of each question and its worked computation.

The question sheet is lost; the questions are reconstructed from the one surviving answer.
Part A trains one small network from four starts (one experiment, shared by A1(i), A1(ii)
and A2), part B is convolution and pooling arithmetic, part C trains a small CNN on
scikit-learn's digits (one run, shared by C(i), C(ii) and C(iii)).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

import dlcalc as dc
from dlcalc._memo import memo

from ._base import Answer, Problem, check_choice, check_int, check_real, check_reals

# ---- part A: one experiment, four starts ---------------------------------------------------

#: The four starts of part A: (label, hidden activation, weight initialisation, hidden bias).
RUNS: tuple[tuple[str, str, str, float], ...] = (
    ("zero weights, ReLU", "relu", "zeros", 0.0),
    ("negative bias, ReLU", "relu", "he", -5.0),
    ("random weights, ReLU", "relu", "he", 0.0),
    ("zero weights, sigmoid", "sigmoid", "zeros", 0.0),
)


@functools.cache
@memo
def train_starts(runs: tuple, *, sizes: tuple, dataset: str, n_train: tuple, n_test: tuple,
                 noise: float, iterations: int, lr: float, seed: int) -> Any:
    """The experiment of part A (stored on disk by ``dlcalc._memo``, and kept in memory,
    so that the three questions and the errata page train it once)."""
    return dc.run_init_experiment(
        runs={label: dict(activation=act, weight_init=init, bias=bias)
              for label, act, init, bias in runs},
        sizes=sizes, dataset=dataset, n_train=n_train, n_test=n_test, noise=noise,
        iterations=iterations, lr=lr, seed=seed)


def units_identical(model: Any, *, rtol: float = 1e-9) -> bool:
    """Whether the hidden units of each layer of ``model`` are equal up to rounding: their
    largest difference at most ``rtol`` times the largest parameter (after BLAS, equal
    units are equal only to rounding, never bit for bit on every machine)."""
    scale = max(float(np.abs(p).max()) for p in model.params.values())
    return max(dc.hidden_unit_spread(model)) <= rtol * max(scale, 1.0)


@dataclass(frozen=True)
class _Starts(Problem):
    """The data of part A: a network trained from several starts on a 2-D set."""

    sizes: tuple[int, ...] = (2, 10, 5, 2)
    dataset: str = "moons"
    n_train: tuple[int, int] = (200, 100)
    n_test: tuple[int, int] = (200, 100)
    noise: float = 0.2
    iterations: int = 4000
    lr: float = 0.5
    seed: int = 0
    runs: tuple[tuple[str, str, str, float], ...] = RUNS

    def validate(self) -> None:
        name = type(self).__name__
        if not isinstance(self.sizes, tuple) or len(self.sizes) < 3 or any(
                isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in self.sizes):
            raise ValueError(f"{name}.sizes must be a tuple of at least three positive ints, "
                             f"got {self.sizes!r}")
        check_choice(self, "dataset", ("moons", "circles"))
        for counts in ("n_train", "n_test"):
            value = getattr(self, counts)
            if not isinstance(value, tuple) or len(value) != 2 or any(
                    isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in value):
                raise ValueError(f"{name}.{counts} must be a pair of positive ints (points "
                                 f"per class), got {value!r}")
        check_real(self, "noise", low=0.0, high=2.0)
        check_int(self, "iterations", low=1)
        check_real(self, "lr", low=0.0)
        check_int(self, "seed", low=0)
        labels = [r[0] for r in self.runs] if isinstance(self.runs, tuple) else []
        if not labels or len(set(labels)) != len(labels) or any(
                not isinstance(r, tuple) or len(r) != 4 or r[1] not in ("relu", "sigmoid", "tanh")
                for r in self.runs):
            raise ValueError(f"{name}.runs must be a tuple of (label, activation, "
                             f"weight_init, bias) with distinct labels, got {self.runs!r}")

    def experiment(self) -> dc.InitExperiment:
        """The trained runs (computed once for the three questions of part A)."""
        return train_starts(self.runs, sizes=self.sizes, dataset=self.dataset,
                            n_train=self.n_train, n_test=self.n_test, noise=self.noise,
                            iterations=self.iterations, lr=self.lr, seed=self.seed)

    def label(self, activation: str, weight_init: str, negative_bias: bool = False) -> str:
        """The label of the run with this start."""
        for label, act, init, bias in self.runs:
            if act == activation and init == weight_init and (bias < 0) == negative_bias:
                return label
        raise ValueError(f"{type(self).__name__}.runs has no {activation} run from "
                         f"{weight_init} weights")


class ZeroStartOutput(NamedTuple):
    """What HW2-A1(i)'s solution computes (and shows for all four runs)."""

    experiment: Any                  # dc.InitExperiment: the data and the four runs
    class_counts: list[int]          # training points per class
    majority: float                  # test accuracy of always answering the larger class
    prior_entropy: float             # entropy of the class frequencies (nats)
    accuracy: dict[str, float]       # test accuracy of each run
    final_loss: dict[str, float]     # last training loss of each run
    norms: dict[str, dict]           # run -> {"start"/"end": gradient norm per array}
    largest_weight_gradient: float   # of the zero start, over w1, w2, w3, at the start
    weights_moved: list[str]         # weight arrays of the zero start that training changed
    curves: Any                      # training curves of the four runs
    boundaries: Any                  # their decision boundaries on the test set


@dataclass(frozen=True)
class ZeroStart(_Starts):
    """HW2-A1(i): a ReLU network whose weights and biases all start at zero."""

    qid = "HW2-A1(i)"
    title = "all weights initialised to zero"

    def solve(self) -> ZeroStartOutput:
        exp = self.experiment()
        counts = np.bincount(exp.y_train)
        prior = counts / counts.sum()
        accuracy, final_loss, norms = {}, {}, {}
        x, y = exp.x_train, exp.y_train
        for label, run in exp.runs.items():
            accuracy[label] = dc.evaluate(
                run.final, exp.x_test, exp.y_test)[1]
            final_loss[label] = float(run.history.train_loss[-1])
            norms[label] = {
                when: dc.gradient_norms(model, x, y)
                for when, model in (("start", run.initial),
                                    ("end", run.final))}
        zero = self.label("relu", "zeros")
        start, end = exp.runs[zero].initial, exp.runs[zero].final
        weights = [n for n in norms[zero]["start"] if n.startswith("w")]
        curves = dc.plot_training_curves(
            {k: r.history for k, r in exp.runs.items()},
            test=False, width=5.0)
        boundaries = dc.plot_decision_boundaries(
            {k: r.final for k, r in exp.runs.items()},
            exp.x_test, exp.y_test,
            titles={k: f"{k}\ntest accuracy {a:.3f}"
                    for k, a in accuracy.items()},
            width=2.6, height=2.6)
        test_counts = np.bincount(exp.y_test)
        return ZeroStartOutput(
            exp, counts.tolist(),
            float(test_counts.max() / len(exp.y_test)),
            float(-(prior * np.log(prior)).sum()),
            accuracy, final_loss, norms,
            max(norms[zero]["start"][n] for n in weights),
            [n for n in weights
             if np.any(end.params[n] != start.params[n])],
            curves, boundaries)


class NegativeBiasOutput(NamedTuple):
    """What HW2-A1(ii)'s solution computes."""

    accuracy: float                  # test accuracy of the negative-bias run
    final_loss: float
    largest_z: float                 # largest first-layer pre-activation at the start
    dead_start: list[int]            # dead units per hidden layer at the start
    dead_end: list[int]              # and after training
    units: list[int]                 # units per hidden layer
    spread: float                    # largest difference between two units at the start
    largest_hidden_gradient: float   # over w1, b1, w2, b2 at the start
    by_bias: list[tuple]             # (bias, dead units per layer) for the same weights


@dataclass(frozen=True)
class NegativeBias(_Starts):
    """HW2-A1(ii): random (He) weights, every hidden bias started at a large negative value."""

    qid = "HW2-A1(ii)"
    title = "a large negative bias"

    def solve(self) -> NegativeBiasOutput:
        exp = self.experiment()
        run = exp.runs[self.label("relu", "he", negative_bias=True)]
        x = exp.x_train
        first = run.initial.params
        largest_z = float((x @ first["w1"] + first["b1"]).max())
        # True: the unit outputs 0 for every point
        dead_start = dc.dead_units(run.initial, x)
        dead_end = dc.dead_units(run.final, x)
        grads = dc.gradient_norms(run.initial, x, exp.y_train)
        last = str(len(self.sizes) - 1)
        hidden = [n for n in grads if n[1:] != last]
        # The same He weights with other hidden biases: how many
        # units are shut?
        bias = min(b for *_, b in self.runs)
        by_bias = []
        for b in np.arange(0.0, bias - 0.5, -1.0):
            params = {n: (np.full_like(v, b)
                          if n.startswith("b") and n in hidden else v)
                      for n, v in first.items()}
            dead = dc.dead_units(
                run.initial._replace(params=params), x)
            by_bias.append((float(b), [int(d.sum()) for d in dead]))
        return NegativeBiasOutput(
            dc.evaluate(run.final, exp.x_test, exp.y_test)[1],
            float(run.history.train_loss[-1]), largest_z,
            [int(d.sum()) for d in dead_start],
            [int(d.sum()) for d in dead_end],
            [d.size for d in dead_start],
            max(dc.hidden_unit_spread(run.initial)),
            max(grads[n] for n in hidden), by_bias)


class SigmoidStartOutput(NamedTuple):
    """What HW2-A2's solution computes."""

    error: float                     # test error of the zero-started sigmoid network
    error_random: float              # test error of the ReLU network from random weights
    majority: float                  # accuracy of always answering the larger class
    plateau: int                     # iterations before the loss falls half way
    spread: float                    # largest difference between two units, after training
    spread_random: float             # the same for the random start
    identical: bool                  # units equal up to rounding (see units_identical)
    balanced_gradient: float         # largest gradient at the start on a balanced set
    learns_a_line: bool              # beats the majority answer with identical units


@dataclass(frozen=True)
class SigmoidStart(_Starts):
    """HW2-A2: the zero start with sigmoid units, compared with the ReLU random start."""

    qid = "HW2-A2"
    title = "sigmoid units instead of ReLU"

    def solve(self) -> SigmoidStartOutput:
        exp = self.experiment()
        sig = exp.runs[self.label("sigmoid", "zeros")]
        rand = exp.runs[self.label("relu", "he")]
        accuracy = dc.evaluate(sig.final, exp.x_test, exp.y_test)[1]
        majority = np.bincount(exp.y_test).max() / len(exp.y_test)
        loss = sig.history.train_loss
        halfway = (loss[len(loss) // 10] + loss[-1]) / 2
        identical = units_identical(sig.final)
        # The same zero start on a balanced training set: the
        # gradient at the start.
        make = dc.two_moons if self.dataset == "moons" else dc.circles
        x_bal, y_bal = make(sum(self.n_train), noise=self.noise,
                            rng=np.random.default_rng(self.seed))
        balanced = max(
            dc.gradient_norms(sig.initial, x_bal, y_bal).values())
        rand_accuracy = dc.evaluate(
            rand.final, exp.x_test, exp.y_test)[1]
        return SigmoidStartOutput(
            1 - accuracy, 1 - rand_accuracy,
            float(majority), int(np.argmax(loss < halfway)),
            max(dc.hidden_unit_spread(sig.final)),
            max(dc.hidden_unit_spread(rand.final)),
            identical, balanced,
            bool(accuracy > majority and identical))


# ---- part B: a convolution layer, and pooling -----------------------------------------------

@dataclass(frozen=True)
class _ConvLayer(Problem):
    """The data of B2: a convolution layer on an image."""

    height: int = 32
    width: int = 32
    channels: int = 3
    filters: int = 8
    kernel: int = 5
    stride: int = 1
    padding: int = 0

    def validate(self) -> None:
        for name in ("height", "width", "channels", "filters", "kernel", "stride"):
            check_int(self, name, low=1)
        check_int(self, "padding", low=0)
        if self.kernel > min(self.height, self.width) + 2 * self.padding:
            raise ValueError(f"{type(self).__name__}.kernel must fit the padded input, got "
                             f"{self.kernel} on {self.height}×{self.width} with padding "
                             f"{self.padding}")

    @classmethod
    def generate(cls, rng: np.random.Generator) -> Any:
        kernel = int(rng.choice([3, 5, 7]))
        stride = int(rng.choice([1, 1, 2]))
        padding = int(rng.integers(0, kernel // 2 + 1))
        # a side that the stride tiles exactly: an output of `steps + 1` positions
        steps = int(rng.integers(10, 32))
        size = stride * steps + kernel - 2 * padding
        return cls(height=size, width=size, channels=int(rng.choice([1, 3, 16])),
                   filters=int(rng.choice([4, 6, 8, 10, 16])), kernel=kernel, stride=stride,
                   padding=padding)


_LAYER_FIELDS = ("height", "width", "channels", "filters", "kernel", "stride", "padding")


class ConvParametersOutput(NamedTuple):
    """What HW2-B2(i)'s solution computes."""

    weights: int
    biases: int
    per_filter: int                  # weights of one filter, plus its bias
    total: int


@dataclass(frozen=True)
class ConvParameters(_ConvLayer):
    """HW2-B2(i): the parameters of a convolution layer."""

    qid = "HW2-B2(i)"
    title = "parameters of a convolutional layer"

    def solve(self) -> ConvParametersOutput:
        # each filter: kernel x kernel weights for every input
        # channel, and one bias
        weights, biases = dc.conv_params(
            self.channels, self.filters, self.kernel)
        return ConvParametersOutput(
            weights, biases, weights // self.filters + 1,
            weights + biases)

    def answers(self, solution: ConvParametersOutput) -> tuple[Answer, ...]:
        return (Answer("total", "Parameters (weights and biases)", solution.total,
                       "integer"),)


class ConvOutputOutput(NamedTuple):
    """What HW2-B2(ii)'s solution computes."""

    steps: str                       # the size formula with the numbers in, LaTeX
    side: int                        # output height (= width for a square input)
    shape: tuple[int, int, int]      # height x width x depth


@dataclass(frozen=True)
class ConvOutputBlock(_ConvLayer):
    """HW2-B2(ii): the output block of the same layer."""

    qid = "HW2-B2(ii)"
    title = "output of a convolutional layer"

    def variant(self, seed: int) -> ConvOutputBlock:
        """The practice version ``seed``: the layer of B2(i)'s version ``seed``."""
        layer = ConvParameters().variant(seed)
        return ConvOutputBlock(**{f: getattr(layer, f) for f in _LAYER_FIELDS})

    def solve(self) -> ConvOutputOutput:
        depth, height, width = dc.conv_output_shape(
            (self.channels, self.height, self.width),
            out_channels=self.filters, kernel=self.kernel,
            stride=self.stride, padding=self.padding)
        steps = dc.conv_output_size_latex(
            self.height, self.kernel, stride=self.stride,
            padding=self.padding)
        return ConvOutputOutput(steps, height, (height, width, depth))

    def answers(self, solution: ConvOutputOutput) -> tuple[Answer, ...]:
        return (Answer("shape", "Output block (H × W × D)", solution.shape, "shape"),)


#: B3's four 4×4 binary images, rebuilt from the matrices the source pooled: a 3×3 block of
#: ones in each corner in turn.
IMAGES: tuple[tuple[tuple[int, ...], ...], ...] = (
    ((1, 1, 1, 0), (1, 1, 1, 0), (1, 1, 1, 0), (0, 0, 0, 0)),
    ((0, 1, 1, 1), (0, 1, 1, 1), (0, 1, 1, 1), (0, 0, 0, 0)),
    ((0, 0, 0, 0), (0, 1, 1, 1), (0, 1, 1, 1), (0, 1, 1, 1)),
    ((0, 0, 0, 0), (1, 1, 1, 0), (1, 1, 1, 0), (1, 1, 1, 0)),
)


class PoolingOutput(NamedTuple):
    """What the solutions of HW2-B3(i) and (ii) compute."""

    images: np.ndarray               # (N, H, W)
    pooled: np.ndarray               # (N, H', W')
    distinct: int                    # how many different outputs the N images give


@dataclass(frozen=True)
class _Pooling(Problem):
    """The data of B3: binary images pooled with square windows."""

    images: tuple = IMAGES
    kernel: int = 2
    stride: int = 2

    def validate(self) -> None:
        name = type(self).__name__
        images = check_reals(self, "images", shape=(None, None, None))
        if images.shape[0] < 1 or images.shape[1] != images.shape[2] or not np.all(
                (images == 0) | (images == 1)):
            raise ValueError(f"{name}.images must be square binary images (0 and 1), "
                             f"got {self.images!r}")
        check_int(self, "kernel", low=1, high=images.shape[1])
        check_int(self, "stride", low=1)
        if (images.shape[1] - self.kernel) % self.stride:
            raise ValueError(f"{name}.stride must tile the image exactly, got {self.stride} "
                             f"for windows of {self.kernel} on a side of {images.shape[1]}")

    def pool(self, forward: Any) -> PoolingOutput:
        images = np.array(self.images, dtype=float)
        # pool all the images at once, as a batch of one-channel images
        out, _ = forward(images[:, np.newaxis],
                         kernel=self.kernel, stride=self.stride)
        pooled = out[:, 0]
        distinct = len({p.tobytes() for p in pooled})
        return PoolingOutput(images, pooled, distinct)

    def answers(self, solution: PoolingOutput) -> tuple[Answer, ...]:
        return tuple(Answer(f"image{i + 1}", f"Pooled image {i + 1}, row by row",
                            [float(v) for v in p.ravel()], "list", 3)
                     for i, p in enumerate(solution.pooled))

    @classmethod
    def generate(cls, rng: np.random.Generator) -> Any:
        side = int(rng.choice([4, 6]))
        block = int(rng.integers(2, side))
        images = []
        for _ in range(int(rng.integers(3, 5))):
            image = np.zeros((side, side), dtype=int)
            top, left = (int(v) for v in rng.integers(0, side - block + 1, size=2))
            image[top:top + block, left:left + block] = 1
            images.append(tuple(tuple(int(v) for v in row) for row in image))
        return cls(images=tuple(images), kernel=2, stride=2)


@dataclass(frozen=True)
class AveragePooling(_Pooling):
    """HW2-B3(i): average pooling of small binary images."""

    qid = "HW2-B3(i)"
    title = "average pooling of four small images"

    def solve(self) -> PoolingOutput:
        # each output: the mean of its window
        return self.pool(dc.avgpool2d_forward)


@dataclass(frozen=True)
class MaxPooling(_Pooling):
    """HW2-B3(ii): max pooling of the same images."""

    qid = "HW2-B3(ii)"
    title = "max pooling of the same images"

    def variant(self, seed: int) -> MaxPooling:
        """The practice version ``seed``: the images of B3(i)'s version ``seed``."""
        data = AveragePooling().variant(seed)
        return MaxPooling(images=data.images, kernel=data.kernel, stride=data.stride)

    def solve(self) -> PoolingOutput:
        # each output: the largest of its window
        return self.pool(dc.maxpool2d_forward)


# ---- part C: a small CNN on the digits ------------------------------------------------------

@functools.cache
@memo
def train_digits(*, epochs: int, n_filters: int, p_keep: float, batch_size: int,
                 optimizer: str, lr: float, test_fraction: float, seed: int) -> Any:
    """The run of part C (stored on disk by ``dlcalc._memo``, and kept in memory)."""
    return dc.run_digits_cnn(epochs=epochs, n_filters=n_filters, p_keep=p_keep,
                             batch_size=batch_size, optimizer=optimizer, lr=lr,
                             test_fraction=test_fraction, seed=seed)


class DigitsOutput(NamedTuple):
    """What HW2-C(i)'s solution computes."""

    run: Any                         # dc.TrainingRun: the network before and after
    accuracy: np.ndarray             # test accuracy after each epoch
    seconds: np.ndarray              # time of each epoch (of the run that was stored)
    n_train: int
    n_test: int
    side: int                        # pixels of an image side
    best_epoch: int                  # 1-based


@dataclass(frozen=True)
class DigitsCNN(Problem):
    """HW2-C(i): a small CNN (conv, ReLU, max pool, dropout, FC) trained on the digits."""

    qid = "HW2-C(i)"
    title = "test accuracy of a small CNN, epoch by epoch"

    epochs: int = 10
    n_filters: int = 16
    p_keep: float = 0.75
    batch_size: int = 32
    optimizer: str = "adam"
    lr: float = 0.01
    test_fraction: float = 0.25
    seed: int = 0

    def validate(self) -> None:
        check_int(self, "epochs", low=1)
        check_int(self, "n_filters", low=1)
        check_real(self, "p_keep", low=0.01, high=1.0)
        check_int(self, "batch_size", low=1)
        check_choice(self, "optimizer", ("sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                         "adam"))
        check_real(self, "lr", low=0.0)
        if self.lr == 0:
            raise ValueError(f"DigitsCNN.lr must be positive, got {self.lr!r}")
        check_real(self, "test_fraction", low=0.01, high=0.99)
        check_int(self, "seed", low=0)

    def solve(self) -> DigitsOutput:
        run = train_digits(
            epochs=self.epochs, n_filters=self.n_filters,
            p_keep=self.p_keep, batch_size=self.batch_size,
            optimizer=self.optimizer, lr=self.lr,
            test_fraction=self.test_fraction, seed=self.seed)
        x_train, _, x_test, _ = dc.load_digits_split(
            test_fraction=self.test_fraction, seed=self.seed)
        accuracy = run.history.test_accuracy
        return DigitsOutput(
            run, accuracy, run.history.epoch_time, len(x_train),
            len(x_test), x_train.shape[-1],
            int(accuracy.argmax()) + 1)


class ArchitectureOutput(NamedTuple):
    """What HW2-C(ii)'s solution computes: the trained network, layer by layer."""

    summary: Any                     # dc.NetworkSummary of the trained network
    kernel: int
    pool: int
    best: float                      # best test accuracy of C(i)


@dataclass(frozen=True)
class BestArchitecture(Problem):
    """HW2-C(ii): the architecture that did best, as a layer table."""

    qid = "HW2-C(ii)"
    title = "the architecture that did best"

    cnn: DigitsCNN = field(default_factory=DigitsCNN)

    def validate(self) -> None:
        if not isinstance(self.cnn, DigitsCNN):
            raise TypeError(f"BestArchitecture.cnn must be a DigitsCNN, got {self.cnn!r}")

    def solve(self) -> ArchitectureOutput:
        trained = self.cnn.solve()
        net = trained.run.final
        n_filters, in_channels, kernel, _ = net.params["conv_w"].shape
        layers: list[Any] = [
            dc.Conv2d(n_filters, kernel, padding="same"),
            dc.Activation("relu"),
            dc.MaxPool2d(net.pool), dc.Flatten(),
            dc.Dense(net.params["fc_w"].shape[1])]
        side = trained.side
        summary = dc.summarize((in_channels, side, side), layers)
        return ArchitectureOutput(summary, kernel, net.pool,
                                  float(trained.accuracy.max()))


class TuningOutput(NamedTuple):
    """What HW2-C(iii)'s solution computes."""

    configurations: int              # size of the grid
    run_seconds: float               # one run of C(i), as stored
    grid_minutes: float              # the grid at that cost
    scale: float                     # input pixels per epoch, MNIST's training set / digits
    mnist_epoch: float               # seconds per epoch at the same cost per pixel
    mnist_grid_hours: float


@dataclass(frozen=True)
class TuningCost(Problem):
    """HW2-C(iii): what a grid of hand-tried configurations costs."""

    qid = "HW2-C(iii)"
    title = "the cost of tuning by hand"

    cnn: DigitsCNN = field(default_factory=DigitsCNN)
    grid: tuple[tuple[str, tuple], ...] = (
        ("convolution blocks", (1, 2, 3)), ("filters per block", (16, 32, 64)),
        ("activation", ("relu", "tanh", "sigmoid")), ("pooling", ("max", "average")),
        ("dropout", (True, False)))
    mnist_images: int = 60_000
    mnist_side: int = 28

    def validate(self) -> None:
        if not isinstance(self.cnn, DigitsCNN):
            raise TypeError(f"TuningCost.cnn must be a DigitsCNN, got {self.cnn!r}")
        if not isinstance(self.grid, tuple) or not self.grid or any(
                not isinstance(g, tuple) or len(g) != 2 or not g[1] for g in self.grid):
            raise ValueError(f"TuningCost.grid must be a tuple of (name, choices), "
                             f"got {self.grid!r}")
        check_int(self, "mnist_images", low=1)
        check_int(self, "mnist_side", low=1)

    def solve(self) -> TuningOutput:
        trained = self.cnn.solve()
        configurations = int(
            np.prod([len(choices) for _, choices in self.grid]))
        run_seconds = float(trained.seconds.sum())
        scale = (self.mnist_images * self.mnist_side ** 2
                 / (trained.n_train * trained.side ** 2))
        return TuningOutput(
            configurations, run_seconds,
            configurations * run_seconds / 60,
            scale, float(trained.seconds.mean()) * scale,
            configurations * run_seconds * scale / 3600)


A1I = ZeroStart()
A1II = NegativeBias()
A2 = SigmoidStart()
B2I = ConvParameters()
B2II = ConvOutputBlock()
B3I = AveragePooling()
B3II = MaxPooling()
CI = DigitsCNN()
CII = BestArchitecture()
CIII = TuningCost()

#: The questions of this set, in the order of the source.
PROBLEMS: tuple[Problem, ...] = (A1I, A1II, A2, B2I, B2II, B3I, B3II, CI, CII, CIII)
