"""What this machine can do, for the choices made by it: a lesson's image size.

The lessons are timed on a 2-core CPU (Colab's free CPU runtime, a school PC): 256 px
keeps every lesson within a few minutes there. A GPU does the same work tens of times
faster, so ``IMAGE_SIZE = "auto"`` (the lessons' parameters cell) gives it twice the
side, and says so; a number is always kept as given.
"""

from __future__ import annotations

from nst_tf.base.checks import whole_number
from nst_tf.base.errors import NSTNotice, warn_once
from nst_tf.base.language import tr

#: ``"auto"``'s long side without a GPU, and with one.
CPU_SIZE, GPU_SIZE = 256, 512


class SizeNotice(NSTNotice):
    """``IMAGE_SIZE = "auto"`` chose the larger size because a GPU is there."""


def gpu_name() -> str | None:
    """The first GPU TensorFlow sees (e.g. ``"Tesla T4"``), or None."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    return tf.config.experimental.get_device_details(gpus[0]).get("device_name", gpus[0].name)


def lesson_size(size: int | str = "auto") -> int:
    """A lesson's image size (long side, pixels): ``size`` if a number, else `CPU_SIZE`,
    or `GPU_SIZE` where there is a GPU (announced once, with how to choose another)."""
    if size != "auto":
        return whole_number("IMAGE_SIZE", size, 16)
    gpu = gpu_name()
    if gpu is None:
        return CPU_SIZE
    warn_once(
        tr(
            f"GPU({gpu})가 있어 이미지 크기를 {GPU_SIZE} px로 키웁니다 (CPU에서는 {CPU_SIZE} px). "
            "다른 크기를 쓰려면 매개변수 셀의 IMAGE_SIZE에 숫자를 쓰세요.",
            f"a GPU ({gpu}) is here: images are {GPU_SIZE} px (on a CPU {CPU_SIZE} px). "
            "For another size put a number in the parameters cell's IMAGE_SIZE.",
        ),
        SizeNotice,
    )
    return GPU_SIZE
