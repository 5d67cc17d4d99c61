"""What one layer "knows": images rebuilt from white noise by matching one thing only.

- `reconstruct_content`: match the content features of a single layer (Gatys et al.
  Fig. 1): shallow layers give back the pixels, deep layers only the structure;
- `synthesize_texture`: match only the Gram matrices of some layers (slide 5):
  texture synthesis, the "style" half of style transfer on its own.

Both start from white noise at the image's own size and optimise there only
(``scales=None``), as the paper does: a coarse-to-fine warm-up would start from smooth
noise and hide what a layer cannot tell apart.
"""

from __future__ import annotations

from nst_tf.optimize.transfer import StylizeResult, stylize


def reconstruct_content(
    content, layer: str, steps: int = 100, scales=None, **settings
) -> StylizeResult:
    """From white noise, an image whose ``layer`` activations match ``content``'s."""
    return stylize(
        content,
        content,
        content_layers=[layer],
        style_layers=[layer],
        style_weight=0.0,
        tv_weight=0.0,
        init="noise",
        steps=steps,
        scales=scales,
        **settings,
    )


def synthesize_texture(style, layers, steps: int = 100, scales=None, **settings) -> StylizeResult:
    """From white noise, an image with the Gram matrices of ``style`` at ``layers``.

    The output has the style image's size; pass a resized ``style`` for another size.
    """
    layers = list(layers)
    return stylize(
        style,
        style,
        style_layers=layers,
        content_layers=layers[:1],
        content_weight=0.0,
        tv_weight=0.0,
        init="noise",
        steps=steps,
        scales=scales,
        **settings,
    )
