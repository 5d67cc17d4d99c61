"""Reading and writing images as float32 ``[0, 1]`` RGB arrays ``(1, H, W, 3)``.

`load_image` accepts whatever a student may point it at (grayscale, transparent PNGs,
16-bit PNGs, CMYK JPEGs, phone photos with an EXIF rotation, very large files) and
either returns correct pixels or raises an `ImageError` that names the file and says
what to do. Pillow's decompression-bomb guard stays on.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from nst_tf.base.checks import unit_range, user_path, whole_number
from nst_tf.base.errors import ImageError, ImageTooSmallError
from nst_tf.base.language import tr
from nst_tf.io.downloads import cached_download
from nst_tf.io.safe_write import write_file

DEFAULT_MAX_SIZE = 512
#: VGG19's block5 layers need at least 16 px (four 2x2 poolings before them).
DEFAULT_MIN_SIZE = 16
SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


def load_image(
    source: str | os.PathLike,
    max_size: int | None = DEFAULT_MAX_SIZE,
    min_size: int = DEFAULT_MIN_SIZE,
) -> np.ndarray:
    """An image file or ``http(s)`` URL as float32 ``[0, 1]`` RGB ``(1, H, W, 3)``.

    Args:
        source: a path, or a URL (downloaded once into ``~/.cache/nst_tf``).
        max_size: longest side in pixels after loading; larger images are
            downscaled (aspect kept). ``None`` keeps the full size.
        min_size: shortest side below which the image is refused.

    Transparent pixels are composited on white; EXIF orientation is applied.
    """
    if max_size is not None:
        max_size = whole_number("max_size", max_size, 1)
    min_size = whole_number("min_size", min_size, 1)
    url, path = _local_path(source)
    try:
        return _read(path, max_size, min_size)
    except ImageError as exc:
        if url is None:
            raise
        path.unlink(missing_ok=True)  # a bad download must not stay cached
        raise ImageError(f"{url}: {exc} (the downloaded copy was removed from the cache)") from exc


def load_frames(
    source: str | os.PathLike, max_size: int | None = DEFAULT_MAX_SIZE
) -> tuple[np.ndarray, list[float]]:
    """The frames of an animation (a GIF; a still image is one frame) as float32
    ``[0, 1]`` RGB ``(frames, H, W, 3)``, with the seconds each frame is shown (0.1 s
    where the file does not say)."""
    from PIL import ImageSequence

    path = user_path(source, "image")
    frames, seconds = [], []
    with _open_image(path) as opened, _decoding(path):
        for frame in ImageSequence.Iterator(opened):
            seconds.append(frame.info.get("duration", 100) / 1000 or 0.1)
            image, peak = _rgb_or_float(frame.copy())
            if max_size is not None:
                image.thumbnail((max_size, max_size), Image.Resampling.LANCZOS)
            frames.append(_to_rgb_array(image, peak))
    return np.stack(frames), seconds


def check_opens(path: Path) -> Path:
    """``path`` if it opens as an image and its structure checks out (fast: the data is
    not decoded, so a file cut short may still fail later); an `ImageError` otherwise."""
    with _open_image(path) as opened:
        try:
            opened.verify()
        except Exception as exc:  # Pillow raises many kinds for a broken file
            raise ImageError(
                tr(
                    f"{path}: 읽지 못했습니다 ({exc}). 잘렸거나 손상된 파일일 수 있습니다.",
                    f"{path} could not be read ({exc}); it may be truncated or corrupt.",
                )
            ) from exc
    return path


def _read(path: Path, max_size: int | None, min_size: int) -> np.ndarray:
    with _open_image(path) as opened, _decoding(path):
        original = opened.size  # (width, height) as stored, before EXIF rotation
        if max_size is not None:
            opened.draft(None, (max_size, max_size))  # JPEG: decode at reduced size
        image, peak = _rgb_or_float(ImageOps.exif_transpose(opened))
    if max_size is not None:
        image.thumbnail((max_size, max_size), Image.Resampling.LANCZOS)
    rgb = _to_rgb_array(image, peak)
    if min(rgb.shape[:2]) < min_size:
        raise _too_small(path, rgb.shape[:2], original, max_size, min_size)
    return rgb[np.newaxis]


def _too_small(path: Path, size, original, max_size, min_size: int) -> ImageTooSmallError:
    """Why an image is too small for VGG19, and what to change: a larger image, or (when
    it was reduced to ``max_size``, e.g. ``--size``) a larger size."""
    (height, width), (full_width, full_height) = size, original
    if max_size is not None and max(original) > max_size:  # (rotation alone is no reduction)
        return ImageTooSmallError(
            tr(
                f"{path}: {full_width}x{full_height} px를 가장 긴 변 {max_size} px로 줄이면 "
                f"{width}x{height} px가 되어, 짧은 변이 VGG19의 깊은 층에 필요한 {min_size} px보다 "
                "작습니다. 크기(--size, max_size)를 키우세요.",
                f"{path}: {full_width}x{full_height} px reduced to a longest side of "
                f"{max_size} px is {width}x{height} px; the shorter side must be at least "
                f"{min_size} px for VGG19's deep layers. Use a larger size (--size, max_size).",
            )
        )
    return ImageTooSmallError(
        tr(
            f"{path}: {width}x{height} px는 너무 작습니다. 짧은 변이 VGG19의 깊은 층에 필요한 "
            f"{min_size} px 이상이어야 합니다. 더 큰 이미지를 쓰세요.",
            f"{path}: {width}x{height} px is too small; the shorter side must be at "
            f"least {min_size} px for VGG19's deep layers. Use a larger image.",
        )
    )


def _local_path(source) -> tuple[str | None, Path]:
    """(the URL or None, the local file): a URL is downloaded once into the cache."""
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"source must be a path or a URL, not {type(source).__name__}")
    text = os.fspath(source)
    if text.startswith(("http://", "https://")):
        return text, cached_download(text)
    return None, user_path(text, "image")


def check_regular_file(path: Path, what: str = "") -> Path:
    """``path`` if it is a regular file; an `ImageError` naming what it is otherwise.

    Nothing is opened: a FIFO or a device (``/dev/zero``) is refused without reading it.
    """
    label = f"{what} {path}".strip()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ImageError(
            tr(
                f"{label}: 그런 파일이 없습니다. 경로(와 작업 폴더)를 확인하세요.",
                f"{label}: no such file. Check the path (and the working directory).",
            )
        ) from None
    except OSError as exc:
        raise ImageError(
            tr(
                f"{label}: 읽을 수 없습니다 ({exc.strerror})",
                f"{label} cannot be read: {exc.strerror}",
            )
        ) from None
    if stat.S_ISDIR(mode):
        raise ImageError(
            tr(
                f"{label}: 폴더입니다. 그 안의 이미지 파일 경로를 주세요.",
                f"{label} is a directory; give the path of an image file inside it.",
            )
        )
    if not stat.S_ISREG(mode):
        raise ImageError(
            tr(
                f"{label}: 일반 파일이 아닙니다 (파이프나 장치?). 이미지 파일을 주세요.",
                f"{label} is not a regular file (a pipe or a device?); give an image file.",
            )
        )
    if not os.access(path, os.R_OK):
        raise ImageError(
            tr(
                f"{label}: 읽을 권한이 없습니다 (권한을 확인하세요).",
                f"{label} is not readable (check its permissions).",
            )
        )
    return path


def _open_image(path: Path) -> Image.Image:
    check_regular_file(path)
    try:
        return Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ImageError(
            tr(
                f"{path}: {exc} Pillow가 압축 폭탄일 수 있다며 거절합니다. 먼저 이미지 편집기로 "
                "줄이세요.",
                f"{path}: {exc} Pillow refuses it as a possible decompression bomb; "
                "downscale it with an image editor first.",
            )
        ) from exc
    except UnidentifiedImageError as exc:
        raise ImageError(
            tr(
                f"{path}: Pillow가 읽을 수 있는 이미지가 아닙니다 (PNG, JPEG, WebP, BMP, TIFF…).",
                f"{path} is not an image Pillow can read (PNG, JPEG, WebP, BMP, TIFF...).",
            )
        ) from exc
    except OSError as exc:
        raise ImageError(
            tr(f"{path}: 열 수 없습니다 ({exc})", f"{path} could not be opened: {exc}")
        ) from exc


@contextlib.contextmanager
def _decoding(path: Path):
    """Turn Pillow's decoding failures (truncated, corrupt data) into an `ImageError`."""
    try:
        yield
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(
            tr(
                f"{path}: 디코딩하지 못했습니다 ({exc}). 잘렸거나 손상된 파일일 수 있습니다. "
                "다시 내려받거나 다시 내보내세요.",
                f"{path} could not be decoded ({exc}); it may be truncated or corrupt. "
                "Download or export it again.",
            )
        ) from exc


def _rgb_or_float(image: Image.Image) -> tuple[Image.Image, float]:
    """``image`` as RGB, RGBA or (for 16/32-bit grayscale) float "F", with its peak value.

    Converting before any resize keeps Pillow's resampling exact (no palette nearest
    neighbour, alpha premultiplied) and keeps 16-bit precision.
    """
    if image.mode.startswith("I"):
        return image.convert("F"), 65535.0
    if image.mode == "F":
        return image, 1.0
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        return image.convert("RGBA"), 255.0
    return image.convert("RGB"), 255.0


def _to_rgb_array(image: Image.Image, peak: float) -> np.ndarray:
    """An RGB / RGBA / F Pillow image to float32 ``[0, 1]`` RGB ``(H, W, 3)``."""
    array = np.clip(np.asarray(image, dtype=np.float32) / peak, 0.0, 1.0)
    if image.mode == "F":
        return np.repeat(array[..., np.newaxis], 3, axis=-1)
    if image.mode == "RGBA":
        alpha = array[..., 3:]
        return array[..., :3] * alpha + (1.0 - alpha)  # composite on white
    return array


def as_image_batch(image, name: str = "image", several: bool = False) -> np.ndarray:
    """``image`` as float32 ``(1, H, W, 3)`` in ``[0, 1]``, or an error saying what to do.

    Accepts ``(1, H, W, 3)`` or ``(H, W, 3)`` floats in ``[0, 1]`` (as `load_image`
    returns), and with ``several`` any ``(batch, H, W, 3)``; refuses other shapes,
    integer (0-255) pixels, NaN/Inf and values outside ``[0, 1]``, naming the argument.
    """
    if isinstance(image, (str, os.PathLike)):
        raise TypeError(
            f"{name} must be image pixels, not a path: use nst_tf.load_image({image!r})"
        )
    try:
        array = np.asarray(image)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of [0, 1] RGB pixels: {exc}") from exc
    if array.ndim == 3:
        array = array[np.newaxis]
    if array.ndim != 4 or (array.shape[0] != 1 and not several) or array.shape[-1] != 3:
        expected = "(batch, H, W, 3)" if several else "one [0, 1] RGB image (1, H, W, 3)"
        raise ValueError(
            f"{name} must be {expected} as load_image returns, got shape {array.shape}."
        )
    unit_range(name, array)
    return np.clip(array, 0.0, 1.0).astype(np.float32)


def as_mask(mask, name: str, like: np.ndarray) -> np.ndarray:
    """A region mask as float32 ``(1, H, W, 1)`` in ``[0, 1]``, at the size of ``like``.

    Accepts ``(H, W)``, ``(H, W, 1)``, ``(1, H, W, 1)`` or an RGB image (its mean over the
    channels), at any resolution with the same aspect ratio as ``like`` (`same_aspect`);
    refuses masks that are empty (all zero), out of ``[0, 1]`` or of another shape.
    """
    if isinstance(mask, (str, os.PathLike)):
        raise TypeError(f"{name} must be mask pixels, not a path: use nst_tf.load_mask({mask!r})")
    array = np.asarray(mask, dtype=np.float32)
    if array.ndim == 4 and array.shape[0] == 1:
        array = array[0]
    if array.ndim == 3 and array.shape[-1] in (1, 3):
        array = array.mean(axis=-1)
    if array.ndim != 2 or min(array.shape) < 1:
        raise ValueError(f"{name} must be a 2-D [0, 1] mask (H, W), got shape {np.shape(mask)}")
    unit_range(name, array)  # 0 = outside, 1 = inside
    if array.max() <= 0:
        raise ValueError(f"{name} is empty (all 0): it marks no region")
    height, width = np.shape(like)[1:3]
    if not same_aspect(array.shape, (height, width)):
        raise ValueError(
            f"{name} is {array.shape[1]}x{array.shape[0]}, not the shape of the content image "
            f"({width}x{height}); give a mask with the same aspect ratio"
        )
    return resize(np.clip(array, 0.0, 1.0)[np.newaxis, :, :, np.newaxis], height, width)


def same_aspect(size: tuple[int, int], like: tuple[int, int]) -> bool:
    """Whether ``size`` (H, W) has the aspect ratio of ``like`` (H, W): within 2 %, or
    within the pixel that rounding to ``like``'s size can cost (a 64x43 mask for an image
    loaded at 32x22 px)."""
    (rows, cols), (height, width) = size, like
    rounded = abs(rows * width / cols - height) <= 1 or abs(cols * height / rows - width) <= 1
    return rounded or abs((cols / rows) / (width / height) - 1) <= 0.02


def load_mask(source: str | os.PathLike, max_size: int | None = None) -> np.ndarray:
    """A mask image (white = inside, black = outside) as float32 ``(H, W)`` in ``[0, 1]``."""
    return load_image(source, max_size=max_size, min_size=1)[0].mean(axis=-1)


def to_uint8(image) -> np.ndarray:
    """An RGB image (``[0, 1]`` floats or 0-255 uint8, with or without batch) as uint8."""
    array = np.asarray(image)
    if array.ndim == 4:
        if array.shape[0] != 1:
            raise ValueError(f"Expected one image, got a batch of {array.shape[0]}.")
        array = array[0]
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(f"Expected an RGB image (H, W, 3), got shape {array.shape}.")
    if array.dtype == np.uint8:
        return array
    unit_range("the image", array)
    return np.round(np.clip(array, 0.0, 1.0) * 255.0).astype(np.uint8)


def image_format(path: str | os.PathLike) -> str:
    """Pillow's format name for ``path``'s extension, or a `ValueError` listing them."""
    fmt = SAVE_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: unknown image type; use one of {sorted(SAVE_FORMATS)}.")
    return fmt


def save_image(image, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write a ``[0, 1]`` RGB image to PNG/JPEG/WebP through `nst_tf.io.safe_write`.

    The file appears complete or not at all, so an interrupted run or a full disk never
    leaves a half-written image; an existing file is kept unless ``overwrite=True``.
    """
    fmt = image_format(path)
    encoded = io.BytesIO()
    Image.fromarray(to_uint8(image)).save(encoded, format=fmt)
    return write_file(path, encoded.getvalue(), overwrite=overwrite)


def resize(images, height: int, width: int) -> np.ndarray:
    """Resize ``[0, 1]`` RGB ``(batch, H, W, 3)`` to ``(batch, height, width, 3)``.

    Area averaging when shrinking (no aliasing), bicubic when enlarging; clipped.
    """
    import tensorflow as tf

    images = np.asarray(images, np.float32)
    if images.shape[1:3] == (height, width):
        return images
    shrinking = height * width < images.shape[1] * images.shape[2]
    method = "area" if shrinking else "bicubic"
    resized = tf.image.resize(images, (height, width), method=method, antialias=shrinking)
    return np.clip(resized.numpy(), 0.0, 1.0)


def fit_long_side(images, long_side: int) -> np.ndarray:
    """Resize ``(batch, H, W, 3)`` so its longer side is ``long_side`` px (aspect kept)."""
    height, width = np.shape(images)[1:3]
    scale = long_side / max(height, width)
    return resize(images, max(1, round(height * scale)), max(1, round(width * scale)))
