"""Photos to train on: a folder of images as endless batches of random square crops.

Each photo is read with its shorter side scaled to the crop size (so a crop sees most of
the photo, as Johnson et al.'s 256x256 COCO crops do), photos of any size and aspect
mixed. Files that are not images are skipped, named once in a notice; a folder with no
usable photo is refused with what to do.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image

from nst_tf.checks import user_path, whole_number
from nst_tf.errors import ImageError, NSTNotice, warn_once
from nst_tf.images import load_image, resize
from nst_tf.language import tr

#: The file endings read as photos (others in the folder are left alone, unannounced).
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


class SkippedPhotoNotice(NSTNotice):
    """A file with a photo's ending that does not open as an image: left out of training."""


def photo_files(folder: str | os.PathLike) -> list[Path]:
    """The photos in ``folder`` and its subfolders that open as images, sorted; the
    others are named in one `SkippedPhotoNotice`."""
    folder = user_path(folder, "photo folder")
    if not folder.is_dir():
        raise ValueError(f"photo folder {folder} is not a folder: give a folder of photos")
    candidates = sorted(p for p in folder.rglob("*") if p.suffix.lower() in PHOTO_SUFFIXES)
    photos, skipped = [], []
    for path in candidates:
        (photos if _opens(path) else skipped).append(path)
    if skipped:
        _say_skipped(skipped)
    if not photos:
        raise ValueError(
            f"photo folder {folder} holds no photo that opens ({', '.join(PHOTO_SUFFIXES)}): "
            "put the training photos there"
        )
    return photos


def _opens(path: Path) -> bool:
    try:
        with Image.open(path) as image:
            image.verify()  # reads the header and checks the file's structure, fast
        return True
    except Exception:  # Pillow raises many kinds for broken files
        return False


def _say_skipped(paths: list[Path]) -> None:
    names = ", ".join(p.name for p in paths[:3]) + (" …" if len(paths) > 3 else "")
    warn_once(
        tr(
            f"사진이 아닌 파일 {len(paths)}개는 학습에서 뺍니다: {names}",
            f"{len(paths)} file(s) that are not images are left out of training: {names}",
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


def photo_batches(folder, size: int = 256, batch: int = 4, seed: int = 0) -> tf.data.Dataset:
    """Endless ``(batch, size, size, 3)`` batches of random crops of the photos in
    ``folder`` (`photo_files`), in a new random order each pass; a photo that fails to
    decode after all is skipped and named."""
    size = whole_number("size", size, 16)
    batch = whole_number("batch", batch, 1)
    files = photo_files(folder)

    def photos():
        order = np.random.default_rng(seed)
        while True:
            for index in order.permutation(len(files)):
                try:
                    yield photo_at_short_side(files[index], size)
                except (ImageError, OSError, ValueError):
                    _say_skipped([files[index]])

    spec = tf.TensorSpec((None, None, 3), tf.float32)
    crops = tf.data.Dataset.from_generator(photos, output_signature=spec).map(
        lambda photo: tf.image.random_crop(photo, (size, size, 3), seed=seed)
    )
    return crops.batch(batch, drop_remainder=True).prefetch(2)
