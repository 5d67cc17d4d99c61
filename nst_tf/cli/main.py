"""The ``nst-tf`` command (also ``python -m nst_tf``): its parser and its exit codes.

Every mistake a user can make is caught before any VGG19 work and explained in one
line. Exit codes: 0 done; 1 a runtime failure (weights download, NaN, a save that
failed: the result is then kept elsewhere and the line says where); 2 a bad argument;
130 / 143 / 129 stopped by Ctrl-C / SIGTERM / SIGHUP (the best image so far is saved).
Nothing a user gave is overwritten, and nothing is replaced without ``--overwrite``.
"""

from __future__ import annotations

import signal
import sys
import warnings

from nst_tf.base.errors import ImageError, LayerError, NSTError
from nst_tf.base.language import tr
from nst_tf.base.signals import signal_of, stop_signals_raise
from nst_tf.cli import apply, demo, stylize, sweep, train, weights
from nst_tf.cli.arguments import PROG, Parser, UsageError
from nst_tf.optimize.memory import TooLargeError

#: The commands, in the order ``nst-tf --help`` lists them: each module adds its own
#: parser (`add_parser`), whose ``handler`` runs it.
COMMANDS = (stylize, sweep, demo, weights, train, apply)


def build_parser() -> Parser:
    """The ``nst-tf`` parser with every command of `COMMANDS`."""
    parser = Parser(prog=PROG, description="Neural style transfer (Gatys et al.) on files.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings on the command line: one ``nst-tf: warning: …`` line each."""
    print(f"{PROG}: {tr('경고', 'warning')}: {message}", file=file or sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (see the module docstring)."""
    parser = build_parser()
    try:
        with stop_signals_raise(), warnings.catch_warnings():
            warnings.showwarning = show_warning
            args = parser.parse_args(argv)
            return args.handler(args)
    except (UsageError, ImageError, LayerError, TooLargeError, ValueError, TypeError) as exc:
        print(f"{PROG}: {tr('오류', 'error')}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except NSTError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except MemoryError as exc:  # TensorFlow's ResourceExhaustedError is not one; see below
        print(
            f"{PROG}: "
            + tr(
                f"메모리 부족 ({exc}): --size를 줄이세요",
                f"out of memory ({exc}); use a smaller --size",
            ),
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt as interrupt:
        signum = signal_of(interrupt)
        name = signal.Signals(signum).name
        print(
            f"{PROG}: "
            + tr(
                f"실행이 끝나기 전에 {name}로 중지됨: 저장한 것이 없습니다",
                f"stopped by {name} before the run ended; nothing was written",
            ),
            file=sys.stderr,
        )
        return 128 + signum
    except Exception as exc:
        if type(exc).__name__ == "ResourceExhaustedError":
            print(
                f"{PROG}: "
                + tr(
                    "TensorFlow의 메모리가 부족합니다: --size를 줄이세요",
                    "TensorFlow ran out of memory; use a smaller --size",
                ),
                file=sys.stderr,
            )
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
