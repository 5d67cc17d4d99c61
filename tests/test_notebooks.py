"""The lessons: both editions' structure, and every Korean lesson run top to bottom.

Executions use small parameters (64 px, 3 steps, random weights) and check that each
lesson writes its figures, shows no TensorFlow start-up noise and no missing-glyph
warning, and that the students' "write it yourself" checks can fail.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
KOREAN = ROOT / "notebooks"
ENGLISH = KOREAN / "en"
EDITIONS = {"ko": KOREAN, "en": ENGLISH}
#: notebook: (extra parameters, figures it must write)
LESSONS = {
    "01_style_and_content.ipynb": ({}, ["content_and_style.png", "content_reconstruction.png"]),
    "02_feature_extraction.ipynb": ({}, ["first_channels.png", "block1_conv1_grid.png"]),
    "03_gram_matrix.ipynb": (
        {"STYLE_BLOCKS": 3},
        ["gram_heatmap.png", "texture_synthesis.png", "texture.gif"],
    ),
    "04_total_variation.ipynb": ({}, ["neighbour_differences.png", "tv_weights.png"]),
    "05_putting_it_together.ipynb": (
        {"HAND_STEPS": 2},
        [
            "hand_written_loop.png",
            "intermediate.png",
            "loss_history.png",
            "lbfgs_vs_adam.png",
            "init_comparison.png",
        ],
    ),
    "06_weight_ratio.ipynb": ({}, ["ratio_sweep.png"]),
    "07_beyond_the_slides.ipynb": (
        {"LARGE_SIZE": 96},
        [
            "color_preservation.png",
            "style_blend.png",
            "spatial_control.png",
            "coarse_to_fine.png",
            "cli_result.png",
        ],
    ),
}
SMALL = {"IMAGE_SIZE": 64, "STEPS": 3, "WEIGHTS": "random", "SEED": 0}
LANG_LINE = re.compile(r'^LANG = "(ko|en)".*$', re.M)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def repository_url() -> str:
    """The repository's address, from its one home: pyproject.toml's [project.urls]."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    return re.search(r'^Repository = "([^"]+)"', pyproject, re.M).group(1)


def _notebook(edition: str, name: str) -> dict:
    return json.loads((EDITIONS[edition] / name).read_text())


def _cells(edition: str, name: str) -> list[dict]:
    return _notebook(edition, name)["cells"]


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def test_every_notebook_is_covered_in_both_editions():
    for folder in EDITIONS.values():
        assert sorted(p.name for p in folder.glob("*.ipynb")) == sorted(LESSONS)


@pytest.mark.parametrize("edition", sorted(EDITIONS))
@pytest.mark.parametrize("name", sorted(LESSONS))
def test_notebook_structure(edition, name):
    cells = _cells(edition, name)
    first = _text(cells[0])
    assert first.startswith("# ") and HANGUL.search(first), "a title with the slide's Korean words"
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    for parameter in ("LANG", "IMAGE_SIZE", "STEPS", "WEIGHTS", "OUTPUT_DIR", "SEED"):
        assert re.search(rf"^{parameter} = ", _text(tagged[0]), re.M), parameter
    assert LANG_LINE.search(_text(tagged[0])).group(1) == edition
    lesson_cells = [c for c in cells[2:] if c["cell_type"] == "code"]  # after title and set-up
    longest = max(len(_text(c).splitlines()) for c in lesson_cells)
    assert longest <= 12, "keep code cells short"
    markdown = "\n".join(_text(c) for c in cells if c["cell_type"] == "markdown")
    assert not re.search(r"^\\\s*$", markdown, re.M), "no stray backslash lines"


@pytest.mark.parametrize("edition", sorted(EDITIONS))
@pytest.mark.parametrize("name", sorted(LESSONS))
def test_every_exercise_has_a_hint_and_a_worked_solution(edition, name):
    last = _text(_cells(edition, name)[-1])
    heading, hint, solution = {
        "ko": ("## 연습 문제", "<summary>힌트</summary>", "<summary>풀이</summary>"),
        "en": ("## Exercises", "<summary>Hint</summary>", "<summary>Solution</summary>"),
    }[edition]
    assert last.startswith(heading)
    questions = re.findall(r"^\*\*\d+\.\*\*", last, re.M)
    assert questions and last.count(hint) == last.count(solution) == len(questions)
    assert last.count("<details>") == last.count("</details>") == 2 * len(questions)


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_the_two_editions_run_the_same_code(name):
    korean, english = _cells("ko", name), _cells("en", name)
    assert [c["cell_type"] for c in korean] == [c["cell_type"] for c in english]
    for ko, en in zip(korean, english):
        if ko["cell_type"] == "code":
            assert LANG_LINE.sub("LANG", _text(ko)) == LANG_LINE.sub("LANG", _text(en))
        else:
            assert _text(ko) != _text(en), "the markdown is translated"


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_the_korean_edition_is_written_in_korean(name):
    prose = "\n".join(_text(c) for c in _cells("ko", name) if c["cell_type"] == "markdown")
    prose = re.sub(
        r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|<[^>]+>|\(https?://[^)]*\)",
        " ",
        prose,
        flags=re.S,
    )
    hangul = len(HANGUL.findall(prose))
    latin = len(re.findall(r"[A-Za-z]", prose))
    assert hangul / (hangul + latin) > 0.6, f"{hangul} Hangul vs {latin} Latin letters"


@pytest.mark.parametrize("edition", sorted(EDITIONS))
@pytest.mark.parametrize("name", sorted(LESSONS))
def test_colab_badge_and_set_up_use_the_one_repository_url(edition, name):
    url = repository_url()
    slug = url.removeprefix("https://github.com/")
    folder = "notebooks" if edition == "ko" else "notebooks/en"
    badge = f"https://colab.research.google.com/github/{slug}/blob/main/{folder}/{name}"
    cells = _cells(edition, name)
    assert badge in _text(cells[0])
    assert f'"{url}"' in _text(cells[1])
    every_url = re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", json.dumps(cells))
    assert set(every_url) == {url}, "the address is written nowhere else"
    metadata = _notebook(edition, name)["metadata"]
    assert metadata["accelerator"] == "GPU", "Colab is asked for a GPU"


def _stream_outputs(executed: dict, stream: str) -> str:
    return "".join(
        "".join(output.get("text", ""))
        for cell in executed["cells"]
        for output in cell.get("outputs", [])
        if output.get("name") == stream
    )


def _execute(path: Path, tmp_path: Path, parameters: dict) -> dict:
    papermill = pytest.importorskip("papermill")
    tmp_path.mkdir(parents=True, exist_ok=True)
    executed = tmp_path / path.name
    papermill.execute_notebook(
        str(path),
        str(executed),
        parameters=parameters,
        cwd=str(path.parent),
        kernel_name="python3",
        progress_bar=False,
    )
    return json.loads(executed.read_text())


def _check_run(executed: dict, figures_dir: Path, figures: list[str]) -> None:
    stderr = _stream_outputs(executed, "stderr")
    noise = [m for m in ("I0000", "E0000", "W0000", "absl::", "cuInit") if m in stderr]
    assert not noise, f"TensorFlow start-up noise:\n{stderr}"
    assert "missing from font" not in stderr and "does not have a glyph" not in stderr, stderr
    assert stderr.count("RANDOM weights") <= 1, "each warning once"
    for figure in figures:
        path = figures_dir / figure
        assert path.is_file(), f"{figure} was not written"
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
        assert pixels.std() > 1.0, f"{figure} is blank"


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_korean_lesson_runs_and_writes_its_figures(name, tmp_path, monkeypatch):
    monkeypatch.setenv("NST_TF_CACHE", str(tmp_path / "cache"))
    extra, figures = LESSONS[name]
    figures_dir = tmp_path / "figures"
    parameters = {**SMALL, **extra, "OUTPUT_DIR": str(figures_dir)}
    executed = _execute(KOREAN / name, tmp_path, parameters)
    _check_run(executed, figures_dir, figures)


def test_an_english_lesson_runs_too(tmp_path, monkeypatch):
    monkeypatch.setenv("NST_TF_CACHE", str(tmp_path / "cache"))
    figures_dir = tmp_path / "figures"
    executed = _execute(
        ENGLISH / "04_total_variation.ipynb", tmp_path, {**SMALL, "OUTPUT_DIR": str(figures_dir)}
    )
    _check_run(executed, figures_dir, LESSONS["04_total_variation.ipynb"][1])
    assert "TV of the photo" in _stream_outputs(executed, "stdout")


@pytest.mark.parametrize(
    "name, right, wrong",
    [
        (
            "03_gram_matrix.ipynb",
            "tf.matmul(F, F, transpose_b=True)",
            "tf.matmul(F, F, transpose_b=True) / 2",
        ),
        ("03_gram_matrix.ipynb", "(4.0 * 3.0**2 * pixels**2)", "(4.0 * 3.0 * pixels**2)"),
        ("04_total_variation.ipynb", "(dy**2 + dx**2) ** 1.25", "(dy**2 + dx**2) ** 1.5"),
        (
            "05_putting_it_together.ipynb",
            "tf.reduce_sum(tf.square(features - target))",
            "tf.reduce_mean(tf.square(features - target))",
        ),
        (
            "05_putting_it_together.ipynb",
            "image.assign(tf.clip_by_value(image, 0.0, 1.0))",
            "image.assign(image)",
        ),
    ],
)
def test_a_wrong_student_cell_makes_the_lesson_fail(name, right, wrong, tmp_path):
    """The checks after each "write it yourself" cell really check."""
    papermill = pytest.importorskip("papermill")
    notebook = _notebook("ko", name)
    sources = [_text(c) for c in notebook["cells"]]
    index = next(i for i, text in enumerate(sources) if right in text)
    check = next(i for i in range(index, len(sources)) if "assert_allclose" in sources[i])
    notebook["cells"][index]["source"] = sources[index].replace(right, wrong)
    notebook["cells"] = notebook["cells"][: check + 1]  # no need to run the rest
    broken = tmp_path / name
    broken.write_text(json.dumps(notebook))
    # An assert_allclose check fails, or (pixels left outside [0, 1]) VGG's input check.
    caught = "AssertionError|ValueError: images hold values from"
    with pytest.raises(papermill.PapermillExecutionError, match=caught):
        _execute(broken, tmp_path / "run", {**SMALL, "OUTPUT_DIR": str(tmp_path / "figures")})
