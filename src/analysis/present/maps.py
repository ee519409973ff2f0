"""Families of Schools maps: small multiples, one panel per family (performance and tracking maps)."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from .style import BASE, ENGLAND, HIGHLIGHT, freeze_ticks, label_points, plain_text, plt, use_style

MAPS = {
    "read": ("read_progress", "read_meet_pct", "Reading progress", "Reading: % meeting expected standard"),
    "writ": ("writ_progress", "writ_meet_pct", "Writing progress", "Writing: % meeting expected standard"),
    "mat": ("mat_progress", "mat_meet_pct", "Maths progress", "Maths: % meeting expected standard"),
    "tracking": ("rwm_meet_pct", "tracking_gap_pct", "Reading, writing and maths combined: % expected",
                 "Lowest subject % minus combined %"),
}


def family_map(families: pd.DataFrame, national: pd.DataFrame, kind: str, *, label: str = "estab",
               col_wrap: int = 6, title: str = ""):
    """Small multiples, one panel per family: a performance map (kind read/writ/mat: attainment against
    progress) or the tracking map (combined attainment against lowest subject minus combined).

    Dashed lines: the family's mean; dotted: England's. Points are labelled with ``label`` (ESTAB number
    by default, to keep panels readable; the families table gives the school).
    """
    if kind not in MAPS:
        raise ParameterError(f"kind: {kind!r} is not one of {list(MAPS)}")
    x, y, xlabel, ylabel = MAPS[kind]
    use_style()
    nat = national.set_index("measure")["value"]
    data = families.dropna(subset=[x, y]).sort_values(["family", "urn"], kind="stable")
    fams = sorted(data["family"].unique())
    one = len(fams) == 1
    ncols = min(col_wrap, len(fams))
    nrows = -(-len(fams) // ncols)
    size = (9.0, 5.0) if one else (2.3 * ncols, 2.2 * nrows + 0.8)
    # Plain subplots with a fixed layout: tight_layout over 20+ panels costs seconds per figure.
    fig, axes = plt.subplots(nrows, ncols, figsize=size, sharex=True, sharey=True, squeeze=False)
    for ax in axes.ravel()[len(fams):]:
        ax.set_visible(False)
    family_lines = {"color": HIGHLIGHT, "linestyle": "--", "linewidth": 0.9}
    england_lines = {"color": ENGLAND, "linestyle": ":", "linewidth": 0.9}
    # Autoscaling is off while the panels are filled, then on again for one pass at the end: with shared
    # axes each scatter and reference line otherwise rescales all 22 panels (O(panels^2), ~0.3 s a map).
    # The limits then cover every panel's points and its family and England lines.
    for ax in axes.flat:
        ax.set_autoscale_on(False)
    for fam, ax in zip(fams, axes.ravel(), strict=False):
        part = data[data["family"] == fam]
        # ax.scatter with the arguments sns.scatterplot passes (same points, white edge of width 0): seaborn
        # adds per-panel set-up (units, axis labels that query the tick labels) costing tens of ms a panel.
        ax.scatter(part[x].to_numpy(dtype=float), part[y].to_numpy(dtype=float), color=BASE,
                   s=30 if one else 16, linewidth=0, edgecolor="w")
        ax.axvline(part[x].mean(), **family_lines)
        ax.axhline(part[y].mean(), **family_lines)
        ax.axvline(nat[x], **england_lines)
        ax.axhline(nat[y], **england_lines)
        # One artist for the panel's labels, 2 points up and right of each point as annotate(xytext=(2, 2),
        # textcoords="offset points") put them: the same pixels as a Text per school, at a fraction of the
        # drawing cost (see style.PointLabels).
        label_points(ax, part[x], part[y], part[label], offset=(2, 2), fontsize=7 if one else 5,
                           color="#333333")
        # y=1.0 is where automatic placement puts it (no tick labels above the panel); fixing it skips the
        # per-draw measuring of every axis that automatic placement does.
        ax.set_title(f"Family {fam}", fontsize=11 if one else 9, y=1.0)
    for ax in axes.flat:
        ax.autoscale(True)
    fig.supxlabel(xlabel, fontsize=11)
    fig.supylabel(ylabel, fontsize=11)
    fig.suptitle(plain_text(title or f"{ylabel} against {xlabel}"), fontweight="bold")
    fig.text(0.01, 0.005, "Dashed: family mean; dotted: England. Labels: "
             + ("school" if label == "school_name" else "ESTAB number (see the families table)"),
             ha="left", fontsize=8)
    top = 0.88 if one else 1 - 0.9 / size[1]
    fig.subplots_adjust(left=0.08 if one else 0.06, right=0.98, bottom=0.12 if one else 0.6 / size[1] + 0.02,
                        top=top, hspace=0.35, wspace=0.12)
    # Ticks computed once, after the layout (their number depends on the panel size); the panels share
    # their axes, so this fixes them all.
    freeze_ticks(axes[0, 0])
    return fig
