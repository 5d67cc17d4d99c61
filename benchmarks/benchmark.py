"""Speed and memory of nst_tf on this machine, against the TF tutorial's formulation.

Run: ``python benchmarks/benchmark.py [--out benchmarks/results.json] [--quick]``

Measures, in one run, on the bundled photo and style image (a script, not a test):

a. seconds per step at 256 px: ours (L-BFGS and Adam) vs a baseline written to the
   TF tutorial's formulation (Gram / positions, mean squared losses, L1 total
   variation, Adam 0.02 / 0.99 / 0.1, pixels clipped each step);
b. time to quality: wall time for our default (L-BFGS) to reach the loss that 200
   baseline-Adam steps reach on the *same* objective (ours), and the ratio;
c. the 4-ratio sweep, batched vs one ratio after another;
d. peak resident memory of a whole run at 256 and 512 px (fresh processes);
e. coarse-to-fine (256 then 512 px) vs direct 512 px, same 512 px step budget.

ImageNet weights are used when Keras's cache already holds them; otherwise the
seeded random VGG19 (the report says which).
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

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import nst_tf  # noqa: E402
from nst_tf.features import FeatureExtractor, preprocess  # noqa: E402
from nst_tf.images import fit_long_side, load_image  # noqa: E402
from nst_tf.losses import DEFAULT_CONTENT_LAYERS, DEFAULT_STYLE_LAYERS, LossSettings  # noqa: E402
from nst_tf.objective import Objective  # noqa: E402
from nst_tf.optimize import optimizer_defaults  # noqa: E402
from nst_tf.safe_write import write_file  # noqa: E402
from nst_tf.sweep import weight_ratio_sweep  # noqa: E402
from nst_tf.transfer import stylize  # noqa: E402
from nst_tf.vgg import imagenet_cache_path, load_vgg19  # noqa: E402

HERE = Path(__file__).resolve().parent


def pick_weights() -> str:
    return "imagenet" if imagenet_cache_path().is_file() else "random"


def images(size: int):
    content = load_image(nst_tf.bundled_image_path("chelsea"), max_size=None)
    style = load_image(nst_tf.bundled_image_path("swirls"), max_size=None)
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
    from nst_tf.objective import _compiled_value_and_gradient

    objective = our_objective(content, style, weights)
    xla = tf.function(_compiled_value_and_gradient.python_function, jit_compile=True)
    args = (
        objective.extractor,
        objective.terms,
        tf.constant(content),
        objective.targets,
        objective.weights,
    )
    timings = {}
    for name, step in (("tf_function_s", _compiled_value_and_gradient), ("xla_s", xla)):
        step(*args)[1].numpy()  # trace / compile
        start = time.perf_counter()
        for _ in range(evaluations):
            step(*args)[1].numpy()
        timings[name] = (time.perf_counter() - start) / evaluations
    return timings


def our_objective(content, style, weights):
    extractor = FeatureExtractor([*DEFAULT_STYLE_LAYERS, *DEFAULT_CONTENT_LAYERS], weights=weights)
    return Objective(extractor, LossSettings(), content, [style])


def bench_time_to_quality(content, style, weights, adam_steps, max_lbfgs_steps):
    """Baseline Adam (tutorial settings) on OUR objective vs our L-BFGS, to the same loss."""
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

    adam_step()
    variable.assign(content)
    start = time.perf_counter()
    for _ in range(adam_steps):
        adam_step()
    adam_seconds = time.perf_counter() - start
    target = float(objective.loss_parts(variable.numpy()).total[0])

    report = {"adam_steps": adam_steps, "adam_seconds": adam_seconds, "target_loss": target}
    for precision, suffix in (("float32", ""), ("bfloat16", "_bf16")):
        steps, seconds = _lbfgs_time_to(
            target, objective, content, style, weights, max_lbfgs_steps, precision
        )
        report[f"lbfgs_steps_to_target{suffix}"] = steps
        report[f"lbfgs_seconds_to_target{suffix}"] = seconds
        report[f"speedup{suffix}"] = adam_seconds / seconds
    c2f_seconds, c2f_steps = _coarse_to_fine_time_to(
        target, content, style, weights, max_lbfgs_steps
    )
    report.update(
        c2f_seconds_to_target=c2f_seconds,
        c2f_plan=c2f_steps,
        c2f_speedup=adam_seconds / c2f_seconds,
    )
    return report


def _lbfgs_time_to(target, objective, content, style, weights, max_steps, precision):
    """(steps, seconds) for our default L-BFGS to reach ``target`` on the float32 objective.

    The loss is re-evaluated in float32 after each step (outside the timed part), so a
    bfloat16 run is judged on the same, exact objective.
    """
    stylize(content, style, steps=1, weights=weights, progress=False, precision=precision)
    elapsed, reached = [0.0], []
    last = [time.perf_counter()]

    def check(step):
        elapsed[0] += time.perf_counter() - last[0]
        if not reached and float(objective.loss_parts(step.images).total[0]) <= target:
            reached.append((step.step, elapsed[0]))
        last[0] = time.perf_counter()

    last[0] = time.perf_counter()
    stylize(
        content,
        style,
        steps=max_steps,
        weights=weights,
        progress=False,
        precision=precision,
        callback=check,
        callback_every=1,
    )
    return reached[0] if reached else (None, float("nan"))


def _coarse_to_fine_time_to(target, content, style, weights, fine_steps, coarse_steps=20):
    """Seconds for L-BFGS at half size, then full size, to reach ``target`` at full size."""
    half = max(content.shape[1:3]) // 2
    times = []
    start = time.perf_counter()
    result = stylize(
        content,
        style,
        steps=coarse_steps,
        refine_steps=fine_steps,
        scales=[half, max(content.shape[1:3])],
        weights=weights,
        progress=False,
        callback=lambda s: times.append(time.perf_counter() - start),
        callback_every=1,
    )
    fine = result.history["total"][coarse_steps:]
    reached = np.nonzero(fine <= target)[0]
    if not reached.size:
        return float("nan"), result.scales
    used = coarse_steps + int(reached[0])
    return times[used], [(half, coarse_steps), (max(content.shape[1:3]), int(reached[0]) + 1)]


def bench_sweep(content, style, weights, steps):
    timings = {}
    for batched in (True, False):
        weight_ratio_sweep(
            content, style, batched=batched, steps=1, weights=weights, progress=False
        )
        start = time.perf_counter()
        weight_ratio_sweep(
            content, style, batched=batched, steps=steps, weights=weights, progress=False
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
from nst_tf.transfer import stylize

def peak_mib():  # VmHWM: this process's own peak RSS (ru_maxrss keeps the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

content, style = images({size})
before = peak_mib()
stylize(content, style, steps={steps}, weights={weights!r}, progress=False, scales=None)
print(before, peak_mib())
"""


def bench_memory(weights, sizes=(256, 512, 1024), steps=3):
    """Peak RSS (MiB) of a fresh process: after imports and set-up, and after the run."""
    peaks = {}
    for size in sizes:
        code = MEMORY_PROBE.format(bench=str(HERE), size=size, steps=steps, weights=weights)
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        before, after = map(float, done.stdout.strip().splitlines()[-1].split())
        peaks[f"{size}px_MiB"] = after
        peaks[f"{size}px_before_run_MiB"] = before
    return peaks


def bench_coarse_to_fine(content_512, style_512, weights, fine_steps, coarse_steps):
    objective = our_objective(content_512, style_512, weights)
    runs = {}
    for name, scales, steps, refine in (
        ("direct", None, fine_steps, None),
        ("coarse_to_fine", [256, 512], coarse_steps, fine_steps),
    ):
        start = time.perf_counter()
        result = stylize(
            content_512,
            style_512,
            steps=steps,
            refine_steps=refine,
            scales=scales,
            weights=weights,
            progress=False,
        )
        seconds = time.perf_counter() - start
        loss = float(objective.loss_parts(result.best_image).total[0])
        runs[name] = {"seconds": seconds, "final_loss_512px": loss, "plan": result.scales}
    runs["loss_ratio_c2f_over_direct"] = (
        runs["coarse_to_fine"]["final_loss_512px"] / runs["direct"]["final_loss_512px"]
    )
    return runs


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(HERE / "results.json"))
    parser.add_argument("--quick", action="store_true", help="fewer steps (a smoke run)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    weights = pick_weights()
    n = 3 if args.quick else 10
    content, style = images(256)
    report = {"machine": machine(), "weights": weights, "size_px": 256}
    print(f"weights: {weights}; {report['machine']}", flush=True)
    report["a_step_time"] = bench_step_time(content, style, weights, n)
    print("a", report["a_step_time"], flush=True)
    report["a_xla"] = bench_xla(content, style, weights, n)
    print("a xla", report["a_xla"], flush=True)
    report["b_time_to_quality"] = bench_time_to_quality(
        content,
        style,
        weights,
        adam_steps=20 if args.quick else 200,
        max_lbfgs_steps=10 if args.quick else 60,
    )
    print("b", report["b_time_to_quality"], flush=True)
    report["c_sweep"] = bench_sweep(content, style, weights, steps=n)
    print("c", report["c_sweep"], flush=True)
    report["d_peak_memory"] = bench_memory(weights)
    print("d", report["d_peak_memory"], flush=True)
    content_512, style_512 = images(512)
    report["e_coarse_to_fine"] = bench_coarse_to_fine(
        content_512, style_512, weights, fine_steps=n, coarse_steps=4 * n
    )
    print("e", report["e_coarse_to_fine"], flush=True)
    write_file(args.out, json.dumps(report, indent=2, default=str).encode(), overwrite=True)
    print(markdown_table(report))


def markdown_table(r: dict) -> str:
    a, x, b, c, d, e = (
        r[k]
        for k in (
            "a_step_time",
            "a_xla",
            "b_time_to_quality",
            "c_sweep",
            "d_peak_memory",
            "e_coarse_to_fine",
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
        (f"b. {b['adam_steps']} baseline-Adam steps", f"{b['adam_seconds']:.1f} s", ""),
        (
            f"b. ours L-BFGS to the same loss ({b['lbfgs_steps_to_target']} steps)",
            f"{b['lbfgs_seconds_to_target']:.1f} s",
            f"{b['speedup']:.1f}x",
        ),
        (
            f"b. ours L-BFGS, bfloat16, to the same loss ({b['lbfgs_steps_to_target_bf16']} steps)",
            f"{b['lbfgs_seconds_to_target_bf16']:.1f} s",
            f"{b['speedup_bf16']:.1f}x",
        ),
        (
            f"b. ours coarse-to-fine L-BFGS to the same loss {b['c2f_plan']}",
            f"{b['c2f_seconds_to_target']:.1f} s",
            f"{b['c2f_speedup']:.1f}x",
        ),
        (f"c. 4-ratio sweep, {c['steps']} steps: one by one", f"{c['sequential_s']:.1f} s", ""),
        ("c. 4-ratio sweep, batched", f"{c['batched_s']:.1f} s", f"{c['speedup']:.2f}x"),
        ("d. peak memory, 256 px", f"{d['256px_MiB']:.0f} MiB", ""),
        ("d. peak memory, 512 px", f"{d['512px_MiB']:.0f} MiB", ""),
        (
            "d. peak memory, 1024 px",
            f"{d['1024px_MiB']:.0f} MiB",
            f"{d['1024px_before_run_MiB']:.0f} MiB before the run",
        ),
        (
            "e. direct 512 px",
            f"{e['direct']['seconds']:.1f} s",
            f"loss {e['direct']['final_loss_512px']:.3g}",
        ),
        (
            "e. coarse-to-fine 256→512 px",
            f"{e['coarse_to_fine']['seconds']:.1f} s",
            f"loss {e['coarse_to_fine']['final_loss_512px']:.3g}",
        ),
    ]
    lines = ["| measurement | value | vs baseline |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {ratio} |" for name, value, ratio in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
