"""``nst-tf sweep CONTENT STYLE... -o FIGURE``: slide 8's figure, one result per ratio."""

from __future__ import annotations

from nst_tf.cli.arguments import WEIGHT_NAMES, memory_epilog, number_list
from nst_tf.cli.outcome import report_outcome, wrote
from nst_tf.cli.paths import check_inputs, check_output, given_paths, input_images, save_result
from nst_tf.cli.transfer_options import (
    add_transfer_options,
    check_size,
    load_inputs,
    transfer_settings,
)
from nst_tf.optimize.sweep import DEFAULT_RATIOS


def add_parser(commands) -> None:
    """``nst-tf sweep``: its arguments (the ratios) and the transfer's options."""
    parser = commands.add_parser(
        "sweep", help="slide 8: one result per content/style ratio", **memory_epilog()
    )
    parser.add_argument("content")
    parser.add_argument("style", nargs="+")
    parser.add_argument("-o", "--output", required=True, help="figure (.png)")
    parser.add_argument("--ratios", type=number_list, default=",".join(map(str, DEFAULT_RATIOS)))
    add_transfer_options(parser, size=256, steps=60, weights=WEIGHT_NAMES[1:], scales=None)
    parser.set_defaults(handler=cmd_sweep)


def cmd_sweep(args) -> int:
    from nst_tf.figures.plotting import save_figure
    from nst_tf.optimize.sweep import weight_ratio_sweep

    out = check_output(args.output, given_paths(args), args.overwrite, formats={".png": "PNG"})
    check_inputs(input_images(args))
    settings = transfer_settings(args, WEIGHT_NAMES[1:])
    check_size(args, settings)
    content, styles, masks = load_inputs(args)
    result = weight_ratio_sweep(content, styles, ratios=args.ratios, settings=settings, **masks)
    written, note = save_result(
        lambda path, overwrite: save_figure(result.figure, path, overwrite=overwrite),
        out,
        args.overwrite,
    )
    print(result.table())
    return report_outcome(result.stop, wrote(str(written)), note)
