"""Progress of a long run, shaped by where it goes, in the language in use.

A live tqdm bar on a terminal; in a log file, a pipe or CI (where a bar would write a
new line at every update) a few summary lines instead: one after the first step (the run
is under way), one every 10 % of the steps and one at the end. In a notebook a run shows
its live picture instead (`nst_tf.figures.live`, chosen by `nst_tf.optimize.reporting.live_view`).
"""

from __future__ import annotations

import sys
import time

from nst_tf.base.language import tr

SUMMARY_EVERY = 0.1  # a log line every 10 % of the steps


def in_notebook() -> bool:
    """Whether this code runs in a Jupyter kernel (Jupyter, Colab, papermill)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def progress_bar(total: int, description: str, enabled: bool = True, unit: str = ""):
    """A tqdm bar counting steps (or ``unit``s), or a `LogProgress` when stderr is not a
    terminal."""
    from tqdm.std import tqdm

    unit = unit or tr("스텝", "step")
    if not enabled:
        return tqdm(total=total, disable=True)
    if sys.stderr.isatty():
        return tqdm(total=total, desc=description, unit=unit)
    return LogProgress(total, description, unit=unit)


class LogProgress:
    """tqdm's ``update`` / ``set_postfix`` / ``close``, written as a few plain lines."""

    def __init__(self, total: int, description: str, stream=None, unit: str = ""):
        self.total, self.description = total, description
        self.unit = unit or tr("스텝", "step")
        self.stream = stream or sys.stderr
        self.done, self.postfix = 0, {}
        self.started = time.perf_counter()
        self.next_report = max(1, round(SUMMARY_EVERY * total))
        self.last_reported = 0

    def set_postfix(self, values: dict) -> None:
        self.postfix = dict(values)

    def update(self, steps: int = 1) -> None:
        first = self.done == 0
        self.done += steps
        if first and self.done < self.total:  # the run is under way
            self._report()
        elif self.done >= self.next_report and self.done < self.total:
            self._report()
            while self.next_report <= self.done:
                self.next_report += max(1, round(SUMMARY_EVERY * self.total))

    def close(self) -> None:
        if self.done != self.last_reported:
            self._report()

    def _report(self) -> None:
        self.last_reported = self.done
        seconds = time.perf_counter() - self.started
        losses = " ".join(f"{name}={value}" for name, value in self.postfix.items())
        elapsed = tr(f"{seconds:.1f}초", f"{seconds:.1f} s")
        print(
            f"{self.description}: {self.unit} {self.done}/{self.total} "
            f"({100 * self.done / max(self.total, 1):.0f}%), {elapsed} {losses}".rstrip(),
            file=self.stream,
            flush=True,
        )
