"""A chart's PNG, drawn once, as the reports show it: cropped to what is drawn, in a small fixed palette.

The notebook's inline backend saved each figure as a full-colour PNG (``bbox_inches="tight"``), which the report
export then decoded and re-encoded in a palette, in the main process, one report after another. Here the kernel
draws the figure once, cuts its tight box (what ``savefig(bbox_inches="tight")`` keeps) out of the pixels, and
quantizes them straight to the palette PNG the report shows: one encoding, in parallel with the other notebooks.
"""

from __future__ import annotations

import io

import numpy as np

#: colours of a report PNG: charts are flat colours and antialiased text
PALETTE_COLOURS = 96
PAD_INCHES = 0.1  # matplotlib's default pad around a tight box


def quantize(image) -> bytes:
    """An RGB(A) PIL image (or PNG bytes) as an 8-bit palette PNG. Deterministic: a fixed palette method, no
    dithering, no metadata; a PNG already in palette mode is returned as it is. zlib level 6, not PIL's
    ``optimize`` (level 9): files 9% larger, encoded seven times faster (0.1 s against 0.8 s for a run's charts).
    Maximum coverage, not median cut: 1.7 times faster on the families maps (0.27 s against 0.45 s for three)
    and as close to the drawing (flat colours within one level of 255, largest channel error 9 against 35; the
    fast octree is faster still but turns the white background 254)."""
    from PIL import Image

    if isinstance(image, (bytes, bytearray)):
        opened = Image.open(io.BytesIO(image))
        if opened.mode == "P":
            return bytes(image)
        image = opened
    out = io.BytesIO()
    image.convert("RGB").quantize(colors=PALETTE_COLOURS, method=Image.Quantize.MAXCOVERAGE,
                                  dither=Image.Dither.NONE).save(out, format="PNG", compress_level=6)
    return out.getvalue()


def figure_png(fig) -> bytes:
    """``fig`` as a report PNG (see the module docstring).

    >>> import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 1)); _ = ax.plot([0, 1], [0, 1])
    >>> from PIL import Image; Image.open(io.BytesIO(figure_png(fig))).mode
    'P'
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    # One drawing of the whole figure, then its tight box measured on that drawing: where everything drawn lies
    # inside the figure (every chart here is laid out to fit), the box is cut out of the pixels, and the pad
    # beyond the figure's edge is its background. savefig(bbox_inches="tight") instead lays the figure out
    # once to measure the box and draws it a second time shifted into it: a third of a chart's time.
    if not _drawn_as_it_is(fig, canvas):
        canvas.draw()
    renderer = canvas.get_renderer()
    tight = fig.get_tightbbox(renderer)
    if tight is not None and _inside(tight, fig.bbox_inches):
        return quantize(Image.fromarray(_crop(np.asarray(canvas.buffer_rgba()), tight, fig)))
    return quantize(Image.fromarray(_shifted_drawing(fig, canvas, tight)))


def _drawn_as_it_is(fig, canvas) -> bool:
    """Whether the canvas already holds a drawing of the figure as it is now, at its size and resolution.

    In a kernel, pyplot redraws every changed figure after each cell (its IPython hook), just before the inline
    backend displays and closes them, so each chart was drawn twice. A figure is *stale* from any change until
    it is drawn; the canvas's renderer is made afresh when the size or dpi changes.
    """
    if fig.stale or getattr(canvas, "renderer", None) is None:
        return False
    width, height = canvas.get_width_height(physical=True)
    return getattr(canvas, "_lastKey", None) == (width, height, fig.dpi)


def _inside(box, figure_box, slack: float = 1e-6) -> bool:
    return (box.x0 >= figure_box.x0 - slack and box.y0 >= figure_box.y0 - slack
            and box.x1 <= figure_box.x1 + slack and box.y1 <= figure_box.y1 + slack)


def _crop(rgba: np.ndarray, tight, fig) -> np.ndarray:
    """The tight box (inches, origin bottom left) padded by PAD_INCHES, cut from the drawn pixels (origin top
    left); the pad is filled with the figure's background where it passes the figure's edge."""
    from matplotlib.colors import to_rgb

    dpi = fig.dpi
    height, width = rgba.shape[:2]
    padded = tight.padded(PAD_INCHES)
    # savefig's size (its renderer truncates the box to whole pixels), placed as it places the box: from its
    # bottom left corner (Agg counts rows from the bottom), at the nearest whole pixel
    left, bottom = round(padded.x0 * dpi), height - round(padded.y0 * dpi)
    right, top = left + int(padded.width * dpi), bottom - int(padded.height * dpi)
    background = np.array([round(255 * c) for c in to_rgb(fig.get_facecolor())], dtype=np.uint8)
    out = np.empty((bottom - top, right - left, 3), dtype=np.uint8)
    out[:] = background
    src_top, src_left = max(top, 0), max(left, 0)
    src_bottom, src_right = min(bottom, height), min(right, width)
    out[src_top - top:src_bottom - top, src_left - left:src_right - left] = \
        rgba[src_top:src_bottom, src_left:src_right, :3]
    return out


def _shifted_drawing(fig, canvas, tight) -> np.ndarray:
    """What savefig(bbox_inches="tight") draws: the figure shifted and resized to its padded tight box (for a
    chart with something drawn past the figure's edge)."""
    try:  # matplotlib is pinned (lock file): its own helper, without savefig's PNG round trip
        from matplotlib._tight_bbox import adjust_bbox
    except ImportError:  # pragma: no cover - a matplotlib without the helper: the usual way
        from PIL import Image

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=PAD_INCHES)
        return np.asarray(Image.open(buffer).convert("RGB"))
    renderer = canvas.get_renderer()
    restore = adjust_bbox(fig, tight.padded(PAD_INCHES), renderer, canvas.fixed_dpi)
    try:
        canvas.draw()
        return np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
    finally:
        restore()


def install(shell) -> None:
    """Make ``shell`` (an IPython kernel's) display figures through :func:`figure_png`. The inline backend is
    imported first: on import it hooks itself into the shell and sets its own PNG formatter, which this one
    then replaces."""
    try:
        import matplotlib_inline.backend_inline  # noqa: F401
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - the kernel has both
        return
    shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png)
