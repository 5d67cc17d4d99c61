"""Content, style and total-variation losses, and slide 3's weighted total.

Every loss returns one value per image, shape ``(batch,)``, so a whole batch of
results (e.g. one per weight ratio of slide 8) is optimised in one VGG pass.

Normalisation (the default follows the Keras example the slides are drawn from):

- content: ``Σ (F - P)²`` over the content layer's activations (Gatys et al. use
  ``½ Σ (F - P)²``);
- style, per layer: ``Σ (G - A)² / (4 · 3² · (H·W)²)`` with plain Gram matrices and
  ``H·W`` the *image's* pixel count (``normalization="keras"``). Gatys et al. divide
  by ``4 · N_l² · M_l²`` instead, with the layer's channels ``N_l`` and positions
  ``M_l`` (``normalization="gatys"``);
- total variation: ``Σ ((x[i+1,j] - x[i,j])² + (x[i,j+1] - x[i,j])²)^1.25`` on the
  ``[0, 1]`` image, a smooth form of "the difference between a pixel and the one
  next to it" (slide 7) that L-BFGS can follow.

With these, content/style weight ratios from ``1e-4`` (mostly style) to ``1e-1``
(mostly content) span slide 8, and the default ``2.5e-2`` is Keras's. Gatys et al.'s
α/β is the same ratio but measured with their normalisation (and weights rescaled
to mean activation 1), so its numbers are not interchangeable with these.
"""

from __future__ import annotations

from typing import NamedTuple

import tensorflow as tf

from nst_tf.gram import gram_matrix

DEFAULT_CONTENT_WEIGHT = 0.025
DEFAULT_STYLE_WEIGHT = 1.0
#: The Keras book's 1e-4 on 0-255 pixels is 1e-4 · 255^2.5 ≈ 104 on [0, 1] pixels.
DEFAULT_TV_WEIGHT = 100.0
TV_EXPONENT = 1.25
STYLE_NORMALIZATIONS = ("keras", "gatys")


class LossParts(NamedTuple):
    """Slide 3's total and its three parts, each ``(batch,)``; parts are unweighted."""

    total: tf.Tensor
    content: tf.Tensor
    style: tf.Tensor
    tv: tf.Tensor


def _per_image_sum(values) -> tf.Tensor:
    """Sum over every axis but the first: ``(batch, ...)`` to ``(batch,)``."""
    return tf.reduce_sum(values, axis=tf.range(1, tf.rank(values)))


def equal_weights(layers) -> dict[str, float]:
    """Weights ``1/n`` for each of ``n`` layers (they sum to 1)."""
    layers = list(layers)
    return {name: 1.0 / len(layers) for name in layers}


def weighted_layer_sum(per_layer: dict, layer_weights: dict | None) -> tf.Tensor:
    """``Σ_l w_l · loss_l`` with equal weights summing to 1 when none are given."""
    weights = layer_weights or equal_weights(per_layer)
    return tf.add_n([tf.cast(weights[name], tf.float32) * loss for name, loss in per_layer.items()])


def content_layer_loss(features, target) -> tf.Tensor:
    """``Σ (F - P)²`` per image: activations ``(batch, H, W, C)`` vs ``(1 or batch, ...)``."""
    return _per_image_sum(tf.square(features - target))


def content_loss(features: dict, targets: dict, layer_weights: dict | None = None):
    """Weighted content loss over the layers of ``targets`` (default weights ``1/n``)."""
    per_layer = {name: content_layer_loss(features[name], targets[name]) for name in targets}
    return weighted_layer_sum(per_layer, layer_weights)


def style_layer_loss(
    features, target_gram, image_pixels: int, normalization: str = "keras"
) -> tf.Tensor:
    """Squared Gram distance of one layer, per image, normalised as the module says.

    Args:
        features: activations ``(batch, H_l, W_l, N_l)`` of the image being optimised.
        target_gram: the style's plain Gram matrix ``(1 or batch, N_l, N_l)``.
        image_pixels: ``H·W`` of the input image (used by ``"keras"``); int or tensor.
        normalization: ``"keras"`` or ``"gatys"``.
    """
    if normalization not in STYLE_NORMALIZATIONS:
        raise ValueError(
            f"style normalization must be one of {STYLE_NORMALIZATIONS}, not {normalization!r}"
        )
    if normalization == "keras":
        scale = 2.0 * 3.0 * tf.cast(image_pixels, tf.float32)
    else:
        shape = tf.shape(features)
        scale = 2.0 * tf.cast(shape[3] * shape[1] * shape[2], tf.float32)
    # ((G - A) / (2·c·M))² is Σ(G - A)² / (4·c²·M²) without float32 overflow risk.
    return _per_image_sum(tf.square((gram_matrix(features) - target_gram) / scale))


def style_loss(
    features: dict,
    target_grams: dict,
    image_pixels: int,
    layer_weights: dict | None = None,
    normalization: str = "keras",
) -> tf.Tensor:
    """Weighted style loss over the layers of ``target_grams`` (default weights ``1/n``)."""
    per_layer = {
        name: style_layer_loss(features[name], gram, image_pixels, normalization)
        for name, gram in target_grams.items()
    }
    return weighted_layer_sum(per_layer, layer_weights)


def neighbour_differences(images) -> tuple[tf.Tensor, tf.Tensor]:
    """Slide 7's "pixel minus the pixel next to it": ``(dy, dx)``, each ``(batch, H-1, W-1, C)``.

    ``dy`` is the difference to the pixel below, ``dx`` to the pixel on the right,
    on the ``(H-1) x (W-1)`` pixels that have both neighbours.
    """
    images = tf.convert_to_tensor(images, tf.float32)
    corner = images[:, :-1, :-1, :]
    return images[:, 1:, :-1, :] - corner, images[:, :-1, 1:, :] - corner


def total_variation_loss(images, exponent: float = TV_EXPONENT) -> tf.Tensor:
    """``Σ (dy² + dx²)^exponent`` per image over ``[0, 1]`` RGB ``(batch, H, W, 3)``.

    See `neighbour_differences`; the sum runs over positions and channels.
    """
    dy, dx = neighbour_differences(images)
    return _per_image_sum(tf.pow(tf.square(dy) + tf.square(dx), exponent))


def keras_to_gatys_factor(layer_shape, image_pixels: int) -> float:
    """How many times larger a layer's style loss is with ``"keras"`` than ``"gatys"``.

    ``(4·N²·M²) / (4·3²·(H·W)²)`` for a layer of ``N`` channels and ``M`` positions in an
    image of ``H·W`` pixels: the factor that converts a style weight between the two.
    """
    _, height, width, channels = layer_shape
    positions = height * width
    return float((channels * positions) ** 2 / (3 * image_pixels) ** 2)


def total_loss(
    content,
    style,
    tv,
    content_weight=DEFAULT_CONTENT_WEIGHT,
    style_weight=DEFAULT_STYLE_WEIGHT,
    tv_weight=DEFAULT_TV_WEIGHT,
) -> LossParts:
    """Slide 3: ``content_weight·content + style_weight·style + tv_weight·tv``.

    Weights may be numbers or ``(batch,)`` tensors (one weight set per image).
    """
    total = content_weight * content + style_weight * style + tv_weight * tv
    return LossParts(total, content, style, tv)
