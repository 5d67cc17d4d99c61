"""The nst-tf command: every error path with its exit code, and a small demo end to end."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import nst_tf
from nst_tf.cli import arguments as cli_arguments
from nst_tf.cli import demo as cli_demo
from nst_tf.cli import main as cli
from nst_tf.io.sample_images import bundled_image_path
from nst_tf.network import weights as network_weights
from nst_tf.objective import recompute as objective_recompute
from nst_tf.optimize import transfer
from nst_tf.optimize.run import Stop, StopReason

CONTENT = str(bundled_image_path("chelsea"))
STYLE = str(bundled_image_path("swirls"))
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture
def run(capsys, vgg_h5):
    """Run ``nst-tf ARGS`` in-process (fast, small, on the random-weights file)."""

    def _run(*args, weights=True):
        extra = ["--weights", str(vgg_h5)] if weights else []
        code = cli.main([*args, *extra])
        out, err = capsys.readouterr()
        assert "Traceback" not in err, err  # every failure is one line
        return code, out, err

    return _run


@pytest.fixture
def offline(no_imagenet):
    """Neither Keras's download host nor the package index answers; nothing is cached."""


def _small(*args):
    return [*args, "--size", "48", "--steps", "2", "--quiet"]


def test_stylize_writes_the_output(run, tmp_path):
    out = tmp_path / "out.png"
    code, stdout, _ = run(*_small("stylize", CONTENT, STYLE, "-o", str(out)))
    assert code == 0 and f"wrote {out}" in stdout
    with Image.open(out) as image:
        assert max(image.size) == 48


def test_existing_output_is_kept_unless_overwrite(run, tmp_path):
    out = tmp_path / "out.png"
    out.write_bytes(b"precious")
    code, _, err = run(*_small("stylize", CONTENT, STYLE, "-o", str(out)))
    assert code == 2 and "--overwrite" in err and out.read_bytes() == b"precious"
    code, _, _ = run(*_small("stylize", CONTENT, STYLE, "-o", str(out), "--overwrite"))
    assert code == 0 and out.read_bytes() != b"precious"


@pytest.mark.parametrize(
    "args, message",
    [
        (["stylize", "missing.jpg", STYLE, "-o", "{tmp}/o.png"], "missing.jpg: no such file"),
        (["stylize", CONTENT, "{tmp}", "-o", "{tmp}/o.png"], "is a directory"),
        (["stylize", CONTENT, STYLE, "-o", "{tmp}/nofolder/o.png"], "does not exist"),
        (["stylize", CONTENT, STYLE, "-o", "{tmp}/o.txt"], "use one of"),
        (["stylize", CONTENT, STYLE, "-o", "{tmp}/o.png", "--style-weight", "-1"], ">= 0"),
        (["stylize", CONTENT, STYLE, "-o", "{tmp}/o.png", "--tv-weight", "nan"], ">= 0"),
        (["stylize", CONTENT, STYLE, "-o", "{tmp}/o.png", "--content-weight", "x"], "not a number"),
        (
            ["stylize", CONTENT, STYLE, "-o", "{tmp}/o.png", "--style-layers", "conv1_1"],
            "Unknown VGG19 layer",
        ),
        (["stylize", CONTENT, STYLE, "-o", "{tmp}/o.png", "--steps", "0"], "whole number"),
        (["sweep", CONTENT, STYLE, "-o", "{tmp}/f.png", "--ratios", "1e-4,-2"], "numbers > 0"),
        (["sweep", CONTENT, STYLE, "-o", "{tmp}/f.png", "--ratios", "a,b"], "comma-separated"),
        (["sweep", CONTENT, STYLE, "-o", "{tmp}/f.jpg"], "must be a .png"),
        (["stylize", CONTENT, STYLE, "-o", "{tmp}/o.png", "--scales", "64,32"], "ascending"),
        (["stylize", CONTENT, STYLE], "required: -o/--output"),
        (["paint"], "invalid choice"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_arguments_get_one_line_and_exit_2(run, tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, stdout, err = run(*args, weights=False)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and err.startswith("nst-tf")


def test_output_equal_to_an_input_is_refused(run, tmp_path):
    content = tmp_path / "photo.png"
    content.write_bytes(Path(CONTENT).read_bytes())
    code, _, err = run(*_small("stylize", str(content), STYLE, "-o", str(content), "--overwrite"))
    assert code == 2 and "is also an input" in err
    assert content.read_bytes() == Path(CONTENT).read_bytes()


def test_unwritable_output_folder_is_refused(run, tmp_path, monkeypatch):
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: not mode & os.W_OK and real_access(p, mode))
    code, _, err = run(*_small("stylize", CONTENT, STYLE, "-o", str(tmp_path / "o.png")))
    assert code == 2 and "not writable" in err


@pytest.mark.parametrize("weights", ["nope.h5", "imagenett"])
def test_missing_weights_file_is_a_bad_argument(run, tmp_path, weights):
    code, _, err = run(
        *_small("stylize", CONTENT, STYLE, "-o", str(tmp_path / "o.png"), "--weights", weights),
        weights=False,
    )
    assert code == 2 and f"{weights} does not exist" in err and "'random'" in err


def test_weights_download_failure_exits_1_with_the_fixes(run, tmp_path, offline):
    code, _, err = run(
        *_small("stylize", CONTENT, STYLE, "-o", str(tmp_path / "o.png"), "--weights", "imagenet"),
        weights=False,
    )
    assert code == 1
    assert network_weights.IMAGENET_FILE in err and network_weights.WEIGHTS_ENV_VAR in err
    assert not (tmp_path / "o.png").exists()


def test_sweep_writes_a_figure_and_prints_the_table(run, tmp_path):
    out = tmp_path / "sweep.png"
    code, stdout, _ = run(*_small("sweep", CONTENT, STYLE, "-o", str(out), "--ratios", "1e-3,1e-1"))
    assert code == 0 and out.stat().st_size > 0 and "content/style" in stdout


def test_demo_runs_end_to_end_and_says_when_weights_are_random(run, tmp_path, offline):
    folder = tmp_path / "demo"
    code, stdout, err = run(
        "demo", "-o", str(folder), "--size", "48", "--steps", "2", "--quiet", weights=False
    )
    assert code == 0, err
    fallback = [line for line in err.splitlines() if "RANDOM" in line]
    assert len(fallback) == 1 and "continuing with RANDOM weights" in fallback[0]
    assert "nst-tf weights" in fallback[0] and "--weights PATH" in fallback[0]
    for name in ("stylized.png", "comparison.png", "ratio_sweep.png"):
        with Image.open(folder / name) as image:
            image.verify()
    code, _, err = run("demo", "-o", str(folder), "--size", "48", weights=False)
    assert code == 2 and "--overwrite" in err


def test_train_refuses_a_learning_rate_of_zero_before_anything_is_written(run, tmp_path):
    out = tmp_path / "net.keras"
    code, _, err = run(
        "train", STYLE, "--photos", str(tmp_path), "-o", str(out), "--learning-rate", "0"
    )
    assert code == 2 and "--learning-rate" in err and "> 0" in err
    assert not out.exists()


def test_stylize_refuses_a_style_scale_of_zero_as_a_usage_error(run, tmp_path):
    """--style-scale 0 (a style image of no pixels) is refused by argparse, naming the option."""
    out = tmp_path / "out.png"
    code, _, err = run("stylize", CONTENT, STYLE, "-o", str(out), "--style-scale", "0")
    assert code == 2 and "--style-scale" in err and "> 0" in err
    assert not out.exists()


def test_python_dash_m_and_help_work():
    done = subprocess.run(
        [sys.executable, "-m", "nst_tf", "stylize", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "--preserve-colors" in done.stdout


def test_demo_with_explicit_random_weights_still_announces_them(run, tmp_path):
    code, _, err = run(
        "demo",
        "-o",
        str(tmp_path / "d"),
        "--size",
        "48",
        "--steps",
        "1",
        "--quiet",
        "--weights",
        "random",
        weights=False,
    )
    assert code == 0 and "continuing with RANDOM" not in err
    assert err.count("nst-tf: warning: VGG19 uses RANDOM weights") == 1


def test_stylize_takes_auto_weights_too(run, tmp_path, offline):
    """'auto' is the library's: ImageNet, else random, announced once; any command."""

    out = tmp_path / "o.png"
    args = _small("stylize", CONTENT, STYLE, "-o", str(out), "--weights", "auto")
    code, _, err = run(*args, weights=False)
    assert code == 0 and out.is_file() and err.count("RANDOM") == 1


@pytest.mark.parametrize(
    "stop, code",
    [
        (Stop(StopReason.INTERRUPTED, 3), 130),
        (Stop(StopReason.NON_FINITE, 2, "the loss became NaN/Inf"), 1),
    ],
)
def test_stopped_runs_still_save_the_best_image(run, tmp_path, monkeypatch, stop, code):

    real = transfer.stylize
    reason = str(stop)

    def stopped(*args, **kwargs):
        result = real(*args, **kwargs)
        result.stop = stop
        return result

    monkeypatch.setattr(nst_tf.optimize.transfer, "stylize", stopped)
    out = tmp_path / "o.png"
    got, _, err = run(*_small("stylize", CONTENT, STYLE, "-o", str(out)))
    assert got == code and reason in err and out.is_file()


def test_cli_and_api_give_the_same_image_for_the_same_settings(run, tmp_path, vgg_h5):
    """One semantics: e.g. layer weights name:weight are used as given in both."""
    from nst_tf.io.images import load_image, to_uint8
    from nst_tf.optimize.transfer import stylize

    out = tmp_path / "cli.png"
    code, _, err = run(
        "stylize",
        CONTENT,
        STYLE,
        "-o",
        str(out),
        "--size",
        "48",
        "--steps",
        "3",
        "--style-layers",
        "block1_conv1:1,block2_conv1:3",
        "--init",
        "noise",
        "--seed",
        "3",
        "--optimizer",
        "adam",
        "--optimizer-options",
        "learning_rate=0.05",
        "--tv-weight",
        "10",
        "--quiet",
    )
    assert code == 0, err
    content, style = load_image(CONTENT, max_size=48), load_image(STYLE, max_size=64)  # as the CLI
    api = stylize(
        content,
        [style],
        style_layers={"block1_conv1": 1, "block2_conv1": 3},
        init="noise",
        seed=3,
        steps=3,
        optimizer="adam",
        tv_weight=10.0,
        optimizer_options={"learning_rate": 0.05},
        weights=str(vgg_h5),
        progress=False,
    )
    with Image.open(out) as saved:
        np.testing.assert_array_equal(np.asarray(saved), to_uint8(api.best_image))


def test_cli_layer_lists_follow_the_api_rule():
    parse = cli_arguments.layer_list
    assert parse("block1_conv1,block2_conv1") == ["block1_conv1", "block2_conv1"]
    assert parse("block1_conv1:1,block2_conv1:3") == {"block1_conv1": 1.0, "block2_conv1": 3.0}
    from nst_tf.objective.layer_weights import layer_weights

    assert layer_weights(parse("block1_conv1,block2_conv1")) == {
        "block1_conv1": 0.5,
        "block2_conv1": 0.5,
    }


def test_cli_choices_and_defaults_come_from_the_library():
    from nst_tf.objective.settings import LossSettings
    from nst_tf.optimize.optimizers import OPTIMIZERS

    stylize = next(a for a in cli.build_parser()._actions if a.dest == "command").choices["stylize"]
    actions = {a.dest: a for a in stylize._actions}
    assert list(actions["optimizer"].choices) == list(OPTIMIZERS)
    for name in ("content", "style", "tv"):
        assert actions[f"{name}_weight"].default == getattr(LossSettings(), f"{name}_weight")


def test_activations_are_chosen_on_the_command_line(run, tmp_path, monkeypatch):

    calls = []
    original = objective_recompute.value_and_gradient
    monkeypatch.setattr(
        nst_tf.objective.recompute, "value_and_gradient", lambda *a: calls.append(1) or original(*a)
    )
    out = tmp_path / "lean.png"
    code, _, _ = run(
        *_small("stylize", CONTENT, STYLE, "-o", str(out), "--activations", "recompute")
    )
    assert code == 0 and out.is_file() and calls  # the recomputing path ran
    code, _, err = run(*_small("stylize", CONTENT, STYLE, "-o", str(out), "--activations", "x"))
    assert code == 2 and "--activations" in err and "invalid choice" in err


def test_running_the_quick_start_again_keeps_the_first_results(run, tmp_path, monkeypatch):
    """`nst-tf demo` a second time (the README's quick start) writes a new folder."""
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        code, stdout, err = run("demo", "--size", "48", "--steps", "1", "--quiet")
        assert code == 0, err
    for folder in ("nst_tf_demo", "nst_tf_demo-2"):
        assert all((tmp_path / folder / name).is_file() for name in cli_demo.DEMO_FILES)
    assert "nst_tf_demo-2" in stdout


def test_mistakes_on_the_command_line_are_said_in_korean_in_korean(tmp_path, capsys, monkeypatch):
    """NST_TF_LANG=ko: every error line is Korean (a hostile user's try found English
    errors, argparse's own and the stop line among them); the values stay as given."""
    monkeypatch.setenv("NST_TF_LANG", "ko")
    taken = tmp_path / "taken.png"
    taken.write_bytes(Image.open(CONTENT).tobytes()[:10])
    (tmp_path / "notes.png").write_text("not a photo")
    network = tmp_path / "none.keras"
    mistakes = [
        ["stylize"],
        ["stylize", CONTENT, STYLE, "-o", str(tmp_path / "o.png"), "--bogus"],
        ["stylize", CONTENT, STYLE, "-o", str(tmp_path / "o.png"), "--steps", "0"],
        ["stylize", CONTENT, STYLE, "-o", str(tmp_path / "o.png"), "--optimizer", "x"],
        ["stylize", CONTENT, STYLE, "-o", str(taken)],  # exists
        ["stylize", CONTENT, STYLE, "-o", CONTENT, "--overwrite"],  # an input
        ["stylize", str(tmp_path / "missing.png"), STYLE, "-o", str(tmp_path / "o.png")],
        ["stylize", str(tmp_path / "notes.png"), STYLE, "-o", str(tmp_path / "o.png")],
        ["stylize", CONTENT, STYLE, "-o", str(tmp_path / "no" / "o.png")],
        ["train", STYLE, "--photos", str(tmp_path), "-o", str(network), "--resume"],
        ["train", STYLE, "--photos", str(tmp_path / "x"), "-o", str(network), "--size", "8"],
        ["apply", CONTENT, CONTENT, "-o", str(tmp_path / "o.png")],  # not a network
    ]
    for arguments in mistakes:
        assert cli.main(arguments) == 2, arguments
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines and all(HANGUL.search(line) for line in lines), (arguments, err)
