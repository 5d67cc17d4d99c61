"""Importing TensorFlow without its start-up chatter, so the first line a user sees is ours.

On a machine without a GPU, importing TensorFlow prints lines like
``I0000 … oneDNN custom operations are on``, ``Could not find cuda drivers`` and, at
the first device query, ``E0000 … failed call to cuInit``: an "E" line that reads as
an error to a student although nothing is wrong. Most of these are written by C++
code *before* TensorFlow's log settings are read, so ``TF_CPP_MIN_LOG_LEVEL`` cannot
hide them. `import_tensorflow_quietly` therefore captures file descriptor 2 (stderr)
only while TensorFlow is imported and probes its devices, then hands back every
captured line that is not known start-up noise. Everything after that goes to stderr
untouched, so real errors are still seen.

``NST_TF_SHOW_TF_LOGS=1`` turns all of this off (for debugging TensorFlow itself).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile

from nst_tf.base.signals import quiet_exit_while_starting

SHOW_LOGS_ENV_VAR = "NST_TF_SHOW_TF_LOGS"

#: Start-up lines that say nothing is wrong: absl's pre-initialisation notice, info
#: and warning lines, the CPU-instructions note, and the CUDA probe on a CPU machine.
_STARTUP_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IW]\d{4} "
    r"|E\d{4} .*(cuInit|cuda_platform|cuda_dnn|cuda_fft|cuda_blas|cuda_diagnostics"
    r"|Unable to register|kernel driver does not appear)"
    r"|To enable the following instructions"
    r"|\s*$)"
)


def is_startup_noise(line: str) -> bool:
    """Whether ``line`` (one line of TensorFlow's start-up stderr) is harmless noise."""
    return bool(_STARTUP_NOISE.match(line))


@contextlib.contextmanager
def _captured_stderr_fd(lines: list[str]):
    """Point file descriptor 2 at a temporary file; its lines are appended to ``lines``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines.extend(capture.read().decode("utf-8", "replace").splitlines(keepends=True))


def import_tensorflow_quietly():
    """Import TensorFlow (once) with its start-up noise hidden; returns the module.

    Lines TensorFlow writes during the import that are *not* known noise are passed
    on to stderr afterwards, so a real problem at import time is still shown.
    """
    if "tensorflow" in sys.modules or os.environ.get(SHOW_LOGS_ENV_VAR, "") not in ("", "0"):
        import tensorflow

        return tensorflow
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # C++ info and warnings off
    lines: list[str] = []
    try:
        starting = ("TensorFlow를 시작하는", "starting TensorFlow")
        with quiet_exit_while_starting(starting), _captured_stderr_fd(lines):
            import tensorflow

            tensorflow.config.list_physical_devices()  # the CUDA probe happens here
    finally:  # also when the import fails: its message must reach the user
        kept = "".join(line for line in lines if not is_startup_noise(line))
        if kept:
            sys.stderr.write(kept)
            sys.stderr.flush()
    return tensorflow
