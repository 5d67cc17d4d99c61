"""Feature extraction: VGG's preprocessing, layer selection, clear errors."""

import keras
import numpy as np
import pytest

from nst_tf.base.errors import ImageTooSmallError, LayerError
from nst_tf.network.features import FeatureExtractor
from nst_tf.network.layers import LAYER_NAMES, min_image_size
from nst_tf.network.preprocess import preprocess


def test_preprocess_matches_keras_vgg19_preprocess_input(rng):
    images = rng.uniform(size=(3, 17, 23, 3)).astype(np.float32)
    expected = keras.applications.vgg19.preprocess_input(images * 255.0)
    np.testing.assert_allclose(preprocess(images), expected, atol=1e-4)


def test_layer_names_cover_all_16_convs_and_5_pools():
    assert len(LAYER_NAMES) == 21
    assert LAYER_NAMES[0] == "block1_conv1" and LAYER_NAMES[-1] == "block5_pool"


def test_returns_requested_layers_with_their_shapes(vgg_h5, small_images):
    extractor = FeatureExtractor(["block5_conv2", "block1_conv1"], weights=vgg_h5)
    out = extractor(small_images)
    assert list(out) == ["block5_conv2", "block1_conv1"]
    assert tuple(out["block1_conv1"].shape) == (2, 48, 64, 64)
    assert tuple(out["block5_conv2"].shape) == (2, 3, 4, 512)


def test_computes_only_up_to_the_deepest_layer(vgg_h5):
    shallow = FeatureExtractor(["block2_conv2"], weights=vgg_h5).model
    names = [layer.name for layer in shallow.layers]
    assert names[-1] == "block2_conv2"
    assert not any(name.startswith(("block3", "block4", "block5")) for name in names)


def test_unknown_layer_lists_the_valid_names(vgg_h5):
    with pytest.raises(LayerError) as info:
        FeatureExtractor(["block1_conv1", "conv4_2"], weights=vgg_h5)
    assert "conv4_2" in str(info.value) and "block4_conv2" in str(info.value)
    with pytest.raises(LayerError):
        FeatureExtractor([], weights=vgg_h5)


def test_image_too_small_for_the_deepest_layer_says_the_minimum(vgg_h5, rng):
    assert min_image_size(["block1_conv1"]) == 1
    assert min_image_size(["block5_conv1", "block1_conv1"]) == 16
    extractor = FeatureExtractor(["block1_conv1", "block5_conv1"], weights=vgg_h5)
    tiny = rng.uniform(size=(1, 12, 40, 3)).astype(np.float32)
    with pytest.raises(ImageTooSmallError, match="at least 16x16 px") as info:
        extractor(tiny)
    assert "block5_conv1" in str(info.value)
    extractor(rng.uniform(size=(1, 16, 16, 3)).astype(np.float32))  # the minimum works


def test_wrong_image_shape_is_explained(vgg_h5, rng):
    extractor = FeatureExtractor(["block1_conv1"], weights=vgg_h5)
    with pytest.raises(ValueError, match=r"\(batch, H, W, 3\)"):
        extractor(rng.uniform(size=(32, 32, 3)).astype(np.float32))
