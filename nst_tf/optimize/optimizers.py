"""Optimising the pixels: a registry of optimisers (L-BFGS-B and Adam).

An optimiser is a function in `OPTIMIZERS`::

    def name(evaluate, step_done, state, steps, *, hyper_parameter=default, ...)

It calls ``evaluate(images)`` for the loss parts and the gradient, ``step_done(images,
values)`` after each of its ``steps`` steps with the images after the step and their
loss (so every optimiser's history means the same), and leaves its last images in ``state``
(an `OptimizerState`, with a ``message`` if it stopped by itself before ``steps``).
Its keyword-only parameters are its hyper-parameters: their defaults are the defaults,
and ``optimizer_options`` may change them. Adding an optimiser is one function here,
one line in `OPTIMIZERS` and its memory in `state_bytes`. `nst_tf.optimize.run`
runs one against an objective.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import scipy.optimize
import tensorflow as tf
from threadpoolctl import threadpool_limits

from nst_tf.base.checks import one_of

Evaluate = Callable[[np.ndarray], tuple[dict, np.ndarray]]
StepDone = Callable[[np.ndarray, dict], None]


@dataclass
class OptimizerState:
    """What an optimiser leaves: its current images ``(batch, H, W, 3)``, and why it
    stopped if that was before its steps were done (in its own words)."""

    images: np.ndarray
    message: str = ""


def lbfgs(
    evaluate: Evaluate,
    step_done: StepDone,
    state: OptimizerState,
    steps: int,
    *,
    memory: int = 10,
    first_step: float = 1.0,
) -> None:
    """scipy's L-BFGS-B with pixel bounds [0, 1]; one step per L-BFGS iteration.

    ``memory``: how many past steps L-BFGS keeps to estimate the curvature (scipy's
    default, 10: 5, 10 and 20 reached the same loss in 100 steps at 128 px within 1 %
    and a given loss in the same evaluations at 256 px; each past step keeps 16 bytes
    a pixel value: 10 of them take 0.3 GB at 1024 px).
    ``first_step``: how far (in ``[0, 1]`` pixel units) the first trial step moves the
    pixel whose gradient is steepest. With bounds on every pixel, L-BFGS-B's first trial
    step is the raw gradient, which for this loss (~1e8) would throw every pixel to 0
    or 1; each image's loss is therefore divided by ``max |its gradient| / first_step``
    at the start (the images of a batch are independent, so each keeps its optimum).
    Only the first step sees this: afterwards L-BFGS rescales its curvature estimate
    from the steps it took. Measured: a sixth fewer evaluations to a given loss at 128 px.
    """
    shape = state.images.shape
    pending = [evaluate(state.images)]  # scipy evaluates the start first
    steepest = np.abs(pending[0][1]).reshape(shape[0], -1).max(axis=1)
    scale = np.maximum(steepest / first_step, np.finfo(np.float32).tiny)
    last = {}

    def value_and_grad(x: np.ndarray):
        last["images"] = x.reshape(shape).astype(np.float32)
        last["values"], gradient = pending.pop() if pending else evaluate(last["images"])
        total = float(np.sum(last["values"]["total"] / scale))
        gradient = gradient.astype(np.float64)
        gradient /= scale[:, None, None, None]  # in place: no second float64 copy
        return total, gradient.ravel()

    def after_iteration(intermediate_result):
        images = intermediate_result.x.reshape(shape).astype(np.float32)
        if not np.array_equal(images, last["images"]):
            value_and_grad(intermediate_result.x)  # the line search ended elsewhere
        state.images = last["images"]
        step_done(state.images, last["values"])

    x, state.message = minimize_in_unit_box(
        value_and_grad, state.images.astype(np.float64).ravel(), steps, memory, after_iteration
    )
    state.images = x.reshape(shape).astype(np.float32)


def minimize_in_unit_box(value_and_grad, x0, steps, memory, callback):
    """L-BFGS-B on ``x0`` with every value bounded to [0, 1], for ``steps`` iterations:
    ``(x, message)``. A float64 ``x0`` is the iterate itself (changed in place, not
    copied: at 2048 px a copy is 67 MB). ``callback(intermediate_result)`` (an
    ``OptimizeResult`` with ``x``; scipy needs the parameter to have that name) runs after
    each iteration.

    The same algorithm and iterates as ``scipy.optimize.minimize(method="L-BFGS-B")``,
    whose public path converts the bounds value by value in Python (about 6 µs a value:
    0.8 s at 256 px, 13 s at 1024 px, every run and scale); with scipy's C L-BFGS-B
    (scipy >= 1.15) its routine is called here with the bound arrays directly.

    BLAS is held to one thread meanwhile: L-BFGS-B's vector operations are BLAS calls,
    after which OpenBLAS's idle threads keep spinning on the cores TensorFlow needs for
    the next evaluation (measured at 128 px: 0.145 s an evaluation, 0.108 s with one
    BLAS thread).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _minimize_in_unit_box(value_and_grad, x0, steps, memory, callback)


def _minimize_in_unit_box(value_and_grad, x0, steps, memory, callback):
    if not _lbfgsb_routine_known():
        result = scipy.optimize.minimize(
            value_and_grad,
            x0,
            jac=True,
            method="L-BFGS-B",
            bounds=scipy.optimize.Bounds(0.0, 1.0),
            callback=callback,
            options={
                "maxiter": steps,
                "maxfun": _max_evaluations(steps),
                "ftol": 0.0,
                "gtol": 0.0,
                "maxcor": memory,
            },
        )
        return result.x, str(result.message)
    from scipy.optimize import _lbfgsb
    from scipy.optimize._lbfgsb_py import status_messages, task_messages

    n, m = x0.size, memory
    x, value, gradient = np.asarray(x0, np.float64), 0.0, np.zeros(n)
    lower, upper, kinds = np.zeros(n), np.ones(n), np.full(n, 2, np.int32)  # 2: both bounds
    work, int_work = np.zeros(2 * m * n + 5 * n + 11 * m * m + 8 * m), np.zeros(3 * n, np.int32)
    task, line_task = np.zeros(2, np.int32), np.zeros(2, np.int32)
    logicals, ints, floats = np.zeros(4, np.int32), np.zeros(44, np.int32), np.zeros(29)
    iterations = evaluations = 0
    while True:
        _lbfgsb.setulb(
            m, x, lower, upper, kinds, value, gradient, 0.0, 0.0,
            work, int_work, task, logicals, ints, floats, 20, line_task,
        )  # fmt: skip
        if task[0] == _TASK_EVALUATE:
            gradient = None  # setulb is done with it: free it before the next one is made
            value, gradient = value_and_grad(x)
            evaluations += 1
        elif task[0] == _TASK_NEW_X:
            iterations += 1
            callback(scipy.optimize.OptimizeResult(x=x, fun=value))
            if iterations >= steps:
                task[:] = _TASK_STOP, 504
            elif evaluations > _max_evaluations(steps):
                task[:] = _TASK_STOP, 502
        else:
            return x, f"{status_messages[task[0]]}: {task_messages[task[1]]}"


_TASK_NEW_X, _TASK_EVALUATE, _TASK_STOP = 1, 3, 5
_SETULB_SIGNATURE = (
    "setulb(m,x,l,u,nbd,f,g,factr,pgtol,wa,iwa,task,lsave,isave,dsave,maxls,ln_task)"
)


def _max_evaluations(steps: int) -> int:
    return 3 * steps + 20


def _lbfgsb_routine_known() -> bool:
    """True when scipy's L-BFGS-B routine is the C one whose calling convention
    `minimize_in_unit_box` follows (scipy >= 1.15)."""
    try:
        from scipy.optimize import _lbfgsb
    except ImportError:
        return False
    return (getattr(_lbfgsb.setulb, "__doc__", "") or "").startswith(_SETULB_SIGNATURE)


def adam(
    evaluate: Evaluate,
    step_done: StepDone,
    state: OptimizerState,
    steps: int,
    *,
    learning_rate: float = 0.02,
    beta_1: float = 0.99,
    epsilon: float = 1e-3,
) -> None:
    """Keras Adam with the TF tutorial's learning rate and β₁, and ε = 1e-3; pixels
    clipped to [0, 1]. The tutorial's ε = 0.1 suits its loss scale: on the normalised
    VGG19 the gradients are small enough that it all but stops Adam (chelsea x swirls,
    128 px, 40 steps: SSIM to the photo 0.955, against 0.879 with 1e-3 and 0.878 with
    Keras's 1e-7); 1e-3 still damps the pixels whose gradient is round-off."""
    import keras

    variable = tf.Variable(state.images)
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, epsilon=epsilon)

    @tf.function
    def apply(gradient):
        optimizer.apply_gradients([(gradient, variable)])
        variable.assign(tf.clip_by_value(variable, 0.0, 1.0))

    values, gradient = evaluate(variable.numpy())
    for _ in range(steps):
        apply(tf.convert_to_tensor(gradient))
        state.images = variable.numpy()
        values, gradient = evaluate(state.images)  # the loss after this step, as L-BFGS reports
        step_done(state.images, values)


#: Every optimiser by name; see the module docstring for what a new one must do.
OPTIMIZERS: dict[str, Callable] = {"lbfgs": lbfgs, "adam": adam}


def state_bytes(name: str, options: Mapping, values: int) -> int:
    """Bytes optimiser ``name`` with hyper-parameters ``options`` keeps while optimising
    ``values`` pixel values (for `nst_tf.optimize.memory`): L-BFGS-B its ``memory`` past steps and
    gradient changes and a few work vectors, all float64; Adam its moments and copies."""
    if name == "lbfgs":
        return (2 * options["memory"] + 12) * values * 8
    return 8 * values * 4


def optimizer_defaults(name: str) -> dict:
    """The hyper-parameters of optimiser ``name`` with their defaults."""
    parameters = inspect.signature(OPTIMIZERS[one_of("optimizer", name, OPTIMIZERS)]).parameters
    return {p.name: p.default for p in parameters.values() if p.kind is p.KEYWORD_ONLY}


def check_optimizer(name: str, options: Mapping | None) -> dict:
    """The hyper-parameters optimiser ``name`` will use: its defaults updated by ``options``
    (each checked: a known name, a number > 0, whole where the default is)."""
    defaults = optimizer_defaults(name)
    options = dict(options or {})
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise ValueError(
            f"optimizer {name!r} has no option(s) {unknown}; its options: {sorted(defaults)}"
        )
    for key, value in options.items():
        kind = type(defaults[key])
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"optimizer option {key} must be a number, not {value!r}")
        if not np.isfinite(value) or value <= 0 or (kind is int and value != int(value)):
            raise ValueError(f"optimizer option {key} must be a {kind.__name__} > 0, not {value}")
        options[key] = kind(value)
    return {**defaults, **options}
