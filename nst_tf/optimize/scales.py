"""Coarse-to-fine (Gatys et al. 2017): the sizes a transfer is optimised at, in order.

Optimise a small image, upsample it, go on at the next size: the coarse passes settle
the large structure cheaply (a step at half size costs about a quarter). Measured on the
ImageNet weights (benchmarks/benchmark.py, parts b and e, 2-core CPU): at 512 px, the
CLI's size, 10 steps at each of 128 and 256 px before the same 100 steps at 512 px end
14-25 % lower in loss for 2-3 % more time, and the style shows more (two image pairs);
at 256 px the default and 256 px alone reach the loss of 200 tutorial Adam steps about
equally soon (each first on some of three pairs); at 128 px the 64 px warm-up costs a
little (8-14 s to the target at 128 px alone, 10-15 s with it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from nst_tf.base.checks import whole_number

#: ``scales="auto"`` halves the output's long side while the half is at least this...
COARSEST_SIDE = 64
#: ...and at most this many times: a 2048 px output starts at 512 px, not 64 px, whose
#: large blotches of colour the finer sizes would have to undo (the speed measured for
#: the default used plans of one or two halvings).
MOST_HALVINGS = 2
#: Steps at each scale before the output's size (``coarse_steps``'s default).
COARSE_STEPS = 10
#: The smallest long side a scale may have (VGG19's block5 needs 16 px).
SMALLEST_SIDE = 16


@dataclass(frozen=True)
class ScalePlan:
    """Which long sides to optimise at, coarse to fine, and how many steps each gets.

    Args:
        scales: ``"auto"`` (halve the output's long side at most twice, while the half
            is at least 64 px: 256 px is optimised at 64, 128, then 256 px; 1024 px at
            256, 512, then 1024 px), ``None`` (only at the
            output's size, as the slides do), or ascending long sides in pixels, e.g.
            ``[256, 512]`` (the output's size is added if missing).
        coarse_steps: steps at each scale before the output's size; the output's size
            gets the run's ``steps``.
    """

    scales: str | Sequence[int] | None = "auto"
    coarse_steps: int = COARSE_STEPS

    def __post_init__(self):
        if isinstance(self.scales, str):
            if self.scales != "auto":
                raise ValueError(f"scales must be 'auto', None or long sides, not {self.scales!r}")
        elif self.scales is not None:
            sides = tuple(whole_number("scales", side, SMALLEST_SIDE) for side in self.scales)
            if not sides or list(sides) != sorted(set(sides)):
                raise ValueError(f"scales must be ascending long sides, got {list(self.scales)}")
            object.__setattr__(self, "scales", sides)
        object.__setattr__(self, "coarse_steps", whole_number("coarse_steps", self.coarse_steps, 1))

    def sides(self, long_side: int, smallest: int = SMALLEST_SIDE) -> list[int]:
        """The long sides, coarse to fine, ending at the output's ``long_side``; "auto"
        uses none below ``smallest`` (the long side at which a wide image's short side
        is still big enough for the layers)."""
        if self.scales is None:
            return [long_side]
        if self.scales == "auto":
            sides, floor = [long_side], max(COARSEST_SIDE, smallest)
            while len(sides) <= MOST_HALVINGS and math.ceil(sides[0] / 2) >= floor:
                sides.insert(0, math.ceil(sides[0] / 2))
            return sides
        sides = sorted({min(side, long_side) for side in self.scales})
        return sides if sides[-1] == long_side else [*sides, long_side]

    def plan(
        self, long_side: int, steps: int, smallest: int = SMALLEST_SIDE
    ) -> list[tuple[int, int]]:
        """``[(long side, steps), ...]`` from coarse to fine: ``coarse_steps`` at each
        coarser scale, ``steps`` at the output's ``long_side`` (``smallest``: see `sides`)."""
        sides = self.sides(long_side, smallest)
        return [(side, self.coarse_steps) for side in sides[:-1]] + [(long_side, steps)]
