"""CS60010 Deep Learning, mid-semester examination 2022-23 (IIT Kharagpur): the given data
of each question and its worked computation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

import dlcalc as dc

from ._base import Answer, Problem, check_int, check_real, check_reals

# ---- EX-Q2 (and the steps of EX-Q1 on the same network) -------------------------------

#: Where each named number of the 2-2-1 network sits in :class:`dlcalc.Network`
#: (``("W1", j, k)`` is the weight from input ``k`` to hidden unit ``j``): w1 and w2 enter
#: h1, w3 and w4 enter h2, w5 and w6 enter o1; b1, b2, b3 belong to h1, h2, o1.
LABELLING: dict[str, tuple] = {
    "w1": ("W1", 0, 0), "w2": ("W1", 0, 1), "w3": ("W1", 1, 0), "w4": ("W1", 1, 1),
    "w5": ("W2", 0, 0), "w6": ("W2", 0, 1), "b1": ("b1", 0), "b2": ("b1", 1), "b3": ("b2", 0)}
#: The edge of each weight as :func:`dlcalc.draw_network` names it: (layer, unit, input).
EDGES = {name: (int(at[0][1]), at[1], at[2]) for name, at in LABELLING.items()
         if name.startswith("w")}
#: The nine parameters, in the order of the exam.
PARAMS: tuple[str, ...] = tuple(LABELLING)


class ReluStepOutput(NamedTuple):
    """What EX-Q2's solution computes."""

    network: dc.Network              # the network before the step
    forward: dict[str, float]        # z1, a1, z2, a2, o1
    loss: float
    gradients: dict[str, float]      # dL/d of o1, a1, a2, z1, z2 and of every parameter
    updated: dict[str, float]        # every parameter after the step
    output_after: float              # o1 of the updated network on the same example
    loss_after: float
    figure: Any                      # the network, each weight on its edge
    other_numbering: dict[str, float]  # z1, z2 with w2 and w3 swapped


@dataclass(frozen=True)
class ReluStep(Problem):
    """EX-Q2: one SGD step on a 2-2-1 network (ReLU hidden units, linear output, loss
    ½(y − ŷ)²), by the chain rule."""

    qid = "EX-Q2"
    title = "one SGD step on a 2-2-1 ReLU network"

    w1: float = 0.1
    w2: float = 0.2
    w3: float = -0.2
    w4: float = -0.1
    w5: float = 0.5
    w6: float = 0.3
    b1: float = 0.0
    b2: float = 0.0
    b3: float = 0.0
    x1: float = 1.0
    x2: float = 1.0
    y: float = 0.5
    lr: float = 0.5

    def validate(self) -> None:
        for name in PARAMS + ("x1", "x2", "y"):
            check_real(self, name, low=-100.0, high=100.0)
        check_real(self, "lr", low=0.0, high=10.0)
        if self.lr == 0:
            raise ValueError(f"ReluStep.lr must be positive, got {self.lr!r}")

    def params(self) -> dict[str, float]:
        """The nine parameters by name."""
        return {name: float(getattr(self, name)) for name in PARAMS}

    def network(self, values: dict[str, float] | None = None) -> dc.Network:
        """The network with the question's parameters (or ``values``) on its edges."""
        return dc.Network.from_scalars((2, 2, 1), values or self.params(), LABELLING,
                                       activations=["relu", "linear"], loss="mse")

    def gradient(self, theta: Any, x: Any = None, y: float | None = None) -> np.ndarray:
        """Gradient of the loss on one example (default the question's) with respect to the
        nine parameters stacked as one vector ``theta`` (in the order of ``PARAMS``)."""
        x = [self.x1, self.x2] if x is None else x
        y = self.y if y is None else y
        net = self.network(dict(zip(PARAMS, np.asarray(theta, dtype=float))))
        back = dc.backward_trace(net, dc.forward_trace(net, x), y)
        grads = dc.named_scalars(back.grads, LABELLING)
        return np.array([grads[name] for name in PARAMS])

    def solve(self) -> ReluStepOutput:
        net = self.network()
        x, y = [self.x1, self.x2], self.y
        # z and a of every layer; dL/da, dL/dz, dL/dW, dL/db
        fwd = dc.forward_trace(net, x)
        back = dc.backward_trace(net, fwd, y)
        forward = {"z1": fwd.z[0][0], "a1": fwd.a[0][0],
                   "z2": fwd.z[0][1], "a2": fwd.a[0][1],
                   "o1": fwd.output[0]}
        gradients = {"o1": back.dL_dz[1][0], "a1": back.dL_da[0][0],
                     "a2": back.dL_da[0][1], "z1": back.dL_dz[0][0],
                     "z2": back.dL_dz[0][1],
                     **dc.named_scalars(back.grads, LABELLING)}
        # w <- w - lr dL/dw
        new_net = dc.sgd_update(net, back.grads, lr=self.lr)
        figure = dc.draw_network(
            (2, 2, 1),
            node_labels=[["$x_1$", "$x_2$"], ["$h_1$", "$h_2$"],
                         ["$o_1$"]],
            edge_labels={EDGES[n]: f"$w_{n[1]} = {getattr(self, n):g}$"
                         for n in EDGES},
            layer_names=["input", "hidden (ReLU)", "output (linear)"],
            width=6.5, height=2.8)
        # The other natural numbering (w1, w3 into h1; w2, w4 into
        # h2): what it would give.
        other = self.network({**self.params(), "w2": self.w3,
                              "w3": self.w2})
        z_other = dc.forward_trace(other, x).z[0]
        return ReluStepOutput(
            net, _floats(forward), float(back.loss), _floats(gradients),
            _floats(new_net.scalars(LABELLING)),
            float(dc.forward_trace(new_net, x).output[0]),
            float(dc.loss_value(new_net, x, y)), figure,
            _floats({"z1": z_other[0], "z2": z_other[1]}))

    def answers(self, solution: ReluStepOutput) -> tuple[Answer, ...]:
        return (
            Answer("o1", "Output o₁ before the step", solution.forward["o1"], "decimal", 4),
            Answer("loss", "Loss L", solution.loss, "decimal", 5),
            Answer("gradients", "∂L/∂w₁, …, ∂L/∂w₆, ∂L/∂b₁, ∂L/∂b₂, ∂L/∂b₃",
                   [solution.gradients[n] for n in PARAMS], "list", 4),
            Answer("updated", "New w₁, …, w₆, b₁, b₂, b₃",
                   [solution.updated[n] for n in PARAMS], "list", 4),
        )

    @classmethod
    def generate(cls, rng: np.random.Generator) -> ReluStep:
        tenths = [v / 10 for v in range(-5, 6) if v != 0]
        while True:
            w = rng.choice(tenths, size=6)
            b = rng.choice([-0.1, 0.0, 0.0, 0.1], size=3)
            x = rng.choice([-1.0, 0.5, 1.0, 1.0, 2.0], size=2)
            y = float(rng.choice([-0.5, 0.5, 1.0, 1.5]))
            # No degenerate step: no pre-activation at the ReLU's kink, at least one hidden
            # unit active (so some input weight moves), and an output off the target.
            z = np.array([w[0] * x[0] + w[1] * x[1] + b[0], w[2] * x[0] + w[3] * x[1] + b[1]])
            o = w[4] * max(z[0], 0) + w[5] * max(z[1], 0) + b[2]
            if np.all(np.abs(z) > 1e-9) and np.any(z > 0) and abs(o - y) > 0.05:
                break
        values = dict(zip(PARAMS, (float(v) for v in (*w, *b))))
        return cls(**values, x1=float(x[0]), x2=float(x[1]), y=y,
                   lr=float(rng.choice([0.1, 0.2, 0.5])))


def _floats(values: dict) -> dict[str, float]:
    return {k: float(v) + 0.0 for k, v in values.items()}


# ---- EX-Q1 -------------------------------------------------------------------------------

class UpdateRulesOutput(NamedTuple):
    """What EX-Q1's solution computes: the first step of each method on EX-Q2's network
    (and the second for the two momentum methods, which differ from SGD only then)."""

    theta0: np.ndarray               # the nine parameters before any step (order PARAMS)
    sgd: np.ndarray                  # after one SGD step on the exam's example
    batch: np.ndarray                # after one batch step on both examples
    momentum: np.ndarray             # after two momentum steps
    nesterov: np.ndarray             # after two Nesterov steps
    nesterov_eta: np.ndarray         # two steps with the look-ahead theta + eta v
    velocity: np.ndarray             # v1, the velocity after the first momentum step
    lookahead: np.ndarray            # theta1 + rho v1, where Nesterov's second gradient is taken
    lookahead_eta: np.ndarray        # theta1 + eta v1
    loss: dict[str, float]           # the exam example's loss at each point above
    output: dict[str, float]         # o1 at theta1 and at the look-ahead point
    gradient_norm: dict[str, float]  # |grad| at theta1 and at the look-ahead point
    brakes: bool                     # whether the look-ahead gradient opposes v1 (g·v1 > 0)


@dataclass(frozen=True)
class UpdateRules(Problem):
    """EX-Q1: the update rules of SGD, batch GD, momentum and Nesterov momentum, each taken
    one step on the network of EX-Q2 (the book's choices: ``rho`` and a second example)."""

    qid = "EX-Q1(a-d)"
    title = "update rules of four gradient methods"

    network: ReluStep = field(default_factory=ReluStep)
    rho: float = 0.9
    extra_x1: float = -1.0
    extra_x2: float = 1.0
    extra_y: float = 0.0

    def validate(self) -> None:
        if not isinstance(self.network, ReluStep):
            raise TypeError(f"UpdateRules.network must be a ReluStep, got {self.network!r}")
        check_real(self, "rho", low=0.0, high=1.0)
        for name in ("extra_x1", "extra_x2", "extra_y"):
            check_real(self, name, low=-100.0, high=100.0)

    def solve(self) -> UpdateRulesOutput:
        net, rho, lr = self.network, self.rho, self.network.lr
        theta0 = np.array(list(net.params().values()))
        grad = net.gradient                   # the exam's example
        extra = ([self.extra_x1, self.extra_x2], self.extra_y)
        hyper = {"lr": lr, "rho": rho}

        sgd, _ = dc.sgd_step(theta0, grad(theta0), None, lr=lr)
        batch_grad = grad(theta0) + net.gradient(theta0, *extra)
        batch, _ = dc.sgd_step(theta0, batch_grad, None, lr=lr)
        momentum = dc.trajectory(
            dc.momentum_step, grad, theta0, 2, **hyper)[2]
        nesterov = dc.trajectory(
            dc.nesterov_step, grad, theta0, 2, **hyper)[2]

        # The second step of Nesterov: where is its gradient taken?
        theta1, state1 = dc.momentum_step(
            theta0, grad(theta0), None, **hyper)
        lookahead = dc.gradient_point(
            dc.nesterov_step, theta1, state1, **hyper)
        # the source's first form
        lookahead_eta = theta1 + lr * state1.velocity
        nesterov_eta, _ = dc.nesterov_step(
            theta1, grad(lookahead_eta), state1, **hyper)

        x = [net.x1, net.x2]

        def at(theta: np.ndarray) -> dc.Network:
            return net.network(dict(zip(PARAMS, theta)))

        def loss(theta: np.ndarray) -> float:
            return dc.loss_value(at(theta), x, net.y)

        def output(theta: np.ndarray) -> float:
            return dc.forward_trace(at(theta), x).output[0]

        points = {"theta0": theta0, "sgd": sgd, "momentum": momentum,
                  "nesterov": nesterov, "nesterov_eta": nesterov_eta,
                  "theta1": theta1, "lookahead": lookahead}
        return UpdateRulesOutput(
            theta0, sgd, batch, momentum, nesterov, nesterov_eta,
            state1.velocity, lookahead, lookahead_eta,
            loss={k: float(loss(t)) for k, t in points.items()},
            output={k: float(output(points[k]))
                    for k in ("theta1", "lookahead")},
            gradient_norm={k: float(np.linalg.norm(grad(points[k])))
                           for k in ("theta1", "lookahead")},
            brakes=bool(grad(lookahead) @ state1.velocity > 0))


# ---- EX-Q5 -------------------------------------------------------------------------------

class ReceptiveFieldOutput(NamedTuple):
    """What EX-Q5's solution computes."""

    layers: list                     # the conv and pooling layers, as dlcalc layer specs
    steps: str                       # the recursion r_l, j_l with the numbers in, LaTeX
    size: int                        # side of the field of one pooling unit, in pixels
    after_convs: int                 # side of the field of one unit of the last convolution
    jump_convs: int                  # pixels between neighbouring units of the last convolution
    jump: int                        # pixels between neighbouring pooling units


@dataclass(frozen=True)
class ReceptiveField(Problem):
    """EX-Q5: the receptive field of a pooling unit after a stack of convolutions."""

    qid = "EX-Q5"
    title = "receptive field of a pooling unit"

    size: int = 256
    channels: int = 3
    n_convs: int = 2
    conv_filters: int = 32
    conv_kernel: int = 3
    conv_stride: int = 1
    pool_kernel: int = 3
    pool_stride: int = 2

    def validate(self) -> None:
        for name in ("size", "channels", "conv_filters", "conv_kernel", "conv_stride",
                     "pool_kernel", "pool_stride"):
            check_int(self, name, low=1)
        check_int(self, "n_convs", low=1, high=10)
        field = self.solve().size
        if field > self.size:
            raise ValueError(f"ReceptiveField.size must hold the field of a pooling unit, "
                             f"got {self.size} for a field of {field}")

    def solve(self) -> ReceptiveFieldOutput:
        # Padding and the number of filters do not change the field:
        # neither is needed.
        convs = [dc.Conv2d(self.conv_filters, self.conv_kernel,
                           stride=self.conv_stride)
                 for _ in range(self.n_convs)]
        pool = dc.MaxPool2d(self.pool_kernel, stride=self.pool_stride)
        layers = convs + [pool]
        # r_l = r_(l-1) + (k_l - 1) j_(l-1)
        field = dc.receptive_field(layers)
        last_conv = self.n_convs - 1
        return ReceptiveFieldOutput(
            layers, dc.receptive_field_latex(layers), field.size,
            field.sizes[last_conv], field.jumps[last_conv],
            field.jump)

    def answers(self, solution: ReceptiveFieldOutput) -> tuple[Answer, ...]:
        return (Answer("field", "Receptive field of a pooling unit (H × W, pixels)",
                       (solution.size, solution.size), "shape"),)

    @classmethod
    def generate(cls, rng: np.random.Generator) -> ReceptiveField:
        while True:
            try:
                return cls(size=int(rng.choice([64, 128, 224, 256])),
                           channels=int(rng.choice([1, 3])),
                           n_convs=int(rng.integers(1, 5)),
                           conv_filters=int(rng.choice([16, 32, 64])),
                           conv_kernel=int(rng.choice([3, 5, 7])),
                           conv_stride=int(rng.choice([1, 1, 2])),
                           pool_kernel=int(rng.choice([2, 3])), pool_stride=2)
            except ValueError:
                continue


# ---- EX-Q7(a) and (b) ---------------------------------------------------------------------

_LAYER = re.compile(r"^(CONV)-(\d+)-(\d+)$|^(POOL)-(\d+)$|^(FC)-(\d+)$")


def layer_of(name: str) -> Any:
    """The dlcalc layer spec of one entry of the exam's notation: ``CONV-K-N`` (N filters of
    K × K, padding 0, stride 1), ``POOL-K`` (K × K max pooling of stride K) or ``FC-N``."""
    m = _LAYER.match(name) if isinstance(name, str) else None
    if m is None:
        raise ValueError(f"layer must be written CONV-K-N, POOL-K or FC-N, got {name!r}")
    if m.group(1):
        return dc.Conv2d(int(m.group(3)), int(m.group(2)))
    if m.group(4):
        return dc.MaxPool2d(int(m.group(5)))
    return dc.Dense(int(m.group(7)))


class ClassifierOutput(NamedTuple):
    """What EX-Q7(a)'s solution computes."""

    summary: Any                     # dc.NetworkSummary: rows[0] is the input
    names: list[str]                 # the name of each row after the input
    ceil_summary: Any                # the same network with pooling sizes rounded up
    shapes: list                     # each layer's output as the exam writes it: H×W×C or N


@dataclass(frozen=True)
class BirdClassifier(Problem):
    """EX-Q7(a): activation maps, weights and biases of each layer of a small CNN."""

    qid = "EX-Q7(a)"
    title = "shapes and parameters of a bird classifier"

    height: int = 128
    width: int = 128
    channels: int = 3
    classes: int = 4
    layers: tuple[str, ...] = ("CONV-7-32", "POOL-2", "CONV-5-64", "CONV-3-128", "POOL-2",
                               "FC-10")

    def validate(self) -> None:
        for name in ("height", "width", "channels"):
            check_int(self, name, low=1)
        check_int(self, "classes", low=2)
        if not isinstance(self.layers, tuple) or not self.layers:
            raise TypeError(f"BirdClassifier.layers must be a non-empty tuple of layer names, "
                            f"got {self.layers!r}")
        seen_fc = False
        for name in self.layers:
            try:
                kind = type(layer_of(name))
            except ValueError as exc:
                raise ValueError(f"BirdClassifier.layers: {exc}") from None
            if seen_fc and kind is not dc.Dense:
                raise ValueError(f"BirdClassifier.layers must end with the FC layers, got "
                                 f"{name!r} after one")
            seen_fc = seen_fc or kind is dc.Dense
        try:
            self.solve()
        except ValueError as exc:
            raise ValueError(f"BirdClassifier.layers do not fit a {self.height}×{self.width} "
                             f"input: {exc}") from None

    def network(self, *, ceil_mode: bool = False) -> tuple[list, list[str]]:
        """The layers as dlcalc specs (a flatten before the first FC, the output layer
        last) and their names."""
        names: list[str] = []
        layers: list[Any] = []
        for name in self.layers:
            layer = layer_of(name)
            if isinstance(layer, dc.Dense) and not any(isinstance(x, dc.Flatten) for x in layers):
                names.append("FLATTEN")
                layers.append(dc.Flatten())
            if isinstance(layer, dc.MaxPool2d) and ceil_mode:
                layer = dc.MaxPool2d(layer.kernel, ceil_mode=True)
            names.append(name)
            layers.append(layer)
        return layers + [dc.Dense(self.classes)], names + ["OUTPUT"]

    def solve(self) -> ClassifierOutput:
        image = (self.channels, self.height, self.width)
        layers, names = self.network()
        # shapes, weights, biases
        summary = dc.summarize(image, layers, names=names)
        # pooling that rounds up
        ceil_layers, _ = self.network(ceil_mode=True)
        ceil_summary = dc.summarize(image, ceil_layers, names=names)
        # H x W x C, as the source writes them
        shapes = [(r.output_shape[1], r.output_shape[2],
                   r.output_shape[0])
                  if len(r.output_shape) == 3 else r.output_shape[0]
                  for r in summary.rows[1:]]
        return ClassifierOutput(summary, names, ceil_summary, shapes)

    def answers(self, solution: ClassifierOutput) -> tuple[Answer, ...]:
        out: list[Answer] = []
        for name, row, shape in zip(solution.names, solution.summary.rows[1:], solution.shapes):
            if name == "FLATTEN":
                continue
            key = f"{len(out) // 3 + 1}"
            if isinstance(shape, tuple):
                out.append(Answer(f"map{key}", f"{name}: activation map (H × W × C)",
                                  shape, "shape"))
            else:
                out.append(Answer(f"map{key}", f"{name}: activation map (units)",
                                  int(shape), "integer"))
            out.append(Answer(f"weights{key}", f"{name}: weights", int(row.weights), "integer"))
            out.append(Answer(f"biases{key}", f"{name}: biases", int(row.biases), "integer"))
        return tuple(out)

    @classmethod
    def generate(cls, rng: np.random.Generator) -> BirdClassifier:
        while True:
            side = int(rng.choice([64, 96, 112, 128, 160]))
            k1, k2, k3 = (int(k) for k in rng.choice([3, 5, 7], size=3))
            f1 = int(rng.choice([16, 32]))
            layers = (f"CONV-{k1}-{f1}", "POOL-2", f"CONV-{k2}-{2 * f1}",
                      f"CONV-{k3}-{4 * f1}", "POOL-2", f"FC-{int(rng.choice([10, 16, 32]))}")
            try:
                return cls(height=side, width=side, channels=3,
                           classes=int(rng.integers(3, 7)), layers=layers)
            except ValueError:
                continue


class SoftmaxOutput(NamedTuple):
    """What EX-Q7(b)'s solution computes."""

    probabilities: np.ndarray        # softmax(a)
    shifted: np.ndarray              # softmax(a - max a): the same, as it must be
    steps: str                       # softmax(a)_1 with the numbers in, LaTeX


@dataclass(frozen=True)
class OutputActivation(Problem):
    """EX-Q7(b): the activation after the output layer, applied to a vector of scores."""

    qid = "EX-Q7(b)"
    title = "the output activation"

    scores: tuple[float, ...] = (0.3, 0.3, 0.3, 0.3)

    def validate(self) -> None:
        scores = check_reals(self, "scores", shape=(None,))
        if not 2 <= scores.size <= 10:
            raise ValueError(f"OutputActivation.scores must hold 2 to 10 scores, "
                             f"got {self.scores!r}")
        if np.abs(scores).max() > 50:
            raise ValueError(f"OutputActivation.scores must lie in [-50, 50], "
                             f"got {self.scores!r}")

    def solve(self) -> SoftmaxOutput:
        a = np.array(self.scores)
        probs = dc.softmax(a)              # e^(a_i) / sum_j e^(a_j)
        shifted = dc.softmax(a - a.max())  # a constant changes nothing
        terms = " + ".join(f"e^{{{v:g}}}" for v in a)
        steps = (rf"\mathrm{{softmax}}(a)_1 = "
                 rf"\frac{{e^{{{a[0]:g}}}}}{{{terms}}}"
                 rf" = {probs[0]:.4g}")
        return SoftmaxOutput(probs, shifted, steps)

    def answers(self, solution: SoftmaxOutput) -> tuple[Answer, ...]:
        return (Answer("activation", "Activation after the output layer", "softmax",
                       "choice"),
                Answer("probabilities", "softmax(a), each entry",
                       [float(p) for p in solution.probabilities], "list", 3))

    @classmethod
    def generate(cls, rng: np.random.Generator) -> OutputActivation:
        n = int(rng.integers(3, 6))
        while True:
            scores = tuple(float(v) for v in rng.integers(-20, 21, size=n) / 10)
            if len(set(scores)) > 1:
                return cls(scores=scores)


# ---- the conceptual questions: the book's small examples behind each verdict ------------

class DropoutOrAdamOutput(NamedTuple):
    """What EX-Q3's solution computes on one linear unit."""

    loss_plain: float                # ½(y − w·x)² without dropout
    loss_dropout: float              # the same averaged over the dropout masks
    penalty: float                   # ½ (1 − p)/p Σ w_j² x_j², the variance the masks add
    loss_sgd: float                  # training loss after fitting with plain SGD
    loss_adam: float                 # training loss after fitting with Adam


@dataclass(frozen=True)
class DropoutOrAdam(Problem):
    """EX-Q3: which of dropout and Adam reduces overfitting (the book's example: one linear
    unit with inverted dropout on its inputs, and the training loss it fits)."""

    qid = "EX-Q3"
    title = "dropout or Adam against overfitting"

    x: tuple[float, ...] = (1.0, 2.0, -1.0, 0.5)
    w: tuple[float, ...] = (0.5, -0.3, 0.8, 1.0)
    y: float = 1.0
    p_keep: float = 0.5
    masks: int = 200_000
    seed: int = 0
    steps: int = 500
    lr_sgd: float = 0.1
    lr_adam: float = 0.05

    def validate(self) -> None:
        x = check_reals(self, "x", shape=(None,))
        check_reals(self, "w", shape=(x.size,))
        check_real(self, "y")
        check_real(self, "p_keep", low=0.01, high=1.0)
        check_int(self, "masks", low=1)
        check_int(self, "seed", low=0)
        check_int(self, "steps", low=1)
        check_real(self, "lr_sgd", low=0.0)
        check_real(self, "lr_adam", low=0.0)

    def solve(self) -> DropoutOrAdamOutput:
        x, w = np.array(self.x), np.array(self.w)
        y, p = self.y, self.p_keep
        x_dropped, _ = dc.dropout_forward(
            np.tile(x, (self.masks, 1)), p_keep=p,
            rng=np.random.default_rng(self.seed))
        # without dropout, averaged over the masks, what the masks add
        loss_plain = 0.5 * (y - x @ w) ** 2
        loss_dropout = np.mean(0.5 * (y - x_dropped @ w) ** 2)
        penalty = 0.5 * (1 - p) / p * np.sum(w**2 * x**2)

        def grad(v: np.ndarray) -> np.ndarray:  # of the plain loss
            return -(y - x @ v) * x

        fit_sgd = dc.trajectory(
            dc.sgd_step, grad, w, self.steps, lr=self.lr_sgd)[-1]
        fit_adam = dc.trajectory(
            dc.adam_step, grad, w, self.steps, lr=self.lr_adam)[-1]
        return DropoutOrAdamOutput(
            float(loss_plain), float(loss_dropout), float(penalty),
            float(0.5 * (y - x @ fit_sgd) ** 2),
            float(0.5 * (y - x @ fit_adam) ** 2))


class MultipleChoiceOutput(NamedTuple):
    """What EX-Q4's solution computes, one example per part."""

    penalty_factors: list[float]     # (a): (1 − p)/p for each keep probability
    bn_out: np.ndarray               # (b): the batch normalised
    bn_cache: Any                    # (b): its batch means and variances
    bn_other: np.ndarray             # (b): the first example normalised in the other batch
    adagrad_rates: np.ndarray        # (c): each weight's rate after each step
    point_momentum: float            # (d): where momentum takes its gradient
    point_nesterov: float            # (d): where Nesterov takes it
    step_sgd: np.ndarray             # (e): one SGD step from zero
    step_adam: np.ndarray            # (e): one Adam step from zero
    adam_state: Any                  # (e): Adam's moments after it
    relu_pos: float                  # (f): f(x) of EX-Q2's network, with its ReLU
    relu_neg: float                  # (f): f(−x)
    linear_pos: float                # (f): f(x) without the ReLU
    linear_neg: float                # (f): f(−x) without the ReLU
    single_layer: np.ndarray         # (f): the one linear layer the two collapse to


@dataclass(frozen=True)
class MultipleChoice(Problem):
    """EX-Q4 (a)-(f): six multiple-choice questions, each backed by a small example."""

    qid = "EX-Q4(a-f)"
    title = "six multiple-choice questions"

    p_keeps: tuple[float, ...] = (0.5, 0.8, 1.0)
    bn_batch: tuple[tuple[float, ...], ...] = ((1.0, 200.0, -30.0), (2.0, 180.0, -10.0),
                                               (3.0, 240.0, -50.0), (4.0, 220.0, -20.0))
    bn_other: tuple[tuple[float, ...], ...] = ((9.0, 600.0, 40.0), (5.0, 640.0, 20.0),
                                               (7.0, 560.0, 30.0))
    adagrad_grads: tuple[tuple[float, ...], ...] = ((4.0, 0.5),) * 4
    adagrad_lr: float = 1.0
    adam_grad: tuple[float, ...] = (100.0, 0.01)
    adam_lr: float = 0.1
    rho: float = 0.9
    nesterov_w: float = 1.0
    nesterov_v: float = -0.2
    network: ReluStep = field(default_factory=ReluStep)

    def validate(self) -> None:
        keeps = check_reals(self, "p_keeps", shape=(None,))
        if np.any(keeps <= 0) or np.any(keeps > 1):
            raise ValueError(f"MultipleChoice.p_keeps must lie in (0, 1], got {self.p_keeps!r}")
        batch = check_reals(self, "bn_batch", shape=(None, None))
        check_reals(self, "bn_other", shape=(None, batch.shape[1]))
        check_reals(self, "adagrad_grads", shape=(None, None))
        check_reals(self, "adam_grad", shape=(None,))
        for name in ("adagrad_lr", "adam_lr"):
            check_real(self, name, low=0.0)
        check_real(self, "rho", low=0.0, high=1.0)
        check_real(self, "nesterov_w")
        check_real(self, "nesterov_v")
        if not isinstance(self.network, ReluStep):
            raise TypeError(f"MultipleChoice.network must be a ReluStep, got {self.network!r}")

    def solve(self) -> MultipleChoiceOutput:
        # (a) the factor of dropout's penalty, p the keep probability
        factors = [(1 - p) / p for p in self.p_keeps]
        # (b) batch normalisation of one batch, and of the first
        # example in another
        batch = np.array(self.bn_batch)
        bn_out, bn_cache = dc.batchnorm_forward(batch, 1.0, 0.0)
        other = np.vstack([batch[:1], self.bn_other])
        bn_other, _ = dc.batchnorm_forward(other, 1.0, 0.0)
        # (c) Adagrad's rate per weight, from each weight's own
        # gradient history
        rates = dc.adagrad_effective_lr(self.adagrad_grads,
                                        lr=self.adagrad_lr)
        # (d) where momentum and Nesterov evaluate the gradient
        state = dc.MomentumState(np.array([self.nesterov_v]))
        w = np.array([self.nesterov_w])
        at_momentum = dc.gradient_point(dc.momentum_step, w, state,
                                        rho=self.rho)
        at_nesterov = dc.gradient_point(dc.nesterov_step, w, state,
                                        rho=self.rho)
        # (e) one step of SGD and of Adam from zero
        zero = np.zeros(len(self.adam_grad))
        g, lr = self.adam_grad, self.adam_lr
        step_sgd, _ = dc.sgd_step(zero, g, None, lr=lr)
        step_adam, adam_state = dc.adam_step(zero, g, None, lr=lr)
        # (f) EX-Q2's network with and without its ReLU, at x and -x
        net = self.network.network()
        hidden, out = net.weights[0], net.weights[1][0]
        x = np.array([self.network.x1, self.network.x2])
        return MultipleChoiceOutput(
            factors, bn_out, bn_cache, bn_other[0], rates,
            float(at_momentum[0]), float(at_nesterov[0]),
            step_sgd, step_adam, adam_state,
            float(out @ dc.relu(hidden @ x)),
            float(out @ dc.relu(hidden @ -x)),
            float(out @ hidden @ x), float(out @ hidden @ -x),
            out @ hidden)


class VisualisingOutput(NamedTuple):
    """What EX-Q6's solution computes on the network of EX-Q7(a)."""

    names: list[str]                 # the convolution and pooling layers
    filter_shapes: list              # C × K × K of one filter, None for pooling
    fields: list[int]                # receptive field side after each of those layers
    image: int                       # side of the input image


@dataclass(frozen=True)
class Visualising(Problem):
    """EX-Q6: what a filter's weights and a unit's receptive field are at each depth."""

    qid = "EX-Q6"
    title = "visualising CNNs, and what deep layers compute"

    classifier: BirdClassifier = field(default_factory=BirdClassifier)

    def validate(self) -> None:
        if not isinstance(self.classifier, BirdClassifier):
            raise TypeError(f"Visualising.classifier must be a BirdClassifier, "
                            f"got {self.classifier!r}")

    def solve(self) -> VisualisingOutput:
        layers, names = self.classifier.network()
        keep = [i for i, x in enumerate(layers)
                if isinstance(x, (dc.Conv2d, dc.MaxPool2d))]
        # rows[i] is the input of layer i
        rows = self.classifier.solve().summary.rows
        shapes = [(rows[i].output_shape[0], layers[i].kernel,
                   layers[i].kernel)
                  if isinstance(layers[i], dc.Conv2d) else None
                  for i in keep]
        fields = dc.receptive_field([layers[i] for i in keep]).sizes
        return VisualisingOutput([names[i] for i in keep], shapes,
                                 list(fields), self.classifier.height)


class TransferOutput(NamedTuple):
    """What EX-Q7(c)'s solution computes: where the parameters of EX-Q7(a)'s network are."""

    body: int                        # the convolutions
    hidden_fc: int                   # the FC layers before the output layer
    output: int                      # the output layer
    head: int                        # hidden_fc + output
    total: int


@dataclass(frozen=True)
class TransferLearning(Problem):
    """EX-Q7(c): reuse a network trained on other birds; what each choice retrains."""

    qid = "EX-Q7(c)"
    title = "reusing a network trained on other birds"

    classifier: BirdClassifier = field(default_factory=BirdClassifier)
    pretrained_images: int = 1_000_000

    def validate(self) -> None:
        if not isinstance(self.classifier, BirdClassifier):
            raise TypeError(f"TransferLearning.classifier must be a BirdClassifier, "
                            f"got {self.classifier!r}")
        check_int(self, "pretrained_images", low=1)

    def solve(self) -> TransferOutput:
        rows = self.classifier.solve().summary.rows[1:]
        params = [r.weights + r.biases for r in rows]
        body = sum(p for r, p in zip(rows, params) if r.kind == "conv")
        dense = [p for r, p in zip(rows, params) if r.kind == "dense"]
        hidden_fc, output = sum(dense[:-1]), dense[-1]
        return TransferOutput(body, hidden_fc, output,
                              hidden_fc + output, sum(params))


Q1 = UpdateRules()
Q2 = ReluStep()
Q5 = ReceptiveField()
Q3 = DropoutOrAdam()
Q4 = MultipleChoice()
Q6 = Visualising()
Q7A = BirdClassifier()
Q7B = OutputActivation()
Q7C = TransferLearning()

#: The questions of this set, in the order of the source.
PROBLEMS: tuple[Problem, ...] = (Q1, Q2, Q3, Q4, Q5, Q6, Q7A, Q7B, Q7C)
