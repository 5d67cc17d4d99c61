"""The checks of the optimisation exercises: one Adam step by hand (lesson 05) and one
training step of the feed-forward network (lesson 08), in the lesson's language.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from nst_tf.base.language import tr
from nst_tf.lessons.grading import fail, run_student_code, shape_text


def check_gradient_step(image, start, library_image) -> None:
    """The image after the student's one step from ``start`` against the image after
    nst_tf's Adam step (``library_image``): in ``[0, 1]``, moved, the right way (against
    the gradient), by the right amount."""
    __tracebackhide__ = True
    mine = np.asarray(image, np.float64)
    start, theirs = np.asarray(start, np.float64), np.asarray(library_image, np.float64)
    if mine.shape != theirs.shape:
        fail(
            tr(
                f"스텝 뒤 이미지의 모양이 {shape_text(mine.shape)}인데 "
                f"{shape_text(theirs.shape)}이어야 합니다.",
                f"the image after the step has shape {shape_text(mine.shape)}; it should be "
                f"{shape_text(theirs.shape)}.",
            ),
            "shape",
        )
    if mine.min() < -1e-6 or mine.max() > 1 + 1e-6:
        fail(
            tr(
                f"스텝 뒤 픽셀 값이 [0, 1] 밖에 있습니다 ({mine.min():.3g} … {mine.max():.3g}): "
                "스텝 다음에 image.assign(tf.clip_by_value(image, 0.0, 1.0))로 자르세요.",
                f"after the step pixels lie outside [0, 1] ({mine.min():.3g} … "
                f"{mine.max():.3g}): clip after the step, "
                "image.assign(tf.clip_by_value(image, 0.0, 1.0)).",
            ),
            "clip",
        )
    if np.allclose(mine, theirs, atol=1e-3):
        return
    moved, expected = (mine - start).ravel(), (theirs - start).ravel()
    if not np.any(np.abs(moved) > 1e-7):
        fail(
            tr(
                "이미지가 바뀌지 않았습니다: 그레이디언트를 적용했나요 "
                "(adam.apply_gradients([(gradient, image)]))?",
                "the image did not change: was the gradient applied "
                "(adam.apply_gradients([(gradient, image)]))?",
            ),
            "unchanged",
        )
    cosine = float(moved @ expected / (np.linalg.norm(moved) * np.linalg.norm(expected)))
    if cosine < -0.5:
        fail(
            tr(
                "이미지가 손실이 커지는 쪽으로 움직였습니다 (부호): 옵티마이저에는 "
                "그레이디언트를 그대로 주세요. 옵티마이저가 그 반대 방향으로 움직입니다.",
                "the image moved the way the loss grows (the sign): give the optimiser the "
                "gradient itself; it moves against it.",
            ),
            "sign",
        )
    ratio = float(np.linalg.norm(moved) / np.linalg.norm(expected))
    fail(
        tr(
            f"스텝 뒤 이미지가 nst_tf와 다릅니다 (방향의 코사인 {cosine:.2f}, 크기 {ratio:.2f}배). "
            "Adam의 설정 (학습률 0.02, beta_1 0.99, epsilon 1e-3)과 손실을 확인하세요.",
            f"the image after the step differs from nst_tf's (direction cosine {cosine:.2f}, "
            f"{ratio:.2f} times as far). Check Adam's settings (learning rate 0.02, beta_1 "
            "0.99, epsilon 1e-3) and the loss.",
        ),
        "step",
    )


def check_training_step(my_train_step: Callable, trainer, photos) -> None:
    """The student's one training step, ``my_train_step(photos)`` (lesson 8), against
    `nst_tf.fast.StyleTrainer`'s loss on the same ``photos`` ``(batch, H, W, 3)``: it
    returns the batch's mean total loss, and it moves the *network's weights* (not the
    pixels) against their gradient. The weights are put back afterwards, so the lesson's
    training starts from the same network either way."""
    __tracebackhide__ = True
    variables = trainer.network.trainable_variables
    before = [v.numpy() for v in variables]
    with tf.GradientTape() as tape:
        parts = trainer.loss_parts(photos, trainer.network(photos, training=True))
        expected = tf.reduce_mean(parts.total)
    gradient = np.concatenate([g.numpy().ravel() for g in tape.gradient(expected, variables)])
    try:
        loss = run_student_code(my_train_step, (photos,), tr("사진 한 배치", "a batch of photos"))
        moved = np.concatenate([(v.numpy() - b).ravel() for v, b in zip(variables, before)])
    finally:
        for variable, value in zip(variables, before):
            variable.assign(value)
    _check_step_loss(loss, float(expected), float(tf.reduce_sum(parts.total)))
    if not np.any(np.abs(moved) > 0):
        fail(
            tr(
                "신경망의 가중치가 바뀌지 않았습니다. 이번에 최적화하는 것은 픽셀이 아니라 "
                "network.trainable_variables입니다: tape.gradient(loss, "
                "network.trainable_variables)를 구해 옵티마이저에 주세요.",
                "the network's weights did not change. This time what is optimised is not "
                "the pixels but network.trainable_variables: take tape.gradient(loss, "
                "network.trainable_variables) and give it to the optimiser.",
            ),
            "unchanged",
        )
    cosine = float(moved @ -gradient / (np.linalg.norm(moved) * np.linalg.norm(gradient)))
    if cosine < 0:
        fail(
            tr(
                "가중치가 손실이 커지는 쪽으로 움직였습니다 (부호): 옵티마이저에는 "
                "그레이디언트를 그대로 주세요. 옵티마이저가 그 반대 방향으로 움직입니다.",
                "the weights moved the way the loss grows (the sign): give the optimiser "
                "the gradient itself; it moves against it.",
            ),
            "sign",
        )


def _check_step_loss(loss: np.ndarray, mean: float, total: float) -> None:
    __tracebackhide__ = True
    if loss.size == 1 and np.isclose(float(loss), mean, rtol=1e-4):
        return
    if loss.size == 1 and np.isclose(float(loss), total, rtol=1e-4):
        hint = tr(
            "배치의 합을 돌려주었습니다: 사진마다의 손실을 평균하세요 "
            "(tf.reduce_mean(trainer.loss_parts(photos, outputs).total)). 그래야 배치 "
            "크기를 바꿔도 같은 학습률을 쓸 수 있습니다.",
            "it returned the batch's sum: average the photos' losses "
            "(tf.reduce_mean(trainer.loss_parts(photos, outputs).total)), so the same "
            "learning rate works for any batch size.",
        )
        fail(hint, "sum")
    fail(
        tr(
            f"돌려준 손실이 {loss.ravel()[:4]}인데, 스텝 전 가중치에서 배치의 평균 손실 "
            f"{mean:.6g}이어야 합니다 (trainer.loss_parts(photos, outputs).total의 평균).",
            f"the returned loss is {loss.ravel()[:4]}; it should be the batch's mean loss "
            f"before the step, {mean:.6g} (the mean of trainer.loss_parts(photos, "
            "outputs).total).",
        ),
        "loss",
    )
