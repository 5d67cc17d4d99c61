"""The image transformation network of Johnson et al. (2016), as a Keras model.

``[0, 1]`` RGB ``(batch, H, W, 3)`` in, the same shape out: a 9x9 convolution, two
strided convolutions (down to a quarter of the size), residual blocks, two upsampling
stages done as nearest-neighbour resize + convolution (not transposed convolutions,
whose uneven overlap draws a checkerboard: Odena et al. 2016), a 9x9 convolution to RGB
and a sigmoid. Instance normalisation (Ulyanov et al. 2016) after each convolution. Any
input size works: the output is cut to the input's size where the strides rounded up.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from nst_tf.base.checks import one_of, whole_number
from nst_tf.network.precision import PRECISIONS, choose_precision

#: The network's stages in order, each named by its last layer (``residual`` numbered).
STAGES = ("in", "down_1", "down_2", "residual", "up_1", "up_2", "out")


def _conv(x, filters: int, size: int, dtype: str, strides: int = 1, relu=True, name=None):
    x = layers.Conv2D(filters, size, strides=strides, padding="same", dtype=dtype)(x)
    x = layers.GroupNormalization(groups=-1, dtype=dtype)(x)  # -1: instance normalisation
    return layers.ReLU(name=name, dtype=dtype)(x) if relu else x


def _residual(x, filters: int, dtype: str, name: str):
    y = _conv(x, filters, 3, dtype)
    y = _conv(y, filters, 3, dtype, relu=False)
    return layers.Add(name=name, dtype=dtype)([x, y])


def _upsample(x, filters: int, dtype: str, name: str):
    return _conv(NearestUpsampling(dtype=dtype)(x), filters, 3, dtype, name=name)


@keras.saving.register_keras_serializable(package="nst_tf")
class NearestUpsampling(layers.Layer):
    """``x`` at twice its height and width, each pixel repeated 2x2: Keras's
    ``UpSampling2D(2)``, computed as four copies of the channels rearranged into 2x2
    blocks, because the gradient of TensorFlow's own nearest resize makes oneDNN print an
    "E0000 … supports DT_INT32 only" line to a student's screen on many CPUs."""

    def call(self, x):
        return tf.nn.depth_to_space(tf.concat([x] * 4, axis=-1), 2)

    def compute_output_shape(self, shape):
        batch, height, width, channels = shape
        double = [None if side is None else 2 * side for side in (height, width)]
        return (batch, *double, channels)


@keras.saving.register_keras_serializable(package="nst_tf")
class CropTo(layers.Layer):
    """``x`` cut to the height and width of ``like`` (the strides round odd sizes up)."""

    def call(self, x, like):
        shape = keras.ops.shape(like)
        return x[:, : shape[1], : shape[2], :]

    def compute_output_shape(self, x_shape, like_shape):
        return (x_shape[0], like_shape[1], like_shape[2], x_shape[3])


def transform_network(
    width: int = 32, residual_blocks: int = 5, precision: str = "float32"
) -> keras.Model:
    """Johnson et al.'s network with ``width`` channels at full size (32 in the paper;
    twice that after each strided convolution) and ``residual_blocks`` blocks (5).

    ``precision`` as VGG19's (`nst_tf.network.precision.choose_precision`):
    ``"bfloat16"`` computes in bfloat16 with float32 weights (Keras mixed precision;
    faster where the hardware has bfloat16 units, no loss scaling needed), ``"auto"``
    chooses; the output stays float32.
    """
    width = whole_number("width", width, 1)
    residual_blocks = whole_number("residual_blocks", residual_blocks, 0)
    precision = choose_precision(one_of("precision", precision, PRECISIONS))
    dtype = "mixed_bfloat16" if precision == "bfloat16" else "float32"
    photos = keras.Input((None, None, 3), name="photos")
    x = _conv(photos, width, 9, dtype, name="in")
    x = _conv(x, 2 * width, 3, dtype, strides=2, name="down_1")
    x = _conv(x, 4 * width, 3, dtype, strides=2, name="down_2")
    for block in range(1, residual_blocks + 1):
        x = _residual(x, 4 * width, dtype, name=f"residual_{block}")
    x = _upsample(x, 2 * width, dtype, name="up_1")
    x = _upsample(x, width, dtype, name="up_2")
    x = layers.Conv2D(3, 9, padding="same", dtype=dtype)(x)
    x = layers.Activation("sigmoid", name="out", dtype="float32")(x)  # [0, 1] RGB, float32
    return keras.Model(photos, CropTo()(x, photos), name="transform_network")


def stage_shapes(network: keras.Model, size: int = 256) -> dict[str, tuple[int, int, int]]:
    """Each stage's output ``(H, W, C)`` for a ``size`` x ``size`` photo, in order
    (`STAGES`, residual blocks numbered): what `nst_tf.fast.drawing` draws."""
    names = [
        layer.name
        for layer in network.layers
        if layer.name in STAGES or layer.name.startswith("residual_")
    ]
    outputs = [network.get_layer(name).output for name in names]
    probe = keras.Model(network.inputs, outputs)
    values = probe(keras.ops.zeros((1, size, size, 3)))
    return {name: tuple(int(d) for d in value.shape[1:]) for name, value in zip(names, values)}
