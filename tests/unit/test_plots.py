"""Plot helpers: point labels drawn by one artist, and ticks fixed once layout is final."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.transforms import ScaledTranslation

from analysis.present import charts, style

X, Y, LABELS = [1.0, 4.0, 9.5], [2.0, 8.0, 9.5], ["2056", "St Alban's $5", "9999"]


def _figure():
    fig, ax = plt.subplots(figsize=(4, 3), dpi=72)
    ax.set(xlim=(0, 10), ylim=(0, 10))
    return fig, ax


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


class TestPointLabels:
    def test_anchor_is_offset_in_points(self):
        fig, ax = _figure()
        artist = style.label_points(ax, [5.0], [5.0], ["A"], offset=(2, 2), fontsize=5)
        # at 72 dpi a point is a pixel: the anchor is the data point's pixel position plus (2, 2)
        px, py = ax.transData.transform((5.0, 5.0))
        assert artist._positions()[0] == pytest.approx([px + 2, py + 2])
        # left/baseline text: the extent starts at the anchor's x (and dips below it by the descent)
        box = artist.get_window_extent(fig.canvas.get_renderer())
        assert box.x0 == pytest.approx(px + 2) and box.y0 < py + 2 < box.y1
        plt.close(fig)

    def test_same_pixels_and_extent_as_one_text_per_label(self):
        # The artist replaces ax.text(x, y, label, transform=data + 2 points, clip_on=False) per label: the PNG
        # saved with bbox_inches="tight" (labels past the right edge widen it) must be byte-identical.
        fig, ax = _figure()
        offset = ax.transData + ScaledTranslation(2 / 72, 2 / 72, fig.dpi_scale_trans)
        for x, y, label in zip(X, Y, LABELS, strict=True):
            ax.text(x, y, style.plain_text(label), transform=offset, fontsize=5, color="#333333", clip_on=False)
        expected = _png(fig)
        fig, ax = _figure()
        style.label_points(ax, X, Y, LABELS, fontsize=5, color="#333333")
        assert _png(fig) == expected

    def test_empty_and_missing_labels_are_skipped(self):
        fig, ax = _figure()
        artist = style.label_points(ax, [1.0, np.nan, 3.0], [1.0, 2.0, 3.0], ["", "x", "B"], fontsize=5)
        box = artist.get_window_extent(fig.canvas.get_renderer())
        # only "B" at (3, 3) counts: the extent starts at its anchor
        assert box.x0 == pytest.approx(ax.transData.transform((3.0, 3.0))[0] + 2)
        plt.close(fig)


class TestFreezeTicks:
    def test_same_ticks_and_labels_inside_the_view(self):
        fig, ax = _figure()
        ax.set(xlim=(-7.3, 10.2), ylim=(18, 102))
        fig.canvas.draw()
        before = [([t.get_loc() for t in axis.get_major_ticks()], [t.get_text() for t in axis.get_ticklabels()])
                  for axis in (ax.xaxis, ax.yaxis)]
        style.freeze_ticks(ax)
        fig.canvas.draw()
        after = [(list(axis.get_ticklocs()), [t.get_text() for t in axis.get_ticklabels()])
                 for axis in (ax.xaxis, ax.yaxis)]
        for (locs, labels), (new_locs, new_labels) in zip(before, after, strict=True):
            # the frozen ticks are the automatic ticks that fall inside the view, labelled the same
            keep = [i for i, loc in enumerate(locs) if loc in new_locs]
            assert new_locs == [locs[i] for i in keep] and new_labels == [labels[i] for i in keep]
        # x: -7.3..10.2 -> automatic ticks every 2.5 or 5; none outside the view survives
        assert all(-7.3 <= loc <= 10.2 for loc in ax.get_xticks())
        assert all(18 <= loc <= 102 for loc in ax.get_yticks())
        plt.close(fig)

    def test_shared_axes_share_the_frozen_ticks(self):
        fig, axes = plt.subplots(1, 2, sharex=True, sharey=True)
        axes[0].set(xlim=(0, 10), ylim=(0, 1))
        style.freeze_ticks(axes[0])
        assert list(axes[1].get_xticks()) == list(axes[0].get_xticks())
        assert list(axes[1].get_yticks()) == list(axes[0].get_yticks())
        plt.close(fig)


class TestFigurePng:
    """A report PNG is the figure's tight box, as savefig(bbox_inches="tight") cuts it, whichever way it is made
    (one drawing cut to the box, or the shifted redraw when something lies past the figure's edge)."""

    @staticmethod
    def _pixels(png: bytes) -> np.ndarray:
        from PIL import Image

        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)

    @staticmethod
    def _ink_box(pixels: np.ndarray) -> np.ndarray:
        """(top, left, bottom, right) of the pixels that are not white background."""
        rows, cols = np.nonzero((pixels < 250).any(axis=2))
        return np.array([rows.min(), cols.min(), rows.max(), cols.max()])

    def _savefig(self, fig) -> np.ndarray:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight", pad_inches=0.1)
        return self._pixels(buf.getvalue())

    @pytest.mark.parametrize("size", [(6, 3), (3.3, 2.1)])
    def test_a_chart_inside_its_figure_is_cut_to_savefigs_box(self, size, monkeypatch):
        from analysis.present import png

        style.use_style()
        fig, ax = plt.subplots(figsize=size, dpi=100)
        ax.plot([0, 1], [0, 3])
        ax.set_title("A title")
        ax.set_xlabel("x label")
        fig.suptitle("Suptitle", x=0.01, ha="left")
        fig.tight_layout()  # everything inside the figure: the one-drawing path, never the redraw
        monkeypatch.setattr(png, "_shifted_drawing", lambda *a: pytest.fail("redrawn, not cut"))
        ours = self._pixels(png.figure_png(fig))
        monkeypatch.undo()
        theirs = self._savefig(fig)
        plt.close(fig)
        # the same box to a pixel each way, and what is drawn in the same place in it to a pixel (savefig draws at
        # the box's fractional offset, so antialiased edges differ: compare where ink is, not exact colours)
        assert abs(ours.shape[0] - theirs.shape[0]) <= 1 and abs(ours.shape[1] - theirs.shape[1]) <= 1
        assert np.abs(self._ink_box(ours) - self._ink_box(theirs)).max() <= 1
        assert (ours[0] == 255).all() and (ours[:, 0] == 255).all()  # the pad: white margin all round

    def test_text_past_the_figures_edge_is_kept(self):
        from analysis.present import png

        fig, ax = plt.subplots(figsize=(4, 2), dpi=100)
        ax.plot([0, 1], [0, 1])
        ax.text(1.3, 0.5, "sticks out past the right edge", transform=ax.transAxes)
        ours, theirs = self._pixels(png.figure_png(fig)), self._savefig(fig)
        plt.close(fig)
        assert ours.shape[1] > 4 * 100  # wider than the figure itself: the text is in the picture
        assert ours.shape == theirs.shape

    @staticmethod
    def _chart(title: str):
        fig, ax = plt.subplots(figsize=(3, 2), dpi=100)
        ax.plot([0, 1], [0, 2])
        ax.set_title(title)
        fig.tight_layout()
        return fig

    def test_a_figure_drawn_as_it_is_is_not_drawn_again(self, monkeypatch):
        """pyplot's after-cell redraw already drew it: the PNG is that drawing, the same bytes as a fresh one."""
        from analysis.present import png

        fresh = png.figure_png(self._chart("Same"))
        fig = self._chart("Same")
        fig.canvas.draw()  # what pyplot's IPython hook does after each cell
        monkeypatch.setattr(fig.canvas, "draw", lambda: pytest.fail("drawn a second time"))
        assert png.figure_png(fig) == fresh
        plt.close("all")

    @pytest.mark.parametrize("change", ["title", "size", "dpi"])
    def test_a_figure_changed_after_its_drawing_is_drawn_again(self, change):
        from analysis.present import png

        def changed(fig):
            if change == "title":
                fig.axes[0].set_title("Changed")
            elif change == "size":
                fig.set_size_inches(4, 2)
            else:
                fig.set_dpi(150)
            return fig

        expected = png.figure_png(changed(self._chart("Same")))  # never drawn before the change
        fig = self._chart("Same")
        fig.canvas.draw()
        assert png.figure_png(changed(fig)) == expected
        plt.close("all")


class TestLongText:
    """A title (or axis label) longer than the chart wraps inside the figure: the report image is the chart's own
    width, and its PNG is one drawing cut to size, never the shifted redraw."""

    TITLE = ("Disadvantaged pupils' Progress 8 in a local authority with a long name and its statistical neighbours, "
             "ranked highest first, 2016/17")
    NAMES = [f"The Very Long Name Church of England Academy number {i}" for i in range(40)]

    def _charts(self):
        from analysis.present import uncertainty_charts

        n = len(self.NAMES)
        values = np.linspace(-1.0, 1.0, n)
        yield charts.ranked_bars(pd.DataFrame({"school": self.NAMES, "p8": values}), "p8", "school", self.TITLE,
                                 reference_lines={"England": 0.1})
        yield charts.la_vs_england_bars(pd.DataFrame({"la_name": "Somewhere", "label": ["All pupils", "Disadvantaged"],
                                                      "la_value": [0.1, -0.3], "england_value": [0.0, -0.4]}),
                                        self.TITLE)
        yield charts.trend_lines(pd.DataFrame({"year": [2016, 2017] * 2, "area": ["Somewhere"] * 2 + ["England"] * 2,
                                               "pupil_group": "all", "value": [0.1, 0.2, 0.0, 0.0]}), self.TITLE)
        ranks = np.arange(1, n + 1)
        yield uncertainty_charts.caterpillar(pd.DataFrame({"la_name": self.NAMES, "rank": ranks,
                                                           "rank_low": np.maximum(ranks - 3, 1),
                                                           "rank_high": np.minimum(ranks + 3, n)}), self.TITLE)

    def test_everything_drawn_lies_inside_the_figure(self, monkeypatch):
        from analysis.present import png

        monkeypatch.setattr(png, "_shifted_drawing", lambda *a: pytest.fail("drawn again, shifted"))
        for fig in self._charts():
            fig.canvas.draw()
            tight = fig.get_tightbbox(fig.canvas.get_renderer())
            assert png._inside(tight, fig.bbox_inches), (fig.axes[0].get_title(loc="left"), tight.bounds)
            assert png.figure_png(fig)
            plt.close(fig)

    def test_a_narrow_maps_wrapped_title_stays_above_its_panels(self):
        from analysis.present import maps, png

        families = pd.DataFrame({"family": [1, 1, 1, 2, 2, 2], "urn": [f"10000{i}" for i in range(6)],
                                 "estab": [f"200{i}" for i in range(6)], "read_progress": [-1.0, 0.0, 1.0] * 2,
                                 "read_meet_pct": [50.0, 60.0, 70.0, 55.0, 65.0, 75.0]})
        national = pd.DataFrame({"measure": ["read_progress", "read_meet_pct"], "value": [0.0, 66.0]})
        fig = maps.family_map(families, national, "read", title=self.TITLE)  # two panels: 4.2 in wide
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        title = fig._suptitle.get_window_extent(renderer)
        panels = max(ax.title.get_window_extent(renderer).y1 for ax in fig.axes if ax.get_visible())
        assert "\n" in fig._suptitle._get_wrapped_text() and title.y0 > panels
        assert png._inside(fig.get_tightbbox(renderer), fig.bbox_inches)
        plt.close(fig)

    def test_a_long_title_keeps_every_word(self):
        fig = next(iter(self._charts()))
        fig.canvas.draw()
        title = fig.axes[0]._left_title  # the house style's titles are left-aligned
        assert "\n" in title._get_wrapped_text()
        assert title._get_wrapped_text().split() == self.TITLE.split()
        plt.close(fig)
