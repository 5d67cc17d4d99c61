"""Fast style transfer's speed (issue 22): one forward pass of the transformation network
against `nst_tf.stylize` at the same size, and training images per second.

Speed does not depend on what the network has learnt, so an untrained network (Johnson
et al.'s width 32, 5 residual blocks) is timed; `stylize` runs at its defaults (coarse-to-
fine, 100 L-BFGS steps at the output size), timed whole and to "quality" (its loss within
10 % of where it ends). Training speed in float32 and in mixed bfloat16. Random VGG19
weights (offline), 2-core CPU.

    python benchmarks/fast_transfer.py [--out benchmarks/fast_transfer.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import nst_tf
from nst_tf.fast import StyleTrainer, stylize_fast, transform_network
from nst_tf.fast.apply import forward_seconds

ROOT = Path(__file__).resolve().parents[1]


#: "Quality" for stylize: within this factor of the loss its full default run ends at.
QUALITY = 1.1
STEPS = 100  # stylize's default steps at the output size


def seconds_to_quality(result) -> float:
    """Seconds until a default `stylize` run's total loss at the output size first came
    within `QUALITY` of where it ended (its coarse-to-fine stages count in the time)."""
    total = np.ravel(result.history["total"])[-STEPS:]
    first = int(np.argmax(total <= QUALITY * total[-1]))
    return float(np.ravel(result.seconds)[-STEPS:][first])


def training_images_per_second(
    style, precision: str = "float32", size: int = 256, batch: int = 4, steps: int = 4
) -> float:
    """Photos per second through `StyleTrainer`, the network and VGG19 computing in
    ``precision``, after one untimed step."""
    import keras

    network = transform_network(precision=precision)
    trainer = StyleTrainer(network, style, weights="random", precision=precision)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    crops = np.random.default_rng(0).uniform(size=(batch, size, size, 3)).astype("float32")
    trainer.fit(crops, epochs=1, batch_size=batch, verbose=0)
    start = time.perf_counter()
    trainer.fit(crops, epochs=steps, batch_size=batch, verbose=0)
    return steps * batch / (time.perf_counter() - start)


def forward_bytes_per_pixel_channel(side: int = 1024) -> float:
    """Peak memory a forward pass adds, per pixel and channel of width (the constant
    `fast_apply.FORWARD_BYTES_PER_PIXEL_CHANNEL` rounds up): the process's peak
    resident size before and after one ``side`` px pass. Run first, before anything
    larger has raised the peak."""
    import resource

    network = transform_network()
    stylize_fast(network, np.zeros((1, 64, 64, 3), np.float32))  # built, at a small size
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    stylize_fast(network, np.zeros((1, side, side, 3), np.float32), tile=None)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return (after - before) / (side * side * 32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "fast_transfer.json")
    args = parser.parse_args()
    network = transform_network()
    style = nst_tf.load_image(nst_tf.bundled_image_path("swirls"), max_size=256)
    report = {"forward_bytes_per_pixel_channel": round(forward_bytes_per_pixel_channel(), 1)}
    print("forward pass memory:", report["forward_bytes_per_pixel_channel"], "B/pixel/channel")
    for side in (256, 512):
        photo = nst_tf.load_image(nst_tf.bundled_image_path("chelsea"), max_size=side)
        forward = forward_seconds(network, photo)
        start = time.perf_counter()
        result = nst_tf.stylize(photo, style, weights="random", steps=STEPS, progress=False)
        optimised = time.perf_counter() - start
        to_quality = seconds_to_quality(result)
        report[f"{side}px"] = {
            "forward_ms": round(1000 * forward, 1),
            "stylize_s": round(optimised, 1),
            "stylize_to_quality_s": round(to_quality, 1),
            "ratio": round(optimised / forward),
            "ratio_to_quality": round(to_quality / forward),
        }
        print(f"{side} px: forward {1000 * forward:.0f} ms, stylize {optimised:.1f} s "
              f"({to_quality:.1f} s to within {QUALITY}x of its final loss), "
              f"{optimised / forward:.0f}x ({to_quality / forward:.0f}x)")  # fmt: skip
    for precision in ("float32", "bfloat16"):
        speed = round(training_images_per_second(style, precision), 2)
        report[f"training_images_per_s_{precision}_256px"] = speed
        print(f"training in {precision}: {speed} images/s at 256 px")
    args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
