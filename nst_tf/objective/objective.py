"""The style transfer objective: each term's target made once, one compiled step.

`Objective` asks every loss term of a `nst_tf.objective.settings.LossSettings` for its target
(the content's activations, the style's normalised Gram matrices...) once per run and
scale, never per step, and evaluates slide 3's weighted total for a batch of images.
`value_and_gradient` is one compiled `tf.function`: the VGG forward pass, the terms,
and the gradient with respect to the pixels.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import tensorflow as tf

from nst_tf.network.features import FeatureExtractor
from nst_tf.objective import losses
from nst_tf.objective import recompute as recomputing
from nst_tf.objective.layer_weights import style_mix
from nst_tf.objective.settings import LossSettings


class Objective:
    """Slide 3's loss for images of one size, with its targets fixed at construction.

    Args:
        extractor: a `FeatureExtractor` for (at least) every layer the terms read.
        loss: the terms, layers and weights (numbers, or ``(batch,)`` per image).
        content: ``[0, 1]`` RGB ``(1, H, W, 3)``: the size of the optimised images.
        styles: style images ``(1, h, w, 3)`` of any sizes, blended by ``loss.style_blend``.
        style_masks, content_mask: optional regions ``(1, H, W, 1)`` at the content's size
            (spatial control, `nst_tf.objective.layer_weights.style_mix`).
        recompute: recompute activations in the backward pass (`nst_tf.objective.recompute`):
            the same gradient in less memory, about 1.5-1.8x the time per step.
    """

    def __init__(
        self,
        extractor: FeatureExtractor,
        loss: LossSettings,
        content,
        styles: Sequence,
        style_masks=None,
        content_mask=None,
        recompute: bool = False,
    ):
        self.extractor = extractor
        self.recompute = recompute
        self.terms = tuple(_one_instance(term) for term in loss.terms())
        mix = style_mix(loss.style_blend, len(styles), style_masks, content_mask)
        self.targets = tuple(term.target(extractor, content, styles, mix) for term in self.terms)
        self.weights = tuple(
            tf.constant(loss.term_weights[term.name], tf.float32) for term in self.terms
        )

    def target(self, name: str):
        """The target of the term called ``name`` (``"content"``, ``"style"``, ``"tv"``)."""
        return dict(zip((term.name for term in self.terms), self.targets))[name]

    def loss_parts(self, images) -> losses.LossParts:
        """Slide 3's total and its parts, each ``(batch,)``, for ``[0, 1]`` RGB images."""
        images = tf.convert_to_tensor(images, tf.float32)
        return evaluate(self.extractor, self.terms, images, self.targets, self.weights)

    def value_and_gradient(self, images) -> tuple[losses.LossParts, tf.Tensor]:
        """Loss parts ``(batch,)`` and ``d(Σ total)/d(images)``; one compiled step (or,
        with ``recompute``, `nst_tf.objective.recompute`'s compiled segments).

        The compiled function is shared by every objective with the same extractor and
        terms, so a new run (another style, ratio or scale) does not trace it again.
        """
        images = tf.convert_to_tensor(images, tf.float32)
        if self.recompute:
            return recomputing.value_and_gradient(
                self.extractor, self.terms, images, self.targets, self.weights
            )
        return _compiled_value_and_gradient(self.extractor, self.terms)(
            images, self.targets, self.weights
        )


@functools.cache
def _one_instance(term):
    """The first term equal to ``term``: `tf.function` tells Python arguments apart by
    identity, so equal terms must be one object for a new run to reuse the compiled step
    (a new trace costs about a second)."""
    return term


def evaluate(extractor, terms, images, targets, weights) -> losses.LossParts:
    """Every term of ``images`` against its target, and slide 3's weighted total."""
    return losses.weighted_total(terms, extractor(images), images, targets, weights)


#: The compiled step of each (extractor, terms) pair in use, the oldest dropped past 16.
_compiled_steps: dict[tuple, tf.types.experimental.PolymorphicFunction] = {}


def _compiled_value_and_gradient(extractor, terms):
    """The compiled step for one extractor and term set, traced once per image size
    (guided losses need static shapes). One function per term set: a single function
    taking them as arguments is traced anew for each set (lesson 1's five layers, five
    sets in a row) and TensorFlow prints a retracing warning; a partial is its own
    function to TensorFlow."""
    key = (extractor, terms)
    if key not in _compiled_steps:
        if len(_compiled_steps) >= 16:
            del _compiled_steps[next(iter(_compiled_steps))]
        step = functools.partial(_value_and_gradient, extractor, terms)
        _compiled_steps[key] = tf.function(step)
    return _compiled_steps[key]


def _value_and_gradient(extractor, terms, images, targets, weights):
    with tf.GradientTape() as tape:
        tape.watch(images)
        parts = evaluate(extractor, terms, images, targets, weights)
        total = tf.reduce_sum(parts.total)
    return parts, tape.gradient(total, images)
