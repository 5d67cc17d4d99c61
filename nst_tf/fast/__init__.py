"""Fast (feed-forward) style transfer: a network trained once per style, then one forward
pass per photo (Johnson, Alahi & Fei-Fei 2016), with the lessons' own losses.

- `nst_tf.fast.network`: the image transformation network (a Keras model, any size);
- `nst_tf.fast.drawing`: the network drawn, stage by stage;
- `nst_tf.fast.training`: `StyleTrainer`, the perceptual loss of `nst_tf.objective.losses` against
  one style image, trained with Keras's ``fit`` (`train`);
- `nst_tf.fast.callbacks`: what a training run shows and keeps, and its checkpoints;
- `nst_tf.fast.data`: photos (a folder, files, a downloadable set) as batches of random
  crops (``tf.data``);
- `nst_tf.fast.apply`: save and load a trained network, stylise photos in one pass each.

The second engine, above `nst_tf.optimize`: may import every layer up to it (it trains
with the lessons' losses and reports as a transfer does); lessons and the CLI use it.
"""

from nst_tf.fast.apply import forward_seconds, load_network, save_network, stylize_fast
from nst_tf.fast.callbacks import NetworkCheckpoint, TrainingRecord
from nst_tf.fast.data import fetch_photo_set, photo_batches, photo_files
from nst_tf.fast.drawing import draw_network
from nst_tf.fast.network import transform_network
from nst_tf.fast.training import StyleTrainer, perceptual_loss, train

__all__ = [
    "NetworkCheckpoint",
    "StyleTrainer",
    "TrainingRecord",
    "draw_network",
    "fetch_photo_set",
    "forward_seconds",
    "load_network",
    "perceptual_loss",
    "photo_batches",
    "photo_files",
    "save_network",
    "stylize_fast",
    "train",
    "transform_network",
]
