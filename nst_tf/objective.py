"""The style transfer objective: fixed targets computed once, a loss and its gradient.

`Objective` holds the content features and the style Gram matrices (computed once per
run, never per step) and evaluates slide 3's weighted total for a batch of images.
`value_and_gradient` is one compiled `tf.function` step: VGG forward pass, the three
losses, and the gradient with respect to the pixels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import tensorflow as tf

from nst_tf import losses
from nst_tf.features import FeatureExtractor, check_layer_names
from nst_tf.gram import gram_matrix

DEFAULT_CONTENT_LAYERS = ("block5_conv2",)
DEFAULT_STYLE_LAYERS = tuple(f"block{b}_conv1" for b in range(1, 6))


def layer_weights(layers: Sequence[str] | Mapping[str, float]) -> dict[str, float]:
    """Layer names (equal weights summing to 1) or ``{name: weight}`` as a checked dict."""
    if isinstance(layers, Mapping):
        check_layer_names(list(layers))
        weights = {name: float(w) for name, w in layers.items()}
        if any(not np.isfinite(w) or w < 0 for w in weights.values()):
            raise ValueError(f"Layer weights must be finite and >= 0, got {weights}.")
        return weights
    return losses.equal_weights(check_layer_names(layers))


def blend_weights(count: int, blend: Sequence[float] | None) -> np.ndarray:
    """Style blend weights normalised to sum to 1 (equal when ``blend`` is None)."""
    weights = np.ones(count) if blend is None else np.asarray(blend, dtype=np.float64)
    if weights.shape != (count,) or not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError(f"Need {count} finite, non-negative style blend weights, got {blend}.")
    if weights.sum() == 0:
        raise ValueError("Style blend weights must not all be zero.")
    return weights / weights.sum()


def _as_tensors(values: Mapping) -> dict[str, tf.Tensor]:
    return {name: tf.constant(value, tf.float32) for name, value in values.items()}


def _positions(features) -> tf.Tensor:
    shape = tf.shape(features)
    return tf.cast(shape[1] * shape[2], tf.float32)


class Objective:
    """Slide 3's loss for images of one size, with its targets fixed at construction.

    Args:
        extractor: a `FeatureExtractor` for (at least) all content and style layers.
        content: ``[0, 1]`` RGB ``(1, H, W, 3)``; the size of the optimised images.
        styles: style images ``(1, h, w, 3)`` (any sizes); several are blended.
        content_layers, style_layers: ``{layer: weight}`` dicts.
        content_weight, style_weight, tv_weight: numbers, or ``(batch,)`` arrays to
            optimise a batch of images with one weight set each (the ratio sweep).
        style_blend: one weight per style image (normalised to sum to 1).
        normalization: style loss normalisation, ``"keras"`` or ``"gatys"``.

    Style Gram matrices are stored per position (``G / (h·w)``) and scaled by the
    optimised image's positions in the loss, so a style image of another size (or
    scale) asks for the same statistics as one of the content's size.
    """

    def __init__(
        self,
        extractor: FeatureExtractor,
        content,
        styles: Sequence,
        content_layers: Mapping[str, float],
        style_layers: Mapping[str, float],
        content_weight=losses.DEFAULT_CONTENT_WEIGHT,
        style_weight=losses.DEFAULT_STYLE_WEIGHT,
        tv_weight=losses.DEFAULT_TV_WEIGHT,
        style_blend: Sequence[float] | None = None,
        normalization: str = "keras",
    ):
        self.extractor = extractor
        self.content_layers = dict(content_layers)
        self.style_layers = dict(style_layers)
        self.normalization = normalization
        content_features = extractor(content)
        self.content_targets = {name: content_features[name] for name in self.content_layers}
        self.style_grams = self._blended_style_grams(
            styles, blend_weights(len(styles), style_blend)
        )
        self.targets = {
            "content": self.content_targets,
            "style": self.style_grams,
            "content_layers": _as_tensors(self.content_layers),
            "style_layers": _as_tensors(self.style_layers),
            "weights": _as_tensors(
                {"content": content_weight, "style": style_weight, "tv": tv_weight}
            ),
        }

    def _blended_style_grams(self, styles, blend: np.ndarray) -> dict[str, tf.Tensor]:
        grams = {name: 0.0 for name in self.style_layers}
        for style, weight in zip(styles, blend):
            features = self.extractor(style)
            for name in self.style_layers:
                grams[name] += weight * gram_matrix(features[name], "positions")
        return grams

    def loss_parts(self, images) -> losses.LossParts:
        """Slide 3's total and its parts, each ``(batch,)``, for ``[0, 1]`` RGB images."""
        return evaluate(self.extractor, tf.convert_to_tensor(images, tf.float32), self.targets,
                        self.normalization)  # fmt: skip

    def value_and_gradient(self, images) -> tuple[losses.LossParts, tf.Tensor]:
        """Loss parts ``(batch,)`` and ``d(Σ total)/d(images)``; one compiled step.

        The compiled function is shared by every objective with the same extractor,
        so a new run (another style, ratio or scale) does not trace it again.
        """
        images = tf.convert_to_tensor(images, tf.float32)
        return _compiled_value_and_gradient(self.extractor, images, self.targets,
                                            self.normalization)  # fmt: skip


def evaluate(extractor, images, targets: dict, normalization: str) -> losses.LossParts:
    """Slide 3's loss parts ``(batch,)`` of ``images`` against an objective's ``targets``."""
    features = extractor(images)
    content = losses.content_loss(features, targets["content"], targets["content_layers"])
    scaled_grams = {
        name: gram * _positions(features[name]) for name, gram in targets["style"].items()
    }
    pixels = tf.shape(images)[1] * tf.shape(images)[2]
    style = losses.style_loss(
        features, scaled_grams, pixels, targets["style_layers"], normalization
    )
    tv = losses.total_variation_loss(images)
    weights = targets["weights"]
    return losses.total_loss(content, style, tv, weights["content"], weights["style"],
                             weights["tv"])  # fmt: skip


@tf.function(reduce_retracing=True)
def _compiled_value_and_gradient(extractor, images, targets, normalization):
    with tf.GradientTape() as tape:
        tape.watch(images)
        parts = evaluate(extractor, images, targets, normalization)
        total = tf.reduce_sum(parts.total)
    return parts, tape.gradient(total, images)
