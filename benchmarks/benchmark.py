"""Speed and memory of nst_tf on this machine, against the TF tutorial's formulation.

Run: ``python benchmarks/benchmark.py [--out benchmarks/results.json] [--quick]``

Measures, in one run, on the bundled photo and style image (a script, not a test):

a. seconds per step at 256 px: ours (L-BFGS and Adam) vs a baseline written to the
   TF tutorial's formulation (Gram / positions, mean squared losses, L1 total
   variation, Adam 0.02 / 0.99 / 0.1, pixels clipped each step); and how close one
   loss+gradient evaluation comes to this machine's matrix-multiply throughput
   (GFLOP/s of both, float32 and bfloat16, measured in the same run);
b. time to quality, on three image pairs at 128 and 256 px: wall time for our L-BFGS
   to reach the loss that 200 baseline-Adam steps reach on the *same* objective (ours)
   from the same start, and the ratio: coarse-to-fine (the default) and at the output
   size only, each in float32 and with precision="auto";
c. the 4-ratio sweep, batched vs one ratio after another;
d. peak resident memory of whole runs (fresh processes) at 256-1024 px with activations
   kept and recomputed (also in bfloat16, precision="auto"), and 2048 px coarse-to-fine
   runs, each beside its estimate (runs at 1024 px and beyond take 12 steps there:
   enough to fill L-BFGS's memory);
e. the default coarse-to-fine (128 px up to 512 px) vs 512 px only, the same 100 steps
   at 512 px (the CLI's), on two pairs;
f. the compute cost of recomputed activations: seconds per evaluation at 512 px, and at
   1024 px, where the large blocks are done in strips.

The weights are the best there are (``weights="auto"``: Keras's full file, else the 8-bit
copy from the package index, else the seeded random VGG19; the report says which, per
part). ``--parts ab`` runs only some parts and updates them in the existing report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

import nst_tf  # noqa: E402
from nst_tf.io.images import fit_long_side, load_image  # noqa: E402
from nst_tf.io.safe_write import write_file  # noqa: E402
from nst_tf.network.features import shared_extractor  # noqa: E402
from nst_tf.network.layers import LAYER_NAMES, pools_before
from nst_tf.network.preprocess import preprocess
from nst_tf.network.vgg import NetworkSettings, load_vgg19  # noqa: E402
from nst_tf.network.weights import best_available_weights
from nst_tf.objective.losses import DEFAULT_CONTENT_LAYERS, DEFAULT_STYLE_LAYERS  # noqa: E402
from nst_tf.objective.objective import Objective  # noqa: E402
from nst_tf.objective.settings import LossSettings
from nst_tf.optimize.memory import BLOCK_CHANNELS  # noqa: E402
from nst_tf.optimize.optimizers import optimizer_defaults  # noqa: E402
from nst_tf.optimize.sweep import weight_ratio_sweep  # noqa: E402
from nst_tf.optimize.transfer import stylize  # noqa: E402

HERE = Path(__file__).resolve().parent


def pick_weights() -> str:
    """The source ``weights="auto"`` would use here (announced when it is random)."""
    return best_available_weights(seed=0)


#: The image pairs of the time-to-quality rows (content, style), the first the default.
PAIRS = (("chelsea", "swirls"), ("rocket", "mosaic"), ("chelsea", "mosaic"))


def images(size: int, pair=PAIRS[0]):
    content, style = (load_image(nst_tf.bundled_image_path(n), max_size=None) for n in pair)
    return fit_long_side(content, size), fit_long_side(style, size)


class TutorialBaseline:
    """The TF tutorial's formulation, written independently: its losses and Adam loop."""

    def __init__(self, content, style, weights, content_weight=1e4, style_weight=1e-2, tv=30):
        self.layers = [*DEFAULT_STYLE_LAYERS, *DEFAULT_CONTENT_LAYERS]
        vgg = load_vgg19(weights)
        import keras

        self.model = keras.Model(vgg.input, [vgg.get_layer(n).output for n in self.layers])
        self.weights = (content_weight, style_weight, tv)
        style_out = self._outputs(style)
        content_out = self._outputs(content)
        self.style_targets = [self._gram(f) for f in style_out[:5]]
        self.content_target = content_out[5]
        self.adam = keras.optimizers.Adam(**optimizer_defaults("adam"))

    def _outputs(self, image):
        return self.model(preprocess(image), training=False)

    @staticmethod
    def _gram(features):
        gram = tf.einsum("bijc,bijd->bcd", features, features)
        positions = tf.cast(tf.shape(features)[1] * tf.shape(features)[2], tf.float32)
        return gram / positions

    def loss(self, image):
        outputs = self._outputs(image)
        content_w, style_w, tv_w = self.weights
        style = tf.add_n(
            [
                tf.reduce_mean((self._gram(f) - t) ** 2)
                for f, t in zip(outputs[:5], self.style_targets)
            ]
        ) * (style_w / 5)
        content = tf.reduce_mean((outputs[5] - self.content_target) ** 2) * content_w
        return style + content + tv_w * tf.reduce_sum(tf.image.total_variation(image))

    def make_step(self, variable):
        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = self.loss(variable)
            self.adam.apply_gradients([(tape.gradient(loss, variable), variable)])
            variable.assign(tf.clip_by_value(variable, 0.0, 1.0))
            return loss

        return step


def steady_seconds_per_step(run_steps, steps: int) -> tuple[float, float]:
    """(seconds per step after the first two, seconds until the first step ended)."""
    stamps = []
    start = time.perf_counter()
    run_steps(steps + 2, lambda *_: stamps.append(time.perf_counter()))
    return (stamps[-1] - stamps[1]) / steps, stamps[0] - start


def bench_step_time(content, style, weights, steps):
    """Steady-state seconds per step; setup (targets, tracing) is reported apart."""
    variable = tf.Variable(content)
    baseline_step = TutorialBaseline(content, style, weights).make_step(variable)

    def baseline(n, tick):
        for _ in range(n):
            baseline_step().numpy()
            tick()

    def ours(optimizer, precision="float32"):
        return lambda n, tick: stylize(
            content,
            style,
            steps=n,
            optimizer=optimizer,
            weights=weights,
            progress=False,
            callback=tick,
            callback_every=1,
            precision=precision,
            scales=None,  # steps at 256 px only
        )

    base, base_first = steady_seconds_per_step(baseline, steps)
    report = {"baseline_adam_s": base, "first_step_s": {"baseline": base_first}}
    for label, run in (
        ("lbfgs", ours("lbfgs")),
        ("adam", ours("adam")),
        ("lbfgs_bf16", ours("lbfgs", "bfloat16")),
        ("adam_bf16", ours("adam", "bfloat16")),
    ):
        seconds, first = steady_seconds_per_step(run, steps)
        report[f"ours_{label}_s"] = seconds
        report[f"speedup_{label}"] = base / seconds
        report["first_step_s"][f"ours_{label}"] = first
    return report


def bench_xla(content, style, weights, evaluations):
    """Seconds per loss+gradient evaluation: our tf.function as is, and with XLA."""
    from nst_tf.objective.objective import _compiled_value_and_gradient

    objective = our_objective(content, style, weights)
    compiled = _compiled_value_and_gradient(objective.extractor, objective.terms)
    xla = tf.function(compiled.python_function, jit_compile=True)
    args = (tf.constant(content), objective.targets, objective.weights)
    return {
        name: seconds_per_evaluation(lambda step=step: step(*args), evaluations)
        for name, step in (("tf_function_s", compiled), ("xla_s", xla))
    }


def seconds_per_evaluation(value_and_gradient, evaluations: int) -> float:
    """Mean seconds of ``value_and_gradient()`` (a (parts, gradient) call) after one
    untimed call that traces or compiles it."""
    value_and_gradient()[1].numpy()
    start = time.perf_counter()
    for _ in range(evaluations):
        value_and_gradient()[1].numpy()
    return (time.perf_counter() - start) / evaluations


def our_objective(content, style, weights, precision="float32", recompute=False):
    layers = [*DEFAULT_STYLE_LAYERS, *DEFAULT_CONTENT_LAYERS]
    extractor = shared_extractor(layers, NetworkSettings(weights, precision=precision))
    return Objective(extractor, LossSettings(), content, [style], recompute=recompute)


def bench_time_to_quality(content, style, weights, adam_steps, max_lbfgs_steps):
    """Baseline Adam (tutorial settings) on OUR objective vs our L-BFGS, to the same loss.

    Both start from the content image, after their functions were traced; the clock runs
    from the call to `stylize` (its set-up included) to the step that reaches the loss.
    """
    import keras

    objective = our_objective(content, style, weights)
    variable = tf.Variable(content)
    adam = keras.optimizers.Adam(**optimizer_defaults("adam"))

    @tf.function
    def adam_step():
        parts, gradient = objective.value_and_gradient(tf.convert_to_tensor(variable))
        adam.apply_gradients([(gradient, variable)])
        variable.assign(tf.clip_by_value(variable, 0.0, 1.0))
        return parts.total

    adam_step()  # traced; then the image and Adam's state start afresh
    variable.assign(content)
    for state in [adam.iterations, *adam._momentums, *adam._velocities]:
        state.assign(tf.zeros_like(state))
    start = time.perf_counter()
    for _ in range(adam_steps):
        adam_step()
    adam_seconds = time.perf_counter() - start
    target = float(objective.loss_parts(variable.numpy()).total[0])

    report = {"adam_steps": adam_steps, "adam_seconds": adam_seconds, "target_loss": target}
    report["lbfgs_step_cap"] = max_lbfgs_steps
    for suffix, (scales, precision) in LBFGS_VARIANTS.items():
        steps, evaluations, seconds = _lbfgs_time_to(
            target, objective, content, style, weights, max_lbfgs_steps, precision, scales
        )
        report[f"lbfgs_steps_to_target{suffix}"] = steps
        report[f"lbfgs_evaluations_to_target{suffix}"] = evaluations
        report[f"lbfgs_seconds_to_target{suffix}"] = seconds
        report[f"speedup{suffix}"] = adam_seconds / seconds
    return report


#: Our L-BFGS runs timed in part b, keyed by their suffix in the report: (scales, precision).
LBFGS_VARIANTS = {
    "": ("auto", "float32"),
    "_direct": (None, "float32"),
    "_auto": ("auto", "auto"),
    "_direct_auto": (None, "auto"),
}
#: How each variant is named in the table.
VARIANT_NAMES = {
    "": "coarse-to-fine, float32",
    "_direct": "the output size only (scales=None), float32",
    "_auto": 'coarse-to-fine, precision="auto"',
    "_direct_auto": 'scales=None, precision="auto"',
}


class _Reached(KeyboardInterrupt):
    """Ends a timed run once the target is reached (a run stops on it as on Ctrl-C)."""


def _lbfgs_time_to(target, objective, content, style, weights, max_steps, precision, scales):
    """(steps at the output size, evaluations in all, seconds) for our L-BFGS with this
    scale plan (``"auto"``: coarse-to-fine from 64 px; ``None``: the output's size only) to
    reach ``target`` on the float32 objective.

    Only steps at the output size are judged (a coarse size's loss is another
    objective's). During the run the callback only copies the images (an extra evaluation
    there would slow the run it measures); the run stops once its own loss is below the
    target (5 % below for bfloat16, whose loss is approximate). Afterwards each step's
    images are judged on the exact float32 objective, and the first that reaches the
    target counts.
    """
    common = dict(weights=weights, progress=False, precision=precision, scales=scales)
    stylize(content, style, steps=1, **common)
    margin = 1.0 if precision == "float32" else 0.95
    seen = []

    def keep(step):
        if step.images.shape != content.shape:
            return  # a coarser size
        seen.append((time.perf_counter() - start, step.step, step.images.copy()))
        if float(step.losses["total"][0]) <= margin * target:
            raise _Reached

    start = time.perf_counter()
    result = stylize(
        content,
        style,
        steps=max_steps,
        **common,
        callback=keep,
        callback_every=1,
    )
    coarse_steps = sum(steps for _, steps in result.scales[:-1])
    for seconds, step, images in seen:
        if float(objective.loss_parts(images).total[0]) <= target:
            return step, int(result.evaluations[coarse_steps + step - 1]), seconds
    return None, None, float("nan")


def bench_time_to_quality_pairs(weights, sizes, adam_steps, max_lbfgs_steps):
    """`bench_time_to_quality` for every pair of `PAIRS` at every size."""
    rows = {}
    for size in sizes:
        for pair in PAIRS:
            content, style = images(size, pair)
            row = bench_time_to_quality(content, style, weights, adam_steps, max_lbfgs_steps)
            rows[f"{size}px {pair[0]}+{pair[1]}"] = row
            print("b", size, pair, row, flush=True)
    return rows


def conv_flops(height: int, width: int, deepest: str) -> int:
    """Multiply-adds x 2 of VGG19's convolutions up to ``deepest`` for one image."""
    flops, channels = 0, 3
    for name in LAYER_NAMES[: LAYER_NAMES.index(deepest) + 1]:
        if name.endswith("_pool"):
            continue
        shift = pools_before(name)
        out = BLOCK_CHANNELS[int(name[5]) - 1]
        flops += 2 * 9 * channels * out * (height >> shift) * (width >> shift)
        channels = out
    return flops


def matmul_gflops(dtype, n=2048, repeats=10) -> float:
    """This machine's matrix-multiply throughput (GFLOP/s) for ``dtype``, n x n x n."""
    a = tf.random.uniform((n, n), dtype=tf.float32)
    a = tf.cast(a, dtype)
    matmul = tf.function(lambda x: tf.matmul(x, x))
    matmul(a).numpy()
    start = time.perf_counter()
    for _ in range(repeats):
        matmul(a).numpy()
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def bench_hardware_limit(content, style, weights, evaluations):
    """GFLOP/s of one loss+gradient evaluation (forward + gradient to the pixels: twice
    the forward's convolutions) against matmul throughput, float32 and bfloat16."""
    flops = 2 * conv_flops(*content.shape[1:3], DEFAULT_CONTENT_LAYERS[0])
    report = {"evaluation_gflop": flops / 1e9}
    for precision, dtype in (("float32", tf.float32), ("bfloat16", tf.bfloat16)):
        objective = our_objective(content, style, weights, precision)
        seconds = seconds_per_evaluation(
            lambda objective=objective: objective.value_and_gradient(content), evaluations
        )
        report[f"{precision}_evaluation_s"] = seconds
        report[f"{precision}_evaluation_gflops"] = flops / seconds / 1e9
        report[f"{precision}_matmul_gflops"] = matmul_gflops(dtype)
        report[f"{precision}_fraction_of_matmul"] = (
            report[f"{precision}_evaluation_gflops"] / report[f"{precision}_matmul_gflops"]
        )
    return report


def bench_recompute_cost(content, style, weights, evaluations):
    """Seconds per evaluation with activations kept and recomputed (`nst_tf.checkpointing`)."""
    report = {}
    for recompute in (False, True):
        objective = our_objective(content, style, weights, recompute=recompute)
        report["recompute_s" if recompute else "keep_s"] = seconds_per_evaluation(
            lambda objective=objective: objective.value_and_gradient(content), evaluations
        )
    report["cost"] = report["recompute_s"] / report["keep_s"]
    return report


def bench_sweep(content, style, weights, steps):
    timings = {}
    for batched in (True, False):
        weight_ratio_sweep(
            content, style, batched=batched, steps=1, weights=weights, progress=False, scales=None
        )
        start = time.perf_counter()
        weight_ratio_sweep(
            content,
            style,
            batched=batched,
            steps=steps,
            weights=weights,
            progress=False,
            scales=None,
        )
        timings["batched_s" if batched else "sequential_s"] = time.perf_counter() - start
    timings["speedup"] = timings["sequential_s"] / timings["batched_s"]
    timings["steps"] = steps
    return timings


MEMORY_PROBE = """
import sys, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {bench!r})
from benchmark import images
from nst_tf.optimize import memory, transfer
from nst_tf.optimize.settings import TransferSettings
from nst_tf.optimize.transfer import stylize

def peak_mib():  # VmHWM: this process's own peak RSS (ru_maxrss keeps the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

content, style = images({size})
settings = TransferSettings.make(
    steps={steps}, weights={weights!r}, progress=False, scales={scales!r}, coarse_steps=2,
    activations={activations!r}, precision={precision!r},
)
plan = transfer.run_plan(content, [style], settings.loss, settings.run)
recompute = memory.choose_activations(
    {activations!r},
    lambda again: transfer._memory_estimate(
        content, [style], plan, settings.loss, settings.run, again
    ),
    "this run",
)
estimate = transfer._memory_estimate(
    content, [style], plan, settings.loss, settings.run, recompute
)
result = stylize(content, style, settings)
print(peak_mib(), estimate.peak / 2**20, recompute, result.scales)
"""

#: (long side, steps, scales, activations, precision) of each memory row. 12 steps at
#: the largest size fill L-BFGS's 10 past steps, so the peak is a long run's.
MEMORY_RUNS = (
    (256, 25, None, "keep", "float32"),
    (512, 25, None, "keep", "float32"),
    (1024, 12, None, "keep", "float32"),
    (1024, 12, None, "recompute", "float32"),
    (1024, 12, None, "recompute", "auto"),
    (2048, 12, "auto", "auto", "float32"),
    (2048, 12, "auto", "recompute", "float32"),
)


def bench_memory(weights, runs=MEMORY_RUNS):
    """Peak RSS (MiB) of fresh processes beside the estimate `stylize` made for them."""
    rows = {}
    for size, steps, scales, activations, precision in runs:
        code = MEMORY_PROBE.format(
            bench=str(HERE),
            size=size,
            steps=steps,
            weights=weights,
            scales=scales,
            activations=activations,
            precision=precision,
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        peak, estimate, recompute, plan = done.stdout.strip().splitlines()[-1].split(" ", 3)
        key = f"{size}px {activations} {precision}"
        rows[key] = {
            "peak_MiB": float(peak),
            "estimate_MiB": float(estimate),
            "recomputed": recompute == "True",
            "plan": plan,
            "steps": steps,
        }
        print("d", key, rows[key], flush=True)
    return rows


def bench_coarse_to_fine(content_512, style_512, weights, steps):
    """Our default (coarse-to-fine from 128 px) against optimising at 512 px only, with the
    same steps at 512 px: wall time and the final 512 px loss."""
    objective = our_objective(content_512, style_512, weights)
    runs = {}
    for name, scales in (("direct", None), ("coarse_to_fine", "auto")):
        start = time.perf_counter()
        result = stylize(
            content_512, style_512, steps=steps, scales=scales, weights=weights, progress=False
        )
        seconds = time.perf_counter() - start
        loss = float(objective.loss_parts(result.best_image).total[0])
        runs[name] = {"seconds": seconds, "final_loss_512px": loss, "plan": result.scales}
    runs["loss_ratio_c2f_over_direct"] = (
        runs["coarse_to_fine"]["final_loss_512px"] / runs["direct"]["final_loss_512px"]
    )
    return runs


def bench_coarse_to_fine_pairs(weights, pairs, steps):
    """`bench_coarse_to_fine` for each pair at 512 px, keyed ``"chelsea+swirls"``."""
    return {
        "+".join(pair): bench_coarse_to_fine(*images(512, pair), weights, steps) for pair in pairs
    }


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "cpu": _cpu_name(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


PARTS = "abcdef"


def run_parts(parts: str, weights: str, quick: bool) -> dict:
    """The measurements of ``parts`` (letters of `PARTS`), keyed as in the report."""
    n = 3 if quick else 10
    content, style = images(256)
    report = {}
    if "a" in parts:
        report["a_step_time"] = bench_step_time(content, style, weights, n)
        print("a", report["a_step_time"], flush=True)
        report["a_xla"] = bench_xla(content, style, weights, n)
        print("a xla", report["a_xla"], flush=True)
        report["a_hardware_limit"] = bench_hardware_limit(content, style, weights, n)
        print("a limit", report["a_hardware_limit"], flush=True)
    if "b" in parts:
        report["b_time_to_quality"] = bench_time_to_quality_pairs(
            weights,
            sizes=(128,) if quick else (128, 256),
            adam_steps=20 if quick else 200,
            max_lbfgs_steps=10 if quick else 300,
        )
    if "c" in parts:
        report["c_sweep"] = bench_sweep(content, style, weights, steps=n)
        print("c", report["c_sweep"], flush=True)
    if "d" in parts:
        report["d_peak_memory"] = bench_memory(weights, MEMORY_RUNS[:2] if quick else MEMORY_RUNS)
    if "e" in parts:
        report["e_coarse_to_fine"] = bench_coarse_to_fine_pairs(  # the CLI's 100 steps
            weights, PAIRS[:1] if quick else PAIRS[:2], n if quick else 100
        )
        print("e", report["e_coarse_to_fine"], flush=True)
    if "f" in parts:
        report["f_recompute_cost"] = {
            side: bench_recompute_cost(*images(side), weights, max(2, n // 3) if side < 1024 else 2)
            for side in (512, 1024)
        }
        print("f", report["f_recompute_cost"], flush=True)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(HERE / "results.json"))
    parser.add_argument("--quick", action="store_true", help="fewer steps (a smoke run)")
    parser.add_argument("--parts", default=PARTS, help=f"which parts to run (of {PARTS!r})")
    args = parser.parse_args()
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"--parts: unknown {''.join(sorted(unknown))!r}; choose from {PARTS!r}")
    warnings.simplefilter("ignore")
    weights = pick_weights()
    out = Path(args.out)
    report = json.loads(out.read_text()) if set(args.parts) != set(PARTS) and out.is_file() else {}
    report.update({"machine": machine(), "size_px": 256})
    if not isinstance(report.get("weights"), dict):  # a report of one run: one source
        report["weights"] = dict.fromkeys(PARTS, report.get("weights"))
    report["weights"].update({part: weights for part in args.parts})
    print(f"weights: {weights}; {report['machine']}", flush=True)
    report.update(run_parts(args.parts, weights, args.quick))
    write_file(out, json.dumps(report, indent=2, default=str).encode(), overwrite=True)
    if all(key in report for key in ("a_step_time", "b_time_to_quality", "f_recompute_cost")):
        print(markdown_table(report))


def markdown_table(r: dict) -> str:
    a, x, h, c, e, f = (
        r[k]
        for k in (
            "a_step_time",
            "a_xla",
            "a_hardware_limit",
            "c_sweep",
            "e_coarse_to_fine",
            "f_recompute_cost",
        )
    )
    rows = [
        ("a. s/step, 256 px: tutorial baseline (Adam)", f"{a['baseline_adam_s']:.3f} s", ""),
        ("a. s/step, ours L-BFGS", f"{a['ours_lbfgs_s']:.3f} s", f"{a['speedup_lbfgs']:.2f}x"),
        ("a. s/step, ours Adam", f"{a['ours_adam_s']:.3f} s", f"{a['speedup_adam']:.2f}x"),
        (
            "a. s/step, ours L-BFGS, bfloat16",
            f"{a['ours_lbfgs_bf16_s']:.3f} s",
            f"{a['speedup_lbfgs_bf16']:.2f}x",
        ),
        (
            "a. s/step, ours Adam, bfloat16",
            f"{a['ours_adam_bf16_s']:.3f} s",
            f"{a['speedup_adam_bf16']:.2f}x",
        ),
        ("a. one loss+gradient evaluation: tf.function", f"{x['tf_function_s']:.3f} s", ""),
        (
            "a. the same with XLA (jit_compile=True)",
            f"{x['xla_s']:.3f} s",
            f"{x['tf_function_s'] / x['xla_s']:.2f}x",
        ),
    ]
    for precision in ("float32", "bfloat16"):
        rows.append(
            (
                f"a. one evaluation ({h['evaluation_gflop']:.1f} GFLOP), {precision}: achieved "
                f"vs this machine's {precision} matmul",
                f"{h[f'{precision}_evaluation_gflops']:.0f} GFLOP/s of "
                f"{h[f'{precision}_matmul_gflops']:.0f}",
                f"{h[f'{precision}_fraction_of_matmul']:.0%}",
            )
        )
    for key, b in r["b_time_to_quality"].items():
        rows.append(
            (f"b. {key}: {b['adam_steps']} baseline-Adam steps", f"{b['adam_seconds']:.1f} s", "")
        )
        for suffix, what in VARIANT_NAMES.items():
            if f"speedup{suffix}" not in b:
                continue  # a report from before this variant was measured
            rows.append(
                (
                    f"b. {key}: ours L-BFGS, {what}, to the same loss "
                    f"({b[f'lbfgs_steps_to_target{suffix}']} steps at full size, "
                    f"{b[f'lbfgs_evaluations_to_target{suffix}']} evaluations in all)",
                    f"{b[f'lbfgs_seconds_to_target{suffix}']:.1f} s",
                    f"{b[f'speedup{suffix}']:.1f}x",
                )
            )
    rows += [
        (f"c. 4-ratio sweep, {c['steps']} steps: one by one", f"{c['sequential_s']:.1f} s", ""),
        ("c. 4-ratio sweep, batched", f"{c['batched_s']:.1f} s", f"{c['speedup']:.2f}x"),
    ]
    for key, d in r["d_peak_memory"].items():
        how = "recomputed" if d["recomputed"] else "kept"
        rows.append(
            (
                f"d. peak memory, {key} ({d['steps']} steps, plan {d['plan']}, activations {how})",
                f"{d['peak_MiB']:.0f} MiB",
                f"estimate {d['estimate_MiB']:.0f} MiB",
            )
        )
    for pair, runs in e.items():
        rows += [
            (
                f"e. {pair}: 512 px only ({runs['direct']['plan'][-1][1]} steps)",
                f"{runs['direct']['seconds']:.1f} s",
                f"loss {runs['direct']['final_loss_512px']:.3g}",
            ),
            (
                f"e. {pair}: default coarse-to-fine "
                + "→".join(str(side) for side, _ in runs["coarse_to_fine"]["plan"])
                + " px (the same 512 px steps)",
                f"{runs['coarse_to_fine']['seconds']:.1f} s",
                f"loss {runs['coarse_to_fine']['final_loss_512px']:.3g}",
            ),
        ]
    for side, cost in f.items():
        rows.append(
            (f"f. one evaluation at {side} px, activations kept", f"{cost['keep_s']:.2f} s", "")
        )
        rows.append(
            (
                "f. the same, activations recomputed",
                f"{cost['recompute_s']:.2f} s",
                f"{cost['cost']:.2f}x the time",
            )
        )
    lines = ["| measurement | value | vs baseline |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {ratio} |" for name, value, ratio in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
