"""Whether this process used VGG19 with random weights, so every figure made after says so.

Set by `nst_tf.network.vgg.load_vgg19` (and by a fast network trained on random
features); read by the figures and animations, which carry `random_weights_label`.
"""

from __future__ import annotations

from nst_tf.base.language import tr

_random_used = False  # whether a VGG19 with random weights was loaded in this process


def random_weights_used() -> bool:
    """Whether this process has used VGG19 with random weights (so figures say so)."""
    return _random_used


def note_random_weights_used() -> None:
    """From now on figures and animations of this process say "random weights": for
    results that come from them indirectly (a network trained with random weights)."""
    global _random_used
    _random_used = True


def random_weights_label() -> str:
    """The mark on figures and animations made once random weights were used."""
    return tr(
        "무작위 가중치 (random weights): 학습된 VGG19의 결과가 아닙니다",
        "random weights: not what the trained VGG19 gives",
    )
