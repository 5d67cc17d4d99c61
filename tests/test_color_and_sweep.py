"""Colour preservation (Gatys et al. 2017) and the slide-8 weight-ratio sweep."""

import matplotlib
import numpy as np
import pytest

from nst_tf.io import color as io_color
from nst_tf.optimize.sweep import (
    DEFAULT_RATIOS,
    _joined_history,
    _last_finite,
    check_ratios,
    weight_ratio_sweep,
)
from nst_tf.optimize.transfer import stylize

matplotlib.use("Agg")


def test_yiq_round_trip_and_gray_has_no_chroma(rng):
    rgb = rng.uniform(size=(5, 7, 3))
    np.testing.assert_allclose(io_color.yiq_to_rgb(io_color.rgb_to_yiq(rgb)), rgb, atol=1e-6)
    gray = io_color.rgb_to_yiq(np.full((2, 2, 3), 0.4))
    np.testing.assert_allclose(gray[..., 0], 0.4, atol=1e-6)
    np.testing.assert_allclose(gray[..., 1:], 0.0, atol=1e-6)


def test_histogram_matching_gives_the_style_the_contents_mean_and_covariance(rng):
    # Smooth, mid-range colours so that no clipping disturbs the exact statistics.
    content = 0.5 + 0.1 * rng.normal(size=(1, 40, 40, 3)) @ np.array(
        [[1.0, 0.3, 0.0], [0.0, 0.8, 0.2], [0.1, 0.0, 0.5]]
    )
    style = 0.4 + 0.05 * rng.normal(size=(1, 30, 50, 3))
    matched = io_color.match_color_histogram(style, np.clip(content, 0, 1))
    mc, cc = io_color._color_stats(np.clip(content, 0, 1))
    mm, cm = io_color._color_stats(matched)
    np.testing.assert_allclose(mm, mc, atol=2e-3)
    np.testing.assert_allclose(cm, cc, atol=2e-4)
    assert matched.shape == style.shape


def test_luminance_only_transfer_keeps_the_contents_chroma(content, style, vgg_h5):
    result = stylize(
        content, style, steps=4, preserve_colors="luminance", weights=str(vgg_h5), progress=False
    )
    got, want = io_color.rgb_to_yiq(result.best_image), io_color.rgb_to_yiq(content)
    inside = np.all((result.best_image > 0.01) & (result.best_image < 0.99), axis=-1)
    assert inside.mean() > 0.8  # clipping at the gamut's edge is the only allowed change
    np.testing.assert_allclose(got[..., 1:][inside], want[..., 1:][inside], atol=2e-3)
    assert not np.allclose(got[..., 0], want[..., 0], atol=1e-2)  # luminance did change


def test_histogram_mode_is_a_transfer_to_the_colour_matched_style(content, style, vgg_h5):
    quick = {"steps": 3, "weights": str(vgg_h5), "progress": False}
    result = stylize(content, style, preserve_colors="histogram", **quick)
    matched = io_color.match_color_histogram(style, content)
    by_hand = stylize(content, matched, **quick)
    np.testing.assert_array_equal(result.best_image, by_hand.best_image)
    assert not np.allclose(matched, style, atol=0.05), "the style's colours really changed"
    plain = stylize(content, style, **quick)
    assert not np.array_equal(result.best_image, plain.best_image)


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "one-by-one"])
def test_sweep_gives_one_image_per_ratio_and_more_content_weight_less_content_loss(
    content, style, vgg_h5, batched
):
    # 10 steps: after 5, the two most style-heavy results are within 1 % of each other
    # and their order is the line search's noise
    result = weight_ratio_sweep(
        content, style, batched=batched, steps=10, weights=str(vgg_h5), progress=False
    )
    assert result.ratios == list(DEFAULT_RATIOS) and result.batched is batched
    assert result.images.shape == (4, *content.shape[1:])
    assert result.history["content"].shape == (10, 4)
    assert np.all(np.diff(result.final_losses["content"]) < 0)
    assert len(result.figure.axes) == 4
    assert "content/style" in str(result.table()) and "0.0001" in str(result.table())


def test_batched_and_one_by_one_sweeps_are_the_same_runs(content, style, vgg_h5):
    # Adam moves each image by its own gradient only, so a batch of ratios must follow
    # the runs made one at a time, up to float32 round-off: where a pixel's gradient is
    # near 0, Adam's normalisation (ε = 1e-3) can turn round-off into up to one step
    # (the learning rate, 0.02) at a few pixels; measured at 64 px on random weights, 3
    # steps: images 0.022 apart at most, a loss 0.9 % apart.
    quick = {
        "ratios": [1e-3, 1e-1],
        "steps": 3,
        "optimizer": "adam",
        "weights": str(vgg_h5),
        "progress": False,
    }
    together = weight_ratio_sweep(content, style, batched=True, **quick)
    apart = weight_ratio_sweep(content, style, batched=False, **quick)
    assert together.batched and not apart.batched
    for name in ("total", "style"):
        np.testing.assert_allclose(together.history[name], apart.history[name], rtol=2e-2)
    difference = np.abs(together.images - apart.images)
    assert difference.mean() < 1e-3  # a few pixels apart, the rest the same
    auto = weight_ratio_sweep(content, style, **{**quick, "steps": 1})
    assert auto.batched  # two 64 px images fit the budget, and Adam's batch is exact
    lbfgs = weight_ratio_sweep(content, style, **{**quick, "steps": 1, "optimizer": "lbfgs"})
    assert not lbfgs.batched  # one line search for the batch converges far more slowly


def test_sweep_from_white_noise(content, style, vgg_h5):
    result = weight_ratio_sweep(
        content,
        style,
        ratios=[1e-3, 1e-1],
        steps=2,
        init="noise",
        weights=str(vgg_h5),
        progress=False,
    )
    assert result.images.shape == (2, *content.shape[1:])
    assert np.abs(result.images - content).mean() > 0.1  # far from the photo it did not start at


def test_sweep_sets_the_content_weight_itself(content, style):
    with pytest.raises(TypeError, match="content_weight = ratio"):
        weight_ratio_sweep(content, style, content_weight=1.0)


def test_runs_that_stop_early_are_padded_in_the_joined_history():
    short = {"total": np.array([[3.0], [2.0]])}
    long = {"total": np.array([[5.0, 6.0], [4.0, 5.0], [3.0, 4.0]])}
    joined = _joined_history([short, long])["total"]
    np.testing.assert_array_equal(joined[:, 1:], long["total"])
    np.testing.assert_array_equal(joined[:, 0], [3.0, 2.0, np.nan])
    np.testing.assert_array_equal(_last_finite(joined), [2.0, 3.0, 4.0])


@pytest.mark.parametrize("ratios", [[], [0.0], [-1e-3], [float("nan")]])
def test_bad_ratio_lists_are_refused(ratios):
    with pytest.raises(ValueError, match="ratios must be finite numbers > 0"):
        check_ratios(ratios)
