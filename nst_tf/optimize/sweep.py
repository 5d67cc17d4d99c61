"""Slide 8 in one call: the same transfer at several content/style weight ratios.

With Adam, all ratios are optimised as one batch (one VGG pass per step for the whole
sweep) when the batch fits `BATCH_PIXEL_BUDGET`: Adam moves each image by its own
gradient, so the batch follows exactly the runs made one at a time. L-BFGS runs one
ratio after another: on a batch it solves one joint problem with one line search, and
the style-heavy ratios converge far more slowly (measured, 256 px, 100 steps: the 10^-4
image's loss 3.4 times that of its own run; on 2 CPU cores the batch saved only 4 %).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from nst_tf.base.language import tr
from nst_tf.figures.plotting import ratio_figure
from nst_tf.io.images import as_image_batch
from nst_tf.optimize.run import EndsWithStop, Stop, StopReason
from nst_tf.optimize.settings import TransferSettings, settings_from
from nst_tf.optimize.transfer import as_style_list, transfer_batch

DEFAULT_RATIOS = (1e-4, 1e-3, 1e-2, 1e-1)
#: Batch Adam's ratios when ratios x H x W is at most this (four 384 px images).
BATCH_PIXEL_BUDGET = 4 * 384 * 384


@dataclass
class SweepResult(EndsWithStop):
    """Images ``(len(ratios), H, W, 3)`` in ratio order, their final loss parts, a figure.

    ``stop`` is the first run's that did not complete (else a completed one); a sweep
    run one ratio at a time stops at the first interrupted run, so ``ratios`` then
    lists only the ratios that were run.
    """

    ratios: list[float]
    images: np.ndarray
    best_images: np.ndarray
    final_losses: dict[str, np.ndarray]
    history: dict[str, np.ndarray]
    batched: bool
    stop: Stop

    @cached_property
    def figure(self):
        """Slide 8's figure (`nst_tf.figures.plotting.ratio_figure`), drawn when first asked for."""
        return ratio_figure(self.best_images, self.ratios, self.final_losses)

    def table(self, title: str = "") -> LossTable:
        """The final unweighted loss parts per ratio: text when printed (the CLI), an HTML
        table in a notebook (columns line up with Hangul there too)."""
        names = ("콘텐츠/스타일", "content/style"), ("콘텐츠", "content"), ("스타일", "style")
        header = [tr(*name) for name in names] + [tr("총 변위", "tv")]
        rows = [
            [f"{ratio:g}"] + [f"{self.final_losses[n][i]:.4g}" for n in ("content", "style", "tv")]
            for i, ratio in enumerate(self.ratios)
        ]
        return LossTable(title, header, rows)


@dataclass(frozen=True, repr=False)
class LossTable:
    """A small table of numbers: ``str()`` and ``repr()`` give aligned text, Jupyter
    shows HTML."""

    title: str
    header: list[str]
    rows: list[list[str]]

    WIDTHS = (14, 12, 12, 10)

    def __str__(self) -> str:
        lines = [self.title] if self.title else []
        for row in [self.header, *self.rows]:
            lines.append(" ".join(_right(cell, width) for cell, width in zip(row, self.WIDTHS)))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html

        def cells(row, tag):
            return "".join(f'<{tag} style="text-align:right">{html.escape(c)}</{tag}>' for c in row)

        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in self.rows)
        return f"<table>{caption}<tr>{cells(self.header, 'th')}</tr>{body}</table>"


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
    settings: TransferSettings | None = None,
    *,
    style_masks=None,
    content_mask=None,
    **keywords,
) -> SweepResult:
    """Stylise ``content`` once per content/style ``ratio`` and draw slide 8's figure.

    Made at one size (``scales=None``) unless ``scales`` (or ``settings``) says otherwise,
    as lesson 6 does: coarse-to-fine from the photo stays at a blurred photo at the large
    ratios (measured, chelsea x swirls, 256 px, ratio 1e-1, 25 steps: SSIM to the photo
    0.986 and the style loss unchanged, against 0.89 at one size).
    ``content_weight = ratio · style_weight``; other settings as for `stylize`
    (``init="noise"`` starts from white noise, as Gatys et al.'s runs do; ``style_masks``
    and ``content_mask`` as for `stylize`). The ratios
    are one batch of loss settings. ``batched``: ``True``, ``False`` or ``"auto"``
    (batch Adam runs when they fit `BATCH_PIXEL_BUDGET`; L-BFGS one ratio at a time:
    see the module docstring).
    """
    if "content_weight" in keywords:
        raise TypeError(
            "weight_ratio_sweep sets content_weight = ratio · style_weight; "
            "give ratios (and style_weight), not content_weight"
        )
    ratios = check_ratios(ratios)
    if settings is None:
        keywords.setdefault("scales", None)
    if batched not in (True, False, "auto"):
        raise ValueError(f"batched must be True, False or 'auto', not {batched!r}")
    settings = settings_from(settings, keywords)
    content = as_image_batch(content, "content")
    styles = as_style_list(style)
    if batched == "auto":
        fits = len(ratios) * content.shape[1] * content.shape[2] <= BATCH_PIXEL_BUDGET
        batched = fits and settings.run.optimizer == "adam"
    groups = [ratios] if batched else [[r] for r in ratios]
    results, done = [], []
    for group in groups:
        ratio_settings = _ratio_settings(settings, group)
        results.append(transfer_batch(content, styles, ratio_settings, style_masks, content_mask))
        done += group
        if results[-1].stop.reason is StopReason.INTERRUPTED:
            break  # one Ctrl-C (or signal) stops the whole sweep
    images = np.concatenate([r.image for r in results])
    best = np.concatenate([r.best_image for r in results])
    history = _joined_history([r.history for r in results])
    final = {name: _last_finite(values) for name, values in history.items()}
    stop = next((r.stop for r in results if not r.completed), results[-1].stop)
    return SweepResult(done, images, best, final, history, bool(batched), stop)


def _ratio_settings(settings: TransferSettings, ratios: list[float]) -> TransferSettings:
    """``settings`` with one loss weight set per ratio: a batch of loss settings."""
    loss = settings.loss
    count = len(ratios)
    style = float(loss.term_weights["style"][0])
    return dataclasses.replace(
        settings,
        loss=dataclasses.replace(
            loss,
            content_weight=np.asarray(ratios) * style,
            style_weight=np.full(count, style),
            tv_weight=np.full(count, float(loss.term_weights["tv"][0])),
        ),
    )


def _joined_history(histories: list[dict]) -> dict[str, np.ndarray]:
    """Histories ``(steps_i, n_i)`` side by side as ``(steps, Σ n_i)``; runs that stopped
    early (fewer steps) are padded with NaN."""
    steps = max(len(h["total"]) for h in histories)
    return {
        name: np.concatenate(
            [
                np.pad(h[name], ((0, steps - len(h[name])), (0, 0)), constant_values=np.nan)
                for h in histories
            ],
            axis=1,
        )
        for name in histories[0]
    }


def _last_finite(values: np.ndarray) -> np.ndarray:
    """The last finite entry of each column of ``(steps, n)`` (NaN where there is none)."""
    last = np.full(values.shape[1], np.nan)
    for column in range(values.shape[1]):
        finite = values[np.isfinite(values[:, column]), column]
        if finite.size:
            last[column] = finite[-1]
    return last
