"""Using a trained network: keep it as a ``.keras`` file and stylise photos with it, one
forward pass each (milliseconds to a second, where `nst_tf.stylize` takes minutes)."""

from __future__ import annotations

import json
import os
import tempfile
import time
import zipfile
from pathlib import Path

import keras
import numpy as np

from nst_tf.checks import user_path
from nst_tf.errors import NSTNotice, warn_once
from nst_tf.fast import network as _network  # registers the network's own layer for loading
from nst_tf.images import as_image_batch
from nst_tf.language import tr
from nst_tf.safe_write import write_file
from nst_tf.vgg import note_random_weights_used, random_weights_used

#: nst_tf's note inside a ``.keras`` file (a zip archive; Keras ignores other entries).
TRAINING_NOTE = "nst_tf.json"


class RandomWeightsNetworkNotice(NSTNotice):
    """A network trained with random VGG19 weights was loaded: its results say so."""


def save_network(network: keras.Model, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """``network`` as a ``.keras`` file at ``path``, written through nst_tf's one atomic,
    checked write path (never a half-written file; an existing one only with
    ``overwrite``). The file notes whether VGG19 ran with random weights in this process
    (the network then learnt from them), so `load_network` can say so later."""
    path = user_path(path, "network file")
    if path.suffix != ".keras":
        raise ValueError(f"network file {path} must end in .keras (Keras's own format)")
    with tempfile.TemporaryDirectory() as folder:
        staged = Path(folder) / "network.keras"
        network.save(staged)
        with zipfile.ZipFile(staged, "a") as archive:
            archive.writestr(TRAINING_NOTE, json.dumps({"random_vgg19": random_weights_used()}))
        return write_file(path, staged.read_bytes(), overwrite)


def trained_with_random_weights(path: Path) -> bool:
    """Whether the network file at ``path`` notes random VGG19 weights in its training."""
    try:
        with zipfile.ZipFile(path) as archive:
            return bool(json.loads(archive.read(TRAINING_NOTE)).get("random_vgg19"))
    except (KeyError, OSError, ValueError, zipfile.BadZipFile):
        return False


def load_network(path: str | os.PathLike) -> keras.Model:
    """The network saved at ``path`` (`save_network`), or a `ValueError` saying why not."""
    path = user_path(path, "network file")
    if not path.is_file():
        raise ValueError(f"network file {path} does not exist: train one first (nst-tf train)")
    try:
        network = keras.saving.load_model(
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
    if trained_with_random_weights(path):
        _say_random_weights(path)
    return network


def _say_random_weights(path: Path) -> None:
    note_random_weights_used()  # figures and animations made with the network say so
    warn_once(
        tr(
            f"{path.name}은(는) 무작위 VGG19 가중치로 학습된 신경망입니다: 결과는 실제 "
            "스타일 전이처럼 보이지 않습니다.",
            f"{path.name} was trained with random VGG19 weights: its results do not "
            "look like real style transfer.",
        ),
        RandomWeightsNetworkNotice,
    )


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
