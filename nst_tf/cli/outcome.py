"""How a command says what it wrote and how its run ended, and the exit code that goes with it."""

from __future__ import annotations

import signal
import sys

from nst_tf.base.language import tr
from nst_tf.cli.arguments import PROG
from nst_tf.optimize.run import StopReason


def wrote(paths: str, detail: str = "") -> str:
    """ "wrote PATHS (detail)" in the language in use."""
    return tr(f"저장했습니다: {paths}{detail}", f"wrote {paths}{detail}")


def report_outcome(stop, done: str, note: str = "", kept: str = "") -> int:
    """Say how the run ended and where its result is; return the exit code. ``kept``
    says what a run that did not finish left (by default: ``done``, the best image)."""
    if note:
        print(f"{PROG}: {note}", file=sys.stderr)
    if stop.completed:
        print(done if stop.reason is StopReason.COMPLETED else f"{done}; {stop}")
        return 1 if note else 0
    kept = kept or tr(
        f"{done}: 중지되기 전까지 가장 좋은 이미지입니다 ({stop})",
        f"{done}: the best image so far, as the run was {stop}",
    )
    print(kept, file=sys.stderr)
    if stop.reason is StopReason.INTERRUPTED:
        return 128 + (stop.signal or signal.SIGINT)
    return 1
