"""Gradients in less memory: keep a few activations, recompute the others in strips.

A normal backward pass keeps every VGG19 activation of the forward pass until the
gradient has flowed back through it; at 1024 px and beyond those activations are most
of a run's memory. `value_and_gradient` here cuts the network into `Segment` s, one per
VGG19 block (ending at `SEGMENT_ENDS`), and does two things:

- **Recompute** (gradient checkpointing, Chen et al. 2016, "Training deep nets with
  sublinear memory cost"). Forward, each segment keeps only its input. Backward, one
  segment at a time from the last, it recomputes its layers, adds the loss read at them
  (the content and style terms are sums over layers, so the parts add up to the whole
  loss) and passes the gradient at its input to the segment before.
- **Strips**. A segment whose activations would be large is computed in horizontal
  strips (`strip_bounds`) of at most `STRIP_BYTES` a layer: convolutions and pools only look at
  nearby rows, so a strip read with a few rows of margin (`Segment.halo`) gives its own
  rows' activations exactly. So block 1's 64 full-size channels are never there four or
  five times over (activations and their gradients), only once or twice and a strip.

The loss and gradient are the normal ones (to float rounding); the price is a second
forward pass, 1.5x the time per evaluation at 512 px and 1.8x at 1024 px, where the
strips add their margins and a third pass over the kept layers (``benchmarks/benchmark.py``).

Each step is its own compiled function called from Python, so one segment's (or
strip's) activations are freed before the next are made.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from nst_tf.network.features import FeatureExtractor
from nst_tf.network.preprocess import preprocess
from nst_tf.objective import losses
from nst_tf.objective.terms import target_at

#: The last layer of each segment: one VGG19 block each.
SEGMENT_ENDS = ("block1_pool", "block2_pool", "block3_pool", "block4_pool", "block5_pool")
#: The most activation one strip makes in one layer, in bytes: a 512 px image's block 1
#: is one strip, a 1024 px one's four (a 1024x681 image: 192 rows each).
STRIP_BYTES = 48 * 2**20


class Segment:
    """Consecutive VGG19 layers (convolutions, then at most one pool); ``kept``: those
    whose activations the loss reads.

    Its steps are compiled per segment. They wrap partials, not methods: TensorFlow
    counts traces per code object, so the segments' methods would look like one function
    traced five times at each new image size of a coarse-to-fine run, and TensorFlow
    would print a retracing warning.
    """

    def __init__(self, layers: tuple, kept: tuple[str, ...], first: bool):
        self.layers, self.kept, self.first = layers, kept, first
        convolutions = sum(1 for layer in layers if "conv" in layer.name)
        #: 2 if the segment ends with a pool (its strips start on even rows), else 1.
        self.stride = 2 if "pool" in layers[-1].name else 1
        #: Rows of margin a strip needs on each side: one per 3x3 convolution, rounded up
        #: to the stride so the pool sees the same row pairs as on the whole image.
        self.halo = -(-convolutions // self.stride) * self.stride
        self.channels = max(getattr(layer, "filters", 0) for layer in layers)
        #: How many of its layers the loss needs: up to the last kept one.
        self.kept_depth = max(
            (depth for depth, layer in enumerate(layers, 1) if layer.name in kept), default=0
        )
        self._strip_forward = tf.function(
            functools.partial(Segment._cropped, self), reduce_retracing=True
        )
        self._strip_gradient = tf.function(
            functools.partial(Segment._strip_backward, self), reduce_retracing=True
        )
        self._loss_gradient = tf.function(functools.partial(Segment._loss_and_gradient, self))
        self._whole_gradient = tf.function(functools.partial(Segment._whole_backward, self))

    def __call__(self, x: tf.Tensor, depth: int | None = None):
        """This segment's output, and its kept activations (float32) by layer name, from
        its first ``depth`` layers (all by default). The first segment takes ``[0, 1]``
        RGB images, the others the previous output."""
        if self.first:
            x = preprocess(x)
        kept = {}
        for layer in self.layers[:depth]:
            x = layer(x)
            if layer.name in self.kept:
                kept[layer.name] = tf.cast(x, tf.float32)
        return x, kept

    def forward(self, x: tf.Tensor) -> tf.Tensor:
        """This segment's output, strip by strip."""
        depth = len(self.layers)
        outputs = [self._strip_forward(*strip.rows, depth)[0] for strip in self.strips(x)]
        return outputs[0] if len(outputs) == 1 else tf.concat(outputs, axis=1)

    def backward(self, x, upstream, images, terms, targets, weights):
        """This segment's part of the loss (`nst_tf.objective.losses.LossParts`), and the gradient
        at its input ``x`` of that part and of everything after it (whose gradient at
        this segment's output is ``upstream``; None for the last segment).

        A segment that fits in one strip is recomputed once, loss included. Otherwise the
        loss needs whole activations (a Gram matrix sums over every position), so the
        kept layers are recomputed whole (strip by strip) for the part and its gradient
        there; then the gradient flows back through the segment strip by strip, and the
        strips' gradients, which overlap in their margins, add up."""
        strips = self.strips(x)
        if len(strips) == 1:
            return self._whole_gradient(x, upstream, images, terms, targets, weights)
        kept = self.kept_activations(x)
        parts, at_kept, at_pixels = self._loss_gradient(kept, images, terms, targets, weights)
        del kept
        gradient = np.zeros(x.shape, np.float32)
        for strip in strips:
            piece = self._strip_gradient(*strip.rows, *strip.cotangents(upstream, at_kept))
            gradient[:, strip.low : strip.high] += piece.numpy().astype(np.float32)
        gradient = tf.cast(gradient, x.dtype)
        return parts, gradient if at_pixels is None else gradient + at_pixels

    def kept_activations(self, x) -> dict[str, tf.Tensor]:
        """The kept layers' whole activations, computed strip by strip."""
        if not self.kept:
            return {}
        pieces = [self._strip_forward(*strip.rows, self.kept_depth)[1] for strip in self.strips(x)]
        return {name: tf.concat([piece[name] for piece in pieces], axis=1) for name in self.kept}

    def _loss_and_gradient(self, kept, images, terms, targets, weights):
        """This segment's loss part, and its gradient at the kept activations and (first
        segment only: total variation reads them) at the pixels."""
        sources = [kept, images] if self.first else [kept]
        with tf.GradientTape() as tape:
            tape.watch(sources)
            parts = self.loss_part(kept, images, terms, targets, weights)
            total = tf.reduce_sum(parts.total)
        at_kept, *at_pixels = tape.gradient(
            total, sources, unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
        return parts, at_kept, (at_pixels[0] if self.first else None)

    def loss_part(self, kept, images, terms, targets, weights) -> losses.LossParts:
        """The terms' parts read at this segment's layers, and in the first segment the
        terms read on the pixels themselves (total variation); other parts are 0."""
        here = [
            (term, target_at(target, self.kept), weight)
            for term, target, weight in zip(terms, targets, weights)
            if set(term.layers) & set(self.kept) or (self.first and not term.layers)
        ]
        terms, targets, weights = zip(*here) if here else ((), (), ())
        return losses.weighted_total(terms, kept, images, targets, weights)

    def strips(self, x) -> list[Strip]:
        """``x`` cut into `Strip` s of at most `rows_per_strip` own rows."""
        rows = strip_bounds(int(x.shape[1]), self.rows_per_strip(x), self.stride)
        return [Strip(x, start, stop, self.halo, self.stride) for start, stop in rows]

    def rows_per_strip(self, x) -> int:
        """How many rows of ``x`` a strip takes so no layer's activation in it exceeds
        `STRIP_BYTES` (at least a few margins' worth, so margins stay a small overhead)."""
        row_bytes = int(x.shape[0]) * int(x.shape[2]) * self.channels * 4
        return max(STRIP_BYTES // max(row_bytes, 1), 4 * self.halo, self.stride)

    def _cropped(self, x, top, rows, depth):
        """`__call__` on a strip, keeping only its own rows ``top:top + rows`` (the rest is
        margin, whose activations the convolutions' zero padding has made wrong)."""
        output, kept = self(x, depth)
        kept = {name: value[:, top : top + rows] for name, value in kept.items()}
        return output[:, top // self.stride : (top + rows) // self.stride], kept

    def _whole_backward(self, x, upstream, images, terms, targets, weights):
        """`backward` of a segment in one piece: recomputed once, its loss part taken on
        the way."""
        with tf.GradientTape() as tape:
            tape.watch(x)
            output, kept = self(x)
            parts = self.loss_part(kept, x if self.first else images, terms, targets, weights)
            total = tf.reduce_sum(parts.total)
        ends, cotangents = [total], [tf.ones_like(total)]
        if upstream is not None:
            ends.append(output)
            cotangents.append(upstream)
        gradient = tape.gradient(
            ends, x, output_gradients=cotangents, unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
        return parts, gradient

    def _strip_backward(self, x, top, rows, upstream, at_kept):
        """The gradient at the strip ``x`` of its own rows' kept activations (cotangents
        ``at_kept``) and output (cotangent ``upstream``, None for the last segment)."""
        with tf.GradientTape() as tape:
            tape.watch(x)
            output, kept = self._cropped(x, top, rows, len(self.layers))
            ends = [kept[name] for name in at_kept] + ([] if upstream is None else [output])
        cotangents = list(at_kept.values()) + ([] if upstream is None else [upstream])
        return tape.gradient(
            ends, x, output_gradients=cotangents, unconnected_gradients=tf.UnconnectedGradients.ZERO
        )


@dataclass(frozen=True)
class Strip:
    """Rows ``start:stop`` of a segment's input ``x`` ``(batch, H, W, C)``, read with
    ``halo`` rows of margin on each side (rows ``low:high``); ``stride``: the segment's
    pool (its output rows are input rows // stride)."""

    x: tf.Tensor
    start: int
    stop: int
    halo: int
    stride: int

    @property
    def low(self) -> int:
        return max(0, self.start - self.halo)

    @property
    def high(self) -> int:
        return min(int(self.x.shape[1]), self.stop + self.halo)

    @property
    def rows(self) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        """The strip with its margins, and where its own rows are in it (first, count):
        tensors, so that a compiled step is not traced again for every strip."""
        whole = (self.low, self.high) == (0, self.x.shape[1])
        strip = self.x if whole else self.x[:, self.low : self.high]
        return strip, tf.constant(self.start - self.low), tf.constant(self.stop - self.start)

    def cotangents(self, upstream, at_kept) -> tuple:
        """The own rows of the gradients given for the whole image: at the segment's
        output (``upstream``, or None) and at its kept activations (``at_kept``)."""
        own = slice(self.start, self.stop)
        out = slice(self.start // self.stride, self.stop // self.stride)
        return (
            None if upstream is None else upstream[:, out],
            {name: gradient[:, own] for name, gradient in at_kept.items()},
        )


def strip_bounds(height: int, rows: int, stride: int) -> list[tuple[int, int]]:
    """``(start, stop)`` row ranges covering ``height`` rows in strips of about ``rows``,
    each starting on a multiple of ``stride`` (so pools pair the same rows)."""
    count = max(1, -(-height // rows))
    step = -(-height // count)
    step = -(-step // stride) * stride
    starts = range(0, height, step)
    return [(start, min(start + step, height)) for start in starts]


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
    `nst_tf.objective.objective.Objective.value_and_gradient` gives, keeping fewer activations."""
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
