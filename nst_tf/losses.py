"""Content, style and total-variation losses, slide 3's weighted total, and its settings.

Every loss returns one value per image, shape ``(batch,)``, so a whole batch of
results (e.g. one per weight ratio of slide 8) is optimised in one VGG pass.

The three terms:

- content: ``Σ (F - P)² / M_l`` over the content layer's activations: summed over its
  channels, averaged over its ``M_l = H_l·W_l`` positions (the Keras example and Gatys
  et al. sum over positions too, so their content loss grows with the image);
- style, per layer: ``¼ Σ (Ĝ - Â)²`` between Gram matrices normalised the same way
  (`nst_tf.gram.GRAM_NORMALIZATIONS`): ``"keras"`` divides ``F·Fᵀ`` by ``3·H·W`` of
  the image, which makes the loss ``Σ (G - A)² / (4 · 3² · (H·W)²)``; ``"gatys"``
  divides by ``N_l·M_l`` (channels and positions of the layer), which makes it
  ``Σ (G - A)² / (4 · N_l² · M_l²)`` as in Gatys et al. Each Gram matrix is normalised
  by its *own* image's size, so a style image of any size asks for the same statistics;
- total variation: ``Σ ((x[i+1,j] - x[i,j])² + (x[i,j+1] - x[i,j])²)^1.25`` on the
  ``[0, 1]`` image, a smooth form of "the difference between a pixel and the one
  next to it" (slide 7) that L-BFGS can follow.

With these and Gatys et al.'s normalised VGG19 (`nst_tf.rescale`: every filter's mean
activation 1), content/style weight ratios from ``1e-4`` (mostly style) to ``1e-1``
(mostly the photo, with the style's colours) span slide 8 at any image size. On the
weights as released (chelsea against swirls at 256 px) the style loss is 2.5·10⁹ times
and the content loss 190 times larger, so the same ratios all give the style
(measured: ``benchmarks/slide8.py``). Gatys et al.'s α/β is the same ratio
measured with other normalisations, so its numbers are not interchangeable with these.

Each term is one class (`ContentTerm`, `StyleTerm`, `TotalVariationTerm`) that makes
its own target once per run, in its final form, and compares against it; `LossSettings`
holds the weights and layers, checked when made, and lists the terms. Adding a term
means a class here, a ``<name>_weight`` field of `LossSettings` and a line in
`LossSettings.terms` (and the same part in `LossParts` and `total_loss`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

import numpy as np
import tensorflow as tf

from nst_tf.features import check_layer_names, pools_before
from nst_tf.gram import GRAM_NORMALIZATIONS, check_normalization, gram_matrix

DEFAULT_CONTENT_WEIGHT = 0.025
DEFAULT_STYLE_WEIGHT = 1.0
#: On the normalised VGG19 (`nst_tf.rescale`) the style loss is about 10⁹ times smaller
#: than on the released weights, so the smoothing weight is smaller too: 100 (the Keras
#: book's 1e-4 on 0-255 pixels, for [0, 1] pixels) blurs the result into a soft photo.
DEFAULT_TV_WEIGHT = 1e-2
DEFAULT_CONTENT_LAYERS = ("block5_conv2",)
DEFAULT_STYLE_LAYERS = tuple(f"block{b}_conv1" for b in range(1, 6))
TV_EXPONENT = 1.25
#: Normalisations of the style loss: the Gram matrices', default first. ``"keras"`` and
#: ``"gatys"`` are the literature's; ``"none"`` (slide 6's plain product) and
#: ``"positions"`` (the TF tutorial's Gram) give the same loss on other scales.
STYLE_NORMALIZATIONS = tuple(GRAM_NORMALIZATIONS)


class LossParts(NamedTuple):
    """Slide 3's total and its three parts, each ``(batch,)``; parts are unweighted."""

    total: tf.Tensor
    content: tf.Tensor
    style: tf.Tensor
    tv: tf.Tensor


#: The names of the loss parts, total first (the keys of every run's history).
PART_NAMES = LossParts._fields


def _per_image_sum(values) -> tf.Tensor:
    """Sum over every axis but the first: ``(batch, ...)`` to ``(batch,)``."""
    return tf.reduce_sum(values, axis=tf.range(1, tf.rank(values)))


def image_pixels(images) -> tf.Tensor:
    """``H·W`` of ``(batch, H, W, 3)`` images, as a float32 scalar."""
    shape = tf.shape(images)
    return tf.cast(shape[1] * shape[2], tf.float32)


def _check_batched(name: str, value, rank: int = 4) -> tf.Tensor:
    value = tf.convert_to_tensor(value, tf.float32)
    if value.shape.rank != rank:
        raise ValueError(
            f"{name} must have {rank} axes (batch first), got shape {tuple(value.shape)}"
        )
    return value


def _check_same_shape(name: str, value, target) -> None:
    """A clear error when two tensors' known shapes cannot be compared element by element."""
    ours, theirs = value.shape[1:], target.shape[1:]
    if ours.is_fully_defined() and theirs.is_fully_defined() and ours != theirs:
        raise ValueError(
            f"{name}: shape {tuple(value.shape)} does not match its target's "
            f"{tuple(target.shape)}; compute both from images of the same size."
        )


def equal_weights(layers) -> dict[str, float]:
    """Weights ``1/n`` for each of ``n`` layers (they sum to 1)."""
    layers = list(layers)
    return {name: 1.0 / len(layers) for name in layers}


def layer_weights(layers: Sequence[str] | Mapping[str, float] | str) -> dict[str, float]:
    """The one rule for layer weights, in the API and on the command line.

    A layer name or a list of names shares a weight of 1 equally (``1/n`` each); a
    ``{name: weight}`` mapping keeps its weights as given (finite, ``>= 0``).
    """
    if isinstance(layers, Mapping):
        check_layer_names(list(layers))
        weights = {}
        for name, weight in layers.items():
            if isinstance(weight, (str, bytes, bool)) or not np.isscalar(weight):
                raise TypeError(f"layer weight of {name} must be a number, not {weight!r}")
            if not np.isfinite(weight) or weight < 0:
                raise ValueError(f"layer weight of {name} must be finite and >= 0, not {weight}")
            weights[name] = float(weight)
        return weights
    return equal_weights(check_layer_names(layers))


def loss_weight(name: str, value) -> np.ndarray:
    """A loss weight as a float64 ``(n,)`` array: one number, or one per image of a batch."""
    if isinstance(value, (str, bytes, bool)):
        raise TypeError(f"{name} must be a number or an array of numbers, not {value!r}")
    try:
        values = np.atleast_1d(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, not {value!r}") from None
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} must be a number or a 1-D array, got shape {values.shape}")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return values


def blend_weights(blend: Sequence[float] | None, count: int) -> np.ndarray:
    """Style blend weights for ``count`` style images, normalised to sum to 1."""
    if count < 1:
        raise ValueError("Give at least one style image.")
    weights = np.ones(count) if blend is None else np.asarray(blend, dtype=np.float64)
    if weights.shape != (count,):
        raise ValueError(f"style_blend needs one weight per style image ({count}), got {blend}")
    return weights / weights.sum()


class StyleMix(NamedTuple):
    """How the style images make the style target (Gatys et al. 2017, spatial control).

    Without ``masks``: their Gram matrices blended by ``weights`` (summing to 1), over the
    whole output. With ``masks``: one region per mask, ``(1, H, W, 1)`` in ``[0, 1]`` at
    the optimised images' size; either one mask per style image (each style in its own
    region) or one mask for the blend (the region of the output to stylise at all).
    """

    weights: np.ndarray
    masks: tuple | None = None


def check_mask_count(blend, count: int, masks: int) -> None:
    """Style masks place each of ``count`` styles: one mask per style, and no blend."""
    if blend is not None:
        raise ValueError("style_blend and style_masks: give one of them (masks place each style)")
    if masks != count:
        raise ValueError(f"style_masks needs one mask per style image ({count}), got {masks}")


def style_mix(blend, count: int, style_masks=None, content_mask=None) -> StyleMix:
    """The `StyleMix` for ``count`` style images, ``style_blend`` and the masks (already
    at the optimised images' size). Pixels no mask covers get no style; where masks
    overlap, both styles pull."""
    weights = blend_weights(blend, count)
    if style_masks is None:
        return StyleMix(weights, None if content_mask is None else (content_mask,))
    check_mask_count(blend, count, len(style_masks))
    masks = tuple(m if content_mask is None else m * content_mask for m in style_masks)
    return StyleMix(weights, masks)


# --- the three terms, as functions a student can read --------------------------------


def content_layer_loss(features, target) -> tf.Tensor:
    """``Σ (F - P)² / M_l`` per image: activations ``(batch, H_l, W_l, C)`` vs ``(1 or
    batch, ...)``, summed over channels and averaged over the ``M_l = H_l·W_l`` positions.

    Averaging over positions makes the content loss, like the normalised Gram matrices'
    style loss, independent of the image's size, so a weight ratio means the same at
    256 and at 512 px.
    """
    features = _check_batched("content features", features)
    target = _check_batched("content target", target)
    _check_same_shape("content features", features, target)
    shape = tf.shape(features)
    positions = tf.cast(shape[1] * shape[2], tf.float32)
    return _per_image_sum(tf.square(features - target)) / positions


def weighted_layer_sum(per_layer: dict, weights: Mapping[str, float] | None) -> tf.Tensor:
    """``Σ_l w_l · loss_l`` with equal weights summing to 1 when none are given."""
    if not per_layer:
        raise ValueError("no layers to sum: give the targets of at least one layer")
    weights = weights or equal_weights(per_layer)
    return tf.add_n([tf.cast(weights[name], tf.float32) * loss for name, loss in per_layer.items()])


def content_loss(features: Mapping, targets: Mapping, layer_weights=None) -> tf.Tensor:
    """Weighted content loss over the layers of ``targets`` (default weights ``1/n``)."""
    per_layer = {name: content_layer_loss(features[name], targets[name]) for name in targets}
    return weighted_layer_sum(per_layer, layer_weights)


def style_layer_loss(gram, target_gram) -> tf.Tensor:
    """``¼ Σ (Ĝ - Â)²`` per image, between two Gram matrices normalised the same way.

    Args:
        gram: the optimised images' Gram matrices ``(batch, N, N)``.
        target_gram: the style's, ``(1 or batch, N, N)``, same normalisation.
    """
    gram = _check_batched("Gram matrix", gram, rank=3)
    target_gram = _check_batched("target Gram matrix", target_gram, rank=3)
    _check_same_shape("Gram matrix", gram, target_gram)
    return _per_image_sum(tf.square((gram - target_gram) / 2.0))


def style_loss(
    features: Mapping,
    target_grams: Mapping,
    image_pixels,
    layer_weights=None,
    normalization: str = "keras",
) -> tf.Tensor:
    """Weighted style loss over the layers of ``target_grams`` (default weights ``1/n``).

    Args:
        features: ``{layer: (batch, H_l, W_l, N_l)}`` activations of the optimised images.
        target_grams: ``{layer: (1, N_l, N_l)}`` the style's Gram matrices, normalised
            with ``normalization`` (e.g. ``gram_matrix(f, "keras", image_pixels=H·W)``).
        image_pixels: ``H·W`` of the optimised images (used by ``"keras"``).
        normalization: one of `STYLE_NORMALIZATIONS` (``"keras"``, ``"gatys"``...).
    """
    check_normalization(normalization, STYLE_NORMALIZATIONS)
    per_layer = {
        name: style_layer_loss(gram_matrix(features[name], normalization, image_pixels), target)
        for name, target in target_grams.items()
    }
    return weighted_layer_sum(per_layer, layer_weights)


class GuidedTarget(NamedTuple):
    """The style target of a masked transfer, one region ``r`` per mask: ``grams[layer]``
    is ``(R, 1, N, N)`` (each region's normalised Gram matrix to match) and
    ``masks[layer]`` is ``(R, 1, H_l, W_l, 1)`` (each region at that layer's size)."""

    grams: dict
    masks: dict


def guided_style_loss(
    features: Mapping, target: GuidedTarget, image_pixels, layer_weights=None, normalization="keras"
) -> tf.Tensor:
    """``Σ_l w_l Σ_r ¼ Σ (Ĝ_{r,l} - Â_{r,l})²`` with guided Gram matrices ``Ĝ_{r,l}`` of
    each region (`nst_tf.gram.gram_matrix` with ``mask``): each style in its own place."""
    check_normalization(normalization, STYLE_NORMALIZATIONS)
    per_layer = {}
    for name, grams in target.grams.items():
        masks = target.masks[name]
        per_region = [
            style_layer_loss(
                gram_matrix(features[name], normalization, image_pixels, masks[r]), grams[r]
            )
            for r in range(grams.shape[0])
        ]
        per_layer[name] = tf.add_n(per_region)
    return weighted_layer_sum(per_layer, layer_weights)


def neighbour_differences(images) -> tuple[tf.Tensor, tf.Tensor]:
    """Slide 7's "pixel minus the pixel next to it": ``(dy, dx)``, each ``(batch, H-1, W-1, C)``.

    ``dy`` is the difference to the pixel below, ``dx`` to the pixel on the right,
    on the ``(H-1) x (W-1)`` pixels that have both neighbours.
    """
    images = _check_batched("images", images)
    corner = images[:, :-1, :-1, :]
    return images[:, 1:, :-1, :] - corner, images[:, :-1, 1:, :] - corner


def total_variation_loss(images, exponent: float = TV_EXPONENT) -> tf.Tensor:
    """``Σ (dy² + dx²)^exponent`` per image over ``[0, 1]`` RGB ``(batch, H, W, 3)``.

    See `neighbour_differences`; the sum runs over positions and channels.
    """
    dy, dx = neighbour_differences(images)
    return _per_image_sum(tf.pow(tf.square(dy) + tf.square(dx), exponent))


def keras_to_gatys_factor(layer_shape, image_pixels: int) -> float:
    """How many times larger a layer's style loss is with ``"keras"`` than ``"gatys"``.

    ``(4·N²·M²) / (4·3²·(H·W)²)`` for a layer of ``N`` channels and ``M`` positions in an
    image of ``H·W`` pixels: the factor that converts a style weight between the two.
    """
    _, height, width, channels = layer_shape
    positions = height * width
    return float((channels * positions) ** 2 / (3 * image_pixels) ** 2)


def total_loss(
    content,
    style,
    tv,
    content_weight=DEFAULT_CONTENT_WEIGHT,
    style_weight=DEFAULT_STYLE_WEIGHT,
    tv_weight=DEFAULT_TV_WEIGHT,
) -> LossParts:
    """Slide 3: ``content_weight·content + style_weight·style + tv_weight·tv``.

    Weights may be numbers or ``(batch,)`` tensors (one weight set per image).
    """
    total = content_weight * content + style_weight * style + tv_weight * tv
    return LossParts(total, content, style, tv)


def weighted_total(terms, features, images, targets, weights) -> LossParts:
    """Slide 3's total of ``terms`` (each against its target, with its weight) from the
    activations ``features`` of ``images``; a part with no term given is 0."""
    parts = dict.fromkeys(PART_NAMES[1:], tf.zeros(tf.shape(images)[:1]))
    parts.update({term.name: term(features, images, t) for term, t in zip(terms, targets)})
    weighted = {f"{term.name}_weight": weight for term, weight in zip(terms, weights)}
    return total_loss(**parts, **weighted)


def target_at(target, layers):
    """The part of a term's target at ``layers``: content and style targets hold one entry
    per layer, and their losses sum over the layers of their target, so a loss can be
    taken layer group by layer group (`nst_tf.checkpointing`). Total variation's ``()``
    has no layers."""
    if isinstance(target, GuidedTarget):
        return GuidedTarget(target_at(target.grams, layers), target_at(target.masks, layers))
    if isinstance(target, Mapping):
        return {layer: value for layer, value in target.items() if layer in layers}
    return target


# --- the terms as objects: each makes its target once and compares against it -------


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


@dataclass(frozen=True)
class LossSettings:
    """What is minimised: slide 3's weights, the layers, and how style is measured.

    Checked when made. Weights are numbers, or ``(batch,)`` arrays to optimise a batch
    of images with one weight set each (slide 8's sweep is such a batch).

    Args:
        content_weight, style_weight, tv_weight: slide 3's weights (``>= 0``).
        content_layers, style_layers: layer names (sharing a weight of 1 equally) or
            ``{name: weight}`` (weights as given); see `layer_weights`.
        normalization: the style loss's: ``"keras"`` (default), ``"gatys"`` or another
            of `STYLE_NORMALIZATIONS`.
        style_blend: one weight per style image (normalised to sum to 1); ``None``
            blends equally.
        style_scale: the style images are seen at this fraction of the output's size.
    """

    content_weight: float | Sequence[float] = DEFAULT_CONTENT_WEIGHT
    style_weight: float | Sequence[float] = DEFAULT_STYLE_WEIGHT
    tv_weight: float | Sequence[float] = DEFAULT_TV_WEIGHT
    content_layers: Sequence[str] | Mapping[str, float] = DEFAULT_CONTENT_LAYERS
    style_layers: Sequence[str] | Mapping[str, float] = DEFAULT_STYLE_LAYERS
    normalization: str = "keras"
    style_blend: Sequence[float] | None = None
    style_scale: float = 1.0
    term_weights: dict[str, np.ndarray] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        weights = {
            name: loss_weight(f"{name}_weight", getattr(self, f"{name}_weight"))
            for name in PART_NAMES[1:]
        }
        sizes = {len(w) for w in weights.values()} - {1}
        if len(sizes) > 1:
            raise ValueError(f"weight arrays of different lengths {sorted(sizes)}; use one length")
        batch = sizes.pop() if sizes else 1
        object.__setattr__(
            self, "term_weights", {n: np.broadcast_to(w, batch) for n, w in weights.items()}
        )
        object.__setattr__(self, "content_layers", layer_weights(self.content_layers))
        object.__setattr__(self, "style_layers", layer_weights(self.style_layers))
        check_normalization(self.normalization, STYLE_NORMALIZATIONS)
        if self.style_blend is not None:
            blend = loss_weight("style_blend", self.style_blend)
            if blend.sum() == 0:
                raise ValueError("style_blend must not be all zero: give some style a weight > 0")
            object.__setattr__(self, "style_blend", tuple(blend.tolist()))
        scale = loss_weight("style_scale", self.style_scale)
        if scale.shape != (1,) or scale[0] <= 0:
            raise ValueError(f"style_scale must be one number > 0, got {self.style_scale!r}")
        object.__setattr__(self, "style_scale", float(scale[0]))

    @property
    def batch(self) -> int:
        """How many weight sets (images optimised together): 1, or the weights' length."""
        return len(self.term_weights["content"])

    @property
    def layers(self) -> list[str]:
        """Every layer the terms read, without repeats."""
        return list(dict.fromkeys(layer for term in self.terms() for layer in term.layers))

    def terms(self) -> tuple:
        """The loss terms, in the order of `LossParts`."""
        return (
            ContentTerm(tuple(self.content_layers.items())),
            StyleTerm(tuple(self.style_layers.items()), self.normalization),
            TotalVariationTerm(),
        )
