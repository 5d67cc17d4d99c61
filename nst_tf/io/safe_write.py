"""The one way nst_tf writes a file: complete or not at all, and never over a file by accident.

`write_file` writes the bytes to a temporary file in the target's folder, flushes and
``fsync``s it, then moves it into place in one step. Without ``overwrite`` the move
refuses to replace anything, even a file another program created a moment ago (a hard
link is made, which fails if the name exists); with ``overwrite`` an existing file is
replaced only once the new one is complete. A full disk or any other failure leaves the
previous file as it was and no temporary file behind. `check_writable` says before any
work whether a path could be written at all.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from nst_tf.base.checks import user_path
from nst_tf.base.errors import NSTError
from nst_tf.base.language import tr


class OutputError(NSTError, ValueError):
    """An output path that cannot be written (a folder, missing, read-only, too long...)."""


class OutputExistsError(OutputError, FileExistsError):
    """The output exists and ``overwrite`` was not given."""


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # Windows, or a file system that will not say
        return 255


def check_writable(path: str | os.PathLike, overwrite: bool = False, what: str = "output") -> Path:
    """``path`` as a `Path`, or an `OutputError` saying why it cannot be written.

    Checks, without writing: the folder exists and is writable, the name is not too
    long, the path is not a folder, and it does not exist unless ``overwrite``.
    """
    path = user_path(path, "output")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(
            tr(
                f"{what}의 폴더가 없습니다: {folder}. 먼저 만드세요",
                f"{what} folder {folder} does not exist; create it first",
            )
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(
            tr(
                f"{what}의 폴더에 쓸 수 없습니다: {folder}. 다른 폴더를 고르세요",
                f"{what} folder {folder} is not writable; choose another folder",
            )
        )
    if len(path.name.encode()) > _name_max(folder):
        raise OutputError(
            tr(
                f"{what}의 이름 {path.name[:40]}…은 {len(path.name.encode())}바이트로, 이 "
                f"파일 시스템의 한도({_name_max(folder)})보다 깁니다: 더 짧은 이름을 쓰세요",
                f"{what} name {path.name[:40]}… is {len(path.name.encode())} bytes, longer "
                f"than this file system allows ({_name_max(folder)}); choose a shorter name",
            )
        )
    if path.is_dir():
        raise OutputError(
            tr(
                f"{what} {path}: 폴더입니다. 그 안의 파일 이름을 주세요",
                f"{what} {path} is a folder; give a file name inside it",
            )
        )
    if path.exists() or path.is_symlink():
        if not overwrite:
            raise OutputExistsError(
                tr(
                    f"이미 있는 파일입니다: {path}. 바꾸려면 overwrite=True (--overwrite)",
                    f"{path} exists; pass overwrite=True (--overwrite) to replace it",
                )
            )
        if not path.is_file():
            raise OutputError(
                tr(
                    f"{what} {path}: 일반 파일이 아니므로 바꾸지 않습니다",
                    f"{what} {path} is not a regular file; it will not be replaced",
                )
            )
    return path


def usable_folder(folder: str | os.PathLike, what: str = "folder") -> Path:
    """``folder`` as a `Path` if it is, or can be made, a folder nst_tf may write into;
    an `OutputError` saying why not otherwise (a file there, a broken symbolic link, no
    right to write). Checked, not made: settings check where their run will write."""
    folder = user_path(folder, what)
    if folder.is_symlink() and not folder.exists():
        raise OutputError(
            tr(
                f"{what} {folder}: 끊어진 심볼릭 링크입니다 ({os.readlink(folder)}를 가리킴). "
                "지우거나 다른 폴더를 고르세요",
                f"{what} {folder} is a broken symbolic link (to {os.readlink(folder)}); "
                "remove it or choose another folder",
            )
        )
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            tr(
                f"{what} {folder}: 폴더가 아니라 파일입니다. 옮기거나 다른 폴더를 고르세요",
                f"{what} {folder} is a file, not a folder; move it or choose another",
            )
        )
    existing = next(p for p in (folder.absolute(), *folder.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise OutputError(
            tr(
                f"{what} {folder}을(를) 만들 수 없습니다: {existing}이(가) 파일입니다",
                f"{what} {folder} cannot be made: {existing} is a file",
            )
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(
            tr(
                f"{what} {folder}에 쓸 수 없습니다: 쓸 수 있는 폴더를 고르세요",
                f"{what} {folder} cannot be written; choose a writable folder",
            )
        )
    return folder


def make_folder(folder: str | os.PathLike, what: str = "folder") -> Path:
    """`usable_folder`, made now with its parents (the demo's folder, the download cache)."""
    folder = usable_folder(folder, what)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            tr(
                f"{what} {folder}을(를) 만들 수 없습니다 ({exc.strerror})",
                f"{what} {folder} cannot be made ({exc.strerror})",
            )
        ) from None
    return folder


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not possible on every system (Windows)
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _place(tmp: Path, path: Path, overwrite: bool) -> None:
    """Move the complete ``tmp`` to ``path`` in one step."""
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if ``path`` exists, even if it appeared just now
    except FileExistsError:
        raise OutputExistsError(
            tr(
                f"nst_tf가 쓰는 사이에 {path}이(가) 생겼습니다 (다른 프로그램?): 바꾸지 않았습니다",
                f"{path} appeared while nst_tf was writing it (another program?); it was not "
                "replaced",
            )
        ) from None
    except OSError as exc:  # no hard links here (e.g. FAT, some network drives)
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
        if path.exists():
            raise OutputExistsError(
                tr(
                    f"이미 있는 파일입니다: {path}. 바꾸지 않았습니다",
                    f"{path} exists; it was not replaced",
                )
            ) from None
        os.replace(tmp, path)
    else:
        tmp.unlink()


def write_file(path: str | os.PathLike, data: bytes, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (see the module docstring); returns the path.

    Raises `OutputError` for a path that cannot be written, `OutputExistsError` when it
    exists without ``overwrite``, and ``OSError`` (e.g. a full disk) with nothing changed.
    """
    path = check_writable(path, overwrite)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=".nst_tf-", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o666 & ~_current_umask())  # mkstemp makes 0600 files
        _place(tmp, path, overwrite)
        _fsync_folder(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return path


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def rescue_paths(path: str | os.PathLike):
    """Free names to keep a result when ``path`` could not be written: beside it, then in
    the temporary folder (in case the first place is full or read-only)."""
    path = Path(path)
    stem, suffix = path.stem[:100], path.suffix
    for folder in (path.parent, Path(tempfile.gettempdir())):
        if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
            number = 1
            while (folder / f"{stem}.rescued-{number}{suffix}").exists():
                number += 1
            yield folder / f"{stem}.rescued-{number}{suffix}"
