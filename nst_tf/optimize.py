"""Optimising the pixels: L-BFGS-B (scipy) or Adam (Keras), with a watchful run loop.

Both optimisers share `RunMonitor`, which keeps the history of each loss part per
step, the best image seen so far (per image of a batch), a tqdm progress bar, the
user's callback, atomic checkpoint images, and stops the run, keeping the last good
image, on NaN/Inf or Ctrl-C.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import scipy.optimize
import tensorflow as tf

from nst_tf.images import save_image
from nst_tf.objective import Objective
from nst_tf.progress import progress_bar

OPTIMIZERS = ("lbfgs", "adam")
#: The TF tutorial's Adam settings on [0, 1] pixels: the reference point for Adam.
ADAM_SETTINGS = {"learning_rate": 0.02, "beta_1": 0.99, "epsilon": 0.1}
PART_NAMES = ("total", "content", "style", "tv")


class Step(NamedTuple):
    """What a callback receives: step number, images ``(batch, H, W, 3)``, loss parts."""

    step: int
    images: np.ndarray
    losses: dict[str, np.ndarray]


class NonFiniteLoss(Exception):
    """Raised inside the loop when the loss or gradient is NaN or Inf."""


@dataclass
class RunResult:
    """Final and best images ``(batch, H, W, 3)``, per-step history, why it stopped.

    ``evaluations`` and ``seconds`` give, for each step, how many loss+gradient
    evaluations and how much wall time the run had used by its end (an L-BFGS step
    may take several evaluations, an Adam step exactly one).
    """

    images: np.ndarray
    best_images: np.ndarray
    history: dict[str, np.ndarray]
    steps_done: int
    stop_reason: str
    evaluations: np.ndarray
    seconds: np.ndarray


@dataclass
class RunMonitor:
    """Bookkeeping of one optimisation run (history, best image, progress, NaN, saves).

    Args:
        steps: planned number of steps (for the progress bar).
        progress: show the progress with the loss parts (`nst_tf.progress`).
        callback: called as ``callback(Step)`` every ``callback_every`` steps.
        checkpoint_dir: if set, the current images are saved there every
            ``checkpoint_every`` steps as ``{prefix}_{step:05d}.png`` (atomically).
        description: the progress bar's label.
    """

    steps: int
    progress: bool = True
    callback: Callable[[Step], None] | None = None
    callback_every: int = 10
    checkpoint_dir: str | Path | None = None
    checkpoint_every: int = 0
    checkpoint_prefix: str = "step"
    description: str = "style transfer"
    history: dict[str, list] = field(default_factory=lambda: {k: [] for k in PART_NAMES})
    best_total: np.ndarray | None = None
    best_images: np.ndarray | None = None
    last_good: np.ndarray | None = None
    steps_done: int = 0
    evaluations_done: int = 0
    evaluations: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    def __post_init__(self):
        self.bar = progress_bar(self.steps, self.description, enabled=self.progress)
        self.started = time.perf_counter()

    def evaluated(self, images: np.ndarray, parts, gradient=None) -> dict[str, np.ndarray]:
        """Check one evaluation for NaN/Inf and keep the best image; returns parts as numpy."""
        self.evaluations_done += 1
        values = {name: np.asarray(getattr(parts, name), np.float64) for name in PART_NAMES}
        finite = np.all(np.isfinite(values["total"]))
        if gradient is not None:
            finite = finite and bool(tf.reduce_all(tf.math.is_finite(gradient)))
        if not finite:
            raise NonFiniteLoss(
                f"the loss or its gradient became NaN/Inf at step {self.steps_done + 1} "
                f"(loss parts: { {k: v.tolist() for k, v in values.items()} }). Lower the "
                "learning rate or the weights; the last good image was kept."
            )
        self.last_good = images.copy()
        if self.best_total is None:
            self.best_total, self.best_images = values["total"].copy(), images.copy()
        else:
            better = values["total"] < self.best_total
            self.best_total[better] = values["total"][better]
            self.best_images[better] = images[better]
        return values

    def step_done(self, images: np.ndarray, values: dict[str, np.ndarray]) -> None:
        """Record a finished step: history, progress bar, callback, checkpoint."""
        self.steps_done += 1
        for name in PART_NAMES:
            self.history[name].append(values[name])
        self.evaluations.append(self.evaluations_done)
        self.seconds.append(time.perf_counter() - self.started)
        self.bar.set_postfix({name: f"{values[name].sum():.3g}" for name in PART_NAMES})
        self.bar.update(1)
        step = self.steps_done
        if self.callback and step % max(1, self.callback_every) == 0:
            self.callback(Step(step, images, values))
        if self.checkpoint_dir and self.checkpoint_every and step % self.checkpoint_every == 0:
            self.save_checkpoint(images, step)

    def save_checkpoint(self, images: np.ndarray, step: int) -> None:
        folder = Path(self.checkpoint_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for index, image in enumerate(images):
            suffix = f"_{index}" if len(images) > 1 else ""
            name = f"{self.checkpoint_prefix}_{step:05d}{suffix}.png"
            save_image(image, folder / name, overwrite=True)

    def result(self, final: np.ndarray, stop_reason: str) -> RunResult:
        self.bar.close()
        history = {
            name: np.array(values) if values else np.zeros((0, len(final)))
            for name, values in self.history.items()
        }
        best = self.best_images if self.best_images is not None else final
        return RunResult(final, best, history, self.steps_done, stop_reason,
                         np.array(self.evaluations, int), np.array(self.seconds))  # fmt: skip


def run(objective: Objective, init: np.ndarray, optimizer: str, monitor: RunMonitor) -> RunResult:
    """Optimise ``init`` ``(batch, H, W, 3)`` for ``monitor.steps`` steps.

    ``stop_reason`` starts with ``"completed"`` when the run ended by itself (L-BFGS-B
    may converge before ``steps``: the reason then says so and why).
    Ctrl-C (KeyboardInterrupt) and NaN/Inf end the run early; the result then holds
    the best and the last good images and says why it stopped in ``stop_reason``.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, not {optimizer!r}")
    images = np.array(init, dtype=np.float32)
    state = {"images": images}
    try:
        if optimizer == "lbfgs":
            _lbfgs(objective, state, monitor)
        else:
            _adam(objective, state, monitor)
        reason = "completed"
        if monitor.steps_done < monitor.steps:
            reason += f" early, after {monitor.steps_done} steps ({state.get('message')})"
    except KeyboardInterrupt:
        reason = f"interrupted at step {monitor.steps_done}"
    except NonFiniteLoss as exc:
        reason = f"stopped: {exc}"
        state["images"] = monitor.last_good if monitor.last_good is not None else images
    return monitor.result(state["images"], reason)


def _lbfgs(objective: Objective, state: dict, monitor: RunMonitor) -> None:
    """scipy's L-BFGS-B with pixel bounds [0, 1]; one monitor step per iteration."""
    shape = state["images"].shape
    last = {}

    def value_and_grad(x: np.ndarray):
        images = x.reshape(shape).astype(np.float32)
        parts, gradient = objective.value_and_gradient(images)
        last["x"], last["values"] = x.copy(), monitor.evaluated(images, parts, gradient)
        state["images"] = images
        return float(last["values"]["total"].sum()), gradient.numpy().astype(np.float64).ravel()

    def after_iteration(intermediate_result):
        x = intermediate_result.x
        if not np.array_equal(x, last["x"]):
            value_and_grad(x)  # the line search ended elsewhere: evaluate the accepted x
        state["images"] = x.reshape(shape).astype(np.float32)
        monitor.step_done(state["images"], last["values"])

    result = scipy.optimize.minimize(
        value_and_grad,
        state["images"].astype(np.float64).ravel(),
        jac=True,
        method="L-BFGS-B",
        bounds=scipy.optimize.Bounds(0.0, 1.0),
        callback=after_iteration,
        options={
            "maxiter": monitor.steps,
            "maxfun": 3 * monitor.steps + 20,
            "ftol": 0.0,
            "gtol": 0.0,
            "maxcor": 20,
        },
    )
    state["images"] = result.x.reshape(shape).astype(np.float32)
    state["message"] = result.message  # why L-BFGS-B stopped, if before `steps`


def _adam(objective: Objective, state: dict, monitor: RunMonitor) -> None:
    """Keras Adam with the TF tutorial's settings; pixels clipped to [0, 1] each step."""
    import keras

    variable = tf.Variable(state["images"])
    adam = keras.optimizers.Adam(**ADAM_SETTINGS)

    @tf.function
    def apply(gradient):
        adam.apply_gradients([(gradient, variable)])
        variable.assign(tf.clip_by_value(variable, 0.0, 1.0))

    for _ in range(monitor.steps):
        images = variable.numpy()
        parts, gradient = objective.value_and_gradient(images)
        values = monitor.evaluated(images, parts, gradient)
        apply(gradient)
        state["images"] = variable.numpy()
        monitor.step_done(state["images"], values)
