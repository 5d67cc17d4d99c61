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
