"""How much of the photo a result keeps: one number for figures, tests and benchmarks.

`photo_similarity` is the structural similarity (SSIM, Wang et al. 2004) of the two
images' luminance, both reduced 4x by area first, so that the style's strokes (fine
detail) count less than the photo's shapes (the cat's eyes, the rocket's outline). On
chelsea at 256x170 the swirls painting itself scores 0.05 and the photo 1; slide 8's
ratios from style to photo score in between.
"""

from __future__ import annotations

import tensorflow as tf

#: The reduction before comparing and SSIM's window (7 px on the reduced images).
REDUCTION = 4
FILTER_SIZE = 7


def photo_similarity(images, photo) -> list[float]:
    """SSIM of each image's luminance to the photo's, both reduced `REDUCTION` times.

    Args:
        images: results, ``[0, 1]`` RGB ``(batch, H, W, 3)``.
        photo: the photo, ``[0, 1]`` RGB ``(1, H, W, 3)``, the same ``H, W``.

    Returns:
        One value per image in ``[-1, 1]`` (1: the photo's structure exactly).
    """
    images = tf.convert_to_tensor(images, tf.float32)
    photo = tf.convert_to_tensor(photo, tf.float32)
    if images.shape[1:] != photo.shape[1:]:
        raise ValueError(
            f"images {tuple(images.shape)} and photo {tuple(photo.shape)} must have the same "
            "size: resize the result to the photo's (nst_tf.resize) first"
        )
    size = (images.shape[1] // REDUCTION, images.shape[2] // REDUCTION)
    if min(size) < FILTER_SIZE:
        raise ValueError(
            f"images of {images.shape[1]}x{images.shape[2]} px are too small to compare: "
            f"the shorter side needs at least {REDUCTION * FILTER_SIZE} px"
        )

    def reduced(batch):
        return tf.image.resize(tf.image.rgb_to_grayscale(batch), size, "area")

    photo = tf.repeat(reduced(photo), images.shape[0], axis=0)
    values = tf.image.ssim(reduced(images), photo, 1.0, filter_size=FILTER_SIZE)
    return [float(v) for v in values]
