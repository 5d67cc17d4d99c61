"""The Gram matrix (slide 6) and each loss, against numbers worked out by hand."""

import numpy as np
import pytest
import tensorflow as tf

from nst_tf.network.features import FeatureExtractor
from nst_tf.objective import losses as objective_losses
from nst_tf.objective import settings as objective_settings
from nst_tf.objective import terms
from nst_tf.objective.gram import flatten_channels, gram_matrix

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


def test_gram_gradient_worked_by_hand():
    # L = Σ W∘G with G = F·Fᵀ gives dL/dF = (W + Wᵀ)·F; W is not symmetric on purpose.
    # (W + Wᵀ) = [[2, 2], [2, 0]], so dL/dF = [[10, 14, 18], [2, 4, 6]] (one row a channel).
    weights = tf.constant([[1.0, 0.0], [2.0, 0.0]])
    features = tf.constant(SLIDE_FEATURES)
    with tf.GradientTape() as tape:
        tape.watch(features)
        loss = tf.reduce_sum(weights * gram_matrix(features)[0])
    by_hand = np.array([[10.0, 14.0, 18.0], [2.0, 4.0, 6.0]], np.float32)
    np.testing.assert_array_equal(tape.gradient(loss, features), by_hand.T.reshape(1, 1, 3, 2))


def test_gram_normalisations_divide_by_what_their_names_say():
    # N = 2 channels, M = 3 positions, and (for "keras") an image of 4 pixels.
    positions = gram_matrix(SLIDE_FEATURES, "positions")[0]
    np.testing.assert_allclose(positions, np.divide(SLIDE_GRAM, 3))
    np.testing.assert_allclose(gram_matrix(SLIDE_FEATURES, "gatys")[0], np.divide(SLIDE_GRAM, 6))
    keras = gram_matrix(SLIDE_FEATURES, "keras", image_pixels=4)[0]
    np.testing.assert_allclose(keras, np.divide(SLIDE_GRAM, 12))
    with pytest.raises(ValueError, match="normalization"):
        gram_matrix(SLIDE_FEATURES, "mean")
    with pytest.raises(ValueError, match="image_pixels"):
        gram_matrix(SLIDE_FEATURES, "keras")


@pytest.mark.parametrize("bad", [np.zeros((2, 2)), np.zeros((1, 2, 2, 2, 2))])
def test_gram_refuses_activations_of_the_wrong_rank(bad):
    with pytest.raises(ValueError, match=r"features must be activations \(batch, H, W, C\)"):
        gram_matrix(bad)


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


def test_content_loss_is_the_sum_of_squared_differences_per_position():
    features = tf.constant([[[[1.0, 2.0], [3.0, 4.0]]]])  # (1, 1, 2, 2): 2 positions
    target = tf.constant([[[[1.0, 0.0], [0.0, 2.0]]]])
    # (1-1)² + (2-0)² + (3-0)² + (4-2)² = 0 + 4 + 9 + 4 = 17, over M = 1·2 positions
    np.testing.assert_allclose(objective_losses.content_layer_loss(features, target), [8.5])
    both = objective_losses.content_loss(
        {"a": features, "b": features}, {"a": target, "b": features}, {"a": 2.0, "b": 1.0}
    )
    np.testing.assert_allclose(both, [17.0])


def test_content_loss_does_not_grow_with_the_image():
    rng = np.random.default_rng(0)
    small = rng.normal(size=(1, 4, 4, 3)).astype("float32")
    large = np.tile(small, (1, 2, 2, 1))  # the same statistics on 4x the positions
    np.testing.assert_allclose(
        objective_losses.content_layer_loss(large, 0 * large),
        objective_losses.content_layer_loss(small, 0 * small),
        rtol=1e-6,
    )


def test_style_loss_keras_and_gatys_normalisations_worked_by_hand():
    # G = [[14, 32], [32, 77]] against A = 0: Σ G² = 196 + 1024 + 1024 + 5929 = 8173.
    zero = tf.zeros((1, 2, 2))
    keras_norm = objective_losses.style_loss({"x": SLIDE_FEATURES}, {"x": zero}, image_pixels=4)
    np.testing.assert_allclose(keras_norm, [8173.0 / (4 * 3**2 * 4**2)], rtol=1e-6)  # 8173/576
    # Gatys: 4 · N² · M² with N = 2 channels, M = 3 positions = 144.
    gatys_norm = objective_losses.style_loss(
        {"x": SLIDE_FEATURES}, {"x": zero}, 4, normalization="gatys"
    )
    np.testing.assert_allclose(gatys_norm, [8173.0 / 144.0], rtol=1e-6)
    target = gram_matrix(SLIDE_FEATURES, "keras", image_pixels=4)
    same = objective_losses.style_loss({"x": SLIDE_FEATURES}, {"x": target}, 4)
    np.testing.assert_allclose(same, [0.0])
    with pytest.raises(ValueError, match="normalization"):
        objective_losses.style_loss({"x": SLIDE_FEATURES}, {"x": zero}, 4, normalization="mean")


def test_style_layer_loss_is_a_quarter_of_the_squared_gram_difference():
    gram, target = tf.constant([[[1.0, 2.0], [3.0, 4.0]]]), tf.constant([[[0.0, 2.0], [1.0, 0.0]]])
    np.testing.assert_allclose(objective_losses.style_layer_loss(gram, target), [(1 + 4 + 16) / 4])


def test_style_loss_weights_layers_equally_by_default():
    zero = tf.zeros((1, 2, 2))
    one_layer = objective_losses.style_loss({"x": SLIDE_FEATURES}, {"x": zero}, 4)
    features = {"x": SLIDE_FEATURES, "y": SLIDE_FEATURES}
    np.testing.assert_allclose(
        objective_losses.style_loss(features, {"x": zero, "y": zero}, 4),
        one_layer,
        rtol=1e-6,
    )
    weighted = objective_losses.style_loss(
        features, {"x": zero, "y": zero}, 4, {"x": 1.0, "y": 3.0}
    )
    np.testing.assert_allclose(weighted, 4 * one_layer, rtol=1e-6)


def test_keras_normalisation_is_the_keras_examples_formula(rng):
    """Σ (G - A)² / (4 · 3² · (H·W)²) with plain Grams, computed directly in numpy."""
    x, a = rng.uniform(size=(2, 1, 8, 6, 5)).astype(np.float32)  # a layer of an 16x12 image
    pixels = 16 * 12
    plain = [f.reshape(-1, 5).T @ f.reshape(-1, 5) for f in (x[0], a[0])]
    direct = np.sum((plain[0] - plain[1]) ** 2) / (4 * 9 * pixels**2)
    target = gram_matrix(a, "keras", image_pixels=pixels)
    np.testing.assert_allclose(
        objective_losses.style_loss({"l": x}, {"l": target}, pixels), [direct], rtol=1e-5
    )


def test_keras_to_gatys_factor_against_a_direct_computation(rng):
    x, a = rng.uniform(size=(2, 1, 8, 6, 5)).astype(np.float32)
    pixels = 16 * 12
    keras_loss, gatys_loss = (
        objective_losses.style_loss(
            {"l": x}, {"l": gram_matrix(a, norm, image_pixels=pixels)}, pixels, normalization=norm
        )[0]
        for norm in ("keras", "gatys")
    )
    factor = objective_losses.keras_to_gatys_factor(x.shape, pixels)  # (5·48)² / (3·192)²
    assert factor == pytest.approx((5 * 48) ** 2 / (3 * 192) ** 2)
    np.testing.assert_allclose(float(keras_loss) / float(gatys_loss), factor, rtol=1e-5)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: objective_losses.content_layer_loss(np.zeros((2, 3, 3)), np.zeros((2, 3, 3))),
            "4 axes",
        ),
        (
            lambda: objective_losses.content_layer_loss(
                np.zeros((1, 3, 3, 2)), np.zeros((1, 4, 3, 2))
            ),
            "does not match",
        ),
        (
            lambda: objective_losses.style_layer_loss(np.zeros((1, 3, 3)), np.zeros((1, 4, 4))),
            "does not match",
        ),
        (
            lambda: objective_losses.total_variation_loss(np.zeros((3, 3, 3))),
            "images must have 4 axes",
        ),
    ],
)
def test_losses_name_what_is_wrong_with_their_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_total_variation_on_a_3x3_image_worked_by_hand():
    channel = np.array([[0.0, 0.5, 1.0], [0.5, 0.5, 0.0], [1.0, 0.0, 0.0]], np.float32)
    image = np.zeros((1, 3, 3, 3), np.float32)
    image[0, :, :, 0] = channel
    # Corners (0,0): dy=.5, dx=.5; (0,1): dy=0, dx=.5; (1,0): dy=.5, dx=0; (1,1): dy=-.5, dx=-.5
    expected = 2 * (0.25 + 0.25) ** 1.25 + 2 * 0.25**1.25
    np.testing.assert_allclose(objective_losses.total_variation_loss(image), [expected], rtol=1e-6)
    flat = np.full((2, 5, 5, 3), 0.3, np.float32)
    np.testing.assert_array_equal(objective_losses.total_variation_loss(flat), [0.0, 0.0])


def test_total_variation_gradient_is_finite_on_a_flat_image():
    image = tf.Variable(tf.fill((1, 4, 4, 3), 0.5))
    with tf.GradientTape() as tape:
        value = tf.reduce_sum(objective_losses.total_variation_loss(image))
    assert np.all(np.isfinite(tape.gradient(value, image).numpy()))


def test_total_loss_is_slide3_weighted_sum_and_returns_each_part():
    parts = objective_losses.total_loss(
        tf.constant([2.0]), tf.constant([3.0]), tf.constant([5.0]), 10.0, 100.0, 1000.0
    )
    np.testing.assert_allclose(parts.total, [2 * 10 + 3 * 100 + 5 * 1000])
    assert (float(parts.content[0]), float(parts.style[0]), float(parts.tv[0])) == (2, 3, 5)
    per_image = objective_losses.total_loss(
        tf.constant([1.0, 1.0]),
        tf.constant([1.0, 1.0]),
        tf.constant([0.0, 0.0]),
        content_weight=tf.constant([1e-4, 1e-1]),
        style_weight=1.0,
        tv_weight=0.0,
    )
    np.testing.assert_allclose(per_image.total, [1.0001, 1.1], rtol=1e-6)


def test_content_loss_taken_layer_group_by_group_adds_up_to_the_whole():
    # Two layers, weights 0.25 and 0.75: (1-0)^2 = 1 and (3-1)^2 + (0-1)^2 = 5, so
    # 0.25 * 1 + 0.75 * 5 = 4.0 in all, 0.25 from block1_conv1 and 3.75 from block2_conv1.
    term = terms.ContentTerm((("block1_conv1", 0.25), ("block2_conv1", 0.75)))
    features = {
        "block1_conv1": tf.constant([[[[1.0]]]]),
        "block2_conv1": tf.constant([[[[3.0, 0.0]]]]),
    }
    target = {"block1_conv1": tf.zeros((1, 1, 1, 1)), "block2_conv1": tf.ones((1, 1, 1, 2))}
    images, weight = tf.zeros((1, 2, 2, 3)), tf.constant(2.0)
    whole = objective_losses.weighted_total([term], features, images, [target], [weight])
    parts = [
        objective_losses.weighted_total(
            [term], features, images, [terms.target_at(target, [layer])], [2.0]
        )
        for layer in target
    ]
    assert [float(p.content[0]) for p in parts] == [0.25, 3.75]
    assert float(whole.content[0]) == 4.0 and float(whole.total[0]) == 8.0
    assert float(whole.style[0]) == float(whole.tv[0]) == 0.0  # no term given: 0
    assert terms.target_at((), ["block1_conv1"]) == ()  # total variation's: no layers


def test_loss_settings_check_every_field_when_made():
    settings = objective_settings.LossSettings(
        content_layers={"block4_conv2": 2.0}, style_layers=["block1_conv1"]
    )
    assert settings.content_layers == {"block4_conv2": 2.0}  # a mapping keeps its weights
    assert settings.style_layers == {"block1_conv1": 1.0}  # names share 1 equally
    assert settings.batch == 1 and settings.layers == ["block4_conv2", "block1_conv1"]
    assert objective_settings.LossSettings(content_weight=[1.0, 2.0, 3.0]).batch == 3
    for bad, error, message in [
        ({"style_weight": "1"}, TypeError, "style_weight must be a number"),
        ({"tv_weight": -1}, ValueError, "tv_weight must be finite and >= 0"),
        ({"content_weight": [1, 2], "style_weight": [1, 2, 3]}, ValueError, "different lengths"),
        ({"normalization": "bogus"}, ValueError, "normalization must be one of"),
        ({"style_layers": ["block9_conv1"]}, ValueError, "block9_conv1"),
        ({"content_layers": {"block5_conv2": "1"}}, TypeError, "layer weight of block5_conv2"),
        ({"style_blend": [0, 0]}, ValueError, "style_blend must not be all zero"),
        ({"style_scale": 0}, ValueError, "style_scale must be one number > 0"),
    ]:
        with pytest.raises(error, match=message):
            objective_settings.LossSettings(**bad)
