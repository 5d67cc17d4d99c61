"""Fast (feed-forward) style transfer: a network trained once per style, then one forward
pass per photo (Johnson, Alahi & Fei-Fei 2016), with the lessons' own losses.

- `nst_tf.fast.network`: the image transformation network (a Keras model, any size);
- `nst_tf.fast.training`: `StyleTrainer`, the perceptual loss of `nst_tf.losses` against
  one style image, trained with Keras's ``fit``.
"""

from nst_tf.fast.network import transform_network
from nst_tf.fast.training import StyleTrainer, perceptual_loss

__all__ = ["StyleTrainer", "perceptual_loss", "transform_network"]
