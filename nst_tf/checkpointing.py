"""Gradients in less memory: keep a few activations, recompute the others on the way back.

A normal backward pass keeps every VGG19 activation of the forward pass until the
gradient has flowed back through it; at 1024 px and beyond those activations are most
of a run's memory. `value_and_gradient` here cuts the network into `Segment` s (ending
at `SEGMENT_ENDS`). Forward, it keeps only each segment's input. Backward, one segment
at a time from the last, it recomputes the segment under a tape, adds the loss read at
its layers (the content and style terms are sums over layers, so the parts add up to
the whole loss) and passes the gradient at its input to the segment before (gradient
checkpointing, Chen et al. 2016, "Training deep nets with sublinear memory cost"). So
only one segment's activations, and one gradient, exist at a time. The loss and gradient
are the normal ones (to float rounding); the price is a second forward pass: 1.57x the
time per evaluation at 512 px (``benchmarks/benchmark.py``, 2026-11-27).

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
        self.forward = tf.function(functools.partial(Segment._output, self))
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

    def _output(self, x: tf.Tensor) -> tf.Tensor:
        return self(x)[0]

    def _backward(self, x, upstream, images, terms, targets, weights):
        """This segment's part of the loss (`nst_tf.losses.LossParts`), and the gradient
        at its input ``x`` of that part and of everything after it (whose gradient at
        this segment's output is ``upstream``; None for the last segment)."""
        with tf.GradientTape() as tape:
            tape.watch(x)
            output, kept = self(x)
            parts = self.loss_part(kept, x if self.first else images, terms, targets, weights)
            total = tf.reduce_sum(parts.total)
        ends, gradients = [total], [tf.ones_like(total)]
        if upstream is not None:
            ends.append(output)
            gradients.append(upstream)
        gradient = tape.gradient(
            ends, x, output_gradients=gradients, unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
        return parts, gradient

    def loss_part(self, kept, images, terms, targets, weights) -> losses.LossParts:
        """The terms' parts read at this segment's layers, and in the first segment the
        terms read on the pixels themselves (total variation); other parts are 0."""
        here = [
            (term, losses.target_at(target, self.kept), weight)
            for term, target, weight in zip(terms, targets, weights)
            if set(term.layers) & set(self.kept) or (self.first and not term.layers)
        ]
        terms, targets, weights = zip(*here) if here else ((), (), ())
        return losses.weighted_total(terms, kept, images, targets, weights)


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
    inputs, x = [], images
    for segment in parts_of_network:
        inputs.append(x)
        x = segment.forward(x)
    del x
    parts, gradient = [], None
    for segment in reversed(parts_of_network):
        part, gradient = segment.backward(inputs.pop(), gradient, images, terms, targets, weights)
        parts.append(part)
    return losses.LossParts(*(tf.add_n(list(each)) for each in zip(*parts))), gradient


_SEGMENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _segments_of(extractor: FeatureExtractor) -> tuple[Segment, ...]:
    """The same `Segment` objects for an extractor every time, so compiled steps are reused."""
    if extractor not in _SEGMENTS:
        _SEGMENTS[extractor] = segments(extractor)
    return _SEGMENTS[extractor]
