"""``nst-tf stylize CONTENT STYLE... -o OUT``: one stylised image (`nst_tf.stylize`)."""

from __future__ import annotations

from nst_tf.base.language import tr
from nst_tf.cli.arguments import WEIGHT_NAMES, memory_epilog, positive_int
from nst_tf.cli.outcome import report_outcome, wrote
from nst_tf.cli.paths import (
    check_folder,
    check_inputs,
    check_output,
    given_paths,
    input_images,
    save_result,
)
from nst_tf.cli.transfer_options import (
    add_transfer_options,
    check_size,
    load_inputs,
    transfer_settings,
)


def add_parser(commands) -> None:
    """``nst-tf stylize``: its arguments and the transfer's options."""
    parser = commands.add_parser(
        "stylize", help="stylise CONTENT with STYLE into OUT", **memory_epilog()
    )
    parser.add_argument("content")
    parser.add_argument("style", nargs="+", help="one or more style images")
    parser.add_argument("-o", "--output", required=True, help="output image (.png, .jpg)")
    parser.add_argument(
        "--checkpoint-every",
        type=positive_int,
        help="save the current image every N steps beside OUT",
    )
    add_transfer_options(parser, size=512, steps=100, weights=WEIGHT_NAMES)
    parser.set_defaults(handler=cmd_stylize)


def cmd_stylize(args) -> int:
    from nst_tf.io.images import save_image
    from nst_tf.optimize.transfer import stylize

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
    content, styles, masks = load_inputs(args)
    result = stylize(content, styles, settings, **masks)
    written, note = save_result(
        lambda path, overwrite: save_image(result.best_image, path, overwrite), out, args.overwrite
    )
    steps = result.steps_done
    return report_outcome(
        result.stop, wrote(str(written), tr(f" ({steps} 스텝)", f" ({steps} steps)")), note
    )
