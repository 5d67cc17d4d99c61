"""The precision VGG19 computes in: float32, or bfloat16 where the CPU or GPU does it natively."""

from __future__ import annotations

from nst_tf.base.errors import NSTNotice, warn_once
from nst_tf.base.language import tr

PRECISIONS = ("float32", "bfloat16", "auto")


class PrecisionNotice(NSTNotice):
    """Which precision ``precision="auto"`` chose, and why."""


def bfloat16_hardware() -> str | None:
    """What on this machine computes bfloat16 natively (a GPU of compute capability 8 or
    more, or a CPU with AVX512-BF16 or AMX), or None."""
    import tensorflow as tf

    for gpu in tf.config.list_physical_devices("GPU"):
        capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
        if capability and capability >= (8, 0):
            return f"a GPU of compute capability {capability[0]}.{capability[1]}"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            flags = next((line for line in cpuinfo if line.startswith("flags")), "").split()
    except OSError:
        flags = []
    for flag, name in (("amx_bf16", "AMX"), ("avx512_bf16", "AVX512-BF16")):
        if flag in flags:
            return f"a CPU with {name}"
    return None


def choose_precision(precision: str) -> str:
    """``precision`` itself, or for ``"auto"`` bfloat16 where the hardware has it and
    float32 elsewhere, announced once (an explicit choice is never changed)."""
    if precision != "auto":
        return precision
    hardware = bfloat16_hardware()
    if hardware:
        warn_once(
            tr(
                f"precision='auto': {hardware}에서 bfloat16을 씁니다. 스텝이 빨라지지만 활성화 "
                "값은 유효숫자 3자리쯤입니다. 정확하고 재현되는 실행에는 precision='float32'.",
                f"precision='auto' uses bfloat16 on {hardware}: faster steps, activations with "
                "about 3 digits; pass precision='float32' for exact, reproducible runs.",
            ),
            PrecisionNotice,
        )
        return "bfloat16"
    warn_once(
        tr(
            "precision='auto': 이 컴퓨터에는 bfloat16 연산 장치가 없어 float32를 씁니다.",
            "precision='auto' uses float32: no bfloat16 units found here.",
        ),
        PrecisionNotice,
    )
    return "float32"
