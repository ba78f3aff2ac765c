"""Tests of dlcalc.training's fast path: after its first, checked iteration, fit runs the
arithmetic of the public layer and optimizer functions without their checks. Every
expected value comes from the public functions: stepped by hand, or called by fit itself
through a step function it does not know (which it runs checked, as before)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlcalc as dc
from dlcalc import models, optim, training
from dlcalc.models import MLP

# an overflow ends in a clear ValueError, never in a RuntimeWarning first
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

NAMES = tuple(training.OPTIMIZERS)


class Checked:
    """A built-in step function under an identity fit does not know, so that fit runs
    every iteration on the public, checked functions; counts its calls."""

    def __init__(self, name):
        self.name, self.step, self.calls = name, training.OPTIMIZERS[name], 0
        if hasattr(self.step, "gradient_at"):
            self.gradient_at = self.step.gradient_at

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.step(*args, **kwargs)

    def __repr__(self):
        return repr(self.name)   # as fit names a built-in optimizer in its errors


def outcome(model, x, y, optimizer, seed=0, **kwargs):
    """What fit returns or raises, and the next number of its generator."""
    rng = np.random.default_rng(seed)
    try:
        result = dc.fit(model, x, y, rng=rng, optimizer=optimizer, **kwargs)
    except (ValueError, TypeError) as exc:
        result = (type(exc), str(exc))
    return result, rng.random()


def assert_same_outcome(fast, checked):
    (a, a_next), (b, b_next) = fast, checked
    assert a_next == b_next                        # the same random draws
    if isinstance(b[0], type):
        assert a == b                              # the same error, word for word
        return
    (m1, h1), (m2, h2) = a, b
    for field in h1._fields:
        if field != "epoch_time" and getattr(h2, field) is not None:
            np.testing.assert_allclose(getattr(h1, field), getattr(h2, field), rtol=1e-12,
                                       atol=1e-300)
    for k in m2.params:
        scale = np.abs(m2.params[k]).max()
        np.testing.assert_allclose(m1.params[k], m2.params[k], rtol=1e-12,
                                   atol=1e-12 * scale)


def mlp(activation="relu", sizes=(3, 5, 4, 3), seed=1):
    return dc.init_mlp(sizes, activation=activation, weight_init="xavier", bias=0.1,
                       rng=np.random.default_rng(seed))


def cnn(p_keep=0.6, seed=2):
    return dc.init_cnn(in_shape=(2, 4, 4), n_filters=3, n_classes=3, p_keep=p_keep,
                       rng=np.random.default_rng(seed))


def data(model, n=10, seed=3, scale=1.0):
    rng = np.random.default_rng(seed)
    shape = (n, 3) if isinstance(model, MLP) else (n, 2, 4, 4)
    return rng.normal(size=shape) * scale, np.arange(n) % 3


HYPER = {"sgd": {}, "momentum": {"rho": 0.8}, "nesterov": {"rho": 0.7},
         "adagrad": {"eps": 1e-6}, "rmsprop": {"decay_rate": 0.9},
         "adam": {"beta1": 0.8, "beta2": 0.99}}


# ---- the same numbers as the public functions ---------------------------------------

@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", ["relu", "sigmoid", "tanh", "cnn"])
def test_fit_takes_the_steps_of_the_public_functions(name, kind):
    model = cnn() if kind == "cnn" else mlp(kind)
    x, y = data(model)
    step, lr, batch, epochs = training.OPTIMIZERS[name], 0.05, 4, 3
    # By hand: each epoch a permutation, then per batch of 4, 4, 2 the loss and gradients
    # at the point the step asks for (dropout masks drawn from the same generator), and
    # one step of every parameter.
    rng = np.random.default_rng(7)
    params, states, losses = dict(model.params), dict.fromkeys(model.params), []
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for first in range(0, len(y), batch):
            idx = order[first:first + batch]
            at = {k: optim.gradient_point(step, params[k], states[k], lr=lr, **HYPER[name])
                  for k in params}
            loss, grads, _ = dc.loss_and_grads(model._replace(params=at), x[idx], y[idx],
                                               train=True, rng=rng)
            for k in params:
                params[k], states[k] = step(params[k], grads[k], states[k], lr=lr,
                                            **HYPER[name])
            losses.append(loss)
    trained, history = dc.fit(model, x, y, epochs=epochs, lr=lr, batch_size=batch,
                              optimizer=name, rng=np.random.default_rng(7), **HYPER[name])
    assert len(history.loss) == 9
    np.testing.assert_allclose(history.loss, losses, rtol=1e-12)
    for k in params:
        np.testing.assert_allclose(trained.params[k], params[k], rtol=1e-12,
                                   atol=1e-12 * np.abs(params[k]).max())
        assert trained.params[k].shape == model.params[k].shape


@pytest.mark.parametrize("name", NAMES)
def test_fit_with_a_schedule_and_a_test_set_matches_its_checked_route(name):
    model = cnn(p_keep=0.5)
    x, y = data(model, n=9)
    kwargs = dict(epochs=4, lr=dc.step_schedule(0.05, drops_at=(2,), factor=0.5),
                  batch_size=4, x_test=x[:5], y_test=y[:5], **HYPER[name])
    assert_same_outcome(outcome(model, x, y, name, **kwargs),
                        outcome(model, x, y, Checked(name), **kwargs))


# ---- overflow: the same error, at the same iteration ------------------------------------

def _relu_net():
    return MLP({"w1": np.array([[1.0]]), "b1": np.zeros(1), "w2": np.array([[1.0, -1.0]]),
                "b2": np.zeros(2)}, "relu")


def _small_cnn():
    return dc.init_cnn(in_shape=(1, 4, 4), n_filters=2, n_classes=3, p_keep=0.5,
                       rng=np.random.default_rng(1))


PLAIN, ADAPTIVE = ("sgd", "momentum", "nesterov"), ("adagrad", "rmsprop", "adam")
CASES = {
    # x = 1e154 and w1 = 1 pass; the first step makes w1 about -2e154, so that the
    # pre-activation x w1 is -inf, which the ReLU would turn into a finite 0
    "hidden by relu": (_relu_net(), np.array([[1e154]]), np.array([1]), dict(lr=1.0), PLAIN),
    # the weights grow by lr * 1e100 a step until the forward pass overflows
    "growing weights": (dc.init_mlp((2, 4, 2), rng=np.random.default_rng(0)),
                        np.random.default_rng(1).normal(size=(8, 2)) * 1e100,
                        np.arange(8) % 2, dict(lr=1e200), PLAIN + ADAPTIVE),
    # the same in a CNN, on its second mini-batch or later: dropout has drawn masks
    "cnn": (_small_cnn(), np.random.default_rng(2).random((6, 1, 4, 4)) * 1e50,
            np.arange(6) % 3, dict(lr=1e100, batch_size=4), PLAIN),
    "cnn, adaptive": (_small_cnn(), np.random.default_rng(2).random((6, 1, 4, 4)) * 1e50,
                      np.arange(6) % 3, dict(lr=1e200, batch_size=4), ADAPTIVE),
}


@pytest.mark.parametrize("case, name", [(case, name) for case, (*_, names) in CASES.items()
                                        for name in names])
def test_overflow_after_the_first_iteration_raises_the_checked_error(case, name):
    model, x, y, kwargs, _ = CASES[case]
    checked = Checked(name)
    expected = outcome(model, x, y, checked, epochs=30, **kwargs)
    # the checked route fails, after at least one whole iteration (one call per
    # parameter), when fit runs on the unchecked kernels
    assert expected[0][0] is ValueError
    assert checked.calls >= len(model.params)
    assert_same_outcome(outcome(model, x, y, name, epochs=30, **kwargs), expected)


def test_overflow_error_texts():
    model, x, y, kwargs, _ = CASES["hidden by relu"]
    with pytest.raises(ValueError) as info:
        dc.fit(model, x, y, epochs=2, rng=np.random.default_rng(0), **kwargs)
    assert str(info.value) == (
        "the forward pass overflows the float range: x or the model's parameters too large "
        "in magnitude (affine_forward's output overflows the float range: x, w or b too "
        "large in magnitude)")
    dc.fit(model, x, y, epochs=1, rng=np.random.default_rng(0), **kwargs)   # one is fine
    with pytest.raises(ValueError) as info:
        dc.fit(model, x, y, epochs=2, rng=np.random.default_rng(0), optimizer="adam",
               **kwargs)
    assert str(info.value) == (
        "training diverges: the step is not finite (it overflows the float range): lr, w, "
        "grad or state too large in magnitude (lr, x or the model's parameters too large "
        "for optimizer 'adam'?)")


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(NAMES), kind=st.sampled_from(["relu", "sigmoid", "tanh", "cnn"]),
       x_exp=st.integers(-300, 300), lr_exp=st.integers(-300, 300),
       batch=st.integers(1, 7), seed=st.integers(0, 3))
def test_fit_matches_its_checked_route_at_any_magnitude(name, kind, x_exp, lr_exp, batch,
                                                         seed):
    model = cnn(seed=seed) if kind == "cnn" else mlp(kind, seed=seed)
    x, y = data(model, n=7, seed=seed, scale=10.0 ** x_exp)
    kwargs = dict(epochs=3, lr=10.0 ** lr_exp, batch_size=batch)
    assert_same_outcome(outcome(model, x, y, name, **kwargs),
                        outcome(model, x, y, Checked(name), **kwargs))


# ---- the pieces --------------------------------------------------------------------------

def arrays(result):
    """The arrays of a layer function's result (an array, or a tuple holding some)."""
    if isinstance(result, np.ndarray):
        return [result]
    return [a for a in result if isinstance(a, np.ndarray)]


def fails_alike(checked, unchecked, *args, rng_seed=None, **kwargs):
    """Call a checked layer function and its unchecked kernel on the same arguments:
    the first raises a ValueError exactly where the second raises _NotFinite or returns
    an array that is not finite (a parameter's gradient, left to the optimizer's test);
    otherwise their results are equal. Returns the checked result (None on an error)."""
    if rng_seed is not None:
        kwargs["rng"] = np.random.default_rng(rng_seed)
    try:
        want = checked(*args, **kwargs)
    except ValueError:
        want = None
    if rng_seed is not None:
        kwargs["rng"] = np.random.default_rng(rng_seed)
    with np.errstate(all="ignore"):
        try:
            got = unchecked(*args, **kwargs)
        except models._NotFinite:
            got = None
    assert (got is None or not all(np.isfinite(a).all() for a in arrays(got))) == \
        (want is None)
    if want is not None:
        for a, b in zip(arrays(got), arrays(want), strict=True):
            np.testing.assert_array_equal(a, b)
    return want


MAGNITUDE = st.integers(-310, 307)


@settings(max_examples=100, deadline=None)
@given(x_exp=MAGNITUDE, w_exp=MAGNITUDE, d_exp=MAGNITUDE, seed=st.integers(0, 9))
def test_unchecked_layers_fail_exactly_where_the_checked_layers_raise(x_exp, w_exp, d_exp,
                                                                     seed):
    rng = np.random.default_rng(seed)
    checked, unchecked = models._CHECKED, models._UNCHECKED
    # an affine layer
    x, w, b = rng.normal(size=(3, 4)) * 10.0 ** x_exp, rng.normal(size=(4, 5)), np.ones(5)
    w *= 10.0 ** w_exp
    out = fails_alike(checked.affine[0], unchecked.affine[0], x, w, b)
    if out is not None:
        fails_alike(checked.affine[1], unchecked.affine[1],
                    rng.normal(size=(3, 5)) * 10.0 ** d_exp, out[1])
    # a convolution
    x = rng.normal(size=(2, 2, 4, 4)) * 10.0 ** x_exp
    w = rng.normal(size=(3, 2, 3, 3)) * 10.0 ** w_exp
    out = fails_alike(checked.conv[0], unchecked.conv[0], x, w, np.ones(3), stride=1,
                      padding=1)
    if out is not None:
        fails_alike(checked.conv[1], unchecked.conv[1],
                    rng.normal(size=(2, 3, 4, 4)) * 10.0 ** d_exp, out[1])
    # dropout, whose inverted multiplier 1 / p_keep may overflow x
    p_keep = 10.0 ** -min(abs(w_exp), 307)
    out = fails_alike(checked.dropout[0], unchecked.dropout[0], x, p_keep=p_keep,
                      inverted=True, train=True, rng_seed=seed)
    if out is not None:
        fails_alike(checked.dropout[1], unchecked.dropout[1],
                    rng.normal(size=x.shape) * 10.0 ** d_exp, out[1])


@pytest.mark.parametrize("name", NAMES)
def test_flat_parameters_and_states_round_trip(name):
    model = cnn()
    step = training.OPTIMIZERS[name]
    params = dict(model.params)
    rng = np.random.default_rng(0)
    grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    states = {}
    for k in params:
        params[k], states[k] = step(params[k], grads[k], None, lr=0.1)
    layout = training._layout(params)
    assert [entry[0] for entry in layout] == list(params)
    flat = training._flat(params, states, layout, optim._KERNELS[step], {})
    assert flat.w.shape == (sum(v.size for v in params.values()),)
    back_params, back_states = training._unflat(flat, layout)
    for k in params:
        np.testing.assert_array_equal(back_params[k], params[k])
        assert type(back_states[k]) is type(states[k])
        if states[k] is not None:
            for got, want in zip(back_states[k], states[k]):
                np.testing.assert_array_equal(got, want)


def test_kernel_settings_fill_in_the_defaults_as_floats():
    assert training._kernel_settings(optim.adam_step, {"beta1": 0}) == {
        "beta1": 0.0, "beta2": 0.999, "eps": 1e-8}
    assert type(training._kernel_settings(optim.adam_step, {"beta1": 0})["beta1"]) is float
    assert training._kernel_settings(optim.sgd_step, {}) == {}
    assert training._kernel_settings(optim.nesterov_step, {}) == {"rho": 0.9}


def test_a_step_function_fit_does_not_know_runs_checked_every_iteration():
    model = mlp()
    x, y = data(model)
    checked = Checked("sgd")
    dc.fit(model, x, y, epochs=2, lr=0.1, batch_size=5, rng=np.random.default_rng(0),
           optimizer=checked)
    assert checked.calls == 2 * 2 * len(model.params)


# ---- several networks trained as one stack ------------------------------------------------

def stack_of_starts():
    """Networks of one size from several starts and activations, on two moons."""
    starts = [("relu", "zeros", 0.0), ("relu", "he", -1.0), ("sigmoid", "xavier", 0.1),
              ("tanh", "he", 0.0), ("tanh", "xavier", 0.2), ("relu", "he", 0.0)]
    models_ = [dc.init_mlp((2, 6, 4, 2), activation=act, weight_init=init, bias=bias,
                           rng=np.random.default_rng(i)) for i, (act, init, bias) in
               enumerate(starts)]
    x, y = dc.two_moons((40, 20), noise=0.2, rng=np.random.default_rng(5))
    return models_, x, y


def test_networks_trained_together_are_trained_as_fit_trains_each():
    models_, x, y = stack_of_starts()
    together = training._fit_together(models_, x, y, epochs=30, lr=0.7, seed=4)
    assert together is not None and len(together) == len(models_)
    for model, (trained, history) in zip(models_, together):
        alone = dc.fit(model, x, y, epochs=30, lr=0.7, rng=np.random.default_rng(4))
        assert trained.activation == model.activation
        assert_same_outcome(((trained, history), 0.0), (alone, 0.0))
        assert history.epoch_time.shape == (30,) and np.all(history.epoch_time > 0)
        assert history.test_loss is None and history.test_accuracy is None


@pytest.mark.parametrize("lr", [1e300, 1e308])
def test_networks_trained_together_stop_where_fit_raises(lr):
    # lr 1e300: the second forward pass overflows; 1e308: the first step does
    models_, x, y = stack_of_starts()
    assert training._fit_together(models_, x, y, epochs=5, lr=lr, seed=0) is None
    outcomes = [outcome(m, x, y, "sgd", epochs=5, lr=lr)[0] for m in models_]
    assert any(isinstance(o[0], type) for o in outcomes)      # fit raises for one


def init_experiment(runs, lr, iterations=20):
    return dc.run_init_experiment(runs=runs, sizes=(2, 5, 3, 2), dataset="moons",
                                  n_train=(30, 15), n_test=10, noise=0.2,
                                  iterations=iterations, lr=lr, seed=3)


RUNS = {"zeros": {"activation": "relu", "weight_init": "zeros", "bias": 0.0},
        "sigmoid": {"activation": "sigmoid", "weight_init": "zeros"},
        "he": {"weight_init": "he", "bias": -0.5}}


def test_init_experiment_runs_are_those_fit_trains():
    experiment = init_experiment(RUNS, lr=0.5)
    for label, kwargs in RUNS.items():
        initial = dc.init_mlp((2, 5, 3, 2), rng=np.random.default_rng(4), **kwargs)
        alone = dc.fit(initial, experiment.x_train, experiment.y_train, epochs=20, lr=0.5,
                       rng=np.random.default_rng(5))
        run = experiment.runs[label]
        for k in initial.params:
            np.testing.assert_array_equal(run.initial.params[k], initial.params[k])
        assert_same_outcome(((run.final, run.history), 0.0), (alone, 0.0))


@pytest.mark.parametrize("lr", [1e300, 1e308])
def test_a_diverging_init_experiment_raises_the_error_of_fit(lr):
    experiment = init_experiment(RUNS, lr=0.5, iterations=1)
    errors = []          # fit's errors, the runs one by one, in order
    for kwargs in RUNS.values():
        initial = dc.init_mlp((2, 5, 3, 2), rng=np.random.default_rng(4), **kwargs)
        try:
            dc.fit(initial, experiment.x_train, experiment.y_train, epochs=20, lr=lr,
                   rng=np.random.default_rng(5))
        except ValueError as exc:
            errors.append(str(exc))
    assert errors
    with pytest.raises(ValueError) as info:
        init_experiment(RUNS, lr=lr)
    assert str(info.value) == errors[0]
    # a run that cannot be made comes after a run that diverges: fit's error first, as
    # when the runs are trained one by one
    with pytest.raises(ValueError) as info:
        init_experiment({**RUNS, "bad": {"activation": "softplus"}}, lr=lr)
    assert str(info.value) == errors[0]
    with pytest.raises(ValueError, match="runs: sizes: activation must be one of"):
        init_experiment({**RUNS, "bad": {"activation": "softplus"}}, lr=0.5)


def test_a_loss_that_overflows_the_epoch_sum_gives_inf_without_a_warning():
    # logits 5e307 and -5e307, both examples of class 1: a loss of 1e308 each, whose sum
    # over the two examples is beyond float range; the step itself stays finite
    model = MLP({"w1": np.eye(2), "b1": np.zeros(2), "w2": np.array([[1e307, -1e307],
                                                                     [0.0, 0.0]]),
                 "b2": np.zeros(2)}, "relu")
    x, y = np.array([[5.0, 0.0], [5.0, 1.0]]), np.array([1, 1])
    alone = dc.fit(model, x, y, epochs=2, lr=0.1, rng=np.random.default_rng(0))
    assert np.isinf(alone[1].train_loss[0]) and np.all(np.isfinite(alone[1].loss))
    together = training._fit_together([model, model], x, y, epochs=2, lr=0.1, seed=0)
    for trained in together:
        assert_same_outcome((trained, 0.0), (alone, 0.0))
