"""The live picture of a run in a notebook: redrawn in place while the image forms, left
as the final picture, saying how the run ended in the lesson's language."""

import io

import numpy as np
import pytest
from PIL import Image

import nst_tf
import nst_tf.figures.live
from nst_tf.base import language
from nst_tf.figures import live
from nst_tf.optimize import reporting
from nst_tf.optimize.run import Stop, StopReason


class FakeHandle:
    """What IPython's display(..., display_id=True) returns: a handle to update."""

    def __init__(self, shown: list):
        self.shown = shown

    def update(self, obj):
        self.shown.append(obj)


@pytest.fixture
def shown(monkeypatch):
    """Everything a live view put on screen, in order (no IPython kernel needed)."""
    shown: list = []

    def display(obj, display_id=False):
        assert display_id is True, "a handle, so the picture is redrawn in place"
        shown.append(obj)
        return FakeHandle(shown)

    monkeypatch.setattr(reporting, "in_notebook", lambda: True)
    monkeypatch.setattr(live, "LiveView", _with_display(live.LiveView, display))
    return shown


def _with_display(cls, display):
    def make(total_steps, **kwargs):
        return cls(total_steps, display=display, redraw_seconds=0.0, **kwargs)

    return make


def _pictures(shown) -> list:
    return [obj for obj in shown if hasattr(obj, "data") and isinstance(obj.data, bytes)]


def test_a_run_in_a_notebook_redraws_its_picture_and_keeps_the_last(
    shown, content, style, monkeypatch
):
    monkeypatch.setattr(live, "MOST_DRAWING", 1.0)  # these tiny steps take milliseconds
    result = nst_tf.stylize(content, style, steps=4, weights="random", scales=[32, 64])
    pictures = _pictures(shown)
    assert len(pictures) >= 3, "the picture changes while the image forms"
    assert len({p.data for p in pictures}) == len(pictures)
    with Image.open(io.BytesIO(pictures[-1].data)) as last:
        assert last.width > 100 and last.height > 100
    assert result.completed


def test_the_status_line_speaks_the_lesson_s_language(monkeypatch):
    monkeypatch.setattr(language, "_chosen", "ko")
    view = live.LiveView(10, display=lambda obj, display_id: FakeHandle([]), redraw_seconds=0)
    view.stage("lbfgs 64px")
    for _ in range(3):
        view.step(np.zeros((1, 8, 8, 3), np.float32), {"total": np.array([5.0])})
    assert view.status().startswith("lbfgs 64px · 스텝 3/10 · ")
    interrupted = view.status(Stop(StopReason.INTERRUPTED, 3))
    assert "3 스텝에서 중지됨" in interrupted and "가장 좋은 이미지를 남겼습니다" in interrupted
    assert "모든 스텝 완료" in view.status(Stop(StopReason.COMPLETED, 10))


def test_no_live_picture_without_progress_or_outside_a_notebook(monkeypatch, content, style):
    calls = []
    monkeypatch.setattr(live, "LiveView", lambda *a, **k: calls.append(a))
    nst_tf.stylize(content, style, steps=1, weights="random", scales=None)  # not a notebook
    monkeypatch.setattr(reporting, "in_notebook", lambda: True)
    nst_tf.stylize(content, style, steps=1, weights="random", scales=None, progress=False)
    assert calls == []


def test_drawing_takes_at_most_a_twentieth_of_the_run(monkeypatch):
    """A redraw costs about 0.1 s: a run of 10 ms steps must not pay 10 % for its picture
    (lesson 01's reconstructions took 20 % longer with a redraw every 2 s)."""
    clock = [0.0]
    monkeypatch.setattr(live.time, "perf_counter", lambda: clock[0])
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")

    def draw_for_a_tenth(stop=None):
        clock[0] += 0.1
        return png.getvalue()

    shown: list = []
    view = live.LiveView(1000, display=lambda obj, display_id: FakeHandle(shown))
    monkeypatch.setattr(view, "png", draw_for_a_tenth)
    for _ in range(1000):
        clock[0] += 0.01
        view.step(np.zeros((1, 8, 8, 3), np.float32), {"total": np.array([1.0])})
    drawing = 0.1 * len(_pictures(shown))
    assert len(_pictures(shown)) >= 3 and drawing <= live.MOST_DRAWING * clock[0] * 1.1
