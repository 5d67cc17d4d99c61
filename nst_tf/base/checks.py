"""Small checks for values given at the edge, each with a message that names the value.

Options are checked once, when the settings object that holds them is made; these are
the shared rules those objects use.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Collection
from pathlib import Path

from nst_tf.base.language import tr


def whole_number(name: str, value, minimum: int) -> int:
    """``value`` as an int if it is a whole number ``>= minimum``, else a clear error
    (also for ``inf`` and ``nan``, which Python's ``int()`` refuses in its own words)."""
    whole = (
        not isinstance(value, bool)
        and isinstance(value, numbers.Real)
        and math.isfinite(value)
        and value == int(value)
    )
    if not whole:
        raise TypeError(
            tr(
                f"{name}은(는) 정수여야 합니다 ({value!r})",
                f"{name} must be a whole number, not {value!r}",
            )
        )
    if value < minimum:
        raise ValueError(
            tr(
                f"{name}은(는) {minimum} 이상이어야 합니다 ({value})",
                f"{name} must be >= {minimum}, not {value}",
            )
        )
    return int(value)


def unit_range(name: str, values, verb: str = "holds") -> None:
    """A `ValueError` unless ``values`` are finite floats in ``[0, 1]`` (pixels, masks).

    The one rule for every image-like input; the message says what to do with 0-255
    pixels, the usual mistake.
    """
    import numpy as np

    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.floating):
        raise ValueError(
            tr(
                f"{name}의 값이 {values.dtype}입니다: [0, 1] 범위의 실수여야 합니다 (0-255 "
                "픽셀은 255로 나누거나 nst_tf.load_image를 쓰세요)",
                f"{name} {verb} {values.dtype} values; expected [0, 1] floats (divide 0-255 "
                "pixels by 255, or use nst_tf.load_image)",
            )
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(
            tr(
                f"{name}에 NaN이나 Inf가 있습니다: [0, 1] 범위의 값이어야 합니다",
                f"{name} {verb} NaN or Inf values; expected values in [0, 1]",
            )
        )
    if values.size and (values.min() < -1e-3 or values.max() > 1.001):
        raise ValueError(
            tr(
                f"{name}의 값이 {values.min():.3g}에서 {values.max():.3g}까지로 [0, 1]을 "
                "벗어납니다: 0-255 픽셀이면 255로 나누세요",
                f"{name} {verb} values from {values.min():.3g} to {values.max():.3g}, outside "
                "[0, 1]; expected values in [0, 1]: for 0-255 pixels divide by 255",
            )
        )


def one_of(name: str, value, choices: Collection):
    """``value`` if it is one of ``choices``, else a `ValueError` listing them."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(
            tr(
                f"{name}은(는) {listed} 중 하나여야 합니다 ({value!r})",
                f"{name} must be one of {listed}, not {value!r}",
            )
        )
    return value


def user_path(path: str | os.PathLike, what: str = "path") -> Path:
    """``path`` with ``~`` and ``~user`` expanded; a `ValueError` naming ``what`` when
    the home folder it names is unknown (``~nouser/x.png``), not Python's bare message."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        head = os.fspath(path).split("/", 1)[0]
        raise ValueError(
            tr(
                f"{what} {os.fspath(path)}: {head}에 해당하는 사용자의 홈 폴더가 없습니다. "
                "폴더를 다 적어 주세요",
                f"{what} {os.fspath(path)}: {head} names no known user's home folder; "
                "write the folder out in full",
            )
        ) from None
