"""Tests of dlcalc.train: models, the training loop, schedules, gradient flow, experiments."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcalc import optim
from dlcalc.train import (CNN, MLP, deep_stack_backward, deep_stack_forward, dead_units,
                          evaluate, fit, gradient_norms, gradient_norms_by_depth,
                          hidden_unit_spread, init_cnn, init_deep_stack, init_mlp,
                          loss_and_grads, predict, run_digits_cnn, run_init_experiment,
                          run_lr_schedule_experiment, step_schedule)


def blobs(n, seed):
    """Two Gaussian blobs at (-2, -2) and (2, 2), std 0.5: separable by x1 + x2 = 0."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.normal(scale=0.5, size=(n, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)
    return x, y


def numeric_grads(model, x, y, seed=None, h=1e-6):
    """Centred finite differences of the loss for every parameter entry."""
    out = {}
    for name, p in model.params.items():
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            losses = []
            for sign in (1, -1):
                q = p.copy()
                q[i] += sign * h
                params = {**model.params, name: q}
                rng = None if seed is None else np.random.default_rng(seed)
                losses.append(loss_and_grads(model._replace(params=params), x, y,
                                             rng=rng)[0])
            g[i] = (losses[0] - losses[1]) / (2 * h)
        out[name] = g
    return out


def assert_grads_close(analytic, numeric):
    for name in numeric:
        num, ana = numeric[name], analytic[name]
        scale = max(np.abs(num).max(), np.abs(ana).max(), 1e-8)
        assert np.abs(num - ana).max() / scale < 1e-6, name


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_mlp_gradients_match_finite_differences(activation):
    rng = np.random.default_rng(1)
    model = init_mlp((3, 5, 4, 3), activation=activation, weight_init="xavier", bias=0.1,
                     rng=rng)
    x, y = rng.normal(size=(6, 3)), np.array([0, 1, 2, 2, 1, 0])
    _, grads, _ = loss_and_grads(model, x, y)
    assert_grads_close(grads, numeric_grads(model, x, y))


def test_cnn_gradients_match_finite_differences_with_a_fixed_dropout_mask():
    rng = np.random.default_rng(2)
    model = init_cnn(in_shape=(2, 4, 4), n_filters=3, n_classes=3, p_keep=0.6, rng=rng)
    x, y = rng.normal(size=(3, 2, 4, 4)), np.array([0, 2, 1])
    # the same seed gives the same dropout mask in every evaluation
    _, grads, _ = loss_and_grads(model, x, y, rng=np.random.default_rng(5))
    assert_grads_close(grads, numeric_grads(model, x, y, seed=5))


def test_fit_decreases_the_loss_and_separates_two_blobs():
    x, y = blobs(200, seed=0)
    x_test, y_test = blobs(200, seed=1)
    model = init_mlp((2, 8, 2), rng=np.random.default_rng(0))
    _, history = fit(model, x, y, epochs=20, lr=0.1, batch_size=16,
                     rng=np.random.default_rng(0), x_test=x_test, y_test=y_test)
    # 200 / 16 -> 13 batches per epoch (12 of 16, one of 8)
    assert history.loss.shape == (20 * 13,)
    assert history.train_loss[-1] < history.train_loss[0] / 10
    assert np.all(np.diff(history.test_loss[:5]) < 0)
    # the blobs are 4 * sqrt(2) / 2 / 0.5 = 5.7 standard deviations from the boundary
    assert history.test_accuracy[-1] >= 0.99
    np.testing.assert_array_equal(history.lr, np.full(20, 0.1))


def test_same_seed_gives_the_same_numbers():
    x, y = blobs(60, seed=3)
    runs = []
    for _ in range(2):
        model = init_mlp((2, 6, 6, 2), activation="tanh", rng=np.random.default_rng(4))
        runs.append(fit(model, x, y, epochs=5, lr=0.05, optimizer="momentum", rho=0.9,
                        batch_size=7, rng=np.random.default_rng(9), x_test=x, y_test=y))
    (m1, h1), (m2, h2) = runs
    # Same seed, same data: the same numbers, to rounding (BLAS need not sum in the same
    # order twice, e.g. with another thread split); a different shuffle or init would
    # differ in the first digits.
    for field in h1._fields:
        if field != "epoch_time":
            np.testing.assert_allclose(getattr(h1, field), getattr(h2, field),
                                       rtol=1e-12, atol=1e-12)
    for k in m1.params:
        np.testing.assert_allclose(m1.params[k], m2.params[k], rtol=1e-12,
                                   atol=1e-12 * np.abs(m1.params[k]).max())


def test_same_seed_gives_the_same_cnn_runs_with_dropout():
    rng = np.random.default_rng(0)
    x, y = rng.random((20, 1, 4, 4)), rng.integers(0, 3, 20)
    results = []
    for _ in range(2):
        model = init_cnn(in_shape=(1, 4, 4), n_filters=2, n_classes=3, p_keep=0.5,
                         rng=np.random.default_rng(1))
        results.append(fit(model, x, y, epochs=2, lr=0.01, optimizer="adam", batch_size=8,
                           rng=np.random.default_rng(2)))
    np.testing.assert_allclose(results[0][1].loss, results[1][1].loss, rtol=1e-12)
    # and another seed gives other masks and another order
    other = fit(model, x, y, epochs=2, lr=0.01, optimizer="adam", batch_size=8,
                rng=np.random.default_rng(3))
    assert np.abs(other[1].loss - results[0][1].loss).max() > 1e-6


def test_fit_does_not_modify_the_initial_model():
    x, y = blobs(20, seed=0)
    model = init_mlp((2, 3, 2), rng=np.random.default_rng(0))
    before = {k: v.copy() for k, v in model.params.items()}
    trained, _ = fit(model, x, y, epochs=3, lr=0.5, rng=np.random.default_rng(0))
    for k in before:
        np.testing.assert_array_equal(model.params[k], before[k])
    assert not np.array_equal(trained.params["w1"], before["w1"])


def test_fit_with_nesterov_matches_the_optimizer_trajectory():
    # A softmax regression trained full-batch is gradient descent on one parameter
    # vector, so fit must reproduce optim.trajectory (which evaluates the gradient at
    # Nesterov's look-ahead point) step for step.
    x, y = blobs(30, seed=5)
    model = init_mlp((2, 2), weight_init="normal", std=0.5, rng=np.random.default_rng(1))

    def unpack(v):
        return {"w1": v[:4].reshape(2, 2), "b1": v[4:]}

    def grad_fn(v):
        grads = loss_and_grads(model._replace(params=unpack(v)), x, y)[1]
        return np.concatenate([grads["w1"].ravel(), grads["b1"]])

    v0 = np.concatenate([model.params["w1"].ravel(), model.params["b1"]])
    path = optim.trajectory(optim.nesterov_step, grad_fn, v0, 6, lr=0.3, rho=0.9)
    trained, _ = fit(model, x, y, epochs=6, lr=0.3, optimizer="nesterov", rho=0.9,
                     rng=np.random.default_rng(0))
    np.testing.assert_allclose(trained.params["w1"].ravel(), path[-1][:4], rtol=1e-12)
    np.testing.assert_allclose(trained.params["b1"], path[-1][4:], rtol=1e-12)


def test_step_schedule_by_hand():
    s = step_schedule(2.0, drops_at=(60, 25), factor=0.5)
    # epochs 0-24: 2.0; 25-59: 2.0 * 0.5 = 1.0; 60 on: 2.0 * 0.5**2 = 0.5
    assert [s(e) for e in (0, 24, 25, 59, 60, 1000)] == [2.0, 2.0, 1.0, 1.0, 0.5, 0.5]


def test_fit_follows_a_schedule():
    x, y = blobs(10, seed=0)
    model = init_mlp((2, 2), rng=np.random.default_rng(0))
    _, history = fit(model, x, y, epochs=5, lr=step_schedule(0.1, drops_at=(2, 4)),
                     rng=np.random.default_rng(0))
    np.testing.assert_allclose(history.lr, [0.1, 0.1, 0.01, 0.01, 0.001])


# --- symmetry: zero initialisation never makes hidden units differ -----------------------

def zero_init_sigmoid_run(hidden, n0, n1, seed, optimizer, batch_size):
    rng = np.random.default_rng(seed)
    # unequal classes, so that the weights do move (see run_init_experiment)
    y = np.concatenate([np.zeros(n0, dtype=int), np.ones(n1, dtype=int)])
    x = rng.normal(size=(len(y), 3)) + y[:, None]
    model = init_mlp((3, *hidden, 2), activation="sigmoid", weight_init="zeros",
                     rng=np.random.default_rng(0))
    trained, _ = fit(model, x, y, epochs=30, lr=0.5, optimizer=optimizer,
                     batch_size=batch_size, rng=rng)
    return trained.params


def unit_differences(params, n_hidden):
    """Per hidden layer, the largest difference between any unit and unit 0, relative to
    the size of the array it is in: incoming weights (columns), bias entries and outgoing
    weights (rows of the next matrix). Relative, because in a deep sigmoid stack the
    first layers' weights can be many orders of magnitude smaller than the last ones'."""
    def relative(diff, array):
        return np.abs(diff).max() / max(np.abs(array).max(), np.finfo(float).tiny)

    out = []
    for layer in range(1, n_hidden + 1):
        w, b, w_next = params[f"w{layer}"], params[f"b{layer}"], params[f"w{layer + 1}"]
        out.append(max(relative(w - w[:, :1], w), relative(b - b[0], b),
                       relative(w_next - w_next[:1], w_next)))
    return out


def rounding_bound(n_sum, steps):
    """What rounding alone can make of differences that are zero in exact arithmetic,
    relative to the size of the parameters.

    Each update adds sums of up to ``n_sum`` products computed by BLAS, whose kernels may
    order (and so round) the same sum differently in different output columns: each sum
    is off by at most about n_sum ulps of its size, and ``steps`` updates accumulate such
    errors. Eight times that is still many orders of magnitude below the relative
    differences that random initialisation makes (of order 1).
    """
    return 8 * np.finfo(float).eps * n_sum * steps


hidden_sizes = st.lists(st.integers(2, 7), min_size=1, max_size=3)
optimizers = st.sampled_from(["sgd", "momentum", "adam"])


@settings(max_examples=12, deadline=None)
@given(hidden=hidden_sizes, n0=st.integers(5, 30), n1=st.integers(1, 4),
       seed=st.integers(0, 1000), optimizer=optimizers)
def test_zero_init_keeps_sigmoid_hidden_units_equal_to_rounding(hidden, n0, n1, seed,
                                                                optimizer):
    # Full batch: in exact arithmetic every unit of a hidden layer stays equal to unit 0.
    # In floating point the BLAS kernel may round the same sum differently in different
    # output columns (by an ulp, depending on the machine), so the units are equal to
    # rounding, not bit for bit.
    params = zero_init_sigmoid_run(hidden, n0, n1, seed, optimizer, batch_size=None)
    assert np.abs(params["w1"]).max() > 0          # something was learnt ...
    # ... but every unit of every hidden layer equals unit 0 up to rounding
    bound = rounding_bound(n_sum=max(n0 + n1, *hidden, 3), steps=30)
    assert max(unit_differences(params, len(hidden))) <= bound
    scale = max(np.abs(p).max() for p in params.values())
    assert max(hidden_unit_spread(MLP(params, "sigmoid"))) <= bound * scale


@settings(max_examples=12, deadline=None)
@given(hidden=hidden_sizes, n0=st.integers(5, 30), n1=st.integers(1, 4),
       seed=st.integers(0, 1000), optimizer=optimizers)
def test_zero_init_units_stay_equal_to_rounding_with_mini_batches(hidden, n0, n1, seed,
                                                                  optimizer):
    # With mini-batches of 8 there are ceil((n0 + n1) / 8) updates per epoch.
    params = zero_init_sigmoid_run(hidden, n0, n1, seed, optimizer, batch_size=8)
    bound = rounding_bound(n_sum=max(8, *hidden, 3), steps=30 * -(-(n0 + n1) // 8))
    assert max(unit_differences(params, len(hidden))) <= bound
    scale = max(np.abs(p).max() for p in params.values())
    assert max(hidden_unit_spread(MLP(params, "sigmoid"))) <= bound * scale


def test_random_init_differences_are_far_above_the_rounding_bound():
    # The bound above would not hide a real asymmetry: the same run from random weights
    # leaves units whose parameters differ by a good fraction of their size.
    rng = np.random.default_rng(0)
    y = np.concatenate([np.zeros(10, dtype=int), np.ones(3, dtype=int)])
    x = rng.normal(size=(len(y), 3)) + y[:, None]
    model = init_mlp((3, 4, 2), activation="sigmoid", weight_init="xavier",
                     rng=np.random.default_rng(0))
    trained, _ = fit(model, x, y, epochs=30, lr=0.5, rng=rng)
    assert unit_differences(trained.params, 1)[0] > 0.1
    assert rounding_bound(n_sum=13, steps=30) < 1e-10


def test_zero_init_relu_learns_nothing_but_the_output_bias():
    x, y = blobs(40, seed=1)
    model = init_mlp((2, 4, 3, 2), weight_init="zeros", rng=np.random.default_rng(0))
    norms = gradient_norms(model, x, y)
    # ReLU outputs max(0, 0) = 0 and has derivative 0 at 0: nothing reaches any weight
    assert {k: norms[k] for k in ("w1", "b1", "w2", "b2", "w3")} == dict.fromkeys(
        ("w1", "b1", "w2", "b2", "w3"), 0.0)
    trained, _ = fit(model, x, y, epochs=50, lr=0.5, rng=np.random.default_rng(0))
    for k in ("w1", "b1", "w2", "b2", "w3"):
        assert not trained.params[k].any()
    assert [int(d.sum()) for d in dead_units(trained, x)] == [4, 3]


def test_dead_units_by_hand():
    # unit 0 computes x, alive for x > 0; unit 1 computes -x - 5 <= -4 on [-1, 1]: dead
    model = MLP({"w1": np.array([[1.0, -1.0]]), "b1": np.array([0.0, -5.0]),
                 "w2": np.ones((2, 2)), "b2": np.zeros(2)}, "relu")
    dead, = dead_units(model, np.linspace(-1, 1, 5)[:, None])
    np.testing.assert_array_equal(dead, [False, True])
    with pytest.raises(ValueError, match="relu"):
        dead_units(model._replace(activation="sigmoid"), [[0.0]])


def test_predict_and_evaluate_by_hand():
    # logits (x, -x): class 0 for x > 0, class 1 for x < 0
    model = MLP({"w1": np.array([[1.0, -1.0]]), "b1": np.zeros(2)}, "relu")
    x, y = np.array([[2.0], [-1.0], [3.0]]), np.array([0, 1, 1])
    np.testing.assert_array_equal(predict(model, x), [0, 1, 0])
    loss, acc = evaluate(model, x, y)
    # -log softmax: log(1 + e^-4), log(1 + e^-2), log(1 + e^6)
    expected = (math.log1p(math.exp(-4)) + math.log1p(math.exp(-2)) + math.log1p(math.exp(6)))
    assert acc == 2 / 3
    assert loss == pytest.approx(expected / 3, rel=1e-12)


# --- gradient flow ------------------------------------------------------------------------

@settings(max_examples=10, deadline=None)
@given(depth=st.integers(1, 8), width=st.integers(1, 6), seed=st.integers(0, 1000),
       activation=st.sampled_from(["relu", "sigmoid", "tanh"]))
def test_residual_blocks_with_zero_weights_compute_the_identity(depth, width, seed,
                                                                activation):
    x = np.random.default_rng(seed).normal(size=(3, width))
    stack = init_deep_stack(depth, width, activation=activation, residual=True,
                            weight_init="zeros", rng=np.random.default_rng(0))
    np.testing.assert_array_equal(deep_stack_forward(stack, x)[0], x)
    plain = stack._replace(residual=False)
    assert not deep_stack_forward(plain, x)[0].any()


@pytest.mark.parametrize("residual", [False, True])
def test_deep_stack_backward_matches_finite_differences(residual):
    rng = np.random.default_rng(3)
    stack = init_deep_stack(3, 4, activation="tanh", residual=residual, rng=rng)
    x, g = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    out, cache = deep_stack_forward(stack, x)
    dx, dw, _, dh = deep_stack_backward(g, cache)

    def loss(s, xx):
        return float(np.sum(deep_stack_forward(s, xx)[0] * g))

    h = 1e-6
    num_dx = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        num_dx[i] = (loss(stack, x + e) - loss(stack, x - e)) / (2 * h)
    np.testing.assert_allclose(dx, num_dx, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(dh[0], dx)
    w1 = stack.w[1]
    num = np.zeros_like(w1)
    for i in np.ndindex(w1.shape):
        e = np.zeros_like(w1)
        e[i] = h
        plus = stack._replace(w=(stack.w[0], w1 + e, stack.w[2]))
        minus = stack._replace(w=(stack.w[0], w1 - e, stack.w[2]))
        num[i] = (loss(plus, x) - loss(minus, x)) / (2 * h)
    np.testing.assert_allclose(dw[1], num, rtol=1e-6, atol=1e-9)


def test_skip_connections_keep_the_gradient_from_vanishing():
    norms = gradient_norms_by_depth(depth=20, width=16, n=32, activations=("sigmoid", "relu"),
                                    weight_init="xavier", seed=0)
    plain, residual = norms["plain sigmoid"], norms["residual sigmoid"]
    # sigmoid' <= 1/4 at every plain block: the gradient at the bottom is a vanishing
    # fraction of the one at the top ...
    assert plain.signal[0] < 1e-6 * plain.signal[-1]
    assert plain.weight[0] < 1e-6 * plain.weight[-1]
    # ... while the identity path carries it down: d h_l = d h_{l+1} + (...) keeps it
    # within a factor of two of the top in every block
    assert residual.signal.min() > 0.5 * residual.signal[-1]
    assert residual.signal[0] > 1e6 * plain.signal[0]
    assert np.all(residual.signal >= plain.signal)
    # with ReLU too, the gradient reaching the first block is far larger with skips
    assert norms["residual relu"].signal[0] > 1e3 * norms["plain relu"].signal[0]


# --- the experiments ----------------------------------------------------------------------

INIT_RUNS = {
    "zeros, ReLU": dict(activation="relu", weight_init="zeros", bias=0.0),
    "bias -5, ReLU": dict(activation="relu", weight_init="he", bias=-5.0),
    "He, ReLU": dict(activation="relu", weight_init="he", bias=0.0),
    "zeros, sigmoid": dict(activation="sigmoid", weight_init="zeros", bias=0.0),
    "bias -5, sigmoid": dict(activation="sigmoid", weight_init="he", bias=-5.0),
}


def test_init_experiment_short_run():
    e = run_init_experiment(runs=INIT_RUNS, sizes=(2, 10, 5, 2), dataset="moons",
                            n_train=(200, 100), n_test=(200, 100), noise=0.2,
                            iterations=150, lr=0.5, seed=0)
    assert set(e.runs) == {"zeros, ReLU", "bias -5, ReLU", "He, ReLU", "zeros, sigmoid",
                           "bias -5, sigmoid"}
    assert e.x_train.shape == (300, 2) and np.count_nonzero(e.y_train == 0) == 200
    zero = e.runs["zeros, ReLU"]
    np.testing.assert_array_equal(zero.final.params["w1"], zero.initial.params["w1"])
    biased = e.runs["bias -5, ReLU"]
    assert all(d.all() for d in dead_units(biased.initial, e.x_train))
    np.testing.assert_array_equal(biased.final.params["w2"], biased.initial.params["w2"])
    sigmoid = e.runs["zeros, sigmoid"].final
    assert max(unit_differences(sigmoid.params, 2)) <= rounding_bound(n_sum=300, steps=150)
    he = e.runs["He, ReLU"]
    assert he.history.loss[-1] < zero.history.loss[-1]
    assert evaluate(he.final, e.x_test, e.y_test)[1] > 2 / 3   # beats "always class 0"


def test_bad_input():
    rng = np.random.default_rng(0)
    model = init_mlp((2, 2), rng=rng)
    x, y = blobs(4, seed=0)
    with pytest.raises(ValueError, match="optimizer"):
        fit(model, x, y, epochs=1, lr=0.1, rng=rng, optimizer="lbfgs")
    with pytest.raises(ValueError, match="y"):
        fit(model, x, y[:3], epochs=1, lr=0.1, rng=rng)
    with pytest.raises(TypeError, match="y"):
        fit(model, x, y.astype(float), epochs=1, lr=0.1, rng=rng)
    with pytest.raises(ValueError, match="batch_size"):
        fit(model, x, y, epochs=1, lr=0.1, rng=rng, batch_size=0)
    with pytest.raises(ValueError, match="x_test"):
        fit(model, x, y, epochs=1, lr=0.1, rng=rng, x_test=x)
    with pytest.raises(TypeError, match="rng"):
        fit(model, x, y, epochs=1, lr=0.1, rng=0)
    with pytest.raises(ValueError, match="lr"):
        fit(model, x, y, epochs=1, lr=float("inf"), rng=rng)
    with pytest.raises(ValueError, match="activation"):
        init_mlp((2, 2), activation="softplus", rng=rng)
    with pytest.raises(ValueError, match="sizes"):
        init_mlp((2,), rng=rng)
    with pytest.raises(ValueError, match="kernel"):
        init_cnn(kernel=2, rng=rng)
    with pytest.raises(ValueError, match="pool"):
        init_cnn(pool=3, rng=rng)
    with pytest.raises(ValueError, match="factor"):
        step_schedule(0.1, drops_at=(3,), factor=0.0)
    with pytest.raises(ValueError, match="drops_at"):
        step_schedule(0.1, drops_at=(-1,))
    with pytest.raises(TypeError, match="model"):
        fit({"w1": 0}, x, y, epochs=1, lr=0.1, rng=rng)


@pytest.mark.slow
def test_digits_cnn_beats_90_percent_within_10_epochs():
    run = run_digits_cnn(epochs=10, n_filters=16, p_keep=0.75, batch_size=32,
                         optimizer="adam", lr=0.005, test_fraction=0.25, seed=0)
    assert isinstance(run.final, CNN)
    assert run.history.test_accuracy.shape == (10,)
    assert run.history.test_accuracy.max() > 0.90
    assert run.history.test_accuracy[-1] > 0.90


@pytest.mark.slow
def test_learning_rate_drops_lower_the_loss_plateau():
    runs = run_lr_schedule_experiment(epochs=90, drops_at=(25, 60), factor=0.1, lr0=2.0,
                                      sizes=(2, 16, 16, 2), n=500, noise=0.3, batch_size=20,
                                      optimizer="sgd", seed=0)
    step, const = runs["step schedule"].history, runs["constant"].history
    # the same 25 epochs before the first drop (to rounding: BLAS may sum in another order)
    np.testing.assert_allclose(step.train_loss[:25], const.train_loss[:25], rtol=1e-12)
    before, after_first = step.train_loss[15:25].mean(), step.train_loss[30:60].mean()
    after_second = step.train_loss[65:].mean()
    assert after_first < 0.9 * before
    assert after_second < after_first
    assert after_first < 0.9 * const.train_loss[30:60].mean()
