"""Figures with one common look: image rows and grids, titled, without axes.

Every helper returns the matplotlib ``Figure`` (so a notebook shows it and a script
can save it) and takes ``[0, 1]`` RGB images ``(1, H, W, 3)`` or ``(H, W, 3)``.
Their own text (titles, axis labels) follows `nst_tf.language` (Korean or English);
Korean renders with the NanumGothic font (`nst_tf.fonts`), set up on import. Once
VGG19 has run with random weights in this process, every figure says so in red at its
bottom right (`with_weights_mark`), so no screenshot passes for real style transfer.
"""

from __future__ import annotations

import functools
import math
import os
from pathlib import Path

import numpy as np

from nst_tf.checks import user_path
from nst_tf.fonts import use_hangul_font
from nst_tf.language import tr
from nst_tf.safe_write import write_file
from nst_tf.vgg import random_weights_label, random_weights_used

use_hangul_font()

PANEL_INCHES = 3.0
TEXT_INCHES = 0.25  # a line of 10 pt text with its padding
FEATURE_CMAP = "gray"  # slide 4: white = large activation, black = small
MATRIX_CMAP = "viridis"
LOSS_COLORS = {"total": "black", "content": "tab:blue", "style": "tab:orange", "tv": "tab:green"}


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


def part_label(part: str) -> str:
    """The name of a loss part (``total``, ``content``, ``style``, ``tv``) in the language used."""
    labels = {
        "total": tr("전체 손실", "total loss"),
        "content": tr("콘텐츠 손실", "content loss"),
        "style": tr("스타일 손실", "style loss"),
        "tv": tr("총 변위 손실", "total variation loss"),
    }
    return labels.get(part, part)


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
    """Save ``fig`` as PNG through `nst_tf.safe_write` (folders created); returns the path.

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
def plot_loss_history(history: dict, title: str | None = None, weights: dict | None = None):
    """Each loss part per step on a log scale (unweighted, or times ``weights``)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, values in history.items():
        values = np.asarray(values) * (weights or {}).get(name, 1.0)
        if np.any(values > 0):
            ax.plot(
                np.arange(1, len(values) + 1),
                values,
                label=part_label(name),
                color=LOSS_COLORS.get(name),
            )
    ax.set_yscale("log")
    _whole_number_ticks(ax)
    ax.set_xlabel(tr("스텝", "step"))
    ax.set_ylabel(tr("손실 × 가중치", "loss × weight") if weights else tr("손실", "loss"))
    ax.set_title(title or tr("스텝별 손실", "Loss per step"))
    ax.legend()
    fig.tight_layout()
    return fig


@with_weights_mark
def plot_neighbour_differences(image, panel_inches=PANEL_INCHES):
    """Slide 7: the image, its vertical and horizontal neighbour differences (gray = 0)."""
    from nst_tf.losses import neighbour_differences

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


@with_weights_mark
def plot_loss_comparison(results: dict, part: str = "total", title: str | None = None):
    """One loss part of several runs against evaluations and against seconds.

    ``results`` maps a label to a run (`nst_tf.StylizeResult`: ``history``,
    ``evaluations``, ``seconds``). Steps are not compared: an L-BFGS step may use
    several loss+gradient evaluations, an Adam step exactly one.
    """
    import matplotlib.pyplot as plt

    fig, (by_count, by_time) = plt.subplots(1, 2, figsize=(10, 3.5))
    for label, result in results.items():
        values = np.asarray(result.history[part])
        by_count.plot(result.evaluations, values, label=label)
        by_time.plot(result.seconds, values, label=label)
    for ax in (by_count, by_time):
        ax.set_yscale("log")
        ax.set_ylabel(part_label(part))
        ax.legend()
    _whole_number_ticks(by_count)
    by_count.set_xlabel(tr("손실·그레이디언트 계산 횟수", "loss+gradient evaluations"))
    by_time.set_xlabel(tr("시간 (초)", "time (s)"))
    fig.suptitle(title or part_label(part), fontsize=11)
    fig.tight_layout()
    return fig
