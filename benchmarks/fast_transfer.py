"""Fast style transfer's speed (issue 22): one forward pass of the transformation network
against `nst_tf.stylize` at the same size, and training images per second.

Speed does not depend on what the network has learnt, so an untrained network (Johnson
et al.'s width 32, 5 residual blocks) is timed; `stylize` runs at its defaults (coarse-to-
fine, 100 L-BFGS steps at the output size). Random VGG19 weights (offline), 2-core CPU.

    python benchmarks/fast_transfer.py [--out benchmarks/fast_transfer.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import nst_tf
from nst_tf.fast import StyleTrainer, transform_network
from nst_tf.fast.apply import forward_seconds

ROOT = Path(__file__).resolve().parents[1]


def training_images_per_second(style, size: int = 256, batch: int = 4, steps: int = 4) -> float:
    """Photos per second through `StyleTrainer` (float32), after one untimed step."""
    import keras

    trainer = StyleTrainer(transform_network(), style, weights="random")
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    crops = np.random.default_rng(0).uniform(size=(batch, size, size, 3)).astype("float32")
    trainer.fit(crops, epochs=1, batch_size=batch, verbose=0)
    start = time.perf_counter()
    trainer.fit(crops, epochs=steps, batch_size=batch, verbose=0)
    return steps * batch / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "fast_transfer.json")
    args = parser.parse_args()
    network = transform_network()
    style = nst_tf.load_image(nst_tf.bundled_image_path("swirls"), max_size=256)
    report = {}
    for side in (256, 512):
        photo = nst_tf.load_image(nst_tf.bundled_image_path("chelsea"), max_size=side)
        forward = forward_seconds(network, photo)
        start = time.perf_counter()
        nst_tf.stylize(photo, style, weights="random", progress=False)
        optimised = time.perf_counter() - start
        report[f"{side}px"] = {
            "forward_ms": round(1000 * forward, 1),
            "stylize_s": round(optimised, 1),
            "ratio": round(optimised / forward),
        }
        print(f"{side} px: forward {1000 * forward:.0f} ms, stylize {optimised:.1f} s, "
              f"{optimised / forward:.0f}x")  # fmt: skip
    report["training_images_per_s_float32_256px"] = round(training_images_per_second(style), 2)
    print("training:", report["training_images_per_s_float32_256px"], "images/s at 256 px")
    args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
