"""A run you can watch: its current image and loss curve, redrawn in place in a notebook.

In Jupyter and Colab a long run shows one picture that changes while the image forms:
the current image (up to four of a batch) beside the total loss so far, with a status
line (stage, step, seconds, loss) in the language in use. It is an IPython display
handle updated with a PNG, so a saved notebook keeps the last picture (no widget to go
dead), and an interrupted run ends with the best image kept and says so. Outside a
notebook, runs report with `nst_tf.base.progress` instead.
"""

from __future__ import annotations

import io
import time

import numpy as np

from nst_tf.base.language import tr
from nst_tf.figures.loss_curves import part_label
from nst_tf.figures.plotting import mark_random_weights

#: Redraw at least this often (seconds), and at least every tenth of the steps...
REDRAW_SECONDS = 2.0
#: ...but never spend more than this share of the run drawing (a redraw takes about
#: 0.05-0.1 s on 2 CPU cores: short runs of cheap steps would otherwise pay 10-20 %).
MOST_DRAWING = 0.05
MOST_IMAGES = 4
#: The picture's resolution: 96 dpi, a screen's (72 made its Korean text tiny, a student
#: said); what a redraw costs more, MOST_DRAWING takes back in fewer redraws.
LIVE_DPI = 96


class LiveView:
    """One run's live picture. ``step`` after every optimiser step; ``close`` at the end.

    Args:
        total_steps: every step of the run (all its scales).
        display: ``IPython.display.display`` (a test passes its own); it is called once
            with ``display_id=True`` and its handle is updated afterwards.
        redraw_seconds: the longest time between two redraws.
    """

    def __init__(self, total_steps: int, display=None, redraw_seconds: float = REDRAW_SECONDS):
        if display is None:
            from IPython.display import display
        self.total = total_steps
        self.every = max(1, total_steps // 10)
        self.redraw_seconds = redraw_seconds
        self.stage_name = ""
        self.done = 0
        self.losses: list[float] = []
        self.images: np.ndarray | None = None
        self.started = self.last_drawn = time.perf_counter()
        self.draw_seconds = 0.0  # what the last redraw cost
        self.handle = display(_Text(tr("시작하는 중…", "starting…")), display_id=True)

    def stage(self, name: str) -> None:
        """The stage now running, e.g. ``"lbfgs 128px"`` of a coarse-to-fine run."""
        self.stage_name = name

    def step(self, images, values: dict[str, np.ndarray]) -> None:
        """One finished step: its images ``(batch, H, W, 3)`` (or a function that makes
        them, called only when the picture is redrawn) and loss parts."""
        self.done += 1
        self.losses.append(float(np.sum(values["total"])))
        self.images = images
        since = time.perf_counter() - self.last_drawn
        due = self.done % self.every == 0 or since >= self.redraw_seconds
        if due and since * MOST_DRAWING >= self.draw_seconds:
            self.draw()

    def close(self, stop=None) -> None:
        """The last picture, with how the run ended (`nst_tf.optimize.run.Stop`)."""
        self.draw(stop)

    def status(self, stop=None) -> str:
        """The line above the picture: stage, step, seconds, loss, and how it ended."""
        seconds = time.perf_counter() - self.started
        parts = [
            self.stage_name,
            f"{tr('스텝', 'step')} {self.done}/{self.total}",
            tr(f"{seconds:.0f}초", f"{seconds:.0f} s"),
        ]
        if self.losses:
            parts.append(f"{part_label('total')} {self.losses[-1]:.3g}")
        line = " · ".join(part for part in parts if part)
        if stop is not None and not stop.completed:
            line += "\n" + tr(
                f"{stop}: 그때까지 가장 좋은 이미지를 남겼습니다",
                f"{stop}: the best image so far was kept",
            )
        elif stop is not None:
            line += " · " + str(stop)
        return line

    def draw(self, stop=None) -> None:
        """Redraw the picture now (a PNG through the display handle)."""
        if self.images is None:
            self.handle.update(_Text(self.status(stop)))
            return
        from IPython.display import Image

        start = time.perf_counter()
        self.handle.update(Image(data=self.png(stop)))
        self.last_drawn = time.perf_counter()
        self.draw_seconds = self.last_drawn - start

    def png(self, stop=None) -> bytes:
        """The picture: current images, the loss curve, the status line, as PNG bytes."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import NullFormatter

        images = self.images() if callable(self.images) else self.images
        shown = np.clip(np.asarray(images)[:MOST_IMAGES], 0.0, 1.0)
        figure = Figure(figsize=(2.4 * len(shown) + 3.2, 2.6))
        FigureCanvasAgg(figure)
        axes = figure.subplots(1, len(shown) + 1, width_ratios=[1.0] * len(shown) + [1.35])
        for ax, image in zip(axes, shown):
            ax.imshow(image)
            ax.axis("off")
        curve = axes[-1]
        curve.plot(np.arange(1, len(self.losses) + 1), self.losses, color="black")
        if min(self.losses) > 0:
            curve.set_yscale("log")
            curve.yaxis.set_minor_formatter(NullFormatter())  # powers of ten only
        curve.set_xlim(1, max(self.total, 2))
        curve.set_xlabel(tr("스텝", "step"), fontsize=8)
        curve.set_title(part_label("total"), fontsize=9)
        curve.tick_params(labelsize=7)
        status = self.status(stop)
        figure.suptitle(status, fontsize=9)
        top = 0.8 - 0.08 * status.count("\n")  # a fixed layout: half the time of a tight one
        figure.subplots_adjust(left=0.01, right=0.98, bottom=0.24, top=top, wspace=0.25)
        mark_random_weights(figure, inside=True)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=LIVE_DPI)
        return buffer.getvalue()


class _Text:
    """A line of text for a display handle (shown as plain text and as HTML)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text
