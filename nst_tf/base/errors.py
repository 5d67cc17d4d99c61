"""Exceptions nst_tf raises for mistakes a user can predict and fix.

Each message says what was wrong, where (which file or argument) and what to do, so a
student never has to read a raw TensorFlow traceback to find out. Warnings go through
`warn_once`: one line, once per cause and process, shown as ``nst_tf: message`` (no
file, line or class name; `NSTNotice`).
"""

import warnings


class NSTError(Exception):
    """Base class for every error nst_tf raises on purpose."""


class WeightsError(NSTError):
    """VGG19 weights could not be obtained or loaded."""


class WeightsDownloadError(WeightsError):
    """Keras could not download the ImageNet weights (offline, firewall, proxy)."""


class WeightsFileError(WeightsError, ValueError):
    """A local weights file is missing, corrupt or not a VGG19 (no top) file."""


class LayerError(NSTError, ValueError):
    """An unknown VGG19 layer name was asked for."""


class ImageError(NSTError, ValueError):
    """An image could not be read or is unusable (missing, corrupt, too small...)."""


class ImageTooSmallError(ImageError):
    """An image has fewer pixels than the deepest VGG19 layer asked for needs."""


class NSTNotice(UserWarning):
    """Base class of nst_tf's own warnings: shown as one ``nst_tf: message`` line."""


_python_format = warnings.formatwarning


def _format_notice(message, category, filename, lineno, line=None) -> str:
    """nst_tf's notices as ``nst_tf: message``; every other warning as Python shows it."""
    if isinstance(category, type) and issubclass(category, NSTNotice):
        return f"nst_tf: {message}\n"
    return _python_format(message, category, filename, lineno, line)


warnings.formatwarning = _format_notice

_SHOWN: set = set()  # (category, text) of every warning `warn_once` has let through


def warn_once(message: str, category: type[Warning]) -> None:
    """Show ``message`` as a one-line ``category`` warning, once per process and text.

    Python's warning filters still apply (``warnings.simplefilter("ignore", category)``
    hides it, ``pytest.warns`` sees it); a warning hidden by a filter counts as said.
    The location is given as ``nst_tf``, so no source line is printed under it; an
    `NSTNotice` shows as the message alone.
    """
    text = " ".join(message.split())
    if (category, text) in _SHOWN:
        return
    _SHOWN.add((category, text))
    warnings.warn_explicit(text, category, "nst_tf", 0, module="nst_tf")
