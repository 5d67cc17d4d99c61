"""The Gram matrix: the spatial statistics that stand for "style" (slides 5 and 6).

Each channel's feature map is flattened to a vector of its ``H·W`` positions, giving
a ``(C, H·W)`` matrix ``F``; the Gram matrix is ``F·Fᵀ``, of shape ``(C, C)``. Entry
``(i, j)`` sums, over all positions, the product of channel ``i`` and channel ``j``:
large when the two features fire together, whatever *where* they fire. A 224x224
image at ``block1_conv1`` gives ``(64, 50176) x (50176, 64) = (64, 64)``.
"""

from __future__ import annotations

import tensorflow as tf

#: Normalisations of ``F·Fᵀ``: the divisor as a function of (channels, positions).
GRAM_NORMALIZATIONS = {
    "none": lambda channels, positions: 1.0,  # slide 6 and the Keras example
    "positions": lambda channels, positions: positions,  # TF tutorial: / (H·W)
    "elements": lambda channels, positions: channels * positions,  # / (C·H·W)
}


def flatten_channels(features) -> tf.Tensor:
    """``(batch, H, W, C)`` activations to ``(batch, C, H·W)``: one row per channel."""
    features = tf.convert_to_tensor(features, tf.float32)
    shape = tf.shape(features)
    rows = tf.reshape(features, [shape[0], shape[1] * shape[2], shape[3]])
    return tf.transpose(rows, [0, 2, 1])


def gram_matrix(features, normalization: str = "none") -> tf.Tensor:
    """Gram matrices ``F·Fᵀ`` of ``(batch, H, W, C)`` (or ``(H, W, C)``) activations.

    Args:
        features: activations, channels last.
        normalization: ``"none"`` (default): the plain product, as on slide 6;
            ``"positions"``: divided by ``H·W``, so the value does not grow with the
            image size; ``"elements"``: divided by ``C·H·W``.

    Returns:
        ``(batch, C, C)`` (or ``(C, C)`` for an unbatched input), float32.
    """
    if normalization not in GRAM_NORMALIZATIONS:
        raise ValueError(
            f"normalization must be one of {sorted(GRAM_NORMALIZATIONS)}, not {normalization!r}"
        )
    features = tf.convert_to_tensor(features, tf.float32)
    unbatched = features.shape.rank == 3
    if unbatched:
        features = features[tf.newaxis]
    flat = flatten_channels(features)
    gram = tf.matmul(flat, flat, transpose_b=True)
    shape = tf.shape(features)
    divisor = GRAM_NORMALIZATIONS[normalization](
        tf.cast(shape[3], tf.float32), tf.cast(shape[1] * shape[2], tf.float32)
    )
    gram = gram / divisor
    return gram[0] if unbatched else gram
