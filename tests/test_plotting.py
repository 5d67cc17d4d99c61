"""Figures: the right panels, titles and value ranges, and text that renders in Korean."""

import io
import warnings
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

import nst_tf
import nst_tf.base.language
import nst_tf.figures.feature_maps
import nst_tf.figures.loss_curves
import nst_tf.figures.plotting
import nst_tf.io.animation
from nst_tf.base import language
from nst_tf.figures import feature_maps, loss_curves, plotting
from nst_tf.io import animation
from nst_tf.io import fonts as io_fonts

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def figures_closed():
    """Each test's figures are closed after it (pyplot keeps them open otherwise)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(params=language.LANGUAGES)
def lang(request):
    """Each test that takes it runs once per language; the default comes back after."""
    language.set_language(request.param)
    yield request.param
    language._chosen = None


def test_show_images_keeps_rgb_in_unit_range_and_maps_in_their_own():
    rgb = np.full((1, 8, 8, 3), 2.0)  # out of range: shown clipped to white
    activation = np.linspace(0, 500, 64).reshape(8, 8)
    fig = plotting.show_images([rgb, activation], ["rgb", "map"], captions=["a", None])
    shown_rgb, shown_map = (ax.images[0].get_array() for ax in fig.axes)
    assert float(np.max(shown_rgb)) == 1.0
    assert float(np.max(shown_map)) == 500.0
    assert [ax.get_title() for ax in fig.axes] == ["rgb", "map"]
    assert [t.get_text() for t in fig.axes[0].texts] == ["a"] and not fig.axes[1].texts


def test_block_first_channels_show_the_input_and_scale_each_map_on_its_own():
    features = {
        "block1_conv1": np.arange(96, dtype=float).reshape(1, 4, 4, 6),
        "block2_conv1": np.zeros((1, 2, 2, 4)),
    }
    fig = feature_maps.plot_block_first_channels(features, image=np.ones((1, 8, 8, 3)))
    image_ax, first, dead = fig.axes
    assert image_ax.images[0].get_array().shape == (8, 8, 3)
    assert first.get_title() == "block1_conv1\n(1, 4, 4, 6)"
    assert first.images[0].get_clim() == (0.0, 90.0)  # channel 0: 0, 6, ..., 90
    assert any("0" in t.get_text() for t in dead.texts), "an all-zero map says so"
    assert not first.texts


def test_feature_grid_scales_each_channel_and_marks_dead_ones():
    maps = np.random.default_rng(0).uniform(size=(1, 5, 5, 64))
    maps[..., 3] = 0.0
    maps[..., 5] *= 100
    fig = feature_maps.plot_feature_grid(maps, image=np.ones((1, 8, 8, 3)))
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 65  # the input + one per channel, no shared colour bar
    grid = panels[1:]
    assert grid[5].images[0].get_clim()[1] == pytest.approx(maps[0, :, :, 5].max())
    assert grid[0].images[0].get_clim()[1] == pytest.approx(maps[0, :, :, 0].max())
    assert grid[3].texts and not grid[0].texts


def test_gram_heatmap_uses_a_log_scale_with_its_label_on_the_bar():
    gram = np.array([[1000.0, 1.0], [1.0, 10.0]])
    fig = feature_maps.plot_gram(gram)
    ax, bar = fig.axes
    assert isinstance(ax.images[0].norm, matplotlib.colors.LogNorm)
    assert bar.get_ylabel() and "(2, 2)" in ax.get_title()


def test_loss_plots_have_whole_number_step_ticks():
    history = {"total": np.linspace(10, 1, 3), "content": np.ones(3)}
    fig = loss_curves.plot_loss_history(history)
    fig.canvas.draw()
    ticks = fig.axes[0].get_xticks()
    assert np.allclose(ticks, np.round(ticks))


def test_loss_comparison_is_by_evaluations_and_seconds_not_steps():
    run = SimpleNamespace(
        history={"total": np.array([5.0, 3.0, 2.0])},
        evaluations=np.array([5, 7, 8]),
        seconds=np.array([1.0, 1.4, 1.6]),
    )
    fig = loss_curves.plot_loss_comparison({"L-BFGS": run})
    by_count, by_time = fig.axes
    assert list(by_count.lines[0].get_xdata()) == [5, 7, 8]
    assert list(by_time.lines[0].get_xdata()) == [1.0, 1.4, 1.6]


def test_ratio_labels_use_slide8_notation():
    assert plotting.ratio_label(1e-4) == "10⁻⁴"
    assert plotting.ratio_label(0.025) == "0.025"


def test_ratio_figure_titles_say_the_ratio_not_what_to_expect(lang):
    images = np.zeros((2, 8, 8, 3))
    losses = {"content": [1.0, 2.0], "style": [3.0, 4.0]}
    fig = plotting.ratio_rows({"A": (images, losses), "B": (images, None)}, [1e-4, 1e-1])
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 4 and titles[0].startswith("A\n") and "10⁻⁴" in titles[0]
    assert "keeps" not in fig._suptitle.get_text()


def test_neighbour_difference_panels_are_symmetric_around_zero():
    image = np.zeros((1, 6, 6, 3), np.float32)
    image[:, :, 3:, :] = 1.0  # a vertical edge
    fig = feature_maps.plot_neighbour_differences(image)
    low, high = fig.axes[2].images[0].get_clim()
    assert low == -high and high == 1.0
    assert float(np.abs(fig.axes[2].images[0].get_array()).max()) == 1.0  # dx sees the edge


def test_layer_browser_carries_a_static_picture_for_saved_notebooks():
    pytest.importorskip("ipywidgets")
    features = {"block1_conv1": np.ones((1, 4, 4, 8)), "block2_conv1": np.ones((1, 2, 2, 16))}
    bundle = feature_maps.feature_browser(features)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "image/png" in bundle


def _every_figure():
    """One figure from each helper, with Korean (or English) text in titles and labels."""
    rng = np.random.default_rng(0)
    image = rng.uniform(size=(1, 16, 16, 3))
    features = {
        "block1_conv1": rng.uniform(size=(1, 16, 16, 8)),
        "block2_conv1": np.zeros((1, 8, 8, 4)),
    }
    run = SimpleNamespace(
        history={"total": np.array([3.0, 2.0])},
        evaluations=np.array([2, 3]),
        seconds=np.array([0.5, 0.7]),
    )
    history = {"total": [3.0, 2.0], "content": [1.0, 0.5], "style": [2.0, 1.5], "tv": [0.1, 0.1]}
    losses = {"content": [1.0, 2.0], "style": [3.0, 4.0]}
    korean = "내용(content): 고수준의 큰 구조 − 그램 매트릭스 · 10⁻⁴ × α/β"
    return [
        plotting.show_images(
            [image, image[0, :, :, 0]], [korean, "스타일 = 10⁻⁴"], captions=[korean, ""]
        ),
        plotting.ratio_figure(np.repeat(image, 2, 0), [1e-4, 1e-1], losses),
        plotting.ratio_rows({"사진에서 시작": (np.repeat(image, 2, 0), losses)}, [1e-4, 1e-1]),
        feature_maps.plot_block_first_channels(features, image),
        feature_maps.plot_feature_grid(features["block1_conv1"], image, title=korean),
        feature_maps.plot_gram(rng.uniform(size=(8, 8)), korean),
        loss_curves.plot_loss_history(history, korean, weights={"style": 2.0}),
        feature_maps.plot_neighbour_differences(image),
        loss_curves.plot_loss_comparison({"L-BFGS": run, "Adam": run}, title=korean),
    ]


def test_every_figure_helper_renders_its_text_without_missing_glyphs(lang, caplog):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fig in _every_figure():
            fig.savefig(io.BytesIO(), format="png")
    logged = [r.getMessage() for r in caplog.records if "glyph" in r.getMessage()]
    assert not logged, logged  # matplotlib's mathtext logs missing glyphs instead
    missing = [
        str(w.message)
        for w in caught
        if "missing from font" in str(w.message) or "does not have a glyph" in str(w.message)
    ]  # the second: mathtext's
    assert not missing, missing


def test_hangul_comes_from_nanumgothic_and_symbols_from_the_default_font():
    from matplotlib.font_manager import FontProperties, fontManager

    families = list(matplotlib.rcParams["font.family"])
    assert families[-1] == "NanumGothic" and families[0] != "NanumGothic"
    fonts = fontManager._find_fonts_by_props(FontProperties(family=families))
    assert any("NanumGothic" in str(path) for path in fonts)
    assert io_fonts.hangul_font_path().is_file()


MAKE_THE_FONT_CACHE_STALE = """
import json, pathlib
import matplotlib
from matplotlib import font_manager
name = f"fontlist-v{font_manager.FontManager.__version__}.json"
cache = pathlib.Path(matplotlib.get_cachedir()) / name
data = json.loads(cache.read_text())
# matplotlib's own fonts are stored relative to its data folder; drop them, as a cache
# rebuilt while that folder was being reinstalled does.
data["ttflist"] = [f for f in data["ttflist"] if pathlib.Path(f["fname"]).is_absolute()]
cache.write_text(json.dumps(data))
"""

DRAW_A_LOG_AXIS = """
import sys
import nst_tf.figures.plotting
import matplotlib.pyplot as plt
figure, axes = plt.subplots()
axes.semilogy([1, 2], [1e-4, 1e2])
axes.set_title("내용 손실")
figure.savefig(sys.argv[1])
"""


def test_a_stale_font_cache_without_matplotlibs_own_fonts_draws_without_warnings(tmp_path):
    """A font cache that lost matplotlib's own fonts (no STIX): log axes still draw quietly."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path), "MPLBACKEND": "Agg"}
    subprocess.run([sys.executable, "-c", MAKE_THE_FONT_CACHE_STALE], env=env, check=True)
    picture = tmp_path / "log.png"
    drawn = subprocess.run(
        [sys.executable, "-c", DRAW_A_LOG_AXIS, str(picture)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert drawn.returncode == 0, drawn.stderr
    assert "findfont" not in drawn.stderr, drawn.stderr
    assert picture.stat().st_size > 0


def test_language_comes_from_one_switch(monkeypatch):
    monkeypatch.setattr(language, "_chosen", None)
    monkeypatch.setenv("NST_TF_LANG", "ko")
    assert nst_tf.tr("스텝", "step") == "스텝"
    monkeypatch.delenv("NST_TF_LANG")
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert language.language() == "ko"
    nst_tf.set_language("en")
    assert nst_tf.tr("스텝", "step") == "step"
    with pytest.raises(ValueError, match="'ko', 'en'"):
        nst_tf.set_language("kr")


def test_figures_and_animations_say_when_weights_are_random(monkeypatch, tmp_path):
    """No screenshot of a random-weights run passes for real style transfer."""
    from PIL import Image

    import nst_tf

    picture = np.full((1, 20, 30, 3), 0.5, np.float32)
    monkeypatch.setattr(nst_tf.base.random_weights, "_random_used", False)
    texts = [t.get_text() for t in plotting.show_images([picture]).texts]
    assert not any("random weights" in t for t in texts)
    with Image.open(animation.save_animation([picture, picture], tmp_path / "real.gif")) as gif:
        assert gif.size == (30, 20)
    monkeypatch.setattr(nst_tf.base.random_weights, "_random_used", True)
    for figure in (
        plotting.show_images([picture]),
        feature_maps.plot_gram(np.eye(3)),
    ):
        assert sum("random weights" in t.get_text() for t in figure.texts) == 1
    with Image.open(animation.save_animation([picture, picture], tmp_path / "marked.gif")) as gif:
        assert gif.size[1] > 20  # a caption strip below each frame
