"""Charts: each takes a tidy table and returns a matplotlib Figure drawn in the house style (:mod:`.style`);
notebooks display it. Deterministic: two runs draw identical figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns

from .style import BASE, ENGLAND, HIGHLIGHT, PALETTE, freeze_ticks, plain_text, plt, use_style


def la_vs_england_bars(comparison: pd.DataFrame, title: str, value_label: str = "Progress 8") -> plt.Figure:
    """Grouped bars: the LA and England for each pupil group, values printed on the bars."""
    use_style()
    la_name = plain_text(comparison["la_name"].iloc[0])
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
    ax.set(xlabel="", ylabel=value_label, title=plain_text(title))
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
                label=f"{plain_text(h)}: {str(s).replace('_', '-')}")
    for y in no_data_years or []:
        ax.axvspan(y - 0.5, y + 0.5, color="#eeeeee", zorder=0)
        ax.text(y, 0.02, "no data", transform=ax.get_xaxis_transform(), ha="center", fontsize=8, color="grey")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(years)
    ax.set(xlabel="Academic year ending", ylabel=value_label, title=plain_text(title))
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def ranked_bars(table: pd.DataFrame, value: str, label: str, title: str, *, highlight: str | None = None,
                rank: str | None = None, reference_lines: dict[str, float | None] | None = None,
                value_label: str = "Progress 8") -> plt.Figure:
    """Horizontal bars in the table's order (best first), the ``highlight`` row in the accent colour, each value
    printed just beyond its bar's end, reference lines (England, group averages) in a legend below.

    ``rank``: a column of rank labels ("1", "2=") to put before each name; rows without one read "(no data)".
    """
    use_style()
    names = [plain_text(n) for n in table[label]]
    if rank is not None:
        names = [f"{r}. {n}" if r else f"{n} (no data)" for r, n in zip(table[rank], names, strict=True)]
    values = table[value].to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(table) + 2.2))
    colours = [HIGHLIGHT if n == highlight else BASE for n in table[label]]
    y = np.arange(len(table))
    ax.barh(y, np.nan_to_num(values), color=colours)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    finite = values[np.isfinite(values)]
    span = float(np.abs(finite).max()) if len(finite) else 1.0
    for i, v in enumerate(values):
        if np.isfinite(v):  # the number sits just beyond the bar's end, on the side the bar points to
            ax.text(v + (0.03 if v >= 0 else -0.03) * span, i, f"{v:.2f}", va="center",
                    ha="left" if v >= 0 else "right", fontsize=8, color="black")
    styles = ["--", ":", "-.", (0, (5, 1))]
    lines = {k: float(x) for k, x in (reference_lines or {}).items() if x is not None and pd.notna(x)}
    for (name, x), ls in zip(lines.items(), styles, strict=False):
        ax.axvline(x, color=ENGLAND, linestyle=ls, linewidth=1.2, label=f"{plain_text(name)} ({x:.2f})")
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlim(min([0.0, *finite, *lines.values()]) - 0.25 * span, max([0.0, *finite, *lines.values()]) + 0.25 * span)
    # y=1.0: where automatic placement puts the title, without measuring every tick label again on each draw.
    ax.set_title(plain_text(title), y=1.0)
    ax.set(xlabel=value_label, ylabel="")
    if lines:
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / max(len(table), 1)),
                  ncol=1, frameon=False)
    fig.tight_layout()
    freeze_ticks(ax)  # after the layout, which sets the axes size the number of ticks depends on
    return fig


# ------------------------------------------------------------------ Cracking the Code


def plot_rate_distribution(flagged: pd.DataFrame, national_rate: float, title: str):
    """Histogram of schools' disadvantaged 5ACEM %, with the national all-pupil rate as a line."""
    use_style()
    fig, ax = plt.subplots()
    sns.histplot(data=flagged, x="pct_5acem_disadvantaged", binwidth=5, binrange=(0, 100), color=BASE, ax=ax)
    ax.axvline(national_rate, color=HIGHLIGHT, linestyle="--", linewidth=1.5,
               label=f"National rate, all pupils ({national_rate:.1f}%)")
    ax.set(xlabel="% of the school's disadvantaged pupils achieving 5+ A*-C incl. English and maths",
           ylabel="Schools", title=plain_text(title))
    ax.legend(loc="upper right", fontsize=9)
    fig.tight_layout()
    return fig


def plot_by_region(regions: pd.DataFrame, title: str, london: str = "London"):
    """Bars: code-breaker schools per region (London highlighted), labelled with the region's share."""
    use_style()
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(regions) + 1.5))
    colours = [HIGHLIGHT if r == london else BASE for r in regions["region"]]
    y = np.arange(len(regions))
    ax.barh(y, regions["code_breakers"].to_numpy(dtype=float), color=colours)
    ax.set_yticks(y, [plain_text(r) for r in regions["region"]])
    ax.invert_yaxis()
    for i, (n, s) in enumerate(zip(regions["code_breakers"], regions["share_pct"], strict=True)):
        ax.text(n, i, f" {n} ({s:.0f}% of schools)", va="center", fontsize=8)
    ax.set(xlabel="Code-breaker schools", ylabel="", title=plain_text(title))
    ax.set_xlim(0, regions["code_breakers"].max() * 1.35 + 1)
    fig.tight_layout()
    return fig


def plot_threshold(table: pd.DataFrame, title: str):
    """Line: code-breaker count (and share) against the minimum disadvantaged cohort."""
    use_style()
    fig, ax = plt.subplots()
    ax.plot(table["min_cohort"], table["code_breakers"], marker="o", color=BASE)
    for x, n, s in zip(table["min_cohort"], table["code_breakers"], table["share_pct"], strict=True):
        ax.annotate(f"{n}\n({s:.1f}%)", (x, n), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    ax.set(xlabel="Minimum number of disadvantaged pupils for a school to count", ylabel="Code-breaker schools",
           title=plain_text(title))
    ax.set_ylim(0, table["code_breakers"].max() * 1.25)
    fig.tight_layout()
    return fig


def plot_half_gap(bands: dict[str, pd.DataFrame], title: str):
    """Side-by-side bars: extra achievers per band for each simulation (dict: panel title -> bands table)."""
    use_style()
    fig, axes = plt.subplots(1, len(bands), figsize=(5 * len(bands), 4.5), squeeze=False)
    for ax, (name, table) in zip(axes[0], bands.items(), strict=True):
        labels = [f"{a:.0f}-{b:.0f}" if b - a >= 1 else f"{a:.1f}-{b:.1f}" for a, b in
                  zip(table["band_from"], table["band_to"], strict=True)]
        ax.bar(np.arange(len(table)), table["extra"].to_numpy(dtype=float), color=BASE)
        ax.set_xticks(np.arange(len(table)), labels, rotation=45, ha="right", fontsize=8)
        # y=1.0: where automatic placement puts a title over bottom-only tick labels, without re-measuring
        # the axes on every draw.
        ax.set_title(plain_text(name), y=1.0)
        ax.set(ylabel="Extra pupils reaching 5ACEM", xlabel="Band (range of the grouping)")
    fig.suptitle(plain_text(title), fontweight="bold")
    fig.tight_layout()
    for ax in axes[0]:
        freeze_ticks(ax)  # after the layout, which sets the panel sizes the tick count depends on
    return fig
