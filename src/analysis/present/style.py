"""The house style of every chart, and drawing helpers that keep figures identical from run to run.

Text from the data is passed to matplotlib as plain text (no mathtext), so names like "St Alban's" or a "$"
render literally.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.artist import Artist
from matplotlib.colors import to_rgba
from matplotlib.text import Text
from matplotlib.transforms import Bbox, IdentityTransform, ScaledTranslation

HIGHLIGHT = "#d95f02"
BASE = "#7570b3"
ENGLAND = "#1b1b1b"
PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]


def use_style() -> None:
    """One house style for every chart (called by each plotting function)."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (8, 4.5),
            "axes.titleweight": "bold",
            "text.usetex": False,
            "svg.hashsalt": "compendium",  # stable ids if anyone saves SVG
        }
    )


def plain_text(text: object) -> str:
    r"""Text for matplotlib that prints as written: dollar signs would switch it into mathtext.

    >>> print(plain_text("Price $5"))
    Price \$5
    """
    return str(text).replace("$", r"\$")


def freeze_ticks(ax: plt.Axes) -> None:
    """Fix ``ax``'s major ticks and tick labels at what its automatic locator and formatter give now.

    Matplotlib recomputes ticks every time it measures or draws an axis (a dozen times per save with
    ``bbox_inches="tight"``, for every panel); with shared axes the answer is the same each time, so computing
    it once makes small multiples much cheaper to draw. Call it after the data and the layout are final (the
    number of ticks depends on the panel's size). Shared axes share their locator, so one call covers them.
    The figure is then final: limits changed afterwards keep these ticks.
    """
    from matplotlib.ticker import FixedFormatter, FixedLocator

    for axis in (ax.xaxis, ax.yaxis):
        formatter = axis.get_major_formatter()
        locs = np.asarray(axis.get_major_locator()(), dtype=float)
        labels = formatter.format_ticks(locs)  # all the locator's ticks, as an automatic axis formats them
        # Keep only the ticks inside the view (matplotlib draws no others; each tick is costly to build), with
        # matplotlib's own tolerance of 1e-10 of the view's width.
        low, high = sorted(axis.get_view_interval())
        tol = 1e-10 * (high - low)
        inside = (locs >= low - tol) & (locs <= high + tol)
        fixed = FixedFormatter([text for text, keep in zip(labels, inside, strict=True) if keep])
        fixed.set_offset_string(formatter.get_offset())
        axis.set_major_locator(FixedLocator(locs[inside]))
        axis.set_major_formatter(fixed)


class PointLabels(Artist):
    """Many short text labels, each a fixed offset (in points) up and right of a data point: the pixels of one
    ``ax.text`` per label (left/baseline aligned, plain text, not clipped), from one artist.

    Why: a Text artist lays itself out (font metrics, alignment) every time it is drawn or measured, and the
    notebook's inline backend draws twice per PNG (``bbox_inches="tight"``); with 300+ labels on a page of
    small multiples that was a third of the drawing time. Left/baseline text needs no layout to be drawn; it
    is measured (for the tight bounding box) by one reused Text, so the extent is Text's own.
    """

    zorder = 3  # the zorder of Text

    def __init__(self, x, y, labels, *, offset: tuple[float, float] = (2, 2), **text_kw):
        super().__init__()
        self._xy = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
        self._labels = [str(label) for label in labels]
        self._offset = offset
        # Font, colour, antialiasing and text features exactly as ax.text(..., **text_kw) would have them.
        self._text = Text(0, 0, "", parse_math=False, **text_kw)  # plain text: "$" prints as "$"
        self.set_clip_on(False)  # like annotations: a label near the edge runs past the panel, not cut off

    def _positions(self) -> np.ndarray:
        """Display coordinates of each label's anchor: its point, shifted by the offset."""
        fig = self.get_figure(root=False)
        shift = ScaledTranslation(self._offset[0] / 72, self._offset[1] / 72, fig.dpi_scale_trans)
        return (self.axes.transData + shift).transform(self._xy)

    def draw(self, renderer):
        if not self.get_visible():
            return
        text = self._text
        gc = renderer.new_gc()
        gc.set_foreground(to_rgba(text.get_color()), isRGBA=True)
        gc.set_antialiased(text.get_antialiased())
        height = renderer.get_canvas_width_height()[1]
        for (px, py), label in zip(self._positions(), self._labels, strict=True):
            if label and np.isfinite(px) and np.isfinite(py):
                # mtext=None: vector backends align on mtext's own position, which is not this label's.
                renderer.draw_text(gc, px, height - py if renderer.flipy() else py, label,
                                   text.get_fontproperties(), 0.0, ismath=False, mtext=None)
        gc.restore()
        self.stale = False

    def get_window_extent(self, renderer=None):
        text = self._text
        text.set_figure(self.get_figure(root=True))
        text.set_transform(IdentityTransform())
        boxes = []
        for (px, py), label in zip(self._positions(), self._labels, strict=True):
            if label and np.isfinite(px) and np.isfinite(py):
                text.set_text(label)
                text.set_position((px, py))
                boxes.append(text.get_window_extent(renderer))
        return Bbox.union(boxes) if boxes else Bbox.null()


def label_points(ax: plt.Axes, x, y, labels, *, offset: tuple[float, float] = (2, 2), **text_kw) -> PointLabels:
    """Label each point (x, y) of ``ax`` with its text, ``offset`` points up and right; see `PointLabels`."""
    artist = PointLabels(x, y, labels, offset=offset, **text_kw)
    ax.add_artist(artist)
    return artist
