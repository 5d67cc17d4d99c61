"""What a user sees: no TensorFlow start-up noise, each warning once, progress that fits."""

import io
import os
import subprocess
import sys

import numpy as np
import pytest

from nst_tf.base import progress as base_progress
from nst_tf.base import tensorflow_setup
from nst_tf.io.sample_images import bundled_image_path
from nst_tf.optimize import transfer

NOISE_MARKERS = ("I0000", "E0000", "W0000", "absl::InitializeLog", "cuInit", "cuda drivers")


def _python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


def test_import_shows_no_startup_noise_but_later_errors_still_show():
    done = _python(
        "import sys, nst_tf, tensorflow as tf\n"
        "tf.print('a real problem from C++', output_stream=sys.stderr)\n"
        "raise RuntimeError('a real Python error')\n"
    )
    assert done.returncode == 1
    assert not [m for m in NOISE_MARKERS if m in done.stderr], done.stderr
    assert "a real problem from C++" in done.stderr  # file descriptor 2 is back
    assert "RuntimeError: a real Python error" in done.stderr


def test_the_switch_shows_tensorflows_own_lines_again():
    plain = _python("import tensorflow as tf; tf.config.list_physical_devices()")
    shown = _python("import nst_tf", **{tensorflow_setup.SHOW_LOGS_ENV_VAR: "1"})
    if not plain.stderr.strip():
        pytest.skip("TensorFlow prints nothing at start-up on this machine")
    first_line = plain.stderr.splitlines()[0]
    assert first_line.split()[0] in shown.stderr


@pytest.mark.parametrize(
    "line",
    [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
        "I0000 00:00:1795756512.156167    2947 port.cc:153] oneDNN custom operations are on.",
        "I0000 00:00:1795756512.156602    2947 cudart_stub.cc:31] Could not find cuda drivers",
        "E0000 00:00:1795756515.165278    2947 cuda_platform.cc:52] failed call to cuInit: "
        "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)",
        "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild",
    ],
)
def test_startup_noise_is_recognised(line):
    assert tensorflow_setup.is_startup_noise(line)


@pytest.mark.parametrize(
    "line",
    [
        "E0000 00:00:1795756515.165278    2947 some_op.cc:52] Out of memory while allocating",
        "Traceback (most recent call last):",
        "ImportError: libcudnn.so.9: cannot open shared object file",
    ],
)
def test_real_problems_are_not_noise(line):
    assert not tensorflow_setup.is_startup_noise(line)


def test_cli_first_line_is_its_own_and_random_weights_are_announced_once(tmp_path):
    out = tmp_path / "out.png"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nst_tf",
            "stylize",
            str(bundled_image_path("chelsea")),
            str(bundled_image_path("swirls")),
            "-o",
            str(out),
            "--size",
            "32",
            "--steps",
            "2",
            "--weights",
            "random",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert not [m for m in NOISE_MARKERS if m in done.stderr], done.stderr
    assert lines[0].startswith("nst-tf: warning: VGG19 uses RANDOM weights")
    assert sum("RANDOM weights" in line for line in lines) == 1
    assert "weights='auto'" in lines[0]  # names what to do
    assert done.stdout.startswith("wrote ")


def test_random_weights_warning_once_per_process():
    done = _python(
        "import nst_tf\n"
        "for _ in range(3):\n"
        "    nst_tf.FeatureExtractor(['block1_conv1'], weights='random')\n"
        "nst_tf.load_vgg19('random', seed=5)\n"
    )
    assert done.returncode == 0, done.stderr
    warnings_shown = [line for line in done.stderr.splitlines() if "RANDOM weights" in line]
    assert len(warnings_shown) == 2, done.stderr  # seed 0 once, seed 5 once
    assert all(line.startswith("nst_tf: VGG19 uses RANDOM") for line in warnings_shown)


def test_progress_in_a_log_is_a_few_lines(capsys):

    content = np.random.default_rng(0).uniform(size=(1, 32, 32, 3)).astype("float32")
    transfer.stylize(content, content, steps=100, optimizer="adam", weights="random")
    err = capsys.readouterr().err  # pytest's capture is not a terminal: summary lines
    lines = [line for line in err.splitlines() if line.startswith("adam 32px")]
    assert 5 <= len(lines) <= 12, err
    assert lines[-1].startswith("adam 32px: step 100/100 (100%)")
    assert "\r" not in err


def test_log_progress_reports_the_first_step_every_tenth_and_the_end():
    stream = io.StringIO()
    bar = base_progress.LogProgress(35, "run", stream=stream)
    for step in range(35):
        bar.set_postfix({"total": f"{step}"})
        bar.update(1)
    bar.close()
    lines = stream.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        f"run: step {n}/35" for n in (1, 4, 8, 12, 16, 20, 24, 28, 32, 35)
    ]
    assert lines[-1].endswith("total=34")


def test_layer_browser_slider_follows_the_layer():
    ipywidgets = pytest.importorskip("ipywidgets")
    from nst_tf.figures.feature_maps import feature_browser

    features = {
        "block1_conv1": np.zeros((1, 8, 8, 64), np.float32),
        "block5_conv1": np.zeros((1, 1, 1, 512), np.float32),
    }
    browser = feature_browser(features)
    widgets = browser.widget.children
    layer, channel = [w for w in widgets if isinstance(w, ipywidgets.ValueWidget)][:2]
    assert channel.max == 63
    layer.value = "block5_conv1"
    assert channel.max == 511
    channel.value = 131
    layer.value = "block1_conv1"
    assert channel.max == 63 and channel.value == 63
