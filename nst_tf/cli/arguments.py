"""The command line's vocabulary: the parser (its errors in the language in use) and value types."""

from __future__ import annotations

import argparse
import math
import re

from nst_tf.base.language import language, tr
from nst_tf.objective.losses import PART_NAMES

#: The loss terms' names, each with a --NAME-weight option (content, style, tv).
WEIGHT_NAMES = PART_NAMES[1:]


PROG = "nst-tf"


class UsageError(Exception):
    """A bad command-line argument: printed as one line, exit code 2."""


#: argparse's own messages (English only) as the Korean lines say them: (pattern, Korean).
ARGPARSE_KOREAN = (
    (r"the following arguments are required: (.*)", r"다음 인자가 필요합니다: \1"),
    (r"unrecognized arguments: (.*)", r"알 수 없는 인자: \1"),
    (r"argument (\S+): expected one argument", r"인자 \1: 값이 하나 필요합니다"),
    (
        r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)",
        r"인자 \1: \2은(는) 고를 수 없습니다 (\3 중에서)",
    ),
    (r"argument (\S+): (.*)", r"인자 \1: \2"),
)


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line (no usage dump) with exit 2, in
    the language in use."""

    def error(self, message):
        if language() == "ko":
            message = _in_korean(message)
        raise UsageError(f"{message} ({tr(f'{self.prog} --help 참고', f'see {self.prog} --help')})")


def _in_korean(message: str) -> str:
    """An argparse message in Korean where it is one of `ARGPARSE_KOREAN`'s."""
    for pattern, korean in ARGPARSE_KOREAN:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, korean, message)
    return message


def non_negative(text: str) -> float:
    """An argparse type: a finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            tr(f"{text!r}는 숫자가 아닙니다", f"{text!r} is not a number")
        ) from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            tr(f"{text!r}: 0 이상의 유한한 수여야 합니다", f"{text!r} must be a finite number >= 0")
        )
    return value


def positive(text: str) -> float:
    """An argparse type: a finite number > 0 (a learning rate or a scale of 0 would be
    accepted by `non_negative` and then change nothing or fail later)."""
    value = non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(
            tr(f"{text!r}: 0보다 커야 합니다", f"{text!r} must be a finite number > 0")
        )
    return value


def whole(minimum: int):
    """An argparse type: a whole number >= ``minimum`` (argparse names the option)."""

    def parse(text: str) -> int:
        if not text.strip().isdigit() or int(text) < minimum:
            raise argparse.ArgumentTypeError(
                tr(
                    f"{text!r}: {minimum} 이상의 정수여야 합니다",
                    f"{text!r} must be a whole number >= {minimum}",
                )
            )
        return int(text)

    return parse


positive_int = whole(1)


def number_list(text: str) -> list[float]:
    """``"1e-4,1e-3"`` to ``[1e-4, 1e-3]``: finite numbers > 0."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            tr(
                f"{text!r}: 쉼표로 나눈 수의 목록이 아닙니다",
                f"{text!r} is not a comma-separated list",
            )
        ) from None
    if not values or not all(math.isfinite(v) and v > 0 for v in values):
        raise argparse.ArgumentTypeError(
            tr(
                f"{text!r}: 0보다 큰 유한한 수들이어야 합니다",
                f"{text!r} must list finite numbers > 0",
            )
        )
    return values


def scale_list(text: str):
    """``auto``, ``none`` or long sides ``"256,512"`` (`ScalePlan` checks their order)."""
    if text in ("auto", "none"):
        return None if text == "none" else "auto"
    return [int(v) for v in number_list(text)]


def layer_list(text: str) -> list[str] | dict[str, float]:
    """``"block4_conv2,block5_conv2"`` (names: equal weights summing to 1) or
    ``"block1_conv1:0.5,block2_conv1:1"`` (weights as given): the API's rule
    (`nst_tf.objective.layer_weights.layer_weights`)."""
    items = [part.strip() for part in text.split(",") if part.strip()]
    if not items:
        raise argparse.ArgumentTypeError(tr("층 이름이 없습니다", "no layer given"))
    if not any(":" in item for item in items):
        return items
    layers = {}
    for item in items:
        name, _, weight = item.partition(":")
        layers[name] = non_negative(weight) if weight else 1.0
    return layers


def option_pairs(text: str) -> dict[str, float]:
    """``"learning_rate=0.05,beta_1=0.9"`` to ``{"learning_rate": 0.05, "beta_1": 0.9}``."""
    options = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, equals, value = item.partition("=")
        if not equals:
            raise argparse.ArgumentTypeError(
                tr(f"{item!r}: 이름=값 꼴이 아닙니다", f"{item!r} is not NAME=VALUE")
            )
        try:
            options[key.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                tr(
                    f"{item!r}의 {value!r}는 숫자가 아닙니다",
                    f"{value!r} in {item!r} is not a number",
                )
            ) from None
    return options


def memory_epilog() -> dict:
    """``add_parser`` keywords of the commands that run VGG19 on the user's image size:
    the estimated peak memory table as the help's epilog."""
    from nst_tf.optimize.memory import memory_table

    return {
        "epilog": f"Estimated peak memory (larger runs are refused up front):\n{memory_table()}",
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }
