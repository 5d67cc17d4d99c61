"""Figures: the right panels, titles and value ranges (the look students see)."""

import matplotlib
import numpy as np

from nst_tf import plotting

matplotlib.use("Agg")


def test_show_images_keeps_rgb_in_unit_range_and_maps_in_their_own():
    rgb = np.full((1, 8, 8, 3), 2.0)  # out of range: shown clipped to white
    activation = np.linspace(0, 500, 64).reshape(8, 8)
    fig = plotting.show_images([rgb, activation], ["rgb", "map"])
    shown_rgb, shown_map = (ax.images[0].get_array() for ax in fig.axes)
    assert float(np.max(shown_rgb)) == 1.0
    assert float(np.max(shown_map)) == 500.0
    assert [ax.get_title() for ax in fig.axes] == ["rgb", "map"]


def test_block_first_channels_titles_name_and_shape_and_scale_each_map():
    features = {"block1_conv1": np.arange(2 * 4 * 4 * 3, dtype=float).reshape(1, 4, 4, 6)}
    fig = plotting.plot_block_first_channels(features)
    assert fig.axes[0].get_title() == "block1_conv1\n(1, 4, 4, 6)"
    low, high = fig.axes[0].images[0].get_clim()
    assert (low, high) == (0.0, 90.0)


def test_feature_grid_has_one_panel_per_channel_and_a_colour_bar():
    fig = plotting.plot_feature_grid(np.random.default_rng(0).uniform(size=(1, 5, 5, 64)))
    assert sum(1 for ax in fig.axes if ax.images) == 64 and len(fig.axes) == 65  # + colour bar


def test_ratio_labels_use_slide8_notation():
    assert plotting.ratio_label(1e-4) == "$10^{-4}$"
    assert plotting.ratio_label(0.025) == "0.025"


def test_neighbour_difference_panels_are_symmetric_around_zero():
    image = np.zeros((1, 6, 6, 3), np.float32)
    image[:, :, 3:, :] = 1.0  # a vertical edge
    fig = plotting.plot_neighbour_differences(image)
    low, high = fig.axes[2].images[0].get_clim()
    assert low == -high and high == 1.0
    assert float(np.abs(fig.axes[2].images[0].get_array()).max()) == 1.0  # dx sees the edge
