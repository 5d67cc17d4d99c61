"""The Colab path: a lesson's set-up cell where nst_tf is not installed, run twice.

Colab has TensorFlow and the other dependencies but not nst_tf. The test builds such an
environment (a new virtual environment that sees this one's packages except nst_tf),
points the set-up cell's repository address at a local clone of this repository, and
runs the cell twice (the second run is the "after a runtime restart" case). Then it runs
lesson 7's command-line cell there: the ``nst-tf`` command must work in a subprocess.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_beyond_the_slides.ipynb"


def _cells() -> list[str]:
    cells = json.loads(LESSON.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


@pytest.fixture(scope="module")
def colab_like(tmp_path_factory):
    """(python of an environment without nst_tf, environment variables, working folder)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of this repository")
    base = tmp_path_factory.mktemp("colab")
    clone = base / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    ask = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = subprocess.run([str(python), "-c", ask], capture_output=True, text=True, check=True)
    site = site.stdout.strip()
    # This environment's packages (TensorFlow...) without running its .pth files, so the
    # editable nst_tf install stays invisible: as on Colab, nst_tf is not importable.
    Path(site, "colab_preinstalled.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {
        **os.environ,
        "NST_TF_REPOSITORY": clone.as_uri(),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "MPLBACKEND": "Agg",
    }
    env.pop("PYTHONPATH", None)
    work = base / "work"
    work.mkdir()
    check = subprocess.run(
        [str(python), "-c", "import nst_tf"], capture_output=True, cwd=work, env=env
    )
    assert check.returncode != 0, "nst_tf must not be importable before the set-up cell"
    return python, env, work


def _run(python, env, work, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, cwd=work, env=env, timeout=900
    )


def test_set_up_cell_installs_once_and_is_safe_to_run_again(colab_like):
    python, env, work = colab_like
    setup = _cells()[0]
    first = _run(python, env, work, setup)
    assert first.returncode == 0, first.stderr
    assert "설치 중" in first.stdout and "준비 완료" in first.stdout  # the Korean lesson
    assert str(work.parent / "venv") in first.stdout, "nst_tf is installed in that environment"
    again = _run(python, env, work, setup)  # e.g. after a runtime restart
    assert again.returncode == 0, again.stderr
    assert "설치 중" not in again.stdout and "준비 완료" in again.stdout
    for run in (first, again):
        assert "I0000" not in run.stderr and "E0000" not in run.stderr


def test_lesson_7_command_line_cell_works_there(colab_like):
    python, env, work = colab_like
    setup, parameters, load, *lesson = _cells()
    cli_cell = next(cell for cell in lesson if '"-m", "nst_tf"' in cell)
    small = 'IMAGE_SIZE, STEPS, WEIGHTS, OUTPUT_DIR = 48, 2, "random", "figures"'
    done = _run(python, env, work, "\n".join([setup, parameters, small, load, cli_cell]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "저장했습니다" in done.stdout and (work / "figures" / "cli_result.png").is_file()
