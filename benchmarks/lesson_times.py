"""How long each Korean lesson takes at its default parameters, as a class runs it.

Runs every notebook in ``notebooks/`` top to bottom in a fresh kernel with papermill,
with no parameter changed (``WEIGHTS = "auto"``: the ImageNet weights, Keras's file or
the 8-bit copy from the package index; the report says which), and times it. Also times
one VGG19 loss and gradient evaluation of the bundled photo at the lessons' default size
(256 px), so a lesson's cost can be compared across machines in evaluations (time /
evaluation).

    python benchmarks/lesson_times.py [--out benchmarks/lesson_times.json]
                                      [--executed DIR] [--readmes | --only-readmes]

``--readmes`` writes the measured times into the lesson tables of docs/teaching.md and
docs/ko/teaching.md (the one
source of those tables; tests/test_repository.py checks they agree with the JSON file);
``--only-readmes`` writes them from the JSON file without running anything.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RESULTS = ROOT / "benchmarks" / "lesson_times.json"


def seconds_per_evaluation(evaluations: int = 10) -> float:
    """Mean seconds of one loss+gradient evaluation of chelsea at 256 px (traced first)."""
    import nst_tf
    from nst_tf.network.features import shared_extractor
    from nst_tf.objective.objective import Objective
    from nst_tf.optimize.settings import TransferSettings

    settings = TransferSettings.make(weights="random", progress=False)
    content = nst_tf.load_image(nst_tf.bundled_image_path("chelsea"), max_size=256)
    style = nst_tf.load_image(nst_tf.bundled_image_path("swirls"), max_size=256)
    extractor = shared_extractor(settings.loss.layers, settings.network)
    objective = Objective(extractor, settings.loss, content, [style])
    objective.value_and_gradient(content)[1].numpy()
    start = time.perf_counter()
    for _ in range(evaluations):
        objective.value_and_gradient(content)[1].numpy()
    return (time.perf_counter() - start) / evaluations


def run_lesson(path: Path, executed: Path, figures: Path) -> float:
    """Seconds to run ``path`` top to bottom at its defaults (figures go to ``figures``)."""
    import papermill

    start = time.perf_counter()
    papermill.execute_notebook(
        str(path),
        str(executed / path.name),
        parameters={"OUTPUT_DIR": str(figures)},
        cwd=str(path.parent),
        kernel_name="python3",
        progress_bar=False,
    )
    return time.perf_counter() - start


def english_time(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def korean_time(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}분 {rest}초" if minutes else f"{rest}초"


def evaluations(seconds: float, evaluation_s: float) -> str:
    """A lesson's cost in evaluations (its time / one evaluation's): machines compare."""
    return f"{seconds / evaluation_s:,.0f}"


#: What a lesson at its defaults may cost on a 2-core CPU, in evaluations (about 3.5
#: minutes there), and the whole course (about 15 minutes): issue 20's budget.
LESSON_BUDGET, COURSE_BUDGET = 450, 2000
#: The course that budget was set for (issue 20): the deck's lessons and lesson 07.
#: Lesson 08 (fast style transfer, issue 22) came later: it keeps the lesson budget.
COURSE_LESSONS = ("01", "02", "03", "04", "05", "06", "07")


def course_evaluations(report: dict) -> float:
    """What `COURSE_LESSONS` cost in the recorded run, in evaluations."""
    lessons, evaluation_s = report["lessons_s"], report["evaluation_s"]
    return sum(lessons[name] for name in COURSE_LESSONS) / evaluation_s


#: (README, column header, formatter(seconds, evaluation_s)): the lesson tables' columns
#: the measurement is written into.
README_TABLES = (
    (ROOT / "docs" / "teaching.md", "time", lambda seconds, _: english_time(seconds)),
    (ROOT / "docs" / "teaching.md", "evaluations", evaluations),
    (ROOT / "docs" / "ko" / "teaching.md", "기본값으로 걸리는 시간", lambda s, _: korean_time(s)),
    (ROOT / "docs" / "ko" / "teaching.md", "계산 횟수", evaluations),
)


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row (none for another line)."""
    if not line.startswith("|"):
        return []
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def table_times(text: str, header: str) -> dict[str, str]:
    """{"01": "2 min 09 s", ...}: the lesson-number rows of the table whose header row
    has the column ``header``."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if header in _cells(line):
            column = _cells(line).index(header)
            times = {}
            for row in lines[index + 2 :]:
                values = _cells(row)
                if not values:
                    break
                if re.fullmatch(r"\d\d", values[0]):
                    times[values[0]] = values[column]
            return times
    raise ValueError(f"no table with a column {header!r}")


def write_readme_times(report: dict) -> None:
    """Put the measured times (``report["lessons_s"]``, ``{"01": seconds, ...}``) and
    evaluations into both teaching pages' tables."""
    lessons, evaluation_s = report["lessons_s"], report["evaluation_s"]
    for readme, header, formatter in README_TABLES:
        text = readme.read_text()
        lines = text.splitlines(keepends=True)
        head = next(i for i, line in enumerate(lines) if header in _cells(line))
        column = _cells(lines[head]).index(header)
        for i in range(head + 2, len(lines)):
            if not lines[i].startswith("|"):
                break
            cells = lines[i].rstrip("\n").strip().strip("|").split("|")
            number = cells[0].strip()
            if number in lessons:
                cells[column] = f" {formatter(lessons[number], evaluation_s)} "
                lines[i] = "|" + "|".join(cells) + "|\n"
        readme.write_text("".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--executed", type=Path, default=None, help="keep executed notebooks")
    parser.add_argument("--readmes", action="store_true", help="write both teaching pages' tables")
    parser.add_argument("--only-readmes", action="store_true", help="tables from --out, no run")
    args = parser.parse_args()
    if args.only_readmes:
        write_readme_times(json.loads(args.out.read_text()))
        return
    executed = args.executed or Path(tempfile.mkdtemp(prefix="lessons-"))
    executed.mkdir(parents=True, exist_ok=True)
    from nst_tf.network.weights import best_available_weights

    weights = best_available_weights(seed=0)  # what the lessons' "auto" uses here
    evaluation = seconds_per_evaluation()
    lessons = {}
    for path in LESSONS:
        seconds = run_lesson(path, executed, executed / "figures")
        lessons[path.name[:2]] = round(seconds, 1)
        print(f"{path.name}: {english_time(seconds)} = {seconds / evaluation:.0f} evaluations")
    report = {
        "machine": f"{_cpu_model()}, {_cpus()} CPUs, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "weights": weights,
        "evaluation_s": round(evaluation, 4),
        "lessons_s": lessons,
        "total_s": round(sum(lessons.values()), 1),
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"course: {english_time(report['total_s'])}; one evaluation {evaluation:.3f} s")
    over = [n for n, s in lessons.items() if s / evaluation > LESSON_BUDGET]
    print(f"budget: lessons over {LESSON_BUDGET} evaluations: {over or 'none'}; "
          f"course 01-07 {course_evaluations(report):.0f} of {COURSE_BUDGET}, all lessons "
          f"{report['total_s'] / evaluation:.0f}")  # fmt: skip
    if args.readmes:
        write_readme_times(report)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            line = next(line for line in cpuinfo if line.startswith("model name"))
        return line.split(":", 1)[1].strip()
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    main()
