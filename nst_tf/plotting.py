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
FEATURE_CMAP = "gray"  # slide 4: white = large activation, black = small
MATRIX_CMAP = "viridis"
LOSS_COLORS = {"total": "black", "content": "tab:blue", "style": "tab:orange", "tv": "tab:green"}


def _as_hwc(image) -> np.ndarray:
    """``(1, H, W, C)`` or ``(H, W, C)`` or ``(H, W)`` to a numpy array without batch."""
    array = np.asarray(image, dtype=np.float32)
    return array[0] if array.ndim == 4 else array


def show_images(images, titles=None, ncols: int | None = None, panel_inches=PANEL_INCHES):
    """A grid of images with optional titles; ``ncols`` defaults to one row.

    RGB images ``(1, H, W, 3)`` / ``(H, W, 3)`` are shown as ``[0, 1]`` colours; 2-D
    arrays ``(H, W)`` in gray, scaled to their own minimum and maximum.
    """
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
        array = _as_hwc(image)
        # RGB images are [0, 1]; a 2-D map (activations, differences) keeps its own range.
        ax.imshow(np.clip(array, 0.0, 1.0) if array.ndim == 3 else array, cmap="gray")
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


def _shape_label(shape) -> str:
    return "(" + ", ".join(str(int(d)) for d in shape) + ")"


def plot_block_first_channels(features: dict, panel_inches=PANEL_INCHES):
    """Slide 4: channel 0 of each given layer's activation, titled with name and shape."""
    maps = [np.asarray(value)[0, :, :, 0] for value in features.values()]
    titles = [f"{name}\n{_shape_label(np.shape(value))}" for name, value in features.items()]
    fig = show_images(maps, titles, panel_inches=panel_inches)
    for ax, feature_map in zip(fig.axes, maps):
        ax.images[0].set_cmap(FEATURE_CMAP)
        ax.images[0].set_clim(feature_map.min(), feature_map.max())
    return fig


def plot_feature_grid(feature_map, ncols: int = 8, title: str = "", panel_inches=1.4):
    """Every channel of one activation ``(1, H, W, C)`` as a grid on one colour scale.

    White is a large activation, black a small one (slide 4); the colour bar gives
    the values, shared by all panels so channels can be compared.
    """
    import matplotlib.pyplot as plt

    maps = np.moveaxis(np.asarray(feature_map)[0], -1, 0)
    nrows = int(np.ceil(len(maps) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_inches * ncols, panel_inches * nrows),
                             squeeze=False)  # fmt: skip
    low, high = float(maps.min()), float(maps.max())
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(maps):
            shown = ax.imshow(maps[index], cmap=FEATURE_CMAP, vmin=low, vmax=high)
            ax.set_title(str(index), fontsize=7)
    fig.colorbar(shown, ax=axes, shrink=0.6, label="activation")
    if title:
        fig.suptitle(title)
    return fig


def plot_gram(gram, title: str = "Gram matrix", panel_inches=4.0):
    """A ``(C, C)`` (or ``(1, C, C)``) Gram matrix as a heatmap with a colour bar."""
    import matplotlib.pyplot as plt

    matrix = np.asarray(gram)
    matrix = matrix[0] if matrix.ndim == 3 else matrix
    fig, ax = plt.subplots(figsize=(panel_inches + 1, panel_inches))
    shown = ax.imshow(matrix, cmap=MATRIX_CMAP)
    ax.set_title(f"{title} {_shape_label(matrix.shape)}")
    ax.set_xlabel("channel j")
    ax.set_ylabel("channel i")
    fig.colorbar(shown, ax=ax, label="Σ over positions of F_i · F_j")
    return fig


def plot_loss_history(history: dict, title: str = "Loss per step", weights: dict | None = None):
    """Each loss part per step on a log scale (unweighted, or times ``weights``)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, values in history.items():
        values = np.asarray(values) * (weights or {}).get(name, 1.0)
        if np.any(values > 0):
            ax.plot(np.arange(1, len(values) + 1), values, label=name,
                    color=LOSS_COLORS.get(name))  # fmt: skip
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss" + (" × weight" if weights else ""))
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_neighbour_differences(image, panel_inches=PANEL_INCHES):
    """Slide 7: the image, its vertical and horizontal neighbour differences (gray = 0)."""
    from nst_tf.losses import neighbour_differences

    dy, dx = (np.asarray(d)[0].mean(axis=-1) for d in neighbour_differences(image))
    limit = float(max(np.abs(dy).max(), np.abs(dx).max(), 1e-6))
    fig = show_images(
        [image, dy, dx],
        ["image", "dy: pixel below − pixel", "dx: pixel right − pixel"],
        panel_inches=panel_inches,
    )
    for ax in fig.axes[1:]:
        ax.images[0].set_cmap("gray")
        ax.images[0].set_clim(-limit, limit)
    return fig


def feature_browser(features: dict):
    """Browse activations by layer and channel with ipywidgets; static figures without them.

    Returns the widget (or, without ipywidgets, the figure of channel 0 per layer).
    """
    try:
        import ipywidgets
    except ImportError:
        return plot_block_first_channels(features)
    import matplotlib.pyplot as plt

    def channels(layer: str) -> int:
        return int(np.shape(features[layer])[-1])

    def show(layer, channel):
        value = np.asarray(features[layer])[0]
        fig, ax = plt.subplots(figsize=(4, 4))
        shown = ax.imshow(value[:, :, channel], cmap=FEATURE_CMAP)
        ax.set_title(f"{layer}, channel {channel} of {value.shape[-1]}")
        ax.axis("off")
        fig.colorbar(shown, ax=ax, shrink=0.8)
        plt.show()

    layer = ipywidgets.Dropdown(options=list(features), description="layer")
    channel = ipywidgets.IntSlider(min=0, max=channels(layer.value) - 1, description="channel")

    def follow_layer(change):  # the slider runs over the chosen layer's channels only
        channel.max = channels(change.new) - 1

    layer.observe(follow_layer, names="value")
    return ipywidgets.interactive(show, layer=layer, channel=channel)


def plot_loss_comparison(histories: dict, part: str = "total", title: str = ""):
    """One loss part per step for several runs, e.g. ``{"L-BFGS": h1, "Adam": h2}``."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for label, history in histories.items():
        values = np.asarray(history[part])
        ax.plot(np.arange(1, len(values) + 1), values, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(f"{part} loss")
    ax.set_title(title or f"{part} loss per step")
    ax.legend()
    fig.tight_layout()
    return fig
