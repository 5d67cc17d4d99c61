"""Slide 8 on the real VGG19: does the ratio sweep go from style to photo?

Sweeps chelsea x swirls at 256 px (50 L-BFGS steps at one size, as lesson 6 does) over
the slide's ratios, on Gatys et al.'s normalised network (the default) and on the
weights as released, from the photo and from white noise, and prints each result's
`nst_tf.photo_similarity` (SSIM of the luminance, both reduced 4x: the swirls painting
itself scores 0.05, the photo 1). Also prints how much larger the losses are on the
released weights. About 6 minutes on 2 CPU cores; needs the ImageNet weights (``auto``).

    python benchmarks/slide8.py [--out benchmarks/slide8.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import nst_tf
from nst_tf.objective.objective import Objective
from nst_tf.objective.settings import LossSettings

ROOT = Path(__file__).resolve().parents[1]
RATIOS = [1e-4, 1e-3, 1e-2, 1e-1]
RUNS = {
    "normalised, from the photo": {},
    "normalised, from noise": {"init": "noise"},
    "as released, from the photo": {"rescale": "none"},
}


def loss_scale(content, style) -> dict[str, float]:
    """Released over normalised: the photo's style loss against the painting, and the
    painting's content loss against the photo (256 px, the painting resized to the photo)."""
    style = nst_tf.resize(style, *content.shape[1:3])
    loss = LossSettings()
    parts = {}
    for rescale in ("none", "unit_mean"):
        extractor = nst_tf.FeatureExtractor(loss.layers, rescale=rescale)
        objective = Objective(extractor, loss, content, [style])
        photo, painting = objective.loss_parts(content), objective.loss_parts(style)
        parts[rescale] = (float(photo.style[0]), float(painting.content[0]))
    return {
        "style": parts["none"][0] / parts["unit_mean"][0],
        "content": parts["none"][1] / parts["unit_mean"][1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "slide8.json")
    args = parser.parse_args()
    content = nst_tf.load_image(nst_tf.bundled_image_path("chelsea"), max_size=256)
    style = nst_tf.load_image(nst_tf.bundled_image_path("swirls"), max_size=256)
    report = {
        "ratios": RATIOS,
        "painting_itself": nst_tf.photo_similarity(
            nst_tf.resize(style, *content.shape[1:3]), content
        )[0],
    }
    for name, keywords in RUNS.items():
        start = time.perf_counter()
        sweep = nst_tf.weight_ratio_sweep(
            content, style, ratios=RATIOS, steps=50, scales=None, progress=False, **keywords
        )
        similarity = nst_tf.photo_similarity(sweep.best_images, content)
        report[name] = [round(value, 3) for value in similarity]
        print(
            f"{name:28} SSIM {' '.join(f'{v:.3f}' for v in similarity)}"
            f"  ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    report["released_over_normalised"] = loss_scale(content, style)
    print("losses, released / normalised:", report["released_over_normalised"])
    args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
