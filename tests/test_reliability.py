"""Nothing a user gave or made is lost: signals, failed saves, bad inputs, sizes that
cannot fit. Each case ends with the promised exit code and one clear line."""

import errno
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import nst_tf
import nst_tf.base.signals
import nst_tf.cli.main
import nst_tf.cli.paths
import nst_tf.io.safe_write
import nst_tf.network.weights
from nst_tf.base import signals as base_signals
from nst_tf.cli import main as cli
from nst_tf.cli import paths
from nst_tf.io import safe_write
from nst_tf.io.images import load_image, save_image
from nst_tf.io.sample_images import bundled_image_path
from nst_tf.network import weights as network_weights

CONTENT = str(bundled_image_path("chelsea"))
STYLE = str(bundled_image_path("swirls"))


def _nst_tf(*args, **popen) -> subprocess.Popen:
    """``nst-tf ARGS`` as a real process, its stderr a pipe (not a terminal)."""
    return subprocess.Popen(
        [sys.executable, "-m", "nst_tf", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def _read_until(process: subprocess.Popen, text: str, seconds: float = 120) -> str:
    """Read ``process``'s stderr line by line until a line holds ``text``; returns what
    was read (the rest is left for ``communicate``)."""
    read, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            pytest.fail(f"exited before {text!r}: {''.join(read)}")
        read.append(line)
        if text in line:
            return "".join(read)
    pytest.fail(f"no {text!r} within {seconds} s: {''.join(read)}")


def _wait_for(path: Path, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text, text


# --- signals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)]
)
def test_a_signal_saves_the_best_image_and_exits_with_its_code(tmp_path, signum, code):
    out = tmp_path / "out.png"
    process = _nst_tf(
        "stylize",
        CONTENT,
        STYLE,
        "-o",
        out,
        "--size",
        48,
        "--steps",
        5000,
        "--weights",
        "random",
        "--checkpoint-every",
        1,
    )
    _wait_for(tmp_path / "out_checkpoints" / "scale1_48px_00001.png", process)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    _no_traceback(stderr)
    with Image.open(out) as image:
        image.verify()
    name = signal.Signals(signum).name
    last = stderr.strip().splitlines()[-1]
    assert f"wrote {out}" in last and "best image so far" in last
    assert (name in last) == (signum != signal.SIGINT)  # Ctrl-C is just "interrupted"


def test_one_ctrl_c_stops_the_demo(tmp_path):
    folder = tmp_path / "demo"
    process = _nst_tf("demo", "-o", folder, "--size", 48, "--steps", 5000, "--weights", "random")
    said = _read_until(process, ": step 1/5000")  # a sign of progress, not a clock: under
    started = time.monotonic()  # load the first step can take long (once flaky: a sleep)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    stderr = said + stderr
    assert process.returncode == 130, stderr
    assert time.monotonic() - started < 30, "the demo went on after Ctrl-C"
    assert (folder / "stylized.png").is_file() and not (folder / "ratio_sweep.png").exists()
    _no_traceback(stderr)


def test_ctrl_c_while_tensorflow_starts_is_one_line(tmp_path):
    process = _nst_tf("stylize", CONTENT, STYLE, "-o", tmp_path / "o.png")
    time.sleep(1.0)  # python is up, TensorFlow is being imported
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    _no_traceback(stderr)
    assert len(stderr.strip().splitlines()) == 1 and "SIGINT" in stderr


def test_ctrl_c_while_nst_tf_loads_scipy_is_one_line(tmp_path):
    """After TensorFlow, ``import nst_tf`` loads scipy and more (about 6 s on a slow
    machine): a Ctrl-C then is one line, not a traceback. The signal is sent from an
    import hook the moment scipy.optimize is imported, not after a guessed delay."""
    script = (
        "import importlib.abc, os, signal, sys\n"
        "class Hook(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'scipy.optimize' and 'tensorflow' in sys.modules:\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "sys.meta_path.insert(0, Hook())\n"
        "from nst_tf.cli.main import main\n"
        "sys.exit(main(['--help']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 130, done.stderr
    _no_traceback(done.stderr)
    assert done.stderr.strip().splitlines() == [
        "nst_tf: stopped by SIGINT while starting nst_tf; nothing was written"
    ]


def test_signals_wait_while_a_result_is_saved(tmp_path):
    out = tmp_path / "o.png"

    def slow_save(path, overwrite):
        os.kill(os.getpid(), signal.SIGTERM)  # arrives in the middle of the save
        return save_image(np.zeros((1, 8, 8, 3), np.float32), path, overwrite)

    with pytest.raises(base_signals.Interrupted) as stopped:
        paths.save_result(slow_save, out, overwrite=False)
    assert stopped.value.exit_code == 143
    with Image.open(out) as image:  # complete: the signal waited for it
        image.verify()


# --- writes that fail ------------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path):
    """A 256 KiB tmpfs (needs root and mount; skipped where that is not possible)."""
    folder = tmp_path / "small"
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], capture_output=True)


def test_a_full_disk_keeps_the_previous_figure_byte_for_byte(full_disk):
    figure = full_disk / "figure.png"
    previous = nst_tf.save_figure(nst_tf.show_images([np.zeros((1, 8, 8, 3))]), figure)
    before = previous.read_bytes()
    noise = np.random.default_rng(0).uniform(size=(1, 400, 400, 3))
    with pytest.raises(OSError) as failed:
        nst_tf.save_figure(nst_tf.show_images([noise], panel_inches=8), figure, overwrite=True)
    assert failed.value.errno == errno.ENOSPC
    assert figure.read_bytes() == before
    assert [p.name for p in full_disk.iterdir()] == ["figure.png"], "no temporary file left"


def test_cli_keeps_a_finished_result_when_the_disk_is_full(full_disk, vgg_h5):
    out = full_disk / "big.png"
    free = os.statvfs(full_disk).f_bavail * os.statvfs(full_disk).f_frsize
    (full_disk / "filler").write_bytes(b"x" * (free - 4096))  # too little left for the result
    process = _nst_tf(
        "stylize", CONTENT, STYLE, "-o", out, "--size", 64, "--steps", 2, "--weights", vgg_h5
    )
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    _no_traceback(stderr)
    kept = Path(stderr.split("kept it in ")[1].split(")")[0].split()[0].rstrip(";"))
    assert kept.is_file() and not out.exists()
    with Image.open(kept) as image:
        image.verify()


def test_a_concurrent_writer_is_never_overwritten(tmp_path, monkeypatch):
    target = tmp_path / "o.png"
    real_check = safe_write.check_writable

    def another_program_writes_first(path, overwrite=False, what="output"):
        checked = real_check(path, overwrite, what)
        Path(path).write_bytes(b"theirs")  # appears between the check and the move
        return checked

    monkeypatch.setattr(safe_write, "check_writable", another_program_writes_first)
    with pytest.raises(safe_write.OutputExistsError, match="appeared while"):
        save_image(np.zeros((1, 8, 8, 3)), target)
    assert target.read_bytes() == b"theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.png"]


def test_overwrite_replaces_only_with_a_complete_file(tmp_path, monkeypatch):
    target = tmp_path / "o.png"
    target.write_bytes(b"previous")

    def disk_fails(handle):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(safe_write.os, "fsync", disk_fails)
    with pytest.raises(OSError, match="Input/output"):
        safe_write.write_file(target, b"new data", overwrite=True)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["o.png"], "no temporary file left"


@pytest.mark.parametrize("spelling", ["same", "dotdot", "symlink"])
def test_the_init_image_is_protected_from_being_the_output(tmp_path, spelling):
    image = tmp_path / "mine.png"
    image.write_bytes(Path(CONTENT).read_bytes())
    (tmp_path / "sub").mkdir()
    output = {
        "same": image,
        "dotdot": tmp_path / "sub" / ".." / "mine.png",
        "symlink": tmp_path / "link.png",
    }[spelling]
    if spelling == "symlink":
        output.symlink_to(image)
    code = cli.main(
        [
            "stylize",
            CONTENT,
            STYLE,
            "-o",
            str(output),
            "--init",
            str(image),
            "--overwrite",
            "--weights",
            "random",
        ]
    )
    assert code == 2
    assert image.read_bytes() == Path(CONTENT).read_bytes()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda out: out.mkdir(), "is a folder"),
        (lambda out: None, "is a file, not a folder"),
        (lambda out: None, "longer than this file system allows"),
    ],
    ids=["output-is-a-folder", "checkpoints-is-a-file", "name-too-long"],
)
def test_outputs_are_checked_before_any_work(tmp_path, monkeypatch, make, message):
    import nst_tf

    monkeypatch.setattr(nst_tf.optimize.transfer, "stylize", lambda *a, **k: pytest.fail("ran"))
    out = tmp_path / ("x" * 300 + ".png" if "long" in message else "out.png")
    args = ["stylize", CONTENT, STYLE, "-o", str(out), "--overwrite", "--weights", "random"]
    if "not a folder" in message:
        (tmp_path / "out_checkpoints").write_text("a file")
        args += ["--checkpoint-every", "2"]
    else:
        make(out)
    assert cli.main(args) == 2


# --- sizes that cannot fit -------------------------------------------------------------


def test_a_style_scale_that_cannot_fit_is_refused_before_the_run(tmp_path, capsys):
    code = cli.main(
        [
            "stylize",
            CONTENT,
            STYLE,
            "-o",
            str(tmp_path / "o.png"),
            "--size",
            "64",
            "--style-scale",
            "1000",
            "--weights",
            "random",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "would need about" in err and "--style-scale" in err


def test_a_huge_output_under_a_memory_limit_is_refused_not_crashed(tmp_path):
    big = tmp_path / "big.png"
    Image.new("RGB", (4000, 3000), "gray").save(big)
    limit = 10 * 2**30

    def limit_memory():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.monotonic()
    process = _nst_tf(
        "stylize",
        big,
        STYLE,
        "-o",
        tmp_path / "o.png",
        "--size",
        4000,
        "--weights",
        "random",
        preexec_fn=limit_memory,
    )
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 2, stderr
    assert "would need about" in stderr and time.monotonic() - started < 60
    _no_traceback(stderr)


def test_the_memory_estimate_follows_the_activations():
    from nst_tf.optimize.memory import BASE_BYTES, activation_bytes, estimate_peak

    one = estimate_peak((256, 256), 1, "block5_conv2")
    four = estimate_peak((256, 256), 4, "block5_conv2")
    assert one.peak > BASE_BYTES and four.optimised == pytest.approx(4 * one.optimised, rel=1e-6)
    # block1_conv1 of a 224 px image: 64 channels x 224 x 224 float32 values
    assert activation_bytes(224, 224, "block1_conv1") == 64 * 224 * 224 * 4


# --- the library refuses bad values at its edge ------------------------------------------


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nst_tf.gram_matrix(np.zeros((4, 4))), ValueError, "features must be activations"),
        (lambda: nst_tf.gram_matrix(np.zeros((1, 2, 2, 2, 2))), ValueError, "(batch, H, W, C)"),
        (
            lambda: nst_tf.content_loss(
                {"a": np.zeros((1, 2, 2, 3))}, {"a": np.zeros((1, 3, 2, 3))}
            ),
            ValueError,
            "does not match",
        ),
        (lambda: nst_tf.total_variation_loss(np.zeros((8, 8, 3))), ValueError, "images must have"),
        (lambda: load_image(CONTENT, max_size=0), ValueError, "max_size must be >= 1"),
        (lambda: load_image(42), TypeError, "source must be a path"),
        (
            lambda: save_image(np.full((1, 8, 8, 3), 255.0), "/tmp/never.png"),
            ValueError,
            "divide by 255",
        ),
        (
            lambda: nst_tf.stylize(np.zeros((1, 32, 32, 3)), [], weights="random"),
            ValueError,
            "at least one style image",
        ),
        (
            lambda: nst_tf.stylize(
                np.zeros((1, 32, 32, 3)), np.zeros((1, 32, 32, 3)), style_weight="1"
            ),
            TypeError,
            "style_weight must be a number",
        ),
        (
            lambda: nst_tf.FeatureExtractor(["block1_conv1"], weights="random")(
                np.zeros((1, 16, 16, 3), np.uint8)
            ),
            ValueError,
            "uint8 values",
        ),
        (
            lambda: nst_tf.FeatureExtractor(["block1_conv1"], pooling="min"),
            ValueError,
            "pooling must be one of",
        ),
        (
            lambda: nst_tf.weight_ratio_sweep(
                np.zeros((1, 32, 32, 3)), np.zeros((1, 32, 32, 3)), ratios=[0]
            ),
            ValueError,
            "ratios must be finite",
        ),
        (lambda: nst_tf.style_loss({}, {}, 16), ValueError, "no layers to sum"),
        (lambda: nst_tf.gram_matrix(np.zeros((1, 0, 0, 3))), ValueError, "are empty"),
        (lambda: load_image("~nouser_x9/x.png"), ValueError, "~nouser_x9 names no known user"),
        (lambda: nst_tf.load_vgg19(""), ValueError, "weights are an empty path"),
    ],
)
def test_library_misuse_names_the_argument(call, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_a_checkpoint_dir_that_is_a_file_is_refused_before_the_run(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("mine")
    image = np.full((1, 32, 32, 3), 0.5, np.float32)
    with pytest.raises(ValueError, match="checkpoint_dir .* is a file, not a folder"):
        nst_tf.stylize(image, image, weights="random", checkpoint_dir=taken, checkpoint_every=1)
    assert taken.read_text() == "mine"


def test_an_nst_tf_cache_that_is_a_file_names_the_variable(tmp_path, monkeypatch):
    from nst_tf.io.downloads import cache_dir

    (tmp_path / "cache").write_text("mine")
    monkeypatch.setenv("NST_TF_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ValueError, match="NST_TF_CACHE folder .* is a file"):
        cache_dir()


def test_the_demo_folder_a_broken_link_is_one_line_and_missing_parents_are_made(tmp_path, capsys):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "gone")
    assert cli.main(["demo", "-o", str(link), "--weights", "random"]) == 2
    err = capsys.readouterr().err
    assert "broken symbolic link" in err and err.count("\n") == 1, err
    deep = tmp_path / "a" / "b" / "c"
    quick = ["--size", "32", "--steps", "1", "--quiet", "--weights", "random"]
    assert cli.main(["demo", "-o", str(deep), *quick]) == 0, capsys.readouterr().err
    assert (deep / "stylized.png").is_file()


def test_options_are_refused_before_vgg19_is_built(monkeypatch):
    import nst_tf

    built = lambda *a: pytest.fail("VGG19 was built")  # noqa: E731
    monkeypatch.setattr(nst_tf.network.vgg, "_load_cached", built)
    image = np.zeros((1, 32, 32, 3), np.float32)
    with pytest.raises(ValueError, match="normalization must be one of"):
        nst_tf.stylize(image, image, normalization="bogus", weights="random")


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_pipe_or_device_is_refused_without_reading_it(tmp_path, kind):
    path = Path("/dev/zero") if kind == "device" else tmp_path / "pipe"
    if kind == "fifo":
        os.mkfifo(path)
    result = {}
    reader = threading.Thread(target=lambda: result.update(error=_error_of(load_image, path)))
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "load_image hung on a pipe"
    assert "not a regular file" in str(result["error"])


def _error_of(function, *args):
    try:
        function(*args)
    except Exception as exc:  # the test looks at which
        return exc
    return None


# --- messages that point the right way ---------------------------------------------------


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--seed", "-1"], "argument --seed: '-1' must be a whole number >= 0"),
        (["--size", "8"], "argument --size: 8 px is too small for layers up to block5_conv2"),
        (["--style-scale", "1e-9"], "style_scale 1e-09 makes a style image"),
        (["--weights", "/dev/null.h5"], "does not exist"),
    ],
)
def test_cli_messages_name_the_option_at_fault(tmp_path, capsys, extra, message):
    code = cli.main(
        ["stylize", CONTENT, STYLE, "-o", str(tmp_path / "o.png"), "--weights", "random", *extra]
    )
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err


@pytest.mark.parametrize("path", ["/dev/zero", "fifo"])
def test_cli_calls_a_pipe_or_device_what_it_is(tmp_path, capsys, path):
    if path == "fifo":
        path = tmp_path / "fifo"
        os.mkfifo(path)
    code = cli.main(["stylize", str(path), STYLE, "-o", str(tmp_path / "o.png")])
    assert code == 2 and "not a regular file" in capsys.readouterr().err


def test_a_foreign_weights_file_gives_one_line_not_a_flood_of_warnings(tmp_path):
    import keras

    foreign = tmp_path / "other.weights.h5"
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.save_weights(foreign)
    process = _nst_tf(
        "stylize", CONTENT, STYLE, "-o", tmp_path / "o.png", "--size", 32, "--weights", foreign
    )
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 2, stderr
    assert len(stderr.strip().splitlines()) == 1 and "Could not load VGG19 weights" in stderr


def test_unwritable_keras_home_names_the_folder_keras_really_uses(tmp_path, monkeypatch):

    home = tmp_path / "keras_home"
    home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(home))
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode: (not mode & os.W_OK or Path(p) != home) and real_access(p, mode),
    )
    assert (
        network_weights.imagenet_cache_path() == Path("/tmp/.keras") / network_weights.IMAGENET_FILE
    )
    monkeypatch.setattr(os, "access", real_access)
    assert network_weights.imagenet_cache_path() == home / "models" / network_weights.IMAGENET_FILE


class _NotAnImage(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the http.server name)
        body = b"<html>Not found</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_download_that_is_not_an_image_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("NST_TF_CACHE", str(tmp_path / "cache"))
    server = http.server.HTTPServer(("127.0.0.1", 0), _NotAnImage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/painting.jpg"
    try:
        for _ in range(2):  # the second time it is downloaded again, not read from the cache
            with pytest.raises(nst_tf.ImageError, match="removed from the cache"):
                load_image(url)
            assert not any((tmp_path / "cache").iterdir())
    finally:
        server.shutdown()
