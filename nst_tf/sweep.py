"""Slide 8 in one call: the same transfer at several content/style weight ratios.

All ratios are optimised as one batch (one VGG pass per step for the whole sweep)
when the batch fits `BATCH_PIXEL_BUDGET`, one after another otherwise.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from nst_tf.language import tr
from nst_tf.plotting import ratio_figure
from nst_tf.transfer import TransferOptions, _as_batch, transfer_batch

DEFAULT_RATIOS = (1e-4, 1e-3, 1e-2, 1e-1)
#: Batch all ratios when ratios x H x W is at most this (four 384 px images).
BATCH_PIXEL_BUDGET = 4 * 384 * 384


@dataclass
class SweepResult:
    """Images ``(len(ratios), H, W, 3)`` in ratio order, their final loss parts, a figure."""

    ratios: list[float]
    images: np.ndarray
    best_images: np.ndarray
    final_losses: dict[str, np.ndarray]
    history: dict[str, np.ndarray]
    batched: bool
    stop_reason: str

    @cached_property
    def figure(self):
        """Slide 8's figure (`nst_tf.plotting.ratio_figure`), drawn when first asked for."""
        return ratio_figure(self.best_images, self.ratios, self.final_losses)

    def table(self) -> str:
        """The final unweighted loss parts per ratio, as a small text table."""
        names = ("콘텐츠/스타일", "content/style"), ("콘텐츠", "content"), ("스타일", "style")
        header = [_right(tr(*name), width) for name, width in zip(names, (14, 12, 12))]
        rows = [" ".join([*header, _right(tr("총 변위", "tv"), 10)])]
        for i, ratio in enumerate(self.ratios):
            parts = [self.final_losses[name][i] for name in ("content", "style", "tv")]
            rows.append(f"{ratio:>14g} {parts[0]:>12.4g} {parts[1]:>12.4g} {parts[2]:>10.4g}")
        return "\n".join(rows)


def _right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` terminal columns (a Hangul syllable takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return " " * max(0, width - columns) + text


def check_ratios(ratios) -> list[float]:
    """A non-empty list of finite, positive ratios, or a `ValueError` saying what is wrong."""
    values = [float(r) for r in ratios]
    if not values or not all(np.isfinite(r) and r > 0 for r in values):
        raise ValueError(f"ratios must be finite numbers > 0, got {list(ratios)}")
    return values


def weight_ratio_sweep(
    content,
    style,
    ratios: Sequence[float] = DEFAULT_RATIOS,
    batched: bool | str = "auto",
    **settings,
) -> SweepResult:
    """Stylise ``content`` once per content/style ``ratio`` and draw slide 8's figure.

    ``content_weight = ratio · style_weight``; other keywords as for `stylize`.
    ``batched``: ``True``, ``False`` or ``"auto"`` (batch when it fits the budget).
    """
    ratios = check_ratios(ratios)
    options = TransferOptions(**settings)
    styles = list(style) if isinstance(style, (list, tuple)) else [style]
    height, width = _as_batch(content, "content").shape[1:3]
    if batched == "auto":
        batched = len(ratios) * height * width <= BATCH_PIXEL_BUDGET
    groups = [ratios] if batched else [[r] for r in ratios]
    results = [transfer_batch(content, styles, _weight_sets(group, options), options)
               for group in groups]  # fmt: skip
    images = np.concatenate([r.image for r in results])
    best = np.concatenate([r.best_image for r in results])
    history = _joined_history(results, batched)
    final = {name: _last_finite(values) for name, values in history.items()}
    reasons = sorted({r.stop_reason for r in results})
    reason = "completed" if all(r.startswith("completed") for r in reasons) else "; ".join(reasons)
    return SweepResult(ratios, images, best, final, history, bool(batched), reason)


def _weight_sets(ratios, options: TransferOptions) -> dict:
    count = len(ratios)
    return {
        "content": np.asarray(ratios) * options.style_weight,
        "style": np.full(count, options.style_weight),
        "tv": np.full(count, options.tv_weight),
    }


def _joined_history(results, batched: bool) -> dict[str, np.ndarray]:
    """Per-step history ``(steps, len(ratios))``; runs of unequal length are padded with NaN."""
    if batched:
        return results[0].history
    steps = max(len(r.history["total"]) for r in results)
    joined = {}
    for name in results[0].history:
        columns = []
        for r in results:
            column = r.history[name][:, 0]
            columns.append(np.pad(column, (0, steps - len(column)), constant_values=np.nan))
        joined[name] = np.stack(columns, axis=1)
    return joined


def _last_finite(values: np.ndarray) -> np.ndarray:
    """The last finite entry of each column of ``(steps, n)`` (NaN where there is none)."""
    last = np.full(values.shape[1], np.nan)
    for column in range(values.shape[1]):
        finite = values[np.isfinite(values[:, column]), column]
        if finite.size:
            last[column] = finite[-1]
    return last
