"""Stopping a run cleanly: Ctrl-C, ``kill`` / ``timeout`` (SIGTERM) and a closed terminal
(SIGHUP) all end the optimisation the same way, keeping the best image so far.

Python turns Ctrl-C (SIGINT) into ``KeyboardInterrupt`` by itself. `stop_signals_raise`
makes SIGTERM and SIGHUP do the same, as `Interrupted` (a ``KeyboardInterrupt`` that
knows its signal), so one ``except KeyboardInterrupt`` handles all three. While a
result is being saved, `signals_deferred` holds any such signal back until the file is
complete; the process then stops as asked. Handlers are only changed in the main
thread (Python allows nothing else) and are always put back.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

#: The signals that ask a program to stop: Ctrl-C, kill/timeout, a closed terminal.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(KeyboardInterrupt):
    """A request to stop, by Ctrl-C (SIGINT), SIGTERM or SIGHUP."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)

    @property
    def exit_code(self) -> int:
        """The shell's convention: 128 + the signal number (130, 143, 129)."""
        return 128 + self.signum


def signal_of(interrupt: BaseException) -> int:
    """The signal behind a ``KeyboardInterrupt`` (plain ones come from Ctrl-C)."""
    return getattr(interrupt, "signum", int(signal.SIGINT))


def _raise_interrupted(signum, frame):
    raise Interrupted(signum)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _handlers(handler, signals):
    if not _in_main_thread():
        yield
        return
    previous = {}
    try:
        for signum in signals:
            previous[signum] = signal.signal(signum, handler)
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextlib.contextmanager
def stop_signals_raise(signals=STOP_SIGNALS):
    """Inside, SIGTERM and SIGHUP (and Ctrl-C) raise `Interrupted`, as Ctrl-C does."""
    with _handlers(_raise_interrupted, signals):
        yield


@contextlib.contextmanager
def signals_deferred(signals=STOP_SIGNALS):
    """Inside, stop signals are noted, not acted on; the first is raised on the way out."""
    received: list[int] = []
    with _handlers(lambda signum, frame: received.append(signum), signals):
        yield
    if received:
        raise Interrupted(received[0])


def is_interactive() -> bool:
    """A Python prompt or a notebook kernel, where Ctrl-C must not end the process."""
    return hasattr(sys, "ps1") or bool(sys.flags.interactive) or "IPython" in sys.modules


@contextlib.contextmanager
def quiet_exit_while_starting(what: str):
    """In a program (not a prompt or notebook), a stop signal while ``what`` is under way
    ends the process with one line and the signal's exit code, without a traceback."""
    if is_interactive():
        yield
        return
    try:
        with stop_signals_raise():
            yield
    except KeyboardInterrupt as interrupt:
        signum = signal_of(interrupt)
        print(
            f"nst_tf: stopped by {signal.Signals(signum).name} while {what}; nothing was written",
            file=sys.stderr,
        )
        sys.exit(128 + signum)
