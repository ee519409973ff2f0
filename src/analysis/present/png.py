"""A chart's PNG, drawn once, as the reports show it: cropped to what is drawn, in a small fixed palette.

The notebook's inline backend saved each figure as a full-colour PNG (``bbox_inches="tight"``), which the report
export then decoded and re-encoded in a palette, in the main process, one report after another. Here the kernel
lays the figure out, measures its tight box and draws that box once (as ``savefig`` does), and quantizes the
pixels straight to the palette PNG the report shows: one encoding, in parallel with the other notebooks.
"""

from __future__ import annotations

import io

import numpy as np

#: colours of a report PNG: charts are flat colours and antialiased text
PALETTE_COLOURS = 96
PAD_INCHES = 0.1  # matplotlib's default pad around a tight box


def quantize(image) -> bytes:
    """An RGB(A) PIL image (or PNG bytes) as an 8-bit palette PNG. Deterministic: a fixed palette method, no
    dithering, no metadata; a PNG already in palette mode is returned as it is."""
    from PIL import Image

    if isinstance(image, (bytes, bytearray)):
        opened = Image.open(io.BytesIO(image))
        if opened.mode == "P":
            return bytes(image)
        image = opened
    out = io.BytesIO()
    image.convert("RGB").quantize(colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT,
                                  dither=Image.Dither.NONE).save(out, format="PNG", optimize=True)
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

    try:  # what savefig(bbox_inches="tight") does, without its PNG round trip (matplotlib is pinned: lock file)
        from matplotlib._tight_bbox import adjust_bbox
    except ImportError:  # pragma: no cover - a matplotlib without the helper: the usual way
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=PAD_INCHES)
        return quantize(buffer.getvalue())
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    fig.draw_without_rendering()  # the layout (ticks, text extents) the tight box is measured on
    restore = adjust_bbox(fig, fig.get_tightbbox(renderer).padded(PAD_INCHES), renderer, canvas.fixed_dpi)
    try:
        canvas.draw()  # the one drawing, of the tight box only
        pixels = np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
    finally:
        restore()
    return quantize(Image.fromarray(pixels))


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
