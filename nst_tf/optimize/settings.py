"""A transfer's settings in four groups, each checked once when made and owned by its idea's module.

- `nst_tf.objective.settings.LossSettings`: weights, layers, normalisation, style blend and scale;
- `nst_tf.network.vgg.NetworkSettings`: VGG19's weights, pooling, precision, rescaling;
- `RunSettings` (here): optimiser and its options, steps, start image, seed, colour
  preservation, and the `nst_tf.optimize.scales.ScalePlan` (coarse-to-fine);
- `nst_tf.optimize.reporting.Reporting`: progress, callback, checkpoints.

`TransferSettings` holds them together; `stylize(content, style, **keywords)` takes
every field of every group by name (e.g. ``steps=200, weights="random", style_weight=2``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from nst_tf.base.checks import one_of, whole_number
from nst_tf.io import color
from nst_tf.io.images import as_image_batch
from nst_tf.network.vgg import NetworkSettings
from nst_tf.objective.settings import LossSettings
from nst_tf.optimize.memory import ACTIVATIONS
from nst_tf.optimize.optimizers import check_optimizer
from nst_tf.optimize.reporting import Reporting
from nst_tf.optimize.scales import ScalePlan

INITS = ("content", "noise")


@dataclass(frozen=True)
class RunSettings:
    """How the pixels are optimised.

    Args:
        optimizer: a name in `nst_tf.optimize.optimizers.OPTIMIZERS` (``"lbfgs"``, ``"adam"``).
        optimizer_options: its hyper-parameters, e.g. ``{"learning_rate": 0.05}``;
            the others keep their defaults (`nst_tf.optimize.optimizers.optimizer_defaults`).
        steps: optimiser steps at the output's size (the last scale of the
            `nst_tf.optimize.scales.ScalePlan`; the coarser scales before it get ``coarse_steps``).
        init: ``"content"``, ``"noise"`` (slide 5's white noise) or an image.
        seed: seed of the white noise (and of random VGG19 weights).
        preserve_colors: ``None``, ``"luminance"`` or ``"histogram"`` (`nst_tf.io.color`).
        scale_plan: the sizes to optimise at (`nst_tf.optimize.scales.ScalePlan`).
        activations: ``"keep"`` every VGG19 activation for the backward pass (fastest),
            ``"recompute"`` them there (less memory, about 1.5-1.8x the time per step;
            `nst_tf.objective.recompute`), or ``"auto"``: keep when the run fits in memory.
    """

    optimizer: str = "lbfgs"
    optimizer_options: Mapping | None = None
    steps: int = 100
    init: str | np.ndarray = "content"
    seed: int = 0
    preserve_colors: str | None = None
    scale_plan: ScalePlan = ScalePlan()
    activations: str = "auto"

    def __post_init__(self):
        check_optimizer(self.optimizer, self.optimizer_options)
        object.__setattr__(self, "optimizer_options", dict(self.optimizer_options or {}))
        object.__setattr__(self, "steps", whole_number("steps", self.steps, 1))
        object.__setattr__(self, "seed", whole_number("seed", self.seed, 0))
        if isinstance(self.init, str):
            one_of("init", self.init, INITS)
        else:
            object.__setattr__(self, "init", as_image_batch(self.init, "init"))
        if self.preserve_colors is not None:
            one_of("preserve_colors", self.preserve_colors, color.COLOR_MODES)
        one_of("activations", self.activations, ACTIVATIONS)
        if not isinstance(self.scale_plan, ScalePlan):
            raise TypeError(f"scale_plan must be a ScalePlan, not {self.scale_plan!r}")

    @property
    def hyper_parameters(self) -> dict:
        """The optimiser's hyper-parameters: its defaults, updated by ``optimizer_options``."""
        return check_optimizer(self.optimizer, self.optimizer_options)


#: Which group each `stylize` keyword belongs to (``seed`` sets both that use one).
_GROUPS = {
    "loss": LossSettings,
    "network": NetworkSettings,
    "run": RunSettings,
    "scale_plan": ScalePlan,
    "reporting": Reporting,
}


def _init_fields(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls) if f.init}


@dataclass(frozen=True)
class TransferSettings:
    """Every setting of a style transfer, in its four groups (see the module docstring)."""

    loss: LossSettings = field(default_factory=LossSettings)
    #: made with the settings, not at import: ``$NST_TF_WEIGHTS`` is read then
    network: NetworkSettings = field(default_factory=NetworkSettings)
    run: RunSettings = field(default_factory=RunSettings)
    reporting: Reporting = field(default_factory=Reporting)

    @classmethod
    def make(cls, **keywords) -> TransferSettings:
        """Settings from keywords by name (`keywords`), the others at their defaults; each
        group is made once, so ``weights=`` given means ``$NST_TF_WEIGHTS`` is not read."""
        groups = _by_group(keywords)
        plan = ScalePlan(**groups.pop("scale_plan"))
        run = RunSettings(scale_plan=plan, **groups.pop("run"))
        return cls(run=run, **{name: _GROUPS[name](**mine) for name, mine in groups.items()})

    @classmethod
    def keywords(cls) -> list[str]:
        """Every keyword `stylize` accepts."""
        names = set().union(*(_init_fields(group) for group in _GROUPS.values()))
        return sorted(names - {"scale_plan"})

    def replace(self, **keywords) -> TransferSettings:
        """These settings with some fields changed by name, each group checked again."""
        groups = _by_group(keywords)
        plan_changes, run_changes = groups.pop("scale_plan"), groups.pop("run")
        changes = {
            name: dataclasses.replace(getattr(self, name), **mine)
            for name, mine in groups.items()
            if mine
        }
        if plan_changes:
            run_changes["scale_plan"] = dataclasses.replace(self.run.scale_plan, **plan_changes)
        if run_changes:
            changes["run"] = dataclasses.replace(self.run, **run_changes)
        return dataclasses.replace(self, **changes)


def _by_group(keywords: dict) -> dict[str, dict]:
    """``keywords`` split by the group that takes each (``seed`` goes to both that use one);
    a TypeError listing the settings for an unknown name."""
    unknown = sorted(set(keywords) - set(TransferSettings.keywords()))
    if unknown:
        raise TypeError(
            f"unknown setting(s) {unknown}; the settings are: {TransferSettings.keywords()}"
        )
    return {
        group: {k: v for k, v in keywords.items() if k in _init_fields(cls)}
        for group, cls in _GROUPS.items()
    }


def settings_from(settings: TransferSettings | None, keywords: dict) -> TransferSettings:
    """``settings`` (default: all defaults) with ``keywords`` applied."""
    if settings is None:
        return TransferSettings.make(**keywords)
    if not isinstance(settings, TransferSettings):
        raise TypeError(f"settings must be a TransferSettings, not {type(settings).__name__}")
    return settings.replace(**keywords) if keywords else settings
