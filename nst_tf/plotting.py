"""Figures with one common look: image rows and grids, titled, without axes.

Every helper returns the matplotlib ``Figure`` (so a notebook shows it and a script
can save it) and takes ``[0, 1]`` RGB images ``(1, H, W, 3)`` or ``(H, W, 3)``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

PANEL_INCHES = 3.0


def _as_hwc(image) -> np.ndarray:
    """``(1, H, W, C)`` or ``(H, W, C)`` or ``(H, W)`` to a numpy array without batch."""
    array = np.asarray(image, dtype=np.float32)
    return array[0] if array.ndim == 4 else array


def show_images(images, titles=None, ncols: int | None = None, panel_inches=PANEL_INCHES):
    """A grid of images with optional titles; ``ncols`` defaults to one row."""
    import matplotlib.pyplot as plt

    images = list(images)
    titles = list(titles) if titles is not None else [None] * len(images)
    ncols = ncols or len(images)
    nrows = math.ceil(len(images) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(panel_inches * ncols, panel_inches * nrows), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles):
        ax.imshow(np.clip(_as_hwc(image), 0.0, 1.0), cmap="gray")
        if title:
            ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def save_figure(fig, path: str | os.PathLike, dpi: int = 100) -> Path:
    """Save ``fig`` as PNG (folders created), replacing an earlier output; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path


def ratio_label(ratio: float) -> str:
    """``1e-4`` as ``$10^{-4}$`` (slide 8's notation); other numbers as ``%g``."""
    exponent = np.log10(ratio) if ratio > 0 else np.nan
    if np.isfinite(exponent) and np.isclose(exponent, round(exponent)):
        return f"$10^{{{int(round(exponent))}}}$"
    return f"{ratio:g}"


def ratio_figure(images, ratios, losses: dict | None = None, panel_inches=PANEL_INCHES):
    """Slide 8: one column per content/style ratio, labelled, with loss parts below.

    Args:
        images: ``(len(ratios), H, W, 3)`` results, in the order of ``ratios``.
        ratios: content weight / style weight of each column.
        losses: optional ``{"content": (n,), "style": (n,)}`` final (unweighted) parts.
    """
    titles = [f"content/style = {ratio_label(r)}" for r in ratios]
    fig = show_images(list(images), titles, ncols=len(ratios), panel_inches=panel_inches)
    if losses is not None:
        for i, ax in enumerate(fig.axes[: len(ratios)]):
            ax.text(
                0.5, -0.04, f"content {losses['content'][i]:.3g} · style {losses['style'][i]:.3g}",
                transform=ax.transAxes, ha="center", va="top", fontsize=8,
            )  # fmt: skip
    fig.suptitle("More content weight (right) keeps more of the photo", fontsize=11)
    fig.tight_layout()
    return fig
