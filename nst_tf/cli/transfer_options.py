"""The options of the commands that run a transfer, and what is made of them: the
settings, the loaded inputs, the size check.

`add_transfer_options` adds them (``stylize``, ``sweep``); `transfer_settings` turns
them into one `nst_tf.optimize.settings.TransferSettings`, checked when made.
"""

from __future__ import annotations

import argparse
import dataclasses

from nst_tf.base.language import tr
from nst_tf.cli.arguments import (
    UsageError,
    layer_list,
    non_negative,
    number_list,
    option_pairs,
    positive,
    positive_int,
    scale_list,
    whole,
)
from nst_tf.io.color import COLOR_MODES
from nst_tf.network.layers import LAYER_NAMES, min_image_size
from nst_tf.network.precision import PRECISIONS
from nst_tf.network.rescale import RESCALINGS
from nst_tf.network.vgg import POOLINGS
from nst_tf.network.weights import WEIGHTS_ENV_VAR
from nst_tf.objective.settings import (
    DEFAULT_CONTENT_LAYERS,
    DEFAULT_STYLE_LAYERS,
    STYLE_NORMALIZATIONS,
    LossSettings,
)
from nst_tf.optimize.memory import ACTIVATIONS
from nst_tf.optimize.optimizers import OPTIMIZERS
from nst_tf.optimize.scales import ScalePlan
from nst_tf.optimize.settings import INITS, TransferSettings


def _field_default(cls, name: str):
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


def add_loss_options(parser: argparse.ArgumentParser, weights: tuple[str, ...]) -> None:
    """Slide 3's loss (weights, layers, normalisation) and the VGG19 that measures it:
    the options `stylize`, `sweep` and `train` share."""
    add = parser.add_argument
    for name in weights:  # slide 3's weights, e.g. --style-weight
        default = _field_default(LossSettings, f"{name}_weight")
        add(f"--{name}-weight", type=non_negative, default=default, help=f"({default:g})")
    layer_help = "comma-separated VGG19 layers (equal weights summing to 1), or name:weight each"
    add(
        "--content-layers",
        type=layer_list,
        default=",".join(DEFAULT_CONTENT_LAYERS),
        help=layer_help,
    )
    add("--style-layers", type=layer_list, default=",".join(DEFAULT_STYLE_LAYERS), help=layer_help)
    add(
        "--normalization",
        choices=STYLE_NORMALIZATIONS,
        default="keras",
        help="style loss normalisation (keras)",
    )
    add("--seed", type=whole(0), default=0)
    add(
        "--weights",
        default=None,
        help="auto (the best ImageNet file there is: full, else 8-bit from the package "
        "index; random if neither: announced), imagenet (full, downloaded), imagenet-8bit, "
        f"random, or a .h5 path; default: ${WEIGHTS_ENV_VAR}, else auto",
    )


def add_transfer_options(
    parser: argparse.ArgumentParser,
    size: int,
    steps: int,
    weights: tuple[str, ...],
    scales: str | None = "auto",
) -> None:
    """The options of `stylize`, with the API's choices and defaults."""
    add = parser.add_argument
    add("--size", type=positive_int, default=size, help=f"output long side, px ({size})")
    add(
        "--steps",
        type=positive_int,
        default=steps,
        help=f"optimiser steps at the output size ({steps})",
    )
    add_loss_options(parser, weights)
    add("--optimizer", choices=list(OPTIMIZERS), default="lbfgs")
    add(
        "--optimizer-options",
        type=option_pairs,
        default=None,
        help="hyper-parameters, e.g. learning_rate=0.05 (adam) or memory=10 (lbfgs)",
    )
    add("--init", default="content", help=f"{', '.join(INITS)}, or an image path")
    add("--pooling", choices=POOLINGS, default="max")
    add(
        "--rescale",
        choices=RESCALINGS,
        default="unit_mean",
        help="unit_mean: Gatys et al.'s normalised VGG19 (each filter's mean activation 1); "
        "none: the weights as released",
    )
    add(
        "--precision",
        choices=PRECISIONS,
        default="float32",
        help="bfloat16: about 2x faster on CPUs with bfloat16 units and recent GPUs",
    )
    add(
        "--activations",
        choices=ACTIVATIONS,
        default="auto",
        help="keep: every VGG19 activation kept for the backward pass (fastest); "
        "recompute: recomputed there (less memory, about 1.5-1.8x the time per step); "
        "auto: keep when the run fits in memory",
    )
    add("--style-blend", type=number_list, help="one weight per style image, e.g. 0.7,0.3")
    add("--style-scale", type=positive, default=1.0, help="style size / output size")
    add("--preserve-colors", choices=COLOR_MODES)
    add(
        "--masks",
        nargs="+",
        metavar="MASK",
        help="one mask image per style (white = that style's region), any size of the "
        "content's shape: spatial control",
    )
    add(
        "--content-mask",
        metavar="MASK",
        help="stylise only the white part; the rest stays the photo",
    )
    add(
        "--scales",
        type=scale_list,
        default=scales,
        help="coarse-to-fine long sides, e.g. 256,512; 'auto' (halve the size at most "
        "twice while at least 64 px: 64,128,256 for 256 px, 256,512,1024 for 1024 px) or "
        f"'none' (only at the output size); default: {scales or 'none'}",
    )
    coarse = _field_default(ScalePlan, "coarse_steps")
    add(
        "--coarse-steps",
        type=positive_int,
        default=coarse,
        help=f"steps at each scale before the output size ({coarse})",
    )
    add("--overwrite", action="store_true", help="replace OUT if it exists")
    add("--quiet", action="store_true", help="no progress bar")


def transfer_settings(args, weights: tuple[str, ...]) -> TransferSettings:
    """The settings an argparse namespace asks for, made and checked as the API makes them."""
    from nst_tf.io.images import load_image

    init = args.init
    if init not in INITS:
        init = load_image(init, max_size=args.size)
    keywords = {f"{name}_weight": getattr(args, f"{name}_weight") for name in weights}
    return TransferSettings.make(
        **keywords,
        content_layers=args.content_layers,
        style_layers=args.style_layers,
        normalization=args.normalization,
        optimizer=args.optimizer,
        optimizer_options=args.optimizer_options,
        init=init,
        steps=args.steps,
        seed=args.seed,
        weights=args.weights,
        pooling=args.pooling,
        rescale=args.rescale,
        precision=args.precision,
        activations=args.activations,
        style_blend=args.style_blend,
        style_scale=args.style_scale,
        preserve_colors=args.preserve_colors,
        scales=args.scales,
        coarse_steps=args.coarse_steps,
        progress=not args.quiet,
    )


def load_inputs(args):
    """(content, styles, {"style_masks": ..., "content_mask": ...}) from the files named."""
    from nst_tf.io.images import load_image, load_mask

    content = load_image(args.content, max_size=args.size)
    styles = [load_image(path, max_size=max(args.size, 64)) for path in args.style]
    masks = {
        "style_masks": [load_mask(path, args.size) for path in args.masks] if args.masks else None,
        "content_mask": load_mask(args.content_mask, args.size) if args.content_mask else None,
    }
    return content, styles, masks


def check_size(args, settings: TransferSettings) -> None:
    """--size must leave the deepest layer at least 1x1."""
    smallest = min_image_size(settings.loss.layers)
    if args.size < smallest:
        deepest = max(settings.loss.layers, key=LAYER_NAMES.index)
        raise UsageError(
            tr(
                f"argument --size: {args.size} px는 {deepest}까지의 층에 너무 작습니다: "
                f"{smallest} 이상을 쓰세요",
                f"argument --size: {args.size} px is too small for layers up to "
                f"{deepest}; use at least {smallest}",
            )
        )
