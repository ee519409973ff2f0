"""Point labels that never overlap: each label is tried at a few positions around its point and put at the
first one that covers no other label, no point and stays inside the panel; a label with no free place is left
out (the chart's caption says where every value is listed). Deterministic: points are labelled in the order
given, and the candidate positions are tried in a fixed order.
"""

from __future__ import annotations

import numpy as np
from matplotlib.text import Text

from .style import PointLabels

#: candidate offsets in points, relative to the point, for a label of width w and height h (points): up-right,
#: down-right, up-left, down-left, then straight above and below.
_CANDIDATES = (
    lambda w, h: (3.0, 2.5), lambda w, h: (3.0, -2.5 - h), lambda w, h: (-3.0 - w, 2.5),
    lambda w, h: (-3.0 - w, -2.5 - h), lambda w, h: (-w / 2, 4.0), lambda w, h: (-w / 2, -4.0 - h),
)


def _overlaps(box: np.ndarray, boxes: np.ndarray) -> bool:
    if not len(boxes):
        return False
    return bool(np.any((box[0] < boxes[:, 2]) & (box[2] > boxes[:, 0]) & (box[1] < boxes[:, 3]) & (box[3] > boxes[:, 1])))


def place_labels(ax, x, y, labels, *, fontsize: float = 7, marker_radius: float = 3.0, color: str = "#0b0c0c",
                 inside: bool = True) -> PointLabels:
    """Label the points (x, y) of ``ax`` without overlaps; returns the artist (labels left out are empty).

    Call it when the axes' limits and the figure layout are final: positions are worked out in display units.
    ``marker_radius``: half the marker size in points (labels keep clear of every point). ``inside``: labels
    must stay inside the axes (panels of small multiples would otherwise write into their neighbours).
    """
    fig = ax.get_figure(root=True)
    renderer = fig.canvas.get_renderer()
    scale = fig.dpi / 72.0
    xy = ax.transData.transform(np.column_stack([np.asarray(x, float), np.asarray(y, float)]))
    texts = [str(t) for t in labels]
    frame = ax.get_window_extent(renderer)
    r = marker_radius * scale
    finite = np.all(np.isfinite(xy), axis=1)
    points = np.column_stack([xy[:, 0] - r, xy[:, 1] - r, xy[:, 0] + r, xy[:, 1] + r])[finite]
    probe = Text(0, 0, "", fontsize=fontsize, parse_math=False)
    probe.set_figure(fig)
    placed: list[np.ndarray] = []
    offsets = np.zeros((len(texts), 2))
    shown = []
    for i, (label, (px, py)) in enumerate(zip(texts, xy, strict=True)):
        if not label or not finite[i]:
            shown.append("")
            continue
        probe.set_text(label)
        extent = probe.get_window_extent(renderer)
        w, h = extent.width, extent.height
        descent = h * 0.22  # baseline-anchored text dips below the anchor by about this much
        chosen = None
        for candidate in _CANDIDATES:
            dx, dy = candidate(w / scale, h / scale)
            box = np.array([px + dx * scale, py + dy * scale - descent, px + dx * scale + w, py + dy * scale - descent + h])
            if inside and (box[0] < frame.x0 or box[2] > frame.x1 or box[1] < frame.y0 or box[3] > frame.y1):
                continue
            if _overlaps(box, np.array(placed)) or _overlaps(box, points):
                continue
            chosen = (dx, dy)
            placed.append(box)
            break
        if chosen is None:
            shown.append("")
        else:
            offsets[i] = chosen
            shown.append(label)
    artist = PointLabels(x, y, shown, offset=offsets, fontsize=fontsize, color=color)
    ax.add_artist(artist)
    return artist
