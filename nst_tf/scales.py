"""Coarse-to-fine (Gatys et al. 2017): the sizes a transfer is optimised at, in order.

Optimise a small image, upsample it, refine at the next size: the coarse pass settles
the large structure cheaply. The paper: 500 steps at 512 px, then 200 at 1024 px.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from nst_tf.checks import whole_number

#: ``scales="auto"`` halves the output's long side until it is at most this.
COARSEST_SIDE = 512
#: Later scales get this fraction of the first scale's steps (the paper: 500, then 200).
REFINE_FRACTION = 0.4
#: The smallest long side a scale may have (VGG19's block5 needs 16 px).
SMALLEST_SIDE = 16


@dataclass(frozen=True)
class ScalePlan:
    """Which long sides to optimise at, coarse to fine, and how many steps each gets.

    Args:
        scales: ``"auto"`` (outputs up to 512 px directly; larger ones first at half
            size, halving until at most 512 px), ``None`` (always directly), or
            ascending long sides in pixels, e.g. ``[256, 512]``.
        refine_steps: steps at each scale after the first; default 40 % of ``steps``.
    """

    scales: str | Sequence[int] | None = "auto"
    refine_steps: int | None = None

    def __post_init__(self):
        if isinstance(self.scales, str):
            if self.scales != "auto":
                raise ValueError(f"scales must be 'auto', None or long sides, not {self.scales!r}")
        elif self.scales is not None:
            sides = tuple(whole_number("scales", side, SMALLEST_SIDE) for side in self.scales)
            if not sides or list(sides) != sorted(set(sides)):
                raise ValueError(f"scales must be ascending long sides, got {list(self.scales)}")
            object.__setattr__(self, "scales", sides)
        if self.refine_steps is not None:
            object.__setattr__(
                self, "refine_steps", whole_number("refine_steps", self.refine_steps, 1)
            )

    def sides(self, long_side: int) -> list[int]:
        """The long sides, coarse to fine, ending at the output's ``long_side``."""
        if self.scales is None:
            return [long_side]
        if self.scales == "auto":
            sides = [long_side]
            while sides[0] > COARSEST_SIDE:
                sides.insert(0, math.ceil(sides[0] / 2))
            return sides
        sides = sorted({min(side, long_side) for side in self.scales})
        return sides if sides[-1] == long_side else [*sides, long_side]

    def plan(self, long_side: int, steps: int) -> list[tuple[int, int]]:
        """``[(long side, steps), ...]`` from coarse to fine; ``steps`` at the first scale."""
        refine = self.refine_steps or max(1, round(REFINE_FRACTION * steps))
        return [(side, steps if i == 0 else refine) for i, side in enumerate(self.sides(long_side))]
