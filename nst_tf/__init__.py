"""nst_tf: neural style transfer (Gatys et al.) in TensorFlow/Keras, for teaching.

The building blocks, each in a module named for what it holds:

- `nst_tf.vgg`: VGG19 weights (ImageNet download, its 8-bit copy from the package index,
  a local file, or seeded random); `nst_tf.rescale`: Gatys et al.'s normalised network;
- `nst_tf.features`: ``[0, 1]`` RGB images to VGG19 activations by layer name;
- `nst_tf.gram`: the Gram matrix ``F·Fᵀ`` (slide 6);
- `nst_tf.losses`: content, style, total-variation losses and their weighted total;
- `nst_tf.images`, `nst_tf.sample_images`: image I/O and the bundled images;
- `nst_tf.plotting`: figures with one common look (Korean or English text,
  `nst_tf.language`);
- `nst_tf.live`, `nst_tf.studio`: a run's live picture in a notebook; the own-photo panel;
- `nst_tf.exercises`: the checks after the lessons' "write it yourself" cells;
- `nst_tf.transfer`, `nst_tf.sweep`, `nst_tf.reconstruct`: style transfer, slide 8's
  ratio sweep, content reconstruction and texture synthesis;
- `nst_tf.quality`: how much of the photo a result keeps (SSIM of the luminance).

Everything a lesson or a user needs is importable from here: ``nst_tf.stylize``,
``nst_tf.weight_ratio_sweep``, ``nst_tf.plot_gram``...
"""

from nst_tf.signals import exit_at_stop_signals
from nst_tf.tensorflow_setup import import_tensorflow_quietly

import_tensorflow_quietly()  # before any module imports TensorFlow: no start-up noise
# Ctrl-C while scipy... loads: one line
_started = exit_at_stop_signals(("nst_tf를 시작하는", "starting nst_tf"))

from nst_tf.errors import (  # noqa: E402
    ImageError,
    ImageTooSmallError,
    LayerError,
    NSTError,
    WeightsDownloadError,
    WeightsError,
    WeightsFileError,
)
from nst_tf.exercises import (  # noqa: E402
    ExerciseError,
    check_content_loss,
    check_gradient_step,
    check_gram_matrix,
    check_style_loss,
    check_total_loss,
    check_training_step,
    check_tv_loss,
)
from nst_tf.features import LAYER_NAMES, FeatureExtractor, preprocess  # noqa: E402
from nst_tf.gram import flatten_channels, gram_matrix  # noqa: E402
from nst_tf.hardware import lesson_size  # noqa: E402
from nst_tf.images import load_image, load_mask, resize, save_animation, save_image  # noqa: E402
from nst_tf.language import set_language, tr  # noqa: E402
from nst_tf.losses import (  # noqa: E402
    LossParts,
    content_loss,
    keras_to_gatys_factor,
    neighbour_differences,
    style_loss,
    total_loss,
    total_variation_loss,
)
from nst_tf.plotting import (  # noqa: E402
    feature_browser,
    plot_block_first_channels,
    plot_feature_grid,
    plot_gram,
    plot_loss_comparison,
    plot_loss_history,
    plot_neighbour_differences,
    ratio_figure,
    ratio_rows,
    save_figure,
    show_images,
)
from nst_tf.quality import photo_similarity  # noqa: E402
from nst_tf.reconstruct import reconstruct_content, synthesize_texture  # noqa: E402
from nst_tf.sample_images import (  # noqa: E402
    bundled_image_path,
    fetch_painting,
    image_title,
    load_painting,
)
from nst_tf.studio import photo_studio, stylize_photo  # noqa: E402
from nst_tf.sweep import SweepResult, weight_ratio_sweep  # noqa: E402
from nst_tf.transfer import StylizeResult, stylize  # noqa: E402
from nst_tf.vgg import RandomWeightsWarning, load_vgg19  # noqa: E402

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
