"""The Gram matrix: the spatial statistics that stand for "style" (slides 5 and 6).

Each channel's feature map is flattened to a vector of its ``H·W`` positions, giving
a ``(C, H·W)`` matrix ``F``; the Gram matrix is ``F·Fᵀ``, of shape ``(C, C)``. Entry
``(i, j)`` sums, over all positions, the product of channel ``i`` and channel ``j``:
large when the two features fire together, whatever *where* they fire. A 224x224
image at ``block1_conv1`` gives ``(64, 50176) x (50176, 64) = (64, 64)``.

The normalisations below are the one vocabulary of the project: `gram_matrix` takes
them, and the style loss compares two Gram matrices normalised the same way
(``"keras"`` by default, ``"gatys"``...; see `nst_tf.objective.losses`).
"""

from __future__ import annotations

import tensorflow as tf

from nst_tf.base.checks import one_of

#: What ``F·Fᵀ`` is divided by, from the layer's channels ``N``, positions ``M`` (its
#: ``H_l·W_l``) and the input image's pixels ``P`` (its ``H·W``).
GRAM_NORMALIZATIONS = {
    "keras": lambda n, m, p: 3.0 * p,  # the Keras example: 3 colour channels · H·W
    "gatys": lambda n, m, p: n * m,  # Gatys et al. 2016: N_l · M_l
    "positions": lambda n, m, p: m,  # the TF tutorial: the mean over positions
    "none": lambda n, m, p: 1.0,  # slide 6: the plain product
}


def check_normalization(normalization: str, allowed=GRAM_NORMALIZATIONS) -> str:
    """``normalization`` if it is one of ``allowed``, else a `ValueError` naming them."""
    return one_of("normalization", normalization, tuple(allowed))


def flatten_channels(features) -> tf.Tensor:
    """``(batch, H, W, C)`` activations to ``(batch, C, H·W)``: one row per channel."""
    features = tf.convert_to_tensor(features, tf.float32)
    shape = tf.shape(features)
    rows = tf.reshape(features, [shape[0], shape[1] * shape[2], shape[3]])
    return tf.transpose(rows, [0, 2, 1])


def _as_activations(features) -> tf.Tensor:
    """``features`` as float32 ``(batch, H, W, C)`` or ``(H, W, C)``, or a clear error."""
    try:
        features = tf.convert_to_tensor(features, tf.float32)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"features must be a numeric array, not {type(features).__name__}") from exc
    if features.shape.rank not in (3, 4):
        raise ValueError(
            f"features must be activations (batch, H, W, C) or (H, W, C), got shape "
            f"{tuple(features.shape)}; FeatureExtractor returns (batch, H, W, C)."
        )
    if 0 in features.shape[-3:]:  # known sizes only (None inside a traced function)
        raise ValueError(
            f"features of shape {tuple(features.shape)} are empty: a Gram matrix needs "
            "at least one position and one channel (was the image smaller than the layer?)"
        )
    return features


def gram_matrix(features, normalization: str = "none", image_pixels=None, mask=None) -> tf.Tensor:
    """Gram matrices ``F·Fᵀ`` of ``(batch, H, W, C)`` (or ``(H, W, C)``) activations.

    Args:
        features: activations, channels last.
        normalization: one of `GRAM_NORMALIZATIONS`: ``"none"`` (default, as on slide
            6), ``"positions"`` (``/ H_l·W_l``), ``"gatys"`` (``/ N_l·H_l·W_l``) or
            ``"keras"`` (``/ 3·H·W`` of the input image: needs ``image_pixels``).
        image_pixels: ``H·W`` of the image the activations come from (``"keras"``).
        mask: a region, ``[0, 1]`` of shape ``(1, H_l, W_l, 1)`` at the layer's size: the
            *guided* Gram matrix of Gatys et al. (2017), ``(F·m)(F·m)ᵀ``, normalised by
            the region's own area (positions and pixels times the mean of ``m²``), so a
            region asks for the same statistics as a whole image of that style.

    Returns:
        ``(batch, C, C)`` (or ``(C, C)`` for an unbatched input), float32.
    """
    check_normalization(normalization)
    if normalization == "keras" and image_pixels is None:
        raise ValueError("normalization='keras' divides by the image's pixels: pass image_pixels")
    features = _as_activations(features)
    unbatched = features.shape.rank == 3
    if unbatched:
        features = features[tf.newaxis]
    area = 1.0  # the share of the image the statistics are about
    if mask is not None:
        mask = tf.convert_to_tensor(mask, tf.float32)
        features = features * mask
        area = tf.maximum(tf.reduce_mean(tf.square(mask)), 1e-8)
    shape = tf.shape(features)
    gram = channel_products(tf.reshape(features, [shape[0], shape[1] * shape[2], shape[3]]))
    divisor = GRAM_NORMALIZATIONS[normalization](
        tf.cast(shape[3], tf.float32),
        tf.cast(shape[1] * shape[2], tf.float32) * area,
        tf.cast(image_pixels if image_pixels is not None else 0, tf.float32) * area,
    )
    gram = gram / divisor
    return gram[0] if unbatched else gram


@tf.custom_gradient
def channel_products(positions):
    """``F·Fᵀ`` ``(batch, C, C)`` from ``Fᵀ`` ``(batch, H·W, C)``: the activations as they
    are stored, one row per position, so no transposed copy of ``F`` is made.

    Its gradient is written out: for ``G = F·Fᵀ``, ``dL/dFᵀ = Fᵀ·(dL/dG + (dL/dG)ᵀ)``, one
    product, where automatic differentiation makes two ``F``-sized products and adds them
    (at 1024 px, block1_conv1's ``F`` is 179 MB: this saves one or two of those).
    """

    def gradient(upstream):
        return tf.matmul(positions, upstream + tf.linalg.matrix_transpose(upstream))

    return tf.matmul(positions, positions, transpose_a=True), gradient
