"""``nst-tf train STYLE --photos FOLDER -o NETWORK``: train a fast network, with the same input
and output safety as ``nst-tf stylize`` (inputs checked first, nothing a user gave
overwritten, every file written atomically, Ctrl-C keeps what was made)."""

from __future__ import annotations

import sys
from pathlib import Path

from nst_tf.base.language import tr
from nst_tf.cli.arguments import PROG, WEIGHT_NAMES, UsageError, positive, positive_int, whole
from nst_tf.cli.outcome import report_outcome, wrote
from nst_tf.cli.paths import check_inputs, check_output, save_result
from nst_tf.cli.transfer_options import add_loss_options
from nst_tf.network.precision import PRECISIONS
from nst_tf.optimize.run import Stop

NETWORK_FORMAT = {".keras": "Keras"}


def add_parser(commands) -> None:
    """``nst-tf train``: the style, the photos, the training's and the loss's options."""
    train = commands.add_parser("train", help="train a network for STYLE on a folder of photos")
    train.add_argument("style", help="the style image")
    train.add_argument("--photos", required=True, help="folder of training photos (any sizes)")
    train.add_argument("-o", "--output", required=True, help="the trained network (.keras)")
    train.add_argument("--size", type=whole(16), default=256, help="crop side, px (256, >= 16)")
    train.add_argument("--steps", type=positive_int, default=1000, help="training steps (1000)")
    train.add_argument("--batch", type=positive_int, default=4, help="photos per step (4)")
    train.add_argument("--learning-rate", type=positive, default=1e-3, help="Adam's (0.001)")
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
    from nst_tf.io.images import load_image
    from nst_tf.optimize.settings import TransferSettings

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
    return report_outcome(stop, wrote(str(written)), note, kept)
