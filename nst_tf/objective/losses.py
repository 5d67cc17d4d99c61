"""Content, style and total-variation losses, slide 3's weighted total, and its settings.

Every loss returns one value per image, shape ``(batch,)``, so a whole batch of
results (e.g. one per weight ratio of slide 8) is optimised in one VGG pass.

The three terms:

- content: ``Σ (F - P)² / M_l`` over the content layer's activations: summed over its
  channels, averaged over its ``M_l = H_l·W_l`` positions (the Keras example and Gatys
  et al. sum over positions too, so their content loss grows with the image);
- style, per layer: ``¼ Σ (Ĝ - Â)²`` between Gram matrices normalised the same way
  (`nst_tf.objective.gram.GRAM_NORMALIZATIONS`): ``"keras"`` divides ``F·Fᵀ`` by ``3·H·W`` of
  the image, which makes the loss ``Σ (G - A)² / (4 · 3² · (H·W)²)``; ``"gatys"``
  divides by ``N_l·M_l`` (channels and positions of the layer), which makes it
  ``Σ (G - A)² / (4 · N_l² · M_l²)`` as in Gatys et al. Each Gram matrix is normalised
  by its *own* image's size, so a style image of any size asks for the same statistics;
- total variation: ``Σ ((x[i+1,j] - x[i,j])² + (x[i,j+1] - x[i,j])²)^1.25`` on the
  ``[0, 1]`` image, a smooth form of "the difference between a pixel and the one
  next to it" (slide 7) that L-BFGS can follow.

With these and Gatys et al.'s normalised VGG19 (`nst_tf.network.rescale`: every filter's mean
activation 1), content/style weight ratios from ``1e-4`` (mostly style) to ``1e-1``
(mostly the photo, with the style's colours) span slide 8 at any image size. On the
weights as released (chelsea against swirls at 256 px) the style loss is 2.5·10⁹ times
and the content loss 190 times larger, so the same ratios all give the style
(measured: ``benchmarks/slide8.py``). Gatys et al.'s α/β is the same ratio
measured with other normalisations, so its numbers are not interchangeable with these.

Each term is one class (`ContentTerm`, `StyleTerm`, `TotalVariationTerm`) that makes
its own target once per run, in its final form, and compares against it; `LossSettings`
holds the weights and layers, checked when made, and lists the terms. Adding a term
means a class here, a ``<name>_weight`` field of `LossSettings` and a line in
`LossSettings.terms` (and the same part in `LossParts` and `total_loss`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import tensorflow as tf

from nst_tf.objective.gram import GRAM_NORMALIZATIONS, check_normalization, gram_matrix
from nst_tf.objective.layer_weights import equal_weights

DEFAULT_CONTENT_WEIGHT = 0.025
DEFAULT_STYLE_WEIGHT = 1.0
#: On the normalised VGG19 (`nst_tf.network.rescale`) the style loss is about 10⁹ times smaller
#: than on the released weights, so the smoothing weight is smaller too: 100 (the Keras
#: book's 1e-4 on 0-255 pixels, for [0, 1] pixels) blurs the result into a soft photo.
DEFAULT_TV_WEIGHT = 1e-2
DEFAULT_CONTENT_LAYERS = ("block5_conv2",)
DEFAULT_STYLE_LAYERS = tuple(f"block{b}_conv1" for b in range(1, 6))
#: Normalisations of the style loss: the Gram matrices', default first. ``"keras"`` and
#: ``"gatys"`` are the literature's; ``"none"`` (slide 6's plain product) and
#: ``"positions"`` (the TF tutorial's Gram) give the same loss on other scales.
STYLE_NORMALIZATIONS = tuple(GRAM_NORMALIZATIONS)
TV_EXPONENT = 1.25


class LossParts(NamedTuple):
    """Slide 3's total and its three parts, each ``(batch,)``; parts are unweighted."""

    total: tf.Tensor
    content: tf.Tensor
    style: tf.Tensor
    tv: tf.Tensor


#: The names of the loss parts, total first (the keys of every run's history).
PART_NAMES = LossParts._fields


def _per_image_sum(values) -> tf.Tensor:
    """Sum over every axis but the first: ``(batch, ...)`` to ``(batch,)``."""
    return tf.reduce_sum(values, axis=tf.range(1, tf.rank(values)))


def image_pixels(images) -> tf.Tensor:
    """``H·W`` of ``(batch, H, W, 3)`` images, as a float32 scalar."""
    shape = tf.shape(images)
    return tf.cast(shape[1] * shape[2], tf.float32)


def _check_batched(name: str, value, rank: int = 4) -> tf.Tensor:
    value = tf.convert_to_tensor(value, tf.float32)
    if value.shape.rank != rank:
        raise ValueError(
            f"{name} must have {rank} axes (batch first), got shape {tuple(value.shape)}"
        )
    return value


def _check_same_shape(name: str, value, target) -> None:
    """A clear error when two tensors' known shapes cannot be compared element by element."""
    ours, theirs = value.shape[1:], target.shape[1:]
    if ours.is_fully_defined() and theirs.is_fully_defined() and ours != theirs:
        raise ValueError(
            f"{name}: shape {tuple(value.shape)} does not match its target's "
            f"{tuple(target.shape)}; compute both from images of the same size."
        )


# --- the three terms, as functions a student can read --------------------------------


def content_layer_loss(features, target) -> tf.Tensor:
    """``Σ (F - P)² / M_l`` per image: activations ``(batch, H_l, W_l, C)`` vs ``(1 or
    batch, ...)``, summed over channels and averaged over the ``M_l = H_l·W_l`` positions.

    Averaging over positions makes the content loss, like the normalised Gram matrices'
    style loss, independent of the image's size, so a weight ratio means the same at
    256 and at 512 px.
    """
    features = _check_batched("content features", features)
    target = _check_batched("content target", target)
    _check_same_shape("content features", features, target)
    shape = tf.shape(features)
    positions = tf.cast(shape[1] * shape[2], tf.float32)
    return _per_image_sum(tf.square(features - target)) / positions


def weighted_layer_sum(per_layer: dict, weights: Mapping[str, float] | None) -> tf.Tensor:
    """``Σ_l w_l · loss_l`` with equal weights summing to 1 when none are given."""
    if not per_layer:
        raise ValueError("no layers to sum: give the targets of at least one layer")
    weights = weights or equal_weights(per_layer)
    return tf.add_n([tf.cast(weights[name], tf.float32) * loss for name, loss in per_layer.items()])


def content_loss(features: Mapping, targets: Mapping, layer_weights=None) -> tf.Tensor:
    """Weighted content loss over the layers of ``targets`` (default weights ``1/n``)."""
    per_layer = {name: content_layer_loss(features[name], targets[name]) for name in targets}
    return weighted_layer_sum(per_layer, layer_weights)


def style_layer_loss(gram, target_gram) -> tf.Tensor:
    """``¼ Σ (Ĝ - Â)²`` per image, between two Gram matrices normalised the same way.

    Args:
        gram: the optimised images' Gram matrices ``(batch, N, N)``.
        target_gram: the style's, ``(1 or batch, N, N)``, same normalisation.
    """
    gram = _check_batched("Gram matrix", gram, rank=3)
    target_gram = _check_batched("target Gram matrix", target_gram, rank=3)
    _check_same_shape("Gram matrix", gram, target_gram)
    return _per_image_sum(tf.square((gram - target_gram) / 2.0))


def style_loss(
    features: Mapping,
    target_grams: Mapping,
    image_pixels,
    layer_weights=None,
    normalization: str = "keras",
) -> tf.Tensor:
    """Weighted style loss over the layers of ``target_grams`` (default weights ``1/n``).

    Args:
        features: ``{layer: (batch, H_l, W_l, N_l)}`` activations of the optimised images.
        target_grams: ``{layer: (1, N_l, N_l)}`` the style's Gram matrices, normalised
            with ``normalization`` (e.g. ``gram_matrix(f, "keras", image_pixels=H·W)``).
        image_pixels: ``H·W`` of the optimised images (used by ``"keras"``).
        normalization: one of `STYLE_NORMALIZATIONS` (``"keras"``, ``"gatys"``...).
    """
    check_normalization(normalization, STYLE_NORMALIZATIONS)
    per_layer = {
        name: style_layer_loss(gram_matrix(features[name], normalization, image_pixels), target)
        for name, target in target_grams.items()
    }
    return weighted_layer_sum(per_layer, layer_weights)


class GuidedTarget(NamedTuple):
    """The style target of a masked transfer, one region ``r`` per mask: ``grams[layer]``
    is ``(R, 1, N, N)`` (each region's normalised Gram matrix to match) and
    ``masks[layer]`` is ``(R, 1, H_l, W_l, 1)`` (each region at that layer's size)."""

    grams: dict
    masks: dict


def guided_style_loss(
    features: Mapping, target: GuidedTarget, image_pixels, layer_weights=None, normalization="keras"
) -> tf.Tensor:
    """``Σ_l w_l Σ_r ¼ Σ (Ĝ_{r,l} - Â_{r,l})²`` with guided Gram matrices ``Ĝ_{r,l}`` of
    each region (`nst_tf.objective.gram.gram_matrix` with ``mask``): each style in its own place."""
    check_normalization(normalization, STYLE_NORMALIZATIONS)
    per_layer = {}
    for name, grams in target.grams.items():
        masks = target.masks[name]
        per_region = [
            style_layer_loss(
                gram_matrix(features[name], normalization, image_pixels, masks[r]), grams[r]
            )
            for r in range(grams.shape[0])
        ]
        per_layer[name] = tf.add_n(per_region)
    return weighted_layer_sum(per_layer, layer_weights)


def neighbour_differences(images) -> tuple[tf.Tensor, tf.Tensor]:
    """Slide 7's "pixel minus the pixel next to it": ``(dy, dx)``, each ``(batch, H-1, W-1, C)``.

    ``dy`` is the difference to the pixel below, ``dx`` to the pixel on the right,
    on the ``(H-1) x (W-1)`` pixels that have both neighbours.
    """
    images = _check_batched("images", images)
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


def weighted_total(terms, features, images, targets, weights) -> LossParts:
    """Slide 3's total of ``terms`` (each against its target, with its weight) from the
    activations ``features`` of ``images``; a part with no term given is 0."""
    parts = dict.fromkeys(PART_NAMES[1:], tf.zeros(tf.shape(images)[:1]))
    parts.update({term.name: term(features, images, t) for term, t in zip(terms, targets)})
    weighted = {f"{term.name}_weight": weight for term, weight in zip(terms, weights)}
    return total_loss(**parts, **weighted)


# --- the terms as objects: each makes its target once and compares against it -------
