"""VGG19 activations of ``[0, 1]`` RGB images, for any list of layer names.

The network was trained on "caffe"-style inputs: BGR channel order, 0-255 scale, the
ImageNet mean subtracted. `preprocess` does exactly that (getting the channel order
wrong is a classic bug of ports), so callers always work in plain ``[0, 1]`` RGB.
"""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf

from nst_tf.base.checks import unit_range
from nst_tf.base.errors import ImageTooSmallError
from nst_tf.network.layers import (
    LAYER_NAMES,
    check_layer_names,
    min_image_size,
)
from nst_tf.network.preprocess import preprocess
from nst_tf.network.vgg import NetworkSettings, load_vgg19
from nst_tf.network.weights import announce_random_weights, best_available_weights


class FeatureExtractor:
    """Maps ``[0, 1]`` RGB images ``(batch, H, W, 3)`` to ``{layer name: activation}``.

    Only the VGG19 layers up to the deepest one asked for are built and computed,
    so content-only work at ``block2_conv2`` does not pay for blocks 3-5.

    Args:
        layers: VGG19 layer names (see `LAYER_NAMES`), in any order.
        weights, pooling, seed, precision, rescale: passed to :func:`nst_tf.network.vgg.load_vgg19`;
            activations are returned as float32 whatever the precision.
    """

    def __init__(
        self,
        layers,
        weights=None,
        pooling: str = "max",
        seed: int = 0,
        precision="float32",
        rescale: str = "unit_mean",
    ):
        import keras

        self.layers = check_layer_names(layers)
        self.min_size = min_image_size(self.layers)
        vgg = load_vgg19(weights, pooling, seed, precision, rescale)
        outputs = [vgg.get_layer(name).output for name in self.layers]
        self.model = keras.Model(vgg.input, outputs, name="vgg19_features")
        self.model.trainable = False
        self._compiled_model = tf.function(self.model, reduce_retracing=True)
        #: VGG19's layers in order, up to the deepest one asked for.
        self.network_layers = tuple(
            vgg.get_layer(name) for name in LAYER_NAMES[: LAYER_NAMES.index(self.deepest_layer) + 1]
        )

    def check_image(self, images) -> None:
        """Raise a clear error if ``images`` is not ``(batch, H, W, 3)`` ``[0, 1]`` floats,
        or too small. (Inside a compiled function only the shape can be checked.)"""
        shape = tuple(np.shape(images))
        if len(shape) != 4 or shape[-1] != 3:
            raise ValueError(
                f"images must have the shape (batch, H, W, 3) in [0, 1] RGB, got {shape}; "
                "nst_tf.load_image returns this shape."
            )
        if tf.executing_eagerly():
            unit_range("images", np.asarray(images), verb="hold")
        height, width = shape[1], shape[2]
        if height is not None and width is not None and min(height, width) < self.min_size:
            raise ImageTooSmallError(
                f"Image of {height}x{width} px is too small for layer "
                f"{self.deepest_layer}: "
                f"it needs at least {self.min_size}x{self.min_size} px. "
                "Use a larger image or shallower layers."
            )

    @property
    def deepest_layer(self) -> str:
        return max(self.layers, key=LAYER_NAMES.index)

    def __call__(self, images) -> dict[str, tf.Tensor]:
        """Activations ``{name: (batch, H_l, W_l, C_l)}`` of ``[0, 1]`` RGB ``images``."""
        self.check_image(images)
        model = self.model if not tf.executing_eagerly() else self._compiled_model
        outputs = model(preprocess(images), training=False)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        return {name: tf.cast(value, tf.float32) for name, value in zip(self.layers, outputs)}


def shared_extractor(layers, network: NetworkSettings) -> FeatureExtractor:
    """A `FeatureExtractor`, reused for the same layers and network (so compiled steps
    are reused across runs)."""
    if network.weights == "random":  # said also when the extractor comes from the cache
        announce_random_weights(network.seed)
    elif network.weights == "auto":
        best_available_weights(network.seed)
    return _cached_extractor(tuple(check_layer_names(layers)), network)


@functools.lru_cache(maxsize=8)
def _cached_extractor(layers: tuple, network: NetworkSettings) -> FeatureExtractor:
    return FeatureExtractor(
        list(layers),
        network.weights,
        network.pooling,
        network.seed,
        network.precision,
        network.rescale,
    )
