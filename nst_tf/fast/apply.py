"""Using a trained network: keep it as a ``.keras`` file and stylise photos with it, one
forward pass each (milliseconds to a second, where `nst_tf.stylize` takes minutes)."""

from __future__ import annotations

import functools
import io
import json
import math
import os
import tempfile
import time
import zipfile
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from nst_tf.base.checks import user_path, whole_number
from nst_tf.base.errors import NSTNotice, warn_once
from nst_tf.base.language import tr
from nst_tf.base.random_weights import note_random_weights_used, random_weights_used
from nst_tf.fast import network as _network  # registers the network's own layer for loading
from nst_tf.io.images import as_image_batch
from nst_tf.io.safe_write import write_file
from nst_tf.optimize.memory import available_bytes

#: nst_tf's note inside a ``.keras`` file (a zip archive; Keras ignores other entries).
TRAINING_NOTE = "nst_tf.json"
#: The training optimiser's state inside a network file written while it trains.
OPTIMIZER_STATE = "nst_tf_optimizer.npz"


class RandomWeightsNetworkNotice(NSTNotice):
    """A network trained with random VGG19 weights was loaded: its results say so."""


def save_network(
    network: keras.Model, path: str | os.PathLike, overwrite: bool = False, optimizer=None
) -> Path:
    """``network`` as a ``.keras`` file at ``path``, written through nst_tf's one atomic,
    checked write path (never a half-written file; an existing one only with
    ``overwrite``). The file notes whether VGG19 ran with random weights in this process
    (the network then learnt from them), so `load_network` can say so later. Given the
    ``optimizer`` that trains the network, it also keeps the steps taken and the
    optimiser's state, so a training can go on where it stopped (`restore_optimizer`)."""
    path = user_path(path, "network file")
    if path.suffix != ".keras":
        raise ValueError(
            tr(
                f"신경망 파일 {path}: 이름이 .keras (Keras의 형식)로 끝나야 합니다",
                f"network file {path} must end in .keras (Keras's own format)",
            )
        )
    note = {"random_vgg19": random_weights_used()}
    with tempfile.TemporaryDirectory() as folder:
        staged = Path(folder) / "network.keras"
        network.save(staged)
        with zipfile.ZipFile(staged, "a") as archive:
            if optimizer is not None:
                note["steps"] = int(optimizer.iterations)
                state = _optimizer_state(optimizer)
                if state is not None:
                    archive.writestr(OPTIMIZER_STATE, state)
            archive.writestr(TRAINING_NOTE, json.dumps(note))
        return write_file(path, staged.read_bytes(), overwrite)


def _optimizer_state(optimizer) -> bytes | None:
    """The optimiser's variables as ``.npz`` bytes (None where any is NaN or Inf: a
    training that ended at a NaN keeps no state that would poison its resumption)."""
    values = [np.asarray(variable) for variable in optimizer.variables]
    if not all(np.isfinite(value).all() for value in values):
        return None
    encoded = io.BytesIO()
    np.savez(encoded, *values)
    return encoded.getvalue()


def restore_optimizer(path: str | os.PathLike, optimizer, variables) -> int:
    """Put the optimiser state that the network file at ``path`` keeps into
    ``optimizer`` (built here for ``variables``, the network's trainable ones), all but
    its learning rate, which stays as given; return the steps the network was trained
    for (0, and the optimiser left new, for a file that keeps no such state)."""
    steps = trained_steps(path)
    optimizer.build(variables)
    try:
        with zipfile.ZipFile(path) as archive, archive.open(OPTIMIZER_STATE) as saved:
            values = list(np.load(io.BytesIO(saved.read())).values())
    except KeyError:
        return steps
    targets = optimizer.variables
    if [tuple(v.shape) for v in targets] != [value.shape for value in values]:
        return steps  # another optimiser or network: it starts anew
    for variable, value in zip(targets, values):
        if variable.name != "learning_rate":
            variable.assign(value)
    return steps


def trained_steps(path: str | os.PathLike) -> int:
    """The steps the network in the file at ``path`` was trained for, as its file notes
    (0 where it does not say)."""
    return int(_training_note(user_path(path, "network file")).get("steps", 0))


def _training_note(path: Path) -> dict:
    """nst_tf's note in the network file at ``path`` (empty for a file without one)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return json.loads(archive.read(TRAINING_NOTE))
    except (KeyError, OSError, ValueError, zipfile.BadZipFile):
        return {}


def trained_with_random_weights(path: Path) -> bool:
    """Whether the network file at ``path`` notes random VGG19 weights in its training."""
    return bool(_training_note(path).get("random_vgg19"))


def load_network(path: str | os.PathLike) -> keras.Model:
    """The network saved at ``path`` (`save_network`), or a `ValueError` saying why not:
    no file, not a Keras file, not a network that stylises (any size of RGB in, RGB
    out), or weights that are NaN or Inf."""
    path = user_path(path, "network file")
    if not path.is_file():
        raise ValueError(
            tr(
                f"신경망 파일이 없습니다: {path}. 먼저 학습시키세요 (nst-tf train)",
                f"network file {path} does not exist: train one first (nst-tf train)",
            )
        )
    try:
        network = keras.saving.load_model(
            path,
            custom_objects={
                "CropTo": _network.CropTo,
                "NearestUpsampling": _network.NearestUpsampling,
            },
        )
    except Exception as exc:  # Keras raises many kinds for a file that is not its own
        raise _not_a_network(path, type(exc).__name__) from None
    _check_network(network, path)
    if trained_with_random_weights(path):
        _say_random_weights(path)
    return network


def _check_network(network, path: Path) -> None:
    """Refuse a Keras model that is not a transformation network, or broken weights."""
    inputs, outputs = getattr(network, "inputs", None), getattr(network, "outputs", None)
    any_rgb = (None, None, 3)
    if not (
        inputs
        and outputs
        and len(inputs) == len(outputs) == 1
        and tuple(inputs[0].shape[1:]) == any_rgb
        and tuple(outputs[0].shape[1:]) == any_rgb
        and any(hasattr(layer, "filters") for layer in network.layers)
    ):
        raise _not_a_network(path, tr("사진을 받아 사진을 내는 모델이 아님", "not photo to photo"))
    if not all(np.isfinite(weights).all() for weights in network.get_weights()):
        raise ValueError(
            tr(
                f"신경망의 가중치에 NaN/Inf가 있어 스타일을 입힐 수 없습니다: {path}. 다시 "
                "학습시키세요 (nst-tf train)",
                f"network {path} has NaN or Inf weights and cannot stylise: train it again "
                "(nst-tf train)",
            )
        )


def _not_a_network(path: Path, why: str) -> ValueError:
    return ValueError(
        tr(
            f"신경망으로 쓸 수 없는 파일입니다 ({why}): {path}. nst_tf가 저장한 신경망이 "
            "아닙니다 (save_network, nst-tf train)",
            f"network file {path} could not be used ({why}): it is not a network saved by "
            "nst_tf (save_network, nst-tf train)",
        )
    )


def _say_random_weights(path: Path) -> None:
    note_random_weights_used()  # figures and animations made with the network say so
    warn_once(
        tr(
            f"이 신경망({path.name})은 무작위 VGG19 가중치로 학습되었습니다: 결과는 실제 "
            "스타일 전이처럼 보이지 않습니다.",
            f"{path.name} was trained with random VGG19 weights: its results do not "
            "look like real style transfer.",
        ),
        RandomWeightsNetworkNotice,
    )


#: Peak bytes of a forward pass per pixel, per channel of the network's width (float32):
#: measured on this project's CPU (`benchmarks/fast_transfer.py --memory`), rounded up.
FORWARD_BYTES_PER_PIXEL_CHANNEL = 32  # measured: 26 (compiled forward pass)
#: Overlap of neighbouring tiles (px): their results are blended across it.
TILE_OVERLAP = 32
#: The smallest tile worth computing (px): smaller ones would show the tiles' seams.
SMALLEST_TILE = 256


class TiledNotice(NSTNotice):
    """A photo too large for the memory there is was stylised in overlapping tiles."""


def stylize_fast(network: keras.Model, photos, tile: int | str | None = "auto") -> np.ndarray:
    """``photos`` (``[0, 1]`` RGB, ``(H, W, 3)`` or ``(batch, H, W, 3)``, any size, e.g.
    the frames of a GIF) through ``network``, one forward pass each: ``(batch, H, W, 3)``
    ``[0, 1]`` RGB.

    ``tile``: ``"auto"`` computes a photo too large for the free memory in overlapping
    square tiles (`tile_side`, announced); a number of px always tiles larger photos that
    way; ``None`` never tiles. Each tile is normalised on its own (instance
    normalisation), so tiles can differ slightly in tone; the overlaps are blended.
    """
    photos = as_image_batch(photos, "photos", several=True)
    if tile == "auto":
        tile = tile_side(network, photos.shape[1:3])
    elif tile is not None:
        tile = whole_number("tile", tile, 2 * TILE_OVERLAP + 4)
    return np.concatenate([_forward(network, photo[None], tile) for photo in photos])


def tile_side(network: keras.Model, size: tuple[int, int]) -> int | None:
    """The tile side (px, a multiple of 4) for a ``size`` = ``(H, W)`` photo when its
    forward pass would take more than half the free memory (`nst_tf.optimize.memory`), else None."""
    free = available_bytes()
    per_pixel = FORWARD_BYTES_PER_PIXEL_CHANNEL * _width(network)
    if free is None or size[0] * size[1] * per_pixel <= free / 2:
        return None
    side = max(SMALLEST_TILE, int(math.sqrt(free / 2 / per_pixel)) // 4 * 4)
    warn_once(
        tr(
            f"{size[1]}x{size[0]} 사진은 남은 메모리에 한 번에 들어가지 않아 {side} px 조각으로 "
            "나눠 계산하고 겹치는 곳을 섞습니다 (조각마다 색조가 조금 다를 수 있습니다).",
            f"a {size[1]}x{size[0]} photo does not fit in the free memory at once: it is "
            f"computed in {side} px tiles whose overlaps are blended (tiles may differ "
            "slightly in tone).",
        ),
        TiledNotice,
    )
    return side


def _width(network: keras.Model) -> int:
    """The network's width: its first convolution's channels (32 in Johnson et al.'s)."""
    return next(layer.filters for layer in network.layers if hasattr(layer, "filters"))


def compiled_forward(network: keras.Model):
    """``network``'s forward pass as one TensorFlow graph for every size (traced once,
    kept on the network): half the time of calling the Keras model eagerly (95 against
    189 ms at 256 px on this project's CPU). A partial, not a lambda: TensorFlow counts
    the traces of one code object together, and lesson 08's exercise 3 (three networks,
    timed in a row) printed its English retracing warning."""
    forward = getattr(network, "_nst_tf_forward", None)
    if forward is None:
        spec = tf.TensorSpec((None, None, None, 3), tf.float32)
        forward = tf.function(functools.partial(_inference, network), input_signature=[spec])
        network._nst_tf_forward = forward
    return forward


def _inference(network: keras.Model, photos: tf.Tensor) -> tf.Tensor:
    return network(photos, training=False)


def _forward(network: keras.Model, photo: np.ndarray, tile: int | None) -> np.ndarray:
    height, width = photo.shape[1:3]
    forward = compiled_forward(network)
    if tile is None or max(height, width) <= tile:
        return np.asarray(forward(photo))
    total = np.zeros(photo.shape, np.float32)
    weight = np.zeros(photo.shape[:3] + (1,), np.float32)
    for top in _tile_starts(height, tile):
        for left in _tile_starts(width, tile):
            part = photo[:, top : top + tile, left : left + tile]
            ramp = _ramp(part.shape[1:3])
            total[:, top : top + tile, left : left + tile] += np.asarray(forward(part)) * ramp
            weight[:, top : top + tile, left : left + tile] += ramp
    return total / weight


def _tile_starts(length: int, tile: int) -> list[int]:
    """Where tiles of ``tile`` px start along ``length`` px, overlapping by
    `TILE_OVERLAP` at least, the last one flush with the end."""
    if length <= tile:
        return [0]
    step = tile - TILE_OVERLAP
    return [*range(0, length - tile, step), length - tile]


def _ramp(shape: tuple[int, int]) -> np.ndarray:
    """``(1, H, W, 1)`` blending weights of a tile: 1 inside, falling linearly to near 0
    across `TILE_OVERLAP` px at its edges (where a neighbour takes over)."""
    rows, cols = (
        np.minimum(1.0, (np.minimum(np.arange(n), np.arange(n)[::-1]) + 1) / TILE_OVERLAP)
        for n in shape
    )
    return np.outer(rows, cols)[None, :, :, None].astype(np.float32)


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
