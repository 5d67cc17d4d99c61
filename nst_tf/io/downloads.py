"""Downloading a file once, with Keras's ``keras.utils.get_file``: the one mechanism for
the VGG19 weights (Keras's cache) and for images and paintings (nst_tf's cache,
``$NST_TF_CACHE`` or ``~/.cache/nst_tf``)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

from nst_tf.base.errors import NSTError
from nst_tf.io.safe_write import make_folder

#: Sites such as Wikimedia refuse Python's default User-Agent; this one says who asks.
USER_AGENT = "nst_tf/0.1 (neural style transfer teaching notebooks) Python-urllib"


class DownloadError(NSTError):
    """A URL could not be fetched (offline, blocked, or not found)."""


def cache_dir() -> Path:
    """The folder nst_tf's downloads are kept in; created on first use."""
    if os.environ.get("NST_TF_CACHE"):
        return make_folder(os.environ["NST_TF_CACHE"], "NST_TF_CACHE folder")
    return make_folder(Path.home() / ".cache" / "nst_tf", "download cache")


def cache_path(url: str) -> Path:
    """Where ``url`` is (or would be) cached: a readable name plus a short URL hash."""
    name = Path(unquote(urlparse(url).path)).name or "download"
    digest = hashlib.sha256(url.encode()).hexdigest()[:10]
    return cache_dir() / f"{digest}-{name}"


@contextlib.contextmanager
def _identified_as_nst_tf():
    """Send `USER_AGENT` with the requests made inside (Keras's get_file uses urllib)."""
    previous = urllib.request._opener  # the opener urllib uses now (None: its default)
    opener = urllib.request.build_opener()
    opener.addheaders = [("User-Agent", USER_AGENT)]
    urllib.request.install_opener(opener)
    try:
        yield
    finally:
        urllib.request.install_opener(previous)


class _WithoutAnnouncement(io.TextIOBase):
    """Standard output without Keras's English "Downloading data from URL" line: a failed
    download then prints nothing (the caller says what happened, in the lesson's
    language); the progress bar of a download that works still shows."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        if text.startswith("Downloading data from"):
            return len(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def fetch(url: str, target: Path, md5: str | None = None, extract: bool = False) -> Path:
    """``target``, downloaded from ``url`` with ``keras.utils.get_file`` unless it is there.

    An interrupted or failed download leaves no file behind (Keras removes it); with an
    ``md5``, a file whose hash does not match is downloaded again. With ``extract``, the
    archive is unpacked and the folder it was unpacked into is returned.
    """
    import keras

    with contextlib.suppress(OSError):  # unwritable: Keras falls back to /tmp/.keras
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _identified_as_nst_tf(), contextlib.redirect_stdout(_WithoutAnnouncement(sys.stdout)):
            path = keras.utils.get_file(
                target.name,
                url,
                cache_dir=str(target.parent),
                cache_subdir="",
                file_hash=md5,
                extract=extract,
            )
    except Exception as exc:  # Keras raises a bare Exception on URL failures
        raise DownloadError(f"Could not download {url}: {exc}") from exc
    return Path(path)


def cached_download(url: str) -> Path:
    """The local copy of ``url`` in nst_tf's cache, downloading it on first use."""
    return fetch(url, cache_path(url))
