"""``[0, 1]`` RGB images as VGG19 reads them: 0-255 caffe BGR less the ImageNet mean pixel."""

from __future__ import annotations

import tensorflow as tf

#: ImageNet mean pixel in BGR order, 0-255 scale (the value Keras's VGG19 uses).
IMAGENET_MEAN_BGR = (103.939, 116.779, 123.68)


def preprocess(images: tf.Tensor) -> tf.Tensor:
    """``[0, 1]`` RGB ``(batch, H, W, 3)`` to VGG19's mean-subtracted 0-255 BGR input."""
    bgr = tf.reverse(tf.convert_to_tensor(images, tf.float32), axis=[-1]) * 255.0
    return bgr - tf.constant(IMAGENET_MEAN_BGR, tf.float32)
