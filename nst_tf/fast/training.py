"""Training a transformation network for one style, with the loss the lessons minimise.

The perceptual loss of Johnson et al. (2016) is slide 3's loss: the network's output
against the photo it was given (content) and against the style image (Gram matrices),
plus total variation, with the same terms, layers, weights and feature extractor as
`nst_tf.stylize` (`nst_tf.objective.settings.LossSettings`). Where `stylize` changes the
pixels of one picture, `StyleTrainer` changes the network's weights for every photo it is
shown, with Keras's ``fit`` (callbacks, progress, checkpoints).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from nst_tf.base.checks import whole_number
from nst_tf.base.signals import signal_of, stop_signals_raise
from nst_tf.fast.callbacks import TrainingRecord
from nst_tf.fast.data import raised_as_itself
from nst_tf.network.features import shared_extractor
from nst_tf.objective.layer_weights import style_mix
from nst_tf.objective.losses import LossParts
from nst_tf.objective.objective import evaluate
from nst_tf.optimize.run import Stop, StopReason
from nst_tf.optimize.settings import TransferSettings, settings_from
from nst_tf.optimize.transfer import as_style_list


def perceptual_loss(extractor, terms, weights, style_target, photos, outputs) -> LossParts:
    """Slide 3's loss parts ``(batch,)`` of the network's ``outputs`` for ``photos`` (both
    ``[0, 1]`` RGB ``(batch, H, W, 3)``): each output against its own photo's activations
    (content) and the style's target; ``terms`` and ``weights`` as in
    `nst_tf.objective.objective.Objective`."""
    content_term = terms[0]
    content_target = content_term.summarize(extractor(photos), photos)
    content_target = {layer: tf.stop_gradient(value) for layer, value in content_target.items()}
    return evaluate(extractor, terms, outputs, (content_target, style_target, ()), weights)


class StyleTrainer(keras.Model):
    """``network`` (`nst_tf.fast.transform_network`) trained for the ``style`` image(s).

    Settings as `stylize` takes them (``settings`` and/or keywords: ``weights``,
    ``content_weight``, ``style_layers``...); only the loss and network groups matter
    here. Compile with an optimiser and ``fit`` (or `train`) on batches of ``[0, 1]``
    photos; the metrics are the batch means of the loss parts (unweighted; the weights
    are ``part_weights``). Save ``trainer.network``: it alone is needed to stylise.
    """

    def __init__(
        self, network: keras.Model, style, settings: TransferSettings | None = None, **keywords
    ):
        super().__init__()
        settings = settings_from(settings, keywords)
        loss = settings.loss
        if loss.batch != 1:
            raise ValueError("a trained network has one set of loss weights, not a batch")
        self.network = network
        self.extractor = shared_extractor(loss.layers, settings.network)
        self.terms = loss.terms()
        styles = as_style_list(style)
        mix = style_mix(loss.style_blend, len(styles))
        self.style_target = self.terms[1].target(self.extractor, None, styles, mix)
        weights = [loss.term_weights[term.name] for term in self.terms]  # each (1,)
        self.term_weights = tuple(tf.constant(weight, tf.float32) for weight in weights)
        self.part_weights = {term.name: float(w[0]) for term, w in zip(self.terms, weights)}

    def call(self, photos, training=False):
        return self.network(photos, training=training)

    def loss_parts(self, photos, outputs) -> LossParts:
        """The loss parts ``(batch,)`` of ``outputs`` for ``photos`` (`perceptual_loss`)."""
        return perceptual_loss(
            self.extractor, self.terms, self.term_weights, self.style_target, photos, outputs
        )

    def train_step(self, photos):
        with tf.GradientTape() as tape:
            parts = self.loss_parts(photos, self.network(photos, training=True))
            total = tf.reduce_mean(parts.total)
        variables = self.network.trainable_variables
        self.optimizer.apply(tape.gradient(total, variables), variables)
        return _batch_means(parts)

    def test_step(self, photos):
        return _batch_means(self.loss_parts(photos, self.network(photos, training=False)))


def _batch_means(parts: LossParts) -> dict[str, tf.Tensor]:
    """The metrics ``fit`` and ``evaluate`` report: each loss part's mean over the batch."""
    return {name: tf.reduce_mean(value) for name, value in parts._asdict().items()}


def training_strategy() -> tf.distribute.Strategy:
    """Where a network trains: mirrored over the GPUs when there are several (each takes a
    share of every batch), else TensorFlow's default (one GPU or the CPU). Make the
    `StyleTrainer` and compile it inside ``training_strategy().scope()``."""
    gpus = tf.config.list_logical_devices("GPU")
    return tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()


def train(
    trainer: StyleTrainer,
    photos,
    steps: int,
    preview=None,
    preview_every: int = 0,
    progress: bool = True,
    callbacks=(),
) -> TrainingRecord:
    """Train a compiled ``trainer`` for ``steps`` batches of ``photos`` (`photo_batches`)
    with Keras's ``fit``, and return its `TrainingRecord` (history, previews, ``stop``).

    Ctrl-C, SIGTERM and SIGHUP end the run early with the network as it is (``stop``
    says so, no traceback); a NaN loss ends it with the last good network. ``callbacks``
    (e.g. a `NetworkCheckpoint`) run after the record's, on the checked weights.
    """
    steps = whole_number("steps", steps, 1)
    record = TrainingRecord(steps, preview, preview_every, progress)
    try:
        with stop_signals_raise(), raised_as_itself():
            trainer.fit(
                photos,
                steps_per_epoch=steps,
                verbose=0,
                shuffle=False,  # the batches are shuffled crops already
                callbacks=[record, *callbacks],
            )
    except KeyboardInterrupt as interrupt:
        record.finish(Stop(StopReason.INTERRUPTED, record.done, signal=signal_of(interrupt)))
    return record
