"""nst_tf: neural style transfer (Gatys et al.) in TensorFlow/Keras, for teaching.

The folders are the layers, each importing only from those above it in this list:

- `nst_tf.base`: errors, the language of messages, checks, signals, progress;
- `nst_tf.io`: atomic writes, downloads, images, the bundled images, fonts, colour;
- `nst_tf.network`: VGG19, its weights and Gatys et al.'s normalised network, features;
- `nst_tf.objective`: the Gram matrix, the losses, their terms and settings;
- `nst_tf.figures`: figures with one common look, a run's live picture;
- `nst_tf.optimize`: optimisers, memory, coarse-to-fine, `stylize`, slide 8's sweep;
- `nst_tf.fast`: the second engine, a feed-forward network trained per style;
- `nst_tf.lessons`: the exercises' checks, the own-photo panel, the lesson's image size;
- `nst_tf.cli`: the ``nst-tf`` command.

Everything a lesson or a user needs is importable from here: ``nst_tf.stylize``,
``nst_tf.weight_ratio_sweep``, ``nst_tf.plot_gram``...
"""

from nst_tf.base.signals import exit_at_stop_signals
from nst_tf.base.tensorflow_setup import import_tensorflow_quietly

import_tensorflow_quietly()  # before any module imports TensorFlow: no start-up noise
# Ctrl-C while scipy... loads: one line
_started = exit_at_stop_signals(("nst_tf를 시작하는", "starting nst_tf"))

from nst_tf.base.errors import (
    ImageError,
    ImageTooSmallError,
    LayerError,
    NSTError,
    WeightsDownloadError,
    WeightsError,
    WeightsFileError,
)
from nst_tf.base.language import set_language, tr
from nst_tf.figures.feature_maps import (
    feature_browser,
    plot_block_first_channels,
    plot_feature_grid,
    plot_gram,
    plot_neighbour_differences,
)
from nst_tf.figures.loss_curves import plot_loss_comparison, plot_loss_history
from nst_tf.figures.plotting import ratio_figure, ratio_rows, save_figure, show_images
from nst_tf.io.animation import save_animation
from nst_tf.io.images import load_image, load_mask, resize, save_image
from nst_tf.io.sample_images import bundled_image_path, fetch_painting, image_title, load_painting
from nst_tf.lessons.grading import ExerciseError
from nst_tf.lessons.hardware import lesson_size
from nst_tf.lessons.loss_exercises import (
    check_content_loss,
    check_gram_matrix,
    check_style_loss,
    check_total_loss,
    check_tv_loss,
)
from nst_tf.lessons.step_exercises import check_gradient_step, check_training_step
from nst_tf.lessons.studio import photo_studio, stylize_photo
from nst_tf.network.features import FeatureExtractor
from nst_tf.network.layers import LAYER_NAMES
from nst_tf.network.preprocess import preprocess
from nst_tf.network.vgg import load_vgg19
from nst_tf.network.weights import RandomWeightsWarning
from nst_tf.objective.gram import flatten_channels, gram_matrix
from nst_tf.objective.losses import (
    LossParts,
    content_loss,
    keras_to_gatys_factor,
    neighbour_differences,
    style_loss,
    total_loss,
    total_variation_loss,
)
from nst_tf.objective.quality import photo_similarity
from nst_tf.optimize.reconstruct import reconstruct_content, synthesize_texture
from nst_tf.optimize.sweep import SweepResult, weight_ratio_sweep
from nst_tf.optimize.transfer import StylizeResult, stylize

__version__ = "0.1.0"

_started()  # stop signals act as before again

__all__ = [
    "photo_similarity",
    "LAYER_NAMES",
    "FeatureExtractor",
    "ExerciseError",
    "ImageError",
    "ImageTooSmallError",
    "LayerError",
    "LossParts",
    "NSTError",
    "RandomWeightsWarning",
    "StylizeResult",
    "SweepResult",
    "WeightsDownloadError",
    "WeightsError",
    "WeightsFileError",
    "bundled_image_path",
    "check_content_loss",
    "check_gradient_step",
    "check_gram_matrix",
    "check_style_loss",
    "check_total_loss",
    "check_training_step",
    "check_tv_loss",
    "content_loss",
    "feature_browser",
    "fetch_painting",
    "flatten_channels",
    "gram_matrix",
    "image_title",
    "keras_to_gatys_factor",
    "lesson_size",
    "load_image",
    "load_mask",
    "load_painting",
    "load_vgg19",
    "neighbour_differences",
    "photo_studio",
    "plot_block_first_channels",
    "plot_feature_grid",
    "plot_gram",
    "plot_loss_comparison",
    "plot_loss_history",
    "plot_neighbour_differences",
    "preprocess",
    "ratio_figure",
    "ratio_rows",
    "reconstruct_content",
    "resize",
    "save_animation",
    "save_figure",
    "save_image",
    "set_language",
    "show_images",
    "stylize",
    "stylize_photo",
    "style_loss",
    "synthesize_texture",
    "total_loss",
    "total_variation_loss",
    "tr",
    "weight_ratio_sweep",
]
