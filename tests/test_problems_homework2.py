"""Homework 2's problems: each solve against independent values, each field's validation,
and the practice versions against an independent computation."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dlcalc as dc
from dlcalc import problems
from dlcalc.problems import homework2 as hw

SEEDS = range(51)


# ---- part A: the experiment (trained once for the module) ----------------------------------

@pytest.fixture(scope="module")
def part_a():
    return hw.A1I.solve(), hw.A1II.solve(), hw.A2.solve()


def test_zero_start_learns_only_the_class_frequencies(part_a):
    zero, _, _ = part_a
    label = hw.A1I.label("relu", "zeros")
    # 200 and 100 points: always answering the larger class scores 2/3, and the best loss
    # without the inputs is the entropy of (2/3, 1/3)
    entropy = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert zero.class_counts == [200, 100]
    assert zero.majority == pytest.approx(2 / 3)
    assert zero.prior_entropy == pytest.approx(entropy)
    assert zero.accuracy[label] == pytest.approx(2 / 3)
    assert zero.final_loss[label] == pytest.approx(entropy, abs=1e-6)
    # products with a zero factor are exactly zero in IEEE arithmetic, on every machine
    assert zero.largest_weight_gradient == 0.0
    assert zero.weights_moved == []
    assert zero.accuracy[hw.A1I.label("relu", "he")] > 0.9     # the random start learns


def test_negative_bias_closes_every_unit(part_a):
    _, neg, _ = part_a
    assert neg.largest_z < 0                        # no first-layer unit ever opens
    assert neg.dead_start == neg.units == [10, 5]
    assert neg.dead_end == neg.units
    assert neg.largest_hidden_gradient == 0.0
    assert neg.accuracy == pytest.approx(2 / 3)
    assert neg.spread > 0.1                         # He weights: the units differ
    biases = [b for b, _ in neg.by_bias]
    assert biases[0] == 0.0 and biases[-1] == -5.0
    first_layer = [d[0] for _, d in neg.by_bias]
    assert first_layer == sorted(first_layer)       # a lower bias shuts at least as many
    assert neg.by_bias[-1][1] == neg.dead_start     # the same weights at -5: the run's start


def test_sigmoid_zero_start_learns_a_line(part_a):
    _, _, sig = part_a
    assert sig.identical
    assert sig.learns_a_line
    assert 1 - sig.error > 2 / 3                    # beats the majority answer
    assert sig.error > sig.error_random             # but not the random start
    assert sig.balanced_gradient < 1e-12            # a balanced set: a stationary start
    assert 0 < sig.plateau < hw.A2.iterations


def test_units_identical_uses_a_tolerance_scaled_to_the_parameters():
    w1 = np.array([[0.5, 0.5 + 1e-17 * 0.5], [-1.0, -1.0]])
    params = {"w1": w1, "b1": np.array([0.1, 0.1]), "w2": np.ones((2, 2)), "b2": np.zeros(2)}
    model = dc.MLP(params, "sigmoid")
    assert hw.units_identical(model)                # rounding-level differences
    far = dict(params, w1=np.array([[0.5, 0.5 + 1e-6], [-1.0, -1.0]]))
    assert not hw.units_identical(dc.MLP(far, "sigmoid"))


# ---- part B ---------------------------------------------------------------------------------

def test_conv_parameters_by_hand():
    sol = hw.B2I.solve()
    # 8 filters of 5 x 5 over 3 channels, one bias each: 8 * 75 + 8
    assert (sol.weights, sol.biases, sol.per_filter, sol.total) == (600, 8, 76, 608)


def test_conv_output_by_hand():
    sol = hw.B2II.solve()
    # (32 - 5) / 1 + 1 = 28, one map per filter
    assert sol.shape == (28, 28, 8)


@pytest.mark.parametrize("seed", SEEDS)
def test_conv_variants(seed):
    q1, q2 = hw.B2I.variant(seed), hw.B2II.variant(seed)
    assert [getattr(q1, f) for f in hw._LAYER_FIELDS] == [getattr(q2, f) for f in hw._LAYER_FIELDS]
    assert (q1.height + 2 * q1.padding - q1.kernel) % q1.stride == 0    # integer size
    total = q1.filters * (q1.kernel * q1.kernel * q1.channels + 1)
    assert q1.answers(q1.solve())[0].value == total
    side = (q1.height + 2 * q1.padding - q1.kernel) // q1.stride + 1
    assert q2.answers(q2.solve())[0].value == (side, side, q1.filters)


def pool_by_hand(images, k, reduce):
    """Non-overlapping k x k windows (stride k), by reshaping."""
    a = np.array(images, dtype=float)
    n, h, w = a.shape
    return reduce(a.reshape(n, h // k, k, w // k, k), axis=(2, 4))


def test_pooling_by_hand():
    avg, mx = hw.B3I.solve(), hw.B3II.solve()
    # the first image: a 3x3 block of ones in the top-left corner
    np.testing.assert_allclose(avg.pooled[0], [[1.0, 0.5], [0.5, 0.25]])
    np.testing.assert_allclose(mx.pooled, np.ones((4, 2, 2)))
    assert (avg.distinct, mx.distinct) == (4, 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_pooling_variants(seed):
    q_avg, q_max = hw.B3I.variant(seed), hw.B3II.variant(seed)
    assert q_avg.images == q_max.images             # B3(ii) pools B3(i)'s images
    images = np.array(q_avg.images)
    assert np.all(images.reshape(len(images), -1).max(axis=1) == 1)   # no blank image
    assert q_avg.kernel == q_avg.stride
    for q, reduce in ((q_avg, np.mean), (q_max, np.max)):
        expected = pool_by_hand(q.images, q.kernel, reduce)
        answers = q.answers(q.solve())
        assert len(answers) == len(images)
        for a, e in zip(answers, expected):
            assert a.kind == "list"
            assert a.value == pytest.approx(e.ravel().tolist())


# ---- part C ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def part_c():
    return hw.CI.solve(), hw.CII.solve(), hw.CIII.solve()


def test_digits_run(part_c):
    run, arch, cost = part_c
    assert len(run.accuracy) == hw.CI.epochs == 10
    assert (run.n_train, run.n_test, run.side) == (1348, 449, 8)   # 1,797 images, a quarter
    # every accuracy is a whole number of test images
    np.testing.assert_allclose(run.accuracy * 449, np.round(run.accuracy * 449), atol=1e-9)
    assert run.accuracy.max() > 0.9
    assert run.best_epoch == int(np.argmax(run.accuracy)) + 1
    # conv: 16 filters of 3x3 on 1 channel + 16 biases; fc: 16 * 4 * 4 inputs to 10 classes
    assert arch.summary.total_params == (16 * 9 + 16) + (16 * 4 * 4 * 10 + 10)
    assert arch.summary.total_params == sum(v.size for v in run.run.final.params.values())
    assert cost.configurations == 3 * 3 * 3 * 2 * 2
    assert cost.scale == pytest.approx(60_000 * 28 * 28 / (1348 * 8 * 8))
    assert cost.grid_minutes == pytest.approx(108 * cost.run_seconds / 60)


def test_part_c_holds_the_books_settings():
    # the question's choices live in the problem, not in library defaults
    assert (hw.CI.lr, hw.CI.epochs, hw.CI.optimizer, hw.CI.batch_size) == (0.01, 10, "adam", 32)


# ---- validation: each error names the field -------------------------------------------------

@pytest.mark.parametrize("make, field, error", [
    (lambda: hw.ZeroStart(sizes=(2, 2)), "ZeroStart.sizes", ValueError),
    (lambda: hw.ZeroStart(dataset="spirals"), "ZeroStart.dataset", ValueError),
    (lambda: hw.NegativeBias(n_train=(200,)), "NegativeBias.n_train", ValueError),
    (lambda: hw.NegativeBias(n_test=(0, 100)), "NegativeBias.n_test", ValueError),
    (lambda: hw.SigmoidStart(noise=-1.0), "SigmoidStart.noise", ValueError),
    (lambda: hw.SigmoidStart(iterations=0), "SigmoidStart.iterations", ValueError),
    (lambda: hw.SigmoidStart(lr="0.5"), "SigmoidStart.lr", TypeError),
    (lambda: hw.ZeroStart(seed=-1), "ZeroStart.seed", ValueError),
    (lambda: hw.ZeroStart(runs=(("a", "softsign", "he", 0.0),)), "ZeroStart.runs", ValueError),
    (lambda: hw.ConvParameters(kernel=0), "ConvParameters.kernel", ValueError),
    (lambda: hw.ConvParameters(kernel=40), "ConvParameters.kernel", ValueError),
    (lambda: hw.ConvOutputBlock(padding=-1), "ConvOutputBlock.padding", ValueError),
    (lambda: hw.ConvOutputBlock(channels=3.0), "ConvOutputBlock.channels", TypeError),
    (lambda: hw.AveragePooling(images=(((2, 0), (0, 0)),)), "AveragePooling.images",
     ValueError),
    (lambda: hw.AveragePooling(images=((1, 0), (0, 1))), "AveragePooling.images", ValueError),
    (lambda: hw.MaxPooling(kernel=5), "MaxPooling.kernel", ValueError),
    (lambda: hw.MaxPooling(kernel=3, stride=2), "MaxPooling.stride", ValueError),
    (lambda: hw.DigitsCNN(lr=0.0), "DigitsCNN.lr", ValueError),
    (lambda: hw.DigitsCNN(optimizer="lbfgs"), "DigitsCNN.optimizer", ValueError),
    (lambda: hw.DigitsCNN(p_keep=1.5), "DigitsCNN.p_keep", ValueError),
    (lambda: hw.DigitsCNN(test_fraction=1.0), "DigitsCNN.test_fraction", ValueError),
    (lambda: hw.DigitsCNN(epochs=0), "DigitsCNN.epochs", ValueError),
    (lambda: hw.BestArchitecture(cnn=None), "BestArchitecture.cnn", TypeError),
    (lambda: hw.TuningCost(grid=()), "TuningCost.grid", ValueError),
    (lambda: hw.TuningCost(mnist_images=0), "TuningCost.mnist_images", ValueError),
])
def test_bad_data_names_the_field(make, field, error):
    with pytest.raises(error, match=field.replace(".", r"\.")):
        make()


def test_the_bank_finds_every_question_of_the_set():
    for q in hw.PROBLEMS:
        assert problems.get(q.qid) is q
    assert {q.qid for q in hw.PROBLEMS if q.has_variants()} == {
        "HW2-B2(i)", "HW2-B2(ii)", "HW2-B3(i)", "HW2-B3(ii)"}


# ---- the verdicts on the source, pinned (a dlcalc change that flips one fails) ---------------

def test_every_verdict_on_the_source(part_a, part_c):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book"))
    from records import homework2 as records
    from records.claims import check

    statuses = {}
    for c in records.CLAIMS:
        statuses.setdefault(check(c).status, []).append((c.question, c.what))
    assert sorted(statuses["differs"]) == [
        ("HW2-A1(i)", "why the gradients vanish"),
        ("HW2-A1(ii)", "how much of the network goes dormant"),
        ("HW2-A2", "why it learns"),
        ("HW2-B2(ii)", "output block (H × W × D)"),
        ("HW2-C(ii)", "what max pooling is"),
    ]
    # the runs of part C cannot be repeated: the source's data set is not even named
    assert {q for q, _ in statuses["not comparable"]} == {"HW2-C(i)", "HW2-C(ii)", "HW2-C(iii)"}
    assert len(statuses["not comparable"]) == 12
    assert len(statuses["agrees"]) == len(records.CLAIMS) - 5 - 12
