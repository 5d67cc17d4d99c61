"""One run: an optimiser of `nst_tf.optimize.optimizers` against an objective, and its record.

`run` connects them to a `RunRecord` (history, evaluations and time per step, best and
last good images; NaN/Inf stop the run) and a `nst_tf.optimize.reporting.Reporter`,
and says why the run ended with a `Stop`.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from signal import SIGINT, Signals

import numpy as np

from nst_tf.base.language import tr
from nst_tf.base.signals import signal_of, stop_signals_raise
from nst_tf.objective.losses import PART_NAMES
from nst_tf.optimize.optimizers import OPTIMIZERS, OptimizerState


class NonFiniteLoss(Exception):
    """Raised inside the loop when the loss or gradient is NaN or Inf."""


class StopReason(enum.Enum):
    """Why a run ended."""

    COMPLETED = "completed"  # all its steps were done
    CONVERGED = "converged"  # the optimiser stopped by itself, earlier (still a result)
    INTERRUPTED = "interrupted"  # Ctrl-C, or a signal that stops the program
    NON_FINITE = "non-finite"  # the loss or gradient became NaN or Inf


@dataclass(frozen=True)
class Stop:
    """Why and when a run ended, with the details in words (``str(stop)``); ``signal`` is
    the signal that interrupted it (SIGINT for Ctrl-C), if any."""

    reason: StopReason
    step: int
    message: str = ""
    signal: int | None = None

    @property
    def completed(self) -> bool:
        """True when the run ended by itself: all steps done, or converged."""
        return self.reason in (StopReason.COMPLETED, StopReason.CONVERGED)

    def __str__(self) -> str:
        """Why the run ended, in the language in use (`nst_tf.base.language`)."""
        if self.reason is StopReason.COMPLETED:
            return tr("모든 스텝 완료", "completed")
        if self.reason is StopReason.CONVERGED:
            return tr(
                f"{self.step} 스텝에서 일찍 끝남: 손실이 더 줄지 않습니다",
                f"completed early, after {self.step} steps ({self.message})",
            )
        if self.reason is StopReason.INTERRUPTED:
            if self.signal in (None, SIGINT):
                return tr(f"{self.step} 스텝에서 중지됨", f"interrupted at step {self.step}")
            name = Signals(self.signal).name
            return tr(
                f"{self.step} 스텝에서 {name}로 중지됨",
                f"interrupted at step {self.step} by {name}",
            )
        return tr(f"멈춤: {self.message}", f"stopped: {self.message}")


class EndsWithStop:
    """For results with a ``stop``: why they ended in words, and whether they finished."""

    stop: Stop

    @property
    def stop_reason(self) -> str:
        return str(self.stop)

    @property
    def completed(self) -> bool:
        return self.stop.completed


@dataclass
class RunRecord:
    """What one run leaves behind, step by step.

    ``history`` has one ``(batch,)`` entry per step for each loss part; ``evaluations``
    and ``seconds`` give the loss+gradient evaluations and wall time used by the end of
    each step; the best image (per image of a batch) and the last good one are kept.
    """

    history: dict[str, list] = field(default_factory=lambda: {k: [] for k in PART_NAMES})
    evaluations: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_total: np.ndarray | None = None
    best_images: np.ndarray | None = None
    last_good: np.ndarray | None = None
    evaluations_done: int = 0
    started: float = field(default_factory=time.perf_counter)

    @property
    def steps_done(self) -> int:
        return len(self.evaluations)

    def evaluated(self, images: np.ndarray, parts, gradient) -> dict[str, np.ndarray]:
        """Check one evaluation for NaN/Inf and keep the best image; returns parts as numpy."""
        self.evaluations_done += 1
        values = {name: np.asarray(getattr(parts, name), np.float64) for name in PART_NAMES}
        if not (np.all(np.isfinite(values["total"])) and np.all(np.isfinite(gradient))):
            parts = ", ".join(f"{k} {v.tolist()}" for k, v in values.items())
            raise NonFiniteLoss(
                tr(
                    f"{self.steps_done + 1} 스텝에서 손실이나 그레이디언트가 NaN/Inf가 "
                    f"되었습니다 ({parts}). 학습률이나 가중치를 낮추세요. 마지막의 정상 "
                    "이미지를 남겼습니다.",
                    f"the loss or its gradient became NaN/Inf at step {self.steps_done + 1} "
                    f"({parts}). Lower the learning rate or the weights; the last good "
                    "image was kept.",
                )
            )
        self.last_good = images.copy()
        if self.best_total is None:
            self.best_total, self.best_images = values["total"].copy(), images.copy()
        else:
            better = values["total"] < self.best_total
            self.best_total[better] = values["total"][better]
            self.best_images[better] = images[better]
        return values

    def step_done(self, values: dict[str, np.ndarray]) -> None:
        """Record a finished step's loss parts, evaluations and time."""
        for name in PART_NAMES:
            self.history[name].append(values[name])
        self.evaluations.append(self.evaluations_done)
        self.seconds.append(time.perf_counter() - self.started)

    def history_arrays(self, batch: int) -> dict[str, np.ndarray]:
        """The history as ``(steps, batch)`` arrays (``(0, batch)`` before any step)."""
        return {
            name: np.array(values) if values else np.zeros((0, batch))
            for name, values in self.history.items()
        }


@dataclass
class RunResult:
    """Final and best images ``(batch, H, W, 3)``, the record, and why the run ended."""

    images: np.ndarray
    best_images: np.ndarray
    record: RunRecord
    stop: Stop


def run(
    objective, init: np.ndarray, optimizer: str, options: Mapping, steps: int, reporter
) -> RunResult:
    """Optimise ``init`` ``(batch, H, W, 3)`` for ``steps`` steps with ``optimizer``.

    Ctrl-C (KeyboardInterrupt), SIGTERM, SIGHUP and NaN/Inf end the run early; the result
    then holds the best and the last good images, and its `Stop` says why.
    """
    record = RunRecord()
    state = OptimizerState(np.array(init, dtype=np.float32))

    def evaluate(images: np.ndarray):
        parts, gradient = objective.value_and_gradient(images)
        gradient = gradient.numpy()
        return record.evaluated(images, parts, gradient), gradient

    def step_done(images: np.ndarray, values: dict) -> None:
        record.step_done(values)
        reporter.step(record.steps_done, images, values)

    try:
        with stop_signals_raise():  # SIGTERM and SIGHUP end the run as Ctrl-C does
            OPTIMIZERS[optimizer](evaluate, step_done, state, steps, **options)
        done = record.steps_done >= steps
        stop = Stop(
            StopReason.COMPLETED if done else StopReason.CONVERGED,
            record.steps_done,
            "" if done else state.message,
        )
    except KeyboardInterrupt as interrupt:
        stop = Stop(StopReason.INTERRUPTED, record.steps_done, signal=signal_of(interrupt))
    except NonFiniteLoss as exc:
        stop = Stop(StopReason.NON_FINITE, record.steps_done, str(exc))
        state.images = record.last_good if record.last_good is not None else state.images
    finally:
        reporter.close()
    best = record.best_images if record.best_images is not None else state.images
    return RunResult(state.images, best, record, stop)
