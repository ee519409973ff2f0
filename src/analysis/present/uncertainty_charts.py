"""Charts of uncertainty: plausible ranks (a caterpillar chart), LA intervals, and a funnel plot of schools."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .style import (BASE, HIGHLIGHT, OTHER, REFERENCE, describe, freeze_ticks, plain_text, plt, set_title, tight_layout,
                    use_style)


def _pct(p: float) -> str:
    from ..methods.uncertainty_findings import share_text

    return "no draws" if pd.isna(p) else share_text(float(p))


def _row_height(n: int) -> float:
    """Inches per row: roomy for a few LAs, tighter for a long list of schools (which keeps it readable)."""
    return 0.4 if n <= 20 else 0.24


def caterpillar(simulation: pd.DataFrame, title: str, *, highlight: str | None = None,
                entity: str = "LA") -> plt.Figure:
    """Each entry's observed rank (dot) and the range its rank takes in 95% of the simulated draws (bar), best
    first; the chosen one in dark blue, the others grey. ``entity`` names what is ranked, for the caption."""
    use_style()
    name = simulation.attrs.get("name", "la_name")
    table = simulation.sort_values(["rank", name], kind="stable").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, _row_height(len(table)) * len(table) + 1.8))
    y = np.arange(len(table))
    colours = [HIGHLIGHT if n == highlight else OTHER for n in table[name]]
    ax.hlines(y, table["rank_low"], table["rank_high"], colors=colours, linewidth=6 if len(table) <= 20 else 4,
              alpha=0.55)
    ax.scatter(table["rank"], y, color=colours, zorder=3, s=36 if len(table) <= 20 else 16)
    ax.set_yticks(y, [plain_text(n) for n in table[name]], fontsize=None if len(table) <= 20 else 7)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(0.5, len(table) + 0.5)
    if len(table) <= 20:
        ax.set_xticks(range(1, len(table) + 1))
    # wrapped: centred under axes pushed right by long names, the label would run past the figure's edge
    ax.set_xlabel("Rank (1 = highest); bar: the ranks it takes in 95% of simulated draws", wrap=True)
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    set_title(ax, title, y=1.0)
    tight_layout(fig)
    freeze_ticks(ax)
    draws = simulation.attrs.get("draws")
    caption = (f"Each {entity}'s rank (dot) and the range of ranks it takes in 95% of "
               + (f"{draws:,} " if draws else "the ") + "draws from its interval (bar).")
    if highlight is not None and highlight in set(table[name]):
        me = table[table[name] == highlight].iloc[0]
        caption += (f" {plain_text(highlight)} ranks {int(me['rank'])}; its plausible ranks are {int(me['rank_low'])}"
                    f" to {int(me['rank_high'])}, and it comes first in {_pct(me['p_first'])}.")
    return describe(fig, caption, f"Chart: {plain_text(title)}. Ranks with their plausible ranges: " + "; ".join(
        f"{n} {r} ({lo}-{hi})" for n, r, lo, hi in table[[name, "rank", "rank_low", "rank_high"]].itertuples(
            index=False)) + ".")


def funnel_plot(points: pd.DataFrame, title: str, *, value_label: str = "Progress 8",
                la_name: str = "the LA") -> plt.Figure:
    """Schools' P8 against their pupils (``funnel.school_points``), the 95% and 99.8% limits around the national
    value; the LA's schools (``highlight``) in dark blue on top, the others grey."""
    from ..methods.funnel import funnel_limits

    use_style()
    national, sd = points.attrs["national"], points.attrs["sd"]
    fig, ax = plt.subplots(figsize=(8, 5))
    if len(points):
        limits = funnel_limits(national, sd, float(points["pupils"].max()), n_min=max(5.0, float(points["pupils"].min())))
        ax.fill_between(limits["pupils"], limits["low_998"], limits["high_998"], color=REFERENCE, alpha=0.08, lw=0,
                        label="99.8% limits")
        ax.fill_between(limits["pupils"], limits["low_95"], limits["high_95"], color=REFERENCE, alpha=0.16, lw=0,
                        label="95% limits")
        ax.set_xscale("log")
        ticks = [t for t in (5, 10, 20, 50, 100, 200, 500, 1000) if limits["pupils"].min() <= t <= limits["pupils"].max()]
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
    if pd.notna(national):
        ax.axhline(national, color=REFERENCE, linewidth=1.2, linestyle="--", label=f"England ({national:.2f})")
    others, mine = points[~points["highlight"]], points[points["highlight"]]
    ax.scatter(others["pupils"], others["p8"], s=9, color=OTHER, alpha=0.6, linewidth=0, label="other schools")
    ax.scatter(mine["pupils"], mine["p8"], s=26, color=HIGHLIGHT, linewidth=0, zorder=3,
               label=f"{plain_text(la_name)} schools chosen")
    ax.set(xlabel="Pupils in the group (log scale)", ylabel=value_label)
    set_title(ax, title, y=1.0)
    ax.legend(loc="upper right", fontsize=8)
    tight_layout(fig)
    freeze_ticks(ax)
    above = int(mine["outside"].str.startswith("above").sum())
    below = int(mine["outside"].str.startswith("below").sum())
    caption = (f"Each dot is a school: its {value_label} against its number of pupils. The shaded funnel is where a "
               "school whose pupils progressed like pupils nationally would lie 95% (darker) and 99.8% of the time; "
               "it narrows as cohorts grow. ")
    caption += (f"Of the {len(mine)} {plain_text(la_name)} schools chosen, {above} lie above the 95% limits and "
                f"{below} below them." if len(mine) else f"The data held have no such figures for {plain_text(la_name)}'s schools; "
                "the dots are the schools whose figures are held.")
    return describe(fig, caption, f"Chart: {plain_text(title)}. Funnel plot of {len(points)} schools, "
                    f"{len(mine)} of them {plain_text(la_name)}'s: {above} above and {below} below the 95% limits.")


def interval_chart(intervals: pd.DataFrame, title: str, *, pupil_group: str = "disadvantaged",
                   highlight: str | None = None, reference_lines: dict[str, float] | None = None,
                   higher_is_better: bool = True, value_label: str = "Progress 8") -> plt.Figure:
    """Each LA's value (dot) and 95% interval (bar) for one pupil group, best first, with reference lines."""
    use_style()
    rows = intervals[(intervals["pupil_group"] == pupil_group) & intervals["value"].notna()]
    rows = rows.sort_values(["value", "la_name"], ascending=[not higher_is_better, True], kind="stable")
    rows = rows.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(rows) + 1.8))
    y = np.arange(len(rows))
    colours = [HIGHLIGHT if n == highlight else OTHER for n in rows["la_name"]]
    ax.hlines(y, rows["low"], rows["high"], colors=colours, linewidth=2.5)
    ax.scatter(rows["value"], y, color=colours, zorder=3, s=36)
    styles = ["--", ":", "-."]
    for i, (name, value) in enumerate((reference_lines or {}).items()):
        ax.axvline(value, color=REFERENCE, linestyle=styles[i % 3], linewidth=1.2, label=f"{plain_text(name)} "
                   f"({value:.2f})")
    ax.set_yticks(y, [plain_text(n) for n in rows["la_name"]])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel(f"{value_label}: dot, the published value; bar, its 95% interval", wrap=True)  # as caterpillar's
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    if reference_lines:
        ax.legend(loc="lower right", fontsize=8)
    set_title(ax, title, y=1.0)
    tight_layout(fig)
    freeze_ticks(ax)
    caption = ("Each LA's published value (dot) and the range its true value plausibly lies in (bar, 95% "
               "interval); where two bars overlap a lot, the data cannot tell the two LAs apart.")
    return describe(fig, caption, f"Chart: {plain_text(title)}. " + "; ".join(
        f"{n} {v:.2f} ({lo:.2f} to {hi:.2f})" for n, v, lo, hi in rows[["la_name", "value", "low", "high"]].itertuples(
            index=False)) + ".")
