"""What is minimised: slide 3's weights, the layers, and how style is measured."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from nst_tf.objective.gram import check_normalization
from nst_tf.objective.layer_weights import layer_weights, loss_weight
from nst_tf.objective.losses import (
    DEFAULT_CONTENT_LAYERS,
    DEFAULT_CONTENT_WEIGHT,
    DEFAULT_STYLE_LAYERS,
    DEFAULT_STYLE_WEIGHT,
    DEFAULT_TV_WEIGHT,
    PART_NAMES,
    STYLE_NORMALIZATIONS,
)
from nst_tf.objective.terms import ContentTerm, StyleTerm, TotalVariationTerm


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
