"""Tests of dlcalc.optim: hand-computed steps, torch.optim, convergence, bad input."""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcalc.optim import (AdaGradState, AdamState, MomentumState, RMSPropState,
                          adagrad_effective_lr, adagrad_step, adam_gradient_weights,
                          adam_step, bias_correction, gradient_point, momentum_step,
                          nesterov_step, nesterov_step_reformulated, rmsprop_step,
                          sgd_step, trajectory)

EPS = 1e-8

# an overflow ends in a clear ValueError, never in a RuntimeWarning first
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
ALL_STEPS = [sgd_step, momentum_step, nesterov_step, nesterov_step_reformulated,
             adagrad_step, rmsprop_step, adam_step]


def square_grad(w):
    """Gradient of L = w^2."""
    return 2 * w


# ---- the first two steps, by hand ----------------------------------------------------------

def test_sgd_two_steps_by_hand():
    w, s = sgd_step([1.0, -2.0], [0.5, 1.0], None, lr=0.1)
    np.testing.assert_allclose(w, [1.0 - 0.05, -2.0 - 0.1])          # [0.95, -2.1]
    assert s is None
    w, s = sgd_step(w, [-1.0, 2.0], s, lr=0.1)
    np.testing.assert_allclose(w, [0.95 + 0.1, -2.1 - 0.2])           # [1.05, -2.3]


def test_momentum_two_steps_by_hand():
    # v1 = 0.9*0 - 0.1*2 = -0.2, w1 = 1 - 0.2 = 0.8
    w, s = momentum_step([1.0], [2.0], None, lr=0.1, rho=0.9)
    np.testing.assert_allclose([w[0], s.velocity[0]], [0.8, -0.2])
    # v2 = 0.9*(-0.2) - 0.1*1 = -0.28, w2 = 0.8 - 0.28 = 0.52
    w, s = momentum_step(w, [1.0], s, lr=0.1, rho=0.9)
    np.testing.assert_allclose([w[0], s.velocity[0]], [0.52, -0.28])


def test_nesterov_two_steps_by_hand_on_square():
    # L = w^2, lr 0.1, rho 0.9, w0 = 1, v0 = 0.
    # step 1: look-ahead 1, g = 2, v1 = -0.2, w1 = 0.8
    # step 2: look-ahead 0.8 + 0.9*(-0.2) = 0.62, g = 1.24, v2 = -0.18 - 0.124 = -0.304,
    #         w2 = 0.8 - 0.304 = 0.496
    w, s = np.array([1.0]), None
    points = []
    for _ in range(2):
        p = gradient_point(nesterov_step, w, s, lr=0.1, rho=0.9)
        points.append(p[0])
        w, s = nesterov_step(w, square_grad(p), s, lr=0.1, rho=0.9)
    np.testing.assert_allclose(points, [1.0, 0.62])
    np.testing.assert_allclose([w[0], s.velocity[0]], [0.496, -0.304])
    ws = trajectory(nesterov_step, square_grad, 1.0, 2, lr=0.1, rho=0.9)
    np.testing.assert_allclose(ws.ravel(), [1.0, 0.8, 0.496])


def test_nesterov_reformulated_two_steps_by_hand():
    # phi0 = 1, g = 2, v1 = -0.2, phi1 = 1 - 0.9*0 + 1.9*(-0.2) = 0.62
    # g = 1.24, v2 = -0.304, phi2 = 0.62 + 0.9*0.2 + 1.9*(-0.304) = 0.2224
    # (= w2 + rho v2 = 0.496 - 0.2736 of the look-ahead form above)
    ws = trajectory(nesterov_step_reformulated, square_grad, 1.0, 2, lr=0.1, rho=0.9)
    np.testing.assert_allclose(ws.ravel(), [1.0, 0.62, 0.2224])


def test_adagrad_two_steps_by_hand():
    # G1 = 9, w1 = 0 - 1*3/(3 + eps); G2 = 9 + 16 = 25, w2 = w1 - 1*4/(5 + eps)
    w, s = adagrad_step([0.0], [3.0], None, lr=1.0)
    np.testing.assert_allclose(w, [-3 / (3 + EPS)], rtol=1e-15)
    w, s = adagrad_step(w, [4.0], s, lr=1.0)
    np.testing.assert_allclose(w, [-3 / (3 + EPS) - 4 / (5 + EPS)], rtol=1e-15)
    assert s.sum_sq.tolist() == [25.0]


def test_rmsprop_two_steps_by_hand():
    # E1 = 0.1*1 = 0.1, w1 = 1 - 0.01*1/(sqrt(0.1) + eps)
    # E2 = 0.9*0.1 + 0.1*4 = 0.49, w2 = w1 - 0.01*2/(0.7 + eps)
    w, s = rmsprop_step([1.0], [1.0], None, lr=0.01, decay_rate=0.9)
    w1 = 1 - 0.01 / (math.sqrt(0.1) + EPS)
    np.testing.assert_allclose(w, [w1], rtol=1e-14)
    w, s = rmsprop_step(w, [2.0], s, lr=0.01, decay_rate=0.9)
    np.testing.assert_allclose(s.mean_sq, [0.49], rtol=1e-14)
    np.testing.assert_allclose(w, [w1 - 0.02 / (0.7 + EPS)], rtol=1e-14)


def test_adam_two_steps_by_hand():
    # beta1 = 0.5, beta2 = 0.75, lr 0.1, g1 = 2, g2 = 4
    # t=1: m = 0.5*2 = 1, v = 0.25*4 = 1, m_hat = 1/0.5 = 2, v_hat = 1/0.25 = 4,
    #      w1 = 0 - 0.1*2/(2 + eps)  (about -0.1: Adam's first step is lr * sign(g))
    # t=2: m = 0.5 + 0.5*4 = 2.5, v = 0.75 + 0.25*16 = 4.75,
    #      m_hat = 2.5/0.75 = 10/3, v_hat = 4.75/0.4375 = 76/7
    hyper = dict(lr=0.1, beta1=0.5, beta2=0.75)
    w, s = adam_step([0.0], [2.0], None, **hyper)
    w1 = -0.1 * 2 / (2 + EPS)
    np.testing.assert_allclose(w, [w1], rtol=1e-14)
    assert (s.m.tolist(), s.v.tolist(), s.t) == ([1.0], [1.0], 1)
    w, s = adam_step(w, [4.0], s, **hyper)
    np.testing.assert_allclose([s.m[0], s.v[0]], [2.5, 4.75], rtol=1e-15)
    assert s.t == 2
    np.testing.assert_allclose(w, [w1 - 0.1 * (10 / 3) / (math.sqrt(76 / 7) + EPS)],
                               rtol=1e-14)


# ---- Nesterov: look-ahead form against the reformulation --------------------------------

@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), rho=st.floats(0.0, 0.99), lr=st.floats(1e-3, 0.2))
def test_reformulation_gives_the_lookahead_sequence(seed, rho, lr):
    # On any quadratic, the reformulated iterates phi_t equal w_t + rho v_t of the
    # look-ahead form, where v_t = w_t - w_{t-1} (v_0 = 0).
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(3, 3))
    a = m @ m.T / 3 + 0.1 * np.eye(3)
    c = rng.normal(size=3)

    def grad(w):
        return a @ (w - c)

    w0 = rng.normal(size=3)
    ws = trajectory(nesterov_step, grad, w0, 25, lr=lr, rho=rho)
    v = np.vstack([np.zeros(3), np.diff(ws, axis=0)])
    phis = trajectory(nesterov_step_reformulated, grad, w0, 25, lr=lr, rho=rho)
    np.testing.assert_allclose(phis, ws + rho * v, rtol=1e-9, atol=1e-12)


def test_gradient_point_is_w_except_for_nesterov():
    s = MomentumState(np.array([2.0, -2.0]))
    for step in (momentum_step, nesterov_step_reformulated):
        assert gradient_point(step, [1.0, 1.0], s, lr=0.1, rho=0.5).tolist() == [1.0, 1.0]
    assert gradient_point(nesterov_step, [1.0, 1.0], s, lr=0.1, rho=0.5).tolist() == [2.0, 0.0]
    assert gradient_point(nesterov_step, [1.0, 1.0], None, lr=0.1, rho=0.5).tolist() == [1.0, 1.0]


# ---- momentum and Nesterov on L = x^2 (Assignment 2, Q14) -----------------------------

def settling_step(ws, tol):
    """First t after which |x| stays below tol."""
    above = np.nonzero(np.abs(ws).max(axis=1) >= tol)[0]
    return int(above[-1]) + 1


def test_q14_recurrences():
    # Eliminating v: momentum gives x_{t+1} = (1 + rho - 2 lr) x_t - rho x_{t-1}
    #   = 1.7 x_t - 0.9 x_{t-1};
    # Nesterov gives v_{t+1} = rho (1 - 2 lr) v_t - 2 lr x_t, hence
    #   x_{t+1} = (1 + rho (1 - 2 lr) - 2 lr) x_t - rho (1 - 2 lr) x_{t-1}
    #   = 1.52 x_t - 0.72 x_{t-1}.  Both start -10, -10 + (-0.1 * -20) = -8.
    n = 60
    mom = trajectory(momentum_step, square_grad, -10.0, n, lr=0.1, rho=0.9).ravel()
    nag = trajectory(nesterov_step, square_grad, -10.0, n, lr=0.1, rho=0.9).ravel()
    for xs, (p, q) in ((mom, (1.7, 0.9)), (nag, (1.52, 0.72))):
        ref = [-10.0, -8.0]
        for _ in range(n - 1):
            ref.append(p * ref[-1] - q * ref[-2])
        np.testing.assert_allclose(xs, ref, rtol=1e-9, atol=1e-12)


def test_q14_nesterov_settles_sooner_than_momentum():
    tol = 1e-3
    mom = trajectory(momentum_step, square_grad, -10.0, 400, lr=0.1, rho=0.9)
    nag = trajectory(nesterov_step, square_grad, -10.0, 400, lr=0.1, rho=0.9)
    t_mom, t_nag = settling_step(mom, tol), settling_step(nag, tol)
    assert t_nag < t_mom
    # The roots of the recurrences above are complex with moduli sqrt(0.9) and
    # sqrt(0.72); |x| shrinks from 10 to 1e-3 in about ln(1e-4) / ln|r| steps:
    # 175 for momentum, 56 for Nesterov.
    for t, modulus in ((t_mom, math.sqrt(0.9)), (t_nag, math.sqrt(0.72))):
        assert abs(t - math.log(1e-4) / math.log(modulus)) < 0.15 * t


# ---- every optimizer converges on a convex quadratic ------------------------------------

@pytest.mark.parametrize("step, hyper", [
    (sgd_step, dict(lr=0.1)),
    (momentum_step, dict(lr=0.05, rho=0.9)),
    (nesterov_step, dict(lr=0.05, rho=0.9)),
    (nesterov_step_reformulated, dict(lr=0.05, rho=0.9)),
    (adagrad_step, dict(lr=1.0)),
    (rmsprop_step, dict(lr=0.01)),
    (adam_step, dict(lr=0.01)),
])
def test_converges_on_convex_quadratic(step, hyper):
    a = np.array([[2.0, 0.5], [0.5, 10.0]])        # positive definite, condition ~5
    c = np.array([1.0, -1.0])                      # the minimum
    ws = trajectory(step, lambda w: a @ (w - c), [4.0, 2.0], 3000, **hyper)
    assert np.linalg.norm(ws[-1] - c) < 1e-8


# ---- trajectory -----------------------------------------------------------------------------

def test_trajectory_shape_and_start():
    ws = trajectory(adam_step, lambda w: w, [1.0, 2.0, 3.0], 5, lr=0.1)
    assert ws.shape == (6, 3)
    assert ws[0].tolist() == [1.0, 2.0, 3.0]
    assert trajectory(sgd_step, lambda w: w, 1.0, 0, lr=0.1).shape == (1, 1)


def test_trajectory_reports_a_bad_grad_fn_and_divergence():
    with pytest.raises(ValueError, match="grad_fn"):
        trajectory(sgd_step, lambda w: np.zeros(3), [1.0, 2.0], 2, lr=0.1)
    with pytest.raises(ValueError, match="not finite"):
        trajectory(sgd_step, lambda w: 1e300 * w, [1.0], 5, lr=1e10)
    with pytest.raises(ValueError, match="w0"):
        trajectory(sgd_step, lambda w: w, [[1.0]], 2, lr=0.1)
    with pytest.raises(TypeError, match="n_steps"):
        trajectory(sgd_step, lambda w: w, [1.0], 2.0, lr=0.1)


@pytest.mark.parametrize("step", ALL_STEPS)
def test_steps_do_not_modify_their_arguments(step):
    w, g = np.array([1.0, -1.0]), np.array([0.5, 2.0])
    _, state = step(w, g, None, lr=0.1)
    state_copy = None if state is None else tuple(np.copy(x) for x in state)
    step(w, g, state, lr=0.1)
    assert w.tolist() == [1.0, -1.0] and g.tolist() == [0.5, 2.0]
    if state is not None:
        for before, after in zip(state_copy, state):
            np.testing.assert_array_equal(before, after)


# ---- helpers for Q4 and Q15 ---------------------------------------------------------------

def test_adagrad_effective_lr_by_hand_and_against_steps():
    # constant gradient 2, lr 1: rates 1 / (2 sqrt(t))
    rates = adagrad_effective_lr([2.0] * 4, lr=1.0, eps=1e-12)
    np.testing.assert_allclose(rates, [1 / (2 * math.sqrt(t)) for t in (1, 2, 3, 4)])
    # against adagrad_step: the factor multiplying g_t is (w_t - w_{t+1}) / g_t
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(6, 2))
    rates = adagrad_effective_lr(grads, lr=0.3)
    w, s = np.zeros(2), None
    for g, r in zip(grads, rates):
        w_next, s = adagrad_step(w, g, s, lr=0.3)
        np.testing.assert_allclose((w - w_next) / g, r, rtol=1e-12)
        w = w_next
    assert np.all(np.diff(rates, axis=0) <= 0)


def test_bias_correction_by_hand():
    assert bias_correction(1, beta=0.9) == pytest.approx(0.1)
    assert bias_correction(2, beta=0.9) == pytest.approx(1 - 0.81)
    np.testing.assert_allclose(bias_correction(np.array([0, 1, 2, 3]), beta=0.5),
                               [0, 0.5, 0.75, 0.875])


def test_adam_gradient_weights_by_hand():
    # (1 - 0.5) 0.5^k for k = 0, 1, 2; bias correction 1 - 0.125 = 0.875
    np.testing.assert_allclose(adam_gradient_weights(3, beta=0.5, corrected=False),
                               [0.5, 0.25, 0.125])
    np.testing.assert_allclose(adam_gradient_weights(3, beta=0.5),
                               [0.5 / 0.875, 0.25 / 0.875, 0.125 / 0.875])


def test_adam_gradient_weights_match_the_moving_average():
    # Feed Adam a gradient of 1 only k steps before the last and read m_t and
    # m_hat_t: that is exactly the weight of g_{t-k}.
    t, beta1 = 7, 0.8
    raw = adam_gradient_weights(t, beta=beta1, corrected=False)
    hat = adam_gradient_weights(t, beta=beta1)
    for k in range(t):
        w, s = np.zeros(1), None
        for i in range(1, t + 1):
            w, s = adam_step(w, [1.0 if i == t - k else 0.0], s, lr=0.1, beta1=beta1)
        assert s.m[0] == pytest.approx(raw[k])
        assert s.m[0] / (1 - beta1**t) == pytest.approx(hat[k])


@given(t=st.integers(1, 500), beta=st.floats(0.0, 0.999))
def test_adam_gradient_weights_sum(t, beta):
    assert adam_gradient_weights(t, beta=beta).sum() == pytest.approx(1.0)
    assert adam_gradient_weights(t, beta=beta, corrected=False).sum() == \
        pytest.approx(bias_correction(t, beta=beta))


# ---- against torch.optim ------------------------------------------------------------------

def _torch_path(torch, make_opt, grad_fn, w0, n):
    p = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = make_opt([p])
    out = [p.detach().numpy().copy()]
    for _ in range(n):
        opt.zero_grad()
        p.grad = torch.tensor(grad_fn(p.detach().numpy()), dtype=torch.float64)
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def test_against_torch_optim():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    m = rng.normal(size=(3, 3))
    a, c = m @ m.T / 3 + 0.2 * np.eye(3), rng.normal(size=3)

    def grad(w):
        return a @ (w - c)

    w0, n, lr = rng.normal(size=3), 30, 0.05
    o = torch.optim
    cases = [
        (sgd_step, {}, lambda p: o.SGD(p, lr=lr)),
        # torch: b = mu b + g, w -= lr b. Ours: v = rho v - lr g, w += v. With constant
        # lr, v_t = -lr b_t by induction (v_1 = -lr g_1 = -lr b_1;
        # v_{t+1} = rho v_t - lr g = -lr (rho b_t + g) = -lr b_{t+1}): same iterates.
        (momentum_step, dict(rho=0.9), lambda p: o.SGD(p, lr=lr, momentum=0.9)),
        # torch's Nesterov, w -= lr (g + mu b_{t+1}), is the reformulated form (in the
        # look-ahead variable) with v = -lr b: g + mu b_{t+1} = b_{t+1} + mu (b_{t+1} - b_t).
        (nesterov_step_reformulated, dict(rho=0.9),
         lambda p: o.SGD(p, lr=lr, momentum=0.9, nesterov=True)),
        (adagrad_step, dict(eps=1e-10), lambda p: o.Adagrad(p, lr=lr, eps=1e-10)),
        (rmsprop_step, dict(decay_rate=0.95, eps=1e-8),
         lambda p: o.RMSprop(p, lr=lr, alpha=0.95, eps=1e-8)),
        (adam_step, dict(beta1=0.8, beta2=0.99, eps=1e-8),
         lambda p: o.Adam(p, lr=lr, betas=(0.8, 0.99), eps=1e-8)),
    ]
    for step, hyper, make_opt in cases:
        ours = trajectory(step, grad, w0, n, lr=lr, **hyper)
        theirs = _torch_path(torch, make_opt, grad, w0, n)
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12,
                                   err_msg=step.__name__)
    # torch's Nesterov iterates are our look-ahead points w_t + rho v_t
    ws = trajectory(nesterov_step, grad, w0, n, lr=lr, rho=0.9)
    lookahead = ws + 0.9 * np.vstack([np.zeros(3), np.diff(ws, axis=0)])
    theirs = _torch_path(torch, lambda p: o.SGD(p, lr=lr, momentum=0.9, nesterov=True),
                         grad, w0, n)
    np.testing.assert_allclose(lookahead, theirs, rtol=1e-10, atol=1e-12)


# ---- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("step", ALL_STEPS)
def test_rejects_mismatched_shapes_and_non_finite(step):
    with pytest.raises(ValueError, match="grad"):
        step([1.0, 2.0], [1.0, 2.0, 3.0], None, lr=0.1)
    with pytest.raises(ValueError, match="w must contain only finite"):
        step([np.nan, 2.0], [1.0, 2.0], None, lr=0.1)
    with pytest.raises(ValueError, match="grad must contain only finite"):
        step([1.0, 2.0], [np.inf, 2.0], None, lr=0.1)


@pytest.mark.parametrize("step", ALL_STEPS)
@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan")])
def test_rejects_bad_lr(step, lr):
    with pytest.raises(ValueError, match=rf"^lr must .*, got {re.escape(repr(lr))}$"):
        step([1.0], [1.0], None, lr=lr)


@pytest.mark.parametrize("step, name", [
    (momentum_step, "rho"), (nesterov_step, "rho"), (nesterov_step_reformulated, "rho"),
    (rmsprop_step, "decay_rate"), (adam_step, "beta1"), (adam_step, "beta2"),
])
@pytest.mark.parametrize("value", [1.0, -0.1, 1.5, float("inf")])
def test_rejects_decay_outside_unit_interval(step, name, value):
    with pytest.raises(ValueError, match=rf"^{name} must .*, got {value!r}$"):
        step([1.0], [1.0], None, lr=0.1, **{name: value})


@pytest.mark.parametrize("step", [adagrad_step, rmsprop_step, adam_step])
def test_rejects_bad_eps(step):
    with pytest.raises(ValueError, match=r"^eps must be in \(0\.0, inf\), got 0\.0$"):
        step([1.0], [1.0], None, lr=0.1, eps=0.0)


def test_rejects_wrong_state():
    with pytest.raises(TypeError, match="state"):
        momentum_step([1.0], [1.0], AdamState(np.zeros(1), np.zeros(1), 1), lr=0.1)
    with pytest.raises(TypeError, match="state"):
        sgd_step([1.0], [1.0], MomentumState(np.zeros(1)), lr=0.1)
    with pytest.raises(ValueError, match="state.sum_sq"):
        adagrad_step([1.0], [1.0], AdaGradState(np.zeros(2)), lr=0.1)
    with pytest.raises(ValueError, match="state.mean_sq"):
        rmsprop_step([1.0], [1.0], RMSPropState(np.zeros(3)), lr=0.1)
    with pytest.raises(ValueError, match="state.t"):
        adam_step([1.0], [1.0], AdamState(np.zeros(1), np.zeros(1), -1), lr=0.1)


def test_helpers_reject_bad_input():
    with pytest.raises(ValueError, match="beta"):
        bias_correction(3, beta=1.0)
    with pytest.raises(ValueError, match="beta"):
        adam_gradient_weights(3, beta=-0.5)
    with pytest.raises(ValueError, match="t must be a positive int"):
        adam_gradient_weights(0, beta=0.9)
    with pytest.raises(ValueError, match="t must be non-negative"):
        bias_correction([1, -2], beta=0.9)
    with pytest.raises(TypeError, match="t must"):
        bias_correction(1.5, beta=0.9)
    with pytest.raises(ValueError, match="lr"):
        adagrad_effective_lr([1.0, 2.0], lr=-1.0)
    with pytest.raises(ValueError, match="grads"):
        adagrad_effective_lr(np.ones((2, 2, 2)), lr=1.0)


# ---- each check's exact message; overflow; dtypes -------------------------------------------

NOT_FINITE = ("the step is not finite (it overflows the float range): lr, w, grad or state too "
              "large in magnitude")


def _message(exc, call):
    with pytest.raises(exc) as info:
        call()
    return str(info.value)


def test_state_checks_name_the_state_and_its_field():
    assert _message(TypeError, lambda: momentum_step([1.0], [1.0], (1,), lr=0.1)) == \
        "state must be None or a MomentumState, got tuple (1,)"
    long = _message(TypeError, lambda: adagrad_step([1.0], [1.0], [0.0] * 200, lr=0.1))
    assert long.startswith("state must be None or a AdaGradState, got list [0.0, ")
    assert len(long) == 300                                  # a long state is cut short
    assert _message(TypeError, lambda: adam_step(
        [1.0], [1.0], AdamState("m", np.zeros(1), 0), lr=0.1)) == \
        "state.m must be an array of real numbers, got 'm'"
    for step, state, field in ((adagrad_step, AdaGradState, "sum_sq"),
                               (rmsprop_step, RMSPropState, "mean_sq")):
        assert _message(ValueError, lambda s=step, c=state: s([1.0], [1.0], c(np.array([-1.0])),
                                                              lr=0.1)) == \
            (f"state.{field} must be non-negative (a running sum or mean of squared "
             "gradients), got array([-1.])")


def test_adam_step_count_is_at_most_2_to_the_53():
    # 2^53 steps taken is the limit: beyond it t + 1 is no longer exact in float64
    w, s = adam_step([1.0], [1.0], AdamState(np.zeros(1), np.zeros(1), 2**53), lr=0.1)
    assert s.t == 2**53 + 1
    assert _message(ValueError, lambda: adam_step(
        [1.0], [1.0], AdamState(np.zeros(1), np.zeros(1), 2**53 + 1), lr=0.1)) == \
        f"state.t must be at most {2**53}, got {2**53 + 1}"


@pytest.mark.parametrize("step", ALL_STEPS)
def test_the_first_step_returns_float64_arrays(step):
    w, state = step([1.0, 2.0], [0.5, -1.0], None, lr=0.1)
    assert w.dtype == np.float64
    for value in ([] if state is None else [getattr(state, f) for f in state._fields]):
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float64


@pytest.mark.parametrize("call", [
    # w - lr g = 1e308 + 1e308
    lambda: sgd_step([1e308], [-1e308], None, lr=1.0),
    # v = -lr g = 1e308, w + v = 2e308
    lambda: momentum_step([1e308], [-1e308], None, lr=1.0),
    lambda: nesterov_step([1e308], [-1e308], None, lr=1.0),
    # w - rho v = 1e308 + 0.99e308 is beyond the range, and so is (1 + rho) v_next < 0
    lambda: nesterov_step_reformulated([1e308], [1e308], MomentumState(np.array([-1e308])),
                                       lr=1.0, rho=0.99),
    # g^2 = 1e400 and lr g = 1e400 overflow: (lr g) / sqrt(g^2) is inf / inf
    lambda: adagrad_step([0.0], [1e200], None, lr=1e200),
    lambda: rmsprop_step([0.0], [1e200], None, lr=1e200),
    lambda: adam_step([0.0], [1e200], None, lr=1e200),
    # w stays 0 (lr g / sqrt(G) = 0.1 * 1e200 / inf), but the state G = 1e400 overflows
    lambda: adagrad_step([0.0], [1e200], None, lr=0.1),
])
def test_overflowing_steps_raise_one_clear_error(call):
    assert _message(ValueError, call) == NOT_FINITE


def test_nesterov_look_ahead_checks_and_defaults():
    state = MomentumState(np.array([1.0]))
    # the default rho is 0.9: look ahead to w + 0.9 v = 1.9
    np.testing.assert_allclose(gradient_point(nesterov_step, [1.0], state, lr=0.1), [1.9])
    assert _message(TypeError, lambda: gradient_point(nesterov_step, "w", state, lr=0.1)) == \
        "w must be an array of real numbers, got 'w'"
    assert _message(ValueError, lambda: gradient_point(nesterov_step, [1.0], state, lr=0.1,
                                                       rho=1.5)) == \
        "rho must be in [0.0, 1.0), got 1.5"
    # 1e308 + 0.99 * 1e308 overflows
    assert _message(ValueError, lambda: gradient_point(
        nesterov_step, [1e308], MomentumState(np.array([1e308])), lr=0.1, rho=0.99)) == \
        "the step is not finite (it overflows the float range): lr, w, grad or state too " \
        "large in magnitude"
    assert _message(TypeError, lambda: gradient_point(sgd_step, "w", None, lr=0.1)) == \
        "w must be an array of real numbers, got 'w'"
    assert _message(TypeError, lambda: gradient_point(3, [1.0], None)).startswith(
        "step must be ")


def test_trajectory_checks_name_each_argument():
    assert _message(TypeError, lambda: trajectory(3, square_grad, [1.0], 2, lr=0.1)) \
        .startswith("step must be ")
    assert _message(TypeError, lambda: trajectory(sgd_step, 3, [1.0], 2, lr=0.1)) \
        .startswith("grad_fn must be ")
    assert _message(ValueError, lambda: trajectory(sgd_step, square_grad, [1.0], -1, lr=0.1)) \
        == "n_steps must be a non-negative int, got -1"
    assert _message(TypeError, lambda: trajectory(sgd_step, square_grad, "w", 2, lr=0.1)) \
        == "w0 must be an array of real numbers, got 'w'"
    # 10^8 steps of 2 coordinates: (10^8 + 1) * 2 entries
    assert _message(ValueError, lambda: trajectory(sgd_step, square_grad, [1.0, 1.0], 10**8,
                                                   lr=0.1)) == \
        "n_steps asks for an array of shape (100000001, 2): 200000002 entries, more than " \
        "100000000"


def test_trajectory_reports_what_went_wrong_and_when():
    def failing(w):
        raise ValueError("no gradient here")

    assert _message(ValueError, lambda: trajectory(sgd_step, failing, [1.0], 2, lr=0.1)) == \
        "grad_fn fails at step 1: no gradient here"
    # the gradient's own overflow (1e10 * 1e300) and NaN (sqrt(-1)) are reported, not warned
    info_cases = [(lambda w: w * 1e300, [1e10], "array([inf])"),
                  (lambda w: np.sqrt(w - 2.0), [1.0], "array([nan])")]
    for grad_fn, w0, shown in info_cases:
        with pytest.raises(ValueError) as info:
            trajectory(sgd_step, grad_fn, w0, 2, lr=0.1)
        assert str(info.value) == ("grad_fn must return finite real values of shape (1,), "
                                   f"got {shown} at step 1 (starting from w0)")
        assert str(info.value.__cause__).startswith("grad_fn(w) must contain only finite")
    # a gradient of the wrong shape, at step 2 (step 1 gives the right one)
    calls = []

    def grows(w):
        calls.append(1)
        return [1.0] * len(calls)

    assert _message(ValueError, lambda: trajectory(sgd_step, grows, [1.0], 3, lr=0.1)) == \
        "grad_fn must return finite real values of shape (1,), got [1.0, 1.0] at step 2 " \
        "(starting from w0)"
    long = _message(ValueError, lambda: trajectory(sgd_step, lambda w: [1.0] * 500, [1.0], 1,
                                                   lr=0.1))
    assert len(long) == 400                                 # a long value is cut short


def test_trajectory_rejects_a_step_that_returns_no_array_of_the_right_shape():
    def as_list(w, grad, state, lr):
        return (w - lr * grad).tolist(), state

    def doubled(w, grad, state, lr):
        return np.concatenate([w, w]), state

    def endless(w, grad, state, lr):
        return np.array([np.inf]), state

    for step, shown in ((as_list, "[0.8]"), (doubled, "array([1., 1.])"),
                        (endless, "array([inf])")):
        assert _message(ValueError, lambda s=step: trajectory(s, square_grad, [1.0], 2, lr=0.1)) \
            == ("the iterate is not finite at step 1: lr, w0 or grad_fn too large (or step "
                f"returned no array of the shape of w0): {shown}")
    long = _message(ValueError, lambda: trajectory(lambda w, g, s, lr: (np.zeros(500), s),
                                                   square_grad, [1.0], 1, lr=0.1))
    assert len(long) == 400


def test_helpers_exact_messages():
    assert _message(ValueError, lambda: adagrad_effective_lr(np.ones((2, 2, 2)), lr=1.0)) == \
        "grads must have ndim 1 or 2, got ndim 3 (shape (2, 2, 2))"
    # lr / (sqrt(0) + eps) = 1e300 / 1e-300 is beyond the float range
    assert _message(ValueError, lambda: adagrad_effective_lr([0.0], lr=1e300, eps=1e-300)) == \
        ("the effective learning rate overflows the float range: lr too large for grads and "
         "eps this small (or grads too large)")
    for func in (bias_correction, adam_gradient_weights):
        assert _message(ValueError, lambda f=func: f(2, beta=1.0)) == \
            "beta must be in [0.0, 1.0), got 1.0"
    assert _message(TypeError, lambda: adam_gradient_weights(2, beta=0.5, corrected=1)) == \
        "corrected must be a bool, got 1"
    assert _message(TypeError, lambda: bias_correction([1.5, 2.0], beta=0.5)) == \
        "t must be an array of ints, got [1.5, 2.0] (dtype float64)"
    assert _message(TypeError, lambda: bias_correction([[1], [2, 3]], beta=0.5)) == \
        "t must be an array of ints, got [[1], [2, 3]]"
    assert _message(ValueError, lambda: bias_correction([[1, -2]], beta=0.5)) == \
        "t must be non-negative ints, got [[1, -2]]"
    # any shape of t: 1 - 0.5^t entry by entry
    np.testing.assert_allclose(bias_correction([[0, 1], [2, 3]], beta=0.5),
                               [[0.0, 0.5], [0.75, 0.875]])


# ---- the kernels the training loop runs ---------------------------------------------------

@pytest.mark.parametrize("step", ALL_STEPS)
def test_each_step_function_has_its_arithmetic_in_a_kernel(step):
    # optim._KERNELS holds the arithmetic of every step function, which dlcalc's
    # training loop runs without the checks: two steps of the kernel (the state's fields
    # passed on) give the public function's iterates, and the look-ahead kernel its
    # gradient point
    from dlcalc import optim
    kernel, point = optim._KERNELS[step]
    hyper = {"sgd_step": {}, "adagrad_step": {"eps": 1e-3},
             "rmsprop_step": {"decay_rate": 0.5, "eps": 1e-3},
             "adam_step": {"beta1": 0.5, "beta2": 0.75, "eps": 1e-3}}.get(step.__name__,
                                                                          {"rho": 0.5})
    w, g1, g2 = np.array([1.0, -2.0]), np.array([0.5, 3.0]), np.array([-1.0, 0.25])
    w1, s1 = step(w, g1, None, lr=0.1, **hyper)
    w2, s2 = step(w1, g2, s1, lr=0.1, **hyper)
    first = {"adagrad_step": (np.zeros(2),), "adam_step": (0.0, 0.0, 0)}.get(
        step.__name__, () if step is sgd_step else (0.0,))
    k1, t1 = kernel(w, g1, *first, lr=0.1, **hyper)
    k2, t2 = kernel(k1, g2, *(() if t1 is None else t1), lr=0.1, **hyper)
    np.testing.assert_allclose(k1, w1, rtol=1e-15)
    np.testing.assert_allclose(k2, w2, rtol=1e-15)
    assert type(t2) is type(s2)
    for got, want in zip(() if t2 is None else t2, () if s2 is None else s2):
        np.testing.assert_allclose(got, want, rtol=1e-15)
    if point is None:
        assert not hasattr(step, "gradient_at")
    else:
        np.testing.assert_allclose(point(w2, *t2, **hyper),
                                   gradient_point(step, w2, s2, lr=0.1, **hyper),
                                   rtol=1e-15)
