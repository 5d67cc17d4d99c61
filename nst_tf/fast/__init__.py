"""Fast (feed-forward) style transfer: a network trained once per style, then one forward
pass per photo (Johnson, Alahi & Fei-Fei 2016), with the lessons' own losses.

- `nst_tf.fast.network`: the image transformation network (a Keras model, any size);
- `nst_tf.fast.training`: `StyleTrainer`, the perceptual loss of `nst_tf.losses` against
  one style image, trained with Keras's ``fit``;
- `nst_tf.fast.data`: a folder of photos as batches of random crops (``tf.data``);
- `nst_tf.fast.apply`: save and load a trained network, stylise a photo in one pass.
"""

from nst_tf.fast.apply import load_network, save_network, stylize_fast
from nst_tf.fast.data import photo_batches, photo_files
from nst_tf.fast.network import transform_network
from nst_tf.fast.training import StyleTrainer, perceptual_loss

__all__ = [
    "StyleTrainer",
    "load_network",
    "perceptual_loss",
    "photo_batches",
    "photo_files",
    "save_network",
    "stylize_fast",
    "transform_network",
]
