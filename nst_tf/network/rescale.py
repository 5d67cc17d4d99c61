"""Gatys et al.'s normalised VGG19: every filter's mean activation rescaled to 1.

Gatys et al. (2016) "normalized the network by scaling the weights such that the mean
activation of each convolutional filter over images and positions is equal to one".
A positive factor passes unchanged through ReLU and max pooling, so dividing a filter's
kernel and bias by its mean activation ``m`` and multiplying the next layer's weights
for that input channel by ``m`` changes only the *size* of each feature map, never
which features fire where. What it changes is the balance of the losses: on the weights
as released, the mean activations range from about 20 (``block5_conv2``) to over 600
(``block4_conv1``), and the style loss (fourth powers of activations) of the loud layers
drowns the content loss at every ratio of slide 8. Rescaled, every layer speaks at the
same volume and the ratios ``1e-4 .. 1e-1`` span the trade-off.

The means are measured once per loaded network (about a second on a CPU), over the
bundled images (`CALIBRATION_IMAGES`) at `CALIBRATION_SIZE` px, on the network with max
pooling as it was trained; Gatys et al. used ImageNet images. A filter that hardly fires
on them (a mean under `QUIET_FILTER` of its layer's median: 84 of the 5,504 filters of
the ImageNet weights, but a third of the deeper ones of random weights) is seen too
rarely to be measured, and is scaled as if its mean were that floor: dividing by a
near-zero mean would make it the loudest filter of its layer.
"""

from __future__ import annotations

import numpy as np

#: ``"unit_mean"``: the normalised network (the default); ``"none"``: the weights as released.
RESCALINGS = ("unit_mean", "none")
CALIBRATION_IMAGES = ("chelsea", "rocket", "swirls", "mosaic")
CALIBRATION_SIZE = 256
#: The floor of a filter's measured mean, as a fraction of its layer's median mean.
QUIET_FILTER = 0.1


def calibration_images() -> list[np.ndarray]:
    """The bundled images the means are taken over, ``[0, 1]`` RGB ``(1, H, W, 3)``."""
    from nst_tf.io.images import load_image
    from nst_tf.io.sample_images import bundled_image_path

    return [
        load_image(bundled_image_path(name), max_size=CALIBRATION_SIZE)
        for name in CALIBRATION_IMAGES
    ]


def mean_activations(model, layers, images) -> dict[str, np.ndarray]:
    """Each filter's mean activation over ``images`` and positions: ``{layer: (C,)}``.

    Args:
        model: a VGG19 Keras model (input caffe-BGR, as
            `nst_tf.network.preprocess.preprocess` makes).
        layers: the conv layers' names.
        images: ``[0, 1]`` RGB ``(1, H, W, 3)`` images, of any sizes.
    """
    import keras

    from nst_tf.network.preprocess import preprocess

    # Means inside the model, so each layer's activations are freed as soon as the next
    # layer has them (no memory peak of all 16 layers' maps at once).
    means = [keras.ops.mean(model.get_layer(name).output, axis=(0, 1, 2)) for name in layers]
    probe = keras.Model(model.input, means)
    per_image = [probe(preprocess(image), training=False) for image in images]
    return {
        name: np.mean([np.asarray(outputs[i]) for outputs in per_image], axis=0)
        for i, name in enumerate(layers)
    }


def rescale_to_unit_mean(model, layers, images=None) -> dict[str, np.ndarray]:
    """Rescale ``model``'s conv ``layers`` (in network order) in place so that each
    filter's mean activation over ``images`` (default: `calibration_images`) is 1.

    Returns the means found (``{layer: (C,)}``), before rescaling.
    """
    means = mean_activations(model, layers, images or calibration_images())
    previous = None  # the scale each input channel of the current layer was divided by
    for name in layers:
        layer = model.get_layer(name)
        kernel, bias = layer.get_weights()
        floor = QUIET_FILTER * np.median(means[name])
        scale = np.maximum(means[name], floor if floor > 0 else 1.0).astype(np.float32)
        if previous is not None:
            kernel = kernel * previous[None, None, :, None]
        layer.set_weights([kernel / scale, bias / scale])
        previous = scale
    return means
