"""Telling the user about a run while it goes: progress, a callback, checkpoint images.

`Reporting` holds the settings (checked when made); a `Reporter` acts on them at each
step of one run. What the run itself leaves behind (history, best image, why it
stopped) is `nst_tf.optimize.run.RunRecord`'s job, not this module's.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nst_tf.base.checks import whole_number
from nst_tf.base.language import tr
from nst_tf.base.progress import in_notebook, progress_bar
from nst_tf.io.images import save_image
from nst_tf.io.safe_write import usable_folder


def short_part_label(part: str) -> str:
    """A loss part's short name for a progress line, in the language in use."""
    korean = {"total": "전체", "content": "콘텐츠", "style": "스타일", "tv": "총 변위"}
    return tr(korean.get(part, part), part)


class Step(NamedTuple):
    """What a callback receives: step number, images ``(batch, H, W, 3)``, loss parts."""

    step: int
    images: np.ndarray
    losses: dict[str, np.ndarray]


@dataclass(frozen=True)
class Reporting:
    """How a run reports itself.

    Args:
        progress: show progress with the loss parts (`nst_tf.base.progress`).
        callback: called as ``callback(Step)`` every ``callback_every`` steps.
        checkpoint_dir: if set, the current images are saved there every
            ``checkpoint_every`` steps as ``{prefix}_{step:05d}.png`` (atomically).
    """

    progress: bool = True
    callback: Callable[[Step], None] | None = None
    callback_every: int = 10
    checkpoint_dir: str | os.PathLike | None = None
    checkpoint_every: int = 0

    def __post_init__(self):
        if not isinstance(self.progress, bool):
            raise TypeError(f"progress must be True or False, not {self.progress!r}")
        if self.callback is not None and not callable(self.callback):
            raise TypeError(f"callback must be callable, not {self.callback!r}")
        object.__setattr__(
            self, "callback_every", whole_number("callback_every", self.callback_every, 1)
        )
        object.__setattr__(
            self, "checkpoint_every", whole_number("checkpoint_every", self.checkpoint_every, 0)
        )
        if self.checkpoint_dir is not None:
            folder = usable_folder(self.checkpoint_dir, "checkpoint_dir")  # before the run
            object.__setattr__(self, "checkpoint_dir", folder)


def live_view(reporting: Reporting, total_steps: int):
    """A run's live picture (`nst_tf.figures.live.LiveView`) where it reports its progress in a
    notebook, else None (a progress bar or log lines then)."""
    if not (reporting.progress and in_notebook()):
        return None
    from nst_tf.figures.live import LiveView

    return LiveView(total_steps)


class Reporter:
    """Acts on `Reporting` for one run (or one scale of it): progress bar or a live
    picture (`nst_tf.figures.live.LiveView`, shared by a run's scales), callback, checkpoints."""

    def __init__(
        self,
        reporting: Reporting,
        steps: int,
        description: str,
        prefix: str = "step",
        live=None,
    ):
        self.reporting, self.prefix, self.live = reporting, prefix, live
        self.bar = progress_bar(steps, description, enabled=reporting.progress and not live)
        if live is not None:
            live.stage(description)

    def step(self, step: int, images, values: dict[str, np.ndarray]) -> None:
        """Report finished step number ``step`` (counted from 1): its images ``(batch,
        H, W, 3)`` (or, with no callback or checkpoints, a function that makes them for
        the live picture) and loss parts."""
        if self.live is not None:
            self.live.step(images, values)
        self.bar.set_postfix(
            {short_part_label(name): f"{value.sum():.3g}" for name, value in values.items()}
        )
        self.bar.update(1)
        settings = self.reporting
        if settings.callback and step % settings.callback_every == 0:
            settings.callback(Step(step, images, values))
        if (
            settings.checkpoint_dir
            and settings.checkpoint_every
            and step % settings.checkpoint_every == 0
        ):
            self.save_checkpoint(images, step)

    def save_checkpoint(self, images: np.ndarray, step: int) -> None:
        folder = Path(self.reporting.checkpoint_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for index, image in enumerate(images):
            suffix = f"_{index}" if len(images) > 1 else ""
            save_image(image, folder / f"{self.prefix}_{step:05d}{suffix}.png", overwrite=True)

    def close(self) -> None:
        self.bar.close()
