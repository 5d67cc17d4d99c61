"""`stylize`: one call from a content and a style image to a stylised image.

Its settings are a `nst_tf.optimize.settings.TransferSettings`: `stylize(content, style,
**keywords)` takes every field by name (e.g. ``steps=200, weights="random",
style_weight=2``). Under the hood: an `Objective` per scale, optimised by
`nst_tf.optimize.run`, optionally coarse-to-fine and with the content's
colours kept (`nst_tf.io.color`). All of it also works for a batch of loss weights, which
is how `nst_tf.optimize.sweep` optimises every ratio of slide 8 in one VGG pass per step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nst_tf.base.language import tr
from nst_tf.io import color
from nst_tf.io.images import as_image_batch, as_mask, fit_long_side, resize
from nst_tf.network.features import shared_extractor
from nst_tf.network.layers import LAYER_NAMES, min_image_size
from nst_tf.objective.layer_weights import check_mask_count, style_mix
from nst_tf.objective.objective import Objective
from nst_tf.objective.settings import LossSettings
from nst_tf.optimize.memory import choose_activations, estimate_peak
from nst_tf.optimize.optimizers import state_bytes
from nst_tf.optimize.reporting import Reporter, live_view
from nst_tf.optimize.run import EndsWithStop, RunResult, Stop, run
from nst_tf.optimize.settings import RunSettings, TransferSettings, settings_from


@dataclass
class StylizeResult(EndsWithStop):
    """A run's outcome. Images are ``[0, 1]`` RGB ``(1, H, W, 3)`` (or a batch).

    ``image`` is where the optimiser stopped, ``best_image`` the lowest-loss image
    seen at the final scale; ``history`` maps ``total``/``content``/``style``/``tv``
    to one value per step (all scales in order); ``evaluations`` and ``seconds`` are
    the loss+gradient evaluations and wall time used by the end of each step
    (cumulative over the scales); ``stop`` says why it ended (``stop_reason`` in words).
    """

    image: np.ndarray
    best_image: np.ndarray
    history: dict[str, np.ndarray]
    steps_done: int
    stop: Stop
    scales: list[tuple[int, int]]
    evaluations: np.ndarray
    seconds: np.ndarray


def _initial_images(run_settings: RunSettings, content: np.ndarray, batch: int) -> np.ndarray:
    if isinstance(run_settings.init, np.ndarray):
        start = resize(run_settings.init, *content.shape[1:3])
    elif run_settings.init == "content":
        start = content
    else:  # "noise": white noise, as slide 5 says
        rng = np.random.default_rng(run_settings.seed)
        start = rng.uniform(0.0, 1.0, size=content.shape).astype(np.float32)
    return np.repeat(start, batch, axis=0)


def _prepare_colors(mode: str | None, content, styles):
    """Content and styles as the optimiser should see them for colour preservation."""
    if mode == "luminance":
        return color.luminance_image(content), [color.match_luminance(s, content) for s in styles]
    if mode == "histogram":
        return content, [color.match_color_histogram(s, content) for s in styles]
    return content, styles


def as_style_list(style) -> list[np.ndarray]:
    """One style image or a list of them, each checked, as a list."""
    styles = list(style) if isinstance(style, (list, tuple)) else [style]
    if not styles:
        raise ValueError("style: give at least one style image")
    return [as_image_batch(image, "style") for image in styles]


def transfer_batch(
    content, styles: list, settings: TransferSettings, style_masks=None, content_mask=None
) -> StylizeResult:
    """Optimise one image per loss weight set (``settings.loss.batch`` of them).

    One VGG pass per step serves the whole batch. Returns batched images ``(B, H, W, 3)``.
    ``style_masks`` (one per style) and ``content_mask`` are checked `Regions`.
    """
    content = as_image_batch(content, "content")
    loss, run_settings = settings.loss, settings.run
    regions = Regions.check(style_masks, content_mask, content, len(styles), loss.style_blend)
    plan = run_plan(content, styles, loss, run_settings)
    check_plan_sizes(content, styles, plan, loss)
    recompute = choose_activations(
        run_settings.activations,
        lambda recompute: _memory_estimate(content, styles, plan, loss, run_settings, recompute),
        tr("이 실행", "This run"),
    )
    extractor = shared_extractor(loss.layers, settings.network)
    live = live_view(settings.reporting, sum(steps for _, steps in plan))
    images, runs = None, []
    for index, (side, steps) in enumerate(plan):
        content_s = fit_long_side(content, side)
        styles_s = [fit_long_side(style, round(side * loss.style_scale)) for style in styles]
        seen_content, seen_styles = _prepare_colors(
            run_settings.preserve_colors, content_s, styles_s
        )
        objective = Objective(
            extractor, loss, seen_content, seen_styles, *regions.at(seen_content), recompute
        )
        start = (
            _initial_images(run_settings, seen_content, loss.batch)
            if images is None
            else resize(images, *seen_content.shape[1:3])
        )
        reporter = Reporter(
            settings.reporting,
            steps,
            f"{run_settings.optimizer} {side}px",
            prefix=f"scale{index + 1}_{side}px",
            live=live,
        )
        result = run(
            objective, start, run_settings.optimizer, run_settings.hyper_parameters, steps, reporter
        )
        images = result.images
        runs.append(result)
        if not result.stop.completed:
            break
    if live is not None:
        live.close(runs[-1].stop)
    return _finish(runs, plan, run_settings.preserve_colors, content, loss.batch, regions)


@dataclass(frozen=True)
class Regions:
    """Spatial control (Gatys et al. 2017): where each style goes, and what is stylised.

    ``style_masks``: one ``(1, H, W, 1)`` ``[0, 1]`` mask per style image (each style in
    its region, with guided Gram matrices); ``content_mask``: the part of the output to
    stylise at all (outside it the result is the photo). Both at the content's size,
    resized for each scale and each layer.
    """

    style_masks: tuple | None = None
    content_mask: np.ndarray | None = None

    @classmethod
    def check(cls, style_masks, content_mask, content, styles: int, blend) -> Regions:
        """The masks checked against the content and the styles, before any work."""
        if style_masks is not None:
            if isinstance(style_masks, np.ndarray) and style_masks.ndim in (2, 3):
                style_masks = [style_masks]
            check_mask_count(blend, styles, len(style_masks))  # before each mask's shape
            style_masks = tuple(
                as_mask(mask, f"style mask {i + 1}", content) for i, mask in enumerate(style_masks)
            )
        if content_mask is not None:
            content_mask = as_mask(content_mask, "content mask", content)
        style_mix(blend, styles, style_masks, content_mask)  # count and blend checked here
        return cls(style_masks, content_mask)

    def at(self, content: np.ndarray) -> tuple:
        """(style masks, content mask) resized to ``content``'s size."""
        height, width = content.shape[1:3]
        style = (
            None
            if self.style_masks is None
            else [resize(m, height, width) for m in self.style_masks]
        )
        inside = None if self.content_mask is None else resize(self.content_mask, height, width)
        return style, inside

    def outside_kept(self, images: np.ndarray, content: np.ndarray) -> np.ndarray:
        """``images`` with the photo put back outside the content mask (if any)."""
        if self.content_mask is None:
            return images
        inside = resize(self.content_mask, *content.shape[1:3])
        return (inside * images + (1.0 - inside) * content).astype(np.float32)


def _scaled_size(image: np.ndarray, long_side: int) -> tuple[int, int]:
    """(H, W) of ``image`` resized so its longer side is ``long_side`` (as `fit_long_side`)."""
    height, width = image.shape[1:3]
    scale = long_side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def run_plan(content, styles, loss: LossSettings, run_settings: RunSettings) -> list:
    """``[(long side, steps), ...]``: the sizes this content and these styles are
    optimised at (`nst_tf.optimize.scales.ScalePlan.plan`), none too small for the layers."""
    return run_settings.scale_plan.plan(
        max(content.shape[1:3]), run_settings.steps, _smallest_side(content, styles, loss)
    )


def _smallest_side(content, styles, loss: LossSettings) -> int:
    """The smallest long side (of the output) at which the content and every style image
    (``style_scale`` times that side) still have short sides big enough for the layers."""
    needed = min_image_size(loss.layers)
    aspects = [max(content.shape[1:3]) / min(content.shape[1:3])]
    aspects += [max(s.shape[1:3]) / min(s.shape[1:3]) / loss.style_scale for s in styles]
    return math.ceil(needed * max(aspects))


def check_plan_sizes(content, styles, plan, loss: LossSettings) -> None:
    """Refuse, before any work and naming the real cause, a plan whose first (smallest)
    scale leaves the content or a style image smaller than the layers need."""
    needed, first = min_image_size(loss.layers), plan[0][0]
    deepest = max(loss.layers, key=LAYER_NAMES.index)
    too_small = f"too small for layers up to {deepest} (a shorter side of at least {needed} px)"
    coarse = first < max(content.shape[1:3])  # a coarse first scale: the scales start too small
    scales_fix = f"start the scales at {_smallest_side(content, styles, loss)} px or more"
    height, width = _scaled_size(content, first)
    if min(height, width) < needed:
        fix = (
            scales_fix
            if coarse
            else (f"use a larger content image (or size), or shallower layers than {deepest}")
        )
        raise ValueError(f"At {first} px the content image is {width}x{height}, {too_small}: {fix}")
    for style in styles:
        height, width = _scaled_size(style, round(first * loss.style_scale))
        if min(height, width) < needed:
            fix = scales_fix if coarse else "use a larger style_scale"
            raise ValueError(
                f"style_scale {loss.style_scale:g} makes a style image {width}x{height} px at "
                f"{first} px, {too_small}: {fix}"
            )


def _memory_estimate(content, styles, plan, loss: LossSettings, run_settings, recompute):
    """The run's peak memory, at its largest scale (`nst_tf.optimize.memory`), with activations
    kept or recomputed."""
    deepest = max(loss.layers, key=LAYER_NAMES.index)
    side = plan[-1][0]
    style_sizes = [_scaled_size(style, round(side * loss.style_scale)) for style in styles]
    size = _scaled_size(content, side)
    values = loss.batch * size[0] * size[1] * 3
    optimizer = state_bytes(run_settings.optimizer, run_settings.hyper_parameters, values)
    return estimate_peak(size, loss.batch, deepest, style_sizes, recompute, optimizer)


def _running_total(parts: list[np.ndarray]) -> np.ndarray:
    """Per-scale cumulative counts joined into one count that goes on across scales."""
    offsets = np.cumsum([0] + [p[-1] if len(p) else 0 for p in parts[:-1]])
    return np.concatenate([p + offset for p, offset in zip(parts, offsets)])


def _finish(
    runs: list[RunResult], plan, preserve_colors, content, batch: int, regions: Regions
) -> StylizeResult:
    last = runs[-1]
    # A run stopped at a coarser size still returns the output's size (upsampled, as
    # the next size would have started from it).
    image, best = (resize(x, *content.shape[1:3]) for x in (last.images, last.best_images))
    if preserve_colors == "luminance":
        image, best = color.join_luminance(image, content), color.join_luminance(best, content)
    image, best = regions.outside_kept(image, content), regions.outside_kept(best, content)
    histories = [r.record.history_arrays(batch) for r in runs]
    history = {name: np.concatenate([h[name] for h in histories]) for name in histories[0]}
    steps = sum(r.record.steps_done for r in runs)
    evaluations = _running_total([np.array(r.record.evaluations, int) for r in runs])
    seconds = _running_total([np.array(r.record.seconds) for r in runs])
    return StylizeResult(image, best, history, steps, last.stop, plan, evaluations, seconds)


def stylize(
    content,
    style,
    settings: TransferSettings | None = None,
    *,
    style_masks=None,
    content_mask=None,
    **keywords,
) -> StylizeResult:
    """Stylise ``content`` with ``style`` (``[0, 1]`` RGB ``(1, H, W, 3)`` each).

    ``style`` may be a list of images, blended by ``style_blend`` or placed by
    ``style_masks`` (one ``[0, 1]`` mask per style, any resolution of the content's
    aspect ratio: each style in its own region, Gatys et al. 2017); ``content_mask``
    limits the stylised part (outside it the result is the photo). Settings come as a
    `TransferSettings` and/or as keywords (every field of its groups: weights, layers,
    init, optimizer, steps, seed, scales, preserve_colors, callback...; see
    `TransferSettings.keywords`). The output has the content's size; ``history``
    holds one value per step.

    Example::

        result = stylize(load_image("photo.jpg"), load_image("painting.jpg"), steps=100)
        save_image(result.best_image, "out.png")
    """
    settings = settings_from(settings, keywords)
    if settings.loss.batch != 1:
        raise ValueError(
            "stylize takes one number per loss weight; weight_ratio_sweep takes arrays"
        )
    result = transfer_batch(content, as_style_list(style), settings, style_masks, content_mask)
    result.history = {name: values[:, 0] for name, values in result.history.items()}
    return result
