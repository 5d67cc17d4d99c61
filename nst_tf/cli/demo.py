"""``nst-tf demo``: the quick start: the bundled photo stylised, a comparison, slide 8's sweep."""

from __future__ import annotations

from pathlib import Path

from nst_tf.base.language import tr
from nst_tf.cli.arguments import positive_int
from nst_tf.cli.outcome import report_outcome, wrote
from nst_tf.cli.paths import check_folder, check_output, save_result
from nst_tf.network.weights import check_weights


def add_parser(commands) -> None:
    """``nst-tf demo``: where to write, and how big and long the runs are."""
    parser = commands.add_parser("demo", help="stylise the bundled photo and sweep the ratios")
    parser.add_argument(
        "-o",
        "--output-dir",
        default=None,
        help=f"folder for results (default: {DEMO_FOLDER}, or {DEMO_FOLDER}-2, -3... when "
        "an earlier demo's results are there)",
    )
    parser.add_argument("--size", type=positive_int, default=256)
    parser.add_argument("--steps", type=positive_int, default=50)
    parser.add_argument(
        "--weights",
        default="auto",
        help="auto (the best ImageNet file there is, else random: announced), "
        "imagenet, imagenet-8bit, random, or a .h5 path",
    )
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    parser.set_defaults(handler=cmd_demo)


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
    from nst_tf.figures.plotting import save_figure, show_images
    from nst_tf.io.images import load_image, save_image
    from nst_tf.io.sample_images import DEFAULT_CONTENT, DEFAULT_STYLE, bundled_image_path
    from nst_tf.optimize.sweep import weight_ratio_sweep
    from nst_tf.optimize.transfer import stylize

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
        return report_outcome(result.stop, wrote(written[0]), notes[0])
    titles = [tr("내용(content)", "content"), tr("스타일", "style"), tr("결과", "result")]
    figure = show_images([content, style, result.best_image], titles)
    keep(out["comparison"], lambda path, ow: save_figure(figure, path, overwrite=ow))
    sweep = weight_ratio_sweep(content, style, steps=max(1, args.steps // 2), **quiet)
    keep(out["ratio_sweep"], lambda path, ow: save_figure(sweep.figure, path, overwrite=ow))
    print(sweep.table())
    return report_outcome(sweep.stop, wrote(", ".join(written)), "; ".join(filter(None, notes)))
