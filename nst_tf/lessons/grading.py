"""How a student's function is graded: run it, compare, and name the likely mistake.

A check (`nst_tf.lessons.loss_exercises`, `nst_tf.lessons.step_exercises`) gives
`compare` the student's function, the example, the expected value and the known
`Mistake` s: values computed the way a common slip computes them. A wrong answer close
to one of them gets that mistake's hint; other wrong answers get the factor they are off
by, or the first place they differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from nst_tf.base.language import tr

RTOL = 1e-4  # float32 sums over ~10⁵ terms agree to about this


MISTAKE_RTOL = 1e-3  # a value this close to a known mistake's is that mistake


#: A loss is one number: shape (), or (1,) for a batch of one image.
SCALAR_RESULT = {"accepted_shapes": ((1,),)}


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


def fail(message: str, mistake: str):
    __tracebackhide__ = True  # IPython and pytest show the student's cell, not this file
    raise ExerciseError(message, mistake)


def run_student_code(function: Callable, args: tuple, example: str):
    """The student's ``function(*args)`` as a float64 array; its own error, if it raises,
    said in one line with where it happened (no TensorFlow traceback)."""
    __tracebackhide__ = True
    try:
        result = function(*args)
    except Exception as exc:  # the student's code: any error it raises is the news
        first_line = (str(exc).strip().splitlines() or [""])[0][:300]
        hint = _error_hint(first_line)
        fail(
            tr(
                f"{example}에서 여러분의 함수가 오류를 냈습니다: {type(exc).__name__}: "
                f"{first_line}{hint}",
                f"your function raised an error on {example}: {type(exc).__name__}: "
                f"{first_line}{hint}",
            ),
            "error",
        )
    if result is None:
        fail(
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
        fail(
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


def shape_text(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def compare(
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
            fail(
                tr(
                    f"{example}에서 결과의 모양이 {shape_text(mine.shape)}인데 "
                    f"{shape_text(expected.shape)}이어야 합니다. {hint}",
                    f"on {example} the result has shape {shape_text(mine.shape)}; it should "
                    f"be {shape_text(expected.shape)}. {hint}",
                ).strip(),
                name,
            )
    if np.allclose(mine, expected, rtol=RTOL, atol=1e-6 * np.abs(expected).max()):
        return
    for mistake in mistakes:
        if np.allclose(mine, mistake.value, rtol=MISTAKE_RTOL):
            fail(_differs(mine, expected, example) + " " + mistake.hint, mistake.name)
    hint = _factor_hint(mine, expected)
    fail((_differs(mine, expected, example) + " " + hint).strip(), "values")


def _differs(mine: np.ndarray, expected: np.ndarray, example: str) -> str:
    if mine.size == 1:
        ours, theirs = f"{mine.item():.6g}", f"{expected.item():.6g}"
    else:
        at = np.unravel_index(np.argmax(np.abs(mine - expected)), mine.shape)
        where = shape_text(at)
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


def as_tensor(value) -> tf.Tensor:
    return tf.constant(np.asarray(value, np.float32))
