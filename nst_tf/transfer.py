"""`stylize`: one call from a content and a style image to a stylised image.

Under the hood: an `Objective` (targets computed once per scale), optimised by L-BFGS
or Adam (`nst_tf.optimize`), optionally coarse-to-fine (Gatys et al. 2017: optimise a
small image, upsample it, refine at the next size) and with the content's colours
kept (`nst_tf.color`). All of it also works for a batch of weight settings, which is
how `nst_tf.sweep` optimises every ratio of slide 8 in one VGG pass per step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nst_tf import color, losses
from nst_tf.features import min_image_size, shared_extractor
from nst_tf.images import fit_long_side, resize
from nst_tf.objective import (
    DEFAULT_CONTENT_LAYERS,
    DEFAULT_STYLE_LAYERS,
    Objective,
    blend_weights,
    layer_weights,
)
from nst_tf.optimize import OPTIMIZERS, RunMonitor, RunResult, Step, run
from nst_tf.vgg import PRECISIONS

INITS = ("content", "noise")
#: Coarse-to-fine: each scale doubles the size; the first one is at most this.
COARSEST_SIDE = 512
#: Later scales get this fraction of the first scale's steps (the paper: 500, then 200).
REFINE_FRACTION = 0.4


def _check_weight(name: str, value) -> None:
    values = np.atleast_1d(np.asarray(value, np.float64))
    if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}.")


@dataclass
class TransferOptions:
    """Every setting of a style transfer run, checked when created.

    Weights and layers follow `nst_tf.losses` (Keras's normalisation). ``scales``:
    ``"auto"`` (the default: outputs up to 512 px are optimised directly, larger ones
    start at half size, halving until at most 512 px, then refine), ``None`` (always
    directly) or ascending long sides in pixels. ``steps`` is for the first scale and
    ``refine_steps`` (default 40 % of it, as in the paper's 500 + 200) for each later one.
    """

    content_weight: float = losses.DEFAULT_CONTENT_WEIGHT
    style_weight: float = losses.DEFAULT_STYLE_WEIGHT
    tv_weight: float = losses.DEFAULT_TV_WEIGHT
    content_layers: Sequence[str] | Mapping[str, float] = DEFAULT_CONTENT_LAYERS
    style_layers: Sequence[str] | Mapping[str, float] = DEFAULT_STYLE_LAYERS
    init: str | np.ndarray = "content"
    optimizer: str = "lbfgs"
    steps: int = 100
    refine_steps: int | None = None
    scales: str | Sequence[int] | None = "auto"
    seed: int = 0
    weights: str | Path | None = None
    pooling: str = "max"
    precision: str = "float32"
    style_blend: Sequence[float] | None = None
    style_scale: float = 1.0
    preserve_colors: str | None = None
    normalization: str = "keras"
    progress: bool = True
    callback: Callable[[Step], None] | None = None
    callback_every: int = 10
    checkpoint_dir: str | Path | None = None
    checkpoint_every: int = 0
    content_layer_weights: dict = field(init=False, repr=False)
    style_layer_weights: dict = field(init=False, repr=False)

    def __post_init__(self):
        for name in ("content_weight", "style_weight", "tv_weight"):
            _check_weight(name, getattr(self, name))
        self.content_layer_weights = layer_weights(self.content_layers)
        self.style_layer_weights = layer_weights(self.style_layers)
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {self.precision!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, not {self.optimizer!r}")
        if isinstance(self.init, str) and self.init not in INITS:
            raise ValueError(f"init must be one of {INITS} or an image, not {self.init!r}")
        if int(self.steps) != self.steps or self.steps < 1:
            raise ValueError(f"steps must be a whole number >= 1, got {self.steps!r}")
        if self.preserve_colors not in (None, *color.COLOR_MODES):
            raise ValueError(
                f"preserve_colors must be None or one of {color.COLOR_MODES}, "
                f"not {self.preserve_colors!r}"
            )
        if not (np.isfinite(self.style_scale) and self.style_scale > 0):
            raise ValueError(f"style_scale must be > 0, got {self.style_scale!r}")
        if self.scales not in (None, "auto") and (
            list(self.scales) != sorted(self.scales) or min(self.scales) < 16
        ):
            raise ValueError(f"scales must be ascending long sides >= 16 px, got {self.scales}")

    @property
    def layers(self) -> list[str]:
        """Content and style layers, without repeats."""
        return list(dict.fromkeys([*self.content_layer_weights, *self.style_layer_weights]))

    def scale_plan(self, long_side: int) -> list[tuple[int, int]]:
        """``[(long side, steps), ...]`` from coarse to fine, ending at ``long_side``."""
        if self.scales is None:
            sides = [long_side]
        elif self.scales == "auto":
            sides = [long_side]
            while sides[0] > COARSEST_SIDE:
                sides.insert(0, math.ceil(sides[0] / 2))
        else:
            sides = [min(side, long_side) for side in self.scales]
            sides = sorted(set(sides))
            if sides[-1] != long_side:
                sides.append(long_side)
        refine = self.refine_steps or max(1, round(REFINE_FRACTION * self.steps))
        return [(side, self.steps if i == 0 else refine) for i, side in enumerate(sides)]


@dataclass
class StylizeResult:
    """A run's outcome. Images are ``[0, 1]`` RGB ``(1, H, W, 3)`` (or a batch).

    ``image`` is where the optimiser stopped, ``best_image`` the lowest-loss image
    seen at the final scale; ``history`` maps ``total``/``content``/``style``/``tv``
    to one value per step (all scales in order); ``evaluations`` and ``seconds`` are
    the loss+gradient evaluations and wall time used by the end of each step
    (cumulative over the scales); ``stop_reason`` says why it ended.
    """

    image: np.ndarray
    best_image: np.ndarray
    history: dict[str, np.ndarray]
    steps_done: int
    stop_reason: str
    scales: list[tuple[int, int]]
    evaluations: np.ndarray
    seconds: np.ndarray

    @property
    def completed(self) -> bool:
        return self.stop_reason.startswith("completed")


def _as_batch(image, name: str) -> np.ndarray:
    """``image`` as float32 ``(1, H, W, 3)`` in ``[0, 1]``, or a `ValueError` saying what to do."""
    array = np.asarray(image)
    if array.ndim == 3:
        array = array[np.newaxis]
    if array.ndim != 4 or array.shape[0] != 1 or array.shape[-1] != 3:
        raise ValueError(
            f"{name} must be one [0, 1] RGB image (1, H, W, 3) as load_image returns, "
            f"got shape {array.shape}."
        )
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(
            f"{name} holds {array.dtype} values; expected floats in [0, 1]. Use "
            "nst_tf.load_image, or divide 0-255 pixels by 255."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or Inf values; expected [0, 1] RGB.")
    if array.min() < -1e-3 or array.max() > 1.001:
        raise ValueError(
            f"{name} has values outside [0, 1] (min {array.min():.3g}, max "
            f"{array.max():.3g}); expected [0, 1] RGB as load_image returns."
        )
    return np.clip(array, 0.0, 1.0).astype(np.float32)


def _initial_images(options: TransferOptions, content: np.ndarray, batch: int) -> np.ndarray:
    if isinstance(options.init, str) and options.init == "content":
        start = content
    elif isinstance(options.init, str):  # "noise": white noise, as slide 5 says
        rng = np.random.default_rng(options.seed)
        start = rng.uniform(0.0, 1.0, size=content.shape).astype(np.float32)
    else:
        start = resize(_as_batch(options.init, "init"), *content.shape[1:3])
    return np.repeat(start, batch, axis=0)


def _prepare_colors(options, content, styles):
    """Content and styles as the optimiser should see them for ``preserve_colors``."""
    if options.preserve_colors == "luminance":
        return color.luminance_image(content), [color.match_luminance(s, content) for s in styles]
    if options.preserve_colors == "histogram":
        return content, [color.match_color_histogram(s, content) for s in styles]
    return content, styles


def transfer_batch(content, styles, weight_sets: dict, options: TransferOptions) -> StylizeResult:
    """Optimise one image per weight set (``{"content": (B,), "style": (B,), "tv": (B,)}``).

    One VGG pass per step serves the whole batch. Returns batched images ``(B, H, W, 3)``.
    """
    content = _as_batch(content, "content")
    styles = [_as_batch(style, "style") for style in styles]
    blend_weights(len(styles), options.style_blend)  # a bad blend fails before VGG loads
    extractor = shared_extractor(
        options.layers, options.weights, options.pooling, options.seed, options.precision
    )
    batch = len(np.atleast_1d(weight_sets["content"]))
    plan = options.scale_plan(max(content.shape[1:3]))
    images, runs, result = None, [], None
    for index, (side, steps) in enumerate(plan):
        content_s = fit_long_side(content, side)
        if min(content_s.shape[1:3]) < min_image_size(options.layers):
            raise ValueError(
                f"At {side} px the content image is {content_s.shape[2]}x{content_s.shape[1]}, "
                f"too small for layers up to {extractor.deepest_layer}; use larger scales."
            )
        styles_s = [fit_long_side(style, round(side * options.style_scale)) for style in styles]
        seen_content, seen_styles = _prepare_colors(options, content_s, styles_s)
        objective = Objective(
            extractor, seen_content, seen_styles, options.content_layer_weights,
            options.style_layer_weights, weight_sets["content"], weight_sets["style"],
            weight_sets["tv"], options.style_blend, options.normalization,
        )  # fmt: skip
        if images is None:
            start = _initial_images(options, seen_content, batch)
        else:
            start = resize(images, *seen_content.shape[1:3])
        monitor = RunMonitor(
            steps=steps,
            progress=options.progress,
            callback=options.callback,
            callback_every=options.callback_every,
            checkpoint_dir=options.checkpoint_dir,
            checkpoint_every=options.checkpoint_every,
            checkpoint_prefix=f"scale{index + 1}_{side}px",
            description=f"{options.optimizer} {side}px",
        )
        result = run(objective, start, options.optimizer, monitor)
        images = result.images
        runs.append(result)
        if not result.stop_reason.startswith("completed"):
            break
    return _finish(runs, plan, options, content_s)


def _running_total(parts: list[np.ndarray]) -> np.ndarray:
    """Per-scale cumulative counts joined into one count that goes on across scales."""
    offsets = np.cumsum([0] + [p[-1] if len(p) else 0 for p in parts[:-1]])
    return np.concatenate([p + offset for p, offset in zip(parts, offsets)])


def _finish(runs: list[RunResult], plan, options, content) -> StylizeResult:
    last = runs[-1]
    image, best = last.images, last.best_images
    if options.preserve_colors == "luminance":
        image, best = color.join_luminance(image, content), color.join_luminance(best, content)
    history = {name: np.concatenate([r.history[name] for r in runs]) for name in last.history}
    steps = sum(r.steps_done for r in runs)
    evaluations = _running_total([r.evaluations for r in runs])
    seconds = _running_total([r.seconds for r in runs])
    return StylizeResult(image, best, history, steps, last.stop_reason, plan, evaluations,
                         seconds)  # fmt: skip


def stylize(content, style, **settings) -> StylizeResult:
    """Stylise ``content`` with ``style`` (``[0, 1]`` RGB ``(1, H, W, 3)`` each).

    ``style`` may be a list of images, blended by ``style_blend``. Every keyword of
    `TransferOptions` is accepted (weights, layers, init, optimizer, steps, seed,
    scales, preserve_colors, callback...). The output has the content's size;
    ``history`` holds one value per step.

    Example::

        result = stylize(load_image("photo.jpg"), load_image("painting.jpg"), steps=100)
        save_image(result.best_image, "out.png")
    """
    options = TransferOptions(**settings)
    styles = list(style) if isinstance(style, (list, tuple)) else [style]
    weight_sets = {
        "content": [options.content_weight],
        "style": [options.style_weight],
        "tv": [options.tv_weight],
    }
    result = transfer_batch(content, styles, weight_sets, options)
    result.history = {name: values[:, 0] for name, values in result.history.items()}
    return result
