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
    if hasattr(sys, "ps1") or sys.flags.interactive:
        return True
    ipython = sys.modules.get("IPython")  # imported by Keras too: is a shell running?
    return ipython is not None and ipython.get_ipython() is not None


@contextlib.contextmanager
def quiet_exit_while_starting(what: tuple[str, str]):
    """In a program (not a prompt or notebook), a stop signal while ``what`` is under way
    ends the process with one line and the signal's exit code, without a traceback."""
    if is_interactive():
        yield
        return
    try:
        with stop_signals_raise():
            yield
    except KeyboardInterrupt as interrupt:
        _stopped_while(what, signal_of(interrupt))


def exit_at_stop_signals(what: tuple[str, str]):
    """From now until the returned function is called, in a program (not a prompt or a
    notebook), a stop signal ends the process as `quiet_exit_while_starting` does.

    For what a ``with`` block cannot hold: the rest of ``import nst_tf`` after
    TensorFlow (scipy, Pillow, about 6 s on a slow machine). Returns the function that
    puts the previous handlers back.
    """
    if is_interactive() or not _in_main_thread():
        return lambda: None
    handlers = _handlers(lambda signum, frame: _stopped_while(what, signum), STOP_SIGNALS)
    handlers.__enter__()
    return lambda: handlers.__exit__(None, None, None)


def _stopped_while(what: tuple[str, str], signum: int):
    """One line, then exit with the signal's code: nothing has been written yet."""
    from nst_tf.base.language import tr

    korean, english = what
    name = signal.Signals(signum).name
    print(
        "nst_tf: "
        + tr(
            f"{korean} 중에 {name}로 중지됨: 저장한 것이 없습니다",
            f"stopped by {name} while {english}; nothing was written",
        ),
        file=sys.stderr,
    )
    sys.exit(128 + signum)
