"""Files on the command line: inputs checked before any work, outputs never overwritten unasked.

`save_result` writes through `nst_tf.io.safe_write`; when the output cannot be written
it keeps the result in a rescue file and says where.
"""

from __future__ import annotations

import os
from pathlib import Path

from nst_tf.base.checks import user_path
from nst_tf.base.errors import ImageError, NSTError
from nst_tf.base.language import tr
from nst_tf.base.signals import signals_deferred
from nst_tf.cli.arguments import UsageError
from nst_tf.io.images import SAVE_FORMATS, check_regular_file
from nst_tf.io.safe_write import (
    OutputError,
    OutputExistsError,
    check_writable,
    make_folder,
    rescue_paths,
    usable_folder,
)
from nst_tf.network.weights import WEIGHT_SOURCES
from nst_tf.optimize.settings import INITS


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
    """A folder the run will write into, checked (`nst_tf.io.safe_write.usable_folder`) and
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
