"""nst_tf: neural style transfer (Gatys et al.) in TensorFlow/Keras, for teaching.

The building blocks, each in a module named for what it holds:

- `nst_tf.vgg`: VGG19 weights (ImageNet download, local file, or seeded random);
- `nst_tf.features`: ``[0, 1]`` RGB images to VGG19 activations by layer name;
- `nst_tf.gram`: the Gram matrix ``F·Fᵀ`` (slide 6);
- `nst_tf.losses`: content, style, total-variation losses and their weighted total;
- `nst_tf.images`, `nst_tf.sample_images`: image I/O and the bundled images;
- `nst_tf.plotting`: figures with one common look.
"""

from nst_tf.tensorflow_setup import import_tensorflow_quietly

import_tensorflow_quietly()  # before any module imports TensorFlow: no start-up noise

from nst_tf.errors import (  # noqa: E402
    ImageError,
    ImageTooSmallError,
    LayerError,
    NSTError,
    WeightsDownloadError,
    WeightsError,
    WeightsFileError,
)
from nst_tf.features import LAYER_NAMES, FeatureExtractor, preprocess  # noqa: E402
from nst_tf.gram import flatten_channels, gram_matrix  # noqa: E402
from nst_tf.images import load_image, save_image  # noqa: E402
from nst_tf.losses import (  # noqa: E402
    LossParts,
    content_loss,
    style_loss,
    total_loss,
    total_variation_loss,
)
from nst_tf.plotting import save_figure, show_images  # noqa: E402
from nst_tf.sample_images import bundled_image_path, fetch_painting  # noqa: E402
from nst_tf.vgg import RandomWeightsWarning, load_vgg19  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "LAYER_NAMES",
    "FeatureExtractor",
    "ImageError",
    "ImageTooSmallError",
    "LayerError",
    "LossParts",
    "NSTError",
    "RandomWeightsWarning",
    "WeightsDownloadError",
    "WeightsError",
    "WeightsFileError",
    "bundled_image_path",
    "content_loss",
    "fetch_painting",
    "flatten_channels",
    "gram_matrix",
    "load_image",
    "load_vgg19",
    "preprocess",
    "save_figure",
    "save_image",
    "show_images",
    "style_loss",
    "total_loss",
    "total_variation_loss",
]
