"""``nst-tf apply NETWORK PHOTO... -o OUT``: stylise photos (or GIF frames) with a network."""

from __future__ import annotations

import signal
from pathlib import Path

from nst_tf.base.checks import user_path
from nst_tf.base.errors import ImageError
from nst_tf.base.language import tr
from nst_tf.base.signals import signal_of
from nst_tf.cli.arguments import UsageError, positive_int
from nst_tf.cli.outcome import report_outcome, wrote
from nst_tf.cli.paths import check_folder, check_inputs, check_output, save_result
from nst_tf.io.images import SAVE_FORMATS
from nst_tf.optimize.run import Stop, StopReason


def add_parser(commands) -> None:
    """``nst-tf apply``: the network, the photos, where the results go."""
    parser = commands.add_parser("apply", help="stylise photos with a trained network")
    parser.add_argument("network", help="a network made by nst-tf train (.keras)")
    parser.add_argument("photos", nargs="+", help="one or more photos (a GIF: every frame)")
    parser.add_argument("-o", "--output", required=True, help="an image (one photo) or a folder")
    parser.add_argument("--size", type=positive_int, default=1024, help="longest side, px (1024)")
    parser.add_argument("--overwrite", action="store_true", help="replace outputs that exist")
    parser.set_defaults(handler=cmd_apply)


ANIMATION_FORMAT = {".gif": "GIF"}


#: Output names that mean an image file, written or not (others name a folder).
IMAGE_SUFFIXES = {*SAVE_FORMATS, *ANIMATION_FORMAT, ".bmp", ".tif", ".tiff"}


def cmd_apply(args) -> int:
    from nst_tf.base.progress import progress_bar
    from nst_tf.fast import load_network
    from nst_tf.io.images import check_opens

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
        return report_outcome(stop, "", "; ".join(notes), _kept_photos(stop, written, len(targets)))
    finally:
        bar.close()
    done = Stop(StopReason.COMPLETED, len(written))
    return report_outcome(done, wrote(", ".join(written) or "-"), "; ".join(notes))


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
    from nst_tf.io.animation import save_animation
    from nst_tf.io.images import load_frames, load_image, save_image

    if _is_animation(photo):  # a result, as a still's: the frames keep their size, unmarked
        frames, seconds = load_frames(photo, size)
        result = stylize_fast(network, frames)
        return lambda path, overwrite: save_animation(result, path, seconds, overwrite, mark=False)
    result = stylize_fast(network, load_image(photo, max_size=size, min_size=1))  # any size
    return lambda path, overwrite: save_image(result, path, overwrite)
