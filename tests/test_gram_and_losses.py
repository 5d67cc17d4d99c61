"""The Gram matrix (slide 6) and each loss, against numbers worked out by hand."""

import numpy as np
import pytest
import tensorflow as tf

from nst_tf import losses
from nst_tf.features import FeatureExtractor
from nst_tf.gram import flatten_channels, gram_matrix

# Slide 6: F has one row per channel, [[1,2,3],[4,5,6]]; as activations of shape
# (batch=1, H=1, W=3, C=2), channel 0 holds 1,2,3 and channel 1 holds 4,5,6.
SLIDE_F = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
SLIDE_FEATURES = SLIDE_F.T.reshape(1, 1, 3, 2)
SLIDE_GRAM = [[14.0, 32.0], [32.0, 77.0]]


def test_flatten_channels_gives_one_row_per_channel():
    np.testing.assert_array_equal(flatten_channels(SLIDE_FEATURES)[0], SLIDE_F)


def test_slide6_worked_example():
    np.testing.assert_array_equal(gram_matrix(SLIDE_FEATURES)[0], SLIDE_GRAM)
    np.testing.assert_array_equal(gram_matrix(SLIDE_FEATURES[0]), SLIDE_GRAM)  # unbatched


def test_gram_normalisations_divide_by_positions_or_elements():
    np.testing.assert_allclose(
        gram_matrix(SLIDE_FEATURES, "positions")[0], np.divide(SLIDE_GRAM, 3)
    )
    np.testing.assert_allclose(gram_matrix(SLIDE_FEATURES, "elements")[0], np.divide(SLIDE_GRAM, 6))
    with pytest.raises(ValueError, match="normalization"):
        gram_matrix(SLIDE_FEATURES, "mean")


def test_gram_of_a_batch_is_one_matrix_per_image(rng):
    features = rng.normal(size=(3, 4, 5, 6)).astype(np.float32)
    grams = gram_matrix(features).numpy()
    assert grams.shape == (3, 6, 6)
    for image, gram in zip(features, grams):
        flat = image.reshape(-1, 6).T
        np.testing.assert_allclose(gram, flat @ flat.T, rtol=1e-5)


def test_slide6_shapes_on_a_real_224px_block1_conv1_activation(vgg_h5, rng):
    images = rng.uniform(size=(1, 224, 224, 3)).astype(np.float32)
    features = FeatureExtractor(["block1_conv1"], weights=vgg_h5)(images)["block1_conv1"]
    assert tuple(flatten_channels(features).shape) == (1, 64, 50176)
    assert tuple(gram_matrix(features).shape) == (1, 64, 64)


def test_content_loss_is_the_sum_of_squared_differences():
    features = tf.constant([[[[1.0, 2.0], [3.0, 4.0]]]])  # (1, 1, 2, 2)
    target = tf.constant([[[[1.0, 0.0], [0.0, 2.0]]]])
    # (1-1)² + (2-0)² + (3-0)² + (4-2)² = 0 + 4 + 9 + 4 = 17
    np.testing.assert_allclose(losses.content_layer_loss(features, target), [17.0])
    both = losses.content_loss(
        {"a": features, "b": features}, {"a": target, "b": features}, {"a": 2.0, "b": 1.0}
    )
    np.testing.assert_allclose(both, [34.0])


def test_style_layer_loss_keras_and_gatys_normalisations():
    # G = [[14, 32], [32, 77]] against A = 0: Σ G² = 196 + 1024 + 1024 + 5929 = 8173.
    zero = tf.zeros((1, 2, 2))
    keras_norm = losses.style_layer_loss(SLIDE_FEATURES, zero, image_pixels=4)
    np.testing.assert_allclose(keras_norm, [8173.0 / (4 * 3**2 * 4**2)], rtol=1e-6)
    # Gatys: 4 · N² · M² with N = 2 channels, M = 3 positions = 144.
    gatys_norm = losses.style_layer_loss(SLIDE_FEATURES, zero, 4, normalization="gatys")
    np.testing.assert_allclose(gatys_norm, [8173.0 / 144.0], rtol=1e-6)
    same = losses.style_layer_loss(SLIDE_FEATURES, tf.constant([SLIDE_GRAM]), 4)
    np.testing.assert_allclose(same, [0.0])
    with pytest.raises(ValueError, match="normalization"):
        losses.style_layer_loss(SLIDE_FEATURES, zero, 4, normalization="mean")


def test_style_loss_weights_layers_equally_by_default():
    zero = tf.zeros((1, 2, 2))
    one_layer = losses.style_layer_loss(SLIDE_FEATURES, zero, 4)
    features = {"x": SLIDE_FEATURES, "y": SLIDE_FEATURES}
    np.testing.assert_allclose(
        losses.style_loss(features, {"x": zero, "y": zero}, 4), one_layer, rtol=1e-6
    )
    weighted = losses.style_loss(features, {"x": zero, "y": zero}, 4, {"x": 1.0, "y": 3.0})
    np.testing.assert_allclose(weighted, 4 * one_layer, rtol=1e-6)


def test_total_variation_on_a_3x3_image_worked_by_hand():
    channel = np.array([[0.0, 0.5, 1.0], [0.5, 0.5, 0.0], [1.0, 0.0, 0.0]], np.float32)
    image = np.zeros((1, 3, 3, 3), np.float32)
    image[0, :, :, 0] = channel
    # Corners (0,0): dy=.5, dx=.5; (0,1): dy=0, dx=.5; (1,0): dy=.5, dx=0; (1,1): dy=-.5, dx=-.5
    expected = 2 * (0.25 + 0.25) ** 1.25 + 2 * 0.25**1.25
    np.testing.assert_allclose(losses.total_variation_loss(image), [expected], rtol=1e-6)
    flat = np.full((2, 5, 5, 3), 0.3, np.float32)
    np.testing.assert_array_equal(losses.total_variation_loss(flat), [0.0, 0.0])


def test_total_variation_gradient_is_finite_on_a_flat_image():
    image = tf.Variable(tf.fill((1, 4, 4, 3), 0.5))
    with tf.GradientTape() as tape:
        value = tf.reduce_sum(losses.total_variation_loss(image))
    assert np.all(np.isfinite(tape.gradient(value, image).numpy()))


def test_total_loss_is_slide3_weighted_sum_and_returns_each_part():
    parts = losses.total_loss(
        tf.constant([2.0]), tf.constant([3.0]), tf.constant([5.0]), 10.0, 100.0, 1000.0
    )
    np.testing.assert_allclose(parts.total, [2 * 10 + 3 * 100 + 5 * 1000])
    assert (float(parts.content[0]), float(parts.style[0]), float(parts.tv[0])) == (2, 3, 5)
    per_image = losses.total_loss(
        tf.constant([1.0, 1.0]),
        tf.constant([1.0, 1.0]),
        tf.constant([0.0, 0.0]),
        content_weight=tf.constant([1e-4, 1e-1]),
        style_weight=1.0,
        tv_weight=0.0,
    )
    np.testing.assert_allclose(per_image.total, [1.0001, 1.1], rtol=1e-6)


def test_default_weight_ratio_is_keras_and_inside_slide8_range():
    ratio = losses.DEFAULT_CONTENT_WEIGHT / losses.DEFAULT_STYLE_WEIGHT
    assert ratio == pytest.approx(2.5e-2)
    assert 1e-4 <= ratio <= 1e-1
