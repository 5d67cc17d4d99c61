"""Keeping the content's colours (Gatys et al. 2017, "Controlling Perceptual Factors").

Two methods, both on ``[0, 1]`` RGB arrays ``(..., H, W, 3)``:

- luminance-only transfer: style transfer runs on luminance (YIQ's Y) alone, with the
  style's luminance matched to the content's mean and spread; the result's Y is then
  joined with the content's chroma (I, Q);
- colour histogram matching: before the transfer, the style image's RGB colours are
  mapped linearly so their mean and covariance equal the content's.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

#: RGB to YIQ (NTSC); rows give Y, I, Q.
RGB_TO_YIQ = np.array(
    [[0.299, 0.587, 0.114], [0.595716, -0.274453, -0.321263], [0.211456, -0.522591, 0.311135]]
)
YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ)
COLOR_MODES = ("luminance", "histogram")


def rgb_to_yiq(rgb) -> np.ndarray:
    """``[0, 1]`` RGB ``(..., 3)`` to YIQ ``(..., 3)`` (Y in [0, 1])."""
    return np.asarray(rgb, np.float64) @ RGB_TO_YIQ.T


def yiq_to_rgb(yiq) -> np.ndarray:
    """YIQ ``(..., 3)`` back to RGB, clipped to ``[0, 1]``, float32."""
    return np.clip(np.asarray(yiq, np.float64) @ YIQ_TO_RGB.T, 0.0, 1.0).astype(np.float32)


def luminance_image(rgb) -> np.ndarray:
    """The luminance Y repeated in three channels: a gray ``[0, 1]`` RGB image."""
    y = rgb_to_yiq(rgb)[..., :1]
    return np.repeat(y, 3, axis=-1).astype(np.float32)


def match_luminance(style, content) -> np.ndarray:
    """Gray image of the style's luminance, shifted and scaled to the content's mean/std."""
    ys, yc = rgb_to_yiq(style)[..., 0], rgb_to_yiq(content)[..., 0]
    matched = (ys - ys.mean()) * (yc.std() / max(ys.std(), 1e-8)) + yc.mean()
    return np.repeat(np.clip(matched, 0.0, 1.0)[..., None], 3, axis=-1).astype(np.float32)


def join_luminance(result, content) -> np.ndarray:
    """RGB image with the luminance of ``result`` and the chroma (I, Q) of ``content``."""
    yiq = rgb_to_yiq(content)
    yiq[..., 0] = rgb_to_yiq(result)[..., 0]
    return yiq_to_rgb(yiq)


def _color_stats(rgb) -> tuple[np.ndarray, np.ndarray]:
    pixels = np.asarray(rgb, np.float64).reshape(-1, 3)
    return pixels.mean(axis=0), np.cov(pixels, rowvar=False) + 1e-6 * np.eye(3)


def match_color_histogram(style, content) -> np.ndarray:
    """The style image with its RGB mean and covariance mapped onto the content's.

    ``x' = A (x - μ_s) + μ_c`` with ``A = Σ_c^½ Σ_s^-½`` (symmetric square roots), so
    ``cov(x') = Σ_c`` exactly, before clipping to ``[0, 1]``.
    """
    style = np.asarray(style, np.float64)
    mean_s, cov_s = _color_stats(style)
    mean_c, cov_c = _color_stats(content)
    transform = np.real(scipy.linalg.sqrtm(cov_c) @ np.linalg.inv(scipy.linalg.sqrtm(cov_s)))
    mapped = (style.reshape(-1, 3) - mean_s) @ transform.T + mean_c
    return np.clip(mapped.reshape(style.shape), 0.0, 1.0).astype(np.float32)
