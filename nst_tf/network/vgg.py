"""VGG19 without its classifier, built with the weights `nst_tf.network.weights` finds.

`load_vgg19` is the one entry point: it takes `NetworkSettings` (weights, pooling,
precision, seed, rescaling), checked when made, and keeps one model per setting.
"""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nst_tf.base.checks import one_of, whole_number
from nst_tf.base.errors import WeightsFileError
from nst_tf.base.random_weights import note_random_weights_used
from nst_tf.network.layers import CONV_LAYERS
from nst_tf.network.precision import PRECISIONS, choose_precision
from nst_tf.network.rescale import RESCALINGS, rescale_to_unit_mean
from nst_tf.network.weights import (
    IMAGENET_FILE,
    IMAGENET_SOURCES,
    announce_random_weights,
    best_available_weights,
    check_weights,
    obtain_weights,
)

POOLINGS = ("max", "avg")


@dataclass(frozen=True)
class NetworkSettings:
    """Which VGG19 to run: its weights, pooling and precision, checked when made.

    Args:
        weights: ``"imagenet"``, ``"imagenet-8bit"``, ``"random"``, ``"auto"`` (the best
            ImageNet file there is, else random: announced), or a ``.h5`` weights file;
            ``None`` reads ``$NST_TF_WEIGHTS`` and falls back to ``"auto"``.
        pooling: ``"max"`` (as trained) or ``"avg"`` (Gatys et al.).
        precision: ``"float32"``, ``"bfloat16"`` (see `load_vgg19`) or ``"auto"``
            (bfloat16 where the hardware computes it natively, announced; `choose_precision`).
        seed: seed of the random weights (``weights="random"``), a whole number >= 0.
        rescale: ``"unit_mean"`` (Gatys et al.'s normalised network: each filter's mean
            activation 1, the default; `nst_tf.network.rescale`) or ``"none"`` (as released).
    """

    weights: str | os.PathLike | None = None
    pooling: str = "max"
    precision: str = "float32"
    seed: int = 0
    rescale: str = "unit_mean"

    def __post_init__(self):
        object.__setattr__(self, "weights", check_weights(self.weights))
        one_of("pooling", self.pooling, POOLINGS)
        object.__setattr__(
            self, "precision", choose_precision(one_of("precision", self.precision, PRECISIONS))
        )
        object.__setattr__(self, "seed", whole_number("seed", self.seed, 0))
        one_of("rescale", self.rescale, RESCALINGS)


def load_vgg19(
    weights: str | os.PathLike | None = None,
    pooling: str = "max",
    seed: int = 0,
    precision: str = "float32",
    rescale: str = "unit_mean",
):
    """VGG19 convolutional base as a Keras model, input ``(batch, H, W, 3)`` caffe-BGR.

    Args:
        weights: ``"imagenet"``, ``"imagenet-8bit"``, ``"random"``, ``"auto"`` (the
            best ImageNet file there is, else random: announced), or a weights file; ``None``
            reads ``$NST_TF_WEIGHTS`` and falls back to ``"auto"``.
        pooling: ``"max"`` (as trained) or ``"avg"`` (Gatys et al. found average
            pooling gives smoother results); pooling layers hold no weights, so the
            same file serves both.
        seed: seed of the random weights; ignored for the other sources.
        precision: ``"float32"`` (exact, the default) or ``"bfloat16"``: convolutions
            in bfloat16 with float32 weights (Keras mixed precision), about twice as
            fast on CPUs with native bfloat16 (AVX512-BF16, AMX) and on recent GPUs;
            activations keep about 3 significant digits.
        rescale: ``"unit_mean"`` (Gatys et al.'s normalised network, `nst_tf.network.rescale`)
            or ``"none"`` (the weights as released).

    Models are cached per (weights, pooling, seed, precision, rescale): loading twice is
    free.
    """
    network = NetworkSettings(weights, pooling, precision, seed, rescale)
    source = network.weights
    if source == "auto":
        source = best_available_weights(network.seed)
    elif source == "random":
        announce_random_weights(network.seed)
    if source == "random":
        note_random_weights_used()
    seed = network.seed if source == "random" else 0
    return _load_cached(source, network.pooling, seed, network.precision, network.rescale)


@functools.lru_cache(maxsize=4)
def _load_cached(source: str, pooling: str, seed: int, precision: str, rescale: str):
    if source == "random":
        model = _random_vgg19(seed)
    elif source in IMAGENET_SOURCES:
        model = _vgg19_from_file(obtain_weights(source))
    else:
        model = _vgg19_from_file(Path(source))
    model.trainable = False
    if rescale == "unit_mean":
        rescale_to_unit_mean(model, CONV_LAYERS)
    if pooling == "max" and precision == "float32":
        return model
    return _variant(model, pooling, precision)


def _bare_vgg19():
    import keras

    return keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))


def _random_vgg19(seed: int):
    """VGG19 with He-uniform kernels from ``numpy`` seeded by ``seed``, zero biases.

    He scaling keeps activations of the same order through all 16 layers (as in the
    trained network), so losses and weight ratios behave plausibly.
    """
    model = _bare_vgg19()
    rng = np.random.default_rng(seed)
    for name in CONV_LAYERS:
        layer = model.get_layer(name)
        kernel, bias = layer.get_weights()
        fan_in = np.prod(kernel.shape[:-1])
        limit = np.sqrt(6.0 / fan_in)
        kernel = rng.uniform(-limit, limit, size=kernel.shape).astype("float32")
        layer.set_weights([kernel, np.zeros_like(bias)])
    return model


def _vgg19_from_file(path: Path):
    """VGG19 with weights from ``path`` (checked by `check_weights`); a clear error if the
    file cannot serve."""
    model = _bare_vgg19()
    try:
        with warnings.catch_warnings():  # a foreign file makes Keras warn for every layer
            warnings.simplefilter("ignore")
            model.load_weights(path)
    except Exception as exc:  # h5py OSError, Keras ValueError on a mismatch...
        raise WeightsFileError(
            f"Could not load VGG19 weights from {path}: {exc}\n"
            "The file may be truncated (an interrupted download) or hold another "
            f"model's weights. Delete it and download {IMAGENET_FILE} again."
        ) from exc
    return model


def _variant(model, pooling: str, precision: str):
    """A copy of ``model`` with average pooling and/or bfloat16 compute (same names)."""
    import keras

    dtype = "mixed_bfloat16" if precision == "bfloat16" else "float32"

    def rebuild(layer):
        config = {**layer.get_config(), "dtype": dtype}
        if pooling == "avg" and isinstance(layer, keras.layers.MaxPooling2D):
            return keras.layers.AveragePooling2D.from_config(config)
        return layer.__class__.from_config(config)

    variant = keras.models.clone_model(model, clone_function=rebuild)
    variant.set_weights(model.get_weights())
    variant.trainable = False
    return variant
