"""Fast (feed-forward) style transfer: a network trained once per style, then one forward
pass per photo (Johnson, Alahi & Fei-Fei 2016), with the lessons' own losses.

- `nst_tf.fast.network`: the image transformation network (a Keras model, any size);
- `nst_tf.fast.training`: `StyleTrainer`, the perceptual loss of `nst_tf.losses` against
  one style image, trained with Keras's ``fit``;
- `nst_tf.fast.data`: a folder of photos as batches of random crops (``tf.data``).
"""

from nst_tf.fast.data import photo_batches, photo_files
from nst_tf.fast.network import transform_network
from nst_tf.fast.training import StyleTrainer, perceptual_loss

__all__ = [
    "StyleTrainer",
    "perceptual_loss",
    "photo_batches",
    "photo_files",
    "transform_network",
]
