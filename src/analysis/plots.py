"""Charts: seaborn on a fixed style, so two runs draw identical figures.

Each function takes a tidy table and returns the matplotlib Figure; notebooks display it. Text from the
data is passed to matplotlib as plain text (no mathtext), so names like "St Alban's" render literally.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
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


def _plain(text: object) -> str:
    # Dollar signs would switch matplotlib into mathtext; escape them so names print as written.
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


def la_vs_england_bars(comparison: pd.DataFrame, title: str, value_label: str = "Progress 8") -> plt.Figure:
    """Grouped bars: the LA and England for each pupil group, values printed on the bars."""
    use_style()
    la_name = _plain(comparison["la_name"].iloc[0])
    long = pd.concat(
        [
            pd.DataFrame({"group": comparison["label"], "area": la_name, "value": comparison["la_value"]}),
            pd.DataFrame({"group": comparison["label"], "area": "England", "value": comparison["england_value"]}),
        ]
    )
    fig, ax = plt.subplots()
    sns.barplot(data=long, x="group", y="value", hue="area", palette=[HIGHLIGHT, ENGLAND], ax=ax)
    for container in ax.containers:
        ax.bar_label(container, fmt="%.2f", padding=2, fontsize=9)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set(xlabel="", ylabel=value_label, title=_plain(title))
    ax.legend(title="", loc="best")
    fig.tight_layout()
    return fig


def trend_lines(series: pd.DataFrame, title: str, value_label: str = "Progress 8", hue: str = "area",
                style: str = "pupil_group", no_data_years: list[int] | None = None) -> plt.Figure:
    """Lines over years that break where data are missing (NaN), with missing years shaded and labelled."""
    use_style()
    fig, ax = plt.subplots(figsize=(9, 4.8))
    years = sorted(series["year"].dropna().astype(int).unique())
    styles = {k: s for k, s in zip(sorted(series[style].unique()), ["-", "--", ":", "-."], strict=False)}
    colours = {k: c for k, c in zip(list(dict.fromkeys(series[hue])), [HIGHLIGHT, ENGLAND, BASE] + PALETTE,
                                     strict=False)}
    for (h, s), part in series.groupby([hue, style], sort=True):
        part = part.set_index("year").reindex(years)  # NaN rows break the line: a gap, never a zero
        ax.plot(years, part["value"].to_numpy(dtype=float), linestyle=styles[s], marker="o", color=colours[h],
                label=f"{_plain(h)}: {str(s).replace('_', '-')}")
    for y in no_data_years or []:
        ax.axvspan(y - 0.5, y + 0.5, color="#eeeeee", zorder=0)
        ax.text(y, 0.02, "no data", transform=ax.get_xaxis_transform(), ha="center", fontsize=8, color="grey")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(years)
    ax.set(xlabel="Academic year ending", ylabel=value_label, title=_plain(title))
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def ranked_bars(table: pd.DataFrame, value: str, label: str, highlight: str | None, title: str,
                reference_lines: dict[str, float] | None = None, value_label: str = "Progress 8") -> plt.Figure:
    """Horizontal bars in the table's order, one highlighted, with labelled reference lines."""
    use_style()
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(table) + 1.5))
    names = [_plain(n) for n in table[label]]
    colours = [HIGHLIGHT if n == highlight else BASE for n in table[label]]
    ax.barh(np.arange(len(table)), table[value].to_numpy(dtype=float), color=colours)
    ax.set_yticks(np.arange(len(table)), names)
    ax.invert_yaxis()
    for i, v in enumerate(table[value]):
        if pd.notna(v):
            ax.text(v, i, f" {v:.2f} ", va="center", ha="right" if v < 0 else "left", fontsize=8, color="white"
                    if abs(v) > 0.08 else "black")
    for (name, x), ls in zip((reference_lines or {}).items(), ["--", ":", "-."], strict=False):
        ax.axvline(x, color=ENGLAND, linestyle=ls, linewidth=1.2, label=f"{_plain(name)} ({x:.2f})")
    ax.axvline(0, color="grey", linewidth=0.8)
    # y=1.0: where automatic placement puts the title (no tick labels above the axes), without measuring
    # every school-name tick label again on each draw.
    ax.set_title(_plain(title), y=1.0)
    ax.set(xlabel=value_label, ylabel="")
    if reference_lines:
        ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    freeze_ticks(ax)  # after the layout, which sets the axes size the number of ticks depends on
    return fig
