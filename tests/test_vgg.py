"""VGG19 weights: random (announced), local .h5 files, env variable, download failures."""

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import nst_tf
import nst_tf.lessons.hardware
import nst_tf.network.precision
import nst_tf.network.vgg
import nst_tf.network.weights
from nst_tf.base import errors
from nst_tf.base.errors import WeightsDownloadError, WeightsFileError
from nst_tf.lessons import hardware
from nst_tf.network import precision as network_precision
from nst_tf.network import vgg
from nst_tf.network import weights as network_weights
from nst_tf.network.features import FeatureExtractor

LAYERS = ["block1_conv1", "block3_conv2", "block5_conv4"]


def _activations(weights, images, pooling="max", seed=123, rescale="none"):
    """Activations of the network as loaded (``rescale="none"``: the file's weights)."""
    extractor = FeatureExtractor(LAYERS, weights, pooling, seed, rescale=rescale)
    return {name: value.numpy() for name, value in extractor(images).items()}


def test_random_weights_are_announced_and_seeded(small_images):
    with pytest.warns(network_weights.RandomWeightsWarning, match="RANDOM weights \\(seed 5\\)"):
        first = _activations("random", small_images, seed=5)
    with pytest.warns(network_weights.RandomWeightsWarning):
        again = _activations("random", small_images, seed=5)
        other = _activations("random", small_images, seed=6)
    for name in LAYERS:
        np.testing.assert_array_equal(first[name], again[name])
        assert not np.allclose(first[name], other[name])


def test_random_weights_keep_activations_of_a_sane_scale(random_vgg, small_images):
    from nst_tf.network.preprocess import preprocess

    deepest = random_vgg(preprocess(small_images)).numpy()
    assert 1.0 < np.abs(deepest).mean() < 1e3  # neither vanishing nor exploding


def test_keras_h5_file_loads_through_the_path_users_pass(vgg_h5, small_images):
    with pytest.warns(network_weights.RandomWeightsWarning):
        expected = _activations("random", small_images)
    from_file = _activations(str(vgg_h5), small_images)
    for name in LAYERS:
        np.testing.assert_array_equal(from_file[name], expected[name])


def test_env_variable_names_the_weights_file(vgg_h5, small_images, monkeypatch):
    monkeypatch.setenv(network_weights.WEIGHTS_ENV_VAR, str(vgg_h5))
    assert network_weights.resolve_weights(None) == str(vgg_h5)
    with pytest.warns(network_weights.RandomWeightsWarning):
        expected = _activations("random", small_images)
    from_env = _activations(None, small_images)
    np.testing.assert_array_equal(from_env["block5_conv4"], expected["block5_conv4"])


def test_default_source_is_auto(monkeypatch):
    monkeypatch.delenv(network_weights.WEIGHTS_ENV_VAR, raising=False)
    assert network_weights.resolve_weights(None) == "auto"


def test_keras3_weights_file_loads_too(random_vgg, tmp_path, small_images):
    path = tmp_path / "vgg19.weights.h5"
    random_vgg.save_weights(path)
    with pytest.warns(network_weights.RandomWeightsWarning):
        expected = _activations("random", small_images)
    np.testing.assert_array_equal(
        _activations(str(path), small_images)["block3_conv2"], expected["block3_conv2"]
    )


def test_average_pooling_swaps_only_the_pools(vgg_h5, small_images):
    model = vgg.load_vgg19(vgg_h5, pooling="avg")
    kinds = {type(layer).__name__ for layer in model.layers}
    assert "AveragePooling2D" in kinds and "MaxPooling2D" not in kinds
    max_model = vgg.load_vgg19(vgg_h5)
    for got, want in zip(model.get_weights(), max_model.get_weights()):
        np.testing.assert_array_equal(got, want)
    first_block_avg = _activations(str(vgg_h5), small_images, pooling="avg")
    first_block_max = _activations(str(vgg_h5), small_images)
    np.testing.assert_array_equal(first_block_avg["block1_conv1"], first_block_max["block1_conv1"])
    assert not np.allclose(first_block_avg["block3_conv2"], first_block_max["block3_conv2"])


def _offline(*args, **kwargs):
    raise Exception(f"URL fetch failure on {args[1]}: None -- Name or service not known")


@pytest.mark.parametrize("keras_home", [True, False], ids=["KERAS_HOME", "default-home"])
def test_download_failure_names_the_file_and_both_offline_fixes(monkeypatch, tmp_path, keras_home):
    if keras_home:
        monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
        expected_cache = tmp_path / "keras_home" / "models" / network_weights.IMAGENET_FILE
    else:
        monkeypatch.delenv("KERAS_HOME", raising=False)
        monkeypatch.setenv("HOME", str(tmp_path))
        expected_cache = tmp_path / ".keras" / "models" / network_weights.IMAGENET_FILE
    monkeypatch.setattr(keras.utils, "get_file", _offline)
    vgg._load_cached.cache_clear()
    with pytest.raises(WeightsDownloadError) as info:
        vgg.load_vgg19("imagenet")
    message = str(info.value)
    assert network_weights.IMAGENET_URL in message
    assert str(expected_cache) in message
    assert network_weights.WEIGHTS_ENV_VAR in message and "weights=" in message


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda p: p.write_bytes(b"this is not HDF5 at all"), "Could not load"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: None, "does not exist"),
    ],
    ids=["garbage", "directory", "missing"],
)
def test_bad_weights_files_get_clear_errors(tmp_path, make, expected):
    path = tmp_path / "weights.h5"
    make(path)
    with pytest.raises(WeightsFileError, match=expected) as info:
        vgg.load_vgg19(path)
    assert str(path) in str(info.value)


def test_an_empty_weights_path_is_not_the_working_directory():
    with pytest.raises(WeightsFileError, match="empty path") as info:
        vgg.load_vgg19("")
    assert "'random'" in str(info.value) and "directory" not in str(info.value)


def test_nst_tf_weights_is_read_when_settings_are_made_not_at_import(monkeypatch):
    from nst_tf.optimize.settings import TransferSettings

    monkeypatch.setenv(
        network_weights.WEIGHTS_ENV_VAR, "random"
    )  # set after import, as the help says
    assert TransferSettings.make().network.weights == "random"
    monkeypatch.setenv(network_weights.WEIGHTS_ENV_VAR, "garbage")
    assert TransferSettings.make(weights="auto").network.weights == "auto"  # given: not read
    with pytest.raises(WeightsFileError, match=r"^NST_TF_WEIGHTS='garbage' in the environment"):
        TransferSettings.make(steps=3)


def test_a_bad_nst_tf_weights_breaks_neither_import_nor_help_nor_a_run_that_names_its_own(
    tmp_path,
):
    script = (
        "import numpy as np, nst_tf; from nst_tf.cli.main import main\n"
        "image = np.full((1, 32, 32, 3), 0.5, 'float32')\n"
        "nst_tf.stylize(image, image, weights='random', steps=1, scales=None, progress=False)\n"
        "main(['--help'])\n"
    )
    env = {**os.environ, network_weights.WEIGHTS_ENV_VAR: "garbage"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "usage: nst-tf" in done.stdout


def test_truncated_weights_file_is_reported(vgg_h5, tmp_path):
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(vgg_h5.read_bytes()[: vgg_h5.stat().st_size // 2])
    with pytest.raises(WeightsFileError, match="truncated"):
        vgg.load_vgg19(truncated)


def test_weights_of_another_model_are_refused(tmp_path):
    from conftest import write_keras_applications_h5

    other = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3, name="c")])
    path = tmp_path / "other.h5"
    write_keras_applications_h5(other, path)
    with pytest.raises(WeightsFileError, match="another model"):
        vgg.load_vgg19(path)


def test_wrong_extension_and_pooling_are_refused(tmp_path):
    path = tmp_path / "weights.npz"
    path.write_bytes(b"x")
    with pytest.raises(WeightsFileError, match=".h5"):
        vgg.load_vgg19(path)
    with pytest.raises(ValueError, match="pooling"):
        vgg.load_vgg19("random", pooling="min")


def test_bfloat16_precision_stays_close_to_float32(vgg_h5, small_images):
    exact = _activations(str(vgg_h5), small_images)
    fast = FeatureExtractor(LAYERS, vgg_h5, precision="bfloat16", rescale="none")(small_images)
    for name in LAYERS:
        assert fast[name].dtype == "float32"
        error = np.abs(fast[name].numpy() - exact[name]).max() / np.abs(exact[name]).max()
        assert 0 < error < 0.03  # bfloat16 differs, but only in the third digit
    model = vgg.load_vgg19(vgg_h5, pooling="avg", precision="bfloat16")
    assert model.get_layer("block1_conv1").compute_dtype == "bfloat16"
    assert type(model.get_layer("block1_pool")).__name__ == "AveragePooling2D"
    with pytest.raises(ValueError, match="precision"):
        vgg.load_vgg19(vgg_h5, precision="float16")


@pytest.mark.parametrize(
    "hardware, chosen", [("a CPU with AVX512-BF16", "bfloat16"), (None, "float32")]
)
def test_auto_precision_follows_the_hardware_and_says_so(monkeypatch, hardware, chosen):
    monkeypatch.setattr(nst_tf.network.precision, "bfloat16_hardware", lambda: hardware)
    with pytest.warns(network_precision.PrecisionNotice, match=f"uses {chosen}"):
        assert vgg.NetworkSettings(precision="auto").precision == chosen
    assert vgg.NetworkSettings(precision="float32").precision == "float32"  # never changed


def test_this_machines_bfloat16_units_are_found_or_not():
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        pytest.skip("a GPU answers first")
    found = network_precision.bfloat16_hardware()
    cpuinfo = Path("/proc/cpuinfo")
    flags = cpuinfo.read_text() if cpuinfo.exists() else ""
    assert (found is not None) == ("avx512_bf16" in flags or "amx_bf16" in flags)


def test_lesson_size_auto_is_256_on_a_cpu_and_512_on_a_gpu_announced(monkeypatch):

    monkeypatch.setattr(hardware, "gpu_name", lambda: None)
    assert hardware.lesson_size("auto") == 256 and hardware.lesson_size(96) == 96
    monkeypatch.setattr(hardware, "gpu_name", lambda: "Tesla T4")
    monkeypatch.setattr(errors, "_SHOWN", set())
    with pytest.warns(hardware.SizeNotice, match=r"Tesla T4.*512 px.*IMAGE_SIZE"):
        assert hardware.lesson_size() == 512
    assert hardware.lesson_size(300) == 300  # a number is kept, on a GPU too
    with pytest.raises(ValueError, match="IMAGE_SIZE must be >= 16"):
        hardware.lesson_size(8)
