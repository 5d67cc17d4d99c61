"""Using a trained network: keep it as a ``.keras`` file and stylise photos with it, one
forward pass each (milliseconds to a second, where `nst_tf.stylize` takes minutes)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from nst_tf.checks import user_path
from nst_tf.fast import network as _network  # registers the network's own layer for loading
from nst_tf.images import as_image_batch
from nst_tf.safe_write import write_file


def save_network(network: keras.Model, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """``network`` as a ``.keras`` file at ``path``, written through nst_tf's one atomic,
    checked write path (never a half-written file; an existing one only with
    ``overwrite``)."""
    path = user_path(path, "network file")
    if path.suffix != ".keras":
        raise ValueError(f"network file {path} must end in .keras (Keras's own format)")
    with tempfile.TemporaryDirectory() as folder:
        staged = Path(folder) / "network.keras"
        network.save(staged)
        return write_file(path, staged.read_bytes(), overwrite)


def load_network(path: str | os.PathLike) -> keras.Model:
    """The network saved at ``path`` (`save_network`), or a `ValueError` saying why not."""
    path = user_path(path, "network file")
    if not path.is_file():
        raise ValueError(f"network file {path} does not exist: train one first (nst-tf train)")
    try:
        return keras.saving.load_model(
            path,
            custom_objects={
                "CropTo": _network.CropTo,
                "NearestUpsampling": _network.NearestUpsampling,
            },
        )
    except Exception as exc:  # Keras raises many kinds for a file that is not its own
        raise ValueError(
            f"network file {path} could not be loaded ({type(exc).__name__}): it is not a "
            "network saved by nst_tf (save_network, nst-tf train)"
        ) from None


def stylize_fast(network: keras.Model, photos) -> np.ndarray:
    """``photos`` (``[0, 1]`` RGB, ``(H, W, 3)`` or ``(batch, H, W, 3)``, any size, e.g.
    the frames of a GIF) through ``network``, one forward pass each: ``(batch, H, W, 3)``
    ``[0, 1]`` RGB."""
    photos = as_image_batch(photos, "photos", several=True)
    return np.concatenate([network(photo[None], training=False) for photo in photos])


def forward_seconds(network: keras.Model, photo, repeats: int = 5) -> float:
    """Median seconds of one forward pass of ``photo`` ``(1, H, W, 3)`` through
    ``network``, after one untimed pass (which builds the computation for its size)."""
    stylize_fast(network, photo)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        stylize_fast(network, photo)
        times.append(time.perf_counter() - start)
    return float(np.median(times))
