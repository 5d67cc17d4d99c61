"""The write-it-yourself checks: each common mistake gets its hint in the lesson's
language, and every correct way of writing the function passes."""

import numpy as np
import pytest
import tensorflow as tf

import nst_tf
import nst_tf.lessons.loss_exercises
import nst_tf.lessons.step_exercises
from nst_tf.base import language
from nst_tf.lessons import loss_exercises, step_exercises
from nst_tf.lessons.grading import ExerciseError

HANGUL = "\uac00-\ud7a3"


@pytest.fixture(autouse=True)
def korean(monkeypatch):
    """The checks speak the lesson's language: Korean here."""
    monkeypatch.setattr(language, "_chosen", "ko")


@pytest.fixture(scope="module")
def features():
    """Real-looking activations ``(1, 6, 7, 5)``: non-negative like ReLU outputs."""
    return np.maximum(np.random.default_rng(1).normal(size=(1, 6, 7, 5)), 0).astype("float32")


def _mistake(check, *args) -> ExerciseError:
    with pytest.raises(ExerciseError) as caught:
        check(*args)
    message = str(caught.value)
    assert any("\uac00" <= ch <= "\ud7a3" for ch in message), message  # Korean
    assert "Traceback" not in message
    return caught.value


# --- Gram matrix ------------------------------------------------------------------------


def gram_reshape_then_transpose(f):
    channels = f.shape[-1]
    F = tf.transpose(tf.reshape(f, (-1, channels)))
    return tf.matmul(F, F, transpose_b=True)


def gram_einsum(f):
    return tf.einsum("bijc,bijd->cd", f, f)


def gram_numpy(f):
    x = np.asarray(f).reshape(-1, f.shape[-1])
    return x.T @ x


def gram_batched(f):
    x = tf.reshape(f, (1, -1, f.shape[-1]))
    return tf.matmul(x, x, transpose_a=True)  # (1, C, C)


@pytest.mark.parametrize(
    "right", [gram_reshape_then_transpose, gram_einsum, gram_numpy, gram_batched]
)
def test_correct_gram_matrices_pass(right, features):
    loss_exercises.check_gram_matrix(right, features)


def gram_without_transpose(f):
    F = tf.reshape(f, (f.shape[-1], -1))
    return tf.matmul(F, F, transpose_b=True)


def gram_positions(f):
    F = tf.transpose(tf.reshape(f, (-1, f.shape[-1])))
    return tf.matmul(F, F, transpose_a=True)


def gram_divided(f):
    return gram_reshape_then_transpose(f) / 2


def gram_elementwise(f):
    F = tf.transpose(tf.reshape(f, (-1, f.shape[-1])))
    return F * F


def gram_broken(f):
    return tf.matmul(f, f)  # (1, 1, 3, 2) x (1, 1, 3, 2): TensorFlow refuses


@pytest.mark.parametrize(
    "wrong, mistake",
    [
        (gram_without_transpose, "transpose"),
        (gram_positions, "transpose"),
        (gram_divided, "normalization"),
        (gram_elementwise, "matmul"),
        (gram_broken, "error"),
    ],
)
def test_gram_mistakes_get_their_hint(wrong, mistake, features):
    assert _mistake(loss_exercises.check_gram_matrix, wrong, features).mistake == mistake


# --- style loss -------------------------------------------------------------------------


def _style(denominator, reduce=tf.reduce_sum, square=tf.square):
    def my_style_loss(features, target_gram, pixels):
        difference = gram_reshape_then_transpose(features) - target_gram
        return reduce(square(difference)) / denominator(pixels)

    return my_style_loss


RIGHT_DENOMINATOR = lambda p: 4.0 * 3.0**2 * p**2  # noqa: E731


def style_with_l2_loss(features, target_gram, pixels):
    difference = gram_einsum(features) - target_gram
    return 2 * tf.nn.l2_loss(difference) / (36.0 * pixels**2)


@pytest.mark.parametrize("right", [_style(RIGHT_DENOMINATOR), style_with_l2_loss])
def test_correct_style_losses_pass(right, features):
    target = gram_numpy(features[..., ::-1] * 0.5)
    loss_exercises.check_style_loss(right, features, target, 40)


@pytest.mark.parametrize(
    "wrong, mistake",
    [
        (_style(lambda p: 4.0 * 3.0 * p**2), "normalization"),
        (_style(lambda p: 4.0 * 3.0**2 * p), "normalization"),
        (_style(lambda p: 1.0), "normalization"),
        (_style(RIGHT_DENOMINATOR, reduce=tf.reduce_mean), "sum"),
        (_style(RIGHT_DENOMINATOR, square=lambda x: x), "square"),
        (_style(RIGHT_DENOMINATOR, square=lambda x: -tf.square(x)), "values"),
    ],
)
def test_style_loss_mistakes_get_their_hint(wrong, mistake, features):
    target = gram_numpy(features[..., ::-1] * 0.5)
    error = _mistake(loss_exercises.check_style_loss, wrong, features, target, 40)
    assert error.mistake == mistake
    if mistake == "values":
        assert "부호" in str(error)  # every value -1 times the answer: the sign


# --- total variation --------------------------------------------------------------------


def tv_slices(image):
    corner = image[:, :-1, :-1, :]
    dy = image[:, 1:, :-1, :] - corner
    dx = image[:, :-1, 1:, :] - corner
    return tf.reduce_sum((dy**2 + dx**2) ** 1.25)


def tv_numpy_diff(image):
    x = np.asarray(image)
    dy = np.diff(x, axis=1)[:, :, :-1]
    dx = np.diff(x, axis=2)[:, :-1]
    return np.sum((dy**2 + dx**2) ** 1.25)


@pytest.mark.parametrize("right", [tv_slices, tv_numpy_diff])
def test_correct_tv_losses_pass(right, content):
    loss_exercises.check_tv_loss(right, content)


def tv_power(power):
    def my_tv_loss(image):
        corner = image[:, :-1, :-1, :]
        dy, dx = image[:, 1:, :-1, :] - corner, image[:, :-1, 1:, :] - corner
        return tf.reduce_sum((dy**2 + dx**2) ** power)

    return my_tv_loss


def tv_full_differences(image):
    dy = image[:, 1:, :, :] - image[:, :-1, :, :]
    dx = image[:, :, 1:, :] - image[:, :, :-1, :]
    return tf.reduce_sum((dy**2 + dx**2) ** 1.25)  # (H-1, W) + (H, W-1): refused


def tv_tensorflow(image):
    return tf.image.total_variation(image)


def tv_mean(image):
    corner = image[:, :-1, :-1, :]
    dy, dx = image[:, 1:, :-1, :] - corner, image[:, :-1, 1:, :] - corner
    return tf.reduce_mean((dy**2 + dx**2) ** 1.25)


@pytest.mark.parametrize(
    "wrong, mistake",
    [
        (tv_power(1.5), "exponent"),
        (tv_power(1.0), "exponent"),
        (tv_tensorflow, "formula"),
        (tv_mean, "sum"),
        (tv_full_differences, "error"),
    ],
)
def test_tv_mistakes_get_their_hint(wrong, mistake, content):
    error = _mistake(loss_exercises.check_tv_loss, wrong, content)
    assert error.mistake == mistake
    if mistake == "error":
        assert "모양이 다른" in str(error)


# --- content loss -----------------------------------------------------------------------


def positions(features):
    return tf.cast(tf.shape(features)[1] * tf.shape(features)[2], tf.float32)


def content_sum(features, target):
    return tf.reduce_sum(tf.square(features - target)) / positions(features)


def content_l2_loss(features, target):
    return 2 * tf.nn.l2_loss(features - target) / positions(features)


def content_channel_mean(features, target):
    return tf.reduce_mean(tf.reduce_sum(tf.square(features - target), axis=-1))


@pytest.mark.parametrize("right", [content_sum, content_l2_loss, content_channel_mean])
def test_correct_content_losses_pass(right, features):
    loss_exercises.check_content_loss(right, features, features[..., ::-1])


@pytest.mark.parametrize(
    "wrong, mistake",
    [
        (lambda f, p: tf.reduce_mean(tf.square(f - p)), "mean"),
        (lambda f, p: tf.reduce_sum(tf.square(f - p)), "positions"),
        (lambda f, p: 0.5 * content_sum(f, p), "normalization"),
        (lambda f, p: tf.reduce_sum(tf.abs(f - p)) / positions(f), "square"),
        (lambda f, p: tf.norm(f - p) / positions(f), "square"),
    ],
)
def test_content_loss_mistakes_get_their_hint(wrong, mistake, features):
    error = _mistake(loss_exercises.check_content_loss, wrong, features, features[..., ::-1])
    assert error.mistake == mistake


# --- total loss and the gradient step ---------------------------------------------------

PARTS = {"content": 2.0, "style": 3.0, "tv": 5.0}
WEIGHTS = {"content": 0.025, "style": 1.0, "tv": 100.0}


def test_a_correct_total_loss_passes(content):
    loss_exercises.check_total_loss(
        lambda image: 0.025 * 2.0 + 3.0 + 100.0 * 5.0, content, PARTS, WEIGHTS
    )


@pytest.mark.parametrize(
    "total, mistake",
    [
        (0.025 * 2.0 + 3.0, "term"),
        (2.0 + 3.0 + 5.0, "weights"),
        (0.025 * 2.0 + 3.0 + 1e-4 * 5.0, "term"),  # the book's TV weight: said in the hint
    ],
)
def test_total_loss_mistakes_get_their_hint(total, mistake, content):
    error = _mistake(loss_exercises.check_total_loss, lambda image: total, content, PARTS, WEIGHTS)
    assert error.mistake == mistake
    if total == 0.025 * 2.0 + 3.0:
        assert "1e-4" in str(error)  # the book's TV weight (0-255 pixels) looks the same


def _steps(start, gradient):
    """The image after one Adam step (the TF tutorial's settings) with ``gradient``, by
    ``apply_gradients`` and by Keras 3's ``apply``, clipped to [0, 1]."""
    images = []
    for how in ("apply_gradients", "apply"):
        image = tf.Variable(start)
        adam = tf.keras.optimizers.Adam(learning_rate=0.02, beta_1=0.99, epsilon=1e-3)
        if how == "apply":
            adam.apply([gradient], [image])
        else:
            adam.apply_gradients([(gradient, image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        images.append(image.numpy())
    return images


def test_gradient_step_checks(content):
    start = np.clip(content + 0.05, 0.0, 1.0).astype("float32")
    gradient = tf.constant(np.random.default_rng(3).normal(size=start.shape).astype("float32"))
    by_hand, by_apply = _steps(start, gradient)
    step_exercises.check_gradient_step(by_hand, start, by_hand)
    step_exercises.check_gradient_step(by_apply, start, by_hand)  # Keras 3's adam.apply
    uphill = _steps(start, -gradient)[0]
    assert _mistake(step_exercises.check_gradient_step, uphill, start, by_hand).mistake == "sign"
    unclipped = start - 0.02 * np.sign(gradient.numpy()) * 60
    assert _mistake(step_exercises.check_gradient_step, unclipped, start, by_hand).mistake == "clip"
    assert (
        _mistake(step_exercises.check_gradient_step, start, start, by_hand).mistake == "unchanged"
    )


def test_checks_speak_english_in_the_english_edition(monkeypatch, features):
    monkeypatch.setattr(language, "_chosen", "en")
    with pytest.raises(ExerciseError, match="transpose"):
        loss_exercises.check_gram_matrix(gram_without_transpose, features)


def test_the_checks_are_nst_tf_s(features):
    """Each lesson reaches them as nst_tf.check_… (one owner: nst_tf.exercises)."""
    for name in (
        "gram_matrix",
        "style_loss",
        "tv_loss",
        "content_loss",
        "total_loss",
        "gradient_step",
    ):
        assert getattr(nst_tf, f"check_{name}").__module__.startswith("nst_tf.lessons.")
