"""``nst-tf train`` and ``nst-tf apply``: fast style transfer on files, with the same input
and output safety as ``nst-tf stylize`` (inputs checked first, nothing a user gave
overwritten, every file written atomically, Ctrl-C keeps what was made)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from nst_tf.checks import user_path
from nst_tf.cli import (
    PROG,
    WEIGHT_NAMES,
    UsageError,
    _report,
    _wrote,
    add_loss_options,
    check_folder,
    check_inputs,
    check_output,
    non_negative,
    positive_int,
    save_result,
    whole,
)
from nst_tf.errors import ImageError
from nst_tf.images import SAVE_FORMATS
from nst_tf.language import tr
from nst_tf.optimize import Stop, StopReason
from nst_tf.signals import signal_of
from nst_tf.vgg import PRECISIONS

NETWORK_FORMAT = {".keras": "Keras"}
ANIMATION_FORMAT = {".gif": "GIF"}
#: Output names that mean an image file, written or not (others name a folder).
IMAGE_SUFFIXES = {*SAVE_FORMATS, *ANIMATION_FORMAT, ".bmp", ".tif", ".tiff"}


def add_commands(commands) -> None:
    """Add ``train`` and ``apply`` to the ``nst-tf`` subcommands."""
    train = commands.add_parser("train", help="train a network for STYLE on a folder of photos")
    train.add_argument("style", help="the style image")
    train.add_argument("--photos", required=True, help="folder of training photos (any sizes)")
    train.add_argument("-o", "--output", required=True, help="the trained network (.keras)")
    train.add_argument("--size", type=whole(16), default=256, help="crop side, px (256, >= 16)")
    train.add_argument("--steps", type=positive_int, default=1000, help="training steps (1000)")
    train.add_argument("--batch", type=positive_int, default=4, help="photos per step (4)")
    train.add_argument("--learning-rate", type=non_negative, default=1e-3, help="Adam's (0.001)")
    train.add_argument("--width", type=positive_int, default=32, help="network channels (32)")
    train.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="float32",
        help="bfloat16 (or auto: where the hardware has it): the network and VGG19 compute in "
        "bfloat16",
    )
    add_loss_options(train, WEIGHT_NAMES)
    train.add_argument(
        "--save-every", type=positive_int, default=100, help="write OUT every N steps (100)"
    )
    train.add_argument(
        "--resume",
        action="store_true",
        help="go on training the network in OUT, to --steps in all (--width unused)",
    )
    train.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(handler=cmd_train)
    apply = commands.add_parser("apply", help="stylise photos with a trained network")
    apply.add_argument("network", help="a network made by nst-tf train (.keras)")
    apply.add_argument("photos", nargs="+", help="one or more photos (a GIF: every frame)")
    apply.add_argument("-o", "--output", required=True, help="an image (one photo) or a folder")
    apply.add_argument("--size", type=positive_int, default=1024, help="longest side, px (1024)")
    apply.add_argument("--overwrite", action="store_true", help="replace outputs that exist")
    apply.set_defaults(handler=cmd_apply)


def cmd_train(args) -> int:
    from nst_tf.fast import photo_batches, save_network
    from nst_tf.fast.callbacks import NetworkCheckpoint
    from nst_tf.fast.training import train

    check_inputs([args.style])
    out = check_output(args.output, [args.style], args.overwrite or args.resume, NETWORK_FORMAT)
    if args.resume and not out.is_file():
        raise UsageError(
            tr(
                f"--resume: {out}이(가) 없습니다. 먼저 --resume 없이 학습시키세요",
                f"--resume: {out} does not exist; train without --resume first",
            )
        )
    if args.resume and _trained_enough(out, args.steps):
        return 0
    batches = photo_batches(args.photos, args.size, args.batch, args.seed)
    trainer, done = _compiled_trainer(args, out)
    if done:
        print(
            f"{PROG}: "
            + tr(
                f"{done} 스텝 학습한 신경망에서 이어서 {args.steps} 스텝까지 학습합니다",
                f"going on from the network's {done} steps to {args.steps}",
            ),
            file=sys.stderr,
        )
    checkpoint = NetworkCheckpoint(out, args.save_every, overwrite=args.overwrite or args.resume)
    steps = args.steps - done
    record = train(trainer, batches, steps, progress=not args.quiet, callbacks=[checkpoint])
    may_replace = args.overwrite or args.resume or checkpoint.saved  # OUT is ours by now
    written, note = save_result(
        lambda path, overwrite: save_network(trainer.network, path, overwrite, trainer.optimizer),
        out,
        may_replace,
    )
    return _report_training(record.stop, written, note)


def _trained_enough(out: Path, steps: int) -> bool:
    """Whether the network in ``out`` has trained ``steps`` already (said, if so): the
    same command run again with ``--resume`` has nothing left to do."""
    from nst_tf.fast.apply import trained_steps

    done = trained_steps(out)
    if done >= steps:
        print(
            tr(
                f"{out}의 신경망은 이미 {done} 스텝 학습했습니다: 더 학습하려면 --steps를 "
                f"{steps}보다 크게 주세요",
                f"the network in {out} has trained {done} steps already: to train on, give "
                f"--steps above {steps}",
            )
        )
    return done >= steps


def _compiled_trainer(args, out):
    """The `StyleTrainer` the options ask for, made and compiled in the training
    strategy's scope, and the steps its network has trained: a new network (0), or with
    ``--resume`` OUT's, its optimiser's state put back."""
    import keras

    from nst_tf.fast import StyleTrainer, load_network, transform_network
    from nst_tf.fast.apply import restore_optimizer
    from nst_tf.fast.training import training_strategy
    from nst_tf.images import load_image
    from nst_tf.transfer import TransferSettings

    settings = TransferSettings.make(
        **{f"{name}_weight": getattr(args, f"{name}_weight") for name in WEIGHT_NAMES},
        content_layers=args.content_layers,
        style_layers=args.style_layers,
        normalization=args.normalization,
        seed=args.seed,
        weights=args.weights,
        precision=args.precision,
    )
    style = load_image(args.style, max_size=args.size)
    keras.utils.set_random_seed(args.seed)
    with training_strategy().scope():  # several GPUs: each takes a share of every batch
        if args.resume:
            network = load_network(out)
        else:  # the precision "auto" chose (announced once) for VGG19 as for the network
            network = transform_network(args.width, precision=settings.network.precision)
        trainer = StyleTrainer(network, style, settings)
        trainer.compile(optimizer=keras.optimizers.Adam(args.learning_rate))
        done = 0
        if args.resume:
            done = restore_optimizer(out, trainer.optimizer, network.trainable_variables)
    return trainer, done


def _report_training(stop: Stop, written, note: str) -> int:
    """Say how training ended and where the network is; return the exit code."""
    kept = tr(
        f"{stop}: 지금까지 학습한 신경망을 {written}에 저장했습니다",
        f"{stop}: the network trained so far is in {written}",
    )
    return _report(stop, _wrote(str(written)), note, kept)


def cmd_apply(args) -> int:
    from nst_tf.fast import load_network
    from nst_tf.images import check_opens
    from nst_tf.progress import progress_bar

    inputs = [args.network, *args.photos]
    check_inputs(inputs)
    for photo in args.photos:  # every photo opens before any work (a bad one is named now)
        try:
            check_opens(user_path(photo, "photo"))
        except ImageError as exc:
            raise UsageError(str(exc)) from None
    targets = _apply_targets(args, inputs)
    network = load_network(args.network)
    written, notes = [], []
    several = len(targets) > 1
    bar = progress_bar(len(targets), tr("스타일 입히기", "stylising"), several, tr("사진", "photo"))
    try:
        for photo, target in zip(args.photos, targets):
            try:
                save = _stylized(network, photo, args.size)
            except ImageError as exc:  # decodes badly after all: the others still run
                notes.append(tr(f"건너뜀: {exc}", f"skipped: {exc}"))
            else:
                where, note = save_result(save, target, args.overwrite)
                written.append(str(where))
                notes += [note] if note else []
            bar.update(1)
    except KeyboardInterrupt as interrupt:
        stop = Stop(StopReason.INTERRUPTED, len(written), signal=signal_of(interrupt))
        return _report(stop, "", "; ".join(notes), _kept_photos(stop, written, len(targets)))
    finally:
        bar.close()
    done = Stop(StopReason.COMPLETED, len(written))
    return _report(done, _wrote(", ".join(written) or "-"), "; ".join(notes))


def _apply_targets(args, inputs: list[str]) -> list[Path]:
    """Where each photo's result goes: OUT itself for one photo and an image file name,
    else one file per photo in the folder OUT (made). Checked before any work: a file
    name for several photos, a format that cannot be written, and two photos whose
    results would share a name are refused."""
    out = user_path(args.output, "output")
    file_like = out.suffix.lower() in IMAGE_SUFFIXES and not out.is_dir()
    if file_like and len(args.photos) > 1:
        raise UsageError(
            tr(
                f"사진 {len(args.photos)}장의 결과는 파일 하나({out})에 담을 수 없습니다: -o에 "
                "폴더를 주세요",
                f"{len(args.photos)} photos cannot go to one file ({out}): give a folder as -o",
            )
        )
    if file_like:
        return [check_output(args.output, inputs, args.overwrite, _formats(args.photos[0]))]
    folder = check_folder(out, "output folder", make=True)
    names = [folder / _stylized_name(photo) for photo in args.photos]
    for index, name in enumerate(names):
        if name in names[:index]:
            first = args.photos[names.index(name)]
            raise UsageError(
                tr(
                    f"{first}와 {args.photos[index]}의 결과가 둘 다 {name}이 됩니다: 사진 "
                    "이름을 바꾸거나 따로 실행하세요",
                    f"{first} and {args.photos[index]} would both be written to {name}: "
                    "rename one or apply them separately",
                )
            )
    return [
        check_output(name, inputs, args.overwrite, _formats(photo))
        for name, photo in zip(names, args.photos)
    ]


def _kept_photos(stop: Stop, written: list[str], total: int) -> str:
    """What an interrupted ``apply`` left: the results written before the signal."""
    name = signal.Signals(stop.signal or signal.SIGINT).name
    paths = ", ".join(written) or tr("없음", "none")
    return tr(
        f"{name}로 중지됨: 사진 {total}장 가운데 {len(written)}장의 결과를 저장했습니다: {paths}",
        f"stopped by {name}: the results of {len(written)} of {total} photos were written: {paths}",
    )


def _is_animation(photo: str) -> bool:
    return Path(photo).suffix.lower() in ANIMATION_FORMAT


def _formats(photo: str) -> dict[str, str]:
    """The output formats for ``photo``'s result: a GIF stays a GIF, a still an image."""
    return ANIMATION_FORMAT if _is_animation(photo) else SAVE_FORMATS


def _stylized_name(photo: str) -> str:
    return f"{Path(photo).stem}_stylized{'.gif' if _is_animation(photo) else '.png'}"


def _stylized(network, photo: str, size: int):
    """``photo`` (every frame of a GIF) through ``network``, as ``save(path, overwrite)``."""
    from nst_tf.fast import stylize_fast
    from nst_tf.images import load_frames, load_image, save_animation, save_image

    if _is_animation(photo):  # a result, as a still's: the frames keep their size, unmarked
        frames, seconds = load_frames(photo, size)
        result = stylize_fast(network, frames)
        return lambda path, overwrite: save_animation(result, path, seconds, overwrite, mark=False)
    result = stylize_fast(network, load_image(photo, max_size=size, min_size=1))  # any size
    return lambda path, overwrite: save_image(result, path, overwrite)
