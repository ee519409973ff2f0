"""Charts: seaborn on a fixed style, so two runs draw identical figures.

Each function takes a tidy table and returns the matplotlib Figure; notebooks display it. Text from the
data is passed to matplotlib as plain text (no mathtext), so names like "St Alban's" render literally.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

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
    ax.set(xlabel=value_label, ylabel="", title=_plain(title))
    if reference_lines:
        ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig
