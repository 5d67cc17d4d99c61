"""How much memory a run will need, estimated from its plan before anything is built.

VGG19's activations dominate: a forward and backward pass keeps every activation up to
the deepest layer used, for each image of the batch, plus the gradients flowing back;
recomputing activations in the backward pass (`nst_tf.objective.recompute`) keeps far fewer.
`estimate_peak` adds that, and the optimiser's own state, to the memory TensorFlow and
the network take anyway, for the largest scale of the plan and for the style images
(seen once, forward only). The constants were measured on this project's machine (peak
resident memory of fresh processes; see ``benchmarks/benchmark.py``). `choose_activations`
keeps every activation when that fits, else recomputes them (announced), and refuses a
run that fits neither way before it starts, with what to change.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

from nst_tf.base.errors import NSTNotice, warn_once
from nst_tf.base.language import tr
from nst_tf.network.layers import LAYER_NAMES, pools_before

MIB = 2**20
#: Resident memory of a process with TensorFlow imported and VGG19 loaded (a 32 px run
#: peaked at 837 MiB; a 256 px recompute run peaked at 933 MiB in a used environment and at
#: 1017 MiB, twice, in CI's fresh one: fresh environments peak up to ~85 MiB higher).
BASE_BYTES = 960 * MIB
#: Peak memory of forward+backward passes, per byte of float32 forward activations
#: (measured 2.26 at 256 px, 2.53 at 512, 2.65 at 768, 2.42 for a batch of 4 at 256).
TRAINING_FACTOR = 2.7
#: The same when activations are recomputed in the backward pass, in strips at large sizes
#: (`nst_tf.objective.recompute`; measured peaks of 12-step runs, L-BFGS's memory full: 83 % of
#: the estimate at 1024 px, 90 % at 2048 px, where the style target's set-up is the peak).
RECOMPUTE_FACTOR = 1.3
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
    optimizer_state: int = 0

    def __str__(self) -> str:
        return f"{self.peak / 2**30:.1f} GiB"


def estimate_peak(
    size: tuple[int, int],
    batch: int,
    deepest: str,
    style_sizes=(),
    recompute: bool = False,
    optimizer_state: int = 0,
) -> Estimate:
    """The peak memory of optimising ``batch`` images of ``size`` (H, W) at the largest
    scale, with VGG19 up to ``deepest``, after computing the style targets.

    ``recompute``: activations recomputed in the backward pass (`nst_tf.objective.recompute`);
    ``optimizer_state``: bytes the optimiser keeps (`nst_tf.optimize.optimizers.state_bytes`).
    """
    per_value = 4  # bfloat16 runs keep float32 copies: measured 2.1x their activations
    factor = RECOMPUTE_FACTOR if recompute else TRAINING_FACTOR
    optimised = int(factor * batch * activation_bytes(*size, deepest, per_value))
    styles = max(
        (int(FORWARD_FACTOR * activation_bytes(*s, deepest, per_value)) for s in style_sizes),
        default=0,
    )
    peak = BASE_BYTES + max(optimised + optimizer_state, styles)
    return Estimate(peak, optimised, styles, optimizer_state)


#: How activations are handled in the backward pass: ``"auto"`` keeps them all when the
#: run fits in memory that way and recomputes them otherwise.
ACTIVATIONS = ("auto", "keep", "recompute")


class RecomputeNotice(NSTNotice):
    """``activations="auto"`` recomputes activations: the run fits no other way."""


def choose_activations(activations: str, estimate_for, what: str) -> bool:
    """Whether to recompute activations in the backward pass (True) or keep them.

    ``activations`` is one of `ACTIVATIONS` (checked by `nst_tf.optimize.settings.RunSettings`);
    ``estimate_for(recompute)`` gives the run's `Estimate` either way. ``"keep"`` and
    ``"recompute"`` are checked to fit; ``"auto"`` keeps when that fits, else recomputes
    (announced). A `TooLargeError` says what to change when nothing fits.
    """
    if activations != "auto":
        recompute = activations == "recompute"
        check_fits(estimate_for(recompute), what, recompute)
        return recompute
    keep = estimate_for(False)
    available = available_bytes()
    if available is None or keep.peak <= available:
        return False
    check_fits(estimate_for(True), what, recompute=True, available=available)
    warn_once(
        tr(
            f"{what}에는 활성화를 모두 저장하면 메모리가 약 {keep} 필요한데 쓸 수 있는 메모리는 "
            f"{available / 2**30:.1f} GiB입니다. 대신 역전파에서 활성화를 다시 계산합니다 "
            "(결과는 같고, 스텝마다 시간이 약 1.5-1.8배).",
            f"{what} needs about {keep} with every activation kept and "
            f"{available / 2**30:.1f} GiB is available: activations are recomputed in the "
            "backward pass instead (same result, about 1.5-1.8x the time per step).",
        ),
        RecomputeNotice,
    )
    return True


def available_bytes() -> int | None:
    """Memory this process may still use: free memory (Linux ``MemAvailable``) plus what
    it holds now, at most what its container (cgroup) still allows, and at most its
    address-space limit (``ulimit -v``); None if unknown."""
    limits = []
    try:
        with open("/proc/meminfo") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo)
        limits.append(int(fields["MemAvailable"].split()[0]) * 1024 + _own_rss())
    except (OSError, KeyError, ValueError):
        pass
    room = cgroup_room()
    if room is not None:
        limits.append(room + _own_rss())
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(soft - (_own_vm() - _own_rss()))  # TensorFlow reserves address space
    return min(limits) if limits else None


#: Where Linux mounts the control groups, and where a process finds its own.
CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
#: cgroup v1 writes "no limit" as a page-rounded 2**63 - 1; anything this large is none.
NO_LIMIT = 2**60
#: The files of a memory cgroup: (limit, usage, reclaimable page cache in memory.stat).
CGROUP_FILES = {
    2: ("memory.max", "memory.current", "inactive_file"),
    1: ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"),
}


def cgroup_room() -> int | None:
    """Bytes the memory cgroups of this process (a Docker or Kubernetes limit, a
    JupyterHub user's share) still allow: the limit less what the group uses now, its
    reclaimable page cache counted as free, the tightest of the group and its parents.
    None when there is no limit (or no cgroup): the host's memory then decides.

    Both versions: v2 (``0::/path`` in ``/proc/self/cgroup``, ``memory.max``) and v1
    (``N:memory:/path``, ``memory/memory.limit_in_bytes``). Inside a container the path
    may be the host's: then the mount's own root is the container's group.
    """
    rooms = [_group_room(folder, version) for folder, version in _memory_cgroups()]
    rooms = [room for room in rooms if room is not None]
    return min(rooms) if rooms else None


def _memory_cgroups() -> list[tuple[Path, int]]:
    """This process's memory cgroup folders and their parents, with their version."""
    try:
        lines = PROC_CGROUP.read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            return _with_parents(CGROUP_ROOT / "memory", path, 1)
    for line in lines:
        if line.startswith("0::"):
            return _with_parents(CGROUP_ROOT, line[3:], 2)
    return []


def _with_parents(mount: Path, path: str, version: int) -> list[tuple[Path, int]]:
    own = mount / path.strip("/")
    if not own.is_dir():  # a host path seen from inside a container
        own = mount
    return [(folder, version) for folder in (own, *own.parents) if folder.is_relative_to(mount)]


def _group_room(folder: Path, version: int) -> int | None:
    limit_file, usage_file, cache_field = CGROUP_FILES[version]
    try:
        limit_text = (folder / limit_file).read_text().strip()
        if limit_text == "max" or int(limit_text) >= NO_LIMIT:
            return None
        usage = int((folder / usage_file).read_text())
    except (OSError, ValueError):
        return None
    return int(limit_text) - usage + _stat_field(folder / "memory.stat", cache_field)


def _stat_field(stat: Path, field: str) -> int:
    try:
        for line in stat.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == field:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


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
    """The estimate for common sizes with the default L-BFGS, as a Markdown table
    (README and ``--help``)."""
    from nst_tf.optimize.optimizers import optimizer_defaults, state_bytes

    lbfgs = optimizer_defaults("lbfgs")
    rows = [
        "| output (square) | images at once | activations kept | activations recomputed |",
        "|---|---|---|---|",
    ]
    for side, batch in TABLE_ROWS:
        state = state_bytes("lbfgs", lbfgs, batch * side * side * 3)
        keep, recompute = (
            estimate_peak((side, side), batch, "block5_conv2", [(side, side)], again, state)
            for again in (False, True)
        )
        rows.append(f"| {side} px | {batch} | {keep} | {recompute} |")
    return "\n".join(rows)


class TooLargeError(MemoryError):
    """A run that would need more memory than this machine has; refused before it starts."""


def check_fits(
    estimate: Estimate, what: str, recompute: bool = False, available: int | None = None
) -> None:
    """A `TooLargeError` with what to change if ``estimate`` exceeds the memory available
    (``available_bytes()`` unless given; ``recompute``: the estimate already counts
    recomputed activations)."""
    available = available_bytes() if available is None else available
    if available is None or estimate.peak <= available:
        return
    changes = [
        tr("더 작은 출력 크기 (--size)", "a smaller output size (--size)"),
        tr("더 작은 스타일 배율 (--style-scale)", "a smaller style scale (--style-scale)"),
        tr(
            "한 번에 더 적은 이미지 (비율이 적은 스윕)",
            "fewer images at once (a sweep with fewer ratios)",
        ),
    ]
    if not recompute:
        changes.append(
            tr(
                "활성화 다시 계산 (--activations recompute)",
                "recomputed activations (--activations recompute)",
            )
        )
    raise TooLargeError(
        tr(
            f"{what}에는 메모리가 약 {estimate} 필요한데 {available / 2**30:.1f} GiB만 남아 "
            f"있습니다: {', '.join(changes)} 중 하나를 쓰세요",
            f"{what} would need about {estimate} of memory and {available / 2**30:.1f} GiB is "
            f"available: use {', '.join(changes[:-1])}, or {changes[-1]}",
        )
    )
