"""Tests of dlcalc.diagrams: the drawn network has every unit, every edge and every label."""

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from dlcalc.diagrams import draw_network


def test_every_unit_and_edge_is_drawn():
    fig = draw_network((2, 3, 1))
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    # units: 2 + 3 + 1; edges of a fully connected net: 2*3 + 3*1
    assert sum(isinstance(p, Circle) for p in ax.patches) == 2 + 3 + 1
    assert len(ax.lines) == 2 * 3 + 3 * 1


def test_edge_label_sits_on_its_edge_at_label_pos():
    # layer 0 has 2 units at x = 0, y = 0.5, -0.5; layer 1 has 1 unit at x = 2, y = 0
    fig = draw_network((2, 1), edge_labels={(1, 0, 1): "w"}, label_pos=0.25)
    (text,) = fig.axes[0].texts
    x, y = text.get_position()
    # from (0, -0.5) a quarter of the way to (2, 0)
    assert (x, y) == pytest.approx((0.5, -0.375))


def test_node_labels_and_layer_names_are_written():
    fig = draw_network((2, 1), node_labels=[["$x_1$", "$x_2$"], ["$o$"]],
                       layer_names=["input", "output"])
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == sorted(["$x_1$", "$x_2$", "$o$", "input", "output"])


@pytest.mark.parametrize("kwargs, match", [
    ({"sizes": (3,)}, "sizes"),
    ({"sizes": (2, 0)}, "sizes"),
    ({"sizes": (2, 1), "node_labels": [["a"], ["b"]]}, "node_labels"),
    ({"sizes": (2, 1), "layer_names": ["in"]}, "layer_names"),
    ({"sizes": (2, 1), "edge_labels": {(1, 1, 0): "w"}}, "edge_labels"),
    ({"sizes": (2, 1), "edge_labels": {(0, 0, 0): "w"}}, "edge_labels"),
    ({"sizes": (2, 1), "label_pos": 1.0}, "label_pos"),
])
def test_bad_input_is_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        draw_network(**kwargs)


def test_non_int_size_is_a_type_error():
    with pytest.raises(TypeError, match="sizes"):
        draw_network((2, 1.5))
