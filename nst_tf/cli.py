"""The ``nst-tf`` command (also ``python -m nst_tf``): stylize, sweep, demo.

Exit codes: 0 done; 1 a runtime failure (weights download, NaN; the best image so
far is still saved); 2 a bad argument, explained in one line; 130 interrupted
(the best image so far is saved).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import sys
import warnings
from pathlib import Path

from nst_tf.color import COLOR_MODES
from nst_tf.errors import ImageError, LayerError, NSTError, WeightsDownloadError
from nst_tf.images import SAVE_FORMATS
from nst_tf.losses import (
    DEFAULT_CONTENT_LAYERS,
    DEFAULT_STYLE_LAYERS,
    PART_NAMES,
    STYLE_NORMALIZATIONS,
    LossSettings,
)
from nst_tf.optimize import OPTIMIZERS
from nst_tf.sweep import DEFAULT_RATIOS
from nst_tf.transfer import INITS, TransferSettings
from nst_tf.vgg import POOLINGS, PRECISIONS, WEIGHTS_ENV_VAR, check_weights

#: The loss terms' names, each with a --NAME-weight option (content, style, tv).
WEIGHT_NAMES = PART_NAMES[1:]

PROG = "nst-tf"


class UsageError(Exception):
    """A bad command-line argument: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line (no usage dump) with exit 2."""

    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


def non_negative(text: str) -> float:
    """An argparse type: a finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number >= 0")
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number >= 1")
    return int(text)


def number_list(text: str) -> list[float]:
    """``"1e-4,1e-3"`` to ``[1e-4, 1e-3]``: finite numbers > 0."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list") from None
    if not values or not all(math.isfinite(v) and v > 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r} must list finite numbers > 0")
    return values


def scale_list(text: str):
    """``auto``, ``none`` or long sides ``"256,512"`` (`ScalePlan` checks their order)."""
    if text in ("auto", "none"):
        return None if text == "none" else "auto"
    return [int(v) for v in number_list(text)]


def layer_list(text: str) -> list[str] | dict[str, float]:
    """``"block4_conv2,block5_conv2"`` (names: equal weights summing to 1) or
    ``"block1_conv1:0.5,block2_conv1:1"`` (weights as given): the API's rule
    (`nst_tf.losses.layer_weights`)."""
    items = [part.strip() for part in text.split(",") if part.strip()]
    if not items:
        raise argparse.ArgumentTypeError("no layer given")
    if not any(":" in item for item in items):
        return items
    layers = {}
    for item in items:
        name, _, weight = item.partition(":")
        layers[name] = non_negative(weight) if weight else 1.0
    return layers


def option_pairs(text: str) -> dict[str, float]:
    """``"learning_rate=0.05,beta_1=0.9"`` to ``{"learning_rate": 0.05, "beta_1": 0.9}``."""
    options = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, equals, value = item.partition("=")
        if not equals:
            raise argparse.ArgumentTypeError(f"{item!r} is not NAME=VALUE")
        try:
            options[key.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} in {item!r} is not a number") from None
    return options


def _field_default(cls, name: str):
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


def _add_transfer_options(
    parser: argparse.ArgumentParser, size: int, steps: int, weights: tuple[str, ...]
) -> None:
    """The options of `stylize`, with the API's choices and defaults."""
    add = parser.add_argument
    add("--size", type=positive_int, default=size, help=f"output long side, px ({size})")
    add("--steps", type=positive_int, default=steps, help=f"optimiser steps ({steps})")
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
    add("--optimizer", choices=list(OPTIMIZERS), default="lbfgs")
    add(
        "--optimizer-options",
        type=option_pairs,
        default=None,
        help="hyper-parameters, e.g. learning_rate=0.05 (adam) or memory=10 (lbfgs)",
    )
    add("--init", default="content", help=f"{', '.join(INITS)}, or an image path")
    add("--seed", type=int, default=0)
    add(
        "--weights",
        default=None,
        help="imagenet (download), random, or a .h5 path; "
        f"default: ${WEIGHTS_ENV_VAR}, else imagenet",
    )
    add("--pooling", choices=POOLINGS, default="max")
    add(
        "--precision",
        choices=PRECISIONS,
        default="float32",
        help="bfloat16: about 2x faster on CPUs with bfloat16 units and recent GPUs",
    )
    add("--style-blend", type=number_list, help="one weight per style image, e.g. 0.7,0.3")
    add("--style-scale", type=non_negative, default=1.0, help="style size / output size")
    add("--preserve-colors", choices=COLOR_MODES)
    add(
        "--scales",
        type=scale_list,
        default="auto",
        help="coarse-to-fine long sides, e.g. 256,512; 'auto' (default: above 512 px, "
        "start at half size) or 'none' (always direct)",
    )
    add("--overwrite", action="store_true", help="replace OUT if it exists")
    add("--quiet", action="store_true", help="no progress bar")


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description="Neural style transfer (Gatys et al.) on files.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    stylize = commands.add_parser("stylize", help="stylise CONTENT with STYLE into OUT")
    stylize.add_argument("content")
    stylize.add_argument("style", nargs="+", help="one or more style images")
    stylize.add_argument("-o", "--output", required=True, help="output image (.png, .jpg)")
    stylize.add_argument(
        "--checkpoint-every",
        type=positive_int,
        help="save the current image every N steps beside OUT",
    )
    _add_transfer_options(stylize, size=512, steps=100, weights=WEIGHT_NAMES)
    sweep = commands.add_parser("sweep", help="slide 8: one result per content/style ratio")
    sweep.add_argument("content")
    sweep.add_argument("style", nargs="+")
    sweep.add_argument("-o", "--output", required=True, help="figure (.png)")
    sweep.add_argument("--ratios", type=number_list, default=",".join(map(str, DEFAULT_RATIOS)))
    _add_transfer_options(sweep, size=256, steps=60, weights=WEIGHT_NAMES[1:])
    demo = commands.add_parser("demo", help="stylise the bundled photo and sweep the ratios")
    demo.add_argument("-o", "--output-dir", default="nst_tf_demo", help="folder for results")
    demo.add_argument("--size", type=positive_int, default=256)
    demo.add_argument("--steps", type=positive_int, default=50)
    demo.add_argument(
        "--weights",
        default="auto",
        help="auto (imagenet, or random if it cannot be downloaded: announced), "
        "imagenet, random, or a .h5 path",
    )
    demo.add_argument("--overwrite", action="store_true")
    demo.add_argument("--quiet", action="store_true")
    return parser


def check_output(path: str, inputs: list[str], overwrite: bool) -> Path:
    """The output path, or a `UsageError` if it would clobber an input or cannot be written."""
    out = Path(path).expanduser()
    if out.suffix.lower() not in SAVE_FORMATS:
        raise UsageError(f"output {out}: use one of {', '.join(sorted(SAVE_FORMATS))}")
    for given in inputs:
        if Path(given).exists() and out.exists() and out.samefile(given):
            raise UsageError(f"output {out} is also an input; choose another output path")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"output folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"output folder {folder} is not writable")
    if out.exists() and not overwrite:
        raise UsageError(f"{out} exists; pass --overwrite to replace it")
    return out


def check_inputs(paths: list[str]) -> None:
    for path in paths:
        if not Path(path).is_file():
            what = "is a directory" if Path(path).is_dir() else "does not exist"
            raise UsageError(f"input {path} {what}")
        if not os.access(path, os.R_OK):
            raise UsageError(f"input {path} is not readable")


def transfer_settings(args, weights: tuple[str, ...]) -> TransferSettings:
    """The settings an argparse namespace asks for, made and checked as the API makes them."""
    from nst_tf.images import load_image

    init = args.init
    if init not in INITS:
        check_inputs([init])
        init = load_image(init, max_size=args.size)
    keywords = {f"{name}_weight": getattr(args, f"{name}_weight") for name in weights}
    return TransferSettings().replace(
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
        precision=args.precision,
        style_blend=args.style_blend,
        style_scale=args.style_scale,
        preserve_colors=args.preserve_colors,
        scales=args.scales,
        progress=not args.quiet,
    )


def _load_inputs(args):
    from nst_tf.images import load_image

    check_inputs([args.content, *args.style])
    content = load_image(args.content, max_size=args.size)
    styles = [load_image(path, max_size=max(args.size, 64)) for path in args.style]
    return content, styles


def cmd_stylize(args) -> int:
    from nst_tf.images import save_image
    from nst_tf.transfer import stylize

    out = check_output(args.output, [args.content, *args.style], args.overwrite)
    settings = transfer_settings(args, WEIGHT_NAMES)
    if args.checkpoint_every:
        settings = settings.replace(
            checkpoint_dir=out.with_name(out.stem + "_checkpoints"),
            checkpoint_every=args.checkpoint_every,
        )
    content, styles = _load_inputs(args)
    result = stylize(content, styles, settings)
    save_image(result.best_image, out, overwrite=args.overwrite)
    return _report(result.stop, f"wrote {out} ({result.steps_done} steps)")


def cmd_sweep(args) -> int:
    from nst_tf.plotting import save_figure
    from nst_tf.sweep import weight_ratio_sweep

    out = check_output(args.output, [args.content, *args.style], args.overwrite)
    if out.suffix.lower() != ".png":
        raise UsageError(f"sweep output {out} must be a .png figure")
    settings = transfer_settings(args, WEIGHT_NAMES[1:])
    content, styles = _load_inputs(args)
    result = weight_ratio_sweep(content, styles, ratios=args.ratios, settings=settings)
    save_figure(result.figure, out)
    print(result.table())
    return _report(result.stop_reason, f"wrote {out}")


def _report(stop, done: str) -> int:
    """Print how the run ended; the exit code (0 done, 130 interrupted, 1 otherwise)."""
    text = str(stop)
    if text.startswith("completed"):
        print(done if text == "completed" else f"{done}; {text}")
        return 0
    print(f"{done}, but the run {text}", file=sys.stderr)
    return 130 if text.startswith("interrupted") else 1


def demo_weights(choice: str) -> tuple[str, bool]:
    """(weights, announced): ``auto`` is ImageNet when it can be had, else random weights
    with a loud banner (so the library's own warning need not repeat it)."""
    if choice != "auto":
        return choice, False
    from nst_tf.vgg import load_vgg19

    try:
        load_vgg19("imagenet")
        return "imagenet", False
    except WeightsDownloadError as exc:
        print(
            f"{exc}\n\n*** The demo continues with RANDOM VGG19 weights (--weights auto): "
            "the pictures show the mechanics, not real style transfer. ***\n",
            file=sys.stderr,
        )
        return "random", True


def cmd_demo(args) -> int:
    from nst_tf.images import load_image, save_image
    from nst_tf.language import tr
    from nst_tf.plotting import save_figure, show_images
    from nst_tf.sample_images import DEFAULT_CONTENT, DEFAULT_STYLE, bundled_image_path
    from nst_tf.sweep import weight_ratio_sweep
    from nst_tf.transfer import stylize
    from nst_tf.vgg import RandomWeightsWarning

    if args.weights != "auto":
        check_weights(args.weights)
    folder = Path(args.output_dir)
    outputs = [folder / name for name in ("stylized.png", "comparison.png", "ratio_sweep.png")]
    if not args.overwrite and any(path.exists() for path in outputs):
        raise UsageError(f"{folder} already holds demo results; pass --overwrite to replace")
    folder.mkdir(parents=True, exist_ok=True)
    weights, announced = demo_weights(args.weights)
    content = load_image(bundled_image_path(DEFAULT_CONTENT), max_size=args.size)
    style = load_image(bundled_image_path(DEFAULT_STYLE), max_size=args.size)
    with warnings.catch_warnings():
        if announced:
            warnings.simplefilter("ignore", RandomWeightsWarning)
        result = stylize(content, style, steps=args.steps, weights=weights, progress=not args.quiet)
        sweep = weight_ratio_sweep(
            content,
            style,
            steps=max(1, args.steps // 2),
            weights=weights,
            progress=not args.quiet,
        )
    save_image(result.best_image, outputs[0], overwrite=True)
    titles = [tr("내용(content)", "content"), tr("스타일", "style"), tr("결과", "result")]
    figure = show_images([content, style, result.best_image], titles)
    save_figure(figure, outputs[1])
    save_figure(sweep.figure, outputs[2])
    print(sweep.table())
    return _report(result.stop_reason, f"wrote {', '.join(map(str, outputs))}")


COMMANDS = {"stylize": cmd_stylize, "sweep": cmd_sweep, "demo": cmd_demo}


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings on the command line: one ``nst-tf: warning: …`` line each."""
    print(f"{PROG}: warning: {message}", file=file or sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (see the module docstring)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            return COMMANDS[args.command](args)
    except (UsageError, ImageError, LayerError, ValueError) as exc:
        print(f"{PROG}: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except NSTError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
