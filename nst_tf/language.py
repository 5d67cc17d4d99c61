"""The language of figure text and printed lines: Korean (``"ko"``) or English (``"en"``).

It is chosen in one place, ``nst_tf.set_language("ko")``, and read by every figure
helper and by `tr`, which the notebooks use for their own labels: so the Korean and
the English edition of a lesson run the very same code. The default comes from
``$NST_TF_LANG``, else from the locale (``ko_KR.UTF-8`` gives Korean), else English.
"""

from __future__ import annotations

import os

from nst_tf.checks import one_of

LANGUAGES = ("ko", "en")
LANGUAGE_ENV_VAR = "NST_TF_LANG"

_chosen: str | None = None


def check_language(lang: str) -> str:
    """``lang`` if it is one of `LANGUAGES`, else a `ValueError` naming the choices."""
    return one_of("language", lang, LANGUAGES)


def default_language() -> str:
    """``$NST_TF_LANG`` if set, else ``"ko"`` for a Korean locale, else ``"en"``."""
    if os.environ.get(LANGUAGE_ENV_VAR):
        return check_language(os.environ[LANGUAGE_ENV_VAR])
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(name):
            return "ko" if os.environ[name].lower().startswith("ko") else "en"
    return "en"


def set_language(lang: str) -> None:
    """Use ``lang`` (``"ko"`` or ``"en"``) for figure text and `tr` from now on."""
    global _chosen
    _chosen = check_language(lang)


def language() -> str:
    """The language in use: the one set by `set_language`, else `default_language`."""
    return _chosen or default_language()


def tr(ko: str, en: str) -> str:
    """The Korean or the English text, whichever language is in use."""
    return ko if language() == "ko" else en
