"""Photos to train on, as endless batches of random square crops: a folder of images,
a list of photo files, or a photo set downloaded by name (`PHOTO_SETS`, once, through
nst_tf's one download path).

Each photo is read with its shorter side scaled to the crop size (so a crop sees most of
the photo, as Johnson et al.'s 256x256 COCO crops do), photos of any size and aspect
mixed. Files that do not open as images are skipped, named once in a notice; a folder with no
usable photo is refused with what to do.
"""

from __future__ import annotations

import contextlib
import math
import re
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image

from nst_tf.base.checks import user_path, whole_number
from nst_tf.base.errors import ImageError, NSTNotice, warn_once
from nst_tf.base.language import tr
from nst_tf.io.downloads import DownloadError, cache_dir, fetch
from nst_tf.io.images import check_opens, load_image, resize

#: The file endings read as photos (others in the folder are left alone, unannounced).
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")

#: Photo sets downloaded by name: (archive URL, its folder of photos, Korean, English).
PHOTO_SETS = {
    "coco-val2017": (
        "http://images.cocodataset.org/zips/val2017.zip",
        "val2017",
        "COCO 2017 검증용 사진 5,000장, 약 780 MB",
        "COCO 2017 validation photos: 5,000 photos, about 780 MB",
    ),
}


class SkippedPhotoNotice(NSTNotice):
    """A file with a photo's ending that does not open as an image: left out of training."""


class PhotoSetDownloadError(DownloadError):
    """A photo set of `PHOTO_SETS` could not be downloaded (offline, blocked)."""


def fetch_photo_set(name: str = "coco-val2017") -> Path:
    """The folder of the photo set ``name`` (`PHOTO_SETS`), downloaded and unpacked into
    nst_tf's cache once; offline, a `PhotoSetDownloadError` that says what to do."""
    if name not in PHOTO_SETS:
        raise ValueError(
            tr(
                f"사진 모음 {name!r}은(는) 없습니다: {sorted(PHOTO_SETS)} 중에서 고르세요",
                f"no photo set {name!r}: choose one of {sorted(PHOTO_SETS)}",
            )
        )
    url, inner, korean, english = PHOTO_SETS[name]
    try:
        folder = fetch(url, cache_dir() / f"{name}.zip", extract=True)
    except DownloadError as exc:
        raise PhotoSetDownloadError(
            tr(
                f"사진 모음 '{name}'({korean})을 내려받지 못했습니다 ({exc.__cause__ or exc}).\n"
                f"  시도한 주소: {url}\n"
                "인터넷 없이 쓰려면: 인터넷이 되는 컴퓨터에서 그 파일을 받아 압축을 풀고, 그 "
                '폴더를 주세요 (명령줄 --photos 폴더, 또는 photo_batches("폴더")).',
                f"Could not download the photo set '{name}' ({english}): "
                f"{exc.__cause__ or exc}.\n  tried: {url}\n"
                "Offline: download and unpack it on a machine that is online, then give its "
                'folder (--photos FOLDER on the command line, or photo_batches("FOLDER")).',
            )
        ) from exc
    return folder / inner if (folder / inner).is_dir() else folder


def photo_files(photos) -> list[Path]:
    """The photos of ``photos`` that open as images: a folder (with its subfolders,
    sorted), a list of files, or the name of a `PHOTO_SETS` set (downloaded once). Files
    that do not open are named in one `SkippedPhotoNotice`."""
    if isinstance(photos, (list, tuple)):
        candidates = [user_path(path, "photo") for path in photos]
        missing = [str(path) for path in candidates if not path.is_file()]
        if missing:
            raise ValueError(
                tr(
                    f"사진이 없습니다: {missing[0]}. 경로를 확인하세요",
                    f"photo {missing[0]} does not exist: check the path",
                )
            )
        folder = tr("사진 목록", "the list of photos")
    else:
        if isinstance(photos, str) and photos in PHOTO_SETS and not Path(photos).exists():
            photos = fetch_photo_set(photos)
        folder = user_path(photos, "photo folder")
        if not folder.is_dir():
            raise ValueError(
                tr(
                    f"사진 폴더 {folder}: 폴더가 아닙니다. 사진 폴더나 사진 모음의 이름"
                    f"({', '.join(PHOTO_SETS)})을 주세요",
                    f"photo folder {folder} is not a folder: give a folder of photos, or a "
                    f"photo set's name ({', '.join(PHOTO_SETS)})",
                )
            )
        candidates = sorted(p for p in folder.rglob("*") if p.suffix.lower() in PHOTO_SUFFIXES)
    photos, skipped = [], []
    for path in candidates:
        (photos if _opens(path) else skipped).append(path)
    if skipped:
        _say_skipped(skipped)
    if not photos:
        raise ValueError(
            tr(
                f"{folder}에 열리는 사진({', '.join(PHOTO_SUFFIXES)})이 없습니다: 학습할 사진을 "
                "주세요",
                f"{folder} holds no photo that opens ({', '.join(PHOTO_SUFFIXES)}): "
                "give the training photos",
            )
        )
    return photos


def _opens(path: Path) -> bool:
    try:
        check_opens(path)
        return True
    except ImageError:
        return False


def _say_skipped(paths: list[Path]) -> None:
    names = ", ".join(p.name for p in paths[:3]) + (" …" if len(paths) > 3 else "")
    warn_once(
        tr(
            f"이미지로 열리지 않는 파일 {len(paths)}개는 학습에서 뺍니다: {names}",
            f"{len(paths)} file(s) that do not open as images are left out of training: {names}",
        ),
        SkippedPhotoNotice,
    )


def photo_at_short_side(path: Path, size: int) -> np.ndarray:
    """``path`` as ``[0, 1]`` RGB ``(H, W, 3)`` with its shorter side ``size`` px."""
    with Image.open(path) as image:
        width, height = image.size
    long_side = math.ceil(size * max(width, height) / min(width, height))
    photo = load_image(path, max_size=long_side, min_size=1)
    scale = size / min(photo.shape[1:3])
    rows, cols = (max(size, round(side * scale)) for side in photo.shape[1:3])
    return resize(photo, rows, cols)[0]


class NoUsablePhotoError(ValueError):
    """Every photo given failed to decode (their headers looked right): nothing to train on."""


def photo_batches(photos, size: int = 256, batch: int = 4, seed: int = 0) -> tf.data.Dataset:
    """Endless ``(batch, size, size, 3)`` batches of random crops of ``photos`` (a folder,
    a list of files or a set's name: `photo_files`), in a new random order each pass. A
    photo that fails to decode after all (a truncated file) is named and left out from
    then on; when none is left, `NoUsablePhotoError` (`raised_as_itself` turns it back
    from TensorFlow's wrapping)."""
    size = whole_number("size", size, 16)
    batch = whole_number("batch", batch, 1)
    files = photo_files(photos)

    def photos():
        order = np.random.default_rng(seed)
        usable = list(files)
        while usable:
            for path in [usable[i] for i in order.permutation(len(usable))]:
                try:
                    yield photo_at_short_side(path, size)
                except (ImageError, OSError, ValueError):
                    usable.remove(path)
                    _say_skipped([path])
        raise NoUsablePhotoError(
            tr(
                f"사진 {len(files)}장 가운데 끝까지 읽히는 것이 없습니다 (잘린 파일?): "
                "다른 사진을 주세요",
                f"none of the {len(files)} photo(s) decodes to the end (truncated files?): "
                "give other photos",
            )
        )

    spec = tf.TensorSpec((None, None, 3), tf.float32)
    crops = tf.data.Dataset.from_generator(photos, output_signature=spec).map(
        lambda photo: tf.image.random_crop(photo, (size, size, 3), seed=seed)
    )
    return crops.batch(batch, drop_remainder=True).prefetch(2)


@contextlib.contextmanager
def raised_as_itself():
    """Inside ``fit``, an error raised by `photo_batches`'s generator reaches the caller as
    TensorFlow's ``InvalidArgumentError`` wrapping a Python traceback: a
    `NoUsablePhotoError` is raised again as itself, with its own message."""
    try:
        yield
    except tf.errors.InvalidArgumentError as exc:
        found = re.search(rf"{NoUsablePhotoError.__name__}: (.*)", exc.message)
        if found is None:
            raise
        raise NoUsablePhotoError(found.group(1)) from None
