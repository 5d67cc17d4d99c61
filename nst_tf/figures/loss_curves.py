"""Loss curves: one run's parts over its steps, and several runs against evaluations and seconds."""

from __future__ import annotations

import numpy as np

from nst_tf.base.language import tr
from nst_tf.figures.plotting import _whole_number_ticks, with_weights_mark

LOSS_COLORS = {"total": "black", "content": "tab:blue", "style": "tab:orange", "tv": "tab:green"}


def part_label(part: str) -> str:
    """The name of a loss part (``total``, ``content``, ``style``, ``tv``) in the language used."""
    labels = {
        "total": tr("전체 손실", "total loss"),
        "content": tr("콘텐츠 손실", "content loss"),
        "style": tr("스타일 손실", "style loss"),
        "tv": tr("총 변위 손실", "total variation loss"),
    }
    return labels.get(part, part)


@with_weights_mark
def plot_loss_history(history: dict, title: str | None = None, weights: dict | None = None):
    """Each loss part per step on a log scale (unweighted, or times ``weights``)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, values in history.items():
        values = np.asarray(values) * (weights or {}).get(name, 1.0)
        if np.any(values > 0):
            ax.plot(
                np.arange(1, len(values) + 1),
                values,
                label=part_label(name),
                color=LOSS_COLORS.get(name),
            )
    ax.set_yscale("log")
    _whole_number_ticks(ax)
    ax.set_xlabel(tr("스텝", "step"))
    ax.set_ylabel(tr("손실 × 가중치", "loss × weight") if weights else tr("손실", "loss"))
    ax.set_title(title or tr("스텝별 손실", "Loss per step"))
    ax.legend()
    fig.tight_layout()
    return fig


@with_weights_mark
def plot_loss_comparison(results: dict, part: str = "total", title: str | None = None):
    """One loss part of several runs against evaluations and against seconds.

    ``results`` maps a label to a run (`nst_tf.StylizeResult`: ``history``,
    ``evaluations``, ``seconds``). Steps are not compared: an L-BFGS step may use
    several loss+gradient evaluations, an Adam step exactly one.
    """
    import matplotlib.pyplot as plt

    fig, (by_count, by_time) = plt.subplots(1, 2, figsize=(10, 3.5))
    for label, result in results.items():
        values = np.asarray(result.history[part])
        by_count.plot(result.evaluations, values, label=label)
        by_time.plot(result.seconds, values, label=label)
    for ax in (by_count, by_time):
        ax.set_yscale("log")
        ax.set_ylabel(part_label(part))
        ax.legend()
    _whole_number_ticks(by_count)
    by_count.set_xlabel(tr("손실·그레이디언트 계산 횟수", "loss+gradient evaluations"))
    by_time.set_xlabel(tr("시간 (초)", "time (s)"))
    fig.suptitle(title or part_label(part), fontsize=11)
    fig.tight_layout()
    return fig
