"""Downloading a file once into a local cache (``$NST_TF_CACHE`` or ``~/.cache/nst_tf``)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

from nst_tf.errors import NSTError

USER_AGENT = "nst_tf/0.1 (neural style transfer teaching notebooks; Python urllib)"
TIMEOUT_SECONDS = 30


class DownloadError(NSTError):
    """A URL could not be fetched (offline, blocked, or not found)."""


def cache_dir() -> Path:
    """The folder downloads are kept in; created on first use."""
    root = os.environ.get("NST_TF_CACHE") or Path.home() / ".cache" / "nst_tf"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_path(url: str) -> Path:
    """Where ``url`` is (or would be) cached: a readable name plus a short URL hash."""
    name = Path(unquote(urlparse(url).path)).name or "download"
    digest = hashlib.sha256(url.encode()).hexdigest()[:10]
    return cache_dir() / f"{digest}-{name}"


def cached_download(url: str) -> Path:
    """The local copy of ``url``, downloading it (atomically) on first use."""
    target = cache_path(url)
    if target.is_file():
        return target
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with (
            os.fdopen(handle, "wb") as out,
            urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response,
        ):
            shutil.copyfileobj(response, out)
        os.replace(tmp, target)
    except OSError as exc:  # URLError, HTTPError and timeouts are OSErrors
        raise DownloadError(f"Could not download {url}: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return target
