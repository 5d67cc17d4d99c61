"""How much memory a run will need, estimated from its plan before anything is built.

VGG19's activations dominate: a forward and backward pass keeps every activation up to
the deepest layer used, for each image of the batch, plus the gradients flowing back.
`estimate_peak` adds that to the memory TensorFlow and the network take anyway, for the
largest scale of the plan and for the style images (seen once, forward only). The
constants were measured on this project's machine (peak resident memory of fresh
processes; see ``benchmarks/benchmark.py``); `check_fits` refuses a run whose estimate
exceeds the memory available, with what to change.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass

from nst_tf.features import LAYER_NAMES, pools_before

MIB = 2**20
#: Resident memory of a process with TensorFlow imported and VGG19 loaded (a 32 px run
#: peaked at 837 MiB).
BASE_BYTES = 830 * MIB
#: Peak memory of forward+backward passes, per byte of float32 forward activations
#: (measured 2.26 at 256 px, 2.53 at 512, 2.65 at 768, 2.42 for a batch of 4 at 256).
TRAINING_FACTOR = 2.7
#: Peak memory of a forward pass alone (a style target), per byte (measured 1.05).
FORWARD_FACTOR = 1.2
#: Channels of VGG19's five blocks.
BLOCK_CHANNELS = (64, 128, 256, 512, 512)


def activation_bytes(height: int, width: int, deepest: str, bytes_per_value: int = 4) -> int:
    """Bytes of all VGG19 activations of one ``height x width`` image up to ``deepest``."""
    values = 0
    for name in LAYER_NAMES[: LAYER_NAMES.index(deepest) + 1]:
        shift = pools_before(name)
        values += BLOCK_CHANNELS[int(name[5]) - 1] * (height >> shift) * (width >> shift)
    return values * bytes_per_value


@dataclass(frozen=True)
class Estimate:
    """A run's expected peak resident memory, in bytes, and what it is made of."""

    peak: int
    optimised: int
    styles: int

    def __str__(self) -> str:
        return f"{self.peak / 2**30:.1f} GiB"


def estimate_peak(
    size: tuple[int, int],
    batch: int,
    deepest: str,
    style_sizes=(),
) -> Estimate:
    """The peak memory of optimising ``batch`` images of ``size`` (H, W) at the largest
    scale, with VGG19 up to ``deepest``, after computing the style targets."""
    per_value = 4  # bfloat16 runs keep float32 copies: measured 2.1x their activations
    optimised = int(TRAINING_FACTOR * batch * activation_bytes(*size, deepest, per_value))
    styles = max(
        (int(FORWARD_FACTOR * activation_bytes(*s, deepest, per_value)) for s in style_sizes),
        default=0,
    )
    return Estimate(BASE_BYTES + max(optimised, styles), optimised, styles)


def available_bytes() -> int | None:
    """Memory this process may still use: free memory (Linux ``MemAvailable``) plus what
    it holds now, and at most its address-space limit (``ulimit -v``); None if unknown."""
    limits = []
    try:
        with open("/proc/meminfo") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo)
        limits.append(int(fields["MemAvailable"].split()[0]) * 1024 + _own_rss())
    except (OSError, KeyError, ValueError):
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(soft - (_own_vm() - _own_rss()))  # TensorFlow reserves address space
    return min(limits) if limits else None


def _status_kib(field: str) -> int:
    try:
        with open(f"/proc/{os.getpid()}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _own_rss() -> int:
    return _status_kib("VmRSS")


def _own_vm() -> int:
    return _status_kib("VmSize")


#: The sizes `memory_table` lists: (long side of a square image, images optimised at once).
TABLE_ROWS = ((256, 1), (512, 1), (1024, 1), (2048, 1), (256, 4), (512, 4))


def memory_table() -> str:
    """The estimate for common sizes, as a Markdown table (README and ``--help``)."""
    rows = ["| output (square) | images at once | estimated peak memory |", "|---|---|---|"]
    for side, batch in TABLE_ROWS:
        estimate = estimate_peak((side, side), batch, "block5_conv2")
        rows.append(f"| {side} px | {batch} | {estimate} |")
    return "\n".join(rows)


class TooLargeError(MemoryError):
    """A run that would need more memory than this machine has; refused before it starts."""


def check_fits(estimate: Estimate, what: str) -> None:
    """A `TooLargeError` with what to change if ``estimate`` exceeds the memory available."""
    available = available_bytes()
    if available is None or estimate.peak <= available:
        return
    raise TooLargeError(
        f"{what} would need about {estimate} of memory and {available / 2**30:.1f} GiB is "
        "available: use a smaller output size (--size), a smaller style scale "
        "(--style-scale), or fewer images at once (a sweep with fewer ratios)"
    )
