"""Keras callbacks for training a transformation network: what a run of `fit` shows and
keeps (progress or a live picture, the loss history, preview images, a NaN guard) and
checkpoints of the network, written atomically."""

from __future__ import annotations

import math
import os
import time

import keras
import numpy as np

from nst_tf.base.errors import NSTNotice, warn_once
from nst_tf.base.language import tr
from nst_tf.io.safe_write import OutputError
from nst_tf.objective.losses import PART_NAMES
from nst_tf.optimize.reporting import Reporter, Reporting, live_view
from nst_tf.optimize.run import Stop, StopReason


class TrainingRecord(keras.callbacks.Callback):
    """One training run as it goes and what it leaves behind.

    Shows a live picture of ``preview`` (``[0, 1]`` RGB ``(1, H, W, 3)``) through the
    network in a notebook, else a progress bar (``progress=False``: nothing). Keeps
    ``history`` (each loss part's batch mean per step, as `nst_tf.plot_loss_history`
    takes it), ``previews`` (``(step, image)`` every ``preview_every`` steps, step 0
    included), ``seconds`` and ``stop``. A NaN or Inf loss, or a step that makes weights
    NaN or Inf, ends the run with the weights from before it (never trained past a NaN).
    """

    def __init__(self, steps: int, preview=None, preview_every: int = 0, progress: bool = True):
        super().__init__()
        self.steps, self.preview, self.preview_every = steps, preview, preview_every
        self.progress = progress
        self.history: dict[str, list[float]] = {name: [] for name in PART_NAMES}
        self.previews: list[tuple[int, np.ndarray]] = []
        self.stop: Stop | None = None
        self.done, self.seconds = 0, 0.0
        self.started, self.reporter, self.live = time.perf_counter(), None, None

    @property
    def network(self) -> keras.Model:
        return self.model.network

    def stylized_preview(self) -> np.ndarray:
        """``preview`` through the network as it is now, ``(1, H, W, 3)``."""
        return np.asarray(self.network(self.preview, training=False))

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()
        reporting = Reporting(progress=self.progress)  # a bar, or a live picture: as stylize
        self.live = live_view(reporting, self.steps) if self.preview is not None else None
        self.reporter = Reporter(reporting, self.steps, tr("학습", "training"), live=self.live)
        if self.preview is not None and self.preview_every and not self.previews:
            self.previews.append((0, self.stylized_preview()))

    def on_train_batch_begin(self, batch, logs=None):
        self.good_weights = self.network.get_weights()  # put back if this step gives NaN

    def on_train_batch_end(self, batch, logs=None):
        values = {name: float(logs[name]) for name in PART_NAMES}
        loss_finite = math.isfinite(values["total"])
        if not loss_finite or not _finite(self.network.get_weights()):
            self._undo_step(loss_finite)
            return
        self.done += 1
        for name, value in values.items():
            self.history[name].append(value)
        arrays = {name: np.array([value]) for name, value in values.items()}
        self.reporter.step(self.done, self.stylized_preview, arrays)  # drawn only when due
        if self.preview_every and self.done % self.preview_every == 0:
            self.previews.append((self.done, self.stylized_preview()))

    def _undo_step(self, loss_finite: bool) -> None:
        """Put back the weights from before this step, whose loss was NaN or Inf (or, with
        ``loss_finite``, whose update made weights NaN or Inf), and end the run saying so."""
        self.network.set_weights(self.good_weights)
        self.model.stop_training = True
        step = self.done + 1
        korean, english = ("가중치가", "the weights") if loss_finite else ("손실이", "the loss")
        self.stop = Stop(
            StopReason.NON_FINITE,
            self.done,
            tr(
                f"{step} 스텝에서 {korean} NaN/Inf가 되어 그 앞의 신경망을 남겼습니다",
                f"{english} became NaN/Inf at step {step}; the network before it was kept",
            ),
        )

    def on_train_end(self, logs=None):
        self.finish(Stop(StopReason.COMPLETED, self.done))

    def finish(self, stop: Stop) -> None:
        """End the run's display with ``stop`` (kept unless a NaN stop came first)."""
        self.stop = self.stop or stop
        self.seconds = time.perf_counter() - self.started
        if self.reporter is not None:
            self.reporter.close()
        if self.live is not None:
            self.live.close(self.stop)
            self.live = None


class NetworkCheckpoint(keras.callbacks.Callback):
    """Save the network being trained to ``path`` (``.keras``) every ``every`` steps, with
    its optimiser's state and the steps taken (for ``nst-tf train --resume``), through
    `nst_tf.fast.apply.save_network` (atomic: a checkpoint is whole or absent).
    A file already at ``path`` is replaced only with ``overwrite`` (or once this
    checkpoint wrote it): one made by another program during the run is kept. A
    checkpoint that cannot be written is announced once and training goes on."""

    def __init__(self, path: str | os.PathLike, every: int, overwrite: bool = False):
        super().__init__()
        self.path, self.every, self.overwrite = path, every, overwrite
        self.done, self.saved = 0, False

    def on_train_batch_end(self, batch, logs=None):
        self.done += 1
        if self.every and self.done % self.every == 0 and not self.model.stop_training:
            self.save()

    def save(self) -> None:
        from nst_tf.fast.apply import save_network

        try:
            replace = self.overwrite or self.saved
            save_network(self.model.network, self.path, replace, self.model.optimizer)
            self.saved = True
        except (OSError, OutputError) as exc:
            warn_once(
                tr(
                    f"{self.path}에 중간 저장을 하지 못했습니다 ({exc}): 학습은 계속합니다",
                    f"could not write a checkpoint to {self.path} ({exc}); training goes on",
                ),
                CheckpointNotice,
            )


class CheckpointNotice(NSTNotice):
    """A checkpoint could not be written; training went on."""


def _finite(arrays) -> bool:
    """Whether every value of ``arrays`` (a network's weights) is a finite number."""
    return all(np.isfinite(array).all() for array in arrays)
