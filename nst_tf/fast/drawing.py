"""The transformation network drawn: one box per stage, as tall as its feature maps are
wide and as wide as they have channels, so the picture shows the network shrink the
photo to a quarter, work there, and grow it back."""

from __future__ import annotations

import math

import keras

from nst_tf.base.language import tr
from nst_tf.fast.network import stage_shapes

#: stage kind: (colour, Korean label, English label)
KINDS = {
    "in": ("tab:blue", "9×9 합성곱", "9×9 conv"),
    "down": ("tab:orange", "줄이기\n(stride 2)", "down\n(stride 2)"),
    "residual": ("tab:green", "잔차 블록", "residual\nblock"),
    "up": ("tab:purple", "키우기\n(크기 조절\n+ 합성곱)", "up\n(resize\n+ conv)"),
    "out": ("tab:gray", "9×9 합성곱\n→ RGB", "9×9 conv\n→ RGB"),
}


def _kind(stage: str) -> str:
    return stage.split("_")[0]


def draw_network(network: keras.Model, size: int = 256):
    """A figure of ``network``'s stages (`nst_tf.fast.network.stage_shapes`) for a
    ``size`` px square photo: box height = side in pixels, width = channels (log scale),
    with each stage's ``H×W×C`` below it."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    shapes = stage_shapes(network, size)
    fig, ax = plt.subplots(figsize=(1.0 * len(shapes) + 1.5, 3.6))
    x = 0.0
    for stage, (height, _, channels) in shapes.items():
        colour, korean, english = KINDS[_kind(stage)]
        width = 0.25 + 0.12 * math.log2(channels)
        box_height = height / size
        ax.add_patch(Rectangle((x, -box_height / 2), width, box_height, color=colour, alpha=0.8))
        ax.text(x + width / 2, 0.55, tr(korean, english), ha="center", va="bottom", fontsize=8)
        shape = f"{height}×{height}\n×{channels}"
        ax.text(x + width / 2, -0.55, shape, ha="center", va="top", fontsize=7)
        x += width + 0.25
    ax.set_xlim(-0.2, x)
    ax.set_ylim(-0.85, 0.95)
    ax.axis("off")
    ax.set_title(
        tr(
            f"변환 신경망: {size}×{size} 사진 → 같은 크기의 스타일 이미지 "
            f"(가중치 {network.count_params():,}개)",
            f"transformation network: a {size}×{size} photo → a stylised image of the same "
            f"size ({network.count_params():,} weights)",
        ),
        fontsize=10,
    )
    fig.tight_layout()
    return fig
