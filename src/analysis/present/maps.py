"""Families of Schools maps: small multiples, one panel per family (performance and tracking maps)."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from .labels import place_labels
from .style import BASE, HIGHLIGHT, REFERENCE, describe, freeze_ticks, plain_text, plt, text_renderer, use_style

MAPS = {
    "read": ("read_progress", "read_meet_pct", "Reading progress", "Reading: % meeting expected standard"),
    "mat": ("mat_progress", "mat_meet_pct", "Maths progress", "Maths: % meeting expected standard"),
    # No writing map: the KS2 file held has no writing attainment (its "Writing" % is the GPS test), and the
    # tracking gap uses the weaker of reading and maths for the same reason (methods.families.intake_measures).
    "tracking": ("rwm_meet_pct", "tracking_gap_pct", "Reading, writing and maths combined: % expected",
                 "Weaker of reading and maths % minus combined %"),
}


def family_map(families: pd.DataFrame, national: pd.DataFrame, kind: str, *, label: str = "estab",
               col_wrap: int = 5, title: str = ""):
    """Small multiples, one panel per family: a performance map (kind read/mat: attainment against
    progress) or the tracking map (combined attainment against lowest subject minus combined).

    Dashed lines: the family's mean; dotted: England's. Points are labelled with ``label`` (ESTAB number by
    default, to keep panels readable; the families table gives the school) wherever a label fits without
    covering another label or point (:func:`.labels.place_labels`).
    """
    if kind not in MAPS:
        raise ParameterError(f"kind: {kind!r} is not one of {list(MAPS)}")
    x, y, xlabel, ylabel = MAPS[kind]
    use_style()
    missing = [c for c in (x, y) if c not in families.columns]
    if missing:  # a year's file without the measure: say so rather than fail the report
        fig, ax = plt.subplots(figsize=(8, 1.6))
        ax.axis("off")
        ax.text(0, 0.5, f"{ylabel} against {xlabel}: not in the data for this year ({', '.join(missing)}).",
                fontsize=11, va="center")
        return describe(fig, f"No map: the school file has no {', '.join(missing)}.",
                        f"Chart: {plain_text(title) or ylabel}. No data to draw.")
    nat = national.set_index("measure")["value"]
    data = families.dropna(subset=[x, y]).sort_values(["family", "urn"], kind="stable")
    fams = sorted(data["family"].unique())
    one = len(fams) == 1
    ncols = min(col_wrap, len(fams))
    nrows = -(-len(fams) // ncols)
    size = (10.0, 5.6) if one else (2.1 * ncols, 2.1 * nrows + 1.0)
    # Plain subplots with a fixed layout: tight_layout over 20+ panels costs seconds per figure.
    # Both grids as each panel is made (axes.grid.axis): a grid() call per panel afterwards restyled every tick of
    # every shared panel again, and they were drawn that much slower: 0.3-0.6 s of a 22-panel map's 1.2-1.5 s.
    with plt.rc_context({"axes.grid.axis": "both"}):
        fig, axes = plt.subplots(nrows, ncols, figsize=size, sharex=True, sharey=True, squeeze=False)
    for ax in axes.ravel()[len(fams):]:
        ax.set_visible(False)
    family_lines = {"color": HIGHLIGHT, "linestyle": "--", "linewidth": 1.0}
    england_lines = {"color": REFERENCE, "linestyle": ":", "linewidth": 1.0}
    # Autoscaling is off while the panels are filled, then on again for one pass at the end: with shared
    # axes each scatter and reference line otherwise rescales all 22 panels (O(panels^2), ~0.3 s a map).
    # The limits then cover every panel's points and its family and England lines.
    for ax in axes.flat:
        ax.set_autoscale_on(False)
    parts = []
    for fam, ax in zip(fams, axes.ravel(), strict=False):
        part = data[data["family"] == fam]
        parts.append((ax, part))
        ax.scatter(part[x].to_numpy(dtype=float), part[y].to_numpy(dtype=float), color=BASE,
                   s=36 if one else 14, linewidth=0, edgecolor="w")
        ax.axvline(part[x].mean(), **family_lines)
        ax.axhline(part[y].mean(), **family_lines)
        ax.axvline(nat[x], **england_lines)
        ax.axhline(nat[y], **england_lines)
        ax.spines["left"].set_visible(True)
        if not one:
            # y=1.0 is where automatic placement puts it; fixing it skips the per-draw measuring of every axis.
            ax.set_title(f"Family {fam}", fontsize=10, y=1.0, loc="center")
    for ax in axes.flat:
        ax.autoscale(True)
    fig.supxlabel(xlabel, fontsize=11)
    fig.supylabel(ylabel, fontsize=11)
    fig.suptitle(plain_text(title or f"{ylabel} against {xlabel}"), fontweight="bold", x=0.01, ha="left",
                 wrap=True)
    # The title wraps at the figure's edge (a long LA name on a narrow map): the panels start below all its lines.
    # Room reserved above the panels: what a one-line title needs, plus each extra line's height.
    extra = _title_lines(fig) - 1
    line = 11 * 1.6 / 72  # a bold 11 pt line with its spacing, in inches
    top = (0.9 if one else 1 - 0.75 / size[1]) - extra * line / size[1]
    fig.subplots_adjust(left=0.08 if one else 0.07, right=0.98, bottom=0.12 if one else 0.55 / size[1],
                        top=top, hspace=0.38, wspace=0.1)
    # Ticks computed once, after the layout (their number depends on the panel size); the panels share
    # their axes, so this fixes them all.
    freeze_ticks(axes[0, 0])
    # Labels last: where each fits depends on the final limits and layout.
    for ax, part in parts:
        place_labels(ax, part[x], part[y], [plain_text(v) for v in part[label]], fontsize=8 if one else 6.5,
                     marker_radius=3.5 if one else 2.5)
    named = "school" if label == "school_name" else "ESTAB number"
    what = "attainment against progress" if kind != "tracking" else "combined attainment against the gap to the weakest subject"
    caption = (f"Each dot is a school: {what}{'' if one else ', one panel per family (family 1 has the most challenging intake)'}. "
               f"Dashed lines: the family's mean; dotted: England's. Schools up and to the right of both lines do "
               f"better than the family and England. Labels: {named}, where there is room "
               f"({'the family table lists every school' if one else 'the families table lists every school'}).")
    return describe(fig, caption, f"Chart: {plain_text(title) or ylabel}. Scatter plot{'s' if not one else ''} of "
                    f"{ylabel} against {xlabel} for {len(data)} schools in {len(fams)} famil{'y' if one else 'ies'}.")


def _title_lines(fig) -> int:
    """How many lines the figure's (wrapped) title takes at the figure's width: 1 when it fits, or when there is
    no renderer to measure it with."""
    title, renderer = fig._suptitle, text_renderer(fig)
    if title is None or renderer is None:
        return 1
    title.get_window_extent(renderer)  # lays the text out, wrapping it where it reaches the edge
    return title._get_wrapped_text().count("\n") + 1
