"""The house style of every chart, and drawing helpers that keep figures identical from run to run.

Style: the UK Government Analysis Function's chart guidance as published in its ``afcharts`` package (PyPI,
MIT licence; https://github.com/best-practice-and-impact/afcharts-py): its matplotlib style sheet
(``afcharts.afcharts``: left-aligned titles, y grid only, no top/right spines, no legend frame) and its
accessible palettes (``afcharts.af_colours``: categorical, duo and focus). The few settings changed here are
for our sizes (text at 11 pt rather than 14 pt) and determinism (fixed dpi, SVG hash salt).

Text from the data is passed to matplotlib as plain text (no mathtext), so names like "St Alban's" or a "$"
render literally. Each chart carries a caption and alt text (:func:`describe`), which the HTML export puts
under it.
"""

from __future__ import annotations

import json

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from afcharts.af_colours import get_af_colours
from matplotlib.artist import Artist
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.text import Text
from matplotlib.transforms import Bbox, IdentityTransform, ScaledTranslation

from .mime import FIGURE_MIME

#: afcharts categorical palette (dark blue, turquoise, dark pink, orange, dark grey, light purple).
PALETTE = get_af_colours("categorical")
#: the focus palette: the one thing to look at in dark blue, everything else in grey.
HIGHLIGHT, OTHER = get_af_colours("focus")
#: duo palette: a place against England.
PLACE, ENGLAND = get_af_colours("duo")
BASE = PALETTE[0]  # a single series
REFERENCE = PALETTE[4]  # reference lines (England, averages): dark grey
TEXT = "#0b0c0c"  # GOV.UK text colour


def use_style() -> None:
    """One house style for every chart (called by each plotting function): afcharts, then our sizes."""
    mpl.rcdefaults()
    plt.style.use("afcharts.afcharts")
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (8, 4.5),
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.labelsize": 11,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "legend.fontsize": 9,
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


def set_title(ax: plt.Axes, title: object, **kwargs) -> None:
    """``ax``'s title (plain text), wrapped where it would run past the figure's right edge.

    An unwrapped title longer than the chart made the report image wider than the chart (blank beside it)
    and took the slow way to its PNG (:func:`.png.figure_png` draws such a figure a second time, shifted).
    Wrapped before the layout, the layout makes room for every line. (Only at spaces: one word longer than the
    chart still runs past the edge, and its PNG is still right, drawn the slow way.)
    """
    ax.set_title(plain_text(title), wrap=True, **kwargs)


def text_renderer(fig: plt.Figure):
    """What measures ``fig``'s text (its canvas's renderer, or the one matplotlib's own layout uses), or None."""
    get_renderer = getattr(fig.canvas, "get_renderer", None) or getattr(fig, "_get_renderer", None)
    return get_renderer() if get_renderer else None


def tight_layout(fig: plt.Figure, passes: int = 3) -> None:
    """``fig.tight_layout()``, run again (up to ``passes`` in all) while the layout moves a wrapped title to where
    it breaks into more or fewer lines: a title wraps at the figure's edge, so how far it reaches depends on where
    its axes end up (long tick labels push a left-aligned title right). Measuring text is cheap next to drawing.
    """
    renderer = text_renderer(fig)
    wrapped = fig.findobj(lambda a: isinstance(a, Text) and a.get_wrap() and bool(a.get_text())) if renderer else []
    heights = [t.get_window_extent(renderer).height for t in wrapped]
    for _ in range(passes):
        fig.tight_layout()
        now = [t.get_window_extent(renderer).height for t in wrapped]
        if now == heights:
            return
        heights = now


def luminance(colour) -> float:
    """WCAG 2 relative luminance of a colour (0 black .. 1 white).

    >>> round(luminance("#ffffff"), 3), round(luminance("#000000"), 3)
    (1.0, 0.0)
    """
    channels = np.array(to_rgb(colour))
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(a, b) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21; body text needs 4.5).

    >>> round(contrast("#ffffff", "#000000"), 1), round(contrast("#ffffff", "#ffffff"), 1)
    (21.0, 1.0)
    """
    hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_colour_on(background) -> str:
    """Black or white text, whichever contrasts more with ``background``.

    >>> text_colour_on("#12436D"), text_colour_on("#BFBFBF")
    ('#ffffff', '#0b0c0c')
    """
    return "#ffffff" if contrast("#ffffff", background) > contrast(TEXT, background) else TEXT


#: the box behind a value label: white, so grid and reference lines never run through the number.
LABEL_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"}


def describe(fig: plt.Figure, caption: str, alt: str) -> plt.Figure:
    """Attach a caption (what the chart shows and what to notice) and alt text to ``fig``.

    In a notebook the record is also published as a display output of type :data:`FIGURE_MIME` just before the
    figure's image, which the HTML export turns into the ``<figcaption>`` and ``alt`` of that image.
    """
    fig.compendium = {"caption": caption, "alt": alt}
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency of the kernel
        shell = None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        from IPython.display import display

        display({FIGURE_MIME: json.dumps(fig.compendium), "text/plain": ""}, raw=True)
    return fig


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
    """Many short text labels, each an offset (in points) from its data point: the pixels of one ``ax.text``
    per label (left/baseline aligned, plain text, not clipped), from one artist.

    ``offset`` is one (dx, dy) for every label, or one per label (see :func:`.labels.place_labels`, which picks
    offsets so that labels do not overlap); an empty label is not drawn.

    Why: a Text artist lays itself out (font metrics, alignment) every time it is drawn or measured, and the
    notebook's inline backend draws twice per PNG (``bbox_inches="tight"``); with 300+ labels on a page of
    small multiples that was a third of the drawing time. Left/baseline text needs no layout to be drawn; it
    is measured (for the tight bounding box) by one reused Text, so the extent is Text's own.
    """

    zorder = 3  # the zorder of Text

    def __init__(self, x, y, labels, *, offset=(2, 2), **text_kw):
        super().__init__()
        self._xy = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
        self._labels = [str(label) for label in labels]
        offsets = np.asarray(offset, dtype=float)
        self._offsets = np.broadcast_to(offsets, (len(self._labels), 2)) if offsets.ndim == 1 else offsets
        # Font, colour, antialiasing and text features exactly as ax.text(..., **text_kw) would have them.
        self._text = Text(0, 0, "", parse_math=False, **text_kw)  # plain text: "$" prints as "$"
        self.set_clip_on(False)  # like annotations: a label near the edge runs past the panel, not cut off

    def _positions(self) -> np.ndarray:
        """Display coordinates of each label's anchor: its point, shifted by its offset."""
        fig = self.get_figure(root=False)
        points = self.axes.transData.transform(self._xy)
        return points + self._offsets * fig.dpi / 72

    def _shown(self):
        for (px, py), label in zip(self._positions(), self._labels, strict=True):
            if label and np.isfinite(px) and np.isfinite(py):
                yield px, py, label

    def draw(self, renderer):
        if not self.get_visible():
            return
        text = self._text
        gc = renderer.new_gc()
        gc.set_foreground(to_rgba(text.get_color()), isRGBA=True)
        gc.set_antialiased(text.get_antialiased())
        height = renderer.get_canvas_width_height()[1]
        for px, py, label in self._shown():
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
        for px, py, label in self._shown():
            text.set_text(label)
            text.set_position((px, py))
            boxes.append(text.get_window_extent(renderer))
        return Bbox.union(boxes) if boxes else Bbox.null()


def label_points(ax: plt.Axes, x, y, labels, *, offset=(2, 2), **text_kw) -> PointLabels:
    """Label each point (x, y) of ``ax`` with its text, ``offset`` points from it; see `PointLabels`."""
    artist = PointLabels(x, y, labels, offset=offset, **text_kw)
    ax.add_artist(artist)
    return artist


__all__ = ["BASE", "ENGLAND", "HIGHLIGHT", "LABEL_BOX", "OTHER", "PALETTE", "PLACE", "REFERENCE", "TEXT",
           "ScaledTranslation", "contrast", "describe", "freeze_ticks", "label_points", "plain_text", "plt",
           "text_colour_on", "use_style"]
