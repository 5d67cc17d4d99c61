"""Figures with one common look: image rows and grids, titled, without axes.

Every helper returns the matplotlib ``Figure`` (so a notebook shows it and a script
can save it) and takes ``[0, 1]`` RGB images ``(1, H, W, 3)`` or ``(H, W, 3)``.
Their own text (titles, axis labels) follows `nst_tf.base.language` (Korean or English);
Korean renders with the NanumGothic font (`nst_tf.io.fonts`), set up on import. Once
VGG19 has run with random weights in this process, every figure says so in red at its
bottom right (`with_weights_mark`), so no screenshot passes for real style transfer.
"""

from __future__ import annotations

import functools
import math
import os
from pathlib import Path

import numpy as np

from nst_tf.base.checks import user_path
from nst_tf.base.language import tr
from nst_tf.base.random_weights import random_weights_label, random_weights_used
from nst_tf.io.fonts import use_hangul_font
from nst_tf.io.safe_write import write_file

use_hangul_font()

PANEL_INCHES = 3.0
TEXT_INCHES = 0.25  # a line of 10 pt text with its padding


def mark_random_weights(fig, inside: bool = False) -> None:
    """Write "random weights" in red at the bottom right of ``fig`` (once) if VGG19 has
    run with random weights in this process: below the panels (a figure saved and shown
    with ``bbox_inches="tight"``), or ``inside`` its bottom edge (a fixed layout)."""
    if random_weights_used() and not getattr(fig, "_nst_tf_marked", False):
        fig._nst_tf_marked = True
        fig.text(
            0.995,
            0.01 if inside else 0.0,
            random_weights_label(),
            ha="right",
            va="bottom" if inside else "top",
            color="tab:red",
            fontsize=8,
        )


def with_weights_mark(make_figure):
    """Decorator: the figure ``make_figure`` returns, marked by `mark_random_weights`."""

    @functools.wraps(make_figure)
    def marked(*args, **kwargs):
        fig = make_figure(*args, **kwargs)
        mark_random_weights(fig)
        return fig

    return marked


def _as_hwc(image) -> np.ndarray:
    """``(1, H, W, C)`` or ``(H, W, C)`` or ``(H, W)`` to a numpy array without batch."""
    array = np.asarray(image, dtype=np.float32)
    return array[0] if array.ndim == 4 else array


def _whole_number_ticks(ax) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


@with_weights_mark
def show_images(
    images, titles=None, ncols: int | None = None, panel_inches=PANEL_INCHES, captions=None
):
    """A grid of images with optional titles above and captions below each panel.

    RGB images ``(1, H, W, 3)`` / ``(H, W, 3)`` are shown as ``[0, 1]`` colours; 2-D
    arrays ``(H, W)`` in gray, scaled to their own minimum and maximum. ``ncols``
    defaults to one row. Panels are ``panel_inches`` wide and as tall as the tallest
    image needs (at most square) with room for the text: wide images get no blank band
    between them and what is below (the random-weights mark).
    """
    import matplotlib.pyplot as plt

    arrays = [_as_hwc(image) for image in images]
    titles = list(titles) if titles is not None else [None] * len(arrays)
    captions = list(captions) if captions is not None else [None] * len(arrays)
    ncols = ncols or len(arrays)
    nrows = math.ceil(len(arrays) / ncols)
    aspect = min(1.0, max(array.shape[0] / array.shape[1] for array in arrays))
    lines = max((str(title).count("\n") + 1 for title in titles if title), default=0)
    text = TEXT_INCHES * (1 + lines + any(captions))  # room for titles, captions, a suptitle
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(panel_inches * ncols, (panel_inches * aspect + text) * nrows),
        squeeze=False,
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, array, title, caption in zip(axes.flat, arrays, titles, captions):
        # RGB images are [0, 1]; a 2-D map (activations, differences) keeps its own range
        # and gets a thin frame, so its white parts do not melt into the page.
        ax.imshow(np.clip(array, 0.0, 1.0) if array.ndim == 3 else array, cmap="gray")
        if array.ndim == 2:
            from matplotlib.patches import Rectangle

            height, width = array.shape
            ax.add_patch(Rectangle((-0.5, -0.5), width, height, fill=False, edgecolor="0.6"))
        if title:
            ax.set_title(title, fontsize=10)
        if caption:
            ax.text(0.5, -0.03, caption, transform=ax.transAxes, ha="center", va="top", fontsize=8)
    fig.tight_layout()
    return fig


def save_figure(fig, path: str | os.PathLike, dpi: int = 100, overwrite: bool = True) -> Path:
    """Save ``fig`` as PNG through `nst_tf.io.safe_write` (folders created); returns the path.

    A lesson re-run replaces its earlier figure (``overwrite=True``, the default), only
    once the new one is complete; the command line passes its ``--overwrite``.
    """
    import io

    path = user_path(path, "figure")
    if path.suffix.lower() != ".png":
        raise ValueError(f"{path}: figures are saved as .png")
    path.parent.mkdir(parents=True, exist_ok=True)
    encoded = io.BytesIO()
    fig.savefig(encoded, format="png", dpi=dpi, bbox_inches="tight")
    return write_file(path, encoded.getvalue(), overwrite=overwrite)


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def ratio_label(ratio: float) -> str:
    """``1e-4`` as ``10⁻⁴`` (slide 8's notation); other numbers as ``%g``.

    Unicode superscripts, not matplotlib's ``$10^{-4}$``: a title with mathtext is drawn
    entirely by the math font, which has no Hangul.
    """
    exponent = np.log10(ratio) if ratio > 0 else np.nan
    if np.isfinite(exponent) and np.isclose(exponent, round(exponent)):
        return "10" + str(int(round(exponent))).translate(_SUPERSCRIPTS)
    return f"{ratio:g}"


def _loss_caption(losses: dict, index: int) -> str:
    return (
        f"{tr('콘텐츠', 'content')} {losses['content'][index]:.3g} · "
        f"{tr('스타일', 'style')} {losses['style'][index]:.3g}"
    )


def ratio_figure(images, ratios, losses: dict | None = None, panel_inches=PANEL_INCHES):
    """Slide 8: one column per content/style weight ratio, labelled, loss parts below.

    Args:
        images: ``(len(ratios), H, W, 3)`` results, in the order of ``ratios``.
        ratios: content weight / style weight of each column.
        losses: optional ``{"content": (n,), "style": (n,)}`` final (unweighted) parts.
    """
    return ratio_rows({"": (images, losses)}, ratios, panel_inches)


@with_weights_mark
def ratio_rows(rows: dict, ratios, panel_inches=PANEL_INCHES):
    """Several slide-8 rows in one figure, e.g. the sweep from the photo and from noise.

    ``rows`` maps a row label (``""`` for none) to ``(images, losses)`` as for
    `ratio_figure`; every row has one image per ratio.
    """
    images, titles, captions = [], [], []
    for label, (row_images, losses) in rows.items():
        for i, ratio in enumerate(ratios):
            images.append(row_images[i])
            name = tr("콘텐츠/스타일", "content/style")
            titles.append(
                f"{label}\n{name} = {ratio_label(ratio)}"
                if label
                else f"{name} = {ratio_label(ratio)}"
            )
            captions.append(_loss_caption(losses, i) if losses is not None else None)
    fig = show_images(
        images, titles, ncols=len(ratios), panel_inches=panel_inches, captions=captions
    )
    fig.suptitle(
        tr(
            "콘텐츠와 스타일의 상대 가중치 (슬라이드 8)",
            "Relative weight of content and style (slide 8)",
        ),
        fontsize=11,
    )
    fig.tight_layout()
    return fig
