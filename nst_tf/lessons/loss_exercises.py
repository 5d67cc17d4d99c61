"""The checks of the loss exercises (lessons 03-05), in the lesson's language.

Each check runs the student's function on the slide's small example and then on real
VGG19 activations (or the real photo), compares the shape first and then the values
with what nst_tf computes, and when they differ says *what* differs and the likely
mistake (a reshape without a transpose, a missing or extra normalisation, a missing
square, the sign, clipping, an axis...), as an `ExerciseError`: an ``AssertionError``
whose traceback stops at the student's cell. Any correct implementation passes
(``tf.einsum``, ``np.diff``, ``2 * tf.nn.l2_loss``, ``adam.apply``...).

One check per task: `check_gram_matrix`, `check_style_loss`, `check_tv_loss`,
`check_content_loss`, `check_total_loss`; the grading itself is `nst_tf.lessons.grading`,
the optimisation exercises' checks `nst_tf.lessons.step_exercises`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nst_tf.base.language import tr
from nst_tf.lessons.grading import SCALAR_RESULT, Mistake, as_tensor, compare, run_student_code
from nst_tf.objective.gram import gram_matrix
from nst_tf.objective.losses import TV_EXPONENT, total_variation_loss

#: The slide-6 example: F = [[1, 2, 3], [4, 5, 6]] (C=2 channels, H·W=3 positions) as a
#: (batch, H=1, W=3, C=2) feature map; its Gram matrix is [[14, 32], [32, 77]].
SLIDE_FEATURES = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).T.reshape(1, 1, 3, 2)


# --- lesson 3: the Gram matrix and the style loss -------------------------------------


def _gram_mistakes(features: np.ndarray) -> tuple[list[Mistake], dict]:
    channels = features.shape[-1]
    positions = features[0].reshape(-1, channels)  # (H·W, C)
    right = positions.T @ positions
    mixed = features.reshape(channels, -1)  # reshape to (C, H·W) without a transpose
    no_division = tr(
        "슬라이드 6의 그램 매트릭스는 아무것으로도 나누지 않습니다 (F·Fᵀ 그대로). 나누는 "
        "것은 스타일 손실의 몫입니다.",
        "slide 6's Gram matrix is not divided by anything (F·Fᵀ as it is); the style loss "
        "does the dividing.",
    )
    mistakes = [
        Mistake(
            mixed @ mixed.T,
            "transpose",
            tr(
                "특성 맵을 (C, H·W)로 바로 reshape하면 채널이 섞입니다: 먼저 (H·W, C)로 "
                "reshape한 다음 전치하세요 (tf.transpose).",
                "reshaping the map straight to (C, H·W) mixes the channels: reshape to "
                "(H·W, C) first, then transpose (tf.transpose).",
            ),
        ),
        Mistake(right / len(positions), "normalization", no_division),
        Mistake(right / (len(positions) * channels), "normalization", no_division),
        Mistake(right / 2, "normalization", no_division),
    ]
    spatial = len(positions)
    shapes = {
        (spatial, spatial): (
            "transpose",
            tr(
                "(H·W, H·W)는 위치끼리 곱한 것입니다: 전치를 반대쪽에 두세요. "
                "F·Fᵀ = (C, H·W) × (H·W, C) = (C, C).",
                "(H·W, H·W) multiplies positions with positions: put the transpose on the "
                "other side. F·Fᵀ = (C, H·W) × (H·W, C) = (C, C).",
            ),
        ),
    }
    for shape in ((channels, spatial), (spatial, channels), features.shape):
        shapes.setdefault(
            shape,
            (
                "matmul",
                tr(
                    "원소별 곱(*)이 아니라 행렬 곱(tf.matmul 또는 @)이어야 합니다.",
                    "use a matrix product (tf.matmul or @), not the element-wise *.",
                ),
            ),
        )
    return mistakes, shapes


def check_gram_matrix(my_gram_matrix: Callable, features=None) -> None:
    """``my_gram_matrix((1, H, W, C) map)`` must be the ``(C, C)`` matrix F·Fᵀ (slide 6):
    on the slide's ``[[1, 2, 3], [4, 5, 6]]`` and on ``features`` (real activations)."""
    __tracebackhide__ = True
    examples = [(SLIDE_FEATURES, tr("슬라이드 6의 예", "slide 6's example"))]
    if features is not None:
        examples.append((np.asarray(features, np.float64), tr("실제 특성 맵", "real features")))
    for value, example in examples:
        mine = run_student_code(my_gram_matrix, (as_tensor(value),), example)
        expected = np.asarray(gram_matrix(as_tensor(value))[0], np.float64)
        if value is SLIDE_FEATURES:
            expected = np.array([[14.0, 32.0], [32.0, 77.0]])
        mistakes, shapes = _gram_mistakes(value)
        channels = value.shape[-1]
        accepted = ((1, channels, channels),)  # a batch of one Gram matrix is fine too
        compare(mine, expected, example, mistakes, shapes, accepted_shapes=accepted)


def _style_layer_loss(features: np.ndarray, target_gram: np.ndarray, pixels: int) -> float:
    channels = features.shape[-1]
    positions = features[0].reshape(-1, channels)
    return float(np.sum((positions.T @ positions - target_gram) ** 2)) / (4.0 * 3.0**2 * pixels**2)


def check_style_loss(my_style_loss: Callable, features, target_gram, pixels: int) -> None:
    """``my_style_loss(features, target_gram, pixels)``: one layer's
    ``Σ (G − A)² / (4 · 3² · (H·W)²)``, with ``G`` the features' Gram matrix, ``A`` the
    style's (not normalised) and ``H·W`` = ``pixels``, the image's pixel count."""
    __tracebackhide__ = True
    small = SLIDE_FEATURES
    small_target = np.array([[10.0, 30.0], [30.0, 80.0]])
    examples = [
        (small, small_target, 3, tr("작은 예 (슬라이드 6의 F)", "a small example (slide 6's F)")),
        (features, target_gram, pixels, tr("실제 특성 맵", "real features")),
    ]
    for value, target, count, example in examples:
        value, target = np.asarray(value, np.float64), np.asarray(target, np.float64)
        arguments = (as_tensor(value), as_tensor(target), count)
        mine = run_student_code(my_style_loss, arguments, example)
        expected = np.float64(_style_layer_loss(value, target, count))
        compare(mine, expected, example, _style_mistakes(value, target, count), **SCALAR_RESULT)


def _style_mistakes(features, target, pixels) -> list[Mistake]:
    channels = features.shape[-1]
    positions = features[0].reshape(-1, channels)
    difference = positions.T @ positions - target
    squared = float(np.sum(difference**2))
    denominator = 4.0 * 3.0**2 * pixels**2
    formula = tr(
        "분모는 4 · 3² · (H·W)²입니다 (3은 색 채널 수, H·W는 이미지의 픽셀 수).",
        "the denominator is 4 · 3² · (H·W)² (3 colour channels, H·W the image's pixels).",
    )
    return [
        Mistake(squared / (4.0 * 3.0 * pixels**2), "normalization", formula + " 3² ≠ 3."),
        Mistake(squared / (4.0 * 3.0**2 * pixels), "normalization", formula + " (H·W)²."),
        Mistake(squared / (3.0**2 * pixels**2), "normalization", formula + " 4 ·"),
        Mistake(squared, "normalization", formula),
        Mistake(
            squared / channels**2 / denominator,
            "sum",
            tr(
                "tf.reduce_mean은 C²개 원소로 한 번 더 나눕니다: tf.reduce_sum을 쓰세요.",
                "tf.reduce_mean divides by the C² elements once more: use tf.reduce_sum.",
            ),
        ),
        Mistake(
            float(np.sum(difference)) / denominator,
            "square",
            tr("차이를 제곱해서 더하세요: (G − A)².", "square the differences: (G − A)²."),
        ),
        Mistake(
            np.sqrt(squared) / denominator,
            "square",
            tr(
                "tf.norm은 제곱합의 제곱근입니다: 제곱합을 그대로 쓰세요.",
                "tf.norm is the square root of the sum of squares: use the sum itself.",
            ),
        ),
    ]


# --- lesson 4: the total variation loss -------------------------------------------------


def _tv_mistakes(image: np.ndarray) -> list[Mistake]:
    corner = image[:, :-1, :-1, :]
    dy, dx = image[:, 1:, :-1, :] - corner, image[:, :-1, 1:, :] - corner
    squares = dy**2 + dx**2
    exponent_hint = tr(
        f"지수는 {TV_EXPONENT:g}입니다: (dy² + dx²)^{TV_EXPONENT:g} (Keras 예제의 식).",
        f"the exponent is {TV_EXPONENT:g}: (dy² + dx²)^{TV_EXPONENT:g} (the Keras example's).",
    )
    mistakes = [
        Mistake(np.sum(squares**power), "exponent", exponent_hint) for power in (0.5, 1.0, 1.5, 2.0)
    ]
    full_dy, full_dx = np.diff(image, axis=1), np.diff(image, axis=2)
    mistakes += [
        Mistake(
            np.sum(np.abs(full_dy)) + np.sum(np.abs(full_dx)),
            "formula",
            tr(
                "tf.image.total_variation은 다른 식 (|차이|의 합)입니다: 슬라이드 7의 "
                f"식 (dy² + dx²)^{TV_EXPONENT:g}을 직접 쓰세요.",
                "tf.image.total_variation is another formula (a sum of |differences|): "
                f"write slide 7's (dy² + dx²)^{TV_EXPONENT:g} yourself.",
            ),
        ),
        Mistake(
            np.sum((full_dy**2) ** TV_EXPONENT) + np.sum((full_dx**2) ** TV_EXPONENT),
            "formula",
            tr(
                f"dy²와 dx²를 먼저 더한 다음 {TV_EXPONENT:g}제곱하세요 (따로 제곱하지 않습니다).",
                f"add dy² and dx² first, then raise the sum to {TV_EXPONENT:g}.",
            ),
        ),
        Mistake(
            np.mean(squares**TV_EXPONENT),
            "sum",
            tr(
                "tf.reduce_mean은 픽셀 수로 나눕니다: tf.reduce_sum을 쓰세요.",
                "tf.reduce_mean divides by the number of values: use tf.reduce_sum.",
            ),
        ),
    ]
    return mistakes


def check_tv_loss(my_tv_loss: Callable, image) -> None:
    """``my_tv_loss((1, H, W, 3) image)``: ``Σ (dy² + dx²)^1.25`` over every pixel but
    the last row and column (slide 7), on a small uneven image and on ``image``."""
    __tracebackhide__ = True
    small = np.random.default_rng(7).uniform(size=(1, 4, 5, 3))
    examples = [
        (small, tr("작은 예 (4×5 픽셀)", "a small example (4x5 pixels)")),
        (np.asarray(image, np.float64), tr("사진", "the photo")),
    ]
    for value, example in examples:
        mine = run_student_code(my_tv_loss, (as_tensor(value),), example)
        expected = np.asarray(total_variation_loss(as_tensor(value))[0], np.float64)
        compare(mine, expected, example, _tv_mistakes(value), **SCALAR_RESULT)


# --- lesson 5: the content loss, the total loss, one gradient step ---------------------


def _content_mistakes(features: np.ndarray, target: np.ndarray) -> list[Mistake]:
    difference = features - target
    positions = features.shape[1] * features.shape[2]
    squared = np.sum(difference**2)
    return [
        Mistake(
            np.mean(difference**2),
            "mean",
            tr(
                "tf.reduce_mean은 위치 수 M = H·W에 채널 수까지 곱한 값으로 나눕니다: 채널은 "
                "더하고 (tf.reduce_sum) 위치 수로만 나누세요.",
                "tf.reduce_mean divides by the positions M = H·W times the channels: sum over "
                "the channels (tf.reduce_sum) and divide by the positions only.",
            ),
        ),
        Mistake(
            squared,
            "positions",
            tr(
                "제곱합을 위치 수 M = H·W (features.shape[1] * features.shape[2])로 나누세요: "
                "그래야 손실이 이미지 크기에 따라 커지지 않습니다.",
                "divide the sum of squares by the positions M = H·W (features.shape[1] * "
                "features.shape[2]), so the loss does not grow with the image's size.",
            ),
        ),
        Mistake(
            squared / positions / 2,
            "normalization",
            tr(
                "½은 Gatys 등의 식입니다. 이 수업은 ½ 없이 Σ (F − P)² / M입니다.",
                "½ is Gatys et al.'s; this lesson uses Σ (F − P)² / M without it.",
            ),
        ),
        Mistake(
            np.sum(difference) / positions,
            "square",
            tr("차이를 제곱해서 더하세요: (F − P)².", "square the differences: (F − P)²."),
        ),
        Mistake(
            np.sum(np.abs(difference)) / positions,
            "square",
            tr("절댓값이 아니라 제곱입니다: (F − P)².", "square, not absolute value: (F − P)²."),
        ),
        Mistake(
            np.sqrt(squared) / positions,
            "square",
            tr(
                "tf.norm은 제곱합의 제곱근입니다: 제곱합을 그대로 쓰세요.",
                "tf.norm is the square root of the sum of squares: use the sum itself.",
            ),
        ),
    ]


def check_content_loss(my_content_loss: Callable, features, target) -> None:
    """``my_content_loss(F, P)``: ``Σ (F − P)² / M`` (``M = H·W`` positions) of two maps
    of one layer, on a small example and on ``features`` against ``target`` (real
    activations)."""
    __tracebackhide__ = True
    rng = np.random.default_rng(5)
    examples = [
        (
            rng.normal(size=(1, 2, 3, 4)),
            rng.normal(size=(1, 2, 3, 4)),
            tr("작은 예", "a small example"),
        ),
        (features, target, tr("실제 특성 맵", "real features")),
    ]
    for value, goal, example in examples:
        value, goal = np.asarray(value, np.float64), np.asarray(goal, np.float64)
        mine = run_student_code(my_content_loss, (as_tensor(value), as_tensor(goal)), example)
        expected = np.sum((value - goal) ** 2) / (value.shape[1] * value.shape[2])
        compare(mine, expected, example, _content_mistakes(value, goal), **SCALAR_RESULT)


def _book_tv_weight() -> str:
    return " " + tr(
        "(또는 책의 가중치 1e-4를 썼나요? 그것은 0–255 픽셀과 정규화하지 않은 VGG19의 "
        "값이고, 이 수업의 가중치는 1e-2입니다.)",
        "(Or did you use the book's weight 1e-4? It is for 0-255 pixels and the VGG19 as "
        "released; this lesson's weight is 1e-2.)",
    )


def check_total_loss(my_total_loss: Callable, image, parts: dict, weights: dict) -> None:
    """``my_total_loss(image)`` must be slide 3's weighted sum of ``parts`` (the three
    terms at ``image``: ``{"content": …, "style": …, "tv": …}``) with ``weights``."""
    __tracebackhide__ = True
    values = {name: float(np.sum(parts[name])) for name in ("content", "style", "tv")}
    expected = sum(weights[name] * values[name] for name in values)
    term_names = {
        "content": tr("콘텐츠", "content"),
        "style": tr("스타일", "style"),
        "tv": tr("총 변위", "total variation"),
    }
    mistakes = [
        Mistake(
            sum(values.values()),
            "weights",
            tr(
                "가중치를 곱하지 않았습니다: 각 항에 자기 가중치를 곱해서 더합니다.",
                "the weights are missing: multiply each term by its own weight.",
            ),
        ),
    ]
    mistakes += [
        Mistake(
            expected - weights[name] * values[name],
            "term",
            tr(
                f"{term_names[name]} 항이 빠졌습니다: 세 항을 모두 더하세요.",
                f"the {term_names[name]} term is missing: add all three terms.",
            )
            + (_book_tv_weight() if name == "tv" else ""),
        )
        for name in values
    ]
    example = tr("시작 이미지", "the start image")
    mine = run_student_code(my_total_loss, (as_tensor(image),), example)
    compare(mine, np.float64(expected), example, mistakes, **SCALAR_RESULT)
