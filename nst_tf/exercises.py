"""The checks after each "write it yourself" cell (lessons 3-5), in the lesson's language.

Each check runs the student's function on the slide's small example and then on real
VGG19 activations (or the real photo), compares the shape first and then the values
with what nst_tf computes, and when they differ says *what* differs and the likely
mistake (a reshape without a transpose, a missing or extra normalisation, a missing
square, the sign, clipping, an axis...), as an `ExerciseError`: an ``AssertionError``
whose traceback stops at the student's cell. Any correct implementation passes
(``tf.einsum``, ``np.diff``, ``2 * tf.nn.l2_loss``, ``adam.apply``...).

One check per task: `check_gram_matrix`, `check_style_loss`, `check_tv_loss`,
`check_content_loss`, `check_total_loss`, `check_gradient_step`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from nst_tf.gram import gram_matrix
from nst_tf.language import tr
from nst_tf.losses import TV_EXPONENT, total_variation_loss

RTOL = 1e-4  # float32 sums over ~10⁵ terms agree to about this
MISTAKE_RTOL = 1e-3  # a value this close to a known mistake's is that mistake
#: A loss is one number: shape (), or (1,) for a batch of one image.
SCALAR_RESULT = {"accepted_shapes": ((1,),)}

#: The slide-6 example: F = [[1, 2, 3], [4, 5, 6]] (C=2 channels, H·W=3 positions) as a
#: (batch, H=1, W=3, C=2) feature map; its Gram matrix is [[14, 32], [32, 77]].
SLIDE_FEATURES = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).T.reshape(1, 1, 3, 2)


class ExerciseError(AssertionError):
    """A student's function differs from nst_tf's; ``mistake`` names the likely cause
    (``"transpose"``, ``"normalization"``, ``"square"``, ``"sign"``, ``"clip"``...), or
    is ``"values"`` / ``"shape"`` / ``"error"`` when no known mistake fits."""

    def __init__(self, message: str, mistake: str):
        super().__init__(message)
        self.mistake = mistake

    def _render_traceback_(self) -> list[str]:
        """How IPython and Jupyter show it: the hint alone, in red, with no traceback
        through nst_tf's code (the student's cell is the one that just ran)."""
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: its value on the same input, its name and its hint."""

    value: np.ndarray
    name: str
    hint: str


def _fail(message: str, mistake: str):
    __tracebackhide__ = True  # IPython and pytest show the student's cell, not this file
    raise ExerciseError(message, mistake)


def _run(function: Callable, args: tuple, example: str):
    """The student's ``function(*args)`` as a float64 array; its own error, if it raises,
    said in one line with where it happened (no TensorFlow traceback)."""
    __tracebackhide__ = True
    try:
        result = function(*args)
    except Exception as exc:  # the student's code: any error it raises is the news
        first_line = (str(exc).strip().splitlines() or [""])[0][:300]
        hint = _error_hint(first_line)
        _fail(
            tr(
                f"{example}에서 여러분의 함수가 오류를 냈습니다: {type(exc).__name__}: "
                f"{first_line}{hint}",
                f"your function raised an error on {example}: {type(exc).__name__}: "
                f"{first_line}{hint}",
            ),
            "error",
        )
    if result is None:
        _fail(
            tr(
                f"{example}에서 여러분의 함수가 아무것도 돌려주지 않았습니다 (None): 함수 "
                "끝에 return 문이 있는지 확인하세요.",
                f"on {example} your function returned nothing (None): check that it ends "
                "with a return statement.",
            ),
            "return",
        )
    try:
        return np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        _fail(
            tr(
                f"{example}에서 여러분의 함수가 숫자가 아닌 {type(result).__name__}을(를) "
                "돌려주었습니다: return 문을 확인하세요.",
                f"on {example} your function returned a {type(result).__name__}, not "
                "numbers: check its return statement.",
            ),
            "error",
        )


def _error_hint(message: str) -> str:
    """The likely cause of an error a student's function raised, from its message."""
    if "Incompatible shapes" in message or "broadcast" in message:
        return tr(
            " — 모양이 다른 두 텐서를 더하거나 뺐습니다. 모양을 print로 확인하세요.",
            " — two tensors of different shapes were added or subtracted; print their shapes.",
        )
    if "_unique_id" in message:  # Keras's optimizer given tensors where variables go
        return tr(
            " — 옵티마이저에 그레이디언트가 먼저, 변수가 다음입니다: "
            "adam.apply(gradients, network.trainable_variables).",
            " — the optimiser takes the gradients first, then the variables: "
            "adam.apply(gradients, network.trainable_variables).",
        )
    if "has no attribute 'optimizer'" in message:
        return tr(
            " — 아직 compile하지 않은 모델에는 옵티마이저가 없습니다: 위에서 만든 adam을 쓰세요.",
            " — a model not compiled yet has no optimiser: use the adam made above.",
        )
    return ""


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _compare(
    mine: np.ndarray,
    expected: np.ndarray,
    example: str,
    mistakes: list[Mistake] = (),
    shape_hints: dict | None = None,
    accepted_shapes: tuple = (),
) -> None:
    """Shape first, then values; a known mistake's hint when the values fit one."""
    __tracebackhide__ = True
    expected = np.asarray(expected, np.float64)
    if mine.shape != expected.shape:
        if mine.shape in accepted_shapes:
            mine = mine.reshape(expected.shape)
        else:
            hint = (shape_hints or {}).get(mine.shape)
            name, hint = hint if hint else ("shape", "")
            _fail(
                tr(
                    f"{example}에서 결과의 모양이 {_shape_text(mine.shape)}인데 "
                    f"{_shape_text(expected.shape)}이어야 합니다. {hint}",
                    f"on {example} the result has shape {_shape_text(mine.shape)}; it should "
                    f"be {_shape_text(expected.shape)}. {hint}",
                ).strip(),
                name,
            )
    if np.allclose(mine, expected, rtol=RTOL, atol=1e-6 * np.abs(expected).max()):
        return
    for mistake in mistakes:
        if np.allclose(mine, mistake.value, rtol=MISTAKE_RTOL):
            _fail(_differs(mine, expected, example) + " " + mistake.hint, mistake.name)
    hint = _factor_hint(mine, expected)
    _fail((_differs(mine, expected, example) + " " + hint).strip(), "values")


def _differs(mine: np.ndarray, expected: np.ndarray, example: str) -> str:
    if mine.size == 1:
        ours, theirs = f"{mine.item():.6g}", f"{expected.item():.6g}"
    else:
        at = np.unravel_index(np.argmax(np.abs(mine - expected)), mine.shape)
        where = _shape_text(at)
        ours = tr(f"{mine[at]:.6g} (위치 {where})", f"{mine[at]:.6g} (at {where})")
        theirs = f"{expected[at]:.6g}"
    return tr(
        f"{example}에서 값이 nst_tf와 다릅니다: 여러분 {ours}, nst_tf {theirs}.",
        f"on {example} the values differ from nst_tf's: yours {ours}, nst_tf {theirs}.",
    )


def _factor_hint(mine: np.ndarray, expected: np.ndarray) -> str:
    """Whether every value is off by one factor: a normalisation, or the sign."""
    nonzero = np.abs(expected) > 1e-12 * max(np.abs(expected).max(), 1e-30)
    if not nonzero.any():
        return ""
    ratios = mine[nonzero] / expected[nonzero]
    factor = float(np.median(ratios))
    if not np.allclose(ratios, factor, rtol=MISTAKE_RTOL) or factor == 0:
        return ""
    if factor < 0:
        return tr(
            f"모든 값이 정답의 {factor:.4g}배입니다: 부호를 확인하세요.",
            f"every value is {factor:.4g} times the answer: check the sign.",
        )
    return tr(
        f"모든 값이 정답의 {factor:.4g}배입니다: 나누거나 곱하는 수(정규화)를 확인하세요.",
        f"every value is {factor:.4g} times the answer: check what you divide or multiply "
        "by (the normalisation).",
    )


def _as_tensor(value) -> tf.Tensor:
    return tf.constant(np.asarray(value, np.float32))


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
        mine = _run(my_gram_matrix, (_as_tensor(value),), example)
        expected = np.asarray(gram_matrix(_as_tensor(value))[0], np.float64)
        if value is SLIDE_FEATURES:
            expected = np.array([[14.0, 32.0], [32.0, 77.0]])
        mistakes, shapes = _gram_mistakes(value)
        channels = value.shape[-1]
        accepted = ((1, channels, channels),)  # a batch of one Gram matrix is fine too
        _compare(mine, expected, example, mistakes, shapes, accepted_shapes=accepted)


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
        mine = _run(my_style_loss, (_as_tensor(value), _as_tensor(target), count), example)
        expected = np.float64(_style_layer_loss(value, target, count))
        _compare(mine, expected, example, _style_mistakes(value, target, count), **SCALAR_RESULT)


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
        mine = _run(my_tv_loss, (_as_tensor(value),), example)
        expected = np.asarray(total_variation_loss(_as_tensor(value))[0], np.float64)
        _compare(mine, expected, example, _tv_mistakes(value), **SCALAR_RESULT)


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
        mine = _run(my_content_loss, (_as_tensor(value), _as_tensor(goal)), example)
        expected = np.sum((value - goal) ** 2) / (value.shape[1] * value.shape[2])
        _compare(mine, expected, example, _content_mistakes(value, goal), **SCALAR_RESULT)


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
    mine = _run(my_total_loss, (_as_tensor(image),), example)
    _compare(mine, np.float64(expected), example, mistakes, **SCALAR_RESULT)


def check_gradient_step(image, start, library_image) -> None:
    """The image after the student's one step from ``start`` against the image after
    nst_tf's Adam step (``library_image``): in ``[0, 1]``, moved, the right way (against
    the gradient), by the right amount."""
    __tracebackhide__ = True
    mine = np.asarray(image, np.float64)
    start, theirs = np.asarray(start, np.float64), np.asarray(library_image, np.float64)
    if mine.shape != theirs.shape:
        _fail(
            tr(
                f"스텝 뒤 이미지의 모양이 {_shape_text(mine.shape)}인데 "
                f"{_shape_text(theirs.shape)}이어야 합니다.",
                f"the image after the step has shape {_shape_text(mine.shape)}; it should be "
                f"{_shape_text(theirs.shape)}.",
            ),
            "shape",
        )
    if mine.min() < -1e-6 or mine.max() > 1 + 1e-6:
        _fail(
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
        _fail(
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
        _fail(
            tr(
                "이미지가 손실이 커지는 쪽으로 움직였습니다 (부호): 옵티마이저에는 "
                "그레이디언트를 그대로 주세요. 옵티마이저가 그 반대 방향으로 움직입니다.",
                "the image moved the way the loss grows (the sign): give the optimiser the "
                "gradient itself; it moves against it.",
            ),
            "sign",
        )
    ratio = float(np.linalg.norm(moved) / np.linalg.norm(expected))
    _fail(
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
        loss = _run(my_train_step, (photos,), tr("사진 한 배치", "a batch of photos"))
        moved = np.concatenate([(v.numpy() - b).ravel() for v, b in zip(variables, before)])
    finally:
        for variable, value in zip(variables, before):
            variable.assign(value)
    _check_step_loss(loss, float(expected), float(tf.reduce_sum(parts.total)))
    if not np.any(np.abs(moved) > 0):
        _fail(
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
        _fail(
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
        _fail(hint, "sum")
    _fail(
        tr(
            f"돌려준 손실이 {loss.ravel()[:4]}인데, 스텝 전 가중치에서 배치의 평균 손실 "
            f"{mean:.6g}이어야 합니다 (trainer.loss_parts(photos, outputs).total의 평균).",
            f"the returned loss is {loss.ravel()[:4]}; it should be the batch's mean loss "
            f"before the step, {mean:.6g} (the mean of trainer.loss_parts(photos, "
            "outputs).total).",
        ),
        "loss",
    )
