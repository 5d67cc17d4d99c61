"""VGG19's layers by name: which exist, in which block, and how small an image they allow.

No TensorFlow here: the names are the architecture's, whatever weights it runs with.
"""

from __future__ import annotations

from nst_tf.base.errors import LayerError

#: Convolution layers of VGG19 in order; the pools come after each block's last conv.
CONV_LAYERS = tuple(
    f"block{block}_conv{conv}"
    for block, n_convs in zip(range(1, 6), (2, 2, 4, 4, 4))
    for conv in range(1, n_convs + 1)
)


POOL_LAYERS = tuple(f"block{block}_pool" for block in range(1, 6))


#: Every layer whose activations can be asked for, shallow to deep.
LAYER_NAMES = tuple(
    name
    for block in range(1, 6)
    for name in [c for c in CONV_LAYERS if c.startswith(f"block{block}_")]
    + [POOL_LAYERS[block - 1]]
)


def pools_before(layer: str) -> int:
    """How many 2x2 poolings an input passes through before reaching ``layer``."""
    block = int(layer[len("block")])
    return block if layer.endswith("_pool") else block - 1


def min_image_size(layers) -> int:
    """Smallest image side (pixels) that leaves at least 1x1 activations at ``layers``."""
    return 2 ** max(pools_before(name) for name in layers)


def check_layer_names(layers) -> list[str]:
    """``layers`` as a list, or a `LayerError` listing the valid names."""
    if isinstance(layers, str):
        layers = [layers]
    layers = list(layers)
    unknown = [name for name in layers if name not in LAYER_NAMES]
    if unknown or not layers:
        raise LayerError(
            f"Unknown VGG19 layer name(s) {unknown or '(none given)'}. "
            f"Valid names: {', '.join(LAYER_NAMES)}"
        )
    return layers
