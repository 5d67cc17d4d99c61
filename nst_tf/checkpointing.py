"""Gradients in less memory: keep a few activations, recompute the others on the way back.

A normal backward pass keeps every VGG19 activation of the forward pass until the
gradient has flowed back through it; at 1024 px and beyond those activations are most
of a run's memory. `value_and_gradient` here cuts the network into `Segment` s (ending
at `SEGMENT_ENDS`). Forward, it keeps only each segment's input and the activations
the loss reads; then it takes the loss's gradient with respect to those activations;
backward, it recomputes one segment at a time under a tape and passes the gradient to
the segment before (gradient checkpointing, Chen et al. 2016, "Training deep nets with
sublinear memory cost"). The loss and gradient are the normal ones (to float rounding);
the price is a second forward pass: 1.46x the time per evaluation at 512 px
(``benchmarks/benchmark.py``).

Each step is its own compiled function called from Python, so one segment's
activations are freed before the next segment's are made.
"""

from __future__ import annotations

import functools
import weakref

import tensorflow as tf

from nst_tf import losses
from nst_tf.features import FeatureExtractor, preprocess

#: The last layer of each segment. Block 1's activations are the largest (64 channels at
#: full size), so it is cut in two.
SEGMENT_ENDS = (
    "block1_conv1",
    "block1_pool",
    "block2_pool",
    "block3_pool",
    "block4_pool",
    "block5_pool",
)


class Segment:
    """Consecutive VGG19 layers; ``kept``: those whose activations the loss reads.

    Its `forward` and `backward` are compiled per segment (one trace per image size each;
    a function shared by all segments would be traced again for each of them). They wrap
    partials, not methods: TensorFlow counts traces per code object, so the segments'
    methods would look like one function traced six times at each new image size of a
    coarse-to-fine run, and TensorFlow would print a retracing warning.
    """

    def __init__(self, layers: tuple, kept: tuple[str, ...], first: bool):
        self.layers, self.kept, self.first = layers, kept, first
        self.forward = tf.function(functools.partial(Segment.__call__, self))
        self.backward = tf.function(functools.partial(Segment._backward, self))

    def __call__(self, x: tf.Tensor) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
        """This segment's output, and its kept activations (float32) by layer name.
        The first segment takes ``[0, 1]`` RGB images, the others the previous output."""
        if self.first:
            x = preprocess(x)
        kept = {}
        for layer in self.layers:
            x = layer(x)
            if layer.name in self.kept:
                kept[layer.name] = tf.cast(x, tf.float32)
        return x, kept

    def _backward(self, x, upstream, kept_gradients):
        """The gradient at this segment's input ``x``, given the gradient at its output
        (``upstream``; None for the last segment) and at its kept activations."""
        with tf.GradientTape() as tape:
            tape.watch(x)
            output, kept = self(x)
        ends = [kept[name] for name in self.kept]
        gradients = [kept_gradients[name] for name in self.kept]
        if upstream is not None:
            ends.append(output)
            gradients.append(upstream)
        return tape.gradient(ends, x, output_gradients=gradients)


def segments(extractor: FeatureExtractor) -> tuple[Segment, ...]:
    """``extractor``'s network up to its deepest layer, cut at `SEGMENT_ENDS`."""
    cut, current = [], []
    for layer in extractor.network_layers:
        current.append(layer)
        if layer.name in SEGMENT_ENDS or layer is extractor.network_layers[-1]:
            names = tuple(item.name for item in current if item.name in extractor.layers)
            cut.append(Segment(tuple(current), names, first=not cut))
            current = []
    return tuple(cut)


def value_and_gradient(extractor, terms, images, targets, weights):
    """Loss parts ``(batch,)`` and ``d(Σ total)/d(images)``, as
    `nst_tf.objective.Objective.value_and_gradient` gives, keeping fewer activations."""
    parts_of_network = _segments_of(extractor)
    inputs, features, x = [], {}, images
    for segment in parts_of_network:
        inputs.append(x)
        x, kept = segment.forward(x)
        features.update(kept)
    del x, kept
    parts, gradient, feature_gradients = _loss_and_gradients(
        terms, images, features, targets, weights
    )
    del features
    upstream = None
    for segment in reversed(parts_of_network):
        kept_gradients = {name: feature_gradients.pop(name) for name in segment.kept}
        upstream = segment.backward(inputs.pop(), upstream, kept_gradients)
    return parts, gradient + upstream


_SEGMENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _segments_of(extractor: FeatureExtractor) -> tuple[Segment, ...]:
    """The same `Segment` objects for an extractor every time, so compiled steps are reused."""
    if extractor not in _SEGMENTS:
        _SEGMENTS[extractor] = segments(extractor)
    return _SEGMENTS[extractor]


@tf.function
def _loss_and_gradients(terms, images, features, targets, weights):
    """The loss from kept activations, and its gradient with respect to them and to the
    pixels (the pixels' part comes from the total-variation term alone)."""
    with tf.GradientTape() as tape:
        tape.watch(images)
        tape.watch(features)
        parts = losses.weighted_total(terms, features, images, targets, weights)
        total = tf.reduce_sum(parts.total)
    gradient, feature_gradients = tape.gradient(
        total, (images, features), unconnected_gradients=tf.UnconnectedGradients.ZERO
    )
    return parts, gradient, feature_gradients
