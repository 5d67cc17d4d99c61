"""Frames as a looping GIF, marked like figures once random VGG19 weights were used."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from nst_tf.base.checks import user_path
from nst_tf.io.images import to_uint8
from nst_tf.io.safe_write import write_file


def save_animation(
    frames,
    path: str | os.PathLike,
    seconds_per_frame: float | Sequence[float] = 0.2,
    overwrite: bool = True,
    mark: bool = True,
) -> Path:
    """Write ``[0, 1]`` RGB frames (each ``(1, H, W, 3)`` or ``(H, W, 3)``) as a looping GIF,
    each shown ``seconds_per_frame`` (one number, or one per frame). Once random VGG19
    weights were used, each frame of a figure-like animation says so in red below it, as
    figures do (``mark=False``: a stylised GIF, a result like a stylised photo)."""
    from nst_tf.base.random_weights import random_weights_label, random_weights_used

    path = user_path(path, "image")
    if path.suffix.lower() != ".gif":
        raise ValueError(f"{path}: an animation is saved as .gif")
    pictures = [Image.fromarray(to_uint8(frame)) for frame in frames]
    if not pictures:
        raise ValueError("No frames to animate.")
    if mark and random_weights_used():
        pictures = [_with_caption(picture, random_weights_label()) for picture in pictures]
    if isinstance(seconds_per_frame, (int, float)):
        seconds_per_frame = [seconds_per_frame] * len(pictures)
    if len(seconds_per_frame) != len(pictures):
        raise ValueError(f"{len(pictures)} frames but {len(seconds_per_frame)} frame times")
    path.parent.mkdir(parents=True, exist_ok=True)
    encoded = io.BytesIO()
    pictures[0].save(
        encoded,
        format="GIF",
        save_all=True,
        append_images=pictures[1:],
        loop=0,
        duration=[round(1000 * seconds) for seconds in seconds_per_frame],
    )
    return write_file(path, encoded.getvalue(), overwrite=overwrite)


def _with_caption(picture: Image.Image, text: str) -> Image.Image:
    """``picture`` with a white strip below it holding ``text`` in red (Hangul font)."""
    from PIL import ImageDraw, ImageFont

    from nst_tf.io.fonts import hangul_font_path

    size = max(9, picture.width // 28)
    font = ImageFont.truetype(str(hangul_font_path()), size)
    framed = Image.new("RGB", (picture.width, picture.height + size + 6), "white")
    framed.paste(picture.convert("RGB"), (0, 0))
    ImageDraw.Draw(framed).text((3, picture.height + 2), text, fill=(214, 39, 40), font=font)
    return framed
