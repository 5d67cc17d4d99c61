"""The engine: losses fall, texture synthesis, content recovery, determinism, long runs."""

import math
import re

import numpy as np
import pytest
from PIL import Image

from nst_tf.io.images import load_image
from nst_tf.io.sample_images import bundled_image_path
from nst_tf.network.features import FeatureExtractor
from nst_tf.objective.gram import gram_matrix
from nst_tf.objective.objective import Objective
from nst_tf.objective.settings import LossSettings
from nst_tf.optimize.optimizers import OPTIMIZERS, check_optimizer, optimizer_defaults
from nst_tf.optimize.run import StopReason
from nst_tf.optimize.scales import ScalePlan
from nst_tf.optimize.settings import TransferSettings
from nst_tf.optimize.transfer import stylize

STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1"]


@pytest.fixture
def quick(vgg_h5):
    """Settings of a quick, quiet run on the seeded random VGG19 file."""
    return {"weights": str(vgg_h5), "progress": False, "seed": 1}


def _psnr(a, b) -> float:
    return float(10 * np.log10(1.0 / np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def test_loss_falls_over_a_short_lbfgs_run(content, style, quick):
    result = stylize(content, style, steps=8, **quick)
    assert result.completed and result.steps_done == 8
    assert result.image.shape == content.shape
    total = result.history["total"]
    assert total.shape == (8,) and total[-1] < 0.7 * total[0]
    assert set(result.history) == {"total", "content", "style", "tv"}


def test_bfloat16_run_lowers_the_loss_like_float32(content, style, quick):
    fast = stylize(content, style, steps=8, precision="bfloat16", **quick)
    exact = stylize(content, style, steps=8, **quick)
    assert fast.history["total"][-1] < 0.7 * fast.history["total"][0]
    assert fast.history["total"][-1] < 1.5 * exact.history["total"][-1]


def test_adam_with_the_tutorial_settings_lowers_the_loss(content, style, quick):
    result = stylize(content, style, steps=8, optimizer="adam", **quick)
    assert result.history["total"][-1] < result.history["total"][0]
    assert result.image.min() >= 0.0 and result.image.max() <= 1.0


def test_texture_synthesis_from_noise_cuts_the_gram_distance_by_90_percent(style, quick):
    # Style loss only, from white noise: the result must take on the style's statistics.
    noise = np.random.default_rng(1).uniform(size=style.shape).astype(np.float32)
    extractor = FeatureExtractor(STYLE_LAYERS, weights=quick["weights"])
    loss = LossSettings(
        content_weight=0.0,
        tv_weight=0.0,
        content_layers=["block1_conv1"],
        style_layers=STYLE_LAYERS,
    )
    objective = Objective(extractor, loss, style, [style])
    before = float(objective.loss_parts(noise).style[0])
    result = stylize(
        style,
        style,
        steps=25,
        init="noise",
        content_weight=0.0,
        tv_weight=0.0,
        style_layers=STYLE_LAYERS,
        **quick,
    )
    after = float(objective.loss_parts(result.best_image).style[0])
    assert after <= 0.1 * before


def test_content_only_at_a_shallow_layer_recovers_the_photo(content, style, quick):
    result = stylize(
        content,
        style,
        steps=30,
        init="noise",
        style_weight=0.0,
        tv_weight=0.0,
        content_layers=["block1_conv1"],
        **quick,
    )
    noise = np.random.default_rng(1).uniform(size=content.shape)
    assert _psnr(noise, content) < 10
    assert _psnr(result.best_image, content) > 30


def test_same_seed_same_output_bit_for_bit(content, style, quick):
    runs = [stylize(content, style, steps=4, init="noise", **quick) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].image, runs[1].image)
    np.testing.assert_array_equal(runs[0].history["total"], runs[1].history["total"])
    other = stylize(content, style, steps=4, init="noise", **{**quick, "seed": 2})
    assert not np.array_equal(other.image, runs[0].image)


def test_lbfgs_that_converges_early_says_so(content, style, quick):
    # Content loss only, starting at the content: the gradient is zero at once.
    result = stylize(content, style, steps=5, style_weight=0.0, tv_weight=0.0, **quick)
    assert result.completed and result.stop_reason.startswith("completed early, after 0 steps")
    assert result.stop.reason is StopReason.CONVERGED
    np.testing.assert_array_equal(result.image, content)


def test_ctrl_c_returns_the_best_image_so_far(content, style, quick):
    seen = []

    def interrupt_at_step_3(step):
        seen.append(step.step)
        if step.step == 3:
            raise KeyboardInterrupt

    result = stylize(
        content, style, steps=20, callback=interrupt_at_step_3, callback_every=1, **quick
    )
    assert result.stop_reason == "interrupted at step 3" and not result.completed
    assert result.stop.reason is StopReason.INTERRUPTED
    assert seen == [1, 2, 3] and result.steps_done == 3
    assert np.all(np.isfinite(result.best_image)) and result.best_image.shape == content.shape


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_injected_nan_stops_cleanly_keeping_the_last_good_image(
    content, style, quick, monkeypatch, optimizer
):
    real = Objective.value_and_gradient
    calls = {"n": 0}

    def nan_on_third_call(self, images):
        calls["n"] += 1
        parts, gradient = real(self, images)
        if calls["n"] >= 3:
            parts = parts._replace(total=parts.total * np.nan)
        return parts, gradient

    monkeypatch.setattr(Objective, "value_and_gradient", nan_on_third_call)
    result = stylize(content, style, steps=10, optimizer=optimizer, **quick)
    assert result.stop_reason.startswith("stopped: the loss or its gradient became NaN/Inf")
    assert result.stop.reason is StopReason.NON_FINITE
    assert np.all(np.isfinite(result.image)) and np.all(np.isfinite(result.best_image))
    assert result.steps_done < 10


def test_callback_and_atomic_checkpoints(content, style, quick, tmp_path):
    steps = []
    stylize(
        content,
        style,
        steps=6,
        callback=steps.append,
        callback_every=2,
        checkpoint_dir=tmp_path,
        checkpoint_every=3,
        **quick,
    )
    assert [s.step for s in steps] == [2, 4, 6]
    assert steps[0].images.shape == content.shape and "style" in steps[0].losses
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["scale1_64px_00003.png", "scale1_64px_00006.png"]
    for name in files:
        with Image.open(tmp_path / name) as image:
            assert image.size == (64, 43)


def test_coarse_to_fine_warms_up_at_each_coarser_scale(content, style, quick):
    result = stylize(content, style, steps=4, coarse_steps=2, scales=[32, 48], **quick)
    assert result.scales == [(32, 2), (48, 2), (64, 4)]  # the output's size is added
    assert result.image.shape == content.shape and result.steps_done == 8
    assert len(result.history["total"]) == 8


def test_a_run_stopped_at_a_coarser_size_still_returns_the_output_size(content, style, quick):
    def stop_at_the_first_size(step):
        raise KeyboardInterrupt  # as Ctrl-C during the 32 px pass

    result = stylize(
        content,
        style,
        steps=3,
        scales=[32],
        coarse_steps=2,
        callback=stop_at_the_first_size,
        callback_every=1,
        **quick,
    )
    assert result.stop.reason is StopReason.INTERRUPTED and result.steps_done == 1
    assert result.image.shape == result.best_image.shape == content.shape


def test_auto_scales_halve_twice_at_most_down_to_64_px_with_steps_at_the_output_size():
    assert ScalePlan().plan(256, 100) == [(64, 10), (128, 10), (256, 100)]  # the default
    assert ScalePlan("auto", coarse_steps=3).plan(1000, 50) == [(250, 3), (500, 3), (1000, 50)]
    assert ScalePlan().plan(2048, 5) == [(512, 10), (1024, 10), (2048, 5)]
    assert ScalePlan().plan(200, 5) == [(100, 10), (200, 5)]  # 50 px would be under 64
    assert ScalePlan("auto").plan(128, 7) == [(64, 10), (128, 7)]
    assert ScalePlan("auto").plan(126, 7) == [(126, 7)]  # its half would be under 64 px
    assert ScalePlan(None).plan(300, 10) == [(300, 10)]
    assert ScalePlan([32, 48], coarse_steps=3).plan(64, 10) == [(32, 3), (48, 3), (64, 10)]


def test_auto_scales_keep_a_wide_image_big_enough_for_the_layers(quick):
    wide = np.full((1, 40, 256, 3), 0.5, np.float32)  # 6.4:1; block5 needs 16 px
    plan = ScalePlan().plan(256, 5, smallest=math.ceil(16 * 256 / 40))
    assert plan == [(128, 10), (256, 5)]
    result = stylize(wide, wide, steps=1, coarse_steps=1, **quick)
    assert result.scales == [(128, 1), (256, 1)]


def test_several_styles_are_blended_by_weight(content, style, quick):
    mosaic = load_image(bundled_image_path("mosaic"), max_size=48)
    extractor = FeatureExtractor(STYLE_LAYERS, weights=quick["weights"])
    loss = LossSettings(style_layers=STYLE_LAYERS, content_layers=STYLE_LAYERS[:1])
    both = Objective(
        extractor,
        LossSettings(**{**_fields(loss), "style_blend": [3, 1]}),
        content,
        [style, mosaic],
    ).target("style")
    one = Objective(extractor, loss, content, [style]).target("style")
    other = Objective(extractor, loss, content, [mosaic]).target("style")
    for name in STYLE_LAYERS:
        np.testing.assert_allclose(both[name], 0.75 * one[name] + 0.25 * other[name], rtol=1e-5)
    result = stylize(content, [style, mosaic], style_blend=[0.5, 0.5], steps=2, **quick)
    assert result.completed
    with pytest.raises(ValueError, match="style_blend needs one weight per style image"):
        stylize(content, [style, mosaic], style_blend=[1.0], steps=1, **quick)
    with pytest.raises(ValueError, match="at least one style image"):
        stylize(content, [], steps=1, **quick)


def _fields(loss: LossSettings) -> dict:
    return {"style_layers": list(loss.style_layers), "content_layers": list(loss.content_layers)}


def test_style_targets_do_not_grow_with_the_style_image_size(content, quick):
    # A texture tiled 2x2 has 4x the positions but the same statistics: with the
    # per-position Gram targets both ask for the same style (up to border effects).
    tile = load_image(bundled_image_path("swirls"), max_size=48)
    tiled = np.tile(tile, (1, 2, 2, 1))
    extractor = FeatureExtractor(["block1_conv1"], weights=quick["weights"])
    loss = LossSettings(content_layers=["block1_conv1"], style_layers=["block1_conv1"])
    a = Objective(extractor, loss, content, [tile]).target("style")["block1_conv1"]
    b = Objective(extractor, loss, content, [tiled]).target("style")["block1_conv1"]
    assert float(np.abs(a - b).max() / np.abs(a).max()) < 0.05


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"content_weight": -1.0}, "content_weight must be finite"),
        ({"style_weight": float("nan")}, "style_weight must be finite"),
        ({"optimizer": "sgd"}, "optimizer must be one of 'lbfgs', 'adam'"),
        ({"init": "zeros"}, "init must be one of"),
        ({"steps": 0}, "steps must be >= 1"),
        ({"preserve_colors": "sepia"}, "preserve_colors"),
        ({"style_scale": 0.0}, "style_scale"),
        ({"scales": [64, 32]}, "ascending"),
        ({"coarse_steps": -2}, "coarse_steps must be >= 1"),
        ({"checkpoint_every": -1}, "checkpoint_every must be >= 0"),
        ({"content_layers": ["conv4_2"]}, "Unknown VGG19 layer"),
        ({"normalization": "bogus"}, "normalization must be one of"),
        ({"pooling": "min"}, "pooling must be one of 'max', 'avg'"),
        ({"precision": "float16"}, "precision must be one of"),
        ({"seed": -1}, "seed must be >= 0"),
        ({"optimizer": "adam", "optimizer_options": {"lr": 0.1}}, "no option.*learning_rate"),
        ({"optimizer_options": {"memory": 0}}, "memory must be a int > 0"),
    ],
)
def test_bad_settings_are_refused_when_made_before_any_work(settings, message):
    with pytest.raises(ValueError, match=message):
        TransferSettings.make(**settings)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"style_weight": "1"}, "style_weight must be a number"),
        ({"steps": 2.5}, "steps must be a whole number"),
        ({"steps": float("inf")}, "steps must be a whole number, not inf"),
        ({"steps": float("nan")}, "steps must be a whole number, not nan"),
        ({"seed": True}, "seed must be a whole number"),
        ({"callback": "print"}, "callback must be callable"),
        ({"progress": "yes"}, "progress must be True or False"),
        ({"optimizer_options": {"memory": "10"}}, "memory must be a number"),
        ({"stepz": 3}, "unknown setting.*'steps'"),
    ],
)
def test_settings_of_the_wrong_type_are_refused(settings, message):
    with pytest.raises(TypeError, match=message):
        TransferSettings.make(**settings)


def test_every_setting_group_is_reachable_by_keyword():
    settings = TransferSettings.make(
        style_weight=2.0,
        weights="random",
        seed=4,
        steps=7,
        scales=None,
        callback_every=3,
        optimizer="adam",
        optimizer_options={"learning_rate": 0.1},
    )
    assert settings.loss.term_weights["style"].tolist() == [2.0]
    assert settings.network.weights == "random" and settings.network.seed == 4
    assert (
        settings.run.seed == 4
        and settings.run.steps == 7
        and settings.run.scale_plan.scales is None
    )
    assert settings.run.hyper_parameters == {"learning_rate": 0.1, "beta_1": 0.99, "epsilon": 1e-3}
    assert settings.reporting.callback_every == 3


def test_optimizers_are_a_registry_with_their_hyper_parameters():
    assert set(OPTIMIZERS) == {"lbfgs", "adam"}
    assert optimizer_defaults("adam") == {"learning_rate": 0.02, "beta_1": 0.99, "epsilon": 1e-3}
    assert check_optimizer("lbfgs", {"memory": 5}) == {"memory": 5, "first_step": 1.0}


def test_an_optimizer_hyper_parameter_changes_the_run(content, style, quick):
    default = stylize(content, style, steps=3, optimizer="adam", **quick)
    faster = stylize(
        content, style, steps=3, optimizer="adam", optimizer_options={"learning_rate": 0.1}, **quick
    )
    first_step = np.abs(faster.history["total"][1] - default.history["total"][1])
    assert first_step > 0 and not np.allclose(faster.image, default.image)
    step_size = np.abs(faster.image - content).max()  # Adam's first steps move ~lr per pixel
    assert 0.15 < step_size <= 0.3 + 1e-6


def test_gatys_normalisation_end_to_end(content, style, quick):
    """stylize(normalization="gatys") minimises Σ_l ¼ Σ (G - A)² / (N_l M_l)², checked in numpy."""
    layers = ["block1_conv1", "block2_conv1"]
    result = stylize(
        content,
        style,
        steps=3,
        normalization="gatys",
        style_layers=layers,
        content_weight=0.0,
        tv_weight=0.0,
        **quick,
    )
    extractor = FeatureExtractor(layers, weights=quick["weights"])
    ours, theirs = extractor(result.image), extractor(style)
    direct = 0.0
    for name in layers:
        x, a = (np.asarray(f[name][0], np.float64) for f in (ours, theirs))
        grams = [f.reshape(-1, f.shape[-1]).T @ f.reshape(-1, f.shape[-1]) for f in (x, a)]
        n, m_x, m_a = x.shape[-1], x.shape[0] * x.shape[1], a.shape[0] * a.shape[1]
        direct += 0.5 * np.sum((grams[0] / (n * m_x) - grams[1] / (n * m_a)) ** 2) / 4
    np.testing.assert_allclose(result.history["style"][-1], direct, rtol=1e-3)
    assert result.history["style"][-1] < result.history["style"][0]


def test_style_target_is_the_normalised_gram_of_the_style(content, style, quick):
    extractor = FeatureExtractor(["block2_conv1"], weights=quick["weights"])
    loss = LossSettings(content_layers=["block2_conv1"], style_layers=["block2_conv1"])
    target = Objective(extractor, loss, content, [style]).target("style")["block2_conv1"]
    pixels = style.shape[1] * style.shape[2]
    expected = gram_matrix(extractor(style)["block2_conv1"], "keras", image_pixels=pixels)
    np.testing.assert_allclose(target, expected, rtol=1e-6)


@pytest.mark.parametrize(
    "image, message",
    [
        (np.zeros((1, 32, 32, 3), np.uint8), "uint8 values"),
        (np.full((1, 32, 32, 3), 255.0), "outside \\[0, 1\\]"),
        (np.full((1, 32, 32, 3), np.nan), "NaN"),
        (np.zeros((2, 32, 32, 3)), "one \\[0, 1\\] RGB image"),
        (np.zeros((1, 32, 32)), "one \\[0, 1\\] RGB image"),
    ],
    ids=["uint8", "0-255", "nan", "batch", "gray"],
)
def test_unusable_input_images_are_explained(image, message, style, quick):
    with pytest.raises(ValueError, match=message):
        stylize(image, style, steps=1, **quick)


@pytest.mark.parametrize(
    "content_size, keywords, cause",
    [
        (8, {}, "the content image is 8x8, too small for layers up to block5_conv2"),
        (8, {}, "use a larger content image"),
        (
            64,
            {"scales": [16], "style_layers": ["block5_pool"], "content_layers": ["block5_pool"]},
            "start the scales at",
        ),
        (64, {"style_scale": 0.1}, "use a larger style_scale"),
    ],
    ids=["tiny content", "tiny content: fix", "scales too small", "style_scale too small"],
)
def test_too_small_for_the_layers_names_the_real_cause(content_size, keywords, cause):
    image = np.full((1, 64, 64, 3), 0.5, np.float32)
    with pytest.raises(ValueError, match=re.escape(cause)) as refused:
        stylize(image[:, :content_size, :content_size], image, weights="random", **keywords)
    if "style_scale" not in keywords:
        assert "style_scale" not in str(refused.value)
