"""The language of figure text and printed lines: Korean (``"ko"``) or English (``"en"``).

It is chosen in one place, ``nst_tf.set_language("ko")``, and read by every figure
helper and by `tr`, which the notebooks use for their own labels: so the Korean and
the English edition of a lesson run the very same code. The default comes from
``$NST_TF_LANG``, else from the locale (``ko_KR.UTF-8`` gives Korean), else English.
"""

from __future__ import annotations

import os

LANGUAGES = ("ko", "en")
LANGUAGE_ENV_VAR = "NST_TF_LANG"

_chosen: str | None = None


def check_language(lang: str) -> str:
    """``lang`` if it is one of `LANGUAGES`, else a `ValueError` naming the choices.

    (The one check this module makes itself: `nst_tf.base.checks` speaks through `tr`.)"""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of 'ko', 'en', not {lang!r} (언어: 'ko', 'en')")
    return lang


def default_language() -> str:
    """``$NST_TF_LANG`` if set, else ``"ko"`` for a Korean locale, else ``"en"``."""
    if os.environ.get(LANGUAGE_ENV_VAR):
        return check_language(os.environ[LANGUAGE_ENV_VAR])
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(name):
            return "ko" if os.environ[name].lower().startswith("ko") else "en"
    return "en"


def set_language(lang: str) -> None:
    """Use ``lang`` (``"ko"`` or ``"en"``) for figure text, messages and `tr` from now on.

    Also sets ``$NST_TF_LANG``, so programs this one starts (the ``nst-tf`` command in
    lesson 7) speak the same language.
    """
    global _chosen
    _chosen = check_language(lang)
    os.environ[LANGUAGE_ENV_VAR] = _chosen


def language() -> str:
    """The language in use: the one set by `set_language`, else `default_language`."""
    return _chosen or default_language()


def tr(ko: str, en: str) -> str:
    """The Korean or the English text, whichever language is in use."""
    return ko if language() == "ko" else en


def object_particle(word: str) -> str:
    """The Korean object particle after ``word``: 을 after a final consonant, 를 after a
    vowel, 을(를) after a non-Hangul letter."""
    last = word.rstrip()[-1:] or " "
    if not "가" <= last <= "힣":
        return "을(를)"
    return "을" if (ord(last) - ord("가")) % 28 else "를"
