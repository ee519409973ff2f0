"""Charts: each takes a tidy table and returns a matplotlib Figure drawn in the house style (:mod:`.style`),
with a caption that says what it shows and what to notice, and alt text (:func:`.style.describe`); notebooks
display it. Deterministic: two runs draw identical figures. Numbers in captions come from the table drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .style import (BASE, ENGLAND, HIGHLIGHT, LABEL_BOX, OTHER, PALETTE, PLACE, REFERENCE, TEXT, describe,
                    freeze_ticks, plain_text, plt, set_title, tight_layout, use_style)

_LINE_STYLES = ["-", "--", ":", "-."]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X"]


def _num(v: float, dp: int = 2) -> str:
    """A number for a caption: fixed decimals, a true minus sign."""
    return f"{v:.{dp}f}".replace("-", "\u2212")


def _bar_label(ax, x, y, value: float, text: str, *, horizontal: bool, span: float) -> None:
    """A value label just beyond the end of a bar, dark on a white box (never on the bar, never crossed by a line)."""
    gap = 0.02 * span
    if horizontal:
        ax.text(value + (gap if value >= 0 else -gap), y, text, va="center", ha="left" if value >= 0 else "right",
                fontsize=9, color=TEXT, bbox=LABEL_BOX, zorder=4)
    else:
        ax.text(x, value + (gap if value >= 0 else -gap), text, ha="center", va="bottom" if value >= 0 else "top",
                fontsize=9, color=TEXT, bbox=LABEL_BOX, zorder=4)


def la_vs_england_bars(comparison: pd.DataFrame, title: str, value_label: str = "Progress 8") -> plt.Figure:
    """Grouped bars: the LA and England for each pupil group, each value printed beyond its bar's end."""
    use_style()
    la_name = plain_text(comparison["la_name"].iloc[0])
    groups = [plain_text(g) for g in comparison["label"]]
    la = comparison["la_value"].to_numpy(dtype=float)
    eng = comparison["england_value"].to_numpy(dtype=float)
    fig, ax = plt.subplots()
    x = np.arange(len(groups))
    width = 0.38
    ax.bar(x - width / 2, np.nan_to_num(la), width, color=PLACE, label=la_name)
    ax.bar(x + width / 2, np.nan_to_num(eng), width, color=ENGLAND, label="England")
    values = np.concatenate([la, eng])
    finite = values[np.isfinite(values)]
    span = float(np.ptp(np.append(finite, 0.0))) or 1.0
    for xs, vs in ((x - width / 2, la), (x + width / 2, eng)):
        for xi, v in zip(xs, vs, strict=True):
            if np.isfinite(v):
                _bar_label(ax, xi, None, v, _num(v), horizontal=False, span=span)
    ax.axhline(0, color=REFERENCE, linewidth=0.8)
    ax.set_ylim(min(0.0, *finite) - 0.15 * span, max(0.0, *finite) + 0.15 * span)
    ax.set_xticks(x, groups)
    ax.set(xlabel="", ylabel=value_label)
    set_title(ax, title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    tight_layout(fig)
    diff = la - eng
    caption = f"{value_label} of {la_name}'s pupils and of pupils in England, by pupil group."
    if np.isfinite(diff).any():
        i = int(np.nanargmax(np.abs(diff)))
        side = "above" if diff[i] > 0 else "below" if diff[i] < 0 else "level with"
        caption += (f" The biggest difference is for {groups[i].lower()}: {la_name} {_num(la[i])}, {side} "
                    f"England's {_num(eng[i])}.")
    return describe(fig, caption, f"Chart: {plain_text(title)}. Bar chart of {value_label} for {la_name} and England "
                    f"by pupil group: " + "; ".join(f"{g} {_num(a)} against {_num(b)}" for g, a, b in
                                                     zip(groups, la, eng, strict=True) if np.isfinite(a)) + ".")


def trend_lines(series: pd.DataFrame, title: str, value_label: str = "Progress 8", hue: str = "area",
                style: str = "pupil_group", no_data_years: list[int] | None = None) -> plt.Figure:
    """Lines over years that break where data are missing (NaN), with missing years shaded and labelled."""
    use_style()
    fig, ax = plt.subplots(figsize=(9, 4.8))
    years = sorted(series["year"].dropna().astype(int).unique())
    kinds = sorted(series[style].unique())
    styles = dict(zip(kinds, _LINE_STYLES * 3, strict=False))
    areas = list(dict.fromkeys(series[hue]))
    colours = dict(zip(areas, PALETTE * 3, strict=False))
    markers = dict(zip(areas, _MARKERS * 3, strict=False))
    latest = {}
    for (h, s), part in series.groupby([hue, style], sort=True):
        part = part.set_index("year").reindex(years)  # NaN rows break the line: a gap, never a zero
        values = part["value"].to_numpy(dtype=float)
        name = plain_text(h) if len(kinds) == 1 else f"{plain_text(h)}: {str(s).replace('_', '-')}"
        ax.plot(years, values, linestyle=styles[s], marker=markers[h], color=colours[h], label=name, markersize=5)
        if np.isfinite(values).any():
            last = int(np.flatnonzero(np.isfinite(values))[-1])
            latest[name] = (years[last], values[last])
    for y in no_data_years or []:
        ax.axvspan(y - 0.5, y + 0.5, color="#f2f2f2", zorder=0)
        ax.text(y, 0.02, "no data", transform=ax.get_xaxis_transform(), ha="center", fontsize=8, color=TEXT,
                rotation=90, va="bottom")
    ax.axhline(0, color=REFERENCE, linewidth=0.8)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set(xlabel="Academic year ending", ylabel=value_label)
    set_title(ax, title)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    tight_layout(fig)
    caption = f"{value_label} each year from {years[0]} to {years[-1]} (academic years ending)." if years else ""
    if no_data_years:
        caption += " Shaded years have no data: no line is drawn through them."
    if latest:
        top = max(latest.items(), key=lambda kv: (kv[1][1], kv[0]))
        low = min(latest.items(), key=lambda kv: (kv[1][1], kv[0]))
        caption += (f" In the latest year with data the highest line is {top[0]} ({_num(top[1][1], 1 if abs(top[1][1]) >= 5 else 2)})"
                    f" and the lowest {low[0]} ({_num(low[1][1], 1 if abs(low[1][1]) >= 5 else 2)}).")
    return describe(fig, caption.strip(), f"Chart: {plain_text(title)}. Line chart of {value_label} over years for "
                    + ", ".join(latest) + ".")


def ranked_bars(table: pd.DataFrame, value: str, label: str, title: str, *, highlight: str | None = None,
                rank: str | None = None, reference_lines: dict[str, float | None] | None = None,
                value_label: str = "Progress 8") -> plt.Figure:
    """Horizontal bars in the table's order (best first), the ``highlight`` row in the focus colour and the
    others grey, each value printed just beyond its bar's end, reference lines (England, group averages) in a
    legend below.

    ``rank``: a column of rank labels ("1", "2=") to put before each name; rows without one read "(no data)".
    """
    use_style()
    names = [plain_text(n) for n in table[label]]
    if rank is not None:
        names = [f"{r}. {n}" if r else f"{n} (no data)" for r, n in zip(table[rank], names, strict=True)]
    values = table[value].to_numpy(dtype=float)
    row = 0.42 if len(table) <= 15 else 0.3
    fig, ax = plt.subplots(figsize=(8, row * len(table) + 2.0))
    colours = [HIGHLIGHT if n == highlight else OTHER for n in table[label]] if highlight else [BASE] * len(table)
    y = np.arange(len(table))
    ax.barh(y, np.nan_to_num(values), color=colours, height=0.7)
    ax.set_yticks(y, names)
    ax.set_ylim(len(table) - 0.5, -0.5)  # best first, no empty rows above or below
    finite = values[np.isfinite(values)]
    lines = {k: float(x) for k, x in (reference_lines or {}).items() if x is not None and pd.notna(x)}
    every = [0.0, *finite, *lines.values()]
    span = (max(every) - min(every)) or 1.0
    for i, v in enumerate(values):
        if np.isfinite(v):
            _bar_label(ax, None, i, v, _num(v), horizontal=True, span=span)
    for (name, x), ls in zip(lines.items(), ["--", ":", "-.", (0, (5, 1))], strict=False):
        ax.axvline(x, color=REFERENCE, linestyle=ls, linewidth=1.3, label=f"{plain_text(name)} ({_num(x)})", zorder=3)
    ax.axvline(0, color=REFERENCE, linewidth=0.8)
    ax.set_xlim(min(every) - 0.22 * span, max(every) + 0.22 * span)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    set_title(ax, title, y=1.0)
    ax.set(xlabel=value_label, ylabel="")
    if lines:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.5 / (row * len(table) + 2.0) - 0.06), ncol=1)
    tight_layout(fig)
    freeze_ticks(ax)  # after the layout, which sets the axes size the number of ticks depends on
    caption = f"{value_label}, highest first ({len(finite)} with data)."
    if highlight and highlight in list(table[label]):
        i = list(table[label]).index(highlight)
        place = f"{table[rank].iloc[i]}" if rank is not None and table[rank].iloc[i] else f"{i + 1}"
        caption += f" {plain_text(highlight)} (dark blue) is {place} of {len(table)}, at {_num(values[i])}."
    for name, x in list(lines.items())[:1]:
        caption += f" {int((finite > x).sum())} of {len(finite)} are above the line for {plain_text(name)} ({_num(x)})."
    return describe(fig, caption, f"Chart: {plain_text(title)}. Bar chart, highest first: "
                    + "; ".join(f"{n} {_num(v)}" for n, v in zip(names[:10], values[:10], strict=False) if np.isfinite(v))
                    + ("; and more, listed in the table" if len(names) > 10 else "") + ".")


# ------------------------------------------------------------------ Cracking the Code


def plot_rate_distribution(flagged: pd.DataFrame, national_rate: float, title: str):
    """Histogram of schools' disadvantaged 5ACEM %, with the national all-pupil rate as a line."""
    use_style()
    fig, ax = plt.subplots()
    rates = flagged["pct_5acem_disadvantaged"].dropna().to_numpy(dtype=float)
    ax.hist(rates, bins=np.arange(0, 105, 5), color=BASE, edgecolor="white")
    ax.axvline(national_rate, color=PALETTE[3], linestyle="--", linewidth=2,
               label=f"National rate, all pupils ({national_rate:.1f}%)")
    ax.set(xlabel="% of the school's disadvantaged pupils achieving 5+ A*-C incl. English and maths",
           ylabel="Schools")
    set_title(ax, title)
    ax.legend(loc="upper right")
    tight_layout(fig)
    above = int((rates > national_rate).sum())
    caption = (f"Schools by the share of their disadvantaged pupils reaching 5+ A*-C including English and maths. "
               f"The {above} schools right of the dashed line ({national_rate:.1f}%, the national rate for all "
               f"pupils) are code-breakers, {above / max(len(rates), 1):.1%} of the {len(rates):,} schools shown.")
    return describe(fig, caption, f"Chart: {plain_text(title)}. Histogram of schools' disadvantaged pupils' 5ACEM rate "
                    f"with the national all-pupil rate, {national_rate:.1f}%, marked.")


def plot_by_region(regions: pd.DataFrame, title: str, london: str = "London"):
    """Bars: code-breaker schools per region (London in the focus colour), labelled with the region's share."""
    use_style()
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(regions) + 1.5))
    colours = [HIGHLIGHT if r == london else OTHER for r in regions["region"]]
    y = np.arange(len(regions))
    counts = regions["code_breakers"].to_numpy(dtype=float)
    ax.barh(y, counts, color=colours, height=0.7)
    ax.set_yticks(y, [plain_text(r) for r in regions["region"]])
    ax.set_ylim(len(regions) - 0.5, -0.5)
    span = float(counts.max()) if len(counts) else 1.0
    for i, (n, s) in enumerate(zip(regions["code_breakers"], regions["share_pct"], strict=True)):
        _bar_label(ax, None, i, float(n), f"{n:,} ({s:.0f}% of schools)", horizontal=True, span=span)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set(xlabel="Code-breaker schools", ylabel="")
    set_title(ax, title)
    ax.set_xlim(0, span * 1.45 + 1)
    tight_layout(fig)
    top = regions.sort_values(["share_pct", "region"], ascending=[False, True], kind="stable").iloc[0] \
        if len(regions) else None
    caption = "Code-breaker schools in each region, with the share of the region's schools they make up."
    if top is not None:
        caption += f" {plain_text(top['region'])} has the highest share ({top['share_pct']:.0f}%)."
    return describe(fig, caption, f"Chart: {plain_text(title)}. Bar chart of code-breaker schools by region: "
                    + "; ".join(f"{plain_text(r)} {n}" for r, n in zip(regions["region"], regions["code_breakers"],
                                                                       strict=True)) + ".")


def plot_threshold(table: pd.DataFrame, title: str):
    """Line: code-breaker count (and share) against the minimum disadvantaged cohort."""
    use_style()
    fig, ax = plt.subplots()
    ax.plot(table["min_cohort"], table["code_breakers"], marker="o", color=BASE)
    for x, n, s in zip(table["min_cohort"], table["code_breakers"], table["share_pct"], strict=True):
        ax.annotate(f"{n:,}\n({s:.1f}%)", (x, n), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=9,
                    color=TEXT)
    ax.set(xlabel="Minimum number of disadvantaged pupils for a school to count", ylabel="Code-breaker schools")
    set_title(ax, title)
    ax.set_ylim(0, table["code_breakers"].max() * 1.3)
    tight_layout(fig)
    first, last = table.iloc[0], table.iloc[-1]
    caption = (f"How many schools count as code-breakers as the minimum number of disadvantaged pupils rises: "
               f"{first['code_breakers']:,} with {first['min_cohort']}+ pupils, {last['code_breakers']:,} with "
               f"{last['min_cohort']}+. Small cohorts make rates noisy, so the count depends on the rule.")
    return describe(fig, caption, f"Chart: {plain_text(title)}. Line chart of code-breaker schools against the minimum cohort.")


def plot_half_gap(bands: dict[str, pd.DataFrame], title: str):
    """Side-by-side bars: extra achievers per band for each simulation (dict: panel title -> bands table)."""
    use_style()
    fig, axes = plt.subplots(1, len(bands), figsize=(5 * len(bands), 4.5), squeeze=False)
    totals = []
    for ax, (name, table) in zip(axes[0], bands.items(), strict=True):
        labels = [f"{a:.0f}-{b:.0f}" if b - a >= 1 else f"{a:.1f}-{b:.1f}" for a, b in
                  zip(table["band_from"], table["band_to"], strict=True)]
        ax.bar(np.arange(len(table)), table["extra"].to_numpy(dtype=float), color=BASE)
        ax.set_xticks(np.arange(len(table)), labels, rotation=45, ha="right", fontsize=9)
        set_title(ax, name, y=1.0, fontsize=11)
        ax.set(ylabel="Extra pupils reaching 5ACEM", xlabel="Band (range of the grouping)")
        totals.append((name, float(table["extra"].sum())))
    fig.suptitle(plain_text(title), fontweight="bold", x=0.01, ha="left", wrap=True)
    tight_layout(fig)
    for ax in axes[0]:
        freeze_ticks(ax)  # after the layout, which sets the panel sizes the tick count depends on
    caption = ("Extra pupils reaching 5+ A*-C including English and maths in each band of similar schools, if every "
               "school below its band's benchmark closed half the gap. Totals: "
               + "; ".join(f"{plain_text(n).lower()}: {t:,.0f}" for n, t in totals) + ".")
    return describe(fig, caption, f"Chart: {plain_text(title)}. Three bar charts of extra pupils by band.")
