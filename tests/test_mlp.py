"""Tests of dlcalc.mlp: exam Q2 by hand, finite differences, labellings, bad input."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcalc.mlp import (Network, backward_trace, forward_trace, loss_value, named_scalars,
                        sgd_update)

# Exam Q2 (CS60010 mid-semester 2022-23): 2-2-1, ReLU hidden, linear output,
# L = 1/2 (y - o)^2, x = (1, 1), y = 0.5, eta = 0.5.
Q2_VALUES = dict(w1=0.1, w2=0.2, w3=-0.2, w4=-0.1, w5=0.5, w6=0.3, b1=0.0, b2=0.0, b3=0.0)
# The labelling that reproduces the source's z1 = 0.3, z2 = -0.3: w1 (x1 -> h1),
# w2 (x2 -> h1), w3 (x1 -> h2), w4 (x2 -> h2), w5 (h1 -> o), w6 (h2 -> o).
Q2_MAPPING = {"w1": ("W1", 0, 0), "w2": ("W1", 0, 1), "w3": ("W1", 1, 0),
              "w4": ("W1", 1, 1), "w5": ("W2", 0, 0), "w6": ("W2", 0, 1),
              "b1": ("b1", 0), "b2": ("b1", 1), "b3": ("b2", 0)}


def q2_network(mapping=Q2_MAPPING, values=Q2_VALUES):
    return Network.from_scalars((2, 2, 1), values, mapping, activations=["relu", "linear"])


def test_exam_q2_one_sgd_step_by_hand():
    net = q2_network()
    fwd = forward_trace(net, [1.0, 1.0])
    # z1 = .1*1 + .2*1 = .3, a1 = .3; z2 = -.2*1 - .1*1 = -.3, a2 = relu(-.3) = 0
    np.testing.assert_allclose(fwd.z[0], [0.3, -0.3])
    np.testing.assert_allclose(fwd.a[0], [0.3, 0.0])
    # o = w5 a1 + w6 a2 + b3 = .5*.3 + .3*0 = .15
    np.testing.assert_allclose(fwd.output, [0.15])

    back = backward_trace(net, fwd, 0.5)
    assert back.loss == pytest.approx(0.5 * (0.5 - 0.15) ** 2)     # 0.06125
    # dL/do = -(y - o) = -.35 (linear output: dL/dz = dL/da)
    np.testing.assert_allclose(back.dL_da[1], [-0.35])
    np.testing.assert_allclose(back.dL_dz[1], [-0.35])
    # dL/da1 = -.35 w5 = -.175, dL/da2 = -.35 w6 = -.105
    np.testing.assert_allclose(back.dL_da[0], [-0.175, -0.105])
    # dL/dz1 = -.175 * relu'(.3) = -.175, dL/dz2 = -.105 * relu'(-.3) = 0
    np.testing.assert_allclose(back.dL_dz[0], [-0.175, 0.0])
    grads = named_scalars(back.grads, Q2_MAPPING)
    expected_grads = dict(
        w1=-0.175 * 1, w2=-0.175 * 1,   # dL/dz1 * x1, dL/dz1 * x2
        w3=0.0, w4=0.0,                 # dL/dz2 * x = 0
        w5=-0.35 * 0.3, w6=-0.35 * 0.0,  # dL/do * a1, dL/do * a2
        b1=-0.175, b2=0.0, b3=-0.35)
    assert grads.keys() == expected_grads.keys()
    for name, value in expected_grads.items():
        assert grads[name] == pytest.approx(value, abs=1e-15), name

    new = sgd_update(net, back.grads, lr=0.5).scalars(Q2_MAPPING)
    expected_new = dict(
        w1=0.1 + 0.5 * 0.175,            # .1875
        w2=0.2 + 0.5 * 0.175,            # .2875
        w3=-0.2, w4=-0.1,
        w5=0.5 + 0.5 * 0.105,            # .5525
        w6=0.3,
        b1=0.0 + 0.5 * 0.175,            # .0875
        b2=0.0,
        b3=0.0 + 0.5 * 0.35)             # .175
    for name, value in expected_new.items():
        assert new[name] == pytest.approx(value, abs=1e-15), name


def _first_layer_mappings():
    """Every way to place w1..w4 on the four entries of W1 (w5, w6, biases fixed)."""
    entries = [("W1", 0, 0), ("W1", 0, 1), ("W1", 1, 0), ("W1", 1, 1)]
    for perm in itertools.permutations(entries):
        yield dict(Q2_MAPPING, **dict(zip(["w1", "w2", "w3", "w4"], perm)))


def test_exam_q2_labellings_that_give_the_source_z():
    # z1 = .3 needs the two weights into h1 to sum to .3: only {w1, w2} = {.1, .2}
    # (the other sums are -.3, -.1, .1, 0, 0). With x1 = x2 = 1 the order within a
    # unit does not matter: 2 * 2 = 4 of the 24 placements.
    good = []
    for mapping in _first_layer_mappings():
        z = forward_trace(q2_network(mapping), [1.0, 1.0]).z[0]
        if np.allclose(z, [0.3, -0.3]):
            good.append(mapping)
    assert len(good) == 4
    for mapping in good:
        assert {mapping["w1"][1], mapping["w2"][1]} == {0}       # both into h1
        assert {mapping["w3"][1], mapping["w4"][1]} == {1}       # both into h2


def test_exam_q2_source_backward_needs_swapped_w2_w3():
    # The source's backward pass takes w1, w3 into h1 (dL/dw3 = -.175, dL/dw2 = 0) and
    # updates w2 = -.2 + 0, w3 = .2 + .0875: that is the labelling w1 (x1->h1),
    # w2 (x1->h2), w3 (x2->h1), w4 (x2->h2) with the values of w2 and w3 exchanged.
    swapped = dict(Q2_VALUES, w2=-0.2, w3=0.2)
    column_mapping = dict(Q2_MAPPING, w2=("W1", 1, 0), w3=("W1", 0, 1))
    net = q2_network(column_mapping, swapped)
    fwd = forward_trace(net, [1.0, 1.0])
    np.testing.assert_allclose(fwd.z[0], [0.3, -0.3])
    back = backward_trace(net, fwd, 0.5)
    grads = named_scalars(back.grads, column_mapping)
    assert grads["w3"] == pytest.approx(-0.175) and grads["w2"] == 0.0
    new = sgd_update(net, back.grads, lr=0.5).scalars(column_mapping)
    assert new["w2"] == pytest.approx(-0.2) and new["w3"] == pytest.approx(0.2875)
    # The same network as the stated labelling: identical matrices.
    np.testing.assert_array_equal(net.weights[0], q2_network().weights[0])


def test_assignment1_forward_pass_by_hand():
    # A1-Q2, first layer: W1 = [[.1, -.1], [.2, .3]], x = (.5, -1):
    # z1 = .05 + .1 = .15, z2 = .1 - .3 = -.2, a = (.15, 0); then
    # W2 = [[.1, -.5], [.3, .2], [.4, -.1]]: z = (.015, .045, .06)
    net = Network([[[0.1, -0.1], [0.2, 0.3]], [[0.1, -0.5], [0.3, 0.2], [0.4, -0.1]],
                   [[0.1, 0.2, -0.1], [0.4, 0.7, 0.3]]],
                  [np.zeros(2), np.zeros(3), np.zeros(2)], ["relu", "relu", "softmax"],
                  loss="cross_entropy")
    fwd = forward_trace(net, [0.5, -1.0])
    np.testing.assert_allclose(fwd.z[0], [0.15, -0.2])
    np.testing.assert_allclose(fwd.z[1], [0.015, 0.045, 0.06])
    # W3 a2 with W3 = [[.1, .2, -.1], [.4, .7, .3]]:
    # .0015 + .009 - .006 = .0045, .006 + .0315 + .018 = .0555
    np.testing.assert_allclose(fwd.z[2], [0.0045, 0.0555])
    e = np.exp([0.0045, 0.0555])
    np.testing.assert_allclose(fwd.output, e / e.sum())


def test_scalars_tables():
    net = q2_network()
    fwd = forward_trace(net, [1.0, 1.0])
    assert list(fwd.scalars()) == ["z1[0]", "z1[1]", "a1[0]", "a1[1]", "z2[0]", "a2[0]"]
    back = backward_trace(net, fwd, 0.5)
    table = back.scalars()
    assert list(table)[:5] == ["L", "dL/da2[0]", "dL/dz2[0]", "dL/dW2[0,0]", "dL/dW2[0,1]"]
    assert table["dL/dW2[0,1]"] == 0.0 and str(table["dL/dW2[0,1]"]) == "0.0"  # not -0.0
    assert list(net.scalars()) == ["W1[0,0]", "W1[0,1]", "W1[1,0]", "W1[1,1]",
                                   "b1[0]", "b1[1]", "W2[0,0]", "W2[0,1]", "b2[0]"]


# ---- gradients against centred finite differences ----------------------------------------

HIDDEN = ["relu", "sigmoid", "tanh", "linear"]
OUTPUTS = [("linear", "mse"), ("relu", "mse"), ("sigmoid", "mse"), ("tanh", "mse"),
           ("softmax", "mse"), ("softmax", "cross_entropy")]


def _random_network(rng, sizes, hidden, output, loss):
    weights = [rng.normal(size=(m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=m) for m in sizes[1:]]
    acts = [hidden[i % len(hidden)] for i in range(len(sizes) - 2)] + [output]
    return Network(weights, biases, acts, loss)


def _random_target(rng, net, kind):
    n_out = net.sizes[-1]
    if net.loss == "mse":
        return rng.normal(size=n_out)
    if kind == "label":
        return int(rng.integers(n_out))
    if kind == "one-hot":
        return np.eye(n_out)[rng.integers(n_out)]
    return rng.dirichlet(np.ones(n_out))


def _numeric_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[ix] = h
        g[ix] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _with(net, key, value):
    params = dict(net.params, **{key: value})
    n = len(net.weights)
    return Network([params[f"W{i}"] for i in range(1, n + 1)],
                   [params[f"b{i}"] for i in range(1, n + 1)], net.activations, net.loss)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), n_hidden=st.integers(0, 3),
       output=st.sampled_from(OUTPUTS), target=st.sampled_from(["label", "one-hot", "soft"]))
def test_gradients_match_finite_differences(seed, n_hidden, output, target):
    rng = np.random.default_rng(seed)
    sizes = [int(n) for n in rng.integers(1, 5, size=n_hidden + 2)]
    if output[0] == "softmax":
        sizes[-1] = max(sizes[-1], 2)
    hidden = list(rng.permutation(HIDDEN))
    net = _random_network(rng, sizes, hidden, *output)
    x = rng.normal(size=sizes[0])
    y = _random_target(rng, net, target)
    fwd = forward_trace(net, x)
    # ReLU is not differentiable at 0: skip the rare draws with a pre-activation near it
    if any(abs(z).min() < 1e-4 for z, f in zip(fwd.z, net.activations) if f == "relu"):
        return
    back = backward_trace(net, fwd, y)
    assert back.loss == pytest.approx(loss_value(net, x, y), rel=1e-12)
    for key, value in net.params.items():
        numeric = _numeric_grad(lambda p, k=key: loss_value(_with(net, k, p), x, y), value)
        np.testing.assert_allclose(back.grads[key], numeric, rtol=1e-5, atol=1e-7,
                                   err_msg=key)
    numeric_x = _numeric_grad(lambda xx: loss_value(net, xx, y), x)
    np.testing.assert_allclose(back.dL_dx, numeric_x, rtol=1e-5, atol=1e-7)
    # dL/da of a hidden layer: the input gradient of the network that starts there
    for i in range(1, len(sizes) - 1):
        rest = Network(net.weights[i:], net.biases[i:], net.activations[i:], net.loss)
        numeric_a = _numeric_grad(lambda a, r=rest: loss_value(r, a, y), fwd.a[i - 1])
        np.testing.assert_allclose(back.dL_da[i - 1], numeric_a, rtol=1e-5, atol=1e-7)
    # dL/dz is the bias gradient (dz/db = I)
    for i in range(1, len(sizes)):
        np.testing.assert_array_equal(back.dL_dz[i - 1], back.grads[f"b{i}"])


def test_cross_entropy_label_equals_one_hot_and_softmax_minus_target():
    rng = np.random.default_rng(3)
    net = _random_network(rng, [3, 4, 3], ["tanh"], "softmax", "cross_entropy")
    x = rng.normal(size=3)
    fwd = forward_trace(net, x)
    by_label = backward_trace(net, fwd, 2)
    by_vector = backward_trace(net, fwd, [0.0, 0.0, 1.0])
    assert by_label.loss == pytest.approx(-np.log(fwd.output[2]))
    np.testing.assert_allclose(by_label.dL_dz[-1], fwd.output - [0, 0, 1])
    np.testing.assert_allclose(by_label.grads["W1"], by_vector.grads["W1"])


def test_sgd_update_leaves_the_network_unchanged():
    net = q2_network()
    before = net.scalars()
    back = backward_trace(net, forward_trace(net, [1.0, 1.0]), 0.5)
    new = sgd_update(net, back.grads, lr=0.5)
    assert net.scalars() == before
    assert new.activations == net.activations and new.loss == net.loss
    with pytest.raises(ValueError):
        net.weights[0][0, 0] = 1.0          # read-only arrays


# ---- bad input ------------------------------------------------------------------------------

def test_network_rejects_bad_structure():
    with pytest.raises(ValueError, match="biases"):
        Network([np.ones((2, 3))], [np.ones(3)], ["relu"])
    with pytest.raises(ValueError, match="weights"):
        Network([np.ones((2, 3)), np.ones((1, 3))], [np.ones(2), np.ones(1)], ["relu", "linear"])
    with pytest.raises(ValueError, match="activations"):
        Network([np.ones((2, 3))], [np.ones(2)], ["swish"])
    with pytest.raises(ValueError, match="softmax"):
        Network([np.ones((2, 3)), np.ones((1, 2))], [np.ones(2), np.ones(1)],
                ["softmax", "linear"])
    with pytest.raises(ValueError, match="cross_entropy"):
        Network([np.ones((2, 3))], [np.ones(2)], ["sigmoid"], loss="cross_entropy")
    with pytest.raises(ValueError, match="loss"):
        Network([np.ones((2, 3))], [np.ones(2)], ["linear"], loss="hinge")
    with pytest.raises(ValueError, match="finite"):
        Network([[[np.nan, 1.0]]], [[0.0]], ["linear"])


def test_from_scalars_rejects_bad_labellings():
    with pytest.raises(ValueError, match="same scalars"):
        Network.from_scalars((2, 2, 1), dict(Q2_VALUES, w7=1.0), Q2_MAPPING,
                             activations=["relu", "linear"])
    twice = dict(Q2_MAPPING, w2=("W1", 0, 0))
    with pytest.raises(ValueError, match="twice"):
        Network.from_scalars((2, 2, 1), Q2_VALUES, twice, activations=["relu", "linear"])
    missing = {k: v for k, v in Q2_MAPPING.items() if k != "b3"}
    values = {k: v for k, v in Q2_VALUES.items() if k != "b3"}
    with pytest.raises(ValueError, match="b2 entries"):
        Network.from_scalars((2, 2, 1), values, missing, activations=["relu", "linear"])
    with pytest.raises(ValueError, match="w1"):
        Network.from_scalars((2, 2, 1), Q2_VALUES, dict(Q2_MAPPING, w1=("W1", 2, 0)),
                             activations=["relu", "linear"])
    with pytest.raises(ValueError, match="w1"):
        Network.from_scalars((2, 2, 1), Q2_VALUES, dict(Q2_MAPPING, w1=("W9", 0, 0)),
                             activations=["relu", "linear"])


def test_passes_reject_bad_input():
    net = q2_network()
    with pytest.raises(ValueError, match="x must have shape"):
        forward_trace(net, [1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match="net"):
        forward_trace({"W1": 1}, [1.0, 1.0])
    fwd = forward_trace(net, [1.0, 1.0])
    with pytest.raises(ValueError, match="y must have shape"):
        backward_trace(net, fwd, [0.5, 0.5])
    with pytest.raises(ValueError, match="trace"):
        backward_trace(net, forward_trace(Network([[[1.0, 1.0]]], [[0.0]], ["relu"]),
                                          [1.0, 1.0]), 0.5)
    with pytest.raises(ValueError, match="lr"):
        sgd_update(net, backward_trace(net, fwd, 0.5).grads, lr=-0.5)
    with pytest.raises(ValueError, match="grads"):
        sgd_update(net, {"W1": np.zeros((2, 2))}, lr=0.5)
    with pytest.raises(ValueError, match="grads\\['W1'\\]"):
        sgd_update(net, dict(backward_trace(net, fwd, 0.5).grads, W1=np.zeros(2)), lr=0.5)
    ce = Network([np.ones((3, 2))], [np.zeros(3)], ["softmax"], loss="cross_entropy")
    with pytest.raises(ValueError, match="class label"):
        loss_value(ce, [1.0, 1.0], 3)
    with pytest.raises(ValueError, match="probability"):
        loss_value(ce, [1.0, 1.0], [0.5, 0.5, 0.5])
