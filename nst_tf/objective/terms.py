"""The loss terms as classes: each makes its target once per run, then compares against it.

A term has ``layers`` (what it reads), ``target(extractor, image)`` and
``__call__(features, images, target) -> (batch,)``; `nst_tf.objective.settings.LossSettings`
lists them. Adding a term: a class here, a weight in `LossSettings`, a part in `LossParts`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import tensorflow as tf

from nst_tf.network.layers import pools_before
from nst_tf.objective.gram import gram_matrix
from nst_tf.objective.layer_weights import StyleMix
from nst_tf.objective.losses import (
    TV_EXPONENT,
    GuidedTarget,
    content_loss,
    guided_style_loss,
    image_pixels,
    style_loss,
    total_variation_loss,
)


def target_at(target, layers):
    """The part of a term's target at ``layers``: content and style targets hold one entry
    per layer, and their losses sum over the layers of their target, so a loss can be
    taken layer group by layer group (`nst_tf.objective.recompute`). Total variation's ``()``
    has no layers."""
    if isinstance(target, GuidedTarget):
        return GuidedTarget(target_at(target.grams, layers), target_at(target.masks, layers))
    if isinstance(target, Mapping):
        return {layer: value for layer, value in target.items() if layer in layers}
    return target


@dataclass(frozen=True)
class ContentTerm:
    """``Σ_l w_l Σ (F_l - P_l)²``; the target ``P`` is the content image's activations."""

    layer_weights: tuple[tuple[str, float], ...]
    name: ClassVar[str] = "content"

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(layer for layer, _ in self.layer_weights)

    def target(self, extractor, content, styles, mix: StyleMix) -> dict[str, tf.Tensor]:
        return summarized_activations(self, extractor, content)

    def summarize(self, features, images) -> dict[str, tf.Tensor]:
        """What the target keeps of an image's activations: its layers' own."""
        return {layer: features[layer] for layer in self.layers}

    def __call__(self, features, images, target) -> tf.Tensor:
        return content_loss(features, target, dict(self.layer_weights))


@dataclass(frozen=True)
class StyleTerm:
    """``Σ_l w_l ¼ Σ (Ĝ_l - Â_l)²``; the target ``Â`` is the blend of the style images'
    normalised Gram matrices, each normalised by its own image's size. With masks (a
    `StyleMix` with ``masks``) each region has its own target (`GuidedTarget`)."""

    layer_weights: tuple[tuple[str, float], ...]
    normalization: str = "keras"
    name: ClassVar[str] = "style"

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(layer for layer, _ in self.layer_weights)

    def target(self, extractor, content, styles, mix: StyleMix):
        each = [summarized_activations(self, extractor, style) for style in styles]
        blended = {
            layer: sum(float(w) * grams[layer] for w, grams in zip(mix.weights, each))
            for layer in self.layers
        }
        if mix.masks is None:
            return blended
        regions = each if len(mix.masks) == len(styles) else [blended]  # one mask: the blend
        height, width = np.shape(content)[1:3]
        return GuidedTarget(
            {layer: tf.stack([region[layer] for region in regions]) for layer in self.layers},
            {
                layer: tf.stack([_mask_at(m, height, width, layer) for m in mix.masks])
                for layer in self.layers
            },
        )

    def summarize(self, features, images) -> dict[str, tf.Tensor]:
        """What the target keeps of a style image's activations: normalised Gram matrices."""
        pixels = image_pixels(images)
        return {
            layer: gram_matrix(features[layer], self.normalization, pixels) for layer in self.layers
        }

    def __call__(self, features, images, target) -> tf.Tensor:
        loss = guided_style_loss if isinstance(target, GuidedTarget) else style_loss
        return loss(
            features, target, image_pixels(images), dict(self.layer_weights), self.normalization
        )


def summarized_activations(term, extractor, images) -> dict[str, tf.Tensor]:
    """``term.summarize`` of the activations of ``[0, 1]`` RGB ``images``, in one compiled
    call: only what it returns is kept, every other activation is freed once the next
    layer is computed (a 2048 px content or style image's activations at every layer
    would take 3 GB at once)."""
    extractor.check_image(images)
    return _compiled_summary(term, extractor)(tf.convert_to_tensor(images, tf.float32))


@functools.lru_cache(maxsize=16)
def _compiled_summary(term, extractor):
    """One compiled function per term and extractor. A single function taking them as
    arguments would be traced anew for each (lesson 1 rebuilds from five layers, five
    terms in a row) and TensorFlow would print a retracing warning; a partial is its own
    function to TensorFlow, traced once per image size."""
    return tf.function(functools.partial(_summary, term, extractor), reduce_retracing=True)


def _summary(term, extractor, images):
    return term.summarize(extractor(images), images)


def _mask_at(mask, height: int, width: int, layer: str) -> tf.Tensor:
    """A ``(1, H, W, 1)`` mask averaged down to the size of ``layer``'s activations."""
    shift = pools_before(layer)
    size = (max(1, height >> shift), max(1, width >> shift))
    return tf.image.resize(tf.convert_to_tensor(mask, tf.float32), size, "area", antialias=True)


@dataclass(frozen=True)
class TotalVariationTerm:
    """``Σ (dy² + dx²)^exponent`` of the optimised images; it has no target."""

    exponent: float = TV_EXPONENT
    name: ClassVar[str] = "tv"
    layers: ClassVar[tuple[str, ...]] = ()

    def target(self, extractor, content, styles, mix: StyleMix) -> tuple:
        return ()

    def __call__(self, features, images, target) -> tf.Tensor:
        return total_variation_loss(images, self.exponent)
