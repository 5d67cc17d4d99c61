"""The weights inside the loss: per layer, per term (a number or one per image), per style image."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from nst_tf.network.layers import check_layer_names


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
