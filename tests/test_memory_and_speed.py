"""Recomputed activations (same gradient, less memory), the memory estimate against
measured peaks, how ``activations="auto"`` chooses, and L-BFGS's scaled first step.

Speed itself is measured by ``benchmarks/benchmark.py``, never here."""

import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
import tensorflow as tf

import nst_tf
import nst_tf.optimize.memory
import nst_tf.optimize.optimizers
import nst_tf.optimize.run
import nst_tf.optimize.settings
import nst_tf.optimize.transfer
from nst_tf.base import language
from nst_tf.base.language import tr
from nst_tf.network.features import shared_extractor
from nst_tf.network.vgg import NetworkSettings
from nst_tf.objective.objective import Objective
from nst_tf.objective.recompute import SEGMENT_ENDS, segments, strip_bounds
from nst_tf.objective.settings import LossSettings
from nst_tf.optimize import memory, optimizers, transfer
from nst_tf.optimize import settings as settings_module
from nst_tf.optimize.memory import RecomputeNotice, TooLargeError, choose_activations
from nst_tf.optimize.optimizers import state_bytes

pytestmark = pytest.mark.filterwarnings("ignore::nst_tf.network.weights.RandomWeightsWarning")


def _objectives(content, style, precision="float32"):
    loss = LossSettings(
        content_weight=[0.025, 1.0],
        style_layers={"block1_conv1": 2.0, "block3_conv1": 1.0, "block5_conv1": 0.5},
    )
    extractor = shared_extractor(loss.layers, NetworkSettings("random", precision=precision))
    return (
        Objective(extractor, loss, content, [style], recompute=again) for again in (False, True)
    )


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_recomputed_activations_give_the_same_loss_and_gradient(content, style, rng, precision):
    kept, recomputed = _objectives(content, style, precision)
    noisy = np.clip(np.repeat(content, 2, 0) + rng.normal(0, 0.1, (2, *content.shape[1:])), 0, 1)
    images = noisy.astype(np.float32)
    parts, gradient = kept.value_and_gradient(images)
    parts_again, gradient_again = recomputed.value_and_gradient(images)
    for name in ("total", "content", "style", "tv"):
        np.testing.assert_allclose(getattr(parts_again, name), getattr(parts, name), rtol=1e-5)
    scale = np.abs(gradient.numpy()).max()
    assert scale > 0
    np.testing.assert_allclose(gradient_again.numpy(), gradient.numpy(), atol=1e-5 * scale)


def test_recomputed_activations_give_the_same_guided_loss_and_gradient(content, style, rng):
    loss = LossSettings(style_layers=["block1_conv1", "block2_conv1", "block4_conv1"])
    extractor = shared_extractor(loss.layers, NetworkSettings("random"))
    left = np.zeros((1, *content.shape[1:3], 1), np.float32)
    left[:, :, : content.shape[2] // 3] = 1.0
    kept, recomputed = (
        Objective(extractor, loss, content, [style, style[:, ::-1]], [left, 1 - left], None, again)
        for again in (False, True)
    )
    images = np.clip(content + rng.normal(0, 0.1, content.shape), 0, 1).astype(np.float32)
    parts, gradient = kept.value_and_gradient(images)
    parts_again, gradient_again = recomputed.value_and_gradient(images)
    np.testing.assert_allclose(parts_again.style, parts.style, rtol=1e-5)
    np.testing.assert_allclose(parts_again.total, parts.total, rtol=1e-5)
    scale = np.abs(gradient.numpy()).max()
    np.testing.assert_allclose(gradient_again.numpy(), gradient.numpy(), atol=1e-5 * scale)


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_strips_give_the_same_gradient_as_the_whole_image(monkeypatch, style, rng, precision):
    # An odd height (the pools drop the last row), content at two depths, guided style:
    # strips of a few rows each, so every segment's backward pass is cut many times.
    monkeypatch.setattr(nst_tf.objective.recompute, "STRIP_BYTES", 1)
    loss = LossSettings(
        content_layers=["block2_conv2", "block4_conv1"],
        style_layers=["block1_conv1", "block3_conv2", "block5_conv1"],
    )
    extractor = shared_extractor(loss.layers, NetworkSettings("random", precision=precision))
    images = rng.uniform(0, 1, (2, 67, 45, 3)).astype(np.float32)
    top = np.zeros((1, 67, 45, 1), np.float32)
    top[:, :30] = 1.0
    kept, strips = (
        Objective(extractor, loss, images[:1], [style, style[:, ::-1]], [top, 1 - top], None, a)
        for a in (False, True)
    )
    parts, gradient = kept.value_and_gradient(images)
    parts_again, gradient_again = strips.value_and_gradient(images)
    np.testing.assert_allclose(parts_again.total, parts.total, rtol=1e-5)
    scale = np.abs(gradient.numpy()).max()
    # bfloat16 keeps 8 bits: the strips' overlapping margins add in another order
    tolerance = 1e-5 if precision == "float32" else 1e-2
    np.testing.assert_allclose(gradient_again.numpy(), gradient.numpy(), atol=tolerance * scale)


@pytest.mark.parametrize("height, rows, stride", [(67, 8, 2), (64, 64, 2), (10, 3, 1), (5, 100, 2)])
def test_strips_cover_every_row_once_and_start_where_the_pool_pairs_rows(height, rows, stride):
    strips = strip_bounds(height, rows, stride)
    covered = [row for start, stop in strips for row in range(start, stop)]
    assert covered == list(range(height))
    assert all(start % stride == 0 for start, _ in strips)
    assert max(stop - start for start, stop in strips) <= rows + stride - 1


def test_segments_cover_the_network_up_to_the_deepest_layer_in_order(content, style):
    kept, _ = _objectives(content, style)
    cut = segments(kept.extractor)
    layers = [layer.name for segment in cut for layer in segment.layers]
    assert layers == [layer.name for layer in kept.extractor.network_layers]
    assert layers[-1] == "block5_conv2" and cut[0].first and not any(s.first for s in cut[1:])
    assert all(segment.layers[-1].name in SEGMENT_ENDS for segment in cut[:-1])
    assert sorted(name for s in cut for name in s.kept) == sorted(kept.extractor.layers)


def test_stylize_with_recomputed_activations_follows_the_same_path(content, style):
    runs = [
        nst_tf.stylize(content, style, steps=3, weights="random", progress=False, activations=a)
        for a in ("keep", "recompute")
    ]
    np.testing.assert_allclose(runs[1].history["total"], runs[0].history["total"], rtol=1e-4)


def _estimates(keep_gib, recompute_gib):
    return lambda recompute: memory.Estimate(
        int((recompute_gib if recompute else keep_gib) * 2**30), 0, 0
    )


def test_auto_keeps_activations_when_the_run_fits(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 4 * 2**30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert choose_activations("auto", _estimates(3, 2), "This run") is False


def test_auto_recomputes_when_only_that_fits_and_says_so(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 4 * 2**30)
    with pytest.warns(RecomputeNotice, match=r"needs about 6.0 GiB .* recomputed"):
        assert choose_activations("auto", _estimates(6, 3), "This run") is True


def test_the_recompute_notice_speaks_korean_in_a_korean_lesson(monkeypatch):
    """A Korean class sees the notice in Korean, "이 실행" included (it was English only)."""
    monkeypatch.setattr(memory, "available_bytes", lambda: 4 * 2**30)
    monkeypatch.setattr(language, "_chosen", "ko")
    with pytest.warns(RecomputeNotice) as caught:
        choose_activations("auto", _estimates(6, 3), tr("이 실행", "This run"))
    message = str(caught[0].message)
    assert message.startswith("이 실행에는") and "다시 계산" in message, message
    assert not re.search(r"[A-Za-z]{4,}", message.replace("GiB", "")), message


@pytest.mark.parametrize(
    "activations, hint",
    [
        ("auto", "--style-scale"),
        ("recompute", "--style-scale"),
        ("keep", "--activations recompute"),
    ],
)
def test_a_run_that_fits_no_way_is_refused_with_what_to_change(monkeypatch, activations, hint):
    monkeypatch.setattr(memory, "available_bytes", lambda: 2 * 2**30)
    with pytest.raises(TooLargeError, match="would need about") as refused:
        choose_activations(activations, _estimates(6, 3), "This run")
    assert hint in str(refused.value) and "--size" in str(refused.value)
    assert ("--activations" in str(refused.value)) == (activations == "keep")


def test_an_explicit_choice_is_kept_when_it_fits(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 8 * 2**30)
    assert choose_activations("recompute", _estimates(6, 3), "This run") is True
    assert choose_activations("keep", _estimates(6, 3), "This run") is False


GIB = 2**30


def _fake_cgroups(tmp_path, monkeypatch, proc_line: str, groups: dict) -> None:
    """A /sys/fs/cgroup of ``groups`` ({folder: {file: text}}) and a /proc/self/cgroup."""
    for folder, files in groups.items():
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (tmp_path / folder / name).write_text(text)
    (tmp_path / "proc_cgroup").write_text(proc_line)
    monkeypatch.setattr(memory, "CGROUP_ROOT", tmp_path)
    monkeypatch.setattr(memory, "PROC_CGROUP", tmp_path / "proc_cgroup")


def test_a_cgroup_v2_limit_is_the_room_left_in_it(tmp_path, monkeypatch):
    group = {
        "memory.max": f"{GIB}\n",
        "memory.current": f"{GIB // 4}\n",
        "memory.stat": f"anon 1\ninactive_file {GIB // 8}\n",
    }
    _fake_cgroups(tmp_path, monkeypatch, "0::/user/alice\n", {"user/alice": group})
    assert memory.cgroup_room() == GIB - GIB // 4 + GIB // 8


def test_a_cgroup_v1_limit_and_a_tighter_parent(tmp_path, monkeypatch):
    no_limit = {"memory.limit_in_bytes": "9223372036854771712", "memory.usage_in_bytes": "5"}
    parent = {"memory.limit_in_bytes": str(2 * GIB), "memory.usage_in_bytes": str(GIB + 7)}
    _fake_cgroups(
        tmp_path,
        monkeypatch,
        "5:cpu:/\n4:memory:/pod/box\n0::/\n",
        {"memory/pod/box": no_limit, "memory/pod": parent, "memory": no_limit},
    )
    assert memory.cgroup_room() == GIB - 7


def test_a_host_path_inside_a_container_reads_the_containers_own_group(tmp_path, monkeypatch):
    group = {"memory.max": str(GIB), "memory.current": "0"}
    _fake_cgroups(tmp_path, monkeypatch, "0::/kubepods/pod-1234/abc\n", {".": group})
    assert memory.cgroup_room() == GIB


@pytest.mark.parametrize("limit", ["max\n", "9223372036854771712\n"])
def test_no_cgroup_limit_leaves_the_hosts_memory_to_decide(tmp_path, monkeypatch, limit):
    _fake_cgroups(
        tmp_path, monkeypatch, "0::/\n", {".": {"memory.max": limit, "memory.current": "9"}}
    )
    assert memory.cgroup_room() is None
    monkeypatch.setattr(memory, "PROC_CGROUP", tmp_path / "no such file")
    assert memory.cgroup_room() is None


def test_a_1_gib_container_refuses_a_1024_px_run_before_it_starts(tmp_path, monkeypatch):
    """The issue's case: a pod limited to 1 GiB on a larger host (the kernel was killed)."""
    group = {"memory.max": str(GIB), "memory.current": str(GIB // 2)}
    _fake_cgroups(tmp_path, monkeypatch, "0::/\n", {".": group})
    monkeypatch.setattr(memory, "_own_rss", lambda: 100 * 2**20)  # counted in the group's use
    assert memory.available_bytes() == GIB // 2 + 100 * 2**20
    photo = np.zeros((1, 1024, 1024, 3), "float32")
    with pytest.raises(TooLargeError, match="would need about"):
        nst_tf.stylize(photo, photo, weights="random", steps=1, scales=None, progress=False)


def test_activations_is_checked_where_it_is_made():
    with pytest.raises(ValueError, match="activations"):
        settings_module.RunSettings(activations="sometimes")


def test_the_estimate_counts_the_optimizers_memory():
    lbfgs = state_bytes("lbfgs", {"memory": 20, "first_step": 1.0}, 1000)
    assert lbfgs == (2 * 20 + 12) * 1000 * 8  # past steps and gradient changes, float64
    with_state = memory.estimate_peak((256, 256), 1, "block5_conv2", optimizer_state=lbfgs)
    without = memory.estimate_peak((256, 256), 1, "block5_conv2")
    assert with_state.peak - without.peak == lbfgs
    lean = memory.estimate_peak((256, 256), 1, "block5_conv2", recompute=True)
    assert lean.optimised < without.optimised


PEAK_PROBE = """
import warnings; warnings.simplefilter("ignore")
import nst_tf
from nst_tf.io.images import fit_long_side
from nst_tf.optimize import transfer
from nst_tf.optimize.settings import TransferSettings
content = fit_long_side(nst_tf.load_image(nst_tf.bundled_image_path("chelsea"), max_size=None), 256)
style = fit_long_side(nst_tf.load_image(nst_tf.bundled_image_path("swirls"), max_size=None), 256)
settings = TransferSettings.make(
    activations={activations!r}, weights="random", steps=25, progress=False, scales=None
)
plan = settings.run.scale_plan.plan(256, 25)
estimate = transfer._memory_estimate(
    content, [style], plan, settings.loss, settings.run, {activations!r} == "recompute"
)
nst_tf.stylize(content, style, settings)
peak = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(estimate.peak, peak)
"""


@pytest.mark.parametrize("activations", ["keep", "recompute"])
def test_the_estimate_covers_the_measured_peak_within_a_third(activations):
    """A fresh process's peak resident memory (256 px, 25 L-BFGS steps, so its memory of
    past steps is full) lies between 75 % and 100 % of the estimate."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_PROBE.format(activations=activations)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    estimate, peak = map(int, done.stdout.split()[-2:])
    assert 0.75 * estimate <= peak <= estimate, (peak / 2**20, estimate / 2**20)


def _first_step_runs(content, style, first_steps, steps=8):
    return [
        nst_tf.stylize(
            content,
            style,
            steps=steps,
            weights="random",
            progress=False,
            optimizer_options={"first_step": first},
        ).history["total"][-1]
        for first in first_steps
    ]


@pytest.mark.parametrize("pair", [("chelsea", "swirls"), ("rocket", "mosaic")])
def test_the_scaled_first_step_never_ends_worse_than_plain_lbfgs(pair):
    """``first_step=max|gradient|`` undoes the scaling: plain L-BFGS-B, whose first trial
    step is the raw gradient. The default must end no worse on the same budget."""
    content, style = (
        nst_tf.load_image(nst_tf.bundled_image_path(name), max_size=64) for name in pair
    )
    loss = LossSettings()
    objective = Objective(
        shared_extractor(loss.layers, NetworkSettings("random")), loss, content, [style]
    )
    plain = float(np.abs(objective.value_and_gradient(content)[1].numpy()).max())
    scaled, unscaled = _first_step_runs(content, style, [1.0, plain])
    assert scaled <= unscaled


def test_the_first_step_moves_the_steepest_pixel_by_first_step(content, style):
    """After one evaluation at the start, the first trial point differs from the start by
    at most ``first_step`` at any pixel (and exactly that before the [0, 1] bounds)."""
    seen = []
    loss = LossSettings()
    objective = Objective(
        shared_extractor(loss.layers, NetworkSettings("random")), loss, content, [style]
    )
    original = objective.value_and_gradient

    def spy(images):
        seen.append(np.array(images))
        return original(images)

    objective.value_and_gradient = spy
    from nst_tf.optimize.reporting import Reporter, Reporting
    from nst_tf.optimize.run import run

    run(
        objective,
        content,
        "lbfgs",
        {"memory": 20, "first_step": 0.05},
        1,
        Reporter(Reporting(progress=False), 1, "t"),
    )
    moved = np.abs(seen[1] - seen[0]).max()
    assert 0.0 < moved <= 0.05 + 1e-6
    assert tf.reduce_all(tf.equal(seen[0], content))


def test_a_new_run_reuses_the_compiled_step(content, style):
    """tf.function tells Python arguments apart by identity: equal loss terms must be one
    object, or every run (scale, ratio) pays a new trace."""
    from nst_tf.objective.objective import _compiled_steps

    def traces() -> int:
        return sum(step.experimental_get_tracing_count() for step in _compiled_steps.values())

    nst_tf.stylize(content, style, steps=1, weights="random", progress=False)
    traced, steps = traces(), len(_compiled_steps)
    nst_tf.stylize(content, style, steps=1, weights="random", progress=False, style_weight=2.0)
    assert traces() == traced and len(_compiled_steps) == steps


def test_runs_with_other_layers_print_no_retracing_warning(content, capfd):
    """Lesson 1 rebuilds the photo from five layers in a row: five term sets. TensorFlow
    warned "5 out of the last 5 calls ... triggered tf.function retracing"."""
    for layer in ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"):
        nst_tf.reconstruct_content(
            content, layer, weights="random", steps=1, scales=None, progress=False
        )
    assert "retracing" not in capfd.readouterr().err


def _box_problem(seed=0, n=300):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, n)) / np.sqrt(n)
    hessian, target = a @ a.T + 0.1 * np.eye(n), rng.normal(0.5, 1.0, n)  # optimum outside

    def value_and_grad(x):
        d = x - target
        return 0.5 * d @ hessian @ d, hessian @ d

    return value_and_grad, rng.uniform(0, 1, n)


def _recorder(seen):
    def after_iteration(intermediate_result):  # the name scipy looks for
        seen.append(intermediate_result.x.copy())

    return after_iteration


def test_the_direct_lbfgsb_call_takes_scipys_iterates_exactly(monkeypatch):
    """`minimize_in_unit_box` calls scipy's L-BFGS-B routine with the bound arrays (its
    public path converts them value by value in Python); the iterates must be scipy's."""
    import nst_tf

    assert optimizers._lbfgsb_routine_known()  # the fast path is the one tested here
    runs = []
    for known in (True, False):
        monkeypatch.setattr(
            nst_tf.optimize.optimizers, "_lbfgsb_routine_known", lambda known=known: known
        )
        value_and_grad, x0 = _box_problem()
        seen = []
        x, message = optimizers.minimize_in_unit_box(value_and_grad, x0, 12, 5, _recorder(seen))
        runs.append((x, message, seen))
    (x, message, seen), (x_scipy, message_scipy, seen_scipy) = runs
    assert len(seen) == len(seen_scipy) == 12 and message == message_scipy
    np.testing.assert_array_equal(np.array(seen), np.array(seen_scipy))
    np.testing.assert_array_equal(x, x_scipy)
    assert x.min() >= 0 and x.max() <= 1 and (x == 1).any()


def test_stylize_recomputes_when_only_that_fits_and_gets_the_same_run(content, style, monkeypatch):
    """`stylize`'s own estimate decides: with memory for the recomputing run only, "auto"
    recomputes (and says so), and the run is the one that keeps activations."""
    settings = settings_module.TransferSettings.make(steps=3, weights="random", progress=False)
    plan = settings.run.scale_plan.plan(max(content.shape[1:3]), 3)
    keep, lean = (
        transfer._memory_estimate(content, [style], plan, settings.loss, settings.run, again)
        for again in (False, True)
    )
    assert lean.peak < keep.peak
    kept = nst_tf.stylize(content, style, settings.replace(activations="keep"))
    monkeypatch.setattr(memory, "available_bytes", lambda: (keep.peak + lean.peak) // 2)
    with pytest.warns(RecomputeNotice):
        auto = nst_tf.stylize(content, style, settings)
    np.testing.assert_allclose(auto.history["total"], kept.history["total"], rtol=1e-4)


def test_recomputing_traces_each_segment_once_without_retracing_warnings(content, style, caplog):
    """One compiled forward and backward per segment: a function shared by the segments
    was traced again for each, and TensorFlow printed a retracing warning to the user;
    so did six segments traced at each new size of a coarse-to-fine run (TensorFlow
    counted them as one function)."""
    with caplog.at_level("WARNING"):
        for extra in ({"steps": 2}, {"steps": 3}, {"steps": 2, "scales": [32, 48]}):
            nst_tf.stylize(
                content,
                style,
                coarse_steps=2,
                weights="random",
                progress=False,
                activations="recompute",
                **extra,
            )
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]
