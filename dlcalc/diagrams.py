"""Diagrams of small networks, drawn from their sizes and labels.

A page that states a network "drawn below" whose figure is lost (or that wants
to show which weight sits on which edge) draws it here: units as circles in
columns, one column per layer, every edge of a fully connected network as a
line, with optional text on units and edges. The function returns a matplotlib
``Figure`` and never opens a window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Circle

from ._checks import finite_float, positive_int

__all__ = ["draw_network"]


_LAYER_GAP = 2.0   # horizontal distance between layers; units of a layer are 1 apart


def _unit_positions(sizes: Sequence[int]) -> list[list[tuple[float, float]]]:
    """(x, y) of every unit: layer l at x = 2 l, units 1 apart around y = 0, top first."""
    return [[(_LAYER_GAP * level, (n - 1) / 2.0 - j) for j in range(n)] for level, n in enumerate(sizes)]


def draw_network(sizes: Sequence[int], *, node_labels: Sequence[Sequence[str]] | None = None,
                 edge_labels: Mapping[tuple[int, int, int], str] | None = None,
                 layer_names: Sequence[str] | None = None, label_pos: float = 0.3,
                 width: float = 6.0, height: float = 3.5) -> Figure:
    r"""Draw a fully connected network: units in columns, every edge, labelled.

    Parameters
    ----------
    sizes : sequence of int, (n_0, n_1, ..., n_L)
        Units per layer, input first; at least two layers.
    node_labels : sequence of sequence of str, optional
        ``node_labels[l][j]`` is written in unit ``j`` of layer ``l`` (0-based,
        top unit first). Default: no text.
    edge_labels : mapping of (int, int, int) to str, optional
        ``{(l, j, k): text}`` labels the edge from unit ``k`` of layer ``l - 1``
        to unit ``j`` of layer ``l`` (``l`` from 1), the entry ``W[l][j, k]`` of
        :class:`dlcalc.mlp.Network`. Edges without a key are drawn unlabelled.
    layer_names : sequence of str, optional
        One caption per layer, written under its column.
    label_pos : float, default 0.3
        Where an edge's text sits, as a fraction of the edge from its source
        unit, in (0, 1); away from 0.5, where the edges of a layer cross.
    width, height : float, default 6.0, 3.5
        Figure size in inches.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes; each edge is one ``Line2D``, each unit one ``Circle`` patch.
        Layer ``l`` is drawn at ``x = 2 l``, its units 1 apart and centred on
        ``y = 0``, the first at the top.

    Raises
    ------
    ValueError
        If ``sizes`` has fewer than two layers, ``node_labels`` or
        ``layer_names`` do not match ``sizes``, an edge key does not exist, or
        ``label_pos`` is outside (0, 1).
    TypeError
        If a size is not an int.

    Examples
    --------
    >>> fig = draw_network((2, 1), edge_labels={(1, 0, 0): "$w_1$", (1, 0, 1): "$w_2$"})
    >>> len(fig.axes[0].lines), sorted(t.get_text() for t in fig.axes[0].texts)
    (2, ['$w_1$', '$w_2$'])
    """
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(f"sizes must be a sequence of positive ints, got {sizes!r}")
    # at most 12 layers of 32 units: a diagram, not a model
    sizes = [positive_int(f"sizes[{i}]", n, high=32) for i, n in enumerate(sizes)]
    if len(sizes) > 12:
        raise ValueError(f"sizes must list at most 12 layers, got {len(sizes)}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output layer, got {sizes}")
    if node_labels is not None:
        if not isinstance(node_labels, (tuple, list)) or not all(
                isinstance(layer, (tuple, list)) and all(isinstance(t, str) for t in layer)
                for layer in node_labels):
            raise TypeError(f"node_labels must be one list of str per layer, got "
                            f"{node_labels!r}"[:200])
        node_labels = [list(layer) for layer in node_labels]
        if [len(layer) for layer in node_labels] != sizes:
            raise ValueError(f"node_labels must have one label per unit, {sizes} per layer, "
                             f"got {[len(layer) for layer in node_labels]}")
    if layer_names is not None and (not isinstance(layer_names, (tuple, list)) or not all(
            isinstance(t, str) for t in layer_names)):
        raise TypeError(f"layer_names must be a list of str, got {layer_names!r}"[:200])
    if layer_names is not None and len(layer_names) != len(sizes):
        raise ValueError(f"layer_names must have {len(sizes)} names, got {len(layer_names)}")
    if edge_labels is not None and (not hasattr(edge_labels, "items") or not all(
            isinstance(t, str) for t in edge_labels.values())):
        raise TypeError(f"edge_labels must map (l, j, k) to str, got {edge_labels!r}"[:200])
    edge_labels = dict(edge_labels or {})
    for key in edge_labels:
        if (not isinstance(key, tuple) or len(key) != 3
                or not all(isinstance(i, int) for i in key)
                or not (1 <= key[0] < len(sizes) and 0 <= key[1] < sizes[key[0]]
                        and 0 <= key[2] < sizes[key[0] - 1])):
            raise ValueError(f"edge_labels keys must be (l, j, k) with 1 <= l < {len(sizes)}, "
                             f"j a unit of layer l and k a unit of layer l - 1, got {key!r}")
    label_pos = finite_float("label_pos", label_pos, low=0.0, high=1.0,
                             low_open=True, high_open=True)
    width = finite_float("width", width, low=0.0, low_open=True, high=20.0)
    height = finite_float("height", height, low=0.0, low_open=True, high=20.0)

    pos = _unit_positions(sizes)
    radius = 0.18
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    for level in range(1, len(sizes)):
        for j, (x1, y1) in enumerate(pos[level]):
            for k, (x0, y0) in enumerate(pos[level - 1]):
                ax.plot([x0, x1], [y0, y1], color="0.45", lw=1.2, zorder=1)
                text = edge_labels.get((level, j, k))
                if text is not None:
                    ax.text(x0 + label_pos * (x1 - x0), y0 + label_pos * (y1 - y0), text,
                            ha="center", va="center", fontsize=10, zorder=3,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
    for level, layer in enumerate(pos):
        for j, (x, y) in enumerate(layer):
            ax.add_patch(Circle((x, y), radius, fc="#dbe8f5", ec="#1f4e79", lw=1.5, zorder=2))
            if node_labels is not None:
                ax.text(x, y, node_labels[level][j], ha="center", va="center", fontsize=11, zorder=3)
    top = (max(sizes) - 1) / 2.0 + radius + 0.1
    bottom = -top - (0.35 if layer_names is not None else 0.0)
    if layer_names is not None:
        for level, name in enumerate(layer_names):
            ax.text(_LAYER_GAP * level, -top - 0.05, name, ha="center", va="top", fontsize=10)
    ax.set_xlim(-0.4, _LAYER_GAP * (len(sizes) - 1) + 0.4)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig
