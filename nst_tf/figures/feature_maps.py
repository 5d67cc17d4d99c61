"""Figures of what VGG19 sees: feature maps (slide 4), Gram matrices (slide 6), and
neighbour differences (slide 7).
"""

from __future__ import annotations

import numpy as np

from nst_tf.base.language import tr
from nst_tf.figures.plotting import (
    PANEL_INCHES,
    _as_hwc,
    mark_random_weights,
    show_images,
    with_weights_mark,
)

FEATURE_CMAP = "gray"  # slide 4: white = large activation, black = small


MATRIX_CMAP = "viridis"


def _shape_label(shape) -> str:
    return "(" + ", ".join(str(int(d)) for d in shape) + ")"


def _show_map(ax, feature_map: np.ndarray, title: str, fontsize=9) -> None:
    """One activation map on its own scale (white = its largest value); says so if all 0."""
    low, high = float(feature_map.min()), float(feature_map.max())
    ax.imshow(feature_map, cmap=FEATURE_CMAP, vmin=low, vmax=high if high > low else low + 1)
    ax.set_title(title, fontsize=fontsize)
    if high == low:
        ax.text(
            0.5,
            0.5,
            tr(f"모두 {high:g}", f"all {high:g}"),
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="tab:red",
            fontsize=fontsize,
        )
    ax.axis("off")


@with_weights_mark
def plot_block_first_channels(features: dict, image=None, panel_inches=PANEL_INCHES):
    """Slide 4: channel 0 of each given layer's activation, beside the input ``image``.

    Each map has its own gray scale (white = its largest value, black = its smallest),
    since deeper layers' values are much larger; a map that is all zero says so.
    """
    import matplotlib.pyplot as plt

    panels = len(features) + (image is not None)
    fig, axes = plt.subplots(
        1, panels, figsize=(panel_inches * panels, panel_inches), squeeze=False
    )
    axes = list(axes.flat)
    if image is not None:
        ax = axes.pop(0)
        ax.imshow(np.clip(_as_hwc(image), 0.0, 1.0))
        ax.set_title(tr("입력 이미지", "input image"), fontsize=9)
        ax.axis("off")
    for ax, (name, value) in zip(axes, features.items()):
        title = f"{name}\n{_shape_label(np.shape(value))}"
        _show_map(ax, np.asarray(value)[0, :, :, 0], title)
    fig.suptitle(
        tr(
            "각 블록 첫째 레이어의 첫째(0번) 채널 (맵마다 색 범위 따로: 흰색 = 큰 값)",
            "Channel 0 of each block's first layer (own scale each: white = large)",
        ),
        fontsize=11,
    )
    fig.tight_layout()
    return fig


@with_weights_mark
def plot_feature_grid(feature_map, image=None, ncols: int = 8, title: str = "", panel_inches=1.4):
    """Every channel of one activation ``(1, H, W, C)`` as a grid, beside the input.

    Slide 4: white is a large activation, black a small one. Each map is scaled on
    its own (so weak channels are visible too); an all-zero map is marked.
    """
    import matplotlib.pyplot as plt

    maps = np.moveaxis(np.asarray(feature_map)[0], -1, 0)
    nrows = int(np.ceil(len(maps) / ncols))
    width = panel_inches * ncols
    fig = plt.figure(
        figsize=(width + (width / 2.5 if image is not None else 0), panel_inches * nrows + 0.6)
    )
    grid_fig = fig
    if image is not None:
        left, grid_fig = fig.subfigures(1, 2, width_ratios=[1, 2.5])
        ax = left.subplots()
        ax.imshow(np.clip(_as_hwc(image), 0.0, 1.0))
        ax.set_title(tr("입력 이미지", "input image"))
        ax.axis("off")
    axes = grid_fig.subplots(nrows, ncols, squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(maps):
            _show_map(ax, maps[index], str(index), fontsize=7)
    zero = sum(float(m.max()) == float(m.min()) for m in maps)
    note = tr(
        f"맵마다 색 범위 따로 (흰색 = 큰 값) · 값이 모두 0인 맵 {zero}개",
        f"each map on its own scale (white = large); {zero} all-zero maps",
    )
    fig.suptitle(f"{title}\n{note}" if title else note, fontsize=10)
    return fig


@with_weights_mark
def plot_gram(gram, title: str | None = None, panel_inches=4.0):
    """A ``(C, C)`` (or ``(1, C, C)``) Gram matrix as a heatmap on a log colour scale.

    The diagonal (each channel with itself) is much larger than most other entries;
    a logarithmic scale lets the off-diagonal structure (the correlations) show too.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    matrix = np.asarray(gram, np.float64)
    matrix = matrix[0] if matrix.ndim == 3 else matrix
    positive = matrix[matrix > 0]
    top = float(positive.max()) if positive.size else 1.0
    floor = max(float(positive.min()) if positive.size else top, top * 1e-6)
    fig, ax = plt.subplots(figsize=(panel_inches + 1.2, panel_inches), layout="constrained")
    shown = ax.imshow(
        np.clip(matrix, floor, None), cmap=MATRIX_CMAP, norm=LogNorm(vmin=floor, vmax=top)
    )
    heading = title or tr("그램 매트릭스", "Gram matrix")
    ax.set_title(f"{heading} {_shape_label(matrix.shape)}", fontsize=10)
    ax.set_xlabel(tr("채널 j", "channel j"))
    ax.set_ylabel(tr("채널 i", "channel i"))
    bar = fig.colorbar(shown, ax=ax, shrink=0.85)
    bar.set_label(tr("Σ F_i·F_j (로그 눈금)", "Σ F_i·F_j (log scale)"))
    return fig


@with_weights_mark
def plot_neighbour_differences(image, panel_inches=PANEL_INCHES):
    """Slide 7: the image, its vertical and horizontal neighbour differences (gray = 0)."""
    from nst_tf.objective.losses import neighbour_differences

    dy, dx = (np.asarray(d)[0].mean(axis=-1) for d in neighbour_differences(image))
    limit = float(max(np.abs(dy).max(), np.abs(dx).max(), 1e-6))
    fig = show_images(
        [image, dy, dx],
        [
            tr("이미지", "image"),
            tr("dy: 아래 픽셀 − 현재 픽셀", "dy: pixel below − pixel"),
            tr("dx: 오른쪽 픽셀 − 현재 픽셀", "dx: pixel right − pixel"),
        ],
        panel_inches=panel_inches,
    )
    for ax in fig.axes[1:]:
        ax.images[0].set_cmap("gray")
        ax.images[0].set_clim(-limit, limit)
    return fig


class _WidgetWithPicture:
    """A widget that carries a PNG of a static figure in its display data.

    Where widgets cannot render (a saved notebook on GitHub, an HTML export, a
    notebook without ipywidgets) the picture is shown instead of the widget.
    """

    def __init__(self, widget, png: bytes):
        self.widget, self.png = widget, png

    def _repr_mimebundle_(self, include=None, exclude=None):
        import base64

        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        return {**bundle, "image/png": base64.b64encode(self.png).decode("ascii")}


def feature_browser(features: dict, image=None):
    """Browse activations by layer and channel with ipywidgets; a static figure elsewhere.

    Returns an object that displays as the widget where widgets work, and as the
    slide-4 figure (channel 0 per layer) where they do not; without ipywidgets,
    the figure itself. The channel slider runs over the chosen layer's channels.
    """
    slide4 = {name: value for name, value in features.items() if name.endswith("_conv1")}
    static = plot_block_first_channels(slide4 or features, image)
    try:
        import ipywidgets
    except ImportError:
        return static
    import io

    import matplotlib.pyplot as plt

    # The picture is made and its figure closed before the widget draws: the widget's
    # plt.show() would show every open figure, the slide-4 figure a second time.
    buffer = io.BytesIO()
    static.savefig(buffer, format="png", dpi=72, bbox_inches="tight")
    plt.close(static)

    def channels(layer: str) -> int:
        return int(np.shape(features[layer])[-1])

    def show(layer, channel):
        value = np.asarray(features[layer])[0]
        fig, ax = plt.subplots(figsize=(4, 4))
        _show_map(
            ax,
            value[:, :, channel],
            tr(
                f"{layer}, 채널 {channel} (0부터, 전체 {value.shape[-1]}개)",
                f"{layer}, channel {channel} of {value.shape[-1]}",
            ),
        )
        mark_random_weights(fig)
        plt.show()

    layer = ipywidgets.Dropdown(options=list(features), description=tr("층(레이어)", "layer"))
    channel = ipywidgets.IntSlider(
        min=0, max=channels(layer.value) - 1, description=tr("채널", "channel")
    )

    def follow_layer(change):  # the slider runs over the chosen layer's channels only
        channel.max = channels(change.new) - 1

    layer.observe(follow_layer, names="value")
    widget = ipywidgets.interactive(show, layer=layer, channel=channel)
    return _WidgetWithPicture(widget, buffer.getvalue())
