"""The lessons: both editions' structure, and every Korean lesson run top to bottom.

Executions use small parameters (128 px, 3 steps) but keep the branches the defaults
take: the default weights ("auto": the ImageNet file where it can be had, the 8-bit copy
from the package index here; else the announced fallback to random weights), and
coarse-to-fine (at 128 px the default plan is 64 -> 128 px, as 256 px's is 64 -> 128 -> 256).
They check that each lesson writes its figures and that what it prints to stderr is
nst_tf's own notices in the lesson's language, with no TensorFlow noise, and that the
students' "write it yourself" checks catch mistakes.
"""

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nst_tf.lessons.hardware import lesson_size
from nst_tf.network.weights import IMAGENET_FILE, imagenet_cache_path
from nst_tf.network.weights_8bit import EIGHT_BIT_FILE
from nst_tf.optimize.scales import ScalePlan

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
        {},
        [
            "color_preservation.png",
            "style_blend.png",
            "spatial_control.png",
            "coarse_to_fine.png",
            "cli_result.png",
        ],
    ),
    "08_fast_style_transfer.ipynb": (
        {"TRAIN_STEPS": 3, "CROP_SIZE": 64},
        ["network.png", "training_previews.png", "training_loss.png", "fast_vs_optimisation.png"],
    ),
}
#: What the tests shrink. Not WEIGHTS: the lessons' default ("auto") is what runs.
SMALL = {"IMAGE_SIZE": 128, "STEPS": 3, "SEED": 0}
#: The sizes each lesson optimises at, from its IMAGE_SIZE (07's large run: 1.25 times it).
LESSON_SIZES = {"07_beyond_the_slides.ipynb": lambda size: [size, 5 * size // 4]}
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


class _WithoutTexts(ast.NodeTransformer):
    """Blanks string constants: the set-up cell prints in its edition's language."""

    def visit_Constant(self, node):
        return ast.Constant("") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node):
        return ast.Constant("")


def _code(text: str, texts: bool = True) -> str:
    """The code of a cell as Python sees it: comments (in the edition's language) and
    the LANG line aside; string constants too unless ``texts``."""
    tree = ast.parse(LANG_LINE.sub("LANG = None", text))
    return ast.dump(tree if texts else _WithoutTexts().visit(tree))


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_the_two_editions_run_the_same_code(name):
    korean, english = _cells("ko", name), _cells("en", name)
    assert [c["cell_type"] for c in korean] == [c["cell_type"] for c in english]
    for index, (ko, en) in enumerate(zip(korean, english)):
        if ko["cell_type"] == "code":
            assert _code(_text(ko), texts=index != 1) == _code(_text(en), texts=index != 1)
        else:
            assert _text(ko) != _text(en), "the markdown is translated"


@pytest.mark.parametrize("edition", sorted(EDITIONS))
@pytest.mark.parametrize("name", sorted(LESSONS))
def test_set_up_and_parameters_speak_the_edition_s_language(edition, name):
    set_up, parameters = _cells(edition, name)[1:3]
    comments = re.findall(r"#.*$", _text(set_up) + _text(parameters), re.M)
    korean = [c for c in comments if HANGUL.search(c)]
    assert (len(korean) == len(comments)) if edition == "ko" else not korean, comments
    assert 'WEIGHTS = "auto"' in _text(parameters), "offline the lesson goes on, announced"


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_the_test_sizes_keep_the_default_branches(name):
    """A size the tests shrink must not switch coarse-to-fine off (lesson 5's check once
    failed at 256 px only, where the default ran a 64 px stage first)."""
    extra, _ = LESSONS[name]
    plan = ScalePlan("auto")
    sizes = LESSON_SIZES.get(name, lambda size: [size])
    small = {**SMALL, **extra}["IMAGE_SIZE"]
    for tested, default in zip(sizes(small), sizes(lesson_size("auto"))):
        assert len(plan.sides(tested)) > 1 and len(plan.sides(default)) > 1, (tested, default)


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


def _real_weights_cached() -> bool:
    """Whether the lesson's ``"auto"`` had ImageNet weights (it fetches them where it can)."""
    folder = imagenet_cache_path().parent
    return any((folder / name).is_file() for name in (IMAGENET_FILE, EIGHT_BIT_FILE))


def _check_run(executed: dict, figures_dir: Path, figures: list[str], lang="ko") -> None:
    stderr = _stream_outputs(executed, "stderr")
    noise = [m for m in ("I0000", "E0000", "W0000", "absl::", "cuInit") if m in stderr]
    assert not noise, f"TensorFlow start-up noise:\n{stderr}"
    assert "missing from font" not in stderr and "does not have a glyph" not in stderr, stderr
    assert "retracing" not in stderr and "WARNING:tensorflow" not in stderr, stderr
    announced = 0 if _real_weights_cached() else 1
    assert stderr.count("RANDOM") == announced, "random weights announced once, if used"
    for line in filter(None, stderr.splitlines()):
        assert line.startswith("nst_tf: "), f"only nst_tf's own notices: {line!r}"
        assert bool(HANGUL.search(line)) == (lang == "ko"), f"in the lesson's language: {line!r}"
    stdout = _stream_outputs(executed, "stdout")
    assert "Downloading data from" not in stdout, stdout
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


def test_the_english_edition_of_the_newest_lesson_runs_too(tmp_path, monkeypatch):
    """Lesson 08 in English (its Korean edition runs above): the English notices, progress
    and figures, through the same code."""
    monkeypatch.setenv("NST_TF_CACHE", str(tmp_path / "cache"))
    name = "08_fast_style_transfer.ipynb"
    extra, figures = LESSONS[name]
    figures_dir = tmp_path / "figures"
    executed = _execute(
        ENGLISH / name, tmp_path, {**SMALL, **extra, "OUTPUT_DIR": str(figures_dir)}
    )
    _check_run(executed, figures_dir, figures, lang="en")
    stdout = _stream_outputs(executed, "stdout")
    assert "one training step: right" in stdout and "one forward pass is" in stdout, stdout


@pytest.mark.parametrize(
    "name, right, wrong, hint",
    [
        (
            "03_gram_matrix.ipynb",
            "F = tf.transpose(tf.reshape(features, (-1, channels)))",
            "F = tf.reshape(features, (channels, -1))",
            "채널이 섞입니다",
        ),
        ("03_gram_matrix.ipynb", "(4.0 * 3.0**2 * pixels**2)", "(4.0 * 3.0 * pixels**2)", "3²"),
        ("04_total_variation.ipynb", "(dy**2 + dx**2) ** 1.25", "(dy**2 + dx**2) ** 1.5", "지수"),
        (
            "04_total_variation.ipynb",
            "return tf.reduce_sum((dy**2 + dx**2) ** 1.25)",
            "return tf.image.total_variation(image)",
            "tf.image.total_variation",
        ),
        (
            "05_putting_it_together.ipynb",
            "tf.reduce_sum(tf.square(features - target)) / positions",
            "tf.reduce_mean(tf.square(features - target))",
            "tf.reduce_mean",
        ),
        (
            "05_putting_it_together.ipynb",
            "tf.reduce_sum(tf.square(features - target)) / positions",
            "tf.reduce_sum(tf.square(features - target))",
            "위치 수",
        ),
        (
            "05_putting_it_together.ipynb",
            "image.assign(tf.clip_by_value(image, 0.0, 1.0))",
            "image.assign(image)",
            "clip_by_value",
        ),
        (
            "05_putting_it_together.ipynb",
            "adam.apply_gradients([(gradient, image)])",
            "adam.apply_gradients([(-gradient, image)])",
            "부호",
        ),
        (
            "08_fast_style_transfer.ipynb",
            "tf.reduce_mean(trainer.loss_parts(photos, outputs).total)",
            "tf.reduce_sum(trainer.loss_parts(photos, outputs).total)",
            "평균",
        ),
    ],
)
def test_a_wrong_student_cell_gets_a_korean_hint(name, right, wrong, hint, tmp_path):
    """The checks after each "write it yourself" cell really check, and say why."""
    papermill = pytest.importorskip("papermill")
    notebook = _notebook("ko", name)
    sources = [_text(c) for c in notebook["cells"]]
    index = next(i for i, text in enumerate(sources) if right in text)
    cells = notebook["cells"]
    check = next(
        i
        for i in range(index, len(sources))
        if cells[i]["cell_type"] == "code" and "nst_tf.check_" in sources[i]
    )
    notebook["cells"][index]["source"] = sources[index].replace(right, wrong)
    notebook["cells"] = notebook["cells"][: check + 1]  # no need to run the rest
    broken = tmp_path / name
    broken.write_text(json.dumps(notebook))
    with pytest.raises(papermill.PapermillExecutionError, match="ExerciseError") as caught:
        _execute(broken, tmp_path / "run", {**SMALL, "OUTPUT_DIR": str(tmp_path / "figures")})
    assert hint in caught.value.evalue, caught.value.evalue
    assert len(caught.value.traceback) == 1, "the hint alone, no traceback through nst_tf"
